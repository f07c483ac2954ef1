"""The write phase: a reviewer's save at any moment is kept, a failed run leaves the tree as it was,
and links planted in shared folders are not followed.

Moments are reached by wrapping the write phase's own steps (rendering, staging each output,
each rename), never by timing.
"""

from __future__ import annotations

import errno
import fcntl
import os
import subprocess
import threading
from pathlib import Path

import polib
import pytest
from typer.testing import CliRunner

from conftest import TINY_MODEL, msgfmt_or_skip
from dolmetsch import atomic
from dolmetsch.cli import app
from dolmetsch.formats import writer
from dolmetsch.formats.writer import MERGE_ATTEMPTS, OutputPlan

NOBODY = 65534


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def translate_args(source, root, out=None, locales=None):
    out = out if out is not None else root / "out"
    locales = locales if locales is not None else root / "locales"
    return ["translate", source, "--model", TINY_MODEL, "-o", out, "--locales", locales, "--no-glossary", "--beam", "1"]


def po_of(root: Path, stem: str = "a") -> Path:
    return root / "locales" / "en" / "LC_MESSAGES" / f"{stem}.po"


def snapshot(root: Path, *, leave_out: Path | None = None) -> dict[str, bytes | str]:
    """Every file (its bytes), folder and link under `root`."""
    found: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        if path == leave_out:
            continue
        key = str(path.relative_to(root))
        if path.is_symlink():
            found[key] = f"link to {os.readlink(path)}"
        elif path.is_dir():
            found[key] = "folder"
        else:
            found[key] = path.read_bytes()
    return found


@pytest.fixture
def article(tmp_path) -> Path:
    source = tmp_path / "a.txt"
    source.write_text("Kim besuchte Russland.\n\nPutin traf Kim.\n\nKim reiste zurück.\n", encoding="utf-8")
    return source


EDITS = {
    "Kim besuchte Russland.": "Kim visited Russia (reviewed).",
    "Putin traf Kim.": "Putin met Kim (reviewed).",
    "Kim reiste zurück.": "Kim travelled back (reviewed).",
}
NEW_PARAGRAPH = "Kim kam wieder."


def reviewer_saves(po: Path, edits: dict[str, str]) -> None:
    """What a PO editor does: read, confirm entries, save atomically (a whole new file renamed over it)."""
    catalog = polib.pofile(str(po))
    for msgid, msgstr in edits.items():
        entry = catalog.find(msgid)
        entry.msgstr = msgstr
        entry.flags = [f for f in entry.flags if f != "fuzzy"]
    saving = po.with_name(po.name + ".saving")
    catalog.save(str(saving))
    os.replace(saving, po)


def confirmed(po: Path) -> dict[str, str]:
    return {e.msgid: e.msgstr for e in polib.pofile(str(po)) if e.msgid in EDITS and not e.fuzzy and e.msgstr == EDITS[e.msgid]}


def hook_every_step(monkeypatch, root: Path, hook) -> list[str]:
    """Call `hook(step_number, name)` before rendering, after staging each output and after each of
    the run's renames; returns the names of the steps seen."""
    seen: list[str] = []

    def step(name: str) -> None:
        seen.append(name)
        hook(len(seen) - 1, name)

    render, stage, replace = OutputPlan._render, atomic._stage, os.replace

    def render_after_step(self, translated):
        step("before rendering")
        return render(self, translated)

    def stage_then_step(target, data, staged):
        stage(target, data, staged)
        step(f"staged {Path(target).name}")

    def replace_then_step(source, destination, *args, **kwargs):
        replace(source, destination, *args, **kwargs)
        if Path(source).name.endswith(".tmp") and Path(destination).is_relative_to(root):
            step(f"renamed {Path(destination).name}")

    monkeypatch.setattr(OutputPlan, "_render", render_after_step)
    monkeypatch.setattr(atomic, "_stage", stage_then_step)
    monkeypatch.setattr(os, "replace", replace_then_step)
    return seen


# --- links planted in shared folders ----------------------------------------------------------------


@pytest.fixture
def shared(tmp_path) -> Path:
    """A folder like /tmp: sticky and world-writable, owned by root."""
    folder = tmp_path / "shared"
    folder.mkdir()
    os.chmod(folder, 0o1777)
    if os.geteuid() != 0:
        pytest.skip("planting another user's link needs root")
    return folder


@pytest.fixture
def victim(tmp_path) -> Path:
    """A file of the user's that a planted link points at."""
    file = tmp_path / "private" / "passwd"
    file.parent.mkdir()
    file.write_text("root:x:0:0\n")
    return file


def plant(link: Path, to: Path, uid: int = NOBODY) -> Path:
    link.symlink_to(to)
    os.lchown(link, uid, uid)
    return link


def test_another_users_link_in_a_shared_folder_is_not_followed(tmp_path, article, shared, victim, monkeypatch):
    link = plant(shared / "a.en.txt", victim)
    monkeypatch.setattr("dolmetsch.api.find_package", lambda *a, **k: pytest.fail("refused only after loading"))
    result = run(*translate_args(article, tmp_path, out=shared))
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"dolmetsch: error: {link}: is a symbolic link another user planted in a shared folder; refusing to follow it"
    ]
    assert victim.read_text() == "root:x:0:0\n"
    assert sorted(p.name for p in shared.iterdir()) == ["a.en.txt"] and not (tmp_path / "locales").exists()


def test_another_users_link_to_a_folder_in_a_shared_folder_is_not_followed(tmp_path, article, shared, victim):
    link = plant(shared / "out", victim.parent)
    result = run(*translate_args(article, tmp_path, out=link))
    assert result.exit_code == 2 and f"{link}: is a symbolic link another user planted" in result.stderr
    assert sorted(p.name for p in victim.parent.iterdir()) == ["passwd"]


def test_a_dangling_link_in_a_shared_folder_is_not_followed_and_no_folder_is_made(tmp_path, article, shared):
    nowhere = tmp_path / "nowhere" / "deeper" / "a.en.txt"
    link = plant(shared / "a.en.txt", nowhere, uid=os.geteuid())  # even one's own
    result = run(*translate_args(article, tmp_path, out=shared))
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"dolmetsch: error: {link}: is a symbolic link to nothing in a shared folder; refusing to follow it"
    ]
    assert not (tmp_path / "nowhere").exists() and not (tmp_path / "locales").exists()


@pytest.mark.parametrize("owner", ["the user", "the folder's owner"])
def test_a_link_of_the_user_or_of_the_folders_owner_in_a_shared_folder_is_followed(tmp_path, article, shared, victim, owner):
    if owner == "the folder's owner":
        os.chown(shared, NOBODY, NOBODY)
    link = plant(shared / "a.en.txt", victim, uid=os.geteuid() if owner == "the user" else NOBODY)
    result = run(*translate_args(article, tmp_path, out=shared))
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and "Kim" in victim.read_text(encoding="utf-8")


def test_another_users_link_in_a_folder_that_is_not_shared_is_followed(tmp_path, article, victim):
    """Only sticky world-writable folders are guarded, as by the kernel."""
    out = tmp_path / "out"
    out.mkdir()
    plant(out / "a.en.txt", victim)
    assert run(*translate_args(article, tmp_path)).exit_code == 0
    assert "Kim" in victim.read_text(encoding="utf-8")


def test_the_user_s_own_links_resolve_as_realpath_does(tmp_path, monkeypatch):
    (tmp_path / "real" / "sub").mkdir(parents=True)
    (tmp_path / "real" / "sub" / "file").write_text("x")
    (tmp_path / "abs").symlink_to(tmp_path / "real")
    (tmp_path / "rel").symlink_to("real/sub")
    (tmp_path / "chain").symlink_to("rel/../sub/file")
    (tmp_path / "up").symlink_to("abs/sub/..")
    monkeypatch.chdir(tmp_path)
    for path in ["abs/sub/file", "rel/file", "chain", "up/sub/file", "abs/new/folder/f", "./rel/../x", "rel/../../y", str(tmp_path / "chain")]:
        assert atomic._resolve_safely(Path(path)) == Path(os.path.realpath(path)), path
    (tmp_path / "loop").symlink_to("loop")
    with pytest.raises(atomic.InputError, match="too many levels of symbolic links"):
        atomic._resolve_safely(tmp_path / "loop" / "f")


def test_the_shared_folder_check_is_the_kernels(tmp_path):
    for mode, shared in [(0o1777, True), (0o777, False), (0o1755, False), (0o1773, True), (0o755, False)]:
        folder = tmp_path / f"m{mode:o}"
        folder.mkdir()
        os.chmod(folder, mode)
        assert atomic._shared_folder(folder.stat()) == shared, oct(mode)

