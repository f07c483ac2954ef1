"""Which Argos package a translation uses: --model (file or folder), else the installed one.

An .argosmodel given with --model is checked and unpacked once into a cache keyed by the file's
SHA-256, so later runs reuse it without touching the packages folder.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from dolmetsch.errors import InputError
from dolmetsch.packages.archive import unpack_archive
from dolmetsch.packages.install import install_from_index, scratch_folder
from dolmetsch.packages.index import package_index_url
from dolmetsch.packages.package import ArgosPackage, default_packages_dir, find_installed
from dolmetsch.packages.progress import Progress, RichProgress

DEFAULT_PAIR = ("de", "en")
CACHE_KEY_HEX_CHARS = 16
HASH_CHUNK_BYTES = 1024**2


def package_cache_dir() -> Path:
    """$XDG_CACHE_HOME/dolmetsch/packages (default ~/.cache), read at call time."""
    cache_home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache_home) / "dolmetsch" / "packages"


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def open_package_file(path: Path) -> ArgosPackage:
    """Check an .argosmodel file and unpack it into the cache (reused when already there)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "no such file" if not path.exists() else "not a file")
    cache_dir = package_cache_dir()
    cached = cache_dir / _sha256_of(path)[:CACHE_KEY_HEX_CHARS]
    if cached.is_dir():
        try:
            return ArgosPackage.from_dir(cached)
        except InputError:
            pass  # an incomplete or damaged cache entry is rebuilt below
    with scratch_folder(cache_dir) as scratch:
        unpacked = scratch / "unpacked"
        unpack_archive(path, unpacked)
        ArgosPackage.from_dir(unpacked)
        if cached.exists():
            os.rename(cached, scratch / "damaged")
        try:
            os.rename(unpacked, cached)
        except OSError:
            if not cached.is_dir():  # another process may have just put the same package there
                raise InputError(cached, "cannot write the unpacked package to the cache") from None
    return ArgosPackage.from_dir(cached)


def _check_pair(package: ArgosPackage, where: Path, pair: tuple[str, str]) -> ArgosPackage:
    if (package.from_code, package.to_code) != pair:
        raise InputError(where, f"package translates {package.pair}, but {pair[0]}→{pair[1]} is needed")
    return package


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
        if model.is_dir():
            return _check_pair(ArgosPackage.from_dir(model), model, pair)
        return _check_pair(open_package_file(model), model, pair)
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
