"""Worker processes and signals: a batch on `--workers` stops when its driver is told to, and its
workers never outlive the driver.

Real processes throughout: `dolmetsch translate --workers 2` runs as a subprocess whose workers
decode the tiny model's batch over and over, so a signal always lands mid-decoding. Waits are
bounded and only fail on a hang; whatever a failing test leaves running is killed at the end.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLE, ROOT, TINY_MODEL
from dolmetsch.cli import app

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds processes through /proc")

PATIENCE = 60.0
"""Seconds a test waits for something that takes well under one; only a hang runs into it."""

WORKER_MODULE = textwrap.dedent(
    '''
    """Recipes for worker processes that are busy whenever the test signals (imported by the workers)."""
    import os
    import sys
    import threading
    from pathlib import Path

    from dolmetsch import scale


    class DecodesForever(scale.EngineRecipe):
        """Says it has started (a file named by its pid), then decodes its job again and again."""

        def run(self, job):
            Path(os.environ["DOLMETSCH_TEST_BUSY"], str(os.getpid())).touch()
            while True:
                super().run(job)


    def bound_without_prctl(driver_pid):
        """A worker bound to its driver the portable way only, as where prctl does not exist."""
        sys.platform = "elsewhere"
        scale.bind_to_driver(driver_pid)
        Path(os.environ["DOLMETSCH_TEST_BUSY"], str(os.getpid())).touch()
        threading.Event().wait()
    '''
)

DRIVER = textwrap.dedent(
    """
    from dolmetsch import scale
    import busy_workers
    scale.EngineRecipe = busy_workers.DecodesForever
    from dolmetsch.cli import main
    main()
    """
)

PORTABLE_DRIVER = textwrap.dedent(
    """
    import multiprocessing, os, signal, sys
    import busy_workers
    worker = multiprocessing.get_context("spawn").Process(target=busy_workers.bound_without_prctl, args=(os.getpid(),))
    worker.start()
    sys.stdin.read()  # the test says when: the worker is bound by then
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


# --- processes, through /proc -----------------------------------------------------------------------


STARTTIME = 19
"""Index of the start time (field 22 of proc(5)) among the fields `_stat` returns."""


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name, or None when no such process is left."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def alive(pid: int) -> bool:
    """Running or sleeping; a zombie has ended (its reaper may be slow or absent in a container)."""
    fields = _stat(pid)
    return fields is not None and fields[0] not in ("Z", "X")


def all_pids() -> list[int]:
    return [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit() and _stat(int(entry.name)) is not None]


def children(pid: int) -> list[int]:
    return [child for child in all_pids() if (_stat(child) or ["", "0"])[1] == str(pid)]


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def wait_until(condition, what: str) -> None:
    """Poll until `condition()` holds; fail (never hang) after PATIENCE seconds."""
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"still waiting after {PATIENCE:.0f} s: {what}")
        time.sleep(0.05)


class Started:
    """A process the test started, with every descendant it sees, all killed at the end if left."""

    def __init__(self, popen: subprocess.Popen):
        self.popen = popen
        self.seen: dict[int, str] = {}  # pid -> start time, so that a reused pid is never killed

    def note(self, pid: int) -> None:
        fields = _stat(pid)
        if fields is not None:
            self.seen[pid] = fields[STARTTIME]

    def kill_leftovers(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
        for pid, started in self.seen.items():
            fields = _stat(pid)
            if fields is not None and fields[STARTTIME] == started and alive(pid):
                os.kill(pid, signal.SIGKILL)
        self.popen.wait(PATIENCE)


# --- fixtures -------------------------------------------------------------------------------------


@pytest.fixture
def helpers(tmp_path) -> Path:
    folder = tmp_path / "helpers"
    folder.mkdir()
    (folder / "busy_workers.py").write_text(WORKER_MODULE, encoding="utf-8")
    return folder


@pytest.fixture
def feed(tmp_path) -> Path:
    """Three articles, each sentence different from the others' (a batch decodes a recurring one once)."""
    folder = tmp_path / "feed"
    folder.mkdir()
    for number in range(1, 4):
        (folder / f"article-{number}.txt").write_text(EXAMPLE.read_text(encoding="utf-8").replace(".", f" {number}."), encoding="utf-8")
    return folder


def translate_args(feed: Path, root: Path) -> list[str]:
    return ["translate", str(feed), "--model", str(TINY_MODEL), "--no-glossary", "--beam", "2", "-q", "-o", str(root / "out"), "--locales", str(root / "locales")]


def start(script: str, args: list[str], helpers: Path, busy: Path, **kwargs) -> Started:
    """`script` as a new Python process whose output goes to files (a pipe would stay open as long
    as any worker that inherited it)."""
    busy.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "translate"), str(helpers), os.environ.get("PYTHONPATH", "")]),
        "DOLMETSCH_TEST_BUSY": str(busy),
    }
    with open(busy.parent / "stdout", "wb") as out, open(busy.parent / "stderr", "wb") as err:
        popen = subprocess.Popen([sys.executable, "-c", script, *args], env=env, stdout=out, stderr=err, **kwargs)
    return Started(popen)


def busy_workers(started: Started, busy: Path, count: int, children_only: bool = True) -> tuple[list[int], list[int]]:
    """Once `count` workers are decoding: their pids, and the driver's other children (the
    multiprocessing resource tracker). Ray's actors are not the driver's children."""
    wait_until(lambda: len(list(busy.iterdir())) >= count or started.popen.poll() is not None, f"{count} busy workers")
    assert started.popen.poll() is None, (busy.parent / "stderr").read_text()
    workers = sorted(int(p.name) for p in busy.iterdir())
    for pid in workers:
        started.note(pid)
    others = [pid for pid in children(started.popen.pid) if pid not in workers]
    for pid in others:
        started.note(pid)
    if children_only:
        assert set(workers) <= set(children(started.popen.pid)) | {pid for pid in workers if not alive(pid)}
    return workers, others


def outputs(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and not p.name.endswith(".lock")}


# --- SIGTERM / SIGINT -----------------------------------------------------------------------------


@pytest.mark.parametrize("signal_number, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_to_the_driver_alone_stops_the_workers_and_leaves_old_or_new_outputs(tmp_path, helpers, feed, signal_number, code):
    root = tmp_path / "run"
    assert CliRunner().invoke(app, translate_args(feed, root)).exit_code == 0
    before = outputs(root)
    for article in feed.iterdir():  # a second run would replace every output
        article.write_text(article.read_text(encoding="utf-8").replace("Kim", "Lukaschenko"), encoding="utf-8")
    busy = tmp_path / "busy"
    started = start(DRIVER, [*translate_args(feed, root), "--workers", "2"], helpers, busy)
    try:
        workers, others = busy_workers(started, busy, 2)
        os.kill(started.popen.pid, signal_number)  # as kill, systemd or docker stop send it: to the driver only
        try:
            returncode = started.popen.wait(PATIENCE)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the driver still runs {PATIENCE:.0f} s after {signal.Signals(signal_number).name}")
        stderr = (tmp_path / "stderr").read_text()
        assert returncode == code, stderr
        assert f"interrupted ({signal.Signals(signal_number).name})" in stderr
        wait_until(lambda: not any(alive(pid) for pid in workers + others), "the workers and the resource tracker to end")
    finally:
        started.kill_leftovers()
    assert not list(root.rglob("*.tmp"))
    after = outputs(root)
    assert set(after) == set(before)
    for article in feed.iterdir():  # per document: every old output or every new one
        stem = article.stem
        mine = [p for p in before if p.name.startswith(f"{stem}.")]
        changed = [p for p in mine if after[p] != before[p]]
        assert len(mine) >= 5 and len(changed) in (0, len(mine)), changed


# --- SIGKILL --------------------------------------------------------------------------------------


def test_workers_and_the_resource_tracker_end_when_the_driver_is_killed(tmp_path, helpers, feed):
    busy = tmp_path / "busy"
    started = start(DRIVER, [*translate_args(feed, tmp_path / "run"), "--workers", "2"], helpers, busy)
    try:
        workers, others = busy_workers(started, busy, 2)
        assert any("resource_tracker" in command_line(pid) for pid in others), [command_line(pid) for pid in others]
        os.kill(started.popen.pid, signal.SIGKILL)  # as the OOM killer does: no handler, no cleanup
        started.popen.wait(PATIENCE)
        wait_until(lambda: not any(alive(pid) for pid in workers + others), "the orphaned workers and the resource tracker to end")
    finally:
        started.kill_leftovers()


@pytest.mark.parametrize("signal_number, code", [(signal.SIGTERM, 143)])
def test_a_signal_to_the_driver_of_a_ray_run_stops_its_actors(tmp_path, helpers, feed, signal_number, code):
    """Ray puts its own SIGTERM handler in place (exit 15, or an abort in its crash handler) and lets
    only KeyboardInterrupt out of a wait: the run must still exit 143 and stop what it started."""
    pytest.importorskip("ray") if not os.environ.get("CI") else __import__("ray")
    busy = tmp_path / "busy"
    started = start(DRIVER, [*translate_args(feed, tmp_path / "run"), "--ray", "--workers", "2"], helpers, busy, start_new_session=True)
    try:
        actors, _ = busy_workers(started, busy, 2, children_only=False)
        session = [pid for pid in all_pids() if (_stat(pid) or ["", "", "", ""])[3] == str(started.popen.pid)]  # the local Ray instance and its actors
        assert len(session) > 3, session  # raylet, GCS, agents, the actors
        for pid in session:
            started.note(pid)
        os.kill(started.popen.pid, signal_number)
        try:
            returncode = started.popen.wait(PATIENCE)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the driver still runs {PATIENCE:.0f} s after {signal.Signals(signal_number).name}")
        stderr = (tmp_path / "stderr").read_text()
        assert returncode == code, stderr
        assert f"dolmetsch: interrupted ({signal.Signals(signal_number).name})" in stderr
        wait_until(lambda: not any(alive(pid) for pid in actors + session), "the actors and the local Ray instance to end")
    finally:
        started.kill_leftovers()
    assert not (tmp_path / "run" / "out").exists()


def test_without_prctl_a_worker_still_ends_with_its_driver(tmp_path, helpers):
    busy = tmp_path / "busy"
    started = start(PORTABLE_DRIVER, [], helpers, busy, stdin=subprocess.PIPE)
    try:
        (worker,), _ = busy_workers(started, busy, 1)
        started.popen.stdin.close()  # the driver kills itself now
        started.popen.wait(PATIENCE)
        wait_until(lambda: not alive(worker), "the orphaned worker to end")
    finally:
        started.kill_leftovers()


def test_an_input_error_crosses_a_process_boundary_intact():
    """A worker's InputError reaches the driver as itself, not as a broken pool."""
    import pickle

    from dolmetsch.errors import ConcurrentEditError, InputError

    for error in (InputError("a.po", "bad", 3), ConcurrentEditError("b.po", "changed")):
        back = pickle.loads(pickle.dumps(error))
        assert type(back) is type(error) and str(back) == str(error) and back.line == error.line
