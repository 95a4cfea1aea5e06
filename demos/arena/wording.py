"""Every sentence the Arena tab shows, in both front ends."""

from __future__ import annotations

TITLE = "Arena: every image model, one judge"
SUBTITLE = ("Every image family in the suite learned the same `shapes` data. Here they meet the same judge "
            "and, where they define one, the same likelihood: which family draws valid shapes, which covers "
            "every shape and colour, which compresses held-out images best, and what each costs.")

TABLE_HEADING = "The full table"
TABLE_INTRO = (
    "Five seeds of {n} samples per family, judged by the classifier (*valid*) and by the pixels alone "
    "(*clean*: one connected object in a palette colour); each cell is the mean over the seeds, the "
    "lowest and highest seed in brackets. Bits per dimension on the 2,000 held-out images: **exact** for "
    "PixelCNN and the flow (the flow's for its dequantised, continuous density), an upper **bound** for the VAE "
    "(the negative ELBO) and the DDPM (its variational bound, estimated with one timestep per image); a GAN "
    "defines none. The samples of PixelCNN and the flow are each told labels drawn as the data draws them (as the "
    "conditional GAN's and latent diffusion's are); their bits per dimension are those of the same network told "
    "nothing, p(x) itself. "
    "Measured on {machine}; `{command}` measures it again."
)
NO_TABLE = "The full table has not been stored yet: run `{command}` (about 15 minutes on 2 cores)."

LIVE_HEADING = "Measure now"
LIVE_INTRO = (
    "Every family draws n new samples from one seed on this server, judged the same way, a row at a "
    "time; the bits per dimension use the first {bits_images} held-out images. With few samples the "
    "figures are noisy and the Fréchet distance is biased upward: compare them with each other, and with "
    "the full table only in order."
)
MEASURE = "Measure now"
READY = "Press **Measure now** to sample and judge every family again."
MEASURING = "Measuring **{name}** ({done} of {total} families, {seconds:.0f} s so far)…"
MEASURED = "{total} families measured on {n} samples each in {seconds:.1f} s."
SAMPLES_INFO = "New samples per family (one seed)."

COLUMNS = ("family", "valid", "valid and clean", "smallest shape", "smallest colour", "Fréchet distance",
           "bits per dimension", "ms per sample", "parameters", "trained")


def _share(value: float, span: tuple[float, float] | None) -> str:
    text = f"{value:.0%}"
    return text if span is None else f"{text} ({span[0]:.0%}–{span[1]:.0%})"


def _fd(value: float, span: tuple[float, float] | None) -> str:
    text = f"{value:.0f}"
    return text if span is None else f"{text} ({span[0]:.0f}–{span[1]:.0f})"


def bits_cell(row) -> str:  # noqa: ANN001 (explore.Row)
    if row.bits is None:
        return f"*{row.bits_kind}*"
    return f"{row.bits:.3f} ({row.bits_kind})"


def table_markdown(rows, live: bool = False) -> str:  # noqa: ANN001 (a sequence of explore.Row)
    """The rows as a Markdown table, both front ends; `live` leaves out what a live round does not change
    (parameters, training)."""
    columns = COLUMNS[:-2] if live else COLUMNS
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        r = row.ranges or {}
        cells = [
            f"**{row.name}**",
            _share(row.figures["valid"], r.get("valid")),
            _share(row.figures["valid_and_clean"], r.get("valid_and_clean")),
            _share(row.figures["min_shape"], r.get("min_shape")),
            _share(row.figures["min_colour"], r.get("min_colour")),
            _fd(row.figures["fd"], r.get("fd")),
            bits_cell(row),
            f"{row.ms_per_sample:.1f}",
            f"{row.parameters / 1e6:.2f} M",
            row.trained,
        ]
        lines.append("| " + " | ".join(cells[:len(columns)]) + " |")
    return "\n".join(lines)


def table_intro(rows) -> str:  # noqa: ANN001
    from demos.arena.options import STORE_COMMAND

    if not rows:
        return NO_TABLE.format(command=STORE_COMMAND)
    by_machine: dict[str, list[str]] = {}
    for row in rows:  # rows re-measured later (one family retrained) may come from another day or machine
        by_machine.setdefault(row.machine, []).append(row.name)
    machine = next(iter(by_machine)) if len(by_machine) == 1 else "; ".join(
        f"{m} ({', '.join(names)})" for m, names in by_machine.items())
    return TABLE_INTRO.format(n=rows[0].n, machine=machine, command=STORE_COMMAND)


def status_of(round_) -> str:  # noqa: ANN001 (explore.Round)
    if round_.done:
        return MEASURED.format(total=len(round_.names), n=round_.n, seconds=round_.seconds)
    return MEASURING.format(name=round_.measuring, done=len(round_.rows), total=len(round_.names),
                            seconds=round_.seconds)
