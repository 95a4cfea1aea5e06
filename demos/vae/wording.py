"""The words both VAE front ends show (title, section headings and introductions, widget help,
picture captions), written once so the Gradio tab and the Streamlit page say the same thing. Where
the page cannot do what the tab does (draw on images A and B, click the decoded plane), a small
function words the text for the front end that asks."""

from __future__ import annotations

from demos.vae.options import LATENT_DIMS

TITLE = "VAE: an encoder to a distribution, a decoder back, a latent space you can walk"
SUBTITLE = ("Interpolate between two images in latent space and in pixels, map a 2-D latent space, slide one "
            "latent dimension at a time, sample from two priors, score how unusual an image is, and walk "
            "between real photos with Stable Diffusion's autoencoder.")

# ---- 1 · interpolation ----
INTERPOLATE_HEADING = "1 · Interpolate: latent walk against pixel cross-fade"


def interpolate_intro(can_draw: bool) -> str:
    """What images A and B are and where they come from (drawing them needs the tab's image editor)."""
    where = ("Take them from the data, upload your own, or draw on the canvas." if can_draw
             else "Take them from the data or upload your own.")
    return f"Images A and B are used by every section below. {where}"


INTERPOLATION_INFO = "slerp keeps the path at the norm Gaussian latents have; lerp cuts through the centre"
BETA_INFO = "used by every section but the latent map"
SHEET_CAPTION = "Top: latent walk · bottom: pixel cross-fade"  # the photos' sheet too
INTERPOLATION_SHEET_CAPTION = f"{SHEET_CAPTION} · under each frame, what the classifier reads"
GIF_CAPTION = "Animation (latent walk | cross-fade)"

# ---- 2 · the latent map ----
MAP_HEADING = "2 · The latent map"


def map_intro(clickable: bool) -> str:
    """The two halves of the map (clicking the plane to decode a point needs the tab)."""
    left = ("the plane decoded tile by tile; click it to decode that point." if clickable
            else "the plane decoded tile by tile.")
    return ("A second VAE with only two latent dimensions, so its whole latent space fits on the screen. "
            f"Left: {left} Right: where the encoder puts held-out images; images A and B appear as their mean "
            "(★) with an ellipse two standard deviations wide.")


def plane_caption(clickable: bool) -> str:
    """The decoded plane's caption, with the invitation to click it where a click decodes a point."""
    caption = "The decoded plane, z1 left to right, z2 bottom to top"
    return f"{caption}: click a point" if clickable else caption


# ---- 3 · one dimension at a time ----
DIMENSIONS_HEADING = "3 · One dimension at a time"
DIMENSIONS_INTRO = (f"{LATENT_DIMS} sliders, one per latent dimension of the chosen model. Start from image A's "
                    "code, then move one slider: which property of the image changes? The picture sweeps every "
                    "dimension from -3 to 3 (one row each); the table measures, with the shapes classifier, which "
                    "label each dimension changes.")
TRAVERSAL_CAPTION = "Each row: one dimension swept from -3 to 3 (from image A)"

# ---- 4 · reconstruct and sample ----
RECONSTRUCT_HEADING = "4 · Reconstruct and sample"
RECONSTRUCT_INTRO = ("The encoder turns image A into a Gaussian per dimension; the decoder turns its mean back "
                     "into an image. Samples decode latents drawn from a prior: the standard normal the VAE was "
                     "trained against, or a mixture of Gaussians fitted afterwards to where the encoder actually "
                     "puts the data.")
TEMPERATURE_INFO = "scales the noise: lower = more typical, less varied"
SAMPLES_CAPTION = "Samples, with what the classifier reads"
BETA_COMPARISON_NOTE = ("Three VAEs that differ only in β. Per row: six reconstructions, then six samples from "
                        "N(0, I).")
BETA_SHEET_CAPTION = "β = 1, 6, 24 from top to bottom"

# ---- 5 · anomaly score ----
ANOMALY_HEADING = "5 · How unusual is an image?"


def anomaly_intro(can_draw: bool) -> str:
    """What the score is, and how to bring an unusual image A (drawing one needs the tab)."""
    bring = ("Draw something that is not a shape as image A, or upload a photo, and score it." if can_draw
             else "Upload something that is not a shape as image A, and score it.")
    return ("A VAE gives every image a score: how badly it reconstructs it, and its negative ELBO (a bound on "
            f"-log p(x)). Images unlike the training data score high. {bring}")


# ---- 6 · real photos ----
PHOTOS_HEADING = "6 · Real photos through a pretrained autoencoder"
PHOTOS_INTRO = ("The same walk between two photos with the autoencoder of Stable Diffusion (or its tiny distilled "
                "twin, TAESD), downloaded from the Hugging Face Hub the first time.")
