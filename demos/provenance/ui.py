"""Provenance tab: can you tell (a quiz pooled per room), a detector and where it looks, invisible
watermarks and signed content credentials and what survives of each, bias in and bias out. Glue
only: the logic is in quiz.py, explain.py, trail.py, skew.py and stored.py, the pictures in
views.py, the sentences in wording.py."""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from demos.provenance.quiz import Seat
from shared.image_files import png_file, write_atomic
from shared.presenter_ui import copy_link_button, linkable
from shared.ui import demo_container, editor_path, explainer, file_path, fill_on_open, header, seed_control, shapes_editor, shows_errors

HERE = Path(__file__).parent
QUIZ = {"concurrency_limit": 8, "concurrency_id": "provenance-quiz"}  # milliseconds each: many at once
MODELS = {"concurrency_limit": 2, "concurrency_id": "provenance-models"}
TRAINING = {"concurrency_limit": 1, "concurrency_id": "provenance-skew"}  # identical presses share one run


def _scores(seat: Seat, room: str) -> tuple[str, str]:
    from demos.provenance import quiz
    from demos.provenance import wording as words

    tally = seat.tally(room)
    shared = f"### {words.score_heading(tally.name)}\n" + words.score_markdown(quiz.score_rows(tally.snapshot()))
    mine = "" if tally is seat.own else f"### {words.score_heading('')}\n" + words.score_markdown(quiz.score_rows(seat.own.snapshot()))
    return shared, mine


@shows_errors
def show_picture(seat: Seat, room: str, seed):  # noqa: ANN001
    """The next quiz picture: (picture, status, verdict, room's scores, own scores)."""
    from demos.provenance import quiz, views
    from demos.provenance import wording as words

    seat.tally(room)  # a bad room is refused before the picture is drawn
    question = quiz.next_question(seat, seed)
    return png_file(views.quiz_picture(question.picture)), words.ASKING.format(number=question.number), "", *_scores(seat, room)


@shows_errors
def answer(seat: Seat, room: str, said: str):
    """The answer to the picture this session was shown: (verdict, room's scores, own scores)."""
    from demos.provenance import quiz
    from demos.provenance import wording as words

    said = {words.SAY_REAL: quiz.REAL, words.SAY_GENERATED: "generated"}.get(said, said)
    result = quiz.answer(seat, seat.tally(room), said)
    truth = words.truth_of(quiz.source_names()[result.question.source], result.question.generated)
    return (words.verdict(result.right, truth, result.detector_right, result.detector_probability), *_scores(seat, room))


@shows_errors
def reset_score(seat: Seat, room: str):
    seat.own.reset()
    return _scores(seat, room)


@shows_errors
def stored_tables():
    """The detector's table, the stored shares (figure and table)."""
    from demos.provenance import quiz, stored, views
    from demos.provenance import wording as words
    from demos.provenance.train import TRAINED_ON

    detector = words.detector_markdown(stored.detector_table(), quiz.source_names(), TRAINED_ON)
    shares = stored.stored_shares()
    if not shares:
        return detector, None, words.NO_SHARES.format(command="python -m demos.provenance.make_exhibits")
    return detector, views.shares_figure(shares), words.shares_markdown(shares)


@shows_errors
def look(source: str, index, picture):  # noqa: ANN001
    """(the detector's view, its verdict)."""
    from demos.provenance import explain, views
    from demos.provenance import wording as words

    image, _ = explain.chosen_picture(source, index, editor_path(picture))
    seen = explain.look_at(image)
    return png_file(views.look_figure(seen)), words.look_verdict(seen.probability, seen.logit)


@shows_errors
def mark_and_sign(family: str, seed):  # noqa: ANN001
    """(marked picture, signed file, what was made, the journeys' table, the attacks' table)."""
    from demos.provenance import trail
    from demos.provenance import wording as words

    exhibit = trail.make_exhibit(family, seed)
    signed = write_atomic(exhibit.signed, ".png", prefix=f"{exhibit.checkpoint}-seed{exhibit.seed}-signed-")
    return (png_file(exhibit.marked), signed, words.made(exhibit.name, exhibit.seed, exhibit.mark_ms, exhibit.sign_ms),
            words.survival_markdown(trail.survival(exhibit)),
            f"### {words.ROBUSTNESS_HEADING}\n" + words.robustness_markdown(trail.robustness(exhibit)))


@shows_errors
def inspect(upload):  # noqa: ANN001
    from demos.provenance import options, trail
    from demos.provenance import wording as words
    from shared import limits

    path = file_path(upload)
    if not path or not Path(path).is_file():
        raise limits.LimitError(words.NO_FILE)
    if Path(path).stat().st_size > options.FILE_MAX_BYTES:
        raise limits.LimitError(f"The file must be at most {options.FILE_MAX_BYTES // 2**20} MB.")
    return words.inspect_markdown(trail.inspect_file(Path(path).read_bytes()))


@shows_errors
def train_skewed(skew, steps, seed):  # noqa: ANN001
    """Streams (figure, samples, status) as the small GAN trains on the skewed set."""
    from demos.provenance import skew as skewing
    from demos.provenance import views
    from demos.provenance import wording as words

    for round_ in skewing.train_skewed(skew, steps, seed):
        yield views.skew_figure(round_), png_file(views.skew_samples(round_)), words.skew_status(round_)


def build() -> gr.Blocks:
    from demos.provenance import options, quiz
    from demos.provenance import wording as words
    from demos.provenance.options import DEFAULTS
    from shared import watermark

    with demo_container("Provenance") as demo:
        header(words.TITLE, words.SUBTITLE)
        explainer(HERE)

        # ---- can you tell? ----
        gr.Markdown(f"## {words.QUIZ_HEADING}\n{words.QUIZ_INTRO}")
        seat = gr.State(Seat(), delete_callback=lambda s: s.close() if s is not None else None)
        with gr.Row():
            with gr.Column(scale=1, min_width=260):
                room = gr.Textbox("", label=words.ROOM_LABEL, placeholder="none: your answers stay in this session", max_lines=1,
                                  elem_id="provenance-room", info="a presenter link's room=… fills this")
                seed = seed_control(DEFAULTS.seed, elem_id="provenance-seed")
                next_btn = gr.Button(words.NEXT, variant="primary", elem_id="provenance-main-action")
                reset_btn = gr.Button(words.RESET_SCORE, size="sm")
            with gr.Column(scale=2):
                status = gr.Markdown(words.QUIZ_READY, elem_id="provenance-status")
                picture = gr.Image(type="filepath", interactive=False, show_label=False, height=options.QUIZ_SHOWN + 20,
                                   elem_id="provenance-picture")
                with gr.Row():
                    say_real = gr.Button(words.SAY_REAL, elem_id="provenance-say-real")
                    say_generated = gr.Button(words.SAY_GENERATED, elem_id="provenance-say-generated")
                verdict = gr.Markdown(elem_id="provenance-verdict")
            with gr.Column(scale=2):
                scores = gr.Markdown(words.NO_ANSWERS, elem_id="provenance-scores")
                my_scores = gr.Markdown(elem_id="provenance-my-scores")

        # ---- the detector ----
        gr.Markdown(f"## {words.DETECTOR_HEADING}\n{words.DETECTOR_INTRO}")
        detector_md = gr.Markdown(elem_id="provenance-detector-table")
        gr.Markdown(f"### {words.LOOK_HEADING}\n{words.LOOK_INTRO}")
        with gr.Row():
            with gr.Column(scale=1, min_width=260):
                source = gr.Dropdown([(name, key) for key, name in quiz_sources().items()] + [(words.UPLOADED, options.UPLOADED)],
                                     value="gan", label=words.LOOK_SOURCE, elem_id="provenance-look-source")
                index = gr.Number(0, label="Picture number", precision=0, minimum=options.PICTURE_INDEX.low,
                                  maximum=options.PICTURE_INDEX.high, elem_id="provenance-look-index")
                drawn = shapes_editor(words.LOOK_UPLOAD, "provenance-look-upload", side=options.SHOW_SIDE)
                look_btn = gr.Button(words.LOOK, elem_id="provenance-look")
            with gr.Column(scale=2):
                look_md = gr.Markdown(elem_id="provenance-look-verdict")
                look_img = gr.Image(type="filepath", interactive=False, show_label=False, elem_id="provenance-look-figure")

        # ---- mark and sign ----
        gr.Markdown(f"## {words.MARK_HEADING}\n{words.MARK_INTRO}\n\n{words.MARK_ON if watermark.enabled() else words.MARK_OFF}")
        with gr.Row():
            with gr.Column(scale=1, min_width=260):
                family = gr.Dropdown([(name, key) for key, name in quiz_sources().items() if key != quiz.REAL],
                                     value=options.MARK_DEFAULT_FAMILY, label=words.FAMILY_LABEL, elem_id="provenance-family")
                mark_seed = seed_control(DEFAULTS.seed, elem_id="provenance-mark-seed")
                make_btn = gr.Button(words.MAKE, elem_id="provenance-make")
            with gr.Column(scale=1):
                marked = gr.Image(type="filepath", interactive=False, show_label=False, height=280, elem_id="provenance-marked")
                signed = gr.File(label="The signed file", interactive=False, elem_id="provenance-signed")
            with gr.Column(scale=2):
                made_md = gr.Markdown(elem_id="provenance-made")
                survival_md = gr.Markdown(elem_id="provenance-survival")
        robustness_md = gr.Markdown(elem_id="provenance-robustness")
        gr.Markdown(f"### {words.INSPECT_HEADING}\n{words.INSPECT_INTRO}")
        with gr.Row():
            upload = gr.File(label=words.INSPECT_UPLOAD, file_types=[".png", ".jpg", ".jpeg"], type="filepath",
                             elem_id="provenance-inspect-file")
            with gr.Column():
                inspect_btn = gr.Button(words.INSPECT, elem_id="provenance-inspect")
                inspect_md = gr.Markdown(elem_id="provenance-inspect-result")

        # ---- bias in, bias out ----
        gr.Markdown(f"## {words.BIAS_HEADING}\n" + words.BIAS_INTRO.format(n=options.SHARES_SAMPLES, command=options.EXHIBITS_COMMAND))
        shares_plot = gr.Plot(show_label=False, elem_id="provenance-shares")
        shares_md = gr.Markdown(elem_id="provenance-shares-table")
        gr.Markdown(f"### {words.SKEW_HEADING}\n{words.SKEW_INTRO}")
        with gr.Row():
            with gr.Column(scale=1, min_width=260):
                skew = gr.Slider(options.SKEW_SLIDER.shown.low, options.SKEW_SLIDER.shown.high, value=DEFAULTS.skew,
                                 step=options.SKEW_SLIDER.step, label=words.SKEW_LABEL, elem_id="provenance-skew")
                steps = gr.Slider(options.SKEW_STEPS_SLIDER.shown.low, options.SKEW_STEPS_SLIDER.shown.high,
                                  value=DEFAULTS.skew_steps, step=options.SKEW_STEPS_SLIDER.step, label=words.SKEW_STEPS_LABEL)
                skew_seed = seed_control(DEFAULTS.seed, elem_id="provenance-skew-seed")
                train_btn = gr.Button(words.TRAIN, elem_id="provenance-train")
            with gr.Column(scale=3):
                skew_md = gr.Markdown(words.SKEW_READY, elem_id="provenance-skew-status")
                skew_plot = gr.Plot(show_label=False, elem_id="provenance-skew-plot")
                skew_samples = gr.Image(type="filepath", interactive=False, show_label=False, height=90,
                                        elem_id="provenance-skew-samples")

        quiz_outputs = [picture, status, verdict, scores, my_scores]
        next_btn.click(show_picture, [seat, room, seed], quiz_outputs, api_name="provenance_picture", preprocess=False, **QUIZ)
        say_real.click(answer, [seat, room, say_real], [verdict, scores, my_scores],
                       api_name="provenance_answer", preprocess=False, **QUIZ)
        say_generated.click(answer, [seat, room, say_generated], [verdict, scores, my_scores],
                            api_visibility="private", preprocess=False, **QUIZ)
        reset_btn.click(reset_score, [seat, room], [scores, my_scores], api_name="provenance_reset_score", **QUIZ)
        room.submit(lambda s, r: _scores(s, r), [seat, room], [scores, my_scores], api_visibility="private")
        look_btn.click(look, [source, index, drawn], [look_img, look_md], api_name="provenance_look", preprocess=False, **MODELS)
        make_btn.click(mark_and_sign, [family, mark_seed], [marked, signed, made_md, survival_md, robustness_md],
                       api_name="provenance_mark", preprocess=False, **MODELS)
        inspect_btn.click(inspect, [upload], inspect_md, api_name="provenance_inspect", preprocess=False, **MODELS)
        train_btn.click(train_skewed, [skew, steps, skew_seed], [skew_plot, skew_samples, skew_md], api_name="provenance_skew",
                        preprocess=False, **TRAINING)
        link_controls = {"room": room}
        copy_link_button("provenance", options.LINK_PARAMS, link_controls)
        linkable(demo, "Provenance", options.LINK_PARAMS, link_controls)
        fill_on_open(demo, stored_tables, [], [detector_md, shares_plot, shares_md])
    return demo


def quiz_sources() -> dict[str, str]:
    """source key -> name, without loading a model (the quiz's exhibits file and the families' names)."""
    from demos.provenance import quiz
    from demos.provenance import wording as words
    from shared import limits

    try:
        return quiz.source_names()
    except limits.LimitError:  # the exhibits not drawn yet: the tab still builds, and says so when used
        return {quiz.REAL: words.REAL_NAME}
