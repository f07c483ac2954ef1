"""Install and remove Argos packages where argospm and LibreTranslate look for them.

Every change is atomic: archives are checked, then unpacked into a hidden scratch folder inside
the packages folder and renamed into place; removals rename first and delete afterwards. Whatever
fails, the scratch folder goes, so the packages folder only ever holds complete packages.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import takewhile
from pathlib import Path, PurePosixPath
from typing import Iterator

from dolmetsch.errors import InputError
from dolmetsch.models.archive import MAX_UNPACKED_BYTES, CheckedArchive, check_archive, unpack_archive
from dolmetsch.models.download import NetworkError, download_to
from dolmetsch.models.index import OFFLINE_HINT, IndexEntry, best_entry, fetch_index, package_index_url
from dolmetsch.models.package import ArgosPackage, default_packages_dir, find_installed, installed_packages
from dolmetsch.models.progress import Progress, SilentProgress

SCRATCH_PREFIX = ".dolmetsch-"
MEMBERS_RECORD = ".dolmetsch-members.json"
"""Written last into a package unpacked into the cache: what it must hold (see `unpacked_intact`)."""
STALE_SCRATCH_AGE_S = 24 * 3600


@dataclass(frozen=True)
class InstallResult:
    """What an install did: the package now in place, and the folders it replaced."""

    package: ArgosPackage
    replaced: tuple[Path, ...] = field(default=())
    already_installed: bool = False


def _remove_stale_scratch(parent: Path) -> None:
    """Scratch folders left by a killed process would confuse argostranslate, which reads every folder."""
    cutoff = time.time() - STALE_SCRATCH_AGE_S
    for child in parent.glob(f"{SCRATCH_PREFIX}*"):
        try:
            if child.is_dir() and child.stat().st_mtime < cutoff:
                shutil.rmtree(child, ignore_errors=True)
        except OSError:
            continue


def _remove_if_empty(folders: list[Path]) -> None:
    """Remove folders, deepest first, stopping at the first one that is not empty (or not ours to remove)."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return


@contextmanager
def scratch_folder(parent: Path) -> Iterator[Path]:
    """A hidden folder inside `parent` (same file system, so renames are atomic), always removed.

    `parent` and its missing ancestors are created, and removed again (if still empty) when the
    work fails, so a failed install does not leave an empty packages folder behind.
    """
    created = list(takewhile(lambda folder: not folder.exists(), (parent, *parent.parents)))
    try:
        parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_scratch(parent)
        scratch = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX, dir=parent))
    except OSError as exc:
        _remove_if_empty(created)
        raise InputError(parent, f"cannot write here ({exc.strerror or exc})") from None
    try:
        yield scratch
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        _remove_if_empty(created)
        raise
    shutil.rmtree(scratch, ignore_errors=True)


def _move_into_place(unpacked: Path, target: Path, scratch: Path) -> None:
    """Rename `unpacked` to `target`; an existing `target` is moved into scratch (and so deleted).

    If the rename fails, the previous `target` is put back.
    """
    previous = None
    if target.exists() or target.is_symlink():
        previous = scratch / "previous"
        os.rename(target, previous)
    try:
        os.rename(unpacked, target)
    except OSError:
        if previous is not None:
            os.rename(previous, target)
        raise


def unpack_into_place(
    checked: CheckedArchive, target: Path, scratch: Path, record: dict | None = None
) -> ArgosPackage:
    """Unpack a checked archive in `scratch`, read it back as a package, then rename it to `target`.

    With `record` (extra facts, such as the archive's digest), a `MEMBERS_RECORD` file with them and
    the members unpacked is written into the package last, before the rename, so a folder that has
    the record was unpacked completely (see `unpacked_intact`).
    Raises OSError when the rename fails (the previous `target`, if any, is then back in place).
    """
    unpacked = scratch / "unpacked"
    again = unpack_archive(checked.path, unpacked, checked.codes)
    if (again.folder, again.metadata) != (checked.folder, checked.metadata):
        raise InputError(checked.path, "the archive changed while it was being unpacked")
    ArgosPackage.from_dir(unpacked)
    if record is not None:
        (unpacked / MEMBERS_RECORD).write_text(json.dumps(members_record(again, **record), sort_keys=True), encoding="utf-8")
    _move_into_place(unpacked, target, scratch)
    return ArgosPackage.from_dir(target)


def members_record(checked: CheckedArchive, **extra) -> dict:
    """What an unpacked copy of `checked` must hold: each file's path, size and CRC-32 (from the archive)."""
    files = {}
    for info in checked.members:
        if info.is_dir():
            continue
        parts = [part for part in PurePosixPath(info.filename).parts if part not in ("", ".")][1:]
        files["/".join(parts)] = [info.file_size, info.CRC]
    return {**extra, "files": files}


def unpacked_intact(folder: Path, record: dict) -> bool:
    """Whether `folder` was unpacked completely with this `record` and every file still has its size.

    Sizes are checked on every use (cheap: one stat a file), so a truncated or missing member is
    noticed; the content was verified against the CRCs while it was unpacked.
    """
    try:
        stored = json.loads((folder / MEMBERS_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if stored != record:
        return False
    for name, (size, _crc) in record["files"].items():
        try:
            found = (folder / name).lstat()
        except OSError:
            return False
        if not stat.S_ISREG(found.st_mode) or found.st_size != size:
            return False
    return True


def _install_checked(checked: CheckedArchive, packages_dir: Path, scratch: Path) -> InstallResult:
    """Put the package in place, then move every other package for its pair out of the way."""
    target = packages_dir / checked.folder
    try:
        package = unpack_into_place(checked, target, scratch)
    except OSError as exc:
        raise InputError(target, f"cannot install package here ({exc.strerror or exc})") from None
    replaced = []
    for index, other in enumerate(installed_packages(packages_dir)):
        if other.translates(*package.codes) and other.path != target:
            try:
                os.rename(other.path, scratch / f"replaced-{index}")
            except OSError:
                continue
            replaced.append(other.path)
    return InstallResult(package, tuple(replaced))


def install_from_file(
    archive: Path, packages_dir: Path | None = None, expected_pair: tuple[str, str] | None = None
) -> InstallResult:
    """Check and install an .argosmodel file; it replaces any installed package for the same pair.

    The archive is checked (pair included) before anything, even the packages folder, is created.
    """
    packages_dir = packages_dir or default_packages_dir()
    checked = check_archive(Path(archive), expected_pair)
    with scratch_folder(packages_dir) as scratch:
        return _install_checked(checked, packages_dir, scratch)


def _download_entry(entry: IndexEntry, target: Path, progress: Progress) -> str:
    """Download from the entry's links in order, each tried once; verify the checksum if published.

    Returns the link the archive came from.
    """
    if not entry.links:
        raise InputError(package_index_url(), f"the index lists no http(s) link for {entry.name}; {OFFLINE_HINT}")
    failure = None
    for link in entry.links:
        progress.note(f"Downloading {entry.name} {entry.package_version} ({entry.pair}) from {link}")
        try:
            digest = download_to(link, target, MAX_UNPACKED_BYTES, progress, entry.name)
        except NetworkError as exc:
            failure = exc
            target.unlink(missing_ok=True)
            if link != entry.links[-1]:
                progress.note(f"{link}: {exc.reason}; trying the next link")
            continue
        if entry.sha256 and digest != entry.sha256:
            raise InputError(link, f"checksum mismatch: index says sha256 {entry.sha256}, download has {digest}")
        return link
    raise InputError(failure.url, f"cannot download {entry.name} ({failure.reason}); {OFFLINE_HINT}")


def install_from_index(
    from_code: str,
    to_code: str,
    progress: Progress | None = None,
    packages_dir: Path | None = None,
    reinstall: bool = False,
) -> InstallResult:
    """Install the newest index package for a pair, unless that version (or newer) is installed."""
    progress = progress or SilentProgress()
    packages_dir = packages_dir or default_packages_dir()
    index_url = package_index_url()
    entry = best_entry(fetch_index(index_url), from_code, to_code)
    if entry is None:
        raise InputError(index_url, f"the package index offers no {from_code}→{to_code} package")
    installed = find_installed(from_code, to_code, packages_dir)
    if installed is not None and not reinstall and installed.package_version and (
        entry.version_key <= installed.version_key
    ):
        return InstallResult(installed, already_installed=True)
    with scratch_folder(packages_dir) as scratch:
        download = scratch / "download.argosmodel"
        link = _download_entry(entry, download, progress)
        try:
            return _install_checked(check_archive(download, (from_code, to_code)), packages_dir, scratch)
        except InputError as exc:
            if exc.where == str(download):  # name the URL, not a scratch file that is about to vanish
                raise InputError(link, exc.problem) from None
            raise


def remove_packages(from_code: str, to_code: str, packages_dir: Path | None = None) -> list[ArgosPackage]:
    """Remove every installed package for a pair; each is renamed away first, then deleted."""
    packages_dir = packages_dir or default_packages_dir()
    matches = [p for p in installed_packages(packages_dir) if p.translates(from_code, to_code)]
    if not matches:
        raise InputError(packages_dir, f"no {from_code}→{to_code} package is installed here")
    with scratch_folder(packages_dir) as scratch:
        for index, package in enumerate(matches):
            try:
                os.rename(package.path, scratch / f"removed-{index}")
            except OSError as exc:
                raise InputError(package.path, f"cannot remove package ({exc.strerror or exc})") from None
    return matches
