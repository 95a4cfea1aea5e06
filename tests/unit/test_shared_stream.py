"""shared/shared_stream.py: one producer per key however many read it, at once or later; items in
order for every reader; an error reaches every reader and the next caller starts afresh; finished
streams beyond `keep` are dropped."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from shared.shared_stream import SharedStreams


def test_thirty_readers_at_once_share_one_producer_and_see_every_item_in_order():
    calls = []

    def count(n: int, step_s: float):
        calls.append(n)
        for k in range(n):
            time.sleep(step_s)
            yield k

    streams = SharedStreams(count)
    start = threading.Barrier(30)

    def read(_):
        start.wait()
        return list(streams(5, 0.01))

    with ThreadPoolExecutor(30) as pool:
        got = list(pool.map(read, range(30)))
    assert got == [[0, 1, 2, 3, 4]] * 30 and calls == [5] and streams.started == 1
    assert list(streams(5, 0.01)) == [0, 1, 2, 3, 4] and calls == [5]  # a later reader replays it
    assert list(streams(3, 0.01)) == [0, 1, 2] and calls == [5, 3]  # another key, another producer


def test_a_reader_sees_items_as_they_come_not_at_the_end():
    release, went_on = threading.Event(), threading.Event()

    def slow():
        yield "first"
        release.wait(60)  # a guard: a reader that waited for the end would wait this long, then fail below
        went_on.set()
        yield "second"

    reader = SharedStreams(slow)()
    assert next(reader) == "first" and not went_on.is_set()  # read while the producer still waited
    release.set()
    assert list(reader) == ["second"]


def test_an_error_reaches_its_readers_and_the_next_caller_starts_again():
    tries = []

    def flaky():
        tries.append(1)
        yield 1
        if len(tries) == 1:
            raise ValueError("broken")
        yield 2

    streams = SharedStreams(flaky)
    with pytest.raises(ValueError, match="broken"):
        list(streams())
    assert list(streams()) == [1, 2] and len(tries) == 2


def test_finished_streams_beyond_keep_are_dropped_and_drawn_again():
    calls = []

    def one(k: int):
        calls.append(k)
        yield k

    streams = SharedStreams(one, keep=2)
    for k in (1, 2, 3):
        assert list(streams(k)) == [k]
    assert list(streams(3)) == [3] and calls == [1, 2, 3]  # kept
    assert list(streams(1)) == [1] and calls == [1, 2, 3, 1]  # dropped, drawn again


def test_a_reader_that_falls_behind_can_skip_to_the_newest_item():
    streams = SharedStreams(lambda: iter(range(10)))
    assert list(streams()) == list(range(10))  # finished: a replaying reader gets every item
    assert list(streams(latest=True)) == [9]  # a reader wanting the newest gets only the last
