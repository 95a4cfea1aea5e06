"""The background warm-up the suite runs once it serves its page (demos/warm_up.py, shared/ui.py)."""

from __future__ import annotations

import http.server
import threading
import urllib.request

from demos import warm_up


def in_a_thread(fn):
    """fn() in a thread of its own, as the server runs the warm-up: it lowers its thread's priority,
    which must not stay with a test worker."""
    out = {}
    thread = threading.Thread(target=lambda: out.setdefault("value", fn()))
    thread.start()
    thread.join(60)
    return out["value"]


def nice() -> int:
    import os

    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


def test_the_warm_up_loads_what_first_presses_need_and_skips_a_failing_step(monkeypatch, caplog):
    ran = []
    steps = [("fine", lambda: ran.append("fine")), ("broken", lambda: 1 / 0), ("the bundled DDPM", lambda: ran.append("ddpm"))]
    monkeypatch.setattr(warm_up, "STEPS", tuple(steps))
    done = in_a_thread(lambda: warm_up.warm_up(slugs={"gan"}))  # the DDPM's step belongs to a tab that is not mounted
    assert [name for name, _ in done] == ["fine"] and ran == ["fine"]
    assert "warm-up step 'broken' failed" in caplog.text


def test_what_a_first_press_waits_for_runs_at_the_servers_priority_and_the_rest_at_a_low_one(monkeypatch):
    seen = {}
    steps = [(name, lambda name=name: seen.setdefault(name, nice()))
             for name in ("torch", "the Data tab's default batch", "diffusers and transformers", "the bundled DDPM")]
    monkeypatch.setattr(warm_up, "STEPS", tuple(steps))
    start = nice()
    in_a_thread(warm_up.warm_up)
    assert seen["torch"] == seen["the Data tab's default batch"] == start
    assert seen["diffusers and transformers"] == seen["the bundled DDPM"] >= warm_up.LOW_PRIORITY
    assert nice() == start  # this thread's priority untouched


def test_the_data_tab_s_default_batch_is_served_from_memory_after_the_warm_up():
    from demos.data import explore, options

    warm_up._data_default()
    args = (options.JUDGED_IMAGES_SLIDER.value, 0, options.MIX_SHARE_SLIDER.value)
    assert explore.judged_batch(*args) is explore.judged_batch(*args)  # memoised: the press computes nothing


def test_the_thread_waits_for_the_server_then_warms_up_in_a_thread_of_its_own():
    from shared.ui import warm_up_after_serving

    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    seen = {}

    def record() -> None:
        seen["thread"] = threading.current_thread().name
        with urllib.request.urlopen(f"http://127.0.0.1:{server.server_address[1]}/", timeout=5) as answer:
            seen["served"] = answer.status

    try:
        warm_up_after_serving(server.server_address[1], record).join(10)
    finally:
        server.shutdown()
    assert seen == {"thread": "warm-up", "served": 200}


def test_the_first_tab_s_answer_and_the_pixelcnn_are_ready_before_the_slow_library_imports():
    from demos.pixelcnn import explore

    names = [name for name, _ in warm_up.STEPS]
    slow = names.index("diffusers and transformers")
    assert names.index("the Data tab's default batch") < slow and names.index("the bundled PixelCNN") < slow
    warm_up._pixelcnn()
    assert explore.load_model() is explore.load_model()  # loaded once: the first press only samples
