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

from conftest import TINY_MODEL, msgfmt_or_skip, reviewer_saves
from dolmetsch import atomic
from dolmetsch.cli import app
from dolmetsch.output import writer
from dolmetsch.output.writer import MERGE_ATTEMPTS, OutputPlan

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
        if Path(target).is_relative_to(root):  # the run's outputs, not its stamp in the user cache
            step(f"staged {Path(target).name}")

    def replace_then_step(source, destination, *args, **kwargs):
        replace(source, destination, *args, **kwargs)
        if Path(source).name.endswith(".tmp") and Path(destination).is_relative_to(root):
            step(f"renamed {Path(destination).name}")

    monkeypatch.setattr(OutputPlan, "_render", render_after_step)
    monkeypatch.setattr(atomic, "_stage", stage_then_step)
    monkeypatch.setattr(os, "replace", replace_then_step)
    return seen


# --- a reviewer's save at any step of the write phase ---------------------------------------------

STEPS = 1 + 6 + 6
"""Before rendering, after staging each of the six outputs, after each of their renames."""


@pytest.mark.parametrize("at", range(STEPS))
def test_a_reviewers_save_at_any_step_of_the_write_phase_is_kept(tmp_path, article, monkeypatch, at):
    assert run(*translate_args(article, tmp_path)).exit_code == 0
    article.write_text(article.read_text(encoding="utf-8") + f"\n{NEW_PARAGRAPH}\n", encoding="utf-8")
    po = po_of(tmp_path)
    saved = []

    def reviewer_saves_at(number, name):
        if number == at:
            saved.append(name)
            reviewer_saves(po, EDITS)

    steps = hook_every_step(monkeypatch, tmp_path, reviewer_saves_at)
    result = run(*translate_args(article, tmp_path))
    assert saved, f"step {at} never came: {steps}"
    if result.exit_code == 1:  # the other accepted outcome: the run's catalogue beside it
        assert "a.po.new" in result.stderr and po.with_name("a.po.new").is_file()
    else:
        assert result.exit_code == 0, result.output
        assert not po.with_name("a.po.new").exists()
        assert polib.pofile(str(po)).find(NEW_PARAGRAPH) is not None
    assert confirmed(po) == EDITS, f"lost at step {at} ({saved[0]}); steps: {steps}"
    assert not list(tmp_path.rglob("*.tmp"))
    subprocess.run([msgfmt_or_skip(), "-c", "-o", os.devnull, str(po)], check=True)


def test_the_po_is_renamed_first_and_checked_right_before(tmp_path, article, monkeypatch):
    """Of the run's renames the PO comes first, so the staging of the others is no window."""
    assert run(*translate_args(article, tmp_path)).exit_code == 0
    article.write_text(article.read_text(encoding="utf-8") + f"\n{NEW_PARAGRAPH}\n", encoding="utf-8")
    steps = hook_every_step(monkeypatch, tmp_path, lambda number, name: None)
    assert run(*translate_args(article, tmp_path)).exit_code == 0
    renames = [s for s in steps if s.startswith("renamed")]
    assert len(renames) == 6 and renames[0] == "renamed a.po"
    assert steps.index(renames[0]) > max(i for i, s in enumerate(steps) if s.startswith("staged"))  # all staged first


def test_a_po_saved_during_every_staging_is_not_replaced_and_nothing_else_is(tmp_path, article, monkeypatch):
    assert run(*translate_args(article, tmp_path)).exit_code == 0
    article.write_text(article.read_text(encoding="utf-8") + f"\n{NEW_PARAGRAPH}\n", encoding="utf-8")
    po = po_of(tmp_path)
    others = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and p not in (po, article)}
    count = iter(range(100))

    def save_after_the_last_staging(number, name):
        if name == "staged a.review.html":
            reviewer_saves(po, {"Putin traf Kim.": f"Putin met Kim ({next(count)})."})

    hook_every_step(monkeypatch, tmp_path, save_after_the_last_staging)
    result = run(*translate_args(article, tmp_path))
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert "changed while this run was writing it" in line and "a.po.new" in line
    assert next(count) == MERGE_ATTEMPTS  # merged again each time, then gave up
    assert polib.pofile(str(po)).find("Putin traf Kim.").msgstr == f"Putin met Kim ({MERGE_ATTEMPTS - 1})."
    assert polib.pofile(str(po.with_name("a.po.new"))).find(NEW_PARAGRAPH) is not None
    assert {p: p.read_bytes() for p in others} == others  # nothing replaced
    assert not list(tmp_path.rglob("*.tmp"))


def test_a_file_given_if_unchanged_is_renamed_first_and_not_over_a_change(tmp_path, monkeypatch):
    edited, other = tmp_path / "edited.po", tmp_path / "other.txt"
    edited.write_text("old\n")
    other.write_text("old\n")
    stage = atomic._stage

    def stage_while_someone_saves(target, data, staged):
        stage(target, data, staged)
        if Path(target) == other:
            edited.write_text("saved by someone\n")

    monkeypatch.setattr(atomic, "_stage", stage_while_someone_saves)
    with pytest.raises(atomic.ChangedMeanwhile) as raised:
        atomic.write_all_atomic({edited: atomic.IfUnchanged("new\n", b"old\n"), other: "new\n"})
    assert raised.value.target == edited and raised.value.exit_code == 1
    assert edited.read_text() == "saved by someone\n" and other.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["edited.po", "other.txt"]


def test_a_save_that_keeps_the_bytes_but_replaces_the_file_counts_as_a_change(tmp_path):
    """The status is compared after the bytes, so a save during the comparison is caught too."""
    edited = tmp_path / "edited.po"
    edited.write_bytes(b"same\n")
    assert atomic._unchanged(edited, b"same\n")
    replacement = tmp_path / "saving"
    replacement.write_bytes(b"same\n")
    real_fstat = os.fstat

    def fstat_then_someone_saves(descriptor):
        found = real_fstat(descriptor)
        os.replace(replacement, edited)
        return found

    os.fstat = fstat_then_someone_saves
    try:
        assert not atomic._unchanged(edited, b"same\n")
    finally:
        os.fstat = real_fstat
    assert not atomic._unchanged(edited, b"other\n") and not atomic._unchanged(tmp_path / "absent", b"x")
    assert atomic._unchanged(tmp_path / "absent", None)


# --- a failed run leaves the tree as it found it ---------------------------------------------------


def fail_rendering_the_review_page(monkeypatch):
    from dolmetsch.review import ReviewPage

    def no_space(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(ReviewPage, "render_in", no_space)


def fail_staging_the_third_output(monkeypatch):
    stage = atomic._stage
    calls = []

    def stage_until_the_disk_is_full(target, data, staged):
        calls.append(target)
        if len(calls) == 3:
            raise atomic.InputError(target, f"cannot write ({os.strerror(errno.ENOSPC)})")
        stage(target, data, staged)

    monkeypatch.setattr(atomic, "_stage", stage_until_the_disk_is_full)


def fail_checking_the_po_before_its_rename(monkeypatch):
    def broken(destination, expected):
        raise RuntimeError("the disk went away")

    monkeypatch.setattr(atomic, "_unchanged", broken)


FAILURES = [fail_rendering_the_review_page, fail_staging_the_third_output, fail_checking_the_po_before_its_rename]


@pytest.mark.parametrize("fail", FAILURES, ids=lambda f: f.__name__)
def test_a_first_run_that_fails_leaves_no_folder_no_lock_and_no_temp_file(tmp_path, article, monkeypatch, fail):
    fail(monkeypatch)
    result = run(*translate_args(article, tmp_path))
    assert result.exit_code != 0
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a.txt"], snapshot(tmp_path)


@pytest.mark.parametrize("lock_there", [True, False], ids=["lock-left-by-an-earlier-run", "no-lock"])
@pytest.mark.parametrize("fail", FAILURES, ids=lambda f: f.__name__)
def test_a_rerun_that_fails_leaves_every_old_output_and_the_lock_as_they_were(tmp_path, article, monkeypatch, fail, lock_there):
    assert run(*translate_args(article, tmp_path)).exit_code == 0
    lock = writer.lock_path(po_of(tmp_path))
    assert lock.exists()
    if not lock_there:
        lock.unlink()
    article.write_text(article.read_text(encoding="utf-8") + f"\n{NEW_PARAGRAPH}\n", encoding="utf-8")
    before = snapshot(tmp_path, leave_out=article)
    fail(monkeypatch)
    result = run(*translate_args(article, tmp_path))
    assert result.exit_code != 0
    assert snapshot(tmp_path, leave_out=article) == before
    assert lock.exists() == lock_there


def test_a_failed_run_removes_its_lock_file_but_not_one_it_did_not_create(tmp_path):
    target = tmp_path / "deep" / "er" / "a.po"
    with pytest.raises(KeyError):
        with writer.file_lock(target):
            assert writer.lock_path(target).is_file()
            raise KeyError("failed")
    assert not (tmp_path / "deep").exists()
    lock = writer.lock_path(tmp_path / "a.po")
    lock.touch()
    with pytest.raises(KeyError):
        with writer.file_lock(tmp_path / "a.po"):
            raise KeyError("failed")
    assert lock.exists()
    with writer.file_lock(target):  # a run that succeeds leaves its lock file, as documented
        pass
    assert writer.lock_path(target).is_file()


def test_a_run_waiting_for_a_lock_that_a_failed_run_removes_locks_the_new_file(tmp_path, monkeypatch):
    """Removing the lock file must not let two runs hold the lock at once."""
    target = tmp_path / "a.po"
    path = writer.lock_path(target)
    first_holds, second_waits, second_holds, second_may_go = (threading.Event() for _ in range(4))
    real_flock = fcntl.flock

    def flock(handle, operation):
        if operation == fcntl.LOCK_EX and threading.current_thread().name == "second":
            second_waits.set()
        return real_flock(handle, operation)

    monkeypatch.setattr(writer.fcntl, "flock", flock)

    def first():
        try:
            with writer.file_lock(target):
                first_holds.set()
                assert second_waits.wait(60)
                raise KeyError("failed")
        except KeyError:
            pass

    def second():
        assert first_holds.wait(60)
        with writer.file_lock(target):
            second_holds.set()
            assert second_may_go.wait(60)

    threads = [threading.Thread(target=first, name="first"), threading.Thread(target=second, name="second")]
    for thread in threads:
        thread.start()
    try:
        assert second_holds.wait(60)
        with open(path) as handle:  # a third run finds the file at the path locked
            with pytest.raises(BlockingIOError):
                real_flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        second_may_go.set()
        for thread in threads:
            thread.join(60)
    assert path.is_file()


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


def test_another_users_link_planted_as_the_lock_file_is_not_followed(tmp_path, shared, victim):
    lock = plant(writer.lock_path(shared / "a.po"), victim)
    with pytest.raises(atomic.InputError, match="another user planted"):
        with writer.file_lock(shared / "a.po"):
            pytest.fail("locked through a planted link")
    assert lock.is_symlink() and victim.read_text() == "root:x:0:0\n"
