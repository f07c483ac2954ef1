"""A batch on several engines: local worker processes and a real local Ray instance.

Outputs must be those of a local run; a worker that dies is replaced once, and a document whose
worker dies twice is reported failed with nothing of it written.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import EXAMPLE, TINY_MODEL
from dolmetsch import scale
from dolmetsch.translation import DocumentJob
from dolmetsch.cli import app

ARTICLE = EXAMPLE.read_text(encoding="utf-8")


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture
def feed(tmp_path) -> Path:
    folder = tmp_path / "feed"
    folder.mkdir()
    for number, (old, new) in enumerate([("Putin", "Putin"), ("Putin", "Medwedew"), ("Kim", "Lukaschenko")], start=1):
        (folder / f"article-{number}.txt").write_text(ARTICLE.replace(old, new), encoding="utf-8")
    return folder


def outputs(root: Path) -> dict[str, str]:
    """Every output's text, dates aside (they record when, not what)."""
    found = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.name.endswith(".lock"):
            text = path.read_text(encoding="utf-8")
            found[str(path.relative_to(root))] = "\n".join(l for l in text.splitlines() if "-Date:" not in l)
    return found


def translate(feed, root, *extra):
    return run("translate", feed, "--model", TINY_MODEL, "--no-glossary", "--beam", "2", "-q", "-o", root / "out", "--locales", root / "locales", *extra)


def test_local_workers_give_the_outputs_of_a_local_run(tmp_path, feed):
    assert translate(feed, tmp_path / "one").exit_code == 0
    result = translate(feed, tmp_path / "two", "--workers", "2")
    assert result.exit_code == 0, result.output
    assert outputs(tmp_path / "two") == outputs(tmp_path / "one")


def test_local_workers_share_the_cores_unless_threads_are_given(tmp_path, feed, monkeypatch):
    recipes = []
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(8)), raising=False)
    monkeypatch.setattr(scale, "run_local", lambda recipe, jobs: recipes.append(recipe) or ([], []))
    translate(feed, tmp_path / "a", "--workers", "4")
    translate(feed, tmp_path / "b", "--workers", "4", "--threads", "3")
    assert [r.options.threads for r in recipes] == [2, 3]


def test_jobs_share_the_documents_out_evenly(feed):
    from dolmetsch.sources import read_document

    documents = [DocumentJob(read_document(str(p))) for p in sorted(feed.glob("*.txt"))]
    jobs = scale.split_jobs(documents, workers=2)
    assert sorted(d.document.source for job in jobs for d in job.documents) == sorted(d.document.source for d in documents)
    assert [len(job.documents) for job in jobs] in ([2, 1], [1, 2])
    assert len(scale.split_jobs(documents, workers=8)) == 3


class DiesOnce(scale.EngineRecipe):
    """A worker process that dies on its first job, as a killed or out-of-memory worker does."""

    def run(self, job):
        marker = Path(os.environ["DOLMETSCH_TEST_MARKER"]) / job.documents[0].document.name
        if not marker.exists():
            marker.touch()
            os._exit(1)
        return super().run(job)


class AlwaysDies(scale.EngineRecipe):
    def run(self, job):
        os._exit(1)


@pytest.mark.parametrize("recipe_class, survives", [(DiesOnce, True), (AlwaysDies, False)])
def test_a_dying_local_worker_is_replaced_once_and_writes_nothing_partial(tmp_path, feed, monkeypatch, recipe_class, survives):
    monkeypatch.setenv("DOLMETSCH_TEST_MARKER", str(tmp_path))
    monkeypatch.setattr(scale, "EngineRecipe", recipe_class)
    result = translate(feed, tmp_path / "two", "--workers", "2")
    if survives:
        assert result.exit_code == 0, result.output
        assert len(list((tmp_path / "two" / "out").glob("*.en.txt"))) == 3
    else:
        assert result.exit_code == 1
        assert result.stderr.count("its worker died twice") == 3
        assert not (tmp_path / "two" / "out").exists() and not list((tmp_path / "two").rglob("*.po"))


@pytest.fixture(scope="module")
def local_ray(tmp_path_factory):
    """A real local Ray instance on this machine (2 CPUs), shared by the tests below; its workers
    find the marker folder of DiesOnce through their runtime environment."""
    ray = pytest.importorskip("ray") if not os.environ.get("CI") else __import__("ray")
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])  # Ray workers cannot import this test module
    markers = tmp_path_factory.mktemp("ray-markers")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False,
             runtime_env={"env_vars": {"DOLMETSCH_TEST_MARKER": str(markers)}})
    yield ray
    ray.shutdown()


def test_a_ray_run_gives_the_outputs_of_a_local_run(tmp_path, feed, local_ray):
    assert translate(feed, tmp_path / "one").exit_code == 0
    result = translate(feed, tmp_path / "ray", "--ray")
    assert result.exit_code == 0, result.output
    assert outputs(tmp_path / "ray") == outputs(tmp_path / "one")


def test_a_dead_ray_worker_is_replaced_and_a_twice_dead_one_reported(tmp_path, feed, local_ray, monkeypatch):
    monkeypatch.setattr(scale, "EngineRecipe", DiesOnce)
    result = translate(feed, tmp_path / "ray", "--ray")
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "ray" / "out").glob("*.en.txt"))) == 3
    monkeypatch.setattr(scale, "EngineRecipe", AlwaysDies)
    shutil.rmtree(tmp_path / "ray")
    result = translate(feed, tmp_path / "ray", "--ray")
    assert result.exit_code == 1 and result.stderr.count("its Ray worker died twice") == 3
    assert not (tmp_path / "ray" / "out").exists()


def test_without_ray_installed_the_option_says_how_to_get_it(tmp_path, feed, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray fails as if not installed
    result = translate(feed, tmp_path / "ray", "--ray")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == ["dolmetsch: error: --ray: Ray is not installed; install it with `pip install -e '.[ray]'` (or `pip install ray`)"]
