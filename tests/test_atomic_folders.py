"""Resolving each folder once per document's writes: same answers, same refusals, fewer walks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dolmetsch import atomic

NOBODY = 65534


def realpath_cases(tmp_path: Path) -> list[str]:
    (tmp_path / "real" / "sub").mkdir(parents=True)
    (tmp_path / "real" / "sub" / "file").write_text("x")
    (tmp_path / "abs").symlink_to(tmp_path / "real")
    (tmp_path / "rel").symlink_to("real/sub")
    (tmp_path / "chain").symlink_to("rel/../sub/file")
    (tmp_path / "up").symlink_to("abs/sub/..")
    return ["abs/sub/file", "rel/file", "chain", "up/sub/file", "abs/new/folder/f", "./rel/../x", "rel/../../y",
            str(tmp_path / "chain"), "rel//file", "rel/./file", "rel/"]


def test_within_the_block_links_resolve_as_realpath_does(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cases = realpath_cases(tmp_path)
    with atomic.resolving_folders_once():
        for _ in range(2):  # the second time from the folders remembered
            for path in cases:
                assert atomic._resolve_safely(Path(path)) == Path(os.path.realpath(path)), path


def test_each_folder_is_walked_once_within_the_block(tmp_path, monkeypatch):
    folder = tmp_path / "a" / "b" / "c"
    folder.mkdir(parents=True)
    names = [f"f{i}.txt" for i in range(7)]
    looked_at: list[str] = []
    lstat = os.lstat
    monkeypatch.setattr(os, "lstat", lambda path, *a, **k: looked_at.append(str(path)) or lstat(path, *a, **k))
    with atomic.resolving_folders_once():
        for name in names * 3:
            atomic.real_target(folder / name)
    assert looked_at.count(str(folder)) == 1
    assert all(looked_at.count(str(folder / name)) >= 3 for name in names)  # the files themselves every time
    looked_at.clear()
    for name in names:
        atomic.real_target(folder / name)
    assert looked_at.count(str(folder)) == len(names)  # outside the block, every time


def test_a_link_planted_as_the_file_within_the_block_is_still_refused(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("planting another user's link needs root")
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    victim = tmp_path / "victim"
    victim.write_text("private\n")
    with atomic.resolving_folders_once():
        atomic.write_all_atomic({shared / "a.txt": "first\n"})
        link = shared / "b.txt"
        link.symlink_to(victim)
        os.lchown(link, NOBODY, NOBODY)
        with pytest.raises(atomic.InputError, match="another user planted"):
            atomic.write_all_atomic({shared / "b.txt": "second\n"})
    assert victim.read_text() == "private\n"


def test_the_block_ends_with_its_outermost_use(tmp_path):
    with atomic.resolving_folders_once():
        with atomic.resolving_folders_once():
            atomic.real_target(tmp_path / "x")
        assert atomic._FOLDERS.get()
    assert atomic._FOLDERS.get() is None
