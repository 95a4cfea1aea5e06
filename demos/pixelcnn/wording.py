"""Every sentence the PixelCNN demo shows, in both front ends."""

TITLE = "PixelCNN: an image, one pixel at a time"
SUBTITLE = ("An autoregressive model writes an image the way GPT writes text: each pixel is drawn from a "
            "distribution predicted from every pixel before it, so the probability of a whole image is exact.")
SAMPLE_HEADING = "Sample, pixel by pixel"
SAMPLE_INTRO = (
    "p(x) = Π p(x_ij | the pixels before it, in reading order). Press **Sample**: every image is drawn "
    "row by row, left to right; on the right is the distribution the current pixel of the first image was "
    "drawn from (its most likely colours; ◀ marks the one drawn). Lower the temperature to sharpen every "
    "distribution, raise it to flatten them. The model was also trained told each picture's labels (and "
    "sometimes not, so it still knows p(x)): told a shape, a colour, a size and a position (written under "
    "each image), it commits to them from the first row instead of guessing a shape from a half-drawn top."
)
SAMPLE = "Sample"
TOLD = "Tell it what to draw"
TOLD_INFO = ("Each image is told a shape, a colour, a size and a position (the ones below, the rest at random). "
             "Unticked: p(x) itself, nothing told, the model whose bits per dimension are reported.")
GUIDANCE_INFO = ("Classifier-free guidance on every pixel: logits told + w × (told − untold), twice the work. "
                 "Higher: more often drawn as told, but fewer shapes come out whole.")
TEMPERATURE_INFO = "Divides every logit before the softmax: below 1 safer pixels, above 1 bolder ones."
READY = "Press **Sample** to draw new images from the bundled model."
STARTED = "Drawing {n} images, pixel by pixel: starting…"
DRAWING = "Drawing pixel {drawn:,} of {total:,} ({seconds:.1f} s)…"
DRAWN = "{n} images drawn, {total:,} pixels each, in {seconds:.1f} s ({per_image:.2f} s per image)."
DISTRIBUTION_TITLE = "Image 1, pixel (row {row}, column {col}):"
DISTRIBUTION_REST = "{rest:.1f}% on the other colours of the {n}."

COMPLETE_HEADING = "Complete an image"
COMPLETE_INTRO = (
    "A held-out image (never trained on) keeps its top rows; the model draws the rest again, several times. "
    "Each completion must agree with what is kept: a shape cut in half is finished in the same colour, in "
    "one of the ways the data would allow."
)
COMPLETE = "Complete"
COMPLETE_READY = "Press **Complete** to hide the lower rows and draw them again."
COMPLETED = "{n} completions of the hidden {rows} rows, drawn in {seconds:.1f} s. First tile: the original."
ROWS_INFO = "The rows kept from the original; the model draws the rest."

FIELD_HEADING = "What a pixel can see"
FIELD_INTRO = (
    "Masked convolutions keep the order: a pixel's prediction may use only the pixels before it. Left, the "
    "bundled gated network, measured (the gradient of the pixel's prediction with respect to every input "
    "pixel: brighter moves it more, dark grey cannot reach it). Right, the first PixelCNN's plain stack of "
    "masked 3x3 convolutions with as many layers: the orange wedge above and to the right is earlier in "
    "reading order, yet no path reaches it, the *blind spot*. The gated PixelCNN splits the network into a "
    "vertical stack (every row above) and a horizontal one (the pixels to the left), which removes it."
)
FIELD_GATED = "Gated PixelCNN (bundled): {n} pixels"
FIELD_PLAIN = "Plain masked stack: {n} pixels, {blind} blind"
FIELD_LEGEND = ("red: the pixel predicted · pale: after it, never used · dark: before it, out of reach",
                "yellow-blue: moves the prediction more-less · green: seen · orange: the blind spot")
FIELD_STATUS = ("Pixel (row {row}, column {col}): the gated network uses {gated:,} of the {before:,} pixels before it; "
                "a plain stack of {layers} masked layers would use {plain:,} and miss {blind:,} within its reach.")

BITS_HEADING = "Bits per dimension"
BITS_INTRO = (
    "Because every pixel's probability is exact, so is the image's: bits per dimension = -log2 p(x) / "
    "(32 x 32 x 3), the number every likelihood model reports. Pick a held-out image or upload a picture: "
    "the map shows which pixels surprised the model. The shape's edges cost the most; an image unlike the "
    "data costs far more everywhere."
)
BITS = "Measure"
BITS_IMAGE = "The image as scored"
BITS_MAP = "Bits per pixel (brightest: {top:.1f} or more)"
BITS_TOTAL = "{bpd:.3f} bits per dimension ({bits:,.0f} bits for the whole image)."
BITS_STATUS = "**{bpd:.3f} bits per dimension**: {source}."
BITS_OFF_PALETTE = " {n:,} pixels use colours the data never does; they are scored as the nearest one it uses."
BITS_FROM_IMAGE = "held-out image {index}"
BITS_FROM_UPLOAD = "your picture, its centre square shrunk to 32x32"


def status_of(frame, completing: bool = False) -> str:  # noqa: ANN001 (explore.Frame)
    """The line under the streamed picture."""
    if not frame.done:
        return DRAWING.format(drawn=frame.drawn, total=frame.total, seconds=frame.seconds)
    n = frame.codes.shape[0]
    if completing:
        return COMPLETED.format(n=n, rows=frame.total // frame.codes.shape[2], seconds=frame.seconds)
    return DRAWN.format(n=n, total=frame.total, seconds=frame.seconds, per_image=frame.seconds / n)


def field_status(field) -> str:  # noqa: ANN001 (field.Field)
    return FIELD_STATUS.format(row=field.row, col=field.col, gated=int((field.gated > 0).sum()),
                               before=int(field.before.sum()), layers=field.layers, plain=int(field.plain.sum()),
                               blind=int(field.blind_spot.sum()))


def bits_status(bits, index: int | None) -> str:  # noqa: ANN001 (explore.Bits)
    source = BITS_FROM_UPLOAD if index is None else BITS_FROM_IMAGE.format(index=index)
    text = BITS_STATUS.format(bpd=bits.bits_per_dim, source=source)
    return text + (BITS_OFF_PALETTE.format(n=bits.off_palette) if bits.off_palette else "")
