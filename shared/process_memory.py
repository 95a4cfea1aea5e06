"""The server process's memory: large blocks kept returnable, and freed memory handed back.

Under an audience, torch and numpy work runs in many of Gradio's worker threads; glibc gives each
its own heap arena, and memory freed there mostly stays with the process. These two calls let it
go back to the system after the audience leaves (`python -m benchmarks.audience` measures it).
Both are no-ops where the C library is not glibc. No UI import.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import threading


def _libc():  # noqa: ANN202
    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")


def return_freed_memory() -> None:
    """Collect garbage and hand freed heap memory back to the system (glibc's malloc_trim).

    Torch and numpy work in Gradio's worker threads leaves freed blocks spread over glibc's
    per-thread arenas, so the process's memory would not shrink after an audience leaves
    without this. A no-op where there is no glibc.
    """
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        _libc().malloc_trim(0)


M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter number (malloc.h)
MMAP_THRESHOLD_BYTES = 4 * 2**20


def keep_large_blocks_returnable(threshold: int = MMAP_THRESHOLD_BYTES) -> None:
    """Serve allocations above `threshold` with their own memory maps, returned when freed.

    glibc's threshold starts at 128 KB but rises (up to 32 MB) each time a mapped block is freed,
    after which the 1-20 MB activation buffers of the models' forward passes come from the heap
    arenas of Gradio's worker threads, and stay there, fragmented, after an audience has left
    (measured: +330 MB that did not come back; +56 MB with this). A fixed 4 MB keeps them
    returnable, with no slowdown beyond run-to-run noise in `python -m benchmarks.audience`.
    A no-op where there is no glibc.
    """
    with contextlib.suppress(OSError, AttributeError):
        _libc().mallopt(M_MMAP_THRESHOLD, threshold)


_trim_lock = threading.Lock()
_trim_timer: threading.Timer | None = None


def trim_soon(delay_s: float = 2.0) -> None:
    """return_freed_memory() once, `delay_s` after the last of a burst of closed sessions."""
    global _trim_timer
    with _trim_lock:
        if _trim_timer is not None:
            _trim_timer.cancel()
        _trim_timer = threading.Timer(delay_s, return_freed_memory)
        _trim_timer.daemon = True
        _trim_timer.start()
