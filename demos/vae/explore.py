"""Logic of the VAE tab: interpolation against a pixel cross-fade, the 2-D latent map, one latent
dimension at a time, reconstructions, samples from either prior, the beta comparison and anomaly
scores, all on the bundled shapes VAEs. No UI code here: every function takes plain values
(images as uint8 arrays, file paths, numbers), checks them against demos/vae/options.py, and
returns arrays and dataclasses.

Images are uint8 (32, 32, 3) RGB like `shapes`; the models see them as (1, 3, 32, 32) in [-1, 1].
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch

from demos.vae import options
from shared import datasets, limits
from shared.memo import memoised
from shared.metrics import CONFIDENCE, tensor_to_images

if TYPE_CHECKING:
    from demos.vae.model import ShapesVAE

# ---- models and images -------------------------------------------------------------------------


def load_vae(name: str = options.BUNDLED) -> ShapesVAE:
    """One of the bundled VAEs (options.BETA_MODELS or the 2-D one), loaded once per process."""
    from demos.vae.model import ShapesVAE
    from shared.checkpoints import load

    name = limits.check_choice("model", name, [*options.BETA_MODELS.values(), options.BUNDLED_2D])
    return load(ShapesVAE, name, device="cpu").model


def beta_model(label: str) -> str:
    """'β = 6' -> 'vae-shapes'."""
    return options.BETA_MODELS[limits.check_choice("KL weight", label, options.BETA_MODELS)]


def read_image(path: str | None, what: str = "image") -> np.ndarray:
    """An uploaded or drawn picture as the models' input: upright RGB, transparent pixels on the
    data's background, the centre square shrunk to 32x32; uint8 (32, 32, 3)."""
    from shared.pictures import centre_square, open_picture

    if not path:
        raise limits.LimitError(f"There is no {what}: pick one from the data, upload one or draw one.")
    return centre_square(open_picture(path, options.PICTURE), options.SIDE)


def _x(images: np.ndarray) -> torch.Tensor:
    from shared.shapes_classifier import to_tensor

    return to_tensor(np.array(images, dtype=np.uint8).reshape(-1, options.SIDE, options.SIDE, 3))  # a copy: may be read-only


@torch.inference_mode()
def encode(vae, images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # noqa: ANN001
    """Means and standard deviations of q(z|x): images (n, 32, 32, 3) -> two float32 (n, d)."""
    mean, log_var = vae.encode(_x(images))
    return mean.numpy(), (0.5 * log_var).exp().numpy()


@torch.inference_mode()
def decode(vae, z: np.ndarray) -> np.ndarray:  # noqa: ANN001
    """Latents (n, d) -> uint8 images (n, 32, 32, 3), the decoder's mean."""
    return tensor_to_images(vae.decode(torch.as_tensor(np.asarray(z, dtype=np.float32)).reshape(-1, vae.latent_dim)))


def verdicts(images: np.ndarray) -> list[str]:
    """What the bundled shapes classifier reads in each image: 'red circle', or 'not a shape'
    when its confidence is under the valid-sample threshold."""
    from shared.metrics import _bundled_classifier
    from shared.shapes_classifier import HEAD_CLASSES, NOT_A_SHAPE, classify

    probs, _ = classify(_bundled_classifier(), np.asarray(images))
    out = []
    for shape_p, colour_p in zip(probs["shape"], probs["colour"]):
        shape = HEAD_CLASSES["shape"][int(shape_p.argmax())]
        valid = shape != NOT_A_SHAPE and shape_p.max() >= CONFIDENCE
        out.append(f"{HEAD_CLASSES['colour'][int(colour_p.argmax())]} {shape}" if valid else "not a shape")
    return out


# ---- interpolation -----------------------------------------------------------------------------


def path_weights(frames: int) -> np.ndarray:
    """t of each frame, 0 to 1 inclusive: (frames,)."""
    return np.linspace(0.0, 1.0, options.FRAMES.check(frames))


def interpolate_latents(za: np.ndarray, zb: np.ndarray, t: np.ndarray, mode: str) -> np.ndarray:
    """(frames, d) latents from za to zb. lerp: (1 - t) za + t zb. slerp: along the great circle
    between their directions, with the norm interpolated linearly (so both ends are exact and
    the path keeps the norm Gaussian latents have, where lerp cuts through the centre)."""
    mode = limits.check_choice("interpolation", mode, options.INTERPOLATIONS)
    za, zb, t = np.asarray(za, np.float64), np.asarray(zb, np.float64), np.asarray(t, np.float64)[:, None]
    if mode == "lerp":
        return ((1 - t) * za + t * zb).astype(np.float32)
    na, nb = np.linalg.norm(za), np.linalg.norm(zb)
    ua, ub = za / max(na, 1e-12), zb / max(nb, 1e-12)
    omega = np.arccos(np.clip(ua @ ub, -1.0, 1.0))
    if omega < 1e-6:  # (nearly) the same direction: slerp is lerp
        return ((1 - t) * za + t * zb).astype(np.float32)
    direction = (np.sin((1 - t) * omega) * ua + np.sin(t * omega) * ub) / np.sin(omega)
    path = (direction * ((1 - t) * na + t * nb)).astype(np.float32)
    path[t[:, 0] == 0], path[t[:, 0] == 1] = za, zb  # exact ends, not rounding's neighbours
    return path


@dataclass(frozen=True)
class Interpolation:
    t: np.ndarray  # (frames,)
    latent: np.ndarray  # uint8 (frames, 32, 32, 3): decoded along the latent path
    fade: np.ndarray  # uint8 (frames, 32, 32, 3): (1 - t) a + t b, pixel by pixel
    latent_verdicts: list[str]
    fade_verdicts: list[str]

    @property
    def valid_counts(self) -> tuple[int, int]:
        """Frames read as a clean shape: (latent walk, cross-fade)."""
        return (sum(v != "not a shape" for v in self.latent_verdicts),
                sum(v != "not a shape" for v in self.fade_verdicts))


def interpolate(a: np.ndarray, b: np.ndarray, frames: int = options.DEFAULT_FRAMES, mode: str = "slerp",
                model: str = options.BUNDLED) -> Interpolation:
    """Walk from image a to image b through the VAE's latent space (from a's mean to b's mean, so
    frame 0 and the last frame decode the two inputs' codes), beside a pixel cross-fade."""
    t = path_weights(frames)
    mode = limits.check_choice("interpolation", mode, options.INTERPOLATIONS)
    vae = load_vae(model)
    a, b = np.asarray(a, np.uint8), np.asarray(b, np.uint8)
    means, _ = encode(vae, np.stack([a, b]))
    latent = decode(vae, interpolate_latents(means[0], means[1], t, mode))
    fade = ((1 - t[:, None, None, None]) * a + t[:, None, None, None] * b).round().astype(np.uint8)
    judged = verdicts(np.concatenate([latent, fade]))
    return Interpolation(t, latent, fade, judged[: len(t)], judged[len(t):])


def interpolation_sheet(result: Interpolation, scale: int = 4) -> np.ndarray:
    """Two rows: the latent walk above the cross-fade, each frame with the classifier's verdict."""
    from shared.contact_sheet import sheet

    n = len(result.t)
    labels = [*result.latent_verdicts, *result.fade_verdicts]
    return sheet(np.concatenate([result.latent, result.fade]), labels, columns=n, scale=scale)


# ---- latent map (the 2-D model) ------------------------------------------------------------------


@dataclass(frozen=True)
class LatentMap:
    plane: np.ndarray  # uint8 (T*32, T*32, 3): the decoded grid, top row = largest z2
    centres: np.ndarray  # (T,) the latent coordinate of each tile's centre, ascending
    points: np.ndarray  # (n, 2): means of held-out images
    labels: dict[str, list[str]]  # label name -> (n,) value of each point


@memoised(maxsize=2)
def latent_map() -> LatentMap:
    """The 2-D model's plane decoded on options.MAP_TILES x MAP_TILES tiles over [-3, 3]^2, and the
    held-out data's codes. Memoised: computed once, read-only."""
    vae = load_vae(options.BUNDLED_2D)
    t = options.MAP_TILES
    centres = np.linspace(-options.MAP_EXTENT, options.MAP_EXTENT, t + 1)
    centres = (centres[:-1] + centres[1:]) / 2
    z1, z2 = np.meshgrid(centres, centres[::-1])  # image rows go down, z2 goes up
    tiles = decode(vae, np.stack([z1.ravel(), z2.ravel()], 1))
    plane = tiles.reshape(t, t, 32, 32, 3).transpose(0, 2, 1, 3, 4).reshape(t * 32, t * 32, 3)
    data = datasets.make_shapes(options.MAP_POINTS, seed=4242)
    points, _ = encode(vae, data.images)
    labels = {name: [datasets.LABEL_NAMES[name][i] for i in idx] for name, idx in data.labels.items()}
    for arr in (plane, centres, points):
        arr.setflags(write=False)
    return LatentMap(plane, centres, points, labels)


def plane_point(x: float, y: float, size: int) -> tuple[float, float]:
    """A click at pixel (x, y) of the plane picture shown `size` pixels wide -> latent (z1, z2)."""
    e = options.MAP_EXTENT
    x, y = (min(max(float(v), 0.0), size) for v in (x, y))
    return (-e + 2 * e * x / size, e - 2 * e * y / size)


def decode_point(z1: float, z2: float) -> tuple[np.ndarray, str]:
    """The 2-D model's decoding of one point of the plane, and what the classifier reads in it."""
    z = np.array([[options.MAP_COORDINATE.check(z1), options.MAP_COORDINATE.check(z2)]], np.float32)
    image = decode(load_vae(options.BUNDLED_2D), z)[0]
    return image, verdicts(image[None])[0]


def place_on_map(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where the 2-D model's encoder puts an image: its mean (2,) and standard deviation (2,)."""
    mean, std = encode(load_vae(options.BUNDLED_2D), np.asarray(image, np.uint8)[None])
    return mean[0], std[0]


# ---- one dimension at a time -------------------------------------------------------------------


def check_latent(values: list[float] | tuple[float, ...], dims: int = options.LATENT_DIMS) -> np.ndarray:
    """Slider values -> a latent (dims,), each checked."""
    if not isinstance(values, (list, tuple)) or len(values) != dims:
        raise limits.LimitError(f"A latent of this model has {dims} values.")
    return np.array([options.LATENT_VALUE.check(v) for v in values], np.float32)


def decode_latent(values: list[float] | tuple[float, ...], model: str = options.BUNDLED) -> np.ndarray:
    """One latent (the sliders) decoded: uint8 (32, 32, 3)."""
    return decode(load_vae(model), check_latent(values)[None])[0]


def traversal(z: np.ndarray, model: str = options.BUNDLED) -> np.ndarray:
    """The classic beta-VAE picture: row i sets dimension i of z to each of options.TRAVERSAL_VALUES.
    uint8 (dims, len(values), 32, 32, 3)."""
    z = check_latent(list(np.asarray(z, np.float64).ravel()))
    values = np.array(options.TRAVERSAL_VALUES, np.float32)
    d, v = len(z), len(values)
    grid = np.repeat(np.repeat(z[None, None], d, 0), v, 1)  # (d, v, d)
    grid[np.arange(d), :, np.arange(d)] = values
    return decode(load_vae(model), grid.reshape(-1, d)).reshape(d, v, 32, 32, 3)


@dataclass(frozen=True)
class DimensionRow:
    dim: int
    kl: float  # mean KL of this dimension over held-out images (nats): near 0 = unused
    changes: dict[str, float]  # label name -> how far the classifier's reading of it moves along the sweep (0-1)
    moves_most: str  # the label with the largest share, or "nothing" for an unused dimension

    @property
    def purity(self) -> float:
        """The largest share over the sum of shares: 1 = this dimension moves one factor only."""
        total = sum(self.changes.values())
        return max(self.changes.values()) / total if total else 0.0


UNUSED_KL = 0.05  # nats: a dimension the encoder leaves at the prior carries no information


TABLE_SEED = 4242  # the held-out images the table is measured on


def _table_key() -> dict:
    return {"images": options.TABLE_IMAGES, "values": list(options.TRAVERSAL_VALUES), "seed": TABLE_SEED}


@memoised(maxsize=4)
def dimension_table(model: str = options.BUNDLED) -> tuple[DimensionRow, ...]:
    """The dimension table of a bundled VAE (measure_dimensions): the one stored beside its weights when
    it was made by them with today's settings, else measured now (about 30 s on 2 cores). Memoised."""
    from shared.checkpoints import resolve
    from shared.stored_results import load_json

    name = limits.check_choice("model", model, [*options.BETA_MODELS.values(), options.BUNDLED_2D])
    stored = load_json(Path(resolve(name)[1]), "dimension-table", _table_key())
    if stored is not None:
        return tuple(DimensionRow(**row) for row in stored)
    return measure_dimensions(load_vae(name))


def store_dimension_table(vae: ShapesVAE, folder: Path) -> Path:
    """Measure the table of `vae` (saved in `folder`) and store it there, for dimension_table to read."""
    from dataclasses import asdict

    from shared.stored_results import save_json

    return save_json(folder, "dimension-table", [asdict(row) for row in measure_dimensions(vae)], _table_key())


def measure_dimensions(vae: ShapesVAE) -> tuple[DimensionRow, ...]:
    """For each latent dimension: from the codes of options.TABLE_IMAGES held-out images, sweep
    that dimension over options.TRAVERSAL_VALUES (the others fixed), decode, and measure for each
    label (shape, colour, size, position) how far the classifier's reading moves: the mean total
    variation between its probabilities along the sweep and at the image's own code."""
    from shared.metrics import _bundled_classifier
    from shared.shapes_classifier import HEAD_CLASSES, NOT_A_SHAPE, classify

    NONE = HEAD_CLASSES["shape"].index(NOT_A_SHAPE)
    data = datasets.make_shapes(options.TABLE_IMAGES, seed=TABLE_SEED)
    with torch.inference_mode():
        mean, log_var = vae.encode(_x(data.images))
    kl = (0.5 * (mean**2 + log_var.exp() - 1 - log_var)).mean(0).numpy()
    mean = mean.numpy()
    values = np.array(options.TRAVERSAL_VALUES, np.float32)
    n, d, v = len(mean), mean.shape[1], len(values)
    base, _ = classify(_bundled_classifier(), decode(vae, mean))  # the reading at each image's own code
    rows = []
    for i in range(d):
        z = np.repeat(mean[:, None], v, 1)  # (n, v, d)
        z[:, :, i] = values
        probs, _ = classify(_bundled_classifier(), decode(vae, z.reshape(-1, d)))
        changes = {}
        for name in datasets.LABEL_NAMES:
            after, before = probs[name].reshape(n, v, -1), base[name][:, None]
            if name == "shape":  # which of the six shapes, leaving "not a shape" out: blends are not a factor
                after, before = after[..., :NONE], before[..., :NONE]
                after = after / after.sum(-1, keepdims=True).clip(1e-6)
                before = before / before.sum(-1, keepdims=True).clip(1e-6)
            # total variation between the label's reading along the sweep and at the image's own code
            changes[name] = float(0.5 * np.abs(after - before).sum(-1).mean())
        used = kl[i] >= UNUSED_KL
        rows.append(DimensionRow(i, float(kl[i]), changes, max(changes, key=changes.get) if used else "nothing"))
    return tuple(rows)


# ---- reconstruct and sample --------------------------------------------------------------------


@dataclass(frozen=True)
class Reconstruction:
    image: np.ndarray  # the input, uint8 (32, 32, 3)
    recon: np.ndarray  # decoded from the encoder's mean
    mean: np.ndarray  # (d,)
    std: np.ndarray  # (d,)
    recon_mse: float  # mean squared error in [-1, 1] units
    bits_per_dim: float  # negative ELBO
    verdict: str  # what the classifier reads in the reconstruction


def reconstruct(image: np.ndarray, model: str = options.BUNDLED) -> Reconstruction:
    vae = load_vae(model)
    image = np.asarray(image, np.uint8)
    mean, std = encode(vae, image[None])
    recon = decode(vae, mean)[0]
    scores = anomaly_scores(model, image[None])
    return Reconstruction(image, recon, mean[0], std[0], float(scores["recon_mse"][0]),
                          float(scores["bits_per_dim"][0]), verdicts(recon[None])[0])


def check_prior(vae, prior: str) -> str:  # noqa: ANN001
    prior = limits.check_choice("prior", prior, options.PRIORS)
    if prior == "fitted" and not vae.has_fitted_prior:
        raise limits.LimitError("This model has no fitted prior; sample the standard normal.")
    return prior


def sample(n: int = options.DEFAULT_SAMPLES, temperature: float = 1.0, seed: int = 0, prior: str = "fitted",
           model: str = options.BUNDLED) -> tuple[np.ndarray, list[str]]:
    """n images decoded from the prior (latents scaled by the temperature), with verdicts."""
    n, temperature, seed = options.SAMPLES.check(n), options.TEMPERATURE.check(temperature), limits.SEED.check(seed)
    return _sample(n, temperature, seed, check_prior(load_vae(model), prior), model)


@memoised(maxsize=32)
def _sample(n: int, temperature: float, seed: int, prior: str, model: str) -> tuple[np.ndarray, list[str]]:
    vae = load_vae(model)
    with torch.inference_mode():
        z = vae.sample_latents(n, torch.Generator().manual_seed(seed), temperature, prior)
    images = decode(vae, z.numpy())
    images.setflags(write=False)
    return images, verdicts(images)


@dataclass(frozen=True)
class BetaResult:
    label: str  # 'β = 6'
    model: str
    recon_mse: float  # over options.COMPARISON_IMAGES held-out images
    recon_same: float  # share of reconstructions with the input's shape and colour
    valid_standard: float  # share of N(0, I) samples read as a clean shape
    valid_fitted: float  # share of fitted-prior samples read as a clean shape
    kl_nats: float  # mean KL(q(z|x) || N(0, I)) of held-out images: how much the code carries
    recon_examples: np.ndarray  # uint8 (k, 32, 32, 3)
    sample_examples: np.ndarray  # uint8 (k, 32, 32, 3), from N(0, I)


COMPARISON_EXAMPLES = 6


@memoised(maxsize=2)
def beta_comparison() -> tuple[BetaResult, ...]:
    """Every model of options.BETA_MODELS measured on the same held-out images and latents:
    sharpness (reconstruction error) against the share of valid samples from each prior."""
    from shared.metrics import _bundled_classifier
    from shared.shapes_classifier import HEAD_CLASSES, classify

    n = options.COMPARISON_IMAGES
    data = datasets.make_shapes(n, seed=4242)
    results = []
    for label, name in options.BETA_MODELS.items():
        vae = load_vae(name)
        with torch.inference_mode():
            mean, log_var = vae.encode(_x(data.images))
            kl = float((0.5 * (mean**2 + log_var.exp() - 1 - log_var)).sum(1).mean())
        recon = decode(vae, mean.numpy())
        probs, _ = classify(_bundled_classifier(), recon)
        same = np.ones(n, bool)
        for head in ("shape", "colour"):
            same &= probs[head].argmax(1) == np.array([HEAD_CLASSES[head].index(datasets.LABEL_NAMES[head][i])
                                                        for i in data.labels[head]])
        valid = {}
        for prior in ("standard", "fitted"):
            if prior == "fitted" and not vae.has_fitted_prior:
                valid[prior] = float("nan")
                continue
            with torch.inference_mode():
                z = vae.sample_latents(n, torch.Generator().manual_seed(2024), 1.0, prior)
            images = decode(vae, z.numpy())
            valid[prior] = float(np.mean([v != "not a shape" for v in verdicts(images)]))
            if prior == "standard":
                examples = images[:COMPARISON_EXAMPLES]
        mse = float((((recon.astype(np.float32) - data.images) / 127.5) ** 2).mean())
        results.append(BetaResult(label, name, mse, float(same.mean()), valid["standard"], valid["fitted"], kl,
                                  recon[:COMPARISON_EXAMPLES], examples))
    return tuple(results)


# ---- anomaly scores ----------------------------------------------------------------------------


def anomaly_scores(model: str, images: np.ndarray) -> dict[str, np.ndarray]:
    """Per image: reconstruction error and negative ELBO (bits per dimension) under the model."""
    scores = load_vae(model).anomaly_scores(_x(images), torch.Generator().manual_seed(0))
    return {k: v.numpy() for k, v in scores.items()}


@dataclass(frozen=True)
class Reference:
    real: dict[str, np.ndarray]  # score name -> (n,) over held-out shapes
    odd: dict[str, np.ndarray]  # score name -> (n,) over non-shapes
    auroc: dict[str, float]  # score name -> how well it tells them apart (1 = perfectly)
    threshold: dict[str, float]  # score name -> the options.UNUSUAL_PERCENTILE of real scores


@memoised(maxsize=4)
def reference_scores(model: str = options.BUNDLED) -> Reference:
    """Scores of held-out shapes and of the data tab's non-shapes: the histogram an image is placed
    on, the verdict's threshold and each score's AUROC. Memoised, read-only."""
    from sklearn.metrics import roc_auc_score

    n = options.REFERENCE_IMAGES
    real = anomaly_scores(model, datasets.make_shapes(n, seed=4242).images)
    odd = anomaly_scores(model, datasets.make_not_shapes(n, seed=4343))
    truth = np.r_[np.zeros(n), np.ones(n)]
    auroc = {k: float(roc_auc_score(truth, np.r_[real[k], odd[k]])) for k in real}
    threshold = {k: float(np.percentile(real[k], options.UNUSUAL_PERCENTILE)) for k in real}
    for arr in (*real.values(), *odd.values()):
        arr.setflags(write=False)
    return Reference(real, odd, auroc, threshold)


@dataclass(frozen=True)
class AnomalyResult:
    scores: dict[str, float]  # score name -> this image's score
    percentile: dict[str, float]  # score name -> share of real shapes scoring lower (0-100)
    unusual: bool  # by the negative ELBO: above the threshold
    reference: Reference


def score_anomaly(image: np.ndarray, model: str = options.BUNDLED) -> AnomalyResult:
    ref = reference_scores(model)
    raw = anomaly_scores(model, np.asarray(image, np.uint8)[None])
    scores = {k: float(v[0]) for k, v in raw.items()}
    percentile = {k: float((ref.real[k] < scores[k]).mean() * 100) for k in scores}
    return AnomalyResult(scores, percentile, scores["bits_per_dim"] > ref.threshold["bits_per_dim"], ref)
