"""The presenter links' Gradio wiring: one load-time event runs the linked demo's handler (plain or
streamed) with its own inputs, into its own outputs, and skips every other output; without a link, or
with a link that sets nothing, it only skips."""

from __future__ import annotations

from types import SimpleNamespace

import gradio as gr

from shared import presenter
from shared.presenter_ui import LinkHook, run_linked

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


def request(query: dict[str, str]) -> SimpleNamespace:
    return SimpleNamespace(query_params=query)


def test_one_event_gathers_every_demos_inputs_and_outputs_in_order() -> None:
    hook_map, c = hooks()
    _, inputs, outputs = run_linked(hook_map)
    assert inputs == [c["a_in"], c["b_in1"], c["b_in2"]]
    assert outputs == [c["a_out1"], c["a_out2"], c["b_out"]]


def skipped(value: object) -> bool:
    return value == gr.skip()


def test_the_linked_demo_runs_with_its_inputs_and_the_others_are_skipped() -> None:
    fn, _, _ = run_linked(hooks()[0])
    a = list(fn(request({"tab": "a", "seed": "7"}), "7", "x", "y"))
    assert len(a) == 1 and a[0][:2] == ("plain 7", "second") and skipped(a[0][2])
    b = list(fn(request({"tab": "b", "seed": "7"}), "1", "x", "y"))
    assert [v[2] for v in b] == ["first xy", "then xy"]  # streamed, step by step
    assert all(skipped(v[0]) and skipped(v[1]) for v in b)


def test_without_a_link_or_with_one_that_sets_nothing_everything_is_skipped() -> None:
    fn, _, _ = run_linked(hooks()[0])
    for query in ({}, {"tab": "a"}, {"tab": "a", "seed": "x" * 50}, {"tab": "nope", "seed": "1"}):
        (only,) = list(fn(request(query), "1", "2", "3"))
        assert len(only) == 3 and all(skipped(v) for v in only), query
