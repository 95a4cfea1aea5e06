"""The Alignment page (Streamlit): the three stages side by side, what SFT and DPO optimise, the
audience's votes and a live DPO on them (per session, or pooled in the room named by ?room=…), and
the rules voting as a checkable reward. Glue only: the same logic as the Gradio tab."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from demos.alignment import options
from demos.alignment import wording as words
from shared import st_ui
from shared.live import Press

HERE = Path(__file__).parent

def seat():
    from demos.alignment.votes import Seat

    return st_ui.session_slot("alignment-seat", Seat)


def compare_section() -> int:
    from demos.alignment import answers, views

    st.header(words.COMPARE_HEADING)
    st.markdown(words.COMPARE_INTRO)
    a, b, c = st.columns([5, 1, 1], vertical_alignment="bottom")
    question = a.text_input("Question", options.DEFAULT_PROMPT, key="alignment-question")
    with b:
        seed = st_ui.seed_input("alignment-seed", options.DEFAULT_SEED)
    if c.button("Compare", type="primary", key="alignment-main-action"):
        with st_ui.shows_errors(), st.spinner("Three stages answering…"):
            st.session_state["alignment-compared"] = answers.compare(question, seed)
    compared = st.session_state.get("alignment-compared")
    if compared is None:
        st.caption(words.PRESS_COMPARE)
        return seed
    for column, name, answer in zip(st.columns(3), compared.stages, compared.answers):
        column.markdown(views.answer_card(name, answer.text, answer.ended))
    left, right = st.columns(2)
    left.markdown(views.cross_table(compared))
    right.plotly_chart(views.cross_figure(compared), theme=None, key="alignment-cross")
    return seed


def objectives_section() -> None:
    from demos.alignment import views
    from demos.alignment.preference import worked_pair

    st.header(words.OBJECTIVES_HEADING)
    st.markdown(words.OBJECTIVES_INTRO)
    left, right = st.columns(2)
    left.plotly_chart(views.sft_curve_figure(), theme=None, key="alignment-sft")
    right.plotly_chart(views.dpo_curve_figure(), theme=None, key="alignment-dpo")
    st.subheader(words.WORKED_HEADING)
    st.markdown(words.WORKED_INTRO)
    a, b = st.columns(2)
    flaw = a.selectbox("The rejected answer's flaw", options.FLAW_CHOICES, key="alignment-flaw")
    with b:
        beta = st_ui.spec_slider("β", options.BETA_SLIDER, "alignment-beta")
    with st_ui.shows_errors():
        st.markdown(views.worked_pair_text(worked_pair(flaw, beta)))


def room_name() -> str:
    """The room from the link (?room=…), else from the box."""
    linked = st.query_params.get("room", "")
    return st.text_input("Room", linked, key="alignment-room", help="a link's ?room=… fills this; empty: no room",
                         max_chars=options.ROOM_CHARS)


def vote_section(seed: int) -> None:
    from demos.alignment import live, views
    from demos.alignment.votes import cast_vote, draw_pair

    st.header(words.VOTE_HEADING)
    st.markdown(words.VOTE_INTRO.format(min_votes=options.MIN_VOTES))
    me = seat()
    a, b, c = st.columns([2, 3, 1], vertical_alignment="bottom")
    with a:
        room = room_name()
    question = b.text_input("Question for the pair", "", key="alignment-pair-question",
                            placeholder="empty: a held-out question is drawn")
    with st_ui.shows_errors():
        book = me.book(room)
        if c.button("Draw a pair", type="primary", key="alignment-draw"):
            with st.spinner("Two answers…"):
                draw_pair(me, book, question, seed)
        pair = me.pair
        if pair is not None:
            st.markdown(f"**Question:** {pair.question}")
            left, right = st.columns(2)
            for column, label, text in ((left, "A", pair.answers[0]), (right, "B", pair.answers[1])):
                column.markdown(f"**{label}.** {text}")
                if column.button(f"{label} is better", key=f"alignment-vote-{label.lower()}"):
                    cast_vote(me, book, label, pair.id)
                    st.rerun()
        st.markdown(words.book_status(book.name, book.count, book.rounds, options.MIN_VOTES))
        s1, s2, s3 = st.columns([3, 1, 1], vertical_alignment="bottom")
        with s1:
            steps = st_ui.spec_slider("Tuning steps", options.TUNE_STEPS_SLIDER, "alignment-steps")
        status, plot = st.empty(), st.empty()
        if s2.button("Tune on these votes", type="primary", key="alignment-tune"):
            for frame in live.tune(book, Press(0, cap_s=options.TUNE_SECONDS), steps, seed=seed):
                status.markdown(views.tune_status(frame))
                plot.plotly_chart(views.tune_figure(frame), theme=None, key=f"alignment-tune-{frame.step}-{frame.done}-{len(frame.kl)}")
        if s3.button("Reset", key="alignment-reset"):
            book.tuner.replace(None, words.TUNING_RUNNING)
            book.reset()
            me.pair = None
            st.rerun()


def rules_section(seed: int) -> None:
    from demos.alignment import reward, views

    st.header(words.RULES_HEADING)
    st.markdown(words.RULES_INTRO.format(n=options.CHECK_QUESTIONS))
    me = seat()
    a, b, c = st.columns([3, 1, 1], vertical_alignment="bottom")
    with a:
        n = st_ui.spec_slider("Questions the rules vote on", options.RULE_PAIRS_SLIDER, "alignment-rule-n")
    with st_ui.shows_errors():
        book = me.book(st.session_state.get("alignment-room", ""))
        if b.button("Let the rules vote", key="alignment-rules-vote"):
            with st.spinner("Answering twice, then scoring…"):
                pairs, status = reward.rules_vote(me, book, n, seed)
            st.markdown(status)
            st.markdown(views.rule_pairs_table(pairs))
        if c.button("Check with the rules", key="alignment-check"):
            with st.spinner("Answering the check questions…"):
                first, now = reward.check_book(book, seed)
            st.markdown(views.check_table(first, now, book.rounds > 0))


st_ui.header(words.TITLE, words.SUBTITLE)
st_ui.explainer(HERE)
chosen_seed = compare_section()
objectives_section()
vote_section(chosen_seed)
rules_section(chosen_seed)
