"""Atomic file writes: a reader (or a crash) never sees half a file, and a failed run leaves the old one."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from dolmetsch.errors import InputError


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; rename it over `target` only if the block succeeds.

    A target that cannot be written (missing folder, a folder in its place, no permission) is an
    InputError naming it.
    """
    target = Path(target)
    if target.is_dir():
        raise InputError(target, "is a folder, cannot write a file there")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise InputError(target, f"cannot write ({exc.strerror})") from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    except OSError as exc:
        raise InputError(target, f"cannot write ({exc.strerror})") from None
    finally:
        tmp_path.unlink(missing_ok=True)


def write_text_atomic(target: Path, text: str) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")


def write_bytes_atomic(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_all_atomic(texts: dict[Path, str]) -> None:
    """Write several files so that either all of them land or none does (short of a crash mid-rename)."""
    staged: list[tuple[Path, Path]] = []
    try:
        for target, text in texts.items():
            target = Path(target)
            if target.is_dir():
                raise InputError(target, "is a folder, cannot write a file there")
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
                with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                    handle.write(text)
            except OSError as exc:
                raise InputError(target, f"cannot write ({exc.strerror})") from None
            staged.append((Path(tmp), target))
        for tmp, target in staged:
            try:
                os.replace(tmp, target)
            except OSError as exc:
                raise InputError(target, f"cannot write ({exc.strerror})") from None
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
