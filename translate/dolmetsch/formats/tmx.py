"""TMX 1.4b translation memories: the reviewed translations written for CAT tools (OmegaT,
Trados), and the German→English units of any TMX read back for the memory.

Written: one `<tu>` per distinct German sentence with a reviewed translation (`include_drafts`
adds fuzzy ones), `srclang="de"`, `xml:lang` de and en, the PO reference in a `<prop>`. Written by
`dolmetsch build` only: a memory of raw machine output would teach a CAT tool nothing.
Read: every `<tu>` with a German and an English variant, whichever tool wrote it; entity
declarations are refused, as for TBX.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from pathlib import Path

from dolmetsch.version import __version__
from dolmetsch.document.reading import MAX_CATALOGUE_BYTES, read_regular_file
from dolmetsch.errors import InputError
from dolmetsch.formats.base import BUILD, OutputFormat
from dolmetsch.translation import DRAFT, REVIEWED, REVIEWED_STATE, ReviewedSegment, TranslatedDocument
from dolmetsch.xmlsafe import XML_LANG, parse_untrusted
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


def read_tmx(path: Path) -> list[ReviewedSegment]:
    """The German→English units of a TMX file, each named `path#tuN`; InputError when it cannot be read."""
    data = read_regular_file(path, MAX_CATALOGUE_BYTES)
    try:
        root = parse_untrusted(data, path)
    except (OSError, SyntaxError) as exc:  # ElementTree.ParseError is a SyntaxError
        raise InputError(path, f"cannot read TMX ({exc})") from None
    if root.tag != "tmx":
        raise InputError(path, f"root element is <{root.tag}>, expected <tmx>")
    found = []
    for number, unit in enumerate(root.iter("tu"), start=1):
        by_language = {}
        for variant in unit.iter("tuv"):
            language = (variant.get(XML_LANG) or variant.get("lang") or "").lower().split("-")[0]
            segment = variant.find("seg")
            if segment is not None:
                by_language[language] = "".join(segment.itertext())
        if by_language.get("de") and by_language.get("en"):
            found.append(ReviewedSegment(by_language["de"], by_language["en"], f"{path}#tu{number}", REVIEWED_STATE))
    return found


class TmxExport(OutputFormat):
    """The TMX file `dolmetsch build` writes (reading one is `read_tmx`)."""

    name = "tmx"
    suffix = ".de-en.tmx"
    written_by = (BUILD,)

    def __init__(self, include_drafts: bool = False):
        self.include_drafts = include_drafts

    def render(self, translated: TranslatedDocument, existing: Path | None) -> str:
        return render_tmx(translated, include_drafts=self.include_drafts)
