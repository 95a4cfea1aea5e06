"""Presenter links in the Gradio suite: `?tab=<slug>&present=1&<setting>=<value>...`.

A demo's build() calls `linkable(...)` with the controls a link may set (and the handler that shows
their result); app.py applies a link's values when the page opens, then runs that handler, so the
tab opens exactly as on the slide. `copy_link_button(...)` turns the current controls into such a
link. `present=1` hides the tab bar, widens the page and enlarges the type (PRESENT_JS, PRESENT_CSS).
The parsing and checking are shared.presenter's (no UI library); this module only wires Gradio.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

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


def link_target(hooks: Mapping[str, LinkHook], query: Mapping[str, str]) -> str | None:
    """The demo a link carries settings for: ?tab= names a demo that takes links and the query has a
    parameter of its own (a good or a bad one: a bad one gets its notice); None for any other page opening."""
    slug = (query.get("tab") or "").strip()
    if slug not in hooks:
        return None
    return slug if any(name not in presenter.RESERVED for name in query) else None


def unknown_tab_notice(slug: str, slugs: Sequence[str]) -> str | None:
    """The notice for a ?tab= that names no tab (None when it names one, or none)."""
    if slug and slug not in slugs:
        return f"There is no tab called '{slug}'; the tabs are {', '.join(slugs)}."
    return None


MAX_QUERY_CHARS = 4096  # a page address's query the server reads; a longer one is refused with a notice


def route_links(hooks: Mapping[str, LinkHook], slugs: Sequence[str]) -> Callable:
    """The page's one server-side handler of its address (`?tab=...&...`, as the browser's
    `load_js` passes it, only when the server has something to do), into a trigger per demo that
    takes links: a link with settings sets its demo's trigger to the query (the demo's own chain
    then applies the values, opens the tab and runs, in that order); a ?tab= that names no tab gets
    a notice.

    It never writes to the tabs or to a demo's components (the browser opens a plain ?tab= itself):
    Gradio's page keeps a loading status for every component an event has written to and updates
    each at every status message of any later event (each streamed frame too), walking the whole
    page for each. One load-time event into the tabs and every demo's controls made each press in any
    tab pay for them all (`python -m benchmarks.page_events`); a page without a link has no server
    event on loading at all, so its presses do not pay for these triggers either."""
    order = list(hooks)

    def route(search: object):
        target, query = None, {}
        if not isinstance(search, str) or len(search) > MAX_QUERY_CHARS:
            gr.Warning(f"The page's address is not a link this suite reads (at most {MAX_QUERY_CHARS:,} characters).")
        else:
            query = dict(parse_qsl(search.removeprefix("?"), keep_blank_values=True))
            notice = unknown_tab_notice((query.get("tab") or "").strip(), slugs)
            if notice:
                gr.Warning(notice)
            target = link_target(hooks, query)
        out = tuple(query if slug == target else gr.skip() for slug in order)
        return None if not out else out if len(out) > 1 else out[0]

    route.__name__ = "route_links"
    return route


def select_tab_js(slug: str) -> str:
    """Browser-side: open the tab `slug` (a Tabs update; no server round trip, no loading status)."""
    return f"() => ({{__type__: 'update', selected: {json.dumps(slug)}}})"


def load_js(slugs: Sequence[str], hooks: Mapping[str, LinkHook]) -> str:
    """Browser-side load handler into [the Tabs, the link gate]. A link with settings for a demo that
    takes links (`link_target`'s rule: its chain opens the tab once the values are set) or a ?tab=
    that names no tab (its notice): the address's query into the gate, whose change runs
    `route_links` on the server. Else nothing for the server: open the ?tab= tab (its select event
    then makes the page ready, see app.address_sync_js), or, with no ?tab=, make the page ready."""
    keep = "{__type__: 'update'}"  # leaves the component as it is (no change event)
    return (f"() => {{ const p = new URLSearchParams(window.location.search);"
            f" const slug = (p.get('tab') || '').trim();"
            f" const reserved = {json.dumps(list(presenter.RESERVED))};"
            f" const linked = {json.dumps(list(hooks))}.includes(slug) && [...p.keys()].some(k => !reserved.includes(k));"
            f" if (linked || (slug && !{json.dumps(list(slugs))}.includes(slug))) return [{keep}, window.location.search];"
            f" if (!slug) {{ window.genaiTabsReady = true; return [{keep}, {keep}]; }}"
            f" return [{{__type__: 'update', selected: slug}}, {keep}]; }}")


def apply_link(hook: LinkHook) -> Callable:
    """The handler that sets one demo's controls from a link's query (a notice for each value it
    ignores); gr.skip() for a control the link does not set."""

    def apply(query: Mapping[str, str]):
        values, notices = presenter.read(query, hook.declared, f"the {hook.title} tab")
        for notice in notices:
            gr.Warning(notice)
        out = tuple(_widget_value(hook, n, values[n]) if n in values else gr.skip() for n in hook.controls)
        return out if len(out) > 1 else out[0]

    apply.__name__ = "apply_link"
    return apply


def as_list(components: Any) -> list:
    """An event's inputs or outputs (None, one component, or a list or tuple of them) as a list."""
    if components is None:
        return []
    return list(components) if isinstance(components, (list, tuple)) else [components]


def linked_run(hook: LinkHook) -> tuple[Callable, list, list]:
    """(handler, inputs, outputs): the demo's hook.run, with the link's query first among its inputs;
    it runs only when the link set at least one value (else it skips every output). A stream either
    way: a plain handler gives its one result."""
    fn, inputs, outputs = hook.run  # type: ignore[misc]
    inputs, outputs = as_list(inputs), as_list(outputs)

    def run(query: Mapping[str, str] | None, *args: Any):
        if not query or not presenter.read(query, hook.declared)[0]:
            skipped = [gr.skip()] * len(outputs)
            yield tuple(skipped) if len(skipped) > 1 else skipped[0]
            return
        result = fn(*args)
        yield from (result if inspect.isgenerator(result) else [result])

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


def wire_links(app: gr.Blocks, hooks: Mapping[str, LinkHook], tabs: gr.Tabs, slugs: Sequence[str]) -> Any:
    """On page load: the browser opens a plain ?tab= tab (`load_js`); for a link with settings it
    writes the address's query into a hidden gate, whose change runs the server's `route_links`,
    which starts the chain of the demo the link names: the link's values, then its tab opens (so the
    tab's opening fills see them), then the linked run. Returns the server's routing event (it runs
    only for such an address). Call inside `with app:`."""
    gate = gr.Textbox(visible=False, elem_id="link-gate")
    app.load(None, gate, [tabs, gate], js=load_js(slugs, hooks))
    triggers = {slug: gr.State(None) for slug in hooks}  # the link's query, set for the demo it names
    for slug, hook in hooks.items():
        chain = triggers[slug].change(apply_link(hook), triggers[slug], list(hook.controls.values()),
                                      api_visibility="private")
        chain = chain.then(None, None, tabs, js=select_tab_js(slug))
        if hook.run is not None:
            fn, inputs, outputs = linked_run(hook)
            # not in the model's concurrency group (a link's page open must not wait behind other
            # visitors' runs of the model); two linked runs of a demo at a time
            chain.then(fn, [triggers[slug], *inputs], outputs, api_visibility="private", concurrency_limit=2)
    return gate.change(route_links(hooks, slugs), gate, list(triggers.values()), api_visibility="private")
