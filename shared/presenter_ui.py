"""Presenter links in the Gradio suite: `?tab=<slug>&present=1&<setting>=<value>...`.

A demo's build() calls `linkable(...)` with the controls a link may set (and the handler that shows
their result); app.py applies a link's values when the page opens, then runs that handler, so the
tab opens exactly as on the slide. `copy_link_button(...)` turns the current controls into such a
link. `present=1` hides the tab bar, widens the page and enlarges the type (PRESENT_JS, PRESENT_CSS).
The parsing and checking are shared.presenter's (no UI library); this module only wires Gradio.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import gradio as gr

from shared import limits, presenter

# Runs when the page loads (gr.Blocks(js=...)): presenter mode is a class on <body>, set before
# the first paint of the tabs, so a projector never shows the tab bar.
PRESENT_JS = """
() => {
  const p = new URLSearchParams(window.location.search);
  if (['1', 'true', 'yes', 'on'].includes((p.get('present') || '').toLowerCase())) {
    document.body.classList.add('genai-present');
  }
}
"""
PRESENT_CSS = """
body.genai-present #suite-tabs > .tab-wrapper, body.genai-present #suite-tabs [role=tablist] { display: none !important; }
body.genai-present .gradio-container { max-width: 100% !important; padding: 0 2vw !important; font-size: 118%; }
body.genai-present .demo-header h1 { font-size: 2.6em; }
body.genai-present footer { display: none !important; }
body.genai-present .copy-link-row { display: none !important; }
"""


@dataclass
class LinkHook:
    """What a link may set in one demo, and what to run once it has."""

    title: str
    declared: Mapping[str, presenter.LinkParam]
    controls: dict[str, gr.components.Component]
    to_widget: dict[str, Callable[[Any], Any]] = field(default_factory=dict)  # checked value -> widget value
    run: tuple[Callable, Any, Any] | None = None  # (fn, inputs, outputs): shows the linked state
    # the main action's concurrency settings, kept for reference: the linked run does not join its group (see wire_links)
    run_options: dict[str, Any] = field(default_factory=dict)


def linkable(demo: gr.Blocks | gr.Column, title: str, declared: Mapping[str, presenter.LinkParam],
             controls: dict[str, gr.components.Component], *, to_widget: dict[str, Callable[[Any], Any]] | None = None,
             run: tuple[Callable, Any, Any] | None = None, run_options: dict[str, Any] | None = None) -> None:
    """Declare the controls a presenter link may set in this demo (every declared name needs one),
    and the handler (fn, inputs, outputs) that shows their result once a link has set them."""
    missing = set(declared) - set(controls)
    if missing:
        raise ValueError(f"no control for the link settings {sorted(missing)}")
    demo.__dict__["link_hook"] = LinkHook(title, declared, controls, to_widget or {}, run, run_options or {})


def link_hook(demo: gr.Blocks | gr.Column) -> LinkHook | None:
    return demo.__dict__.get("link_hook")


def _widget_value(hook: LinkHook, name: str, value: Any) -> Any:
    convert = hook.to_widget.get(name)
    if convert is not None:
        return convert(value)
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return value


def apply_links(hooks: Mapping[str, LinkHook]) -> Callable:
    """A load handler for every demo's controls at once: the values of the link's demo (the one
    ?tab= names), gr.skip() for every other control. One event, so opening the page costs one
    round trip through the queue however many demos take links."""
    names = [(slug, name) for slug, hook in hooks.items() for name in hook.controls]

    def apply(request: gr.Request):
        query = dict(request.query_params)
        slug = (query.get("tab") or "").strip()
        updates: dict[tuple[str, str], Any] = {}
        if slug in hooks:
            hook = hooks[slug]
            values, notices = presenter.read(query, hook.declared, f"the {hook.title} tab")
            for notice in notices:
                gr.Warning(notice)
            updates = {(slug, n): _widget_value(hook, n, values[n]) for n in hook.controls if n in values}
        out = tuple(updates.get(key, gr.skip()) for key in names)
        return out if len(out) > 1 else out[0]

    apply.__name__ = "apply_links"
    return apply


def as_list(components: Any) -> list:
    """An event's inputs or outputs (None, one component, or a list or tuple of them) as a list."""
    if components is None:
        return []
    return list(components) if isinstance(components, (list, tuple)) else [components]


def run_linked(hooks: Mapping[str, LinkHook]) -> tuple[Callable, list, list]:
    """(handler, inputs, outputs): one event for every demo's hook.run, the one the link names run
    with its inputs, gr.skip() for every other output. One event, not one per demo: each event a page
    load triggers costs the browser a status update of every component (1.5 CPU-s of Gradio's
    JavaScript per page load for eight demos' events, measured) and the server a queue round trip.
    A stream (a generator) either way: a demo's plain handler gives its one result."""
    parts: list[tuple[str, LinkHook, slice, slice]] = []
    inputs: list = []
    outputs: list = []
    for slug, hook in hooks.items():
        _, run_inputs, run_outputs = hook.run  # type: ignore[misc]
        run_inputs, run_outputs = as_list(run_inputs), as_list(run_outputs)
        parts.append((slug, hook, slice(len(inputs), len(inputs) + len(run_inputs)),
                      slice(len(outputs), len(outputs) + len(run_outputs))))
        inputs += run_inputs
        outputs += run_outputs

    def whole(values: list) -> Any:
        return tuple(values) if len(values) > 1 else values[0]  # Gradio takes one output bare

    def placed(out: slice, result: Any) -> Any:
        """The whole output: this demo's result in its place, gr.skip() elsewhere."""
        values = [gr.skip()] * len(outputs)
        n = out.stop - out.start
        if n == 1:
            values[out] = [result]
        else:
            if not isinstance(result, (list, tuple)) or len(result) != n:
                raise TypeError(f"a linked run must return {n} values as a tuple, got {type(result).__name__}")
            values[out] = list(result)
        return whole(values)

    def run(request: gr.Request, *args: Any):
        query = dict(request.query_params)
        slug = (query.get("tab") or "").strip()
        part = next((p for p in parts if p[0] == slug), None)
        if part is None or not presenter.read(query, part[1].declared)[0]:
            yield whole([gr.skip()] * len(outputs))
            return
        _, hook, taken, out = part
        fn = hook.run[0]  # type: ignore[index]
        result = fn(*args[taken])
        for item in (result if inspect.isgenerator(result) else [result]):
            yield placed(out, item)

    run.__name__ = "linked_run"
    return run, inputs, outputs


def copy_link_button(slug: str, declared: Mapping[str, presenter.LinkParam],
                     controls: dict[str, gr.components.Component]) -> gr.Button:
    """'Copy link to this view': the current controls as a presenter link, shown and copied."""
    names = list(controls)
    with gr.Row(elem_classes=["copy-link-row"]):
        button = gr.Button("🔗 Copy link to this view", size="sm", scale=0, min_width=220,
                           elem_id=f"{slug}-copy-link")
        box = gr.Textbox(show_label=False, container=False, interactive=False, scale=4,
                         placeholder="a link that reopens this tab, full-width, with these settings",
                         elem_id=f"{slug}-link", buttons=["copy"])

    def make_link(*widget_values: Any) -> str:
        values = {}
        for name, raw in zip(names, widget_values):
            try:
                values[name] = declared[name].parse(raw)
            except (limits.LimitError, ValueError, TypeError) as exc:
                gr.Warning(f"'{name}' is left out of the link: {exc}")
        return presenter.link(slug, values, declared)

    # the server builds the query (same checks as everything else); the browser adds its own
    # address (the app may sit behind a proxy or in a Space) and copies the whole link
    button.click(make_link, [controls[n] for n in names], box, api_visibility="private").then(
        None, box, box, js="(q) => { if (!q) return q; const u = window.location.origin + window.location.pathname + q;"
                           " if (navigator.clipboard) navigator.clipboard.writeText(u).catch(() => {}); return u; }")
    return button


def wire_links(app: gr.Blocks, hooks: Mapping[str, LinkHook], then_open: tuple[Callable, Any, Any]) -> Any:
    """On page load: every demo's link values (the one the URL names gets them), then
    `then_open` (the load handler that selects the ?tab= tab, whose opening fills run with the
    linked values), then the linked demo's run. Call inside `with app:`."""
    event = None
    controls = [control for hook in hooks.values() for control in hook.controls.values()]
    if controls:
        # queued: Gradio shows a gr.Warning (a bad link value's notice) only from a queued event
        event = app.load(apply_links(hooks), None, controls, api_visibility="private")
    fn, inputs, outputs = then_open
    event = (app.load if event is None else event.then)(fn, inputs, outputs, api_visibility="private")
    runs = {slug: hook for slug, hook in hooks.items() if hook.run is not None}
    if runs:
        fn, run_inputs, run_outputs = run_linked(runs)
        # not in a model's concurrency group: on every page open without a link this event only
        # returns "skip", and it must not wait behind other visitors' runs of a model. Two at a time
        # per demo, as when each demo had an event of its own (the default limit of 2 each)
        event.then(fn, run_inputs, run_outputs, api_visibility="private", concurrency_limit=2 * len(runs))
    return event
