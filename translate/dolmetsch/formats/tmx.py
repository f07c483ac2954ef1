"""The reviewed translations as a TMX 1.4b translation memory, for CAT tools (OmegaT, Trados).

One `<tu>` per distinct German sentence with a reviewed translation (`include_drafts` adds
fuzzy ones), `srclang="de"`, `xml:lang` de and en, the PO reference in a `<prop>`. Written by
`dolmetsch build` only: a memory of raw machine output would teach a CAT tool nothing.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from pathlib import Path

from dolmetsch import __version__
from dolmetsch.formats.base import BUILD, OutputFormat
from dolmetsch.translation import DRAFT, REVIEWED, TranslatedDocument

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DOCTYPE = '<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n'


def render_tmx(translated: TranslatedDocument, *, include_drafts: bool = False) -> str:
    origins = (REVIEWED, DRAFT) if include_drafts else (REVIEWED,)
    root = ET.Element("tmx", {"version": "1.4"})
    ET.SubElement(
        root,
        "header",
        {
            "creationtool": "dolmetsch",
            "creationtoolversion": __version__,
            "creationdate": datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ"),
            "segtype": "sentence",
            "o-tmf": "PO",
            "adminlang": "en",
            "srclang": "de",
            "datatype": "plaintext",
        },
    )
    body = ET.SubElement(root, "body")
    seen: set[tuple[str, str]] = set()
    for s in translated.segments:
        pair = (s.segment.text, s.english)
        if s.origin not in origins or pair in seen:
            continue
        seen.add(pair)
        unit = ET.SubElement(body, "tu")
        ET.SubElement(unit, "prop", {"type": "x-reference"}).text = f"{translated.document.source}:{s.segment.line}"
        ET.SubElement(unit, "prop", {"type": "x-status"}).text = s.origin
        for language, text in (("de", s.segment.text), ("en", s.english)):
            ET.SubElement(ET.SubElement(unit, "tuv", {XML_LANG: language}), "seg").text = text
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + DOCTYPE + ET.tostring(root, encoding="unicode") + "\n"


class TranslationMemory(OutputFormat):
    name = "tmx"
    suffix = ".de-en.tmx"
    written_by = (BUILD,)

    def __init__(self, include_drafts: bool = False):
        self.include_drafts = include_drafts

    def render(self, translated: TranslatedDocument, existing: Path | None) -> str:
        return render_tmx(translated, include_drafts=self.include_drafts)
