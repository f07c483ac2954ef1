"""`dolmetsch serve`: the glossary-enforcing translator behind LibreTranslate's HTTP API and DeepL's API v2."""

from __future__ import annotations

import ipaddress
import signal
import sys
from pathlib import Path
from typing import Optional

import typer

from dolmetsch.cli.common import fail, reported_errors
from dolmetsch.cli.run import Device


def serve_command(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on; anything but loopback wants --api-keys."),
    port: int = typer.Option(5000, "--port", min=0, max=65535, help="TCP port (LibreTranslate's 5000 by default)."),
    model: Optional[list[Path]] = typer.Option(None, "--model", "-m", help="An .argosmodel file or an unpacked package folder (repeatable: one per pair, one of them de→en) [default: the installed de→en package and every other installed pair]."),
    offline: bool = typer.Option(False, "--offline", help="Never contact the package index."),
    glossary: Optional[list[Path]] = typer.Option(None, "--glossary", "-g", help="Glossary file or folder (repeatable) [default: ./glossary/ when it exists]."),
    no_glossary: bool = typer.Option(False, "--no-glossary", help="Serve without any glossary."),
    api_keys: Optional[Path] = typer.Option(None, "--api-keys", help="Require a key: a file with one key per line, or JSON {KEY: {\"req_limit\": N, \"char_limit\": N}} (per minute)."),
    locales: Optional[Path] = typer.Option(None, "--locales", help="gettext tree whose reviewed PO entries answer sentences without decoding."),
    tm: Optional[list[Path]] = typer.Option(None, "--tm", help="A TMX translation memory answering sentences without decoding (repeatable)."),
    char_limit: int = typer.Option(5000, "--char-limit", min=0, help="Characters per text (each item of a q list); 0: unlimited."),
    batch_limit: int = typer.Option(100, "--batch-limit", min=0, help="Texts in one q list; 0: unlimited."),
    req_limit: int = typer.Option(0, "--req-limit", min=0, help="Requests per minute per client address (keys carry their own); 0: unlimited."),
    max_body: int = typer.Option(1024 * 1024, "--max-body", min=1024, help="Largest request body in bytes."),
    body_timeout: int = typer.Option(30, "--body-timeout", min=1, help="Seconds a client may take to send its request body (408 after)."),
    max_wait_ms: int = typer.Option(2, "--max-wait-ms", min=0, max=60_000, help="How long the first sentence of a batch waits for others."),
    batch_tokens: int = typer.Option(2048, "--batch-tokens", min=1, help="Source pieces gathered into one decoding batch."),
    queue_limit: int = typer.Option(1024, "--queue-limit", min=1, help="Sentences that may wait for the decoder; beyond, 503 with Retry-After."),
    cache_size: int = typer.Option(20_000, "--cache-size", min=0, help="Translated sentences remembered in this process."),
    file_ttl: int = typer.Option(3600, "--file-ttl", min=1, help="Seconds a translated file stays available for download."),
    drain_timeout: int = typer.Option(60, "--drain-timeout", min=1, help="Seconds SIGTERM waits for requests in flight."),
    data_dir: Optional[Path] = typer.Option(None, "--data-dir", help="Where glossaries uploaded through the DeepL API are kept (in glossaries/) [default: $XDG_DATA_HOME/dolmetsch, ~/.local/share/dolmetsch]."),
    glossary_entries: int = typer.Option(10_000, "--glossary-entries", min=1, help="Entries in one glossary uploaded through the DeepL API."),
    glossaries_per_key: int = typer.Option(1_000, "--glossaries-per-key", min=1, help="Glossaries one API key may store (all clients together, without --api-keys)."),
    glossary_term_bytes: int = typer.Option(1_024, "--glossary-term-bytes", min=1, help="UTF-8 bytes of one term of an uploaded glossary."),
    beam: int = typer.Option(4, "--beam", min=1, max=32, help="Beam size (1 = greedy)."),
    device: Device = typer.Option(Device.cpu, "--device", help="Where to decode."),
    threads: int = typer.Option(0, "--threads", min=0, help="CPU threads per batch (0 = automatic)."),
    compute_type: str = typer.Option("default", "--compute-type", help="CTranslate2 compute type."),
    ray: bool = typer.Option(False, "--ray", help="Decode on Ray Serve replicas: a local Ray instance, or the cluster given by --ray-address."),
    ray_address: Optional[str] = typer.Option(None, "--ray-address", help="A Ray cluster to serve on, from one of its nodes: HEAD:6379, or auto (implies --ray)."),
    replicas: int = typer.Option(2, "--replicas", min=1, help="Ray Serve replicas decoding (with --ray); each loads the model once."),
    replica_cpus: float = typer.Option(0, "--replica-cpus", min=0, help="Ray CPUs each replica reserves, and with --threads 0 the batches it decodes at once (0: locally this machine's cores shared out, on a cluster 1)."),
) -> None:
    """Serve LibreTranslate's API (POST/GET /translate, /languages, /detect, /translate_file, …)
    and DeepL's API v2 (/v2/translate, /v2/glossaries, …) with the glossary enforced; sentences of
    concurrent requests are decoded together.

    Loads the model and glossary once and serves until SIGTERM or Ctrl-C, which finish the
    requests in flight before exiting. With --ray the same server decodes on Ray Serve replicas.
    """
    # the server stack and the pipeline load only here, so --help stays instant
    from dolmetsch.serve.access import load_keys
    from dolmetsch.serve.app import Settings
    from dolmetsch.engine.engine import DecodingOptions
    from dolmetsch.options import RunOptions
    from dolmetsch.serve.engine import Backend, served_packages

    with reported_errors():
        keys = load_keys(api_keys) if api_keys is not None else None
        (given, main), *other_packages = served_packages(model or [], offline=offline)
        options = RunOptions(
            model=given, glossary=glossary, no_glossary=no_glossary, memory_files=tuple(tm or ()), offline=offline,
            decoding=DecodingOptions(beam_size=beam), device=device.value, threads=threads, compute_type=compute_type,
        )
        others = {package.codes: Backend.plain(package, options) for _, package in other_packages}
        if not (ray or ray_address is not None):
            backend = Backend.load(options, locales=locales, package=main)
            cluster = None
        else:
            rayserve = _rayserve()
            backend = rayserve.ingress_backend(options, locales=locales)
            cluster = rayserve.start(
                backend, options, address=ray_address, replicas=replicas, cpus=replica_cpus or None, batch_tokens=batch_tokens,
                max_wait=max_wait_ms / 1000, drain_timeout=drain_timeout, app_name=f"dolmetsch-{port}",
            )
    try:
        _serve(backend, others, cluster, keys, host, port, drain_timeout, Settings(
            char_limit=char_limit, batch_limit=batch_limit, max_body=max_body, body_timeout=body_timeout, req_limit=req_limit, keys=keys,
            max_wait=max_wait_ms / 1000, queue_limit=queue_limit, batch_tokens=batch_tokens, cache_size=cache_size,
            file_ttl=file_ttl, data_dir=data_dir, glossary_entries=glossary_entries, glossaries_per_key=glossaries_per_key,
            glossary_term_bytes=glossary_term_bytes,
        ))
    finally:
        if cluster is not None:
            cluster.close()


def _rayserve():
    """`dolmetsch.serve.rayserve`, or an InputError saying how to install Ray Serve."""
    from dolmetsch.errors import InputError

    try:
        import ray.serve  # noqa: F401  (the optional extra: pip install -e '.[ray]')
    except ImportError:
        raise InputError("--ray", "Ray Serve is not installed; install it with `pip install -e '.[ray]'` (or `pip install 'ray[serve]'`)") from None
    from dolmetsch.serve import rayserve

    return rayserve


def _serve(backend, others, cluster, keys, host: str, port: int, drain_timeout: int, settings) -> None:
    """Serve until SIGTERM or Ctrl-C (with `cluster`, decoding on its Ray Serve replicas; `others`,
    the other pairs' backends, decode in this process)."""
    import uvicorn

    from dolmetsch.serve import deepl
    from dolmetsch.serve.app import create_app

    if keys is None and not _loopback(host):
        sys.stderr.write(f"dolmetsch: warning: serving {host} without --api-keys: anyone who can reach it can translate\n")
    with reported_errors():
        app = create_app(
            backend, settings, apis=[deepl.api], batcher=_rayserve().batcher_for(cluster) if cluster is not None else None, others=others,
        )
    glossary_note = f", glossary {len(backend.glossary)} entries" if backend.glossary is not None else ", no glossary"
    stored = len(app.state.deepl.store)
    stored_note = f", {stored} uploaded glossar{'y' if stored == 1 else 'ies'}" if stored else ""
    ray_note = f" ({cluster.describe()})" if cluster is not None else ""
    others_note = "".join(f", {b.engine.package.pair} ({b.model_name})" for b in others.values())
    sys.stderr.write(
        f"dolmetsch: serving {backend.model_name}{glossary_note}{stored_note}{others_note} on http://{_url_host(host)}:{port}{ray_note}\n"
    )
    config = uvicorn.Config(
        app, host=host, port=port, access_log=False, log_level="warning",
        timeout_graceful_shutdown=drain_timeout, lifespan="on", server_header=False,
    )
    # uvicorn handles SIGINT/SIGTERM while it serves (drain, then stop) and raises the signal again
    # afterwards; a drained shutdown is a clean exit, so that second delivery is ignored
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: None)
    server = uvicorn.Server(config)
    server.run()
    if not server.started:
        raise fail(f"cannot serve on {host}:{port} (see the message above)")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)
