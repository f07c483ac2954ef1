"""Keep glibc from handing the decoder's buffers back to the kernel after every batch.

CTranslate2 allocates and frees large blocks for each batch (beam × batch × length activations and
the decoder's key/value cache). glibc serves blocks above its mmap threshold with fresh mmap calls
and trims the heap top after each free, so every batch pays page faults again for memory it just
released: on a Transformer-base model that was 27 million faults and more kernel than user time.
Raising the mmap threshold, keeping a top pad and not trimming keeps those pages mapped; the
resident size stays at the largest batch's working set instead of growing with the document.

This is what MALLOC_MMAP_THRESHOLD_ / MALLOC_TRIM_THRESHOLD_ / MALLOC_TOP_PAD_ do when set before a
process starts; `mallopt` does the same from inside. A user who set any MALLOC_ variable keeps it.
"""

from __future__ import annotations

import ctypes
import os

M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD = -1, -2, -3
"""glibc's mallopt parameter numbers (malloc.h)."""
MIB = 1 << 20
DECODER_SETTINGS = {
    M_MMAP_THRESHOLD: 32 * MIB,  # glibc's largest allowed value: big batch buffers come from the heap
    M_TRIM_THRESHOLD: (1 << 31) - 1,  # mallopt takes an int: 2 GiB, i.e. never trim
    M_TOP_PAD: 256 * MIB,  # grow the heap in large steps (untouched pad pages are not resident)
}


def tune_allocator(libc: object | None = None, environ: dict | None = None) -> bool:
    """Apply DECODER_SETTINGS with mallopt; False (and nothing changed) without glibc or when the
    user tuned malloc through the environment."""
    environ = os.environ if environ is None else environ
    if any(name.startswith("MALLOC_") for name in environ):
        return False
    if libc is None:
        try:
            libc = ctypes.CDLL(None)
        except OSError:
            return False
    mallopt = getattr(libc, "mallopt", None)  # glibc has it; musl and macOS do not
    if mallopt is None:
        return False
    return all(mallopt(param, value) == 1 for param, value in DECODER_SETTINGS.items())
