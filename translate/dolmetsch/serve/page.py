"""The web page at `/`: paste German, get the English, glossary terms marked as on the review page.

One self-contained HTML document: its CSS and JavaScript are inline (from `static/`), it loads no
font, image or script from anywhere, and its only request is the same-origin `POST /translate`.
The Content-Security-Policy allows exactly that: the inline style and script by their SHA-256, so
nothing injected could run, and `connect-src 'self'`. The page builds every node with
`textContent`, so translated text is never parsed as markup.
"""

from __future__ import annotations

import base64
import hashlib
import re
from importlib import resources

PLACEHOLDER = re.compile(r"\{(csp|css|js)\}")


def _static(name: str) -> str:
    return resources.files("dolmetsch.serve").joinpath("static").joinpath(name).read_text(encoding="utf-8")


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def content_security_policy(css: str, js: str) -> str:
    """The page's policy: nothing by default; its own inline style and script; fetches to its origin."""
    return (
        f"default-src 'none'; style-src {_sha256(css)}; script-src {_sha256(js)}; "
        "connect-src 'self'; img-src data:; form-action 'none'; base-uri 'none'"
    )


def page_and_policy() -> tuple[str, str]:
    """The page and its Content-Security-Policy, for a server that sends the policy as a header too."""
    css = "\n" + _static("page.css") + "\n"
    js = "\n" + _static("page.js") + "\n"
    policy = content_security_policy(css, js)
    parts = {"csp": policy, "css": css, "js": js}
    template = _static("page.html").replace("<style>\n{css}\n</style>", "<style>{css}</style>").replace(
        "<script>\n{js}\n</script>", "<script>{js}</script>"
    )
    return PLACEHOLDER.sub(lambda m: parts[m.group(1)], template), policy


def render_page() -> str:
    """The HTML of `/`; read from the package on each call (a few KB), so nothing is held at import."""
    return page_and_policy()[0]
