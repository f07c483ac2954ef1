"""A bilingual review page: one self-contained HTML file, German left, English right, sentence by sentence.

Every sentence sits beside its translation; glossary terms are marked on both sides with how each
was satisfied; each sentence carries its review state, what the run did to it (replaced terms,
truncation, post-edit) and the findings of the same checks `dolmetsch check` runs, with the PO
entry and source line a reviewer looks it up by. A header counts it all; filters and the keys
j/k (next/previous finding) help to work through it. CSS and JavaScript are inline and nothing is
fetched, so the file opens from disk anywhere. The page is built from a plain view model
(`review.view.review_view`) and a Jinja2 template with autoescape, which loads only when a page
is rendered.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from dolmetsch.atomic import write_bytes_atomic
from dolmetsch.cache import user_cache_dir
from dolmetsch.errors import InputError
from dolmetsch.formats.base import OutputFormat, RenderContext
from dolmetsch.review.view import PAGE_FORMAT, ReviewView, review_view
from dolmetsch.translation import REVIEWED_STATE, TranslatedDocument

TEMPLATE, STYLESHEET, SCRIPT = "review.html.j2", "review.css", "review.js"
TEMPLATE_CACHE_SUFFIX = ".checked.cache"
SHA256_BYTES = 32


@lru_cache(maxsize=1)
def _environment():
    # Jinja2 loads only when a page is rendered, so `dolmetsch --help` and the other formats never pay for it
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("dolmetsch.review", "templates"),
        bytecode_cache=_bytecode_cache(jinja2),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def _bytecode_cache(jinja2):
    """The compiled template, kept in the user cache: compiling it costs a re-run 0.2 s."""
    return _checked_bytecode_cache_class(jinja2)(user_cache_dir("templates"))


def _checked_bytecode_cache_class(jinja2):
    """A Jinja2 bytecode cache whose files carry a SHA-256 of what they hold (made when Jinja2 loads).

    Jinja2's own file cache unpickles a file before it can tell that the file is damaged, and lets
    a full disk or unwritable folder fail the render. Here a file is used only when its digest
    matches; anything else, and any failure to read or write, only means compiling the template
    again. The digest catches what crashes and disks do, not deliberate edits.
    """

    class CheckedBytecodeCache(jinja2.BytecodeCache):
        def __init__(self, folder: Path):
            self.folder = folder

        def _path(self, bucket) -> Path:
            return self.folder / f"{bucket.key}{TEMPLATE_CACHE_SUFFIX}"

        def load_bytecode(self, bucket) -> None:
            try:
                data = self._path(bucket).read_bytes()
            except OSError:
                return
            digest, payload = data[:SHA256_BYTES], data[SHA256_BYTES:]
            if not payload or hashlib.sha256(payload).digest() != digest:
                return
            try:
                bucket.bytecode_from_string(payload)
            except Exception:  # noqa: BLE001 - whatever a file that matches its digest still fails on, compile again
                bucket.reset()

        def dump_bytecode(self, bucket) -> None:
            try:
                payload = bucket.bytecode_to_string()
                self.folder.mkdir(parents=True, exist_ok=True)
                write_bytes_atomic(self._path(bucket), hashlib.sha256(payload).digest() + payload)
            except (OSError, InputError):  # an unwritable or full cache: the next run compiles again
                pass

    return CheckedBytecodeCache


def render_page(view: ReviewView) -> str:
    """The page's HTML; the stylesheet and script beside the template go in verbatim (not as templates)."""
    from markupsafe import Markup  # comes with Jinja2, which loads only when a page is rendered

    environment = _environment()
    css, js = (Markup(environment.loader.get_source(environment, name)[0]) for name in (STYLESHEET, SCRIPT))
    return environment.get_template(TEMPLATE).render(view=view, REVIEWED=REVIEWED_STATE, css=css, js=js)


class ReviewPage(OutputFormat):
    name = PAGE_FORMAT
    suffix = ".review.html"

    def render(self, translated: TranslatedDocument, existing: Path | None) -> str:
        return render_page(review_view(translated))

    def render_in(self, translated: TranslatedDocument, existing: Path | None, context: RenderContext) -> str:
        return render_page(review_view(translated, context))
