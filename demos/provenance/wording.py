"""Every sentence the Provenance tab shows, in both front ends."""

from __future__ import annotations

TITLE = "Provenance: real or generated?"
SUBTITLE = ("Every tab of this suite makes pictures. Here is how people, a detector, an invisible watermark and "
            "signed content credentials tell a made picture from a real one, where each fails, and how a "
            "model passes on the skew of its training data.")

# ---- can you tell? ----
QUIZ_HEADING = "Can you tell?"
QUIZ_INTRO = ("One `shapes` picture at a time, shown large with its pixels crisp: half are real (held out, never "
              "trained on), half come from the suite's seven generators. Say which. The detector below answers "
              "on the very same pictures; your score and its score are counted per generator. Open the tab "
              "with `?tab=provenance&room=<name>` and everyone with that link adds to one room's score.")
NEXT = "Show a picture"
SAY_REAL = "Real"
SAY_GENERATED = "Generated"
QUIZ_READY = "Press **Show a picture** to start."
ASKING = "Picture {number}: real, or generated?"
REAL_NAME = "Real pictures (held out)"
ALL_GENERATED = "All generated pictures"
ALL_PICTURES = "All pictures"
RESET_SCORE = "Reset my score"
ROOM_LABEL = "Room (optional: shared by everyone who names it)"


def verdict(right: bool, truth: str, detector_right: bool, p: float) -> str:
    you = "Right" if right else "Wrong"
    it = "right" if detector_right else "wrong"
    return f"**{you}**: it is **{truth}**. The detector said {p:.0%} generated, {it}."


def truth_of(source_name: str, generated: bool) -> str:
    return f"generated, by the {source_name}" if generated else "a real picture"


SCORE_COLUMNS = ("pictures", "answers", "people right", "detector right (same pictures)")
NO_ANSWERS = "No answers yet."


def score_heading(room: str) -> str:
    return f"Room **{room}**, everyone's answers" if room else "Your answers (this session)"


NO_EXHIBITS = "The quiz's pictures have not been drawn yet: run `{command}`."
ALREADY_ANSWERED = "That picture has been answered already: press Show a picture for the next."
NO_QUESTION = "There is no picture to answer: press Show a picture first."
STALE_QUESTION = "That answer is for an earlier picture: answer the one shown now."
SESSION_CLOSED = "This session has closed: reload the page."


def tally_full(cap: int) -> str:
    return f"This room has counted {cap} answers, the most it keeps: open a new room, or use none."


# ---- the detector ----
DETECTOR_HEADING = "A detector trained here"
DETECTOR_INTRO = ("A small CNN (`checkpoints/detector-shapes`) reads the high-pass residual of a picture (the "
                  "picture minus its local 3x3 mean: the faint texture a generator leaves on flat background "
                  "and edges) and was trained on real pictures against the **unconditional GAN's** samples "
                  "only. The table is its card's, re-measured by a test: on the generator it saw it is nearly "
                  "perfect; on the others it was never shown it falls, for PixelCNN below chance. Detectors "
                  "in the wild behave the same way (Wang et al. 2020 trained on ProGAN and tested on eleven "
                  "other generators).")
DETECTOR_COLUMNS = ("pictures", "called generated", "balanced accuracy with the real pictures")
LOOK_HEADING = "What the detector looks at"
LOOK_INTRO = ("Pick a picture from any generator, or upload or draw one. The map splits the detector's score "
              "exactly over the 8x8 regions its last layer sees (each feature channel's maximum credited to "
              "where it was taken): red regions pushed towards *generated*, blue towards *real*. The middle "
              "panel is what the network reads: the residual left after the picture's smooth part.")
LOOK_SOURCE = "Picture from"
LOOK_UPLOAD = "Upload or draw a picture (shrunk to 32x32)"
LOOK = "Ask the detector"
UPLOADED = "the picture given"


def look_verdict(p: float, logit: float) -> str:
    side = "generated" if p > 0.5 else "real"
    return f"The detector says **{side}**: {p:.1%} generated (logit {logit:+.2f})."


# ---- watermark and credentials ----
MARK_HEADING = "Invisible watermarks and content credentials"
MARK_INTRO = ("**Make one**: a sample of the chosen generator, shown at 256x256 (a 32x32 picture has no room for "
              "a mark), gets an invisible 48-bit watermark naming its model and seed in its pixels "
              "(`invisible-watermark`'s DWT-DCT, the mark Stable Diffusion's reference code applies), and a "
              "C2PA manifest in the file, signed with this demo's **TEST** certificate (made by "
              "`make_test_credentials.py`, its key public: a reader reports the signer untrusted, rightly). "
              "Then the file travels: see what each kind of provenance keeps.")
MAKE = "Make, mark and sign"
FAMILY_LABEL = "Generator"
MARK_OFF = ("Marking every generated picture is **off** on this server; start it with `--watermark` (or "
            "`GENAI_DEMOS_WATERMARK=1`) and every generator's samples are shown at 256 px or more with a mark "
            "naming the model and seed.")
MARK_ON = ("Marking every generated picture is **on**: every generator's samples in this app are shown at 256 px "
           "or more with an invisible mark naming the model and seed; upload one below to read it back.")


def made(name: str, seed: int, mark_ms: float, sign_ms: float) -> str:
    return (f"A sample of the **{name}**, seed {seed}: marked in {mark_ms:.0f} ms, signed in {sign_ms:.0f} ms. "
            "Download the signed file with the button under the picture.")


JOURNEYS = {
    "copied": "the file copied as it is",
    "jpeg": "re-saved as JPEG 90 (an upload to a social network)",
    "screenshot": "a screenshot (the same pixels in a new file)",
    "half_and_back": "shrunk to half and enlarged back",
    "crop": "5% cropped off each side",
    "editor_resize": "enlarged 1.5x in an editor that signs its edits",
}
SURVIVAL_COLUMNS = ("the file was", "content credentials", "watermark bits recovered")
ROBUSTNESS_HEADING = "The mark against each attack (measured now, on this picture)"
ROBUSTNESS_COLUMNS = ("attack", "bits recovered", "mark read")
INSPECT_HEADING = "Read a file's provenance"
INSPECT_INTRO = ("Upload any PNG or JPEG: its content credentials, if it carries a manifest, and the bits of a mark "
                 "in its pixels, looked up among the pictures this server marked.")
INSPECT_UPLOAD = "A PNG or JPEG file"
INSPECT = "Read its provenance"
NO_FILE = "Upload a PNG or JPEG file first."
NOT_A_PICTURE = "That file is not a picture this app can read."


def credentials_cell(found) -> str:  # noqa: ANN001 (credentials.Credentials | None)
    if found is None:
        return "none: no manifest in the file"
    steps = " ← ".join(a.removeprefix("c2pa.") for a in found.history)
    state = "intact" if found.intact else "**broken**: " + ", ".join(p for p in found.problems if p != "signingCredential.untrusted")
    origin = f"made by a trained model ({found.agent})" if found.generated else "no generator named"
    return f"{state}; {origin}; {steps}; signer untrusted (TEST)"


def bits_cell(matches: float | None) -> str:
    if matches is None:
        return "no mark can be read (smaller than 256 px)"
    return f"{matches:.0%}" + (" (read)" if matches >= 0.95 else " (lost: 50% is chance)")


def inspect_markdown(found) -> str:  # noqa: ANN001 (trail.Found)
    lines = [f"**File**: {found.size[0]}x{found.size[1]} pixels.", f"**Content credentials**: {credentials_cell(found.credentials)}."]
    c = found.credentials
    if c is not None:
        lines.append(f"**Manifest**: {c.title}; created {c.when or 'at an unknown time'} by {c.agent or 'an unnamed agent'}; "
                     f"settings {', '.join(f'{k} = {v}' for k, v in c.settings.items()) or 'none'}; signed by {c.signer}.")
    if found.bits is None:
        lines.append("**Watermark**: the picture is smaller than 256 pixels a side, too small to hold the mark.")
    elif found.marked_by:
        lines.append(f"**Watermark**: `{found.bits.hex()}`, a mark this server made: **{found.marked_by[0]}**, seed "
                     f"**{found.marked_by[1]}**.")
    else:
        lines.append(f"**Watermark**: the pixels read as `{found.bits.hex()}`, which matches nothing this server marked "
                     "(an unmarked picture reads as random bits).")
    return "\n\n".join(lines)


# ---- bias in, bias out ----
BIAS_HEADING = "Bias in, bias out"
BIAS_INTRO = ("The training data holds every shape and colour about equally (one in six). For each generator, "
              "{n} samples: of those the classifier recognises as a shape, the share of each colour and each "
              "shape, beside the data's. A generator that drops a colour has learned a narrower world than it "
              "was shown. Stored by `{command}`; the table below is the pixels' own check (a core colour "
              "within the palette's distance), no network involved.")
NO_SHARES = "The shares have not been stored yet: run `{command}`."
SKEW_HEADING = "Skew the data, train, and see"
SKEW_INTRO = ("A small GAN trained here, now, on a set where a slider sets the share of **red** pictures (the rest "
              "split equally among the other five colours; at 1/6 every colour is alike). Does it draw red as "
              "often as the data holds it, less, or more (amplifying the skew)? Both witnesses read 512 samples as "
              "it trains.")
SKEW_LABEL = "Share of red pictures in the training set (0.17: balanced)"
SKEW_STEPS_LABEL = "Training steps"
TRAIN = "Train on the skewed set"
SKEW_READY = "Press **Train on the skewed set**: about 30 s at the defaults."


# ---- tables ----
def _table(columns: tuple[str, ...], rows: list[tuple]) -> str:
    return "\n".join(["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns),
                      *("| " + " | ".join(str(c) for c in row) + " |" for row in rows)])


def score_markdown(rows: list) -> str:  # quiz.ScoreRow
    if not rows:
        return NO_ANSWERS
    return _table(SCORE_COLUMNS, [(f"**{r.name}**" if r.source in ("generated", "all") else r.name, r.answers,
                                   f"{r.visitors:.0%}", f"{r.detector:.0%}") for r in rows])


def detector_markdown(table: dict[str, dict[str, float]], names: dict[str, str], trained_on: str) -> str:
    rows = [(names.get("real", "real"), f"{1 - table['real']['called_real']:.1%}", "")]
    rows += [(names.get(k, k) + (" (**trained on**)" if k == trained_on else ""), f"{v['called_generated']:.1%}",
              f"{v['balanced_accuracy']:.1%}") for k, v in table.items() if k != "real"]
    return _table(DETECTOR_COLUMNS, rows)


def survival_markdown(rows: list) -> str:  # trail.Survival
    return _table(SURVIVAL_COLUMNS, [(JOURNEYS[r.journey], credentials_cell(r.found.credentials), bits_cell(r.found.matches))
                                     for r in rows])


def robustness_markdown(rows: list[tuple[str, float]]) -> str:
    return _table(ROBUSTNESS_COLUMNS, [(attack, f"{accuracy:.0%}", "yes" if accuracy >= 0.95 else "no")
                                       for attack, accuracy in rows])


def shares_markdown(shares: dict[str, dict]) -> str:
    """The colours each generator all but drops, and the pixels' colour shares per source."""
    from demos.provenance.views import among_recognised

    colours = list(next(iter(shares.values()))["pixel_colour"])
    dropped = []
    for key, s in shares.items():
        by_colour = among_recognised(s, "colour")
        rare = [c for c in colours if by_colour[c] < 0.03]
        if key != "data" and rare:
            dropped.append(f"the {s['name']} draws {' and '.join(rare)} in under 3% of the shapes it draws")
    note = ("By the classifier, " + "; ".join(dropped) + ".") if dropped else \
        "Every generator draws every colour in at least 3% of the shapes it draws."
    rows = [(s["name"], f"{sum(s['pixel_colour'].values()):.0%}", *(f"{among_recognised(s, 'pixel_colour')[c]:.0%}" for c in colours))
            for s in shares.values()]
    return note + ("\n\nThe pixels' own check: the share of samples that are one clean piece in a palette colour, and each "
                   "colour's share of those:\n\n") + _table(("source", "clean", *colours), rows)


def skew_status(round_) -> str:  # noqa: ANN001 (skew.Round)
    """Where the run is, red's share by each witness now, and the amplification over the run's second
    half (a GAN's colours swing from round to round: one round can catch a swing)."""
    parts = [f"Step {round_.step} of {round_.steps} ({round_.seconds:.0f} s). Red is {round_.skew:.0%} of the data"]
    for witness, by in (("classifier", "by the classifier"), ("pixels", "by the pixels")):
        judged = round_.judged(witness)
        if judged > 0:
            parts.append(f"{round_.red_share(witness):.0%} of the samples {by} (of the {judged:.0%} it could colour)")
    text = "; ".join(parts) + "."
    late = (round_.late_amplification("classifier"), round_.late_amplification("pixels"))
    if round_.step > 0 and not any(v != v for v in late):  # nan: no trained round yet
        text += (f" Red drawn ×{late[0]:.2f} (classifier) and ×{late[1]:.2f} (pixels) as often as the data holds it, "
                 "over the run's second half.")
    if round_.done and not any(v != v for v in late):
        verdict = ("the GAN has **amplified** the skew" if min(late) > 1.1 else "the GAN has **reduced** the skew"
                   if max(late) < 0.9 else "the GAN gives the skew back about as it was" if max(abs(v - 1) for v in late) <= 0.1
                   else "the two witnesses disagree on what the GAN did to the skew")
        text += (f" Trained: {verdict}. Compare with the balanced set (1/6 red): this small GAN "
                 "draws red a little more often than the data holds it even there.")
    return text
