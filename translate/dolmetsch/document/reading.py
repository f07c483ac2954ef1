"""Reading a German source: its bytes, bounded, decoded to text; the base of every source format.

Decoding uses charset-normalizer, restricted to the encodings German text actually arrives in,
so CP1252 is not mistaken for a Central-European code page with the same umlauts.
"""

from __future__ import annotations

import codecs
import os
import stat
import sys
from pathlib import Path
from typing import ClassVar

from dolmetsch.document.blocks import parse_blocks
from dolmetsch.document.model import Document
from dolmetsch.errors import InputError

GERMAN_TEXT_ENCODINGS = ("utf_8", "utf_16", "cp1252", "iso8859_15", "mac_roman", "cp850")
MAX_SOURCE_BYTES = 50 * 1024 * 1024
MAX_CATALOGUE_BYTES = 5 * MAX_SOURCE_BYTES
"""A PO, POT, TMX or bitext of the largest source holds each sentence twice, with comments: about
4.4 times the source's size."""
MAX_SENTENCE_CHARS = 64 * 1024
"""No prose sentence comes near this (10,000 words); it is also the longest string a PO entry may
hold when read back, so every catalogue a run writes can be read again."""


def decode_text(data: bytes, where: str) -> tuple[str, str]:
    """Return (text, encoding name); reject empty, binary and undecodable input."""
    if data.startswith(codecs.BOM_UTF8):
        data, bom = data[len(codecs.BOM_UTF8) :], "utf_8_sig"
    else:
        bom = ""
    if not data.strip():
        raise InputError(where, "the file is empty")
    if not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and b"\x00" in data[:8192]:
        utf16 = _utf16_without_bom(data)
        if utf16 is None:
            raise InputError(where, "not a text file (binary data)")
        data = codecs.BOM_UTF16_LE + data if utf16 == "le" else codecs.BOM_UTF16_BE + data
    try:
        text, encoding = data.decode("utf-8"), bom or "utf_8"
    except UnicodeDecodeError:
        text, encoding = _decode_code_page(data, where)
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError(where, "the file holds only white space: nothing to translate")
    if any(ch in text for ch in "\x00\ufffd") or _control_share(text) > 0.01:
        raise InputError(where, "not a text file (binary data or control characters)")
    return text, encoding


GERMAN_CHARACTERS = frozenset("äöüÄÖÜß„“‚‘»«–—€")
"""What a Western code page should turn a German text's non-ASCII bytes into."""


def _decode_code_page(data: bytes, where: str) -> tuple[str, str]:
    """Text that is not UTF-8: UTF-16 by its BOM, else the Western code page that turns its
    non-ASCII bytes into the most German characters (short texts fool charset-normalizer into
    Mac Roman: „Präsident“ → „Pr‰sident“), else charset-normalizer's best guess."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf_16"), "utf_16"
    scores = []
    for rank, encoding in enumerate(e for e in GERMAN_TEXT_ENCODINGS if not e.startswith("utf")):
        try:
            decoded = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        non_ascii = [char for char in decoded if ord(char) > 127]
        german = sum(char in GERMAN_CHARACTERS for char in non_ascii)
        scores.append((german - (len(non_ascii) - german), -rank, encoding, decoded))
    best = max(scores, default=None)
    if best is not None and best[0] > 0:
        return best[3], best[2]
    from charset_normalizer import from_bytes  # only for text no code page reads as German: 0.1 s to load

    guess = from_bytes(data, cp_isolation=list(GERMAN_TEXT_ENCODINGS)).best()
    if guess is None:
        raise InputError(where, "cannot decode the text (not UTF-8, UTF-16 or a Western code page)")
    return str(guess), guess.encoding


def _utf16_without_bom(data: bytes) -> str | None:
    """'le' or 'be' when the NUL bytes sit where UTF-16 puts them for Latin text, else None."""
    sample = data[:8192]
    odd, even = sample[1::2], sample[0::2]
    if len(sample) % 2 == 0 and odd.count(0) > 0.6 * len(odd) and not even.count(0):
        return "le"
    if len(sample) % 2 == 0 and even.count(0) > 0.6 * len(even) and not odd.count(0):
        return "be"
    return None


def _control_share(text: str) -> float:
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\t\f")
    return controls / max(len(text), 1)


class SourceFormat:
    """Base of every source format: a name, the suffixes it reads, and how a file's bytes become a
    Document. A subclass sets the class attributes and overrides `parse`; `dolmetsch.sources`
    lists them."""

    name: ClassVar[str]
    suffixes: ClassVar[tuple[str, ...]]
    """File suffixes this format reads, lower case with the dot (`.txt`)."""

    def parse(self, data: bytes, where: str, name: str) -> Document:
        """The Document of `data`; `where` names the source in messages and references, `name` its outputs."""
        raise NotImplementedError


def read_source_bytes(source: str) -> tuple[bytes, str]:
    """The bytes of SOURCE ("-" for standard input), at most MAX_SOURCE_BYTES, and how to name it."""
    if source == "-":
        return _read_bounded(sys.stdin.buffer, "<stdin>"), "<stdin>"
    path = Path(source)
    where = printable(source)
    if path.is_dir():
        raise InputError(where, "is a directory, not a text file")
    if not path.exists():
        raise InputError(where, "no such file")
    try:
        with path.open("rb") as handle:
            return _read_bounded(handle, where), where
    except OSError as exc:
        raise InputError(where, f"cannot read ({exc.strerror})") from None


def output_stem(source: str, name: str | None = None) -> str:
    """The name SOURCE's outputs get: `name`, else the file name without its suffix ('stdin' for -)."""
    if name is not None:
        return checked_name(name)
    return checked_name("stdin" if source == "-" else Path(source).stem)


def parse_text(text: str, name: str = "text", source: str | None = None) -> Document:
    """A Document from text already in memory (for library callers); `source` names it in references."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError(source or name, "the text is empty")
    return checked_sentences(parse_blocks(text, source=source or name, name=checked_name(name), encoding="utf_8"))


def checked_sentences(document: Document) -> Document:
    """Refuse a sentence longer than MAX_SENTENCE_CHARS (a table or a dump, not prose): its PO entry
    could not be read back."""
    for segment in document.segments():
        if len(segment.text) > MAX_SENTENCE_CHARS:
            raise InputError(
                document.source, f"a sentence of {len(segment.text):,} characters, more than {MAX_SENTENCE_CHARS:,}: not prose", segment.line
            )
    return document


def _read_bounded(handle, where: str, limit: int = MAX_SOURCE_BYTES) -> bytes:
    """Read at most the size limit, so a device or an endless pipe cannot exhaust memory."""
    data = handle.read(limit + 1)
    if len(data) > limit:
        size = f"{limit // 2**20} MB" if limit % 2**20 == 0 else f"{limit:,} bytes"
        raise InputError(where, f"larger than {size}")
    return data


def read_regular_file(path: Path | str, limit: int = MAX_CATALOGUE_BYTES) -> bytes:
    """The bytes of a file people edit or hand over (PO, POT, TMX, bitext), at most `limit`.

    Only a regular file is read: a FIFO would hang the run and a device (`/dev/zero`) fill memory.
    The file is opened without blocking, so a FIFO is refused at once instead of waiting for a writer.
    """
    where = printable(str(path))
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise InputError(where, "no such file") from None
    except OSError as exc:
        raise InputError(where, f"cannot read ({exc.strerror})") from None
    with os.fdopen(descriptor, "rb") as handle:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise InputError(where, f"is {_file_kind(mode)}, not a regular file")
        try:
            return _read_bounded(handle, where, limit)
        except OSError as exc:
            raise InputError(where, f"cannot read ({exc.strerror})") from None


def _file_kind(mode: int) -> str:
    kinds = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
             (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))
    return next((name for test, name in kinds if test(mode)), "a special file")


def printable(path: str) -> str:
    """A path as text that can be written into UTF-8 outputs (undecodable file-name bytes become �)."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def checked_name(stem: str) -> str:
    """Output names are file names inside the output folders, never paths leading out of them."""
    if not stem or stem in (".", "..") or "/" in stem or "\\" in stem:
        raise InputError(f"output name {stem!r}", "must be a plain file name, without folders (see --name)")
    return printable(stem)
