"""Compute ahead of a streaming UI: iterate a slow generator in a worker thread.

Gradio advances a generator handler only after it has post-processed and sent the last value it
yielded, so a handler that computes and draws in one thread leaves the model idle while each
picture is encoded and sent. `run_ahead` keeps the model busy: a worker thread pulls the items
(each one a model step) into a bounded queue while the handler draws; the handler takes what is
ready when it resumes. Torch releases the GIL inside its kernels, so the two overlap on 2 cores.
That pays for small models whose steps leave a core free (the GPT tab); a model that keeps both
cores busy (the diffusion UNet) ran faster without it: see demos.diffusion.sampling.stream.

Closing the consumer (Gradio closes the generator of a cancelled run) stops the worker before its
next item; so does a consumer that stops asking for `idle_s` seconds, and the bounded queue means
at most `depth` items are computed that nobody asked for.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")

_END = object()


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def _put(q: queue.Queue, item: object, stop: threading.Event, idle_s: float) -> bool:
    """Put item, waiting while the queue is full; False once the consumer is gone."""
    waited = 0.0
    while not stop.is_set():
        try:
            q.put(item, timeout=0.05)
            return True
        except queue.Full:
            waited += 0.05
            if waited >= idle_s:
                return False
    return False


def run_ahead(items: Iterator[T], depth: int = 32, idle_s: float = 30.0) -> Iterator[tuple[T, float]]:
    """Yield (item, made_at) from `items`, which runs in a worker thread up to `depth` items ahead.

    made_at is the time.perf_counter() at which the worker finished the item, so the consumer can
    time the computation apart from its own drawing. An exception in `items` is raised here.
    """
    q: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def work() -> None:
        try:
            for item in items:
                if not _put(q, (item, time.perf_counter()), stop, idle_s):
                    return
            _put(q, (_END, 0.0), stop, idle_s)
        except BaseException as error:  # noqa: BLE001 (handed to the consumer, which raises it)
            _put(q, (_Failed(error), 0.0), stop, idle_s)
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    worker = threading.Thread(target=work, name="run-ahead", daemon=True)
    worker.start()
    try:
        while True:
            item, made_at = q.get()
            if item is _END:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item, made_at
    finally:
        stop.set()
        worker.join(timeout=10.0)
