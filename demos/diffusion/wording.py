"""The words both diffusion front ends show (title, section introductions, widget help), written
once so the Gradio tab and the Streamlit page say the same thing."""

from __future__ import annotations

from demos.diffusion.options import MAX_SIDE

TITLE = "Diffusion: destroy data with noise, learn to undo it one step at a time"
SUBTITLE = ("The forward process and its noise schedules; every reverse step of a trained model with four "
            "samplers; inpainting; and a diffusion model trained live on 2-D points.")
FORWARD_HEADING = "1 · The forward process"
FORWARD_INTRO = ("No network here: noise is mixed in by a fixed rule, "
                 "x_t = √ᾱ_t · x₀ + √(1 − ᾱ_t) · ε. Drag t and watch the shapes dissolve.")
SCHEDULE_INFO = "how fast the signal fades as t grows"
STARTED = "{running}: starting ({steps} steps)…"
SAMPLING_HEADING = "2 · Sampling: the reverse process, step by step"
SAMPLING_INTRO = ("Start from pure noise. At every step the "
                  "network predicts the noise in the current image; the sampler removes part of it and moves to a "
                  "lower noise level. Watch the model's guess of the clean image (middle) sharpen long before the "
                  "noisy image (left) does. Every sampler runs on the same trained network.")
MODEL_INFO = ("the bundled model, or any Hugging Face Hub UNet2DModel id (pixel space, at most "
              f"{MAX_SIDE}x{MAX_SIDE}); offline, the bundled one is used")
STEPS_INFO = "DDPM needs hundreds; DDIM and DPM-Solver++ do well with 10 to 50"
COMPARE_HEADING = "3 · Samplers side by side"
COMPARE_INTRO = ("The same starting noise through up to three samplers. Fewer steps "
                 "cost less; the question is how much quality each sampler keeps when you cut them.")
INPAINT_HEADING = "4 · Inpainting"
INPAINT_INTRO = ("Paint over part of the picture with the brush (or pick a region), and the model "
                 "fills it. It is the same sampler, with one change (RePaint): after every step the pixels you kept "
                 "are put back, noised to that step's level, so the filled part has to agree with them.")
INPAINT_KEPT = "The kept pixels are exactly the input's."
TOY_HEADING = "5 · Diffusion on 2-D points, live"
TOY_INTRO = ("A small network learns to predict the noise in noisy "
             "points. Sampling starts from pure noise and applies it 100 times; the orange arrows show where it "
             "moves a point at the current step. Each session trains its own network.")
PRESS_STEPS_INFO = "2,000 take about 10 s on 2 CPU cores"
