"""Check an .argosmodel archive completely before a single byte of it lands on disk.

An .argosmodel file is a zip archive holding one folder with metadata.json, a CTranslate2 model
(model/model.bin) and a tokenizer. Archives come from the network or from users, so every member
name, type and size is checked first, and extraction verifies each member's CRC while it writes.
"""

from __future__ import annotations

import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from dolmetsch.errors import InputError
from dolmetsch.models.package import MAX_METADATA_BYTES, TOKENIZER_FILES, LanguagePair, load_metadata

MAX_UNPACKED_BYTES = 2 * 1024**3
MAX_MEMBERS = 10_000
# Real model weights barely compress; text (vocabularies, READMEs) compresses ~10:1.
MAX_COMPRESSION_RATIO = 100
RATIO_CHECK_MIN_BYTES = 1024**2
COPY_CHUNK_BYTES = 1024**2
ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class CheckedArchive(LanguagePair):
    """An archive that passed every check: its single folder, its metadata and its members."""

    path: Path
    folder: str
    metadata: dict
    members: tuple[zipfile.ZipInfo, ...]
    unpacked_bytes: int

    @property
    def from_code(self) -> str:
        return str(self.metadata["from_code"])

    @property
    def to_code(self) -> str:
        return str(self.metadata["to_code"])


def human_size(nbytes: int) -> str:
    # rich is imported only when a size is shown, to keep start-up fast
    from rich.filesize import decimal

    return decimal(nbytes)


def _member_kind(info: zipfile.ZipInfo) -> int:
    """The Unix file type recorded in the member's external attributes (0 when none is recorded)."""
    return stat.S_IFMT(info.external_attr >> 16)


def _check_member_name(archive: Path, info: zipfile.ZipInfo) -> tuple[str, ...]:
    """The member's path components; refuse anything that could land outside the package folder."""
    name = info.filename
    if "\x00" in name or "\\" in name:
        raise InputError(archive, f"unsafe member {name!r}: backslash or NUL in its name")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise InputError(archive, f"unsafe member {name!r}: absolute path")
    parts = tuple(part for part in PurePosixPath(name).parts if part not in ("", "."))
    if ".." in parts:
        raise InputError(archive, f"unsafe member {name!r}: '..' would leave the package folder")
    if not parts:
        raise InputError(archive, f"unsafe member {name!r}: empty path")
    kind = _member_kind(info)
    if kind == stat.S_IFLNK:
        raise InputError(archive, f"unsafe member {name!r}: symbolic link")
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        raise InputError(archive, f"unsafe member {name!r}: not a regular file or folder")
    if info.flag_bits & 0x1:
        raise InputError(archive, f"member {name!r} is encrypted")
    return parts


def _open_zip(archive: Path) -> zipfile.ZipFile:
    if not archive.exists():
        raise InputError(archive, "no such file")
    if not archive.is_file():
        raise InputError(archive, "not a file (expected an .argosmodel zip archive)")
    try:
        return zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        with archive.open("rb") as handle:
            starts_like_zip = handle.read(len(ZIP_MAGIC)) == ZIP_MAGIC
        if starts_like_zip:
            raise InputError(archive, f"zip archive is truncated or corrupt ({exc})") from None
        raise InputError(archive, "not a zip archive (an .argosmodel package is a zip file)") from None


def _read_metadata(archive: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> dict:
    if info.file_size > MAX_METADATA_BYTES:
        raise InputError(archive, f"metadata.json is {human_size(info.file_size)}, too large to be metadata")
    try:
        raw = zf.read(info)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise InputError(archive, f"metadata.json is corrupt ({exc})") from None
    metadata = load_metadata(raw, archive)
    if not isinstance(metadata, dict):
        raise InputError(archive, "metadata.json is not a JSON object")
    for key in ("from_code", "to_code"):
        if not isinstance(metadata.get(key), str) or not metadata[key].strip():
            raise InputError(archive, f"metadata.json does not name {key}")
    return metadata


def check_archive(archive: Path, expected_pair: tuple[str, str] | None = None) -> CheckedArchive:
    """Validate an .argosmodel archive without extracting it; raise InputError saying what is wrong.

    Checks: a readable zip; safe member names and types (no absolute paths, '..', symlinks or
    devices); exactly one top-level folder; bounded unpacked size and compression ratio;
    metadata.json naming from_code/to_code (matching `expected_pair` when given);
    model/model.bin and a tokenizer present. CRCs are verified later, while extracting.
    """
    archive = Path(archive)
    with _open_zip(archive) as zf:
        return _check_open_zip(archive, zf, expected_pair)


def _check_open_zip(archive: Path, zf: zipfile.ZipFile, expected_pair: tuple[str, str] | None) -> CheckedArchive:
    members = zf.infolist()
    if not members:
        raise InputError(archive, "zip archive is empty")
    if len(members) > MAX_MEMBERS:
        raise InputError(archive, f"zip archive has {len(members)} members, more than {MAX_MEMBERS}")
    seen: set[tuple[str, ...]] = set()
    top_level: set[str] = set()
    files: dict[tuple[str, ...], zipfile.ZipInfo] = {}
    total = 0
    for info in members:
        parts = _check_member_name(archive, info)
        if parts in seen:
            raise InputError(archive, f"member {info.filename!r} appears twice")
        seen.add(parts)
        top_level.add(parts[0])
        if info.is_dir():
            continue
        if len(parts) == 1:
            raise InputError(archive, f"file {info.filename!r} is not inside the package folder")
        total += info.file_size
        if total > MAX_UNPACKED_BYTES:
            raise InputError(
                archive, f"archive unpacks to more than {human_size(MAX_UNPACKED_BYTES)}, refusing it"
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_CHECK_MIN_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise InputError(
                archive, f"member {info.filename!r} compresses {ratio:.0f}:1, which looks like a zip bomb"
            )
        files[parts] = info
    if len(top_level) != 1:
        names = ", ".join(sorted(top_level)[:5])
        raise InputError(archive, f"expected exactly one top-level folder, found {len(top_level)}: {names}")
    folder = next(iter(top_level))
    if folder.startswith("."):
        raise InputError(archive, f"package folder {folder!r} is a hidden name")
    metadata_info = files.get((folder, "metadata.json"))
    if metadata_info is None:
        raise InputError(archive, f"not an Argos package: {folder}/metadata.json is missing")
    checked = CheckedArchive(archive, folder, _read_metadata(archive, zf, metadata_info), tuple(members), total)
    if expected_pair is not None:
        checked.require_pair(archive, *expected_pair)
    if (folder, "model", "model.bin") not in files:
        raise InputError(archive, f"package has no CTranslate2 model ({folder}/model/model.bin is missing)")
    if not any((folder, name) in files for name in TOKENIZER_FILES):
        raise InputError(
            archive, f"package has no tokenizer ({folder}/sentencepiece.model or bpe.model is missing)"
        )
    return checked


def unpack_archive(
    archive: Path, destination: Path, expected_pair: tuple[str, str] | None = None
) -> CheckedArchive:
    """Check an archive (see check_archive), then extract its folder's content to `destination`.

    `destination` must not exist yet. Writes only regular files and folders under it, never more
    bytes than each member declares, and verifies CRCs as it goes. The caller extracts into a
    scratch folder and renames it into place, so a failure here never leaves a half package where
    packages are looked up. Check and extraction read the same open file.
    """
    archive = Path(archive)
    destination = Path(destination)
    with _open_zip(archive) as zf:
        checked = _check_open_zip(archive, zf, expected_pair)
        destination.mkdir(parents=True)
        for info in checked.members:
            parts = _check_member_name(checked.path, info)[1:]
            target = destination.joinpath(*parts) if parts else destination
            try:
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as source, target.open("xb") as sink:
                    written = 0
                    while chunk := source.read(COPY_CHUNK_BYTES):
                        written += len(chunk)
                        if written > info.file_size:
                            raise InputError(checked.path, f"member {info.filename!r} is larger than it declares")
                        sink.write(chunk)
            except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
                raise InputError(checked.path, f"member {info.filename!r} is corrupt ({exc})") from None
            except NotImplementedError as exc:
                raise InputError(checked.path, f"member {info.filename!r} cannot be unpacked ({exc})") from None
            except OSError as exc:
                raise InputError(target, f"cannot write unpacked member ({exc.strerror or exc})") from None
    return checked

