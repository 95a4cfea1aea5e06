"""A bounded, thread-safe memo for deterministic light actions.

An audience pressing the same default button sends the same inputs thirty times at once. A
function decorated with `@memoised(maxsize)` computes each distinct input once: the first caller
computes, callers with the same key that arrive meanwhile wait for that result instead of
computing it again ("single flight"), and later callers get it from memory. The least recently
used results beyond `maxsize` are dropped. Errors are not stored.

Only for pure functions of hashable, already validated arguments whose results are never
mutated by the caller (return tuples, strings, figures built fresh by the caller...).
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class Memo:
    def __init__(self, fn: Callable[..., Any], maxsize: int) -> None:
        self.fn, self.maxsize = fn, maxsize
        self.results: OrderedDict[tuple, Any] = OrderedDict()
        self.pending: dict[tuple, Future] = {}
        self.lock = threading.Lock()
        self.hits = self.misses = 0

    def __call__(self, *args: Any) -> Any:
        key = args
        with self.lock:
            if key in self.results:
                self.results.move_to_end(key)
                self.hits += 1
                return self.results[key]
            future = self.pending.get(key)
            owner = future is None
            if owner:
                future = self.pending[key] = Future()
                self.misses += 1
            else:
                self.hits += 1
        if not owner:
            return future.result()
        try:
            value = self.fn(*args)
        except BaseException as exc:
            with self.lock:
                del self.pending[key]
            future.set_exception(exc)
            raise
        with self.lock:
            self.results[key] = value
            while len(self.results) > self.maxsize:
                self.results.popitem(last=False)
            del self.pending[key]
        future.set_result(value)
        return value

    def clear(self) -> None:
        with self.lock:
            self.results.clear()


def memoised(maxsize: int = 64) -> Callable[[F], F]:
    """Decorate a pure function of hashable positional arguments (see the module docstring)."""

    def wrap(fn: F) -> F:
        memo = Memo(fn, maxsize)
        functools.update_wrapper(memo, fn)
        return memo  # type: ignore[return-value]

    return wrap
