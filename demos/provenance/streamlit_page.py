"""The Provenance page (Streamlit), the page twin of ui.py: the quiz (per session, or pooled in the room
named by ?room=…), the detector and where it looks, the watermark and the content credentials, bias in
and bias out. Glue only: the same logic, pictures, limits and sentences as the Gradio tab."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from demos.provenance import options
from demos.provenance import wording as words
from demos.provenance.options import DEFAULTS
from shared import st_ui
from shared.image_files import png_bytes

HERE = Path(__file__).parent


def seat():  # -> quiz.Seat
    from demos.provenance.quiz import Seat

    return st_ui.session_slot("provenance-seat", Seat)


def quiz_section() -> None:
    from demos.provenance import quiz, views

    st.header(words.QUIZ_HEADING)
    st.markdown(words.QUIZ_INTRO)
    me = seat()
    left, middle, right = st.columns([1, 2, 2])
    with left:
        room = st.text_input(words.ROOM_LABEL, st.query_params.get("room", ""), key="provenance-room")
        seed = st_ui.seed_input("provenance-seed", DEFAULTS.seed)
        go = st.button(words.NEXT, key="provenance-main-action", type="primary")
        reset = st.button(words.RESET_SCORE, key="provenance-reset")
    with st_ui.shows_errors():
        tally = me.tally(room)
        if reset:
            me.own.reset()
        if go:
            quiz.next_question(me, seed)
            st.session_state.pop("provenance-verdict", None)
        with middle:
            question = me.question
            if question is not None:
                st.markdown(words.ASKING.format(number=question.number))
                st_ui.streamed_png(st.empty(), views.quiz_picture(question.picture))
                a, b = st.columns(2)
                said = quiz.REAL if a.button(words.SAY_REAL, key="provenance-say-real") else \
                    "generated" if b.button(words.SAY_GENERATED, key="provenance-say-generated") else None
                if said:
                    result = quiz.answer(me, tally, said, question.id)
                    truth = words.truth_of(quiz.source_names()[question.source], question.generated)
                    st.session_state["provenance-verdict"] = words.verdict(result.right, truth, result.detector_right,
                                                                           result.detector_probability)
                    st.rerun()
            else:
                st.markdown(words.QUIZ_READY)
            if "provenance-verdict" in st.session_state:
                st.markdown(st.session_state["provenance-verdict"])
        with right:
            st.markdown(f"### {words.score_heading(tally.name)}\n" + words.score_markdown(quiz.score_rows(tally.snapshot())))
            if tally is not me.own:
                st.markdown(f"### {words.score_heading('')}\n" + words.score_markdown(quiz.score_rows(me.own.snapshot())))


def detector_section() -> None:
    from demos.provenance import explain, quiz, stored, views
    from demos.provenance.train import TRAINED_ON

    st.header(words.DETECTOR_HEADING)
    st.markdown(words.DETECTOR_INTRO)
    with st_ui.shows_errors():
        names = quiz.source_names()
        st.markdown(words.detector_markdown(stored.detector_table(), names, TRAINED_ON))
    st.subheader(words.LOOK_HEADING)
    st.markdown(words.LOOK_INTRO)
    left, right = st.columns([1, 2])
    with left:
        choices = {**names, options.UPLOADED: words.UPLOADED}
        source = st.selectbox(words.LOOK_SOURCE, list(choices), index=list(choices).index("gan") if "gan" in choices else 0,
                              format_func=choices.get, key="provenance-look-source")
        index = st.number_input("Picture number", options.PICTURE_INDEX.low, options.PICTURE_INDEX.high, 0,
                                key="provenance-look-index")
        upload = st.file_uploader(words.LOOK_UPLOAD, type=st_ui.PICTURE_TYPES, key="provenance-look-upload")
        go = st.button(words.LOOK, key="provenance-look")
    with right, st_ui.shows_errors():
        if go:
            with st_ui.uploaded_path(upload, options.UPLOAD_MAX_BYTES) as path:
                picture, _ = explain.chosen_picture(source, index, path)
            seen = explain.look_at(picture)
            st.markdown(words.look_verdict(seen.probability, seen.logit))
            st.image(png_bytes(views.look_figure(seen)), output_format="PNG")


def mark_section() -> None:
    from demos.provenance import quiz, trail
    from shared import watermark

    st.header(words.MARK_HEADING)
    st.markdown(words.MARK_INTRO)
    st.markdown(words.MARK_ON if watermark.enabled() else words.MARK_OFF)
    left, middle, right = st.columns([1, 1, 2])
    with left:
        families = {k: v for k, v in quiz.source_names().items() if k != quiz.REAL}
        family = st.selectbox(words.FAMILY_LABEL, list(families), format_func=families.get,
                              index=list(families).index(options.MARK_DEFAULT_FAMILY), key="provenance-family")
        seed = st_ui.seed_input("provenance-mark-seed", DEFAULTS.seed)
        go = st.button(words.MAKE, key="provenance-make")
    if go:
        with st_ui.shows_errors():
            exhibit = trail.make_exhibit(family, seed)
            middle.image(png_bytes(exhibit.marked), output_format="PNG")
            middle.download_button("The signed file", exhibit.signed, f"{exhibit.checkpoint}-seed{exhibit.seed}-signed.png",
                                   "image/png", key="provenance-signed")
            right.markdown(words.made(exhibit.name, exhibit.seed, exhibit.mark_ms, exhibit.sign_ms))
            right.markdown(words.survival_markdown(trail.survival(exhibit)))
            st.markdown(f"### {words.ROBUSTNESS_HEADING}\n" + words.robustness_markdown(trail.robustness(exhibit)))
    st.subheader(words.INSPECT_HEADING)
    st.markdown(words.INSPECT_INTRO)
    upload = st.file_uploader(words.INSPECT_UPLOAD, type=["png", "jpg", "jpeg"], key="provenance-inspect-file")
    if st.button(words.INSPECT, key="provenance-inspect"):
        with st_ui.shows_errors():
            st.markdown(words.inspect_markdown(trail.inspect_file(upload.getvalue() if upload is not None else b"")))


def bias_section() -> None:
    from demos.provenance import skew, stored, views

    st.header(words.BIAS_HEADING)
    st.markdown(words.BIAS_INTRO.format(n=options.SHARES_SAMPLES, command=options.EXHIBITS_COMMAND))
    shares = stored.stored_shares()
    if shares:
        st.plotly_chart(views.shares_figure(shares), theme=None, key="provenance-shares")
        st.markdown(words.shares_markdown(shares))
    else:
        st.markdown(words.NO_SHARES.format(command=options.EXHIBITS_COMMAND))
    st.subheader(words.SKEW_HEADING)
    st.markdown(words.SKEW_INTRO)
    left, right = st.columns([1, 3])
    with left:
        share = st_ui.spec_slider(words.SKEW_LABEL, options.SKEW_SLIDER, "provenance-skew")
        steps = st_ui.spec_slider(words.SKEW_STEPS_LABEL, options.SKEW_STEPS_SLIDER, "provenance-skew-steps")
        seed = st_ui.seed_input("provenance-skew-seed", DEFAULTS.seed)
        go = st.button(words.TRAIN, key="provenance-train")
    with right:
        status, plot, samples = st.empty(), st.empty(), st.empty()
        if go:
            with st_ui.shows_errors():
                for round_ in skew.train_skewed(share, steps, seed):
                    status.markdown(words.skew_status(round_))
                    plot.plotly_chart(views.skew_figure(round_), theme=None, key=f"provenance-skew-{round_.step}")
                    st_ui.streamed_png(samples, views.skew_samples(round_))
        else:
            status.markdown(words.SKEW_READY)


st_ui.header(words.TITLE, words.SUBTITLE)
st_ui.explainer(HERE)
quiz_section()
detector_section()
mark_section()
bias_section()
