"""The words both Data & judge front ends show (title, section headings and introductions, widget
labels and help), written once so the Gradio tab and the Streamlit page say the same thing."""

from __future__ import annotations

TITLE = "The data, and the judge of every image model"
SUBTITLE = ("One procedural data set feeds the GAN, VAE, diffusion and CLIP tabs; one small classifier scores what "
            "they generate.")
SEED = "Seed"
JUDGING = "Drawing {n} images and judging each…"

SHAPES_HEADING = "Shapes"
SHAPES_INTRO = "32×32 images with exact labels and a caption."
IMAGES = "Images"
MIX = "Share replaced by non-shapes"
MIX_HELP = "noise, blends of two shapes, two shapes at once: the judge should say 'not a shape'"
DRAW = "Draw and judge"


def grid_placeholder(button: str) -> str:
    """What the empty grid says; `button` is DRAW as the front end marks it bold."""
    return f"Press {button}: images appear here with the judge's verdict, framed green when it reads one clean shape."


TOY_HEADING = "Toy 2-D sets"
TOY_INTRO = "The point clouds the live-training views (GAN, diffusion) learn in seconds."
TOY_SET = "Data set"
TOY_POINTS = "Points"

DIGITS_HEADING = "Handwritten digits"
DIGITS_INTRO = "scikit-learn's 1,797 8×8 digits, shipped with the package."
DIGITS = "Digits"


def digits_caption(labels: object) -> str:
    """The line under the digits sheet."""
    return f"Labels, in reading order: {labels}"
