"""An installed (unpacked) Argos Translate package: its metadata.json, CTranslate2 model and tokenizer.

Read directly rather than through `argostranslate.package.Package`, whose import creates folders in
$HOME and fixes the package locations from the environment once, at import time.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from dolmetsch.errors import InputError

TOKENIZER_FILES = ("sentencepiece.model", "bpe.model")
DEFAULT_PAIR = ("de", "en")  # what dolmetsch translates


def default_packages_dir() -> Path:
    """Where argospm and LibreTranslate install packages, read from the environment at call time.

    Mirrors argostranslate.settings (which reads it once, at its import): ARGOS_PACKAGES_DIR,
    else $XDG_DATA_HOME/argos-translate/packages, else ~/.local/share/argos-translate/packages.
    """
    configured = os.environ.get("ARGOS_PACKAGES_DIR")
    if configured:
        return Path(configured).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "argos-translate" / "packages"


def parse_version(version: str):
    """A comparable package version; unparsable versions sort as 0."""
    # packaging is imported only when versions are compared, to keep start-up fast
    from packaging.version import InvalidVersion, Version

    try:
        return Version(version or "0")
    except InvalidVersion:
        return Version("0")


MAX_METADATA_BYTES = 1024**2
"""A package's metadata.json names a few fields; anything larger is not metadata."""


def load_metadata(raw: bytes, where: str | Path) -> object:
    """Parse a package's metadata.json; InputError for anything that is not small, valid JSON.

    Deeply nested arrays or objects are refused in one line: the JSON parser recurses and would
    otherwise stop the run with a RecursionError.
    """
    if len(raw) > MAX_METADATA_BYTES:
        raise InputError(where, f"metadata.json is larger than {MAX_METADATA_BYTES} bytes, too large to be metadata")
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except RecursionError:
        raise InputError(where, "metadata.json is nested too deeply to be package metadata") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(where, f"metadata.json is not valid JSON ({exc})") from None


class LanguagePair:
    """The pair a package, index entry or archive translates; mixed into classes with from_code/to_code."""

    from_code: str
    to_code: str

    @property
    def codes(self) -> tuple[str, str]:
        return (self.from_code, self.to_code)

    @property
    def pair(self) -> str:
        return f"{self.from_code}→{self.to_code}"

    def translates(self, from_code: str, to_code: str) -> bool:
        return self.codes == (from_code, to_code)

    def require_pair(self, where: str | Path, from_code: str, to_code: str) -> None:
        """Refuse a package for another pair, naming both pairs."""
        if not self.translates(from_code, to_code):
            raise InputError(where, f"package translates {self.pair}, expected {from_code}→{to_code}")


@dataclass(frozen=True)
class ArgosPackage(LanguagePair):
    """A package directory holding metadata.json, model/ (CTranslate2) and a tokenizer."""

    path: Path
    from_code: str
    to_code: str
    package_version: str
    name: str
    target_prefix: str = ""
    from_name: str = ""
    """The languages' names as the package's metadata gives them ("German"); empty when it gives none."""
    to_name: str = ""

    @property
    def model_dir(self) -> Path:
        return self.path / "model"

    @property
    def tokenizer_path(self) -> Path:
        for name in TOKENIZER_FILES:
            candidate = self.path / name
            if candidate.exists():
                return candidate
        raise InputError(self.path, "package has no tokenizer (sentencepiece.model or bpe.model)")

    @property
    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.path.rglob("*") if p.is_file())

    @property
    def version_key(self):
        return parse_version(self.package_version)

    @classmethod
    def from_dir(cls, path: Path) -> "ArgosPackage":
        """Read a package directory; raise InputError naming the file when it is not a usable package."""
        path = Path(path)
        metadata_path = path / "metadata.json"
        if not metadata_path.is_file():
            raise InputError(path, "not an Argos package: metadata.json is missing")
        try:
            with metadata_path.open("rb") as handle:
                metadata = load_metadata(handle.read(MAX_METADATA_BYTES + 1), metadata_path)
        except OSError as exc:
            raise InputError(metadata_path, f"cannot read metadata.json ({exc.strerror or exc})") from None
        if not isinstance(metadata, dict) or not metadata.get("from_code") or not metadata.get("to_code"):
            raise InputError(metadata_path, "metadata.json does not name from_code and to_code")
        if not (path / "model" / "model.bin").is_file():
            raise InputError(path, "package has no CTranslate2 model (model/model.bin is missing)")
        package = cls(
            path=path,
            from_code=str(metadata["from_code"]),
            to_code=str(metadata["to_code"]),
            package_version=str(metadata.get("package_version", "")),
            name=str(metadata.get("name") or metadata.get("code") or path.name),
            target_prefix=str(metadata.get("target_prefix", "")),
            from_name=str(metadata.get("from_name") or ""),
            to_name=str(metadata.get("to_name") or ""),
        )
        package.tokenizer_path  # raises if absent
        return package


def installed_packages(packages_dir: Path | None = None) -> list[ArgosPackage]:
    """Every readable package under the packages directory; unreadable folders are skipped."""
    root = packages_dir or default_packages_dir()
    if not root.is_dir():
        return []
    found = []
    for child in sorted(root.iterdir()):
        if child.is_dir() and not child.name.startswith("."):
            try:
                found.append(ArgosPackage.from_dir(child))
            except InputError:
                continue
    return found


def find_installed(from_code: str, to_code: str, packages_dir: Path | None = None) -> ArgosPackage | None:
    """The newest installed package for a language pair, or None."""
    matches = [p for p in installed_packages(packages_dir) if p.translates(from_code, to_code)]
    return max(matches, key=lambda p: p.version_key, default=None)
