"""The server process's memory: large blocks kept returnable, and freed memory handed back.

Under an audience, torch and numpy work runs in many of Gradio's worker threads; glibc gives each
its own heap arena, and memory freed there mostly stays with the process. These two calls let it
go back to the system after the audience leaves (`python -m benchmarks.audience` measures it).
A process that serves no audience (the test suite) calls keep_freed_memory() instead, which turns
them off. All are no-ops where the C library is not glibc. No UI import.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import threading


def _libc():  # noqa: ANN202
    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")


_keeping = False  # keep_freed_memory() was called: the two calls below do nothing


def return_freed_memory() -> None:
    """Collect garbage and hand freed heap memory back to the system (glibc's malloc_trim).

    Torch and numpy work in Gradio's worker threads leaves freed blocks spread over glibc's
    per-thread arenas, so the process's memory would not shrink after an audience leaves
    without this. A no-op where there is no glibc.
    """
    if _keeping:
        return
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
    if _keeping:
        return
    with contextlib.suppress(OSError, AttributeError):
        _libc().mallopt(M_MMAP_THRESHOLD, threshold)


M_TRIM_THRESHOLD, M_TOP_PAD = -1, -2  # mallopt parameter numbers (malloc.h)


def keep_freed_memory() -> None:
    """For a process that serves no audience (the test suite): keep freed memory for the next
    allocation instead of handing it back to the kernel, which maps it again, zeroed, page by page.
    Blocks up to 32 MB (glibc's largest threshold) come from the heap, and the heap is never
    trimmed; the server's returning calls above become no-ops. Under the tests' load a fifth of the
    CPU time was the kernel's, mostly such page faults; a DDPM sampling test's kernel time fell 4x."""
    global _keeping
    _keeping = True
    with contextlib.suppress(OSError, AttributeError):
        libc = _libc()
        libc.mallopt(M_MMAP_THRESHOLD, 32 * 2**20)
        libc.mallopt(M_TRIM_THRESHOLD, 2**31 - 1)
        libc.mallopt(M_TOP_PAD, 256 * 2**20)


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
