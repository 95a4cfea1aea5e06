"""Choices, limits and defaults of the VAE tab: everything a UI needs to build its widgets,
importable without torch (the app must start without it). The logic checks every value against
these; the widgets take their ranges from them.
"""

from __future__ import annotations

from shared import limits
from shared.datasets import BACKGROUND, LABEL_NAMES
from shared.pictures import PictureLimits

BUNDLED = "vae-shapes"  # beta 1 (the ELBO itself), 16 latent dimensions: the tab's model
BUNDLED_2D = "vae-shapes-2d"  # 2 latent dimensions, for the latent map
# the beta comparison: the same network and steps, only the KL weight differs
BETA_MODELS: dict[str, str] = {"β = 1": BUNDLED, "β = 6": "vae-shapes-beta6", "β = 24": "vae-shapes-beta24"}
DEFAULT_BETA = "β = 1"

# ---- the images a user brings ----
SIDE = 32  # the models' input: 32x32 RGB
SHOWN_SIDE = 256  # an image from the data is shown (and drawn on) at 8x
PICTURE = PictureLimits(max_bytes=20 * 2**20, max_pixels=4096 * 4096, min_side=8, noun="image",
                        background=BACKGROUND)  # a drawing's empty canvas becomes the data's background
DEFAULT_SEEDS = (23, 124)  # a small blue circle and a large blue cross, both bottom left: every frame of the walk is a clean shape
DATA_SEED = limits.SEED

# ---- interpolation ----
INTERPOLATIONS: tuple[str, ...] = ("slerp", "lerp")
DEFAULT_INTERPOLATION = "slerp"
FRAMES = limits.IntRange("number of frames", 2, 24)
FRAMES_SLIDER = limits.Slider(FRAMES, 8, 1)
DEFAULT_FRAMES = FRAMES_SLIDER.value
FPS = limits.IntRange("frames per second", 1, 30)
FPS_SLIDER = limits.Slider(FPS, 6, 1)
DEFAULT_FPS = FPS_SLIDER.value

# ---- latent map (the 2-D model) ----
MAP_EXTENT = 3.0  # the plane shown: [-3, 3]^2, where N(0, I) puts 99.3% of its mass in each axis
MAP_TILES = 15  # decoded tiles per side (odd, so the origin is a tile's centre)
MAP_POINTS = 2_000  # held-out images encoded for the scatter
COLOUR_BY: tuple[str, ...] = tuple(LABEL_NAMES)  # shape, colour, size, position
DEFAULT_COLOUR_BY = "shape"
MAP_COORDINATE = limits.FloatRange("latent coordinate", -MAP_EXTENT, MAP_EXTENT)
MAP_COORDINATE_SLIDER = limits.Slider(MAP_COORDINATE, 0.0, 0.05)  # z1 and z2 (the Streamlit page: the tab takes a click)

# ---- one dimension at a time ----
LATENT_DIMS = 16  # of every model in BETA_MODELS
LATENT_VALUE = limits.FloatRange("latent value", -4.0, 4.0)
LATENT_VALUE_SLIDER = limits.Slider(LATENT_VALUE, 0.0, 0.05)  # each of the LATENT_DIMS sliders
TRAVERSAL_VALUES = (-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0)  # the columns of the traversal picture
TABLE_IMAGES = 200  # held-out images each dimension is swept from, for the table

# ---- reconstruct and sample ----
PRIORS: dict[str, str] = {"fitted": "fitted mixture (where the data's codes are)", "standard": "standard normal N(0, I)"}
DEFAULT_PRIOR = "fitted"
SAMPLES = limits.IntRange("number of samples", 1, 64)
SAMPLES_SLIDER = limits.Slider(SAMPLES, 16, 1)
DEFAULT_SAMPLES = SAMPLES_SLIDER.value
TEMPERATURE = limits.FloatRange("temperature", 0.0, 2.0)
TEMPERATURE_SLIDER = limits.Slider(TEMPERATURE, 1.0, 0.05)
DEFAULT_TEMPERATURE = TEMPERATURE_SLIDER.value
COMPARISON_IMAGES = 500  # per model, for the beta comparison's figures

# ---- anomaly score ----
SCORES: dict[str, str] = {"bits_per_dim": "negative ELBO (bits per dimension)", "recon_mse": "reconstruction error (MSE)"}
DEFAULT_SCORE = "bits_per_dim"
REFERENCE_IMAGES = 1_000  # held-out shapes and non-shapes the histogram is drawn from
UNUSUAL_PERCENTILE = 99.0  # above the 99th percentile of real shapes' scores: "unusual"

# ---- real photos through a Hub autoencoder ----
HUB_AUTOENCODERS: dict[str, str] = {  # Hub id -> its diffusers class
    "madebyollin/taesd": "AutoencoderTiny",
    "stabilityai/sd-vae-ft-mse": "AutoencoderKL",
}
HUB_DEFAULT = "madebyollin/taesd"
PHOTO_SIDE = limits.IntRange("photo size in pixels", 64, 512)  # a multiple of 8: the autoencoders downsample 8x
PHOTO_SIDE_SLIDER = limits.Slider(PHOTO_SIDE, 256, 8)  # moves by 8, so every size is a multiple of 8
DEFAULT_PHOTO_SIDE = PHOTO_SIDE_SLIDER.value
PHOTO = PictureLimits(max_bytes=50 * 2**20, max_pixels=8192 * 8192, min_side=16, noun="photo")


# ---- presenter links: ?tab=vae&present=1&a=23&b=124&frames=12 opens the walk as on a slide ----
from shared import presenter  # noqa: E402 (kept beside what it declares)


def _beta_param() -> presenter.LinkParam:
    """The model by its KL weight: beta=6 in a link; the menu's own label ("β = 6") read too."""
    short = {label.split("=")[1].strip(): label for label in BETA_MODELS}  # "6" -> "β = 6"
    by_label = {label: key for key, label in short.items()}

    def parse(text: str) -> str:
        text = str(text).strip()
        return short[limits.check_choice("KL weight β", by_label.get(text, text), tuple(short))]

    return presenter.LinkParam(parse=parse, show=lambda label: by_label[label])


LINK_PARAMS: dict[str, presenter.LinkParam] = {
    "a": presenter.int_param(DATA_SEED),  # the data images A and B are drawn from
    "b": presenter.int_param(DATA_SEED),
    "frames": presenter.int_param(FRAMES),
    "mode": presenter.choice_param("interpolation", INTERPOLATIONS),
    "fps": presenter.int_param(FPS),
    "beta": _beta_param(),
}
# the link the README and the tests open: the default pair (every frame a clean shape), a longer walk
LINK_EXAMPLE: dict[str, str] = {"a": "23", "b": "124", "frames": "12", "mode": "slerp"}
