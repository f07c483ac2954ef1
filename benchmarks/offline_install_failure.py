"""How long installing the de→en package takes to fail when the package index is out of reach.

Compares `dolmetsch models install de en` with Argos' own `argospm install translate-de_en`
against the same unreachable index: a closed loopback port, the default index URL (which
cannot be reached on an offline machine), and a loopback port that accepts connections but
never answers. Each command runs under `timeout 120` with HOME, the
XDG folders and ARGOS_PACKAGES_DIR in a throwaway folder, so nothing touches the real home.

    python benchmarks/offline_install_failure.py
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TIMEOUT_S = 120
DEFAULT_INDEX = None  # leave ARGOS_PACKAGE_INDEX unset: both tools use their default URL


def closed_loopback_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def silent_loopback_server() -> socket.socket:
    """A port that accepts connections and never answers, as a captive or stalled network does."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    return listener


def tool(name: str) -> list[str]:
    beside_python = Path(sys.executable).parent / name
    found = str(beside_python) if beside_python.exists() else shutil.which(name)
    if found:
        return [found]
    if name == "argospm":
        return [sys.executable, "-c", "from argostranslate.argospm import main; main()"]
    return [sys.executable, "-c", "from dolmetsch.cli import main; main()"]


def run(command: list[str], index_url: str | None) -> dict:
    with tempfile.TemporaryDirectory(prefix="offline-install-") as scratch:
        env = {key: value for key, value in os.environ.items() if not key.startswith(("ARGOS_", "XDG_"))}
        env.update(
            HOME=f"{scratch}/home",
            XDG_DATA_HOME=f"{scratch}/data",
            XDG_CONFIG_HOME=f"{scratch}/config",
            XDG_CACHE_HOME=f"{scratch}/cache",
            ARGOS_PACKAGES_DIR=f"{scratch}/packages",
        )
        if index_url is not None:
            env["ARGOS_PACKAGE_INDEX"] = index_url
        started = time.monotonic()
        completed = subprocess.run(
            ["timeout", str(TIMEOUT_S), *command], env=env, capture_output=True, text=True, cwd=scratch
        )
        elapsed = time.monotonic() - started
    output = (completed.stderr + completed.stdout).strip().splitlines()
    return {
        "seconds": elapsed,
        "exit": completed.returncode,
        "lines": len(output),
        "traceback": any(line.startswith("Traceback") for line in output),
        "last": output[-1][:150] if output else "",
        "timed_out": completed.returncode == 124,
    }


def report(label: str, result: dict) -> None:
    timed_out = " (killed by timeout)" if result["timed_out"] else ""
    print(
        f"  {label:<10} {result['seconds']:8.2f} s  exit {result['exit']}{timed_out}  "
        f"{result['lines']} output lines  traceback: {'yes' if result['traceback'] else 'no'}"
    )
    print(f"  {'':<10} last line: {result['last']}")


def main() -> None:
    dolmetsch = [*tool("dolmetsch"), "models", "install", "de", "en"]
    argospm = [*tool("argospm"), "install", "translate-de_en"]
    silent = silent_loopback_server()
    silent_url = f"http://127.0.0.1:{silent.getsockname()[1]}/"
    for title, index_url in (
        ("closed loopback port", closed_loopback_url()),
        ("default index URL (unreachable offline)", DEFAULT_INDEX),
        ("loopback server that accepts but never answers", silent_url),
    ):
        print(f"{title}: {index_url or 'ARGOS_PACKAGE_INDEX unset'}")
        ours = run(dolmetsch, index_url)
        theirs = run(argospm, index_url)
        report("dolmetsch", ours)
        report("argospm", theirs)
        ratio = theirs["seconds"] / ours["seconds"] if ours["seconds"] else float("inf")
        print(f"  argospm / dolmetsch time: {ratio:.1f}x\n")
    silent.close()


if __name__ == "__main__":
    main()
