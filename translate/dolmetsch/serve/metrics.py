"""Prometheus metrics of one server, in a registry of its own (never the process-wide default)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

ROUTES = (
    "/", "/translate", "/translate_file", "/download_file", "/languages", "/detect",
    "/frontend/settings", "/health", "/metrics",
)
"""Paths named in labels; anything else is `other`, so label sets stay bounded."""


def route_label(path: str) -> str:
    if path.startswith("/download_file/"):
        return "/download_file"
    return path if path in ROUTES else "other"


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter("dolmetsch_requests", "HTTP requests answered", ["path", "method", "status"], registry=r)
        self.latency = Histogram(
            "dolmetsch_request_seconds", "Time to answer a request", ["path"], registry=r,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )
        self.batch_sentences = Histogram(
            "dolmetsch_batch_sentences", "Distinct sentences decoded together in one batch", registry=r,
            buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512),
        )
        self.batch_requests = Histogram(
            "dolmetsch_batch_requests", "Requests whose sentences shared one batch", registry=r,
            buckets=(1, 2, 4, 8, 16, 32, 64, 128),
        )
        self.queue_depth = Gauge("dolmetsch_queue_sentences", "Sentences waiting for the decoder", registry=r)
        self.sentences = Counter("dolmetsch_sentences", "Sentences answered, by where the English came from", ["origin"], registry=r)
        self.cache_hits = Counter("dolmetsch_cache_hits", "Sentences answered without decoding", ["source"], registry=r)
        self.rejected = Counter("dolmetsch_rejected", "Requests refused for a full queue (503)", registry=r)

    def batch(self, sentences: int, requests: int) -> None:
        self.batch_sentences.observe(sentences)
        self.batch_requests.observe(requests)
