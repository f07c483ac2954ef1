"""The installed shape: one top-level package `dolmetsch`, beside translate-toolkit's `translate`.

translate-toolkit (the PO toolkit Weblate depends on) installs the top-level package `translate`;
dolmetsch must never ship files there, or installing one breaks the other.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import polib
import pytest

from conftest import EXAMPLE, ROOT, TINY_MODEL

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A real wheel of this tree, built the way `pip install .` builds it."""
    target = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(target), str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    (built,) = target.glob("dolmetsch-*.whl")
    return built


def test_wheel_ships_only_the_dolmetsch_package(wheel):
    from dolmetsch import __version__

    with zipfile.ZipFile(wheel) as archive:
        top_level = {name.split("/")[0] for name in archive.namelist()}
        entry_points = archive.read(f"dolmetsch-{__version__}.dist-info/entry_points.txt").decode()
    assert top_level == {"dolmetsch", f"dolmetsch-{__version__}.dist-info"}
    assert "dolmetsch = dolmetsch.cli:main" in entry_points


def test_wheel_ships_the_review_page_template(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert {f"dolmetsch/review/templates/review.{x}" for x in ("html.j2", "css", "js")} <= names


def test_version_is_a_plain_version_string():
    done = subprocess.run([str(BIN / "dolmetsch"), "--version"], capture_output=True, text=True)
    assert done.returncode == 0
    assert re.fullmatch(r"dolmetsch \d+(\.\d+)+\n", done.stdout)


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("coinstalled")
    done = subprocess.run(
        [str(BIN / "dolmetsch"), "translate", str(EXAMPLE), "--model", str(TINY_MODEL), "--no-glossary", "-q",
         "-o", str(root / "out"), "--locales", str(root / "locales")],
        capture_output=True,
        text=True,
        env={"PATH": str(BIN), "HOME": str(root), "XDG_CACHE_HOME": str(root / "cache")},
    )
    assert done.returncode == 0, done.stderr
    return root / "locales" / "en" / "LC_MESSAGES" / "putin-kim.po"


def test_po_header_carries_the_real_version(catalogue):
    from dolmetsch import __version__

    header = polib.pofile(str(catalogue)).metadata
    assert header["X-Generator"] == f"dolmetsch {__version__}"
    assert header["Last-Translator"] == f"dolmetsch {__version__} (machine translation)"


def test_translate_toolkit_works_beside_dolmetsch(catalogue, tmp_path):
    """pocount and pofilter (translate-toolkit) read dolmetsch's catalogue in the same environment."""
    if not (BIN / "pocount").exists():
        pytest.skip("translate-toolkit is not installed (pip install -e '.[test]')")
    counted = subprocess.run([str(BIN / "pocount"), str(catalogue)], capture_output=True, text=True)
    assert counted.returncode == 0, counted.stderr
    assert re.search(r"Fuzzy:\s+52\b", counted.stdout), counted.stdout
    filtered = subprocess.run([str(BIN / "pofilter"), str(catalogue), str(tmp_path / "f.po")], capture_output=True, text=True)
    assert filtered.returncode == 0, filtered.stderr
    toolkit = subprocess.run([sys.executable, "-c", "import translate.__version__ as v; print(v.sver)"], capture_output=True, text=True)
    assert toolkit.returncode == 0 and toolkit.stdout.strip(), toolkit.stderr


def test_readme_python_example_runs_from_the_repository_root(tmp_path):
    """The README's Python example, run as it stands in a copy of the files it names."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = re.search(r"## From Python.*?```python\n(.*?)```", readme, re.S).group(1)
    for folder in ("examples", "glossary"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    (tmp_path / "tests" / "fixtures").mkdir(parents=True)
    shutil.copy(TINY_MODEL, tmp_path / "tests" / "fixtures" / TINY_MODEL.name)
    done = subprocess.run(
        [sys.executable, "-c", example], cwd=tmp_path, capture_output=True, text=True,
        env={"HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache"), "PATH": str(BIN)},
    )
    assert done.returncode == 0, done.stderr
    assert "Vladivostok" in done.stdout
    assert (tmp_path / "locales" / "en" / "LC_MESSAGES" / "putin-kim.po").is_file()
    assert (tmp_path / "out" / "putin-kim.glossary.json").is_file()
