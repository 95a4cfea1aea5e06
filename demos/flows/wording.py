"""Every sentence the flows demo shows, in both front ends."""

TITLE = "Normalizing flows"
SUBTITLE = ("An invertible network from simple noise to the data: because every layer can be undone and its "
            "stretching measured, a flow gives the exact likelihood of any point.")
TOY_HEADING = "A flow on 2-D points, trained live"
TOY_INTRO = (
    "Each layer is an invertible map. Read from the data to the noise, the layers must carry the data onto a "
    "standard Gaussian; the change-of-variables formula then gives the exact log-density of any point, "
    "log p(x) = log N(f(x); 0, I) + log |det ∂f/∂x|, and training maximises it on the data. Read from the noise "
    "to the data, the same layers draw samples. Press **Start**: the heatmap is the learned density, the dots "
    "are samples from fixed noise, and the two rows below show every layer's warp."
)
KIND_INFO = "Splines bend more per layer; affine coupling is the simplest layer that can be inverted exactly."
LAYERS_INFO = "More layers can warp the Gaussian further (a new run starts)."
PRESS_STEPS_INFO = "Updates per press of Start (at most 2 minutes of training)."
START = "▶ Start"
STARTED = "Training {steps:,} steps: starting…"
PAUSE = "⏸ Pause"
STEP = "Step"
RESET = "↺ Reset"
READY = "Press **Start** to train the flow: it begins as a plain Gaussian."
VIEW_LABEL = "The flow, live"
NOISE_TO_DATA = "noise → data: a grid and the samples, layer by layer"
DATA_TO_NOISE = "data → noise: the data, layer by layer"
STEP_WHILE_RUNNING = "The flow is training: press Pause first; Step then trains 25 more updates."

IMAGES_HEADING = "A flow on images"
IMAGES_INTRO = (
    "The bundled flow (Glow-style: squeezes, ActNorm, invertible 1x1 convolutions and affine couplings at three "
    "scales) maps every 32x32 `shapes` image to Gaussian noise of the same size and back, exactly. Draw noise and "
    "run it backwards for samples; the **temperature** scales the noise. It was also trained told each picture's "
    "labels (and sometimes not, so it still knows p(x)): told a shape, a colour, a size and a position (written "
    "under each sample), every coupling reads a map of them and every level's noise gets a prior from them, as "
    "Glow's class-conditional model does. Untick the box for p(x) itself: the model whose bits per dimension are "
    "reported, and whose samples show how hard one flow finds these sharp-edged pictures."
)
SAMPLE_IMAGES = "Sample images"
IMAGE_TEMPERATURE_INFO = "Scales the Gaussian noise the samples start from."
IMAGE_TOLD = "Tell it what to draw"
IMAGE_TOLD_INFO = ("Each sample is told a shape, a colour, a size and a position (the ones below, the rest at random). "
                   "Unticked: p(x), nothing told.")
SAMPLED_IMAGES = "{n} samples at temperature {temperature:g}, seed {seed}."
SAMPLED_TOLD = " Each told what is written under it."
SAMPLED_UNTOLD = " Nothing told: p(x) itself."

BITS_HEADING = "Exact bits per dimension of any image"
BITS_INTRO = (
    "Run an image forwards instead and the change-of-variables formula gives its exact log-likelihood, "
    "reported as bits per dimension (-log₂ p(x) / 3,072; 8 would be storing the raw bytes). The histogram is "
    "the 2,000 held-out shapes; the red line is your image. Try a blank background."
)
MEASURE_BITS = "Measure"
SOURCE_INFO = "A held-out shape, an image of a kind that is not a shape, or your own picture."
PICTURE_LABEL = "Your picture: upload one or draw (pick “your picture” above)"
BITS_AXIS = "bits per dimension: the held-out shapes (bars) and this image (red line)"
BITS_STATUS = ("**{bits:.3f} bits per dimension** (an upper bound: one draw of the dequantisation noise). The flow "
               "finds it more likely than {better:.0%} of the held-out shapes.")

INTERP_HEADING = "A straight line between two codes"
INTERP_INTRO = (
    "Both held-out images are run forwards to their noise codes; the points on the straight line between the codes "
    "are run backwards. Unlike a VAE, nothing is lost at the ends: the first and last frames are the images themselves."
)
INTERPOLATE = "Interpolate"
INTERPOLATED = "{frames} frames from held-out image {a} to held-out image {b}."

SURPRISE_HEADING = "The surprise: what the flow finds likely"
SURPRISE_INTRO = (
    "A model of likelihood should find images unlike its data unlikely. Flows often do not (Nalisnick et al. 2019, "
    "*Do deep generative models know what they don't know?*): an image with less detail can score better than the "
    "data itself, because bits per dimension measure how compressible an image is more than how typical. Measured "
    "here on {n} images that are not shapes:"
)
SURPRISE_COLUMNS = ("kind of image", "images", "median bits per dimension", "better than the median held-out shape")


def bits_text(bits: float) -> str:
    """Bits per dimension as a reader takes them: 0.486, 3,111.5, or 2.25e+27 for an image the flow all but rules out."""
    return f"{bits:.3f}" if bits < 1000 else f"{bits:,.1f}" if bits < 1e6 else f"{bits:.2e}"


SURPRISE_NONE = ("Here no kind of image beats the median held-out shape: on these flat pictures the flow has learned the "
                 "background and the six colours so exactly that anything else costs it many more bits. The surprise "
                 "needs natural images, where texture varies more from one data set to another.")
SURPRISE_SOME = "Here {kinds} beat the median held-out shape in some cases: the surprise, measured."


def surprise_markdown(rows) -> str:  # noqa: ANN001 (a sequence of images.KindRow)
    lines = ["| " + " | ".join(SURPRISE_COLUMNS) + " |", "|---|---|---|---|"]
    for row in rows:
        lines.append(f"| {row.kind} | {row.n:,} | {bits_text(row.median_bits)} | {row.better_than_median:.0%} |")
    winners = [row.kind for row in rows[1:] if row.better_than_median > 0]
    verdict = SURPRISE_SOME.format(kinds=", ".join(winners)) if winners else SURPRISE_NONE
    return "\n".join(lines) + "\n\n" + verdict
