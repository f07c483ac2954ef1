"""The Argos package index: where it is, fetching it within a deadline, and picking an entry.

Entries are parsed by argostranslate's own `AvailablePackage`; what it lacks (checksums, link
filtering, version ordering) is added here. argostranslate.settings reads the environment once
and creates folders in $HOME when imported, so it is imported only after the index has been
fetched, and the index URL is read from the environment at call time instead.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass

from dolmetsch.errors import InputError
from dolmetsch.models.download import SUPPORTED_SCHEMES, NetworkError, fetch_bytes
from dolmetsch.models.package import LanguagePair, parse_version

DEFAULT_PACKAGE_INDEX = "https://raw.githubusercontent.com/argosopentech/argospm-index/main/"
MAX_INDEX_BYTES = 16 * 1024**2
INDEX_DEADLINE_S = 10.0  # whole index fetch, name resolution included; keeps offline failure under 15 s
OFFLINE_HINT = (
    "to install without network, fetch the .argosmodel file elsewhere and run "
    "`dolmetsch models install FILE.argosmodel` (or use `dolmetsch translate --model FILE.argosmodel`)"
)
SHA256_PATTERN = re.compile(r"^(?:sha256:)?([0-9a-fA-F]{64})$")


def package_index_url() -> str:
    """The index URL: ARGOS_PACKAGE_INDEX (a base URL, as for argospm) + "index.json".

    Like argostranslate, the variable names the folder and "index.json" is appended; a missing
    trailing slash is added, and a URL that already ends in ".json" is used as it is.
    """
    base = os.environ.get("ARGOS_PACKAGE_INDEX") or DEFAULT_PACKAGE_INDEX
    if base.endswith(".json"):
        return base
    return (base if base.endswith("/") else base + "/") + "index.json"


@dataclass(frozen=True)
class IndexEntry(LanguagePair):
    """One package offered by the index."""

    name: str
    from_code: str
    to_code: str
    package_version: str
    links: tuple[str, ...]
    sha256: str | None

    @property
    def version_key(self):
        return parse_version(self.package_version)


def _checksum(metadata: dict) -> str | None:
    """A SHA-256 the index may publish for the archive ("sha256", or "checksum" as "sha256:<hex>")."""
    for key in ("sha256", "checksum"):
        value = metadata.get(key)
        if isinstance(value, str) and (match := SHA256_PATTERN.match(value.strip())):
            return match.group(1).lower()
    return None


def parse_index(url: str, data: bytes) -> list[IndexEntry]:
    """Entries of an index.json document, parsed with argostranslate's AvailablePackage."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(url, f"the package index is not valid JSON ({exc}); {OFFLINE_HINT}") from None
    if not isinstance(document, list):
        raise InputError(url, f"the package index is not a JSON list of packages; {OFFLINE_HINT}")
    try:  # imported only now: importing argostranslate is slow and creates folders in $HOME
        from argostranslate.package import AvailablePackage, argospm_package_name
    except OSError as exc:
        raise InputError("argostranslate", f"cannot initialise argostranslate ({exc})") from None
    entries = []
    for metadata in document:
        if not isinstance(metadata, dict):
            continue
        available = AvailablePackage(metadata)
        if available.type != "translate" or not available.from_code or not available.to_code:
            continue
        links = tuple(
            link
            for link in (available.links or [])
            if isinstance(link, str) and link.startswith(SUPPORTED_SCHEMES)  # ipfs:// links are skipped
        )
        entries.append(
            IndexEntry(
                name=available.code or argospm_package_name(available),
                from_code=str(available.from_code),
                to_code=str(available.to_code),
                package_version=str(available.package_version or ""),
                links=links,
                sha256=_checksum(metadata),
            )
        )
    return entries


def fetch_index(url: str | None = None) -> list[IndexEntry]:
    """Fetch and parse the index, failing fast (one deadline, no retries) when it is out of reach."""
    url = url or package_index_url()
    try:
        data = fetch_bytes(url, MAX_INDEX_BYTES, INDEX_DEADLINE_S)
    except NetworkError as exc:
        problem = f"cannot reach the Argos package index ({exc.reason}); {OFFLINE_HINT}"
        raise InputError(url, problem) from None
    return parse_index(url, data)


def best_entry(entries: list[IndexEntry], from_code: str, to_code: str) -> IndexEntry | None:
    """The newest entry for a language pair."""
    matches = [entry for entry in entries if entry.translates(from_code, to_code)]
    return max(matches, key=lambda entry: entry.version_key, default=None)
