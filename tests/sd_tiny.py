"""A tiny Stable Diffusion pipeline (random weights, small configs) for tests: the bundled classes
and layout at a size that runs in milliseconds."""

from __future__ import annotations


def tiny_parts():
    import torch
    from transformers import CLIPTextModel

    from demos.clip.model import new_clip, new_processor
    from demos.stable_diffusion import model, pipeline

    torch.manual_seed(0)
    clip = new_clip(width=32, layers=1, projection=16)
    text = CLIPTextModel(clip.config.text_config)
    text.load_state_dict(clip.text_model.state_dict())
    vae = model.new_autoencoder(widths=(16, 16, 16))
    unet = model.new_unet(cross_attention_dim=32, widths=(32, 32))
    return pipeline.Parts(vae.eval(), text.eval(), new_processor().tokenizer, unet.eval(), dict(model.new_scheduler().config))
