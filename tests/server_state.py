"""What the in-process server is doing, for a test that gave up waiting on it: every thread's stack
and Gradio's queue (events waiting and running per concurrency group). The suite is served in the
test process (tests/conftest.py's suite_url), so both can be read directly."""

from __future__ import annotations

import sys
import threading
import traceback

SERVED: dict[str, object] = {}  # "app": the gr.Blocks that suite_url serves


def served_queue():  # -> gradio.queueing.Queue | None
    """The served app's Gradio queue (a private attribute: these are a test's diagnostics), or None."""
    return getattr(SERVED.get("app"), "_queue", None)


def queue_state() -> str:
    queue = served_queue()
    if queue is None:
        return "no served app"
    lines = []
    for concurrency_id, events in list(queue.event_queue_per_concurrency_id.items()):
        if events.queue or events.current_concurrency:
            names = [getattr(e.fn, "name", "?") for e in events.queue]
            lines.append(f"group {concurrency_id}: limit {events.concurrency_limit}, running {events.current_concurrency}, "
                         f"waiting {names}")
    running = [[getattr(e.fn, "name", "?") for e in job] for job in queue.active_jobs if job]
    lines.append(f"active jobs: {running}")
    for session, ids in list(queue.pending_event_ids_session.items()):
        if ids:
            events = [queue.event_ids_to_events.get(i) for i in ids]
            lines.append(f"session {session} waits on " + ", ".join(
                f"{i[:8]} {getattr(getattr(e, 'fn', None), 'name', '?')} alive={getattr(e, 'alive', '?')}"
                for i, e in zip(ids, events)))
            messages = queue.pending_messages_per_session.get(session)
            lines.append(f"  its message queue holds {messages.qsize() if messages is not None else 'nothing'}")
    return "\n".join(lines)


def session_idle(session_hash: str) -> bool:
    """Whether the served app has nothing left to send this session: no event of it waiting, running
    or pending its completion message."""
    queue = served_queue()
    if queue is None:
        return False
    if queue.pending_event_ids_session.get(session_hash):
        return False
    waiting = [e for events in list(queue.event_queue_per_concurrency_id.values()) for e in list(events.queue)]
    running = [e for job in list(queue.active_jobs) if job for e in job]
    return not any(e.session_hash == session_hash for e in waiting + running)


def thread_stacks() -> str:
    names = {t.ident: t.name for t in threading.enumerate()}
    out = []
    for ident, frame in sys._current_frames().items():
        stack = "".join(traceback.format_stack(frame)[-12:])
        out.append(f"--- thread {names.get(ident, ident)}\n{stack}")
    return "\n".join(out)


def describe_server() -> str:
    return f"== queue ==\n{queue_state()}\n== threads ==\n{thread_stacks()}"
