"""The Alignment tab: one question answered by the base, SFT and DPO stages; what SFT and DPO
optimise, with TRL's curves and the DPO loss of one pair worked through; the audience's votes and a
live DPO on them (per session, or pooled in a room); the rules voting as a checkable reward. Glue
only: the logic is in answers.py, votes.py, live.py, reward.py and preference.py, the drawing in
views.py, the words in wording.py, the limits in options.py."""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from demos.alignment import options
from demos.alignment import wording as words
from demos.alignment.votes import Seat
from shared.live import Press
from shared.presenter_ui import copy_link_button, linkable
from shared.ui import demo_container, explainer, fill_on_open, header, seed_control, shows_errors, spec_slider

HERE = Path(__file__).parent
MODEL = {"concurrency_limit": 2, "concurrency_id": "alignment-model"}
TUNING = {"concurrency_limit": 2, "concurrency_id": "alignment-tune"}
VOTE_LABELS = {"A is better": "A", "B is better": "B"}


@shows_errors
def compare(question: str, seed: int):
    from demos.alignment import answers, views

    c = answers.compare(question, seed)
    cards = [views.answer_card(s, a.text, a.ended) for s, a in zip(c.stages, c.answers)]
    return (*cards, views.cross_table(c), views.cross_figure(c))


@shows_errors
def objectives(flaw: str, beta: float):
    """TRL's stored curves and the worked pair."""
    from demos.alignment import views
    from demos.alignment.preference import worked_pair

    return views.sft_curve_figure(), views.dpo_curve_figure(), views.worked_pair_text(worked_pair(flaw, beta))


@shows_errors
def worked(flaw: str, beta: float):
    from demos.alignment import views
    from demos.alignment.preference import worked_pair

    return views.worked_pair_text(worked_pair(flaw, beta))


def _status(seat: Seat, room: str) -> str:
    book = seat.book(room)
    return words.book_status(book.name, book.count, book.rounds, options.MIN_VOTES)


@shows_errors
def book_status(seat: Seat, room: str):
    return _status(seat, room)


@shows_errors
def draw(seat: Seat, room: str, question: str, seed: int):
    from demos.alignment import views
    from demos.alignment.votes import draw_pair

    pair = draw_pair(seat, seat.book(room), question, seed)
    return (*views.pair_texts(pair.question, pair.answers), pair.id, _status(seat, room))


@shows_errors
def vote(seat: Seat, room: str, choice: str, pair_id):  # noqa: ANN001
    from demos.alignment.votes import cast_vote

    cast_vote(seat, seat.book(room), VOTE_LABELS.get(choice, choice), pair_id)
    return "*Counted. Draw the next pair.*", "", "", None, _status(seat, room)


@shows_errors
def tune(seat: Seat, room: str, steps: int, seed: int):
    """Tune on the book's votes, streaming the curves; the book's status when it ends."""
    from demos.alignment import live, views

    book = seat.book(room)
    for frame in live.tune(book, Press(0, cap_s=options.TUNE_SECONDS), steps, seed=seed):
        yield views.tune_figure(frame), views.tune_status(frame), gr.skip()
    yield gr.skip(), gr.skip(), _status(seat, room)


@shows_errors
def reset(seat: Seat, room: str):
    book = seat.book(room)
    book.tuner.replace(None, words.TUNING_RUNNING)
    book.reset()
    return words.PRESS_DRAW, "", "", None, _status(seat, room), None, words.NOTHING_TUNED


@shows_errors
def rules_vote(seat: Seat, room: str, n: int, seed: int):
    from demos.alignment import reward, views

    pairs, status = reward.rules_vote(seat, seat.book(room), n, seed)
    return views.rule_pairs_table(pairs), status, _status(seat, room)


@shows_errors
def check(seat: Seat, room: str, seed: int):
    from demos.alignment import reward, views

    book = seat.book(room)
    first, now = reward.check_book(book, seed)
    return views.check_table(first, now, book.rounds > 0)


def build() -> gr.Blocks:
    with demo_container("Alignment") as demo:
        header(words.TITLE, words.SUBTITLE)
        explainer(HERE)
        latex = [{"left": "$", "right": "$", "display": False}]

        gr.Markdown(f"## {words.COMPARE_HEADING}\n{words.COMPARE_INTRO}")
        with gr.Row():
            question = gr.Textbox(options.DEFAULT_PROMPT, label="Question", scale=4, max_lines=3,
                                  elem_id="alignment-question")
            seed = seed_control(options.DEFAULT_SEED, elem_id="alignment-seed")
            compare_btn = gr.Button("Compare", variant="primary", scale=1, elem_id="alignment-main-action")
        with gr.Row():
            cards = [gr.Markdown(words.PRESS_COMPARE if i == 0 else "", elem_id=f"alignment-answer-{i}",
                                 container=True) for i in range(3)]
        with gr.Row():
            cross_md = gr.Markdown(elem_id="alignment-cross")
            cross_plot = gr.Plot(label="Cross log-probabilities", elem_id="alignment-cross-plot")

        gr.Markdown(f"## {words.OBJECTIVES_HEADING}\n{words.OBJECTIVES_INTRO}", latex_delimiters=latex)
        with gr.Row():
            sft_plot = gr.Plot(label="SFT", elem_id="alignment-sft-curves")
            dpo_plot = gr.Plot(label="DPO", elem_id="alignment-dpo-curves")
        gr.Markdown(f"### {words.WORKED_HEADING}\n{words.WORKED_INTRO}")
        with gr.Row():
            flaw = gr.Dropdown(list(options.FLAW_CHOICES), value="wrong_topic", label="The rejected answer's flaw")
            beta = gr.Slider(options.BETA_SLIDER.shown.low, options.BETA_SLIDER.shown.high, value=options.BETA_SLIDER.value,
                             step=options.BETA_SLIDER.step, label="β", elem_id="alignment-beta")
        worked_md = gr.Markdown(elem_id="alignment-worked", latex_delimiters=latex)

        gr.Markdown(f"## {words.VOTE_HEADING}\n" + words.VOTE_INTRO.format(min_votes=options.MIN_VOTES))
        seat = gr.State(Seat(), delete_callback=lambda s: s.close() if s is not None else None)
        with gr.Row():
            room = gr.Textbox("", label="Room", placeholder="none: your votes stay in this session", scale=2,
                              max_lines=1, elem_id="alignment-room", info="a presenter link's room=… fills this")
            pair_question = gr.Textbox("", label="Question for the pair", scale=3, max_lines=2,
                                       placeholder="empty: a held-out question is drawn", elem_id="alignment-pair-question")
            draw_btn = gr.Button("Draw a pair", variant="primary", scale=1, elem_id="alignment-draw")
        book_md = gr.Markdown(words.PRESS_DRAW, elem_id="alignment-book")
        pair_q = gr.Markdown(elem_id="alignment-pair")
        with gr.Row():
            with gr.Column():
                answer_a = gr.Markdown(elem_id="alignment-a", container=True)
                vote_a = gr.Button("A is better", elem_id="alignment-vote-a")
            with gr.Column():
                answer_b = gr.Markdown(elem_id="alignment-b", container=True)
                vote_b = gr.Button("B is better", elem_id="alignment-vote-b")
        pair_id = gr.Number(None, visible=False, precision=0)
        with gr.Row():
            steps = spec_slider(options.TUNE_STEPS_SLIDER, "Tuning steps", scale=2, elem_id="alignment-steps")
            tune_btn = gr.Button("Tune on these votes", variant="primary", scale=1, elem_id="alignment-tune")
            stop_btn = gr.Button("Stop", scale=0, min_width=70)
            reset_btn = gr.Button("Reset", scale=0, min_width=90, elem_id="alignment-reset")
        tune_md = gr.Markdown(words.NOTHING_TUNED, elem_id="alignment-tune-status")
        tune_plot = gr.Plot(label="Tuning", elem_id="alignment-tune-plot")

        gr.Markdown(f"## {words.RULES_HEADING}\n" + words.RULES_INTRO.format(n=options.CHECK_QUESTIONS))
        with gr.Row():
            rule_n = spec_slider(options.RULE_PAIRS_SLIDER, "Questions the rules vote on", scale=2)
            rules_btn = gr.Button("Let the rules vote", scale=1, elem_id="alignment-rules-vote")
            check_btn = gr.Button("Check with the rules", scale=1, elem_id="alignment-check")
        rules_status = gr.Markdown(elem_id="alignment-rules-status")
        rules_md = gr.Markdown(elem_id="alignment-rules-pairs")
        check_md = gr.Markdown(elem_id="alignment-check-table")

        link_controls = {"room": room, "prompt": question, "seed": seed}
        copy_link_button("alignment", options.LINK_PARAMS, link_controls)

        compare_outputs = [*cards, cross_md, cross_plot]
        gr.on([compare_btn.click, question.submit], compare, [question, seed], compare_outputs,
              api_name="alignment_compare", preprocess=False, **MODEL)
        linkable(demo, "Alignment", options.LINK_PARAMS, link_controls, run=(compare, [question, seed], compare_outputs),
                 run_options=MODEL)
        gr.on([flaw.change, beta.release], worked, [flaw, beta], worked_md, api_name="alignment_worked_pair",
              trigger_mode="always_last", preprocess=False, **MODEL)
        pair_outputs = [pair_q, answer_a, answer_b, pair_id, book_md]
        draw_btn.click(draw, [seat, room, pair_question, seed], pair_outputs, api_name="alignment_draw", preprocess=False, **MODEL)
        vote_a.click(vote, [seat, room, vote_a, pair_id], pair_outputs, api_name="alignment_vote", preprocess=False)
        vote_b.click(vote, [seat, room, vote_b, pair_id], pair_outputs, api_visibility="private", preprocess=False)
        room.submit(book_status, [seat, room], book_md, api_name="alignment_status")
        tune_event = tune_btn.click(tune, [seat, room, steps, seed], [tune_plot, tune_md, book_md],
                                    api_name="alignment_tune", preprocess=False, **TUNING)
        stop_btn.click(None, cancels=[tune_event])
        reset_btn.click(reset, [seat, room], [*pair_outputs, tune_plot, tune_md], api_name="alignment_reset")
        rules_btn.click(rules_vote, [seat, room, rule_n, seed], [rules_md, rules_status, book_md],
                        api_name="alignment_rules_vote", preprocess=False, **MODEL)
        check_btn.click(check, [seat, room, seed], check_md, api_name="alignment_check", preprocess=False, **MODEL)
        fill_on_open(demo, objectives, [flaw, beta], [sft_plot, dpo_plot, worked_md])
    return demo
