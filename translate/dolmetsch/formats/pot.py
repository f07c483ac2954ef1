"""The gettext template (`LOCALES/S.pot`): the document's sentences without translations.

Poedit's and Weblate's "update from POT" work from it, as for any gettext project. It is left
as it is while the set of sentences (and their references) is unchanged, so its creation date
only moves when the document does.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import polib

from dolmetsch.version import __version__
from dolmetsch.formats.base import TEMPLATES, TRANSLATE, OutputFormat, RenderContext
from dolmetsch.formats.po import Catalogues, po_text, reference_name, with_contexts
from dolmetsch.translation import TranslatedDocument


def build_template(translated: TranslatedDocument) -> polib.POFile:
    template = polib.POFile(wrapwidth=79)
    template.header = "SOME DESCRIPTIVE TITLE.\nThis file is distributed under the same license as the article."
    template.metadata = {
        "Project-Id-Version": translated.document.name,
        "Report-Msgid-Bugs-To": "",
        "POT-Creation-Date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M+0000"),
        "PO-Revision-Date": "YEAR-MO-DA HO:MI+ZONE",
        "Last-Translator": "FULL NAME <EMAIL@ADDRESS>",
        "Language-Team": "LANGUAGE <LL@li.org>",
        "Language": "",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "X-Generator": f"dolmetsch {__version__}",
        "X-Source-Language": "de",
    }
    for s, context in with_contexts(translated.segments):
        template.append(
            polib.POEntry(
                msgid=s.segment.text,
                msgstr="",
                msgctxt=context,
                occurrences=[(reference_name(translated.document.source), str(s.segment.line))],
                comment=f"{s.segment.kind.value}, block {s.segment.block}, sentence {s.segment.index}",
            )
        )
    return template


def _entries(template: polib.POFile) -> list[tuple]:
    return [(e.msgctxt, e.msgid, tuple(e.occurrences), e.comment) for e in template if not e.obsolete]


def render_template(translated: TranslatedDocument, existing: Path | None, catalogues: Catalogues | None = None) -> str:
    """The template's text; the file's own text while its entries are unchanged."""
    template = build_template(translated)
    if existing is not None and existing.exists():
        previous, text = (catalogues or Catalogues()).load(existing)
        if _entries(previous) == _entries(template):
            return text  # unchanged: the writer leaves it
    return po_text(template)


class GettextTemplate(OutputFormat):
    name = "pot"
    suffix = ".pot"
    folder = TEMPLATES
    written_by = (TRANSLATE,)

    def render(self, translated: TranslatedDocument, existing: Path | None) -> str:
        return render_template(translated, existing)

    def render_in(self, translated: TranslatedDocument, existing: Path | None, context: RenderContext) -> str:
        return render_template(translated, existing, context.catalogues)

    def check_existing(self, path: Path, document, catalogues: Catalogues | None = None) -> None:
        (catalogues or Catalogues()).read(path)
