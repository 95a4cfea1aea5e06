"""Loading a CLIP (the bundled one or a Hub one) and embedding images and texts with it: the layer
every CLIP feature stands on (search, zero-shot, a session's own gallery).

    clip = load_clip("clip-shapes")
    vectors = embed_images(clip, images)       # uint8 (n, side, side, 3) -> unit (n, d)
    texts = embed_texts(clip, ["a red circle"])   # -> unit (1, d)
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image

from demos.clip import options
from shared import heavy, limits
from shared.limits import LimitError
from shared.memo import memoised
from shared.seeding import building_models

Progress = Callable[[float, str], None]  # (fraction done, what is happening)
NEEDS_NETWORK = ("The Hub CLIPs come from the Hugging Face Hub: this needs the network once, then they are "
                 "cached. The bundled model, clip-shapes, works offline.")


@dataclass(frozen=True)
class Clip:
    """A loaded CLIP and what its inputs must look like."""

    name: str
    model: Any  # transformers CLIPModel, eval mode, on the CPU
    processor: Any  # transformers CLIPProcessor: its tokenizer and its image normalisation
    side: int  # images are side x side RGB
    context: int  # the text encoder reads at most this many tokens, start and end marks included
    mean: torch.Tensor  # (1, 3, 1, 1) per-channel normalisation of pixels in [0, 1]
    std: torch.Tensor

    @property
    def bundled(self) -> bool:
        return self.name == options.BUNDLED


_import_lock = threading.Lock()


def load_clip(name: str = options.BUNDLED) -> Clip:
    """The bundled CLIP or a Hub one (options.MODELS), loaded once per process through
    shared.checkpoints.load; a LimitError that says the network is needed when a Hub model is not cached."""
    from shared.checkpoints import CheckpointError, load

    name = limits.check_choice("model", name, options.MODELS)
    with _import_lock:  # transformers' lazy module can fail when thirty threads first import from it at once
        heavy.ready("transformers")
        from transformers import CLIPModel, CLIPProcessor

    try:
        model = load(CLIPModel, name, device="cpu").model
        processor = load(CLIPProcessor, name, device="cpu").model
    except CheckpointError as exc:
        raise LimitError(f"{exc} {NEEDS_NETWORK}") from None
    return _clip(name, model, processor)


def clip_in_folder(folder: Path) -> Clip:
    """A CLIP saved in a folder (a training run's output), loaded as the tab loads the bundled one."""
    heavy.ready("transformers")
    from transformers import CLIPModel, CLIPProcessor

    with building_models():  # transformers patches torch process-wide while it builds
        model = CLIPModel.from_pretrained(folder, use_safetensors=True).eval()
    return _clip(folder.name, model, CLIPProcessor.from_pretrained(folder))


@memoised(maxsize=8)
def _clip(name: str, model: Any, processor: Any) -> Clip:
    images = processor.image_processor
    return Clip(name, model, processor, side=int(model.config.vision_config.image_size),
                context=int(model.config.text_config.max_position_embeddings),
                mean=torch.tensor(images.image_mean, dtype=torch.float32).view(1, 3, 1, 1),
                std=torch.tensor(images.image_std, dtype=torch.float32).view(1, 3, 1, 1))


def square(image: Image.Image | np.ndarray, side: int) -> np.ndarray:
    """The centre square of a picture at side x side, uint8 (side, side, 3) (CLIP's processor crops the same way)."""
    from shared.pictures import centre_square

    if isinstance(image, np.ndarray):
        if image.shape[:2] == (side, side):
            return np.ascontiguousarray(image[..., :3], np.uint8)
        image = Image.fromarray(np.asarray(image, np.uint8)[..., :3])
    return centre_square(image, side)


@torch.inference_mode()
def embed_images(clip: Clip, images: np.ndarray, progress: Progress | None = None) -> np.ndarray:
    """uint8 (n, side, side, 3) -> unit-length float32 (n, d), options.EMBED_BATCH images per pass."""
    out = []
    n = len(images)
    for start in range(0, n, options.EMBED_BATCH):
        chunk = torch.from_numpy(np.array(images[start:start + options.EMBED_BATCH], np.uint8)).permute(0, 3, 1, 2)
        x = (chunk.float() / 255.0 - clip.mean) / clip.std  # what CLIPImageProcessor's rescale and normalise do
        out.append(torch.nn.functional.normalize(clip.model.get_image_features(pixel_values=x).pooler_output, dim=-1))
        if progress is not None:
            progress(min(n, start + options.EMBED_BATCH) / n, f"embedding images: {min(n, start + options.EMBED_BATCH):,} of {n:,}")
    if not out:
        return np.zeros((0, clip.model.config.projection_dim), np.float32)
    return torch.cat(out).numpy()


@torch.inference_mode()
def embed_texts(clip: Clip, texts: Sequence[str]) -> np.ndarray:
    """Texts -> unit-length float32 (n, d); each cut to the text encoder's context."""
    enc = clip.processor.tokenizer(list(texts), padding=True, truncation=True, max_length=clip.context, return_tensors="pt")
    feats = clip.model.get_text_features(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).pooler_output
    return torch.nn.functional.normalize(feats, dim=-1).numpy()
