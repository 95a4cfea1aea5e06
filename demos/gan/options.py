"""Choices and limits of the GAN tab, and the live-training settings and presets: everything the
UI needs to build its widgets, importable without torch (the app must start without it).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from shared import limits
from shared.datasets import LABEL_NAMES, TOY_2D_NAMES

# ---- latent walk ----
Interpolation = Literal["slerp", "lerp"]
INTERPOLATIONS: tuple[str, ...] = ("slerp", "lerp")
ATTRIBUTES: dict[str, tuple[str, ...]] = {k: LABEL_NAMES[k] for k in ("colour", "shape", "size")}

WAYPOINTS = limits.IntRange("number of waypoints", 2, 8)
WALK_FRAMES = limits.IntRange("number of frames", 2, 240)
WALK_FRAMES_SLIDER = limits.Slider(WALK_FRAMES, 37, 1)
PSI = limits.FloatRange("truncation psi", 0.0, 1.0)
PSI_SLIDER = limits.Slider(PSI, 1.0, 0.05)  # both truncation sliders: the walk's and the conditional GAN's
AMOUNT = limits.FloatRange("amount along the direction", -4.0, 4.0)
AMOUNT_SLIDER = limits.Slider(AMOUNT, 2.0, 0.1)
FPS = limits.IntRange("frames per second", 1, 50)
FPS_SLIDER = limits.Slider(FPS, 12, 1)
GRID_SAMPLES = 16  # the grid: 16 tiles in two rows, each 32x32 sample at 128x128
GRID_COLUMNS, GRID_SCALE = 8, 4
ZOOM = 8  # a 32x32 frame shown at 256x256, pixels kept sharp
# what the first value of each attribute's From / To is (a direction the bundled model follows well)
ATTRIBUTE_PAIRS: dict[str, tuple[str, str]] = {"colour": ("orange", "green"), "shape": ("circle", "square"),
                                               "size": ("small", "large")}


# ---- the class-conditional GAN: told which shape and colour to draw ----
ANY = "any"  # a class drawn at random for each tile
SHAPE_CHOICES: tuple[str, ...] = (ANY, *LABEL_NAMES["shape"])
COLOUR_CHOICES: tuple[str, ...] = (ANY, *LABEL_NAMES["colour"])
CLASS_WALK_FRAMES = limits.IntRange("number of frames", 2, 24)
CLASS_WALK_FRAMES_SLIDER = limits.Slider(CLASS_WALK_FRAMES, 9, 1)
TRUNCATION_PSIS: tuple[float, ...] = (1.0, 0.7, 0.4, 0.0)  # the rows of the truncation view
TRUNCATION_TILES = 8  # latents per row
SHARE_SAMPLES = 600  # samples per source in the colour-share bars


@dataclass(frozen=True)
class ConditionalDefaults:
    """Where the conditional half's widgets start, in both UIs: the colours the unconditional GAN
    never draws, and a walk from what it draws to what it does not."""

    shape: str = "star"
    colour: str = "blue"
    seed: int = 0
    psi: float = PSI_SLIDER.value
    walk_from: tuple[str, str] = ("circle", "red")
    walk_to: tuple[str, str] = ("star", "blue")
    walk_frames: int = CLASS_WALK_FRAMES_SLIDER.value


CONDITIONAL = ConditionalDefaults()


@dataclass(frozen=True)
class WalkDefaults:
    """Where every widget of the walk half starts, in both UIs."""

    grid_seed: int = 0
    psi: float = PSI_SLIDER.value
    waypoints: str = "0, 6, 8, 15"  # seeds the bundled model draws cleanly: a good first walk
    frames: int = WALK_FRAMES_SLIDER.value
    mode: str = "slerp"
    fps: int = FPS_SLIDER.value
    arithmetic_seed: int = 0
    attribute: str = "colour"
    amount: float = AMOUNT_SLIDER.value


WALK = WalkDefaults()


# ---- live 2-D training ----
Loss = Literal["non-saturating", "least-squares", "hinge"]
LOSSES: tuple[str, ...] = ("non-saturating", "least-squares", "hinge")

HIDDEN = limits.IntRange("hidden width", 4, 256)
HIDDEN_SLIDER = limits.Slider(HIDDEN, 64, 4)  # both networks' widths
LAYERS = limits.IntRange("number of hidden layers", 1, 4)
LAYERS_SLIDER = limits.Slider(LAYERS, 2, 1)  # both networks' depths
Z_DIM = limits.IntRange("latent size", 1, 16)
Z_DIM_SLIDER = limits.Slider(Z_DIM, 2, 1)
LR = limits.FloatRange("learning rate", 1e-5, 0.1)
D_STEPS = limits.IntRange("discriminator steps per generator step", 1, 10)
D_STEPS_SLIDER = limits.Slider(D_STEPS, 1, 1)
BATCH = limits.IntRange("batch size", 16, 1024)
BATCH_SLIDER = limits.Slider(BATCH, 256, 16)
R1 = limits.FloatRange("gradient penalty weight", 0.0, 10.0)
R1_SLIDER = limits.Slider(R1, 0.0, 0.1)
MAX_STEPS = 20_000  # a run stops here: long enough to see it converge or collapse
TRAIN_STEPS = limits.IntRange("number of training steps", 1, MAX_STEPS)
RUN_SECONDS = 120  # one press of Start trains at most this long, so a forgotten tab stops itself
# the order of the settings in the Gradio endpoints' arguments (and of the widgets in both UIs)
SETTING_FIELDS = ("dataset", "loss", "z_dim", "g_hidden", "g_layers", "d_hidden", "d_layers", "lr_g", "lr_d",
                  "d_steps", "r1_gamma", "batch", "seed")

VIEW_RANGE = 3.0  # the view shows [-3, 3]^2
N_VIEW = 512  # generated and real points drawn
N_ARROWS = 48
GRID = 64  # decision surface resolution


def _of(network: str, limit: limits.IntRange | limits.FloatRange) -> limits.IntRange | limits.FloatRange:
    """The limit named for one network, so a refusal says which: "the generator's learning rate"."""
    return replace(limit, name=f"{network}'s {limit.name}")


@dataclass(frozen=True)
class ToySettings:
    dataset: str = "ring8"
    z_dim: int = Z_DIM_SLIDER.value
    g_hidden: int = HIDDEN_SLIDER.value
    g_layers: int = LAYERS_SLIDER.value
    d_hidden: int = HIDDEN_SLIDER.value
    d_layers: int = LAYERS_SLIDER.value
    lr_g: float = 1e-3
    lr_d: float = 1e-3
    loss: str = "non-saturating"
    d_steps: int = D_STEPS_SLIDER.value
    r1_gamma: float = R1_SLIDER.value  # R1 penalty: gamma/2 * E|grad_x D(x)|^2 on real data
    batch: int = BATCH_SLIDER.value
    seed: int = 0

    def checked(self) -> ToySettings:
        """The same settings, every field validated (the HTTP API can send anything)."""
        return ToySettings(
            dataset=limits.check_choice("data set", self.dataset, TOY_2D_NAMES),
            z_dim=Z_DIM.check(self.z_dim), g_hidden=_of("generator", HIDDEN).check(self.g_hidden),
            g_layers=_of("generator", LAYERS).check(self.g_layers), d_hidden=_of("discriminator", HIDDEN).check(self.d_hidden),
            d_layers=_of("discriminator", LAYERS).check(self.d_layers), lr_g=_of("generator", LR).check(self.lr_g),
            lr_d=_of("discriminator", LR).check(self.lr_d), loss=limits.check_choice("loss", self.loss, LOSSES),
            d_steps=D_STEPS.check(self.d_steps), r1_gamma=R1.check(self.r1_gamma), batch=BATCH.check(self.batch),
            seed=limits.SEED.check(self.seed),
        )


# Found by experiment (3 seeds x 3,000 steps each): the first collapses onto 0-1 modes and hops
# between them on every seed; the second covers all 8 modes by step 1,500 on every seed.
_COLLAPSING = ToySettings(z_dim=16, g_hidden=128, g_layers=2, d_hidden=128, d_layers=1,
                          lr_g=1e-3, lr_d=1e-4, loss="non-saturating", batch=512)
PRESETS: dict[str, tuple[ToySettings, str]] = {
    "Mode collapse": (
        _COLLAPSING,
        "The generator learns ten times faster than the discriminator. Between two of the "
        "discriminator's slow updates the generator can move all its points to the one place the "
        "discriminator currently rates most real, so it piles them onto a single mode; when the "
        "discriminator catches up and marks that mode fake, the whole pile hops to another one.",
    ),
    "Fixed: fast critic + R1": (
        replace(_COLLAPSING, lr_d=1e-3, r1_gamma=0.5),
        "Same networks, but the discriminator learns as fast as the generator, and an R1 gradient "
        "penalty keeps its surface smooth around the real data. A pile on one mode is now punished "
        "at once, and the smooth surface points every generated point towards its nearest real "
        "mode, so the points spread out and cover all eight.",
    ),
    "Default": (
        ToySettings(),
        "Small networks, equal learning rates, the original (non-saturating) GAN loss: a fair start "
        "for trying the other data sets and losses.",
    ),
}
FIRST_PRESET = "Mode collapse"  # the preset a visitor first sees, ready to Start


def settings_from(preset: str) -> ToySettings:
    return PRESETS[limits.check_choice("preset", preset, PRESETS)][0]


# ---- presenter links: ?tab=gan&present=1&seeds=3,17,42&psi=0.7 opens the walk as on a slide ----
from shared import presenter  # noqa: E402 (kept beside what it declares)

LINK_PARAMS: dict[str, presenter.LinkParam] = {
    "seeds": presenter.int_list_param("waypoint seeds", limits.SEED, WAYPOINTS),
    "psi": presenter.float_param(PSI),
    "frames": presenter.int_param(WALK_FRAMES),
    "mode": presenter.choice_param("interpolation", INTERPOLATIONS),
    "fps": presenter.int_param(FPS),
    "grid_seed": presenter.int_param(limits.SEED),
}
# the link the README and the tests open: a walk through three seeds, truncated
LINK_EXAMPLE: dict[str, str] = {"seeds": "3,17,42", "psi": "0.7"}
