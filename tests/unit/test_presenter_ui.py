"""The presenter links' Gradio wiring: the page's load handler (in the browser) opens the ?tab= tab,
or hands a link with settings to the server through a hidden gate, whose handler sets that demo's
trigger to the query (the tabs left alone); the chain sets the demo's controls, then runs its handler
(plain or streamed) into its own outputs, and only skips when the link sets nothing. No server event
runs on loading a page without a link; none writes to another demo's components."""

from __future__ import annotations

import gradio as gr

from shared import presenter
from shared.presenter_ui import LinkHook, apply_link, link_target, linked_run, route_links, wire_links

SEED = presenter.text_param("seed", 10)


def hooks() -> tuple[dict[str, LinkHook], dict[str, gr.components.Component]]:
    with gr.Blocks():
        c = {name: gr.Textbox() for name in ("a_in", "a_out1", "a_out2", "b_in1", "b_in2", "b_out")}

    def plain(x: str) -> tuple[str, str]:  # two outputs, one result
        return f"plain {x}", "second"

    def streamed(x: str, y: str):  # one output, a stream
        yield f"first {x}{y}"
        yield f"then {x}{y}"

    return {
        "a": LinkHook("A", {"seed": SEED}, {"seed": c["a_in"]}, run=(plain, [c["a_in"]], [c["a_out1"], c["a_out2"]])),
        "b": LinkHook("B", {"seed": SEED}, {"seed": c["b_in1"]}, run=(streamed, [c["b_in1"], c["b_in2"]], c["b_out"])),
    }, c


def skipped(value: object) -> bool:
    return value == gr.skip()


def test_a_link_targets_its_demo_only_when_it_carries_a_setting() -> None:
    hook_map, _ = hooks()
    assert link_target(hook_map, {"tab": "a", "seed": "7"}) == "a"
    assert link_target(hook_map, {"tab": "a", "present": "1", "colour": "x"}) == "a"  # a bad one: its notice
    for query in ({}, {"tab": "a"}, {"tab": "a", "present": "1", "view": "x"}, {"tab": "nope", "seed": "1"}):
        assert link_target(hook_map, query) is None, query


def test_the_load_handler_sets_only_the_named_demos_trigger_and_warns_of_an_unknown_tab(monkeypatch) -> None:
    hook_map, _ = hooks()
    route = route_links(hook_map, ["overview", "a", "b"])
    assert all(skipped(v) for v in route("?tab=a&present=1"))
    a, b = route("?tab=b&seed=7")
    assert skipped(a) and b == {"tab": "b", "seed": "7"}
    a, b = route("?tab=b&seed=&present=1")  # an empty setting is a setting (its notice comes from the chain)
    assert skipped(a) and b == {"tab": "b", "seed": "", "present": "1"}
    warned: list[str] = []
    monkeypatch.setattr(gr, "Warning", warned.append)
    assert all(skipped(v) for v in route("?tab=nope&seed=1"))
    assert all(skipped(v) for v in route("?tab=b&seed=" + "7" * 5000))
    assert all(skipped(v) for v in route(None))
    assert warned == ["There is no tab called 'nope'; the tabs are overview, a, b.",
                      "The page's address is not a link this suite reads (at most 4,096 characters).",
                      "The page's address is not a link this suite reads (at most 4,096 characters)."]


def test_the_chain_sets_the_controls_and_warns_of_what_it_ignored(monkeypatch) -> None:
    hook_map, _ = hooks()
    assert apply_link(hook_map["a"])({"tab": "a", "seed": "7"}) == "7"
    warned: list[str] = []
    monkeypatch.setattr(gr, "Warning", warned.append)
    assert skipped(apply_link(hook_map["a"])({"tab": "a", "seed": "x" * 50}))
    assert warned == ["The link's 'seed' was ignored: The seed is 50 characters long; the limit is 10."]


def test_the_linked_run_uses_its_demos_inputs_and_outputs() -> None:
    hook_map, c = hooks()
    fn, inputs, outputs = linked_run(hook_map["a"])
    assert inputs == [c["a_in"]] and outputs == [c["a_out1"], c["a_out2"]]
    assert list(fn({"tab": "a", "seed": "7"}, "7")) == [("plain 7", "second")]
    fn, inputs, outputs = linked_run(hook_map["b"])
    assert inputs == [c["b_in1"], c["b_in2"]] and outputs == [c["b_out"]]
    assert list(fn({"tab": "b", "seed": "7"}, "x", "y")) == ["first xy", "then xy"]  # streamed, step by step


def test_a_link_that_sets_nothing_runs_nothing() -> None:
    hook_map, _ = hooks()
    fn, _, _ = linked_run(hook_map["a"])
    for query in (None, {"tab": "a", "seed": "x" * 50}):
        (only,) = list(fn(query, "1"))
        assert len(only) == 2 and all(skipped(v) for v in only), query


def test_no_server_event_runs_on_load_and_the_gates_writes_only_to_the_triggers() -> None:
    with gr.Blocks() as app:
        with gr.Tabs() as tabs, gr.Tab("A"):
            a_in, a_out = gr.Textbox(), gr.Textbox()
        hook_map = {"a": LinkHook("A", {"seed": SEED}, {"seed": a_in}, run=(lambda x: x, [a_in], [a_out]))}
        wire_links(app, hook_map, tabs, ["a"])
    on_load = [fn for fn in app.fns.values() if any(target[1] == "load" for target in fn.targets)]
    assert len(on_load) == 1 and on_load[0].fn is None and "selected: slug" in on_load[0].js  # the browser's alone
    (gate,) = on_load[0].inputs
    assert on_load[0].outputs == [tabs, gate] and not gate.visible
    routes = [fn for fn in app.fns.values() if fn.targets == [(gate._id, "change")]]
    assert len(routes) == 1 and [type(b) for b in routes[0].outputs] == [gr.State]  # a's trigger alone
