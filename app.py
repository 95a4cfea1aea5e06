"""genai-demos: every demo in demos.REGISTRY as a tab, after an Overview concept map.

    python app.py                       # http://127.0.0.1:7860
    python app.py --only gan,vae        # a subset
    python app.py --host 0.0.0.0 --port 8080
    python app.py --watermark           # every generator's samples carry an invisible mark (model, seed)
    http://127.0.0.1:7860/?tab=gan      # opens the suite on one tab (for talks)

Start-up imports gradio and builds the UI only; models and torch load on a demo's first use.
"""

from __future__ import annotations

import importlib
import logging
import traceback
from collections.abc import Callable, Sequence
from typing import Any

import gradio as gr

from demos import REGISTRY, DemoSpec, by_slug, overview_ui
from shared.presenter_ui import as_list, link_hook, wire_links
from shared.ui import apply_switches, arg_parser, embedded_demos, launch, open_fills, set_up_queue

log = logging.getLogger("genai-demos")
OVERVIEW = "overview"


def build_demo(spec: DemoSpec) -> gr.Blocks | gr.Column | Exception:
    """Import a demo's module and build it in the current block (a Column inside the suite); a
    failure is returned, not raised."""
    try:
        return importlib.import_module(spec.module).build()
    except Exception as exc:  # noqa: BLE001 (any failure becomes an error tab)
        log.error("demo %r failed to load:\n%s", spec.slug, traceback.format_exc())
        return exc


def error_panel(spec: DemoSpec, exc: Exception) -> None:
    """What a tab shows when its demo failed to import or build."""
    gr.Markdown(
        f"### The {spec.title} demo could not be loaded\n"
        f"`{type(exc).__name__}: {exc}`\n\n"
        "The other tabs work. The full traceback is in the server's log; "
        f"`python -m demos.{spec.slug}` runs this demo alone to debug it.",
        elem_classes=["error-tab"], elem_id=f"{spec.slug}-error",
    )


def address_sync_js(slug: str) -> str:
    """The browser-side handler of a tab's select event: write ?tab=<slug> into the address bar.

    Until the page is ready, a select of another tab than the address names is the first tab's,
    fired when the tabs mount, and is ignored (the page's load events read ?tab= from the address);
    the select of the named tab (the deep link applied) makes the page ready, as does the end of the
    page's load events (`genaiTabsReady`), so no server round trip is needed when a link names a tab."""
    return (f"() => {{ const u = new URL(window.location);"
            f" if (!window.genaiTabsReady) {{ if (u.searchParams.get('tab') !== '{slug}') return;"
            f" window.genaiTabsReady = true; }}"
            f" u.searchParams.set('tab', '{slug}'); window.history.replaceState(null, '', u); }}")


def first_time(slug: str, fn, outputs) -> Callable[..., Any]:  # noqa: ANN001
    """fn, run only the first time this session opens the tab (later openings change nothing)."""
    n_out = len(as_list(outputs))

    def fill(opened: set, *args):  # noqa: ANN002, ANN202
        if (slug, fn.__name__) in opened:
            return gr.skip() if n_out == 1 else tuple(gr.skip() for _ in range(n_out))
        opened.add((slug, fn.__name__))
        return fn(*args)

    fill.__name__ = f"open_{slug}_{fn.__name__}"
    return fill


def build_app(specs: Sequence[DemoSpec] = REGISTRY) -> gr.Blocks:
    """The whole suite: Overview, then one tab per spec (an error tab for a demo that fails)."""
    built: dict[str, gr.Column | Exception] = {}
    slugs = [OVERVIEW] + [spec.slug for spec in specs]
    with embedded_demos(), gr.Blocks(title="genai-demos: see how generative AI works") as app:
        set_up_queue(app)  # before its components exist: see set_up_queue
        with gr.Tabs(selected=OVERVIEW, elem_id="suite-tabs") as tabs:
            with gr.Tab("Overview", id=OVERVIEW, elem_id=f"tab-{OVERVIEW}") as first:
                overview_ui.build([(spec.slug, spec.title) for spec in specs])
            tab_items = [(OVERVIEW, first)]
            for spec in specs:
                with gr.Tab(spec.title, id=spec.slug, elem_id=f"tab-{spec.slug}") as tab:
                    # built here, in its tab: a demo is a Column of the suite, not a Blocks copied in
                    demo = built[spec.slug] = build_demo(spec)
                    if isinstance(demo, Exception):
                        error_panel(spec, demo)
                tab_items.append((spec.slug, tab))
        # Each tab fills in (a first grid, a ready preset...) when a session first opens it, or
        # when ?tab= opens it (selecting a tab from the load handler fires its select event):
        # opening the page costs the server only the tab it shows.
        opened = gr.State(set())
        tabs_by_slug = dict(tab_items)
        for spec in specs:
            if not isinstance(built[spec.slug], Exception):
                for fn, inputs, outputs in open_fills(built[spec.slug]):
                    tabs_by_slug[spec.slug].select(first_time(spec.slug, fn, outputs), [opened, *as_list(inputs)],
                                                   outputs, api_visibility="private")
        # Keep ?tab= in the address bar in step with the open tab, so every view is a shareable
        # link. Not before the deep link has been applied: Tabs fires `select` for its first tab
        # when it mounts, which would overwrite the ?tab= the page was opened with. The browser
        # decides that alone (a server round trip can queue behind a loaded server's work).
        for slug, tab in tab_items:
            tab.select(None, js=address_sync_js(slug))
        # A presenter link (?tab=gan&present=1&seeds=3,17,42) sets its demo's controls first, then
        # opens the tab (its opening fills see the linked values), then shows the linked result.
        hooks = {spec.slug: hook for spec in specs if not isinstance(built[spec.slug], Exception)
                 and (hook := link_hook(built[spec.slug])) is not None}
        wire_links(app, hooks, tabs, slugs).then(
            None, js="() => { window.genaiTabsReady = true; }")
    return app


def main(argv: Sequence[str] | None = None) -> None:
    parser = arg_parser("Serve the genai-demos suite.")
    parser.add_argument("--only", default="", help="comma-separated demo slugs to mount, e.g. gan,vae "
                        f"(all: {','.join(s.slug for s in REGISTRY)})")
    args = parser.parse_args(argv)
    apply_switches(args)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        specs = by_slug([s.strip() for s in args.only.split(",") if s.strip()])
    except ValueError as exc:
        parser.error(str(exc))
    from demos.warm_up import warm_up

    mounted = {spec.slug for spec in specs}
    launch(build_app(specs), args.host, args.port, warm_up=lambda: warm_up(mounted))


if __name__ == "__main__":
    main()
