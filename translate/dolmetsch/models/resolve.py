"""Which Argos package a translation uses: --model (file or folder), else the installed one.

An .argosmodel given with --model is checked and unpacked once into a cache keyed by the file's
SHA-256, so later runs reuse it without touching the packages folder. The cached copy records what
it holds and is checked against the archive on every use; a damaged copy is unpacked again.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from dolmetsch.cache import user_cache_dir
from dolmetsch.errors import InputError
from dolmetsch.models.archive import CheckedArchive, check_archive
from dolmetsch.models.index import package_index_url
from dolmetsch.models.install import (
    install_from_index,
    members_record,
    scratch_folder,
    unpack_into_place,
    unpacked_intact,
)
from dolmetsch.models.package import DEFAULT_PAIR, ArgosPackage, default_packages_dir, find_installed
from dolmetsch.models.progress import Progress, RichProgress

CACHE_KEY_HEX_CHARS = 16
HASH_CHUNK_BYTES = 1024**2


def package_cache_dir() -> Path:
    """$XDG_CACHE_HOME/dolmetsch/models (default ~/.cache), read at call time."""
    return user_cache_dir("packages")


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def open_package_file(path: Path, expected_pair: tuple[str, str] | None = None) -> ArgosPackage:
    """Check an .argosmodel file and unpack it into the cache (reused when already there and intact).

    The archive is checked, pair included, before anything is written, so a refused one leaves no trace.
    A cached copy is used only when it is complete and every file has the size the archive gives
    (`unpacked_intact`); otherwise it is unpacked again. Where the cache cannot be written (a
    read-only folder, a full disk, XDG_CACHE_HOME not a folder) the package is unpacked into a
    temporary folder for this run only: the cache costs time, never the run.
    """
    path = Path(path)
    checked = check_archive(path, expected_pair)
    digest = _sha256_of(path)
    record = {"archive_sha256": digest}
    expected = members_record(checked, **record)
    cached = package_cache_dir() / digest[:CACHE_KEY_HEX_CHARS]
    package = _intact_package(cached, expected)
    if package is not None:
        return package
    try:
        with scratch_folder(cached.parent) as scratch:
            try:
                return unpack_into_place(checked, cached, scratch, record)
            except OSError:
                pass  # another process may have just put the same package there; checked below
    except InputError as exc:
        if exc.where == str(checked.path):  # the archive itself is bad: that is the user's to know
            raise
    package = _intact_package(cached, expected)
    return package if package is not None else _unpack_for_this_run(checked)


def _intact_package(folder: Path, expected: dict) -> ArgosPackage | None:
    """The package cached in `folder` when it is complete and undamaged, else None."""
    if not unpacked_intact(folder, expected):
        return None
    try:
        return ArgosPackage.from_dir(folder)
    except InputError:
        return None


def _unpack_for_this_run(checked: CheckedArchive) -> ArgosPackage:
    """Unpack into a private temporary folder, removed when the process exits."""
    import atexit
    import shutil
    import tempfile

    try:
        folder = Path(tempfile.mkdtemp(prefix="dolmetsch-package-"))
    except OSError as exc:
        raise InputError(checked.path, f"cannot unpack the package anywhere ({exc.strerror or exc})") from None
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    try:
        return unpack_into_place(checked, folder / checked.folder, folder)
    except OSError as exc:
        raise InputError(folder, f"cannot unpack the package ({exc.strerror or exc})") from None


def resolve_model(
    model: Path | None,
    offline: bool = False,
    progress: Progress | None = None,
    pair: tuple[str, str] = DEFAULT_PAIR,
    packages_dir: Path | None = None,
) -> ArgosPackage:
    """The package to translate with.

    `model` may be an .argosmodel file or an unpacked package folder. Without it, the installed
    package for `pair` is used; if none is installed it is installed from the package index
    (announced on stderr with a progress bar) unless `offline`, in which case InputError says how
    to get one. `progress` defaults to rich output on stderr.
    """
    if model is not None:
        model = Path(model)
        package = ArgosPackage.from_dir(model) if model.is_dir() else open_package_file(model, pair)
        package.require_pair(model, *pair)
        return package
    packages_dir = packages_dir or default_packages_dir()
    installed = find_installed(*pair, packages_dir)
    if installed is not None:
        return installed
    wanted = f"{pair[0]}→{pair[1]}"
    if offline:
        raise InputError(
            packages_dir,
            f"no {wanted} Argos package is installed; run `dolmetsch models install {pair[0]} {pair[1]}` "
            "with network, or `dolmetsch models install FILE.argosmodel`, or pass --model FILE.argosmodel",
        )
    progress = progress or RichProgress()
    progress.note(f"No {wanted} Argos package in {packages_dir}; installing one from {package_index_url()}")
    return install_from_index(*pair, progress=progress, packages_dir=packages_dir).package
