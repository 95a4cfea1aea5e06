"""Logic of the Stable Diffusion tab: load a pipeline (the bundled one or a Hub one, through
shared.checkpoints.load), run it step by step with every tensor kept for the views, a guidance grid,
image-to-image, and where each word looks. No UI code.

    parts = load_pipeline("sd-shapes")
    for view in text_to_image("sd-shapes", "a large red star", guidance=5, steps=30, seed=0):
        view.image, view.latent_channels, view.noise_cond, view.noise_uncond, view.shapes
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import torch

from demos.stable_diffusion import options
from demos.stable_diffusion.pipeline import Parts, decode, denoise
from shared import heavy, limits, phrasings, watermark
from shared.limits import LimitError

NEEDS_NETWORK = ("stabilityai/sd-turbo comes from the Hugging Face Hub: this needs the network once, then it is "
                 "cached. The bundled pipeline, sd-shapes, works offline.")
_import_lock = threading.Lock()
T = TypeVar("T")


def load_pipeline(name: str = options.BUNDLED) -> Parts:
    """The pipeline's parts from a folder (or Hub repository) in the StableDiffusionPipeline layout,
    each in float32 on the CPU-or-GPU device, cached per process; a LimitError when a Hub pipeline
    is not cached and the network is not there."""
    from shared.checkpoints import CheckpointError, best_device, load

    name = limits.check_choice("pipeline", name, options.PIPELINES)
    with _import_lock:  # transformers' and diffusers' lazy modules are not safe to first import from many threads
        heavy.ready("diffusers")
        from diffusers import AutoencoderKL, UNet2DConditionModel
        heavy.ready("transformers")
        from transformers import CLIPTextModel, CLIPTokenizer
    device = best_device()
    try:
        vae = load(AutoencoderKL, name, subfolder="vae", torch_dtype=torch.float32, device=device).model
        text = load(CLIPTextModel, name, subfolder="text_encoder", dtype=torch.float32, device=device).model
        tokenizer = load(CLIPTokenizer, name, subfolder="tokenizer").model
        unet = load(UNet2DConditionModel, name, subfolder="unet", torch_dtype=torch.float32, device=device).model
        scheduler = _scheduler_config(name)
    except CheckpointError as exc:
        raise LimitError(f"{exc} {NEEDS_NETWORK}") from None
    return _parts(name, vae, text, tokenizer, unet, scheduler)


_parts_cache: dict[tuple, Parts] = {}


def _parts(name, vae, text, tokenizer, unet, scheduler) -> Parts:  # noqa: ANN001
    heavy.ready("diffusers")  # attention.py imports from diffusers at its top
    from demos.stable_diffusion import attention

    key = (name, id(vae), id(text), id(unet))
    known = frozenset(phrasings.known_words()) if name == options.BUNDLED else None  # a Hub encoder reads any text
    with _import_lock:
        if key not in _parts_cache:
            attention.install(unet)
            _parts_cache[key] = Parts(vae, text, tokenizer, unet, scheduler, known)
        return _parts_cache[key]


def _scheduler_config(name: str) -> dict:
    heavy.ready("diffusers")
    from diffusers import DDPMScheduler

    from shared.checkpoints import resolve

    _, location = resolve(name)
    return dict(DDPMScheduler.load_config(location, subfolder="scheduler"))


# ---- prompts -------------------------------------------------------------------------------------


UNKNOWN_HINT = (f"for words outside the shapes world, use the Hub pipeline {options.HUB_PIPELINE} (it needs the "
                "network once).")


def prompt_text(value: object, what: str = "prompt") -> str:
    """A prompt as a string (None is the empty prompt); anything else that is not text is refused."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise LimitError(f"The {what} must be text; got {limits.kind_of(value)}.")
    return value


def prepare_prompt(parts: Parts, value: object, what: str = "prompt") -> tuple[str, str | None]:
    """The prompt as the text encoder reads it and a notice; empty is allowed (the unconditional model).
    For the bundled pipeline, each word its text encoder never learned is named with the nearest words
    it knows, and read as its synonym or left out (shared/phrasings.read_prompt)."""
    value = prompt_text(value, what)
    text = " ".join("".join(" " if ch < " " or ch == "\x7f" else ch for ch in value).split())
    notices = []
    if len(text) > options.PROMPT_CHARS:
        notices.append(f"The {what} had {len(text):,} characters; only the first {options.PROMPT_CHARS:,} are read.")
        text = text[:options.PROMPT_CHARS]
    if parts.known_words is not None and text:
        reading = phrasings.read_prompt(text, parts.known_words)
        if reading.unknown:
            notices.append(f"In the {what}: {reading.notice(UNKNOWN_HINT)}")
            text = reading.text if reading.understood else ""  # the empty prompt: the unconditional model
    elif not text and what == "prompt":
        notices.append("The prompt is empty: this is the unconditional model, drawing whatever it likes.")
    ids = parts.tokenizer(text, truncation=False, verbose=False)["input_ids"]
    if len(ids) > parts.context:
        kept = parts.tokenizer.decode(ids[1:parts.context - 1], skip_special_tokens=True).strip()
        notices.append(f"The {what} is {len(ids)} tokens long; the text encoder reads {parts.context} (its start and "
                       f"end marks included), so it reads: \"{kept}\".")
        text = kept
    return text, " ".join(notices) or None


def parse_values(text: object, what: str, check: Callable[[object], T]) -> list[T]:
    """'1, 3, 5' (commas or semicolons) -> each value checked, at most options.GRID_VALUES of them."""
    if not isinstance(text, str) or not text.strip():
        raise LimitError(f"Type the {what}, separated by commas, such as '1, 3, 7'.")
    values = [v for v in text.replace(";", ",").split(",") if v.strip()]
    if len(values) > options.GRID_VALUES:
        raise LimitError(f"At most {options.GRID_VALUES} {what}; got {len(values)}.")
    return [check(v.strip()) for v in values]


def prompt_tokens(parts: Parts, text: str) -> list[str]:
    """The tokens the text encoder reads, start and end marks included (pads left out)."""
    ids = parts.tokenizer(text, truncation=True, max_length=parts.context)["input_ids"]
    return [parts.tokenizer.convert_ids_to_tokens(i).replace("</w>", "") for i in ids]


# ---- one run, step by step -----------------------------------------------------------------------


@dataclass(frozen=True)
class StepView:
    step: int  # 1-based
    steps: int
    timestep: int
    latent: np.ndarray  # float32 (4, h, w): x_t after this step (batch item 0)
    image: np.ndarray  # uint8 (H, W, 3): the latent decoded (the last, marked at 256+ px when the server marks: watermark.shown)
    noise_cond: np.ndarray  # float32 (4, h, w)
    noise_uncond: np.ndarray | None
    guidance: float


def check_settings(guidance: object, steps: object, scheduler: object) -> tuple[float, int, str]:
    return (options.GUIDANCE.check(guidance), options.STEPS.check(steps),
            limits.check_choice("scheduler", scheduler, options.SCHEDULERS))


def check_request(name: object, prompt: object, negative: object, guidance: object, steps: object,
                  scheduler: object) -> int:
    """A run's values checked before anything is loaded or imported (each refused with the message the
    run would give); the number of steps."""
    limits.check_choice("pipeline", name, options.PIPELINES)
    prompt_text(prompt), prompt_text(negative, "negative prompt")
    return check_settings(guidance, steps, scheduler)[1]


def prepare_run(name: str, prompt: object, guidance: object, steps: object, scheduler: object
                ) -> tuple[str | None, dict[str, tuple[int, ...]]]:
    """Before a streamed run: the settings checked (so a bad one fails before anything is shown),
    the prompt's notice (cut, or empty), and the tensor shapes of the pipeline diagram."""
    guidance, steps, scheduler = check_settings(guidance, steps, scheduler)
    parts = load_pipeline(name)
    _, notice = prepare_prompt(parts, prompt)
    return notice, tensor_shapes(parts, guided=guidance > 1.0)


def text_to_image(name: str, prompt: object, negative: object = "", guidance: object = options.DEFAULT_GUIDANCE,
                  steps: object = options.DEFAULT_STEPS, seed: object = 0, scheduler: object = "DDIM") -> Iterator[StepView]:
    """Every step of one sample: the latent, its decoding, and both noise predictions. The last
    step's image is the generator's result: watermarked with the pipeline's name and the seed when
    the server marks its samples (shared/watermark.py), as diffusers' SDXL pipeline marks its output."""
    guidance, steps, scheduler = check_settings(guidance, steps, scheduler)
    seed = limits.SEED.check(seed)
    parts = load_pipeline(name)
    text, _ = prepare_prompt(parts, prompt)
    negative, _ = prepare_prompt(parts, negative, "negative prompt")
    preview = preview_decoder(name, parts)
    for step in denoise(parts, [text], guidance, steps, seed, scheduler, negative):
        last = step.index + 1 == steps
        yield StepView(step.index + 1, steps, step.timestep, step.latent[0].float().cpu().numpy(),
                       watermark.shown(decode(parts, step.latent)[0], name, seed) if last else preview(step.latent)[0],
                       step.noise_cond[0].float().cpu().numpy(),
                       None if step.noise_uncond is None else step.noise_uncond[0].float().cpu().numpy(), guidance)


def preview_decoder(name: str, parts: Parts):  # noqa: ANN201 (latents -> uint8 images)
    """How each step's latent is shown: the pipeline's own decoder for the bundled pipeline (it is
    tiny); for a Hub pipeline TAESD (options.HUB_PREVIEW), a distilled decoder ~100x cheaper than
    Stable Diffusion's, when it can be loaded. The last step is always decoded by the real decoder."""
    if name == options.BUNDLED:
        return lambda latents: decode(parts, latents)
    heavy.ready("diffusers")
    from diffusers import AutoencoderTiny

    from shared.checkpoints import CheckpointError, load

    try:
        tiny = load(AutoencoderTiny, options.HUB_PREVIEW, torch_dtype=torch.float32, device=str(parts.unet.device)).model
    except CheckpointError:
        return lambda latents: decode(parts, latents)

    @torch.inference_mode()
    def taesd(latents: torch.Tensor) -> np.ndarray:
        x = tiny.decode(latents).sample  # TAESD reads the scaled latents the UNet works on
        return ((x.clamp(-1, 1) + 1) * 127.5).round().byte().permute(0, 2, 3, 1).cpu().numpy()

    return taesd


def tensor_shapes(parts: Parts, prompt_count: int = 1, guided: bool = True) -> dict[str, tuple[int, ...]]:
    """The shape of what flows between the boxes of the pipeline diagram, for one run."""
    b = prompt_count * (2 if guided else 1)
    side, ch = int(parts.unet.config.sample_size), int(parts.unet.config.in_channels)
    scale = 2 ** (len(parts.vae.config.block_out_channels) - 1)
    return {"token ids": (prompt_count, parts.context),
            "text embeddings": (b, parts.context, int(parts.text_encoder.config.hidden_size)),
            "latent": (prompt_count, ch, side, side), "UNet input": (b, ch, side, side),
            "noise prediction": (b, ch, side, side), "image": (prompt_count, 3, side * scale, side * scale)}


@dataclass(frozen=True)
class WordMaps:
    tokens: list[str]
    maps: np.ndarray  # float32 (tokens, h, w): each latent pixel's attention to each token, over the run
    image: np.ndarray  # uint8 (H, W, 3): the sample


def word_maps(name: str, prompt: object, guidance: object = options.DEFAULT_GUIDANCE, steps: object = options.DEFAULT_STEPS,
              seed: object = 0, scheduler: object = "DDIM") -> WordMaps:
    """One sample, recording the UNet's cross-attention of every latent pixel to every prompt token."""
    heavy.ready("diffusers")  # attention.py imports from diffusers at its top
    from demos.stable_diffusion import attention

    guidance, steps, scheduler = check_settings(guidance, steps, scheduler)
    parts = load_pipeline(name)
    text, _ = prepare_prompt(parts, prompt)
    guided = guidance > 1.0
    with attention.recording(slice(1, None) if guided else slice(None)) as maps:
        last = None
        for step in denoise(parts, [text], guidance, steps, limits.SEED.check(seed), scheduler):
            last = step
    tokens = prompt_tokens(parts, text)
    grids = attention.token_maps(maps, int(parts.unet.config.sample_size))[0, :len(tokens)]
    return WordMaps(tokens, grids.numpy(), decode(parts, last.latent)[0])


def guidance_grid(name: str, prompt: object, scales: list[float], seeds: list[int], steps: object = options.DEFAULT_STEPS,
                  scheduler: object = "DDIM") -> np.ndarray:
    """uint8 (len(seeds), len(scales), H, W, 3): one sample per (seed, guidance scale); a seed's noise
    is the same along its row, so only the guidance changes from left to right."""
    scales = [options.GUIDANCE.check(s) for s in scales]
    seeds = [limits.SEED.check(s) for s in seeds]
    _, steps, scheduler = check_settings(1.0, steps, scheduler)
    parts = load_pipeline(name)
    text, _ = prepare_prompt(parts, prompt)
    rows = []
    for seed in seeds:
        row = []
        for w in scales:
            last = None
            for step in denoise(parts, [text], w, steps, seed, scheduler):
                last = step
            row.append(decode(parts, last.latent)[0])
        rows.append(np.stack(row))
    return np.stack(rows)


def image_side(parts: Parts) -> int:
    """The side of the pipeline's images: the latent's side times the autoencoder's downsampling."""
    return int(parts.unet.config.sample_size) * 2 ** (len(parts.vae.config.block_out_channels) - 1)


def open_start(path: str | None):  # noqa: ANN201 (PIL image)
    """An uploaded starting image as upright RGB, or a LimitError saying what is wrong with the file;
    transparent pixels (an empty canvas drawn on) become the data's background, as in the training images."""
    from shared.datasets import BACKGROUND
    from shared.pictures import PictureLimits, open_picture

    if not path:
        raise LimitError("There is no starting image: upload one or take one from the data.")
    return open_picture(path, PictureLimits(max_bytes=options.START_IMAGE_BYTES, noun="image", background=BACKGROUND))


def starting_image(name: str, path: str | None) -> np.ndarray:
    """An uploaded starting image as the pipeline's input: its centre square at the pipeline's side,
    uint8 (side, side, 3)."""
    from shared.pictures import centre_square

    picture = open_start(path)
    return centre_square(picture, image_side(load_pipeline(name)))


@torch.inference_mode()
def image_to_image(name: str, image: np.ndarray, prompt: object, strength: object = 0.6,
                   guidance: object = options.DEFAULT_GUIDANCE, steps: object = options.DEFAULT_STEPS, seed: object = 0,
                   scheduler: object = "DDIM") -> np.ndarray:
    """Encode the image, noise its latent to the step that `strength` names (0: none, 1: pure
    noise), and denoise from there with the prompt: uint8 (H, W, 3). Strength 0 returns the
    autoencoder's reconstruction of the image."""
    from demos.stable_diffusion.pipeline import make_scheduler

    strength = options.STRENGTH.check(strength)
    guidance, steps, scheduler = check_settings(guidance, steps, scheduler)
    seed = limits.SEED.check(seed)
    parts = load_pipeline(name)
    text, _ = prepare_prompt(parts, prompt)
    x = torch.from_numpy(np.array(image, np.uint8)).permute(2, 0, 1)[None].float() / 127.5 - 1
    z0 = parts.vae.encode(x.to(parts.vae.device)).latent_dist.mean * parts.scaling
    skip = steps - int(round(strength * steps))  # the steps not run: strength 0 runs none
    if skip >= steps:
        return decode(parts, z0)[0]
    sched = make_scheduler(scheduler, parts.scheduler_config)
    sched.set_timesteps(steps)
    gen = torch.Generator().manual_seed(seed)
    noisy = sched.add_noise(z0, torch.randn(z0.shape, generator=gen).to(z0.device), sched.timesteps[skip:skip + 1])
    last = None
    for step in denoise(parts, [text], guidance, steps, seed, scheduler, latents=noisy, start_step=skip):
        last = step
    return decode(parts, last.latent)[0]
