"""The words both Stable Diffusion front ends show (title, section headings and introductions, widget
help, picture captions), written once so the Gradio tab and the Streamlit page say the same thing."""

from __future__ import annotations

from demos.stable_diffusion.options import BUNDLED
from shared import phrasings

TITLE = "Stable Diffusion: text to image in a latent space"
SUBTITLE = ("An autoencoder squeezes images into a small latent, CLIP's text encoder reads the prompt, a UNet "
            "removes noise from the latent while attending to the prompt, guidance pushes towards it, and the "
            "decoder turns the last latent into pixels. Every part here is small enough to open.")
NEGATIVE_INFO = "what guidance pushes away from (empty: nothing)"
GUIDANCE_INFO = "1 = off; higher follows the prompt harder"
KNOWN_WORDS_TITLE = f"{phrasings.KNOWN_WORDS_TITLE} ({BUNDLED})"
STARTED = "Starting: {steps} denoising steps…"
IMAGE_CAPTION = "The latent, decoded"
CHANNELS_CAPTION = "Channels: the latent and the noise predictions (grey = 0)"

WORDS_HEADING = "Where each word looks"
WORDS_INTRO = ("The UNet reads the prompt through cross-attention: every latent pixel asks each token how much it "
               "matters. Averaged over a run, the maps show where each word landed.")
WORD_MAPS_CAPTION = "The sample, then one map per token"

GRID_HEADING = "Guidance scales × seeds"
GRID_INTRO = "The same prompt; a row per seed (the same starting noise), a column per guidance scale."
GRID_CAPTION = "Rows: seeds · columns: guidance"

IMAGE_TO_IMAGE_HEADING = "Image to image"
IMAGE_TO_IMAGE_INTRO = ("Start from an image instead of noise: its latent is noised part of the way (the strength) "
                        "and denoised with the prompt.")

COST_HEADING = "The cost of pixels"
COST_INTRO = ("One denoising step in latent space against one of the diffusion tab's pixel-space model, measured "
              "now on this machine.")
