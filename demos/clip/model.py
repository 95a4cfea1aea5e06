"""The bundled CLIP: transformers' CLIPModel with a small config (a ViT over 32x32 images in 4x4
patches, a 4-layer text transformer over the captions), so CLIPModel.from_pretrained and
CLIPProcessor.from_pretrained load its folder like any Hub CLIP.

    model = new_clip()                          # random weights, the bundled config
    img = model.get_image_features(pixel_values=x)       # x: (B, 3, 32, 32) in [-1, 1] -> (B, 64)
    txt = model.get_text_features(input_ids=ids, attention_mask=mask)   # -> (B, 64)

Held-out combinations: shared.datasets.HELD_OUT_PAIRS, a fixed tenth of the 36 (shape, colour) pairs, never appear
in training; every figure is reported on seen and unseen pairs separately.
"""

from __future__ import annotations

from demos.clip.tokenizer import caption_tokenizer
from shared import heavy

BUNDLED_NAME = "clip-shapes"
CONTEXT = 24  # tokens: the longest training phrasing is 20 with its start and end (shared/phrasings.py)


def new_clip(width: int = 128, layers: int = 4, projection: int = 64):  # noqa: ANN201 (CLIPModel)
    heavy.ready("transformers")
    from transformers import CLIPConfig, CLIPModel

    tokenizer = caption_tokenizer(CONTEXT)
    text = dict(vocab_size=len(tokenizer), hidden_size=width, intermediate_size=2 * width, num_hidden_layers=layers,
                num_attention_heads=4, max_position_embeddings=CONTEXT, bos_token_id=tokenizer.bos_token_id,
                eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)
    vision = dict(hidden_size=width, intermediate_size=2 * width, num_hidden_layers=layers, num_attention_heads=4,
                  image_size=32, patch_size=4, num_channels=3)
    return CLIPModel(CLIPConfig(text_config=text, vision_config=vision, projection_dim=projection))


def new_processor():  # noqa: ANN201 (CLIPProcessor)
    """Tokenizer and image processor: any image resized and centre-cropped to 32x32, in [-1, 1]."""
    heavy.ready("transformers")
    from transformers import CLIPImageProcessor, CLIPProcessor

    images = CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32},
                                image_mean=[0.5, 0.5, 0.5], image_std=[0.5, 0.5, 0.5])
    return CLIPProcessor(image_processor=images, tokenizer=caption_tokenizer(CONTEXT))
