"""XML bits shared by the formats that read or write it (TMX, TBX): the `xml:lang` name, and
parsing input with entity declarations and external references refused (as defusedxml defines
them), so a crafted file can neither expand into gigabytes nor read other files."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from dolmetsch.errors import InputError

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def parse_untrusted(data: bytes, where: Path | str) -> ET.Element:
    """The root element of `data`; InputError for entity declarations or external references.
    Malformed XML raises ElementTree's ParseError, for the caller to report in its own words."""
    # defusedxml loads only when a file is imported: a plain run reads no XML
    import defusedxml
    from defusedxml.ElementTree import fromstring

    try:
        return fromstring(data)
    except defusedxml.DefusedXmlException as exc:
        raise InputError(where, f"refusing XML with entity declarations or external references ({type(exc).__name__})") from None
