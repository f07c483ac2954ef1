"""The glossary matcher's index, kept on disk between runs, so a big term base is not lemmatised every time.

Indexing reduces every word of every entry to its lookup keys (simplemma lemmas and fallback
stems) and threads the entries into a trie: seconds for a term base of 100,000 rows, paid again
in every run. The finished trie is a vocabulary and four sorted arrays of numbers, so it is
written with `marshal` to `$XDG_CACHE_HOME/dolmetsch/glossary-index/KEY.index`, where KEY is the
SHA-256 of everything the index is made from: each entry's German form and whether it matches
verbatim, in order (an edited German form makes another index; an edited rendering or note
keeps it, since the matcher reads those from the glossary itself), the index format, a hash of
the matching rules (`matcher.py`), the simplemma release, and the Python version and byte order.
A later run with the same glossary reads it back in a fraction of a second.

The cache is optional. A file is used only when its header names this format, the SHA-256 of
its payload matches the one stored with it (marshal is never handed bytes that fail that) and
the payload has the index's shape under the same key; any other file is ignored and rebuilt.
A folder that cannot be written costs the next run the indexing again, nothing else. The
`KEEP_FILES` most recently used indexes are kept; older ones are removed when a new one is
written, so a term base edited day by day does not fill the disk.
"""

from __future__ import annotations

import gc
import hashlib
import json
import marshal
import os
import sys
from array import array
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from dolmetsch.atomic import write_bytes_atomic
from dolmetsch.cache import user_cache_dir
from dolmetsch.errors import InputError
from dolmetsch.glossary.model import Entry

INDEX_FORMAT = 1
"""Bumped when the trie's layout changes, so an old file is never read as a new one."""
MAGIC = b"dolmetsch glossary index"
MIN_ENTRIES = 1000
"""Smaller glossaries index faster than a cache file is checked, so they are not cached."""
KEEP_FILES = 8
SUFFIX = ".index"
RULES = Path(__file__).with_name("matcher.py")
"""The matching rules: an index built under other rules is another index."""
INDEX_TYPECODE = "q"
"""The index's numbers: signed 64-bit, in this machine's byte order."""


class TrieIndex(NamedTuple):
    """What a matcher looks entries up in (see `matcher.build_index`): the symbols its edges read,
    the edges and the nodes they lead to, the nodes where entries end and those entries'
    positions in the glossary (sorted arrays), and how many entries it holds."""

    symbols: dict
    edges: array
    targets: array
    end_nodes: array
    end_orders: array
    size: int


@contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Pause the cycle collector while a trie is made: it makes no cycles, but its hundreds of
    thousands of edge tuples would have the collector walk them again and again (seconds)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def index_cache_dir() -> Path:
    """$XDG_CACHE_HOME/dolmetsch/glossary-index (default ~/.cache), read at call time."""
    return user_cache_dir("glossary-index")


def _rules_digest() -> str:
    try:
        return hashlib.sha256(RULES.read_bytes()).hexdigest()
    except OSError:  # not installed as files: the format version alone must tell
        return "unknown"


def _simplemma_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("simplemma")
    except PackageNotFoundError:
        return "unknown"


def index_key(entries: Sequence[Entry]) -> str:
    """SHA-256 of what the index is built from (see the module docstring)."""
    digest = hashlib.sha256()
    versions = [INDEX_FORMAT, _rules_digest(), _simplemma_version(), marshal.version, sys.version_info[:2], sys.byteorder]
    digest.update(json.dumps(versions).encode())
    digest.update(json.dumps([[e.de, e.verbatim] for e in entries], ensure_ascii=False).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _header() -> bytes:
    return MAGIC + b" %d\n" % INDEX_FORMAT


class IndexCache:
    """Glossary indexes in one folder, one file per key; every failure reads as a miss."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def path(self, key: str) -> Path:
        return self.folder / f"{key}{SUFFIX}"

    def load(self, key: str) -> TrieIndex | None:
        """The index stored under `key`, or None when it is missing, damaged or not this format."""
        path = self.path(key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        header = _header()
        digest_end = len(header) + 64
        if not data.startswith(header) or data[digest_end : digest_end + 1] != b"\n":
            return None
        payload = data[digest_end + 1 :]
        if hashlib.sha256(payload).hexdigest().encode() != data[len(header) : digest_end]:
            return None
        try:
            stored = marshal.loads(payload)
        except (EOFError, ValueError, TypeError):
            return None
        index = _unpack(stored, key)
        if index is None:
            return None
        try:
            os.utime(path)  # recently used: kept when older indexes are pruned
        except OSError:
            pass
        return index

    def store(self, key: str, index: TrieIndex) -> None:
        """Write the index atomically and prune old ones; a failure only means indexing again next run."""
        payload = marshal.dumps((key, index.symbols, *(part.tobytes() for part in index[1:5]), index.size))
        data = _header() + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload
        try:
            write_bytes_atomic(self.path(key), data)
        except (InputError, OSError):
            return
        self.prune(keep=key)

    def prune(self, keep: str) -> None:
        """Remove all but the `KEEP_FILES` most recently used indexes (never `keep`)."""
        try:
            found = [(p.stat().st_mtime, p) for p in self.folder.glob(f"*{SUFFIX}") if p.stem != keep]
        except OSError:
            return
        for _, old in sorted(found, reverse=True)[max(KEEP_FILES - 1, 0) :]:
            try:
                old.unlink()
            except OSError:
                pass


def _unpack(stored: object, key: str) -> TrieIndex | None:
    """The index in a stored tuple, if it has the right shape and was stored under `key`."""
    if not (isinstance(stored, tuple) and len(stored) == len(TrieIndex._fields) + 1 and stored[0] == key):
        return None
    _, symbols, *blobs, size = stored
    if not (isinstance(symbols, dict) and isinstance(size, int) and all(isinstance(b, bytes) for b in blobs)):
        return None
    parts = []
    for blob in blobs:
        part = array(INDEX_TYPECODE)
        if len(blob) % part.itemsize:
            return None
        part.frombytes(blob)
        parts.append(part)
    edges, targets, end_nodes, end_orders = parts
    if len(edges) != len(targets) or len(end_nodes) != len(end_orders):
        return None
    return TrieIndex(symbols, edges, targets, end_nodes, end_orders, size)


def load_or_build(
    entries: Sequence[Entry], build: Callable[[Sequence[Entry]], TrieIndex], cache: IndexCache | None = None
) -> TrieIndex:
    """The index of `entries`: from the cache when it holds a sound copy, else built (and stored)."""
    if len(entries) < MIN_ENTRIES:
        return build(entries)
    cache = cache if cache is not None else IndexCache(index_cache_dir())
    key = index_key(entries)
    found = cache.load(key)
    if found is not None:
        return found
    with no_cyclic_gc():
        index = build(entries)
    cache.store(key, index)
    return index
