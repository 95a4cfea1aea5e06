"""A deterministic stream computed once for everyone who asks for it: the streamed kin of memo.py.

An audience pressing the same default "Sample" sends the same inputs thirty times at once. With

    samples = SharedStreams(draw_samples, keep=8)   # draw_samples(*key) -> Iterator[Frame]
    for frame in samples(16, 0, 1.0): ...

the first caller with a key starts the generator on a thread of its own; every caller with the same
key, at the same time or later, reads the same items as they come (a later one replays them from
the start, then waits for the rest; `latest=True` skips to the newest item instead). The last `keep`
streams stay in memory. A stream that raised is re-raised to its readers and started afresh by the
next caller. The producer runs to its end even if every reader has gone, so its cost must be bounded
(the callers validate sizes first).

Only for generators that are pure functions of hashable, already validated arguments, whose items
are never mutated by a reader.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class _Stream(Generic[T]):
    def __init__(self) -> None:
        self.items: list[T] = []
        self.done = False
        self.error: BaseException | None = None
        self.changed = threading.Condition()

    def run(self, items: Iterator[T]) -> None:
        try:
            for item in items:
                with self.changed:
                    self.items.append(item)
                    self.changed.notify_all()
        except BaseException as exc:  # noqa: BLE001 (handed to every reader)
            self.error = exc
        finally:
            with self.changed:
                self.done = True
                self.changed.notify_all()

    def read(self, latest: bool) -> Iterator[T]:
        k = 0
        while True:
            with self.changed:
                while k >= len(self.items) and not self.done:
                    self.changed.wait()
                if k >= len(self.items):
                    if self.error is not None:
                        raise self.error
                    return
                if latest:  # a reader behind the producer skips to the newest item
                    k = len(self.items) - 1
                item = self.items[k]
            k += 1
            yield item


class SharedStreams(Generic[T]):
    """produce(*key) -> Iterator[T], run once per key for every reader (see the module's doc)."""

    def __init__(self, produce: Callable[..., Iterator[T]], keep: int = 8, name: str = "shared-stream") -> None:
        self.produce, self.keep, self.name = produce, keep, name
        self._streams: OrderedDict[Hashable, _Stream[T]] = OrderedDict()
        self._lock = threading.Lock()
        self.started = 0  # producers started so far (the audience tests read it)

    def __call__(self, *key: Hashable, latest: bool = False) -> Iterator[T]:
        """The stream of `key`'s items; with latest=True, a reader that falls behind gets only the
        newest item each time it asks (a view that redraws: it never shows stale frames), and
        always the last."""
        with self._lock:
            stream = self._streams.get(key)
            if stream is None or stream.error is not None:
                stream = self._streams[key] = _Stream()
                self.started += 1
                threading.Thread(target=stream.run, args=(self.produce(*key),), name=self.name, daemon=True).start()
            self._streams.move_to_end(key)
            finished = [k for k, s in self._streams.items() if s.done and k != key]
            for old in finished[:max(0, len(self._streams) - self.keep)]:
                del self._streams[old]
        return stream.read(latest)

    def clear(self) -> None:
        with self._lock:
            self._streams.clear()
