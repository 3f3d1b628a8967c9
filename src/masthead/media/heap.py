"""Giving memory that image work freed back to the operating system (glibc's malloc only).

Pillow allocates a decoded image in blocks of 16 MB with ``malloc``. Once glibc has seen such
a block freed, it raises its mmap threshold and serves the next ones from its heaps, one per
thread in the thread pool, and a heap shrinks only from its top: a server that decoded a few
large images kept most of the memory they took (measured: 620 MB after one 81-megapixel
PNG, 2.4 GB after five). ``malloc_trim(0)`` returns the free pages of every heap. Elsewhere
(musl, macOS) ``release_freed_memory`` does nothing. This module must not tune the allocator
for the whole process: it only asks it to give back what is already free.
"""

from __future__ import annotations

import ctypes
import functools
from collections.abc import Callable


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        trim = ctypes.CDLL(None).malloc_trim  # the C library this process already uses
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_freed_memory() -> None:
    """Return free heap pages to the system; cheap (about a millisecond), safe from any
    thread, a no-op where the C library has no ``malloc_trim``."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
