"""Presenter links in the Gradio suite: `?tab=<slug>&present=1&<setting>=<value>...`.

A demo's build() calls `linkable(...)` with the controls a link may set (and the handler that shows
their result); app.py applies a link's values when the page opens, then runs that handler, so the
tab opens exactly as on the slide. `copy_link_button(...)` turns the current controls into such a
link. `present=1` hides the tab bar, widens the page and enlarges the type (PRESENT_JS, PRESENT_CSS).
The parsing and checking are shared.presenter's (no UI library); this module only wires Gradio.
"""

from __future__ import annotations

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


def _as_list(components: Any) -> list:
    if components is None:
        return []
    return list(components) if isinstance(components, (list, tuple)) else [components]


def _linked_slug(request: gr.Request, hooks: Mapping[str, LinkHook]) -> tuple[str | None, dict[str, str]]:
    """The demo the page's ?tab= names (None if it has no hook), and the query."""
    query = dict(request.query_params)
    slug = (query.get("tab") or "").strip()
    return (slug if slug in hooks else None), query


def apply_links(hooks: Mapping[str, LinkHook]) -> tuple[Callable, list]:
    """One load handler for every demo: the link's values for the controls of the demo ?tab= names,
    gr.skip() for every other control; and the outputs it writes (every demo's controls, in order).
    One event, not one per demo: each page open costs the queue a round trip per event, and a room
    of visitors opens the page at once."""
    outputs = [c for hook in hooks.values() for c in hook.controls.values()]

    def apply_links_(request: gr.Request):
        slug, query = _linked_slug(request, hooks)
        updates: list[Any] = []
        for name, hook in hooks.items():
            if name != slug:
                updates += [gr.skip()] * len(hook.controls)
                continue
            values, notices = presenter.read(query, hook.declared, f"the {hook.title} tab")
            for notice in notices:
                gr.Warning(notice)
            updates += [_widget_value(hook, n, values[n]) if n in values else gr.skip() for n in hook.controls]
        return tuple(updates) if len(outputs) > 1 else updates[0]

    return apply_links_, outputs


def run_linked(hooks: Mapping[str, LinkHook]) -> tuple[Callable, list, list]:
    """One load handler for every demo's hook.run: it runs the run of the demo ?tab= names when the
    link set something there (streaming its updates), and leaves every other output as it is.
    Returns (handler, inputs, outputs): the union of the runs' inputs and outputs."""
    import inspect

    runs = {slug: hook.run for slug, hook in hooks.items() if hook.run is not None}
    inputs: list = []
    outputs: list = []
    for _, run_inputs, run_outputs in runs.values():
        inputs += [c for c in _as_list(run_inputs) if all(c is not k for k in inputs)]
        outputs += [c for c in _as_list(run_outputs) if all(c is not k for k in outputs)]

    def position(components: list, c: Any) -> int:
        return next(i for i, k in enumerate(components) if k is c)

    def spread(slug: str, update: Any) -> tuple:
        """One run's update (a value, or a tuple over its outputs) placed among all the outputs."""
        own = _as_list(runs[slug][2])
        values = update if len(own) > 1 else (update,)
        out = [gr.skip()] * len(outputs)
        for c, v in zip(own, values):
            out[position(outputs, c)] = v
        return tuple(out)

    def run_linked_(request: gr.Request, *args: Any):
        slug, query = _linked_slug(request, hooks)
        if slug not in runs or not presenter.read(query, hooks[slug].declared)[0]:
            yield tuple(gr.skip() for _ in outputs)
            return
        fn, run_inputs, _ = runs[slug]
        own_args = [args[position(inputs, c)] for c in _as_list(run_inputs)]
        if inspect.isgeneratorfunction(fn):
            for update in fn(*own_args):
                yield spread(slug, update)
        else:
            yield spread(slug, fn(*own_args))

    return run_linked_, inputs, outputs


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
    """On page load: the link's values for the demo the URL names, then `then_open` (the load
    handler that selects the ?tab= tab, whose opening fills run with the linked values), then that
    demo's run. Three queued events however many demos there are. Call inside `with app:`."""
    apply, outputs = apply_links(hooks)
    # queued: Gradio shows a gr.Warning (a bad link value's notice) only from a queued event
    event = app.load(apply, None, outputs, api_visibility="private")
    fn, inputs, open_outputs = then_open
    event = event.then(fn, inputs, open_outputs, api_visibility="private")
    run, run_inputs, run_outputs = run_linked(hooks)
    if run_outputs:
        # not in any model's concurrency group: on every page open without a link this event only
        # returns "skip", and it must not wait behind other visitors' runs of the model
        event.then(run, run_inputs, run_outputs, api_visibility="private")
    return event
