"""`dolmetsch models`: install from a (loopback) package index or a file, list, remove, and refuse
hostile or broken archives without leaving anything behind."""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import threading
import time
import warnings
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dolmetsch.cli import app
from dolmetsch.errors import InputError
from dolmetsch.models import archive as archive_module
from dolmetsch.models import install as install_module
from dolmetsch.models.package import installed_packages
from dolmetsch.models.resolve import open_package_file, package_cache_dir, resolve_model

FIXTURE = Path(__file__).parent / "fixtures" / "translate-de_en-tiny.argosmodel"
FOLDER = "translate-de_en-0_1"


FAKE_MODEL = bytes(range(256)) * 8


def package_members(
    folder: str = FOLDER, from_code: str = "de", to_code: str = "en", version: str = "0.1"
) -> dict[str, bytes]:
    """A structurally valid package; the model is fake, which is enough for install/list/remove."""
    metadata = {
        "package_version": version,
        "argos_version": "1.9",
        "from_code": from_code,
        "from_name": "German",
        "to_code": to_code,
        "to_name": "English",
        "code": f"translate-{from_code}_{to_code}",
    }
    return {
        f"{folder}/metadata.json": json.dumps(metadata).encode(),
        f"{folder}/model/model.bin": FAKE_MODEL,
        f"{folder}/model/config.json": b"{}",
        f"{folder}/sentencepiece.model": b"not really a sentencepiece model",
    }


def zip_bytes(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are wanted in one hostile case
        with zipfile.ZipFile(buffer, "w", compression) as zf:
            for name, data in members.items():
                zf.writestr(name, data)
    return buffer.getvalue()


def served_package_bytes() -> bytes:
    return FIXTURE.read_bytes() if FIXTURE.is_file() else zip_bytes(package_members())


def with_symlink() -> bytes:
    members = package_members()
    link = zipfile.ZipInfo(f"{FOLDER}/escape")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        zf.writestr(link, b"/etc/passwd")  # a symlink member's content is its target
    return buffer.getvalue()


def with_duplicate() -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(buffer, "w") as zf:
            for name, data in package_members().items():
                zf.writestr(name, data)
            zf.writestr(f"{FOLDER}/model/model.bin", b"second copy")
    return buffer.getvalue()


def with_bad_crc() -> bytes:
    data = bytearray(zip_bytes(package_members(), compression=zipfile.ZIP_STORED))
    start = bytes(data).index(FAKE_MODEL)
    data[start + 100] ^= 0xFF
    return bytes(data)


def without(*suffixes: str) -> bytes:
    return zip_bytes({k: v for k, v in package_members().items() if not k.endswith(suffixes)})


def extra(name: str, data: bytes = b"x") -> bytes:
    return zip_bytes({**package_members(), name: data})


HOSTILE = {
    "path traversal": (lambda: extra(f"{FOLDER}/../../evil.txt"), "'..' would leave the package folder"),
    "absolute path": (lambda: extra("/tmp/evil.txt"), "absolute path"),
    "symlink": (with_symlink, "symbolic link"),
    "missing metadata": (lambda: without("metadata.json"), "metadata.json is missing"),
    "metadata not json": (
        lambda: zip_bytes({**package_members(), f"{FOLDER}/metadata.json": b"{oops"}),
        "metadata.json is not valid JSON",
    ),
    "not a zip": (lambda: b"this is plain text, not a package\n" * 10, "not a zip archive"),
    "truncated zip": (lambda: zip_bytes(package_members())[:300], "truncated or corrupt"),
    "bad crc": (with_bad_crc, "is corrupt"),
    "two top-level folders": (lambda: extra("other-folder/file.txt"), "exactly one top-level folder, found 2"),
    "missing model.bin": (lambda: without("model.bin"), "model/model.bin is missing"),
    "missing tokenizer": (lambda: without("sentencepiece.model"), "no tokenizer"),
    "duplicate member": (with_duplicate, "appears twice"),
    "zip bomb": (lambda: extra(f"{FOLDER}/padding.bin", bytes(4 * 1024**2)), "looks like a zip bomb"),
}
WRONG_PAIR = (
    lambda: zip_bytes(package_members(from_code="en", to_code="de")),
    "package translates en→de, expected de→en",
)


def package_version_of(package: bytes) -> str:
    """The version a package declares, so the index offers exactly what it serves."""
    try:
        with zipfile.ZipFile(io.BytesIO(package)) as zf:
            [name] = [n for n in zf.namelist() if n.count("/") == 1 and n.endswith("/metadata.json")]
            return str(json.loads(zf.read(name)).get("package_version") or "0.1")
    except (zipfile.BadZipFile, ValueError, KeyError):
        return "0.1"


class PackageIndexServer:
    """A loopback HTTP server serving index.json and package files from a dict."""

    def __init__(self):
        self.files: dict[str, bytes] = {}
        files = self.files

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                body = files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def offer(self, package: bytes, sha256: str | None = "auto", name: str = "translate-de_en-0_1.argosmodel"):
        self.files["/" + name] = package
        entry = {
            "package_version": package_version_of(package),
            "argos_version": "1.9",
            "from_code": "de",
            "from_name": "German",
            "to_code": "en",
            "to_name": "English",
            "links": ["ipfs://QmNotFetched", self.base + name],
            "code": "translate-de_en",
        }
        if sha256 is not None:
            entry["sha256"] = hashlib.sha256(package).hexdigest() if sha256 == "auto" else sha256
        other = {**entry, "from_code": "en", "to_code": "de", "code": "translate-en_de"}
        self.files["/index.json"] = json.dumps([other, entry]).encode()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def env(tmp_path, monkeypatch):
    """Packages, cache and home all inside tmp_path; returns the packages folder."""
    packages_dir = tmp_path / "packages"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(packages_dir))
    monkeypatch.setenv("ARGOS_PACKAGE_INDEX", "http://127.0.0.1:9/unused/")
    return packages_dir


@pytest.fixture(scope="module")
def index_server():
    running = PackageIndexServer()
    yield running
    running.close()


@pytest.fixture
def server(index_server, env, monkeypatch):
    index_server.files.clear()
    monkeypatch.setenv("ARGOS_PACKAGE_INDEX", index_server.base)
    return index_server


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_cli(*args: str):
    return CliRunner().invoke(app, list(args))


def leftovers(packages_dir: Path) -> list[str]:
    return sorted(p.name for p in packages_dir.iterdir()) if packages_dir.exists() else []


def one_error_line(result) -> str:
    """The single error line (progress notes may precede it on stderr); never a traceback."""
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("dolmetsch: error:")]
    assert len(errors) == 1, result.stderr
    assert result.stderr.rstrip().endswith(errors[0])
    return errors[0]


def test_install_list_remove_through_package_index(server, env):
    server.offer(served_package_bytes())

    installed = run_cli("models", "install", "de", "en")
    assert installed.exit_code == 0, installed.output
    assert "Installed de→en" in installed.stdout
    [package] = installed_packages(env)
    assert (package.from_code, package.to_code) == ("de", "en")
    assert (package.path / "model" / "model.bin").is_file()
    assert leftovers(env) == [package.path.name]  # no scratch folder, no download left

    listed = run_cli("models", "list")
    assert listed.exit_code == 0
    assert "de→en" in listed.stdout and package.package_version in listed.stdout

    again = run_cli("models", "install", "de", "en")
    assert again.exit_code == 0 and "already installed" in again.stdout

    removed = run_cli("models", "remove", "de", "en")
    assert removed.exit_code == 0, removed.output
    assert leftovers(env) == []
    assert "No Argos packages installed" in run_cli("models", "list").stdout

    missing = run_cli("models", "remove", "de", "en")
    assert missing.exit_code == 2
    assert "no de→en package is installed" in one_error_line(missing)


def test_index_may_be_a_local_folder(env, tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "de_en.argosmodel").write_bytes(served_package_bytes())
    link = (mirror / "de_en.argosmodel").as_uri()
    entry = {"from_code": "de", "to_code": "en", "package_version": "0.1", "links": [link]}
    (mirror / "index.json").write_text(json.dumps([entry]))
    monkeypatch.setenv("ARGOS_PACKAGE_INDEX", mirror.as_uri())  # no trailing slash: still finds index.json
    result = run_cli("models", "install", "de", "en")
    assert result.exit_code == 0, result.output
    assert [p.pair for p in installed_packages(env)] == ["de→en"]


def test_install_from_file_then_newer_file_replaces_it(env, tmp_path):
    first = tmp_path / "first.argosmodel"
    first.write_bytes(zip_bytes(package_members()))
    newer = tmp_path / "newer.argosmodel"
    newer.write_bytes(zip_bytes(package_members(folder="translate-de_en-0_2")))

    assert run_cli("models", "install", str(first)).exit_code == 0
    result = run_cli("models", "install", str(newer))
    assert result.exit_code == 0, result.output
    assert "Replaced" in result.stdout
    assert leftovers(env) == ["translate-de_en-0_2"]


def test_checksum_mismatch_installs_nothing(server, env):
    server.offer(served_package_bytes(), sha256="0" * 64)
    result = run_cli("models", "install", "de", "en")
    assert result.exit_code == 2
    assert "checksum mismatch" in one_error_line(result)
    assert leftovers(env) == []


def test_unreachable_package_link_says_how_to_install_offline(server, env):
    server.offer(served_package_bytes())
    del server.files["/translate-de_en-0_1.argosmodel"]
    result = run_cli("models", "install", "de", "en")
    assert result.exit_code == 2
    line = one_error_line(result)
    assert "cannot download translate-de_en (HTTP 404" in line
    assert "dolmetsch models install FILE.argosmodel" in line
    assert leftovers(env) == []


def test_offline_install_fails_fast_with_one_line(env, monkeypatch):
    monkeypatch.setenv("ARGOS_PACKAGE_INDEX", f"http://127.0.0.1:{closed_port()}/")
    completed = subprocess.run(
        [sys.executable, "-c", "from dolmetsch.cli import main; main()", "models", "install", "de", "en"],
        capture_output=True,
        text=True,
        timeout=60,  # a refused connection fails at once: no deadline, no retry to wait for
    )
    assert completed.returncode == 2
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1, completed.stderr
    assert "cannot reach the Argos package index" in lines[0]
    assert "dolmetsch models install FILE.argosmodel" in lines[0]
    assert "--model FILE" in lines[0]
    assert not env.exists()


def test_silent_index_server_hits_the_deadline(env, monkeypatch):
    """A server that accepts the connection but never answers must not hang the install."""
    from dolmetsch.models import index

    monkeypatch.setattr(index, "INDEX_DEADLINE_S", 0.5)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        monkeypatch.setenv("ARGOS_PACKAGE_INDEX", f"http://127.0.0.1:{silent.getsockname()[1]}/")
        result = run_cli("models", "install", "de", "en")
    assert result.exit_code == 2
    line = one_error_line(result)
    assert "cannot reach the Argos package index (no answer within 0.5 s)" in line
    assert "dolmetsch models install FILE.argosmodel" in line
    assert not env.exists()


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_archive_file_is_refused_and_nothing_lands(case, env, tmp_path):
    build, message = HOSTILE[case]
    archive = tmp_path / "hostile.argosmodel"
    archive.write_bytes(build())
    result = run_cli("models", "install", str(archive))
    assert result.exit_code == 2, result.output
    line = one_error_line(result)
    assert message in line
    assert str(archive) in line
    assert leftovers(env) == []
    assert not (tmp_path / "evil.txt").exists()


@pytest.mark.parametrize("case", sorted(HOSTILE) + ["wrong language pair"])
def test_hostile_archive_from_index_is_refused_and_nothing_lands(case, server, env):
    build, message = WRONG_PAIR if case == "wrong language pair" else HOSTILE[case]
    server.offer(build())
    result = run_cli("models", "install", "de", "en")
    assert result.exit_code == 2, result.output
    assert message in one_error_line(result)
    assert leftovers(env) == []


def test_unpacked_size_is_bounded(env, tmp_path, monkeypatch):
    monkeypatch.setattr(archive_module, "MAX_UNPACKED_BYTES", 1024)
    archive = tmp_path / "big.argosmodel"
    archive.write_bytes(zip_bytes(package_members()))
    result = run_cli("models", "install", str(archive))
    assert result.exit_code == 2
    assert "unpacks to more than" in one_error_line(result)
    assert leftovers(env) == []


def test_check_archive_reads_metadata_without_extracting(tmp_path):
    archive = tmp_path / "ok.argosmodel"
    archive.write_bytes(zip_bytes(package_members()))
    checked = archive_module.check_archive(archive, expected_pair=("de", "en"))
    assert (checked.folder, checked.from_code, checked.to_code) == (FOLDER, "de", "en")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ok.argosmodel"]


def test_open_package_file_unpacks_once_into_the_cache(env, tmp_path):
    archive = tmp_path / "model.argosmodel"
    archive.write_bytes(served_package_bytes())
    first = open_package_file(archive)
    second = open_package_file(archive)
    assert first.path == second.path
    assert first.path.parent == tmp_path / "cache" / "dolmetsch" / "packages"
    assert [p.name for p in first.path.parent.iterdir()] == [first.path.name]  # no scratch left
    assert (first.from_code, first.to_code) == ("de", "en")
    assert not env.exists()  # --model never touches the packages folder


def test_open_package_file_refuses_hostile_archive_and_caches_nothing(env, tmp_path):
    archive = tmp_path / "evil.argosmodel"
    archive.write_bytes(extra(f"{FOLDER}/../../evil.txt"))
    with pytest.raises(InputError, match="would leave the package folder"):
        open_package_file(archive)
    cache = tmp_path / "cache" / "dolmetsch" / "packages"
    assert leftovers(cache) == []


def test_resolve_model_prefers_given_model_and_checks_its_pair(env, tmp_path):
    archive = tmp_path / "ende.argosmodel"
    archive.write_bytes(zip_bytes(package_members(from_code="en", to_code="de")))
    with pytest.raises(InputError, match="package translates en→de, expected de→en"):
        resolve_model(archive, offline=True)
    good = tmp_path / "deen.argosmodel"
    good.write_bytes(served_package_bytes())
    package = resolve_model(good, offline=True)
    assert resolve_model(package.path, offline=True).path == package.path


def test_resolve_model_offline_without_package_says_how_to_get_one(env):
    with pytest.raises(InputError) as caught:
        resolve_model(None, offline=True)
    assert "dolmetsch models install de en" in str(caught.value)
    assert "--model FILE.argosmodel" in str(caught.value)


def test_resolve_model_installs_from_index_when_missing(server, env):
    server.offer(served_package_bytes())
    from dolmetsch.models.progress import SilentProgress

    package = resolve_model(None, offline=False, progress=SilentProgress())
    assert package.path.parent == env
    assert resolve_model(None, offline=True).path == package.path


def test_install_file_for_another_pair_installs_it_beside_and_translate_still_wants_de_en(env, tmp_path):
    archive = tmp_path / "en_de.argosmodel"
    archive.write_bytes(zip_bytes(package_members(from_code="en", to_code="de")))
    result = run_cli("models", "install", str(archive))
    assert result.exit_code == 0, result.output
    assert "Installed en→de" in result.output
    assert [p.codes for p in installed_packages(env)] == [("en", "de")]  # for `serve`, beside de→en
    with pytest.raises(InputError, match="no de→en Argos package is installed"):
        resolve_model(None, offline=True)  # `translate` never takes it for de→en


FAILING_FILES = {
    "not a zip": HOSTILE["not a zip"][0],
    "bad crc": with_bad_crc,  # found only while extracting, after the scratch folder was made
    "missing file": None,
}


@pytest.mark.parametrize("case", sorted(FAILING_FILES))
def test_failed_file_install_creates_no_packages_folder(case, env, tmp_path, monkeypatch):
    packages_dir = tmp_path / "new" / "packages"
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(packages_dir))
    archive = tmp_path / "package.argosmodel"
    if FAILING_FILES[case] is not None:
        archive.write_bytes(FAILING_FILES[case]())
    result = run_cli("models", "install", str(archive))
    assert result.exit_code == 2, result.output
    one_error_line(result)
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize("case", ["unreachable index", "bad crc", "wrong pair", "checksum mismatch"])
def test_failed_index_install_creates_no_packages_folder(case, server, tmp_path, monkeypatch):
    packages_dir = tmp_path / "new" / "packages"
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(packages_dir))
    if case == "unreachable index":
        monkeypatch.setenv("ARGOS_PACKAGE_INDEX", f"http://127.0.0.1:{closed_port()}/")
    elif case == "bad crc":
        server.offer(with_bad_crc())
    elif case == "wrong pair":
        server.offer(WRONG_PAIR[0]())
    else:
        server.offer(served_package_bytes(), sha256="0" * 64)
    result = run_cli("models", "install", "de", "en")
    assert result.exit_code == 2, result.output
    one_error_line(result)
    assert not (tmp_path / "new").exists()


def test_failed_rename_into_place_restores_the_previous_package(env, tmp_path, monkeypatch):
    first = tmp_path / "first.argosmodel"
    first.write_bytes(zip_bytes(package_members(version="0.1")))
    assert run_cli("models", "install", str(first)).exit_code == 0
    same_folder_newer = tmp_path / "newer.argosmodel"
    same_folder_newer.write_bytes(zip_bytes(package_members(version="0.2")))
    real_rename = os.rename

    def rename_failing_into_place(source, target):
        if Path(source).name == "unpacked":
            raise OSError(errno.EIO, "simulated failure")
        real_rename(source, target)

    monkeypatch.setattr(os, "rename", rename_failing_into_place)
    result = run_cli("models", "install", str(same_folder_newer))
    assert result.exit_code == 2
    assert "cannot install package here (simulated failure)" in one_error_line(result)
    [package] = installed_packages(env)
    assert (package.path, package.package_version) == (env / FOLDER, "0.1")
    assert (package.model_dir / "model.bin").read_bytes() == FAKE_MODEL
    assert leftovers(env) == [FOLDER]


def test_stale_scratch_folders_are_removed_and_young_ones_kept(env, tmp_path):
    env.mkdir()
    now = time.time()
    hour = 3600
    ages = {".dolmetsch-stale": 25 * hour, ".dolmetsch-young": 23 * hour, ".not-ours": 48 * hour}
    for name, age in ages.items():
        (env / name).mkdir()
        (env / name / "partial.bin").write_bytes(b"x")
        os.utime(env / name, (now - age, now - age))
    archive = tmp_path / "package.argosmodel"
    archive.write_bytes(zip_bytes(package_members()))
    assert run_cli("models", "install", str(archive)).exit_code == 0
    assert leftovers(env) == [".dolmetsch-young", ".not-ours", FOLDER]


def test_damaged_cache_entry_is_rebuilt(env, tmp_path):
    archive = tmp_path / "model.argosmodel"
    archive.write_bytes(zip_bytes(package_members()))
    first = open_package_file(archive)
    (first.model_dir / "model.bin").unlink()
    rebuilt = open_package_file(archive)
    assert rebuilt.path == first.path
    assert (rebuilt.model_dir / "model.bin").read_bytes() == FAKE_MODEL
    assert leftovers(package_cache_dir()) == [first.path.name]  # the damaged copy went with the scratch


def test_model_for_another_pair_is_refused_before_it_is_unpacked(env, tmp_path, monkeypatch):
    archive = tmp_path / "en_de.argosmodel"
    archive.write_bytes(zip_bytes(package_members(from_code="en", to_code="de")))

    def unpack_forbidden(*args, **kwargs):
        raise AssertionError("a package for the wrong pair was unpacked")

    monkeypatch.setattr(install_module, "unpack_archive", unpack_forbidden)
    with pytest.raises(InputError, match="package translates en→de, expected de→en"):
        resolve_model(archive, offline=True)
    assert not (tmp_path / "cache").exists()


def test_remove_renames_the_package_away_before_deleting_it(env, tmp_path, monkeypatch):
    archive = tmp_path / "package.argosmodel"
    archive.write_bytes(zip_bytes(package_members()))
    assert run_cli("models", "install", str(archive)).exit_code == 0
    real_rmtree = shutil.rmtree
    deletions = []

    def recording_rmtree(path, *args, **kwargs):
        path = Path(path)
        moved = path / "removed-0" / "model" / "model.bin"
        deletions.append((path, (env / FOLDER).exists(), moved.is_file()))
        real_rmtree(path, *args, **kwargs)

    monkeypatch.setattr(shutil, "rmtree", recording_rmtree)
    result = run_cli("models", "remove", "de", "en")
    assert result.exit_code == 0, result.output
    [(deleted, still_in_place, moved_whole)] = deletions  # one deletion: the scratch folder
    assert deleted.parent == env and deleted.name.startswith(".dolmetsch-")
    assert not still_in_place and moved_whole
    assert leftovers(env) == []


def test_remove_that_cannot_rename_leaves_the_package_whole(env, tmp_path, monkeypatch):
    archive = tmp_path / "package.argosmodel"
    archive.write_bytes(zip_bytes(package_members()))
    assert run_cli("models", "install", str(archive)).exit_code == 0

    def rename_refused(source, target):
        raise OSError(errno.EACCES, "simulated refusal")

    monkeypatch.setattr(os, "rename", rename_refused)
    result = run_cli("models", "remove", "de", "en")
    assert result.exit_code == 2
    assert "cannot remove package (simulated refusal)" in one_error_line(result)
    [package] = installed_packages(env)
    assert (package.model_dir / "model.bin").read_bytes() == FAKE_MODEL
    assert leftovers(env) == [FOLDER]
