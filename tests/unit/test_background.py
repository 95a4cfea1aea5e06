"""shared.background.run_ahead: a slow generator computed in a worker thread ahead of its consumer."""

import threading
import time

import pytest

from shared.background import run_ahead


def test_items_arrive_in_order_with_the_time_each_was_made():
    got = list(run_ahead(iter(range(100)), depth=4))
    assert [item for item, _ in got] == list(range(100))
    times = [made_at for _, made_at in got]
    assert times == sorted(times)


def test_the_worker_computes_while_the_consumer_is_busy():
    made, drawn = [], []  # when the worker finished item i; when the consumer finished drawing it

    def slow(n: int):
        for i in range(n):
            time.sleep(0.02)
            made.append(time.perf_counter())
            yield i

    for _ in run_ahead(slow(10)):
        time.sleep(0.02)  # the consumer "draws" as long as a step takes
        drawn.append(time.perf_counter())
    # overlapped: the worker makes item i+1 while item i is drawn, so it is done about when the
    # drawing is; one after the other, it would start only after, and be done 0.02 s later.
    # Counted over the items rather than one total time, so a single stall does not fail it.
    overlapped = sum(made[i + 1] < drawn[i] + 0.012 for i in range(9))
    assert overlapped >= 5, (made, drawn)


def test_an_error_in_the_items_is_raised_to_the_consumer():
    def failing():
        yield 1
        raise ValueError("bad step")

    stream = run_ahead(failing())
    assert next(stream)[0] == 1
    with pytest.raises(ValueError, match="bad step"):
        next(stream)


def test_closing_the_consumer_stops_the_worker_and_closes_the_items():
    made, closed = [], threading.Event()

    def endless():
        try:
            i = 0
            while True:
                made.append(i)
                yield i
                i += 1
        finally:
            closed.set()

    stream = run_ahead(endless(), depth=3)
    for _ in range(5):
        next(stream)
    stream.close()  # what a cancelled Gradio run does
    assert closed.wait(5.0)
    count = len(made)
    time.sleep(0.2)
    assert len(made) == count <= 5 + 3 + 2  # consumed, queued, and at most one in hand
