"""Which Argos package a translation uses: --model (file or folder), else the installed one.

An .argosmodel given with --model is checked and unpacked once into a cache keyed by the file's
SHA-256, so later runs reuse it without touching the packages folder.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from dolmetsch.cache import user_cache_dir
from dolmetsch.errors import InputError
from dolmetsch.packages.archive import check_archive
from dolmetsch.packages.index import package_index_url
from dolmetsch.packages.install import install_from_index, scratch_folder, unpack_into_place
from dolmetsch.packages.package import DEFAULT_PAIR, ArgosPackage, default_packages_dir, find_installed
from dolmetsch.packages.progress import Progress, RichProgress

CACHE_KEY_HEX_CHARS = 16
HASH_CHUNK_BYTES = 1024**2


def package_cache_dir() -> Path:
    """$XDG_CACHE_HOME/dolmetsch/packages (default ~/.cache), read at call time."""
    return user_cache_dir("packages")


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def open_package_file(path: Path, expected_pair: tuple[str, str] | None = None) -> ArgosPackage:
    """Check an .argosmodel file and unpack it into the cache (reused when already there).

    The archive is checked, pair included, before anything is written, so a refused one leaves no trace.
    """
    path = Path(path)
    checked = check_archive(path, expected_pair)
    cache_dir = package_cache_dir()
    cached = cache_dir / _sha256_of(path)[:CACHE_KEY_HEX_CHARS]
    if cached.is_dir():
        try:
            return ArgosPackage.from_dir(cached)
        except InputError:
            pass  # an incomplete or damaged cache entry is rebuilt below
    with scratch_folder(cache_dir) as scratch:
        try:
            return unpack_into_place(checked, cached, scratch)
        except OSError:
            if not cached.is_dir():  # another process may have just put the same package there
                raise InputError(cached, "cannot write the unpacked package to the cache") from None
    return ArgosPackage.from_dir(cached)


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
