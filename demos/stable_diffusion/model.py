"""The bundled Stable-Diffusion-style pipeline: diffusers and transformers classes with small configs,
saved in the layout of a Hub StableDiffusionPipeline repository so that the same code loads both.

    sd-shapes/
      model_index.json       which class each folder holds
      vae/                   AutoencoderKL: (3, 32, 32) in [-1, 1] <-> latent (4, 8, 8)
      text_encoder/          CLIPTextModel: the bundled CLIP's text tower (demos/clip), frozen
      tokenizer/             its CLIPTokenizer
      unet/                  UNet2DConditionModel: predicts the noise in a latent, reading the
                             prompt's (24, 128) hidden states through cross-attention
      scheduler/             DDPMScheduler config (any diffusers sampler is built from it)

The autoencoder shrinks a 32x32 image 4x per side into 4 channels: 3,072 numbers become 256, and
the UNet works on those. Latents are multiplied by vae.config.scaling_factor (1 / their standard
deviation on the data, measured after the autoencoder is trained) so the UNet sees unit variance,
as in Stable Diffusion (whose factor is 0.18215).
"""

from __future__ import annotations

from shared import heavy
from shared.seeding import building_models

BUNDLED_NAME = "sd-shapes"
TEXT_ENCODER_NAME = "clip-shapes"  # the bundled CLIP (demos/clip) whose text tower this pipeline reads, by checkpoint name
LATENT_CHANNELS = 4
LATENT_SIDE = 8  # 32 / 4
IMAGE_SIDE = 32


def new_autoencoder(widths: tuple[int, ...] = (32, 64, 64)):  # noqa: ANN201 (diffusers AutoencoderKL)
    """Three resolutions (32, 16, 8), one residual block each; no attention in the middle block."""
    heavy.ready("diffusers")
    from diffusers import AutoencoderKL

    return AutoencoderKL(in_channels=3, out_channels=3, down_block_types=("DownEncoderBlock2D",) * len(widths),
                         up_block_types=("UpDecoderBlock2D",) * len(widths), block_out_channels=widths,
                         layers_per_block=1, latent_channels=LATENT_CHANNELS, sample_size=IMAGE_SIDE,
                         norm_num_groups=16, mid_block_add_attention=False)


def new_unet(cross_attention_dim: int = 128, widths: tuple[int, ...] = (64, 128)):  # noqa: ANN201 (UNet2DConditionModel)
    """Two resolutions of the 8x8 latent (8, 4), each with a residual block and a transformer block
    (self-attention, then cross-attention to the prompt, then a feed-forward layer)."""
    heavy.ready("diffusers")
    from diffusers import UNet2DConditionModel

    return UNet2DConditionModel(sample_size=LATENT_SIDE, in_channels=LATENT_CHANNELS, out_channels=LATENT_CHANNELS,
                                layers_per_block=1, block_out_channels=widths,
                                down_block_types=("CrossAttnDownBlock2D",) * len(widths),
                                up_block_types=("CrossAttnUpBlock2D",) * len(widths),
                                cross_attention_dim=cross_attention_dim, attention_head_dim=8, norm_num_groups=32)


def new_scheduler():  # noqa: ANN201 (DDPMScheduler)
    """Stable Diffusion's noise schedule: 1,000 steps, betas linear in sqrt from 0.00085 to 0.012."""
    heavy.ready("diffusers")
    from diffusers import DDPMScheduler

    return DDPMScheduler(num_train_timesteps=1000, beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012,
                         prediction_type="epsilon", clip_sample=False, steps_offset=1)


def text_encoder_from_clip(clip_folder: str):  # noqa: ANN201 ((CLIPTextModel, CLIPTokenizer))
    """The bundled CLIP's text tower as a CLIPTextModel (what a StableDiffusionPipeline holds), with
    its tokenizer: the same weights, loaded from the CLIPModel folder."""
    heavy.ready("transformers")
    from transformers import CLIPModel, CLIPTextModel, CLIPTokenizer

    with building_models():  # transformers patches torch process-wide while it builds
        clip = CLIPModel.from_pretrained(clip_folder, use_safetensors=True)
        text = CLIPTextModel(clip.config.text_config)
    text.load_state_dict(clip.text_model.state_dict())  # transformers 5: CLIPTextModel holds the tower's layers itself
    return text.eval(), CLIPTokenizer.from_pretrained(clip_folder)
