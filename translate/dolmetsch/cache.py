"""Where dolmetsch keeps what it can rebuild: unpacked packages, word-form indexes, compiled templates."""

from __future__ import annotations

import os
from pathlib import Path


def user_cache_dir(*parts: str) -> Path:
    """$XDG_CACHE_HOME/dolmetsch/PARTS (default ~/.cache), read at call time so tests can move it."""
    cache_home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache_home, "dolmetsch", *parts)
