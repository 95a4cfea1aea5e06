"""Logic of the CLIP tab: search a gallery by text or by an image, zero-shot classification against
typed labels, and the joint space projected to 2-D. No UI code: functions take plain values (text,
file paths, numbers, PIL images), check them against demos/clip/options.py and return arrays and
dataclasses.

    clip = load_clip("clip-shapes")                    # or a Hub id from options.HUB_MODELS
    result = search_text("clip-shapes", "a large red star", k=12, user=UserGallery())
    result.hits[0].name, result.hits[0].score          # 'a large red star at the top left', 0.87

Every embedding is L2-normalised, so a similarity is a cosine in [-1, 1]. A gallery is embedded
once: the default one (10,000 generated shapes for the bundled model, scikit-image's sample photos
for a Hub CLIP) once per process and shared read-only by every session; a user's own images live
in their session's UserGallery and are never seen by another session.
"""

from __future__ import annotations

import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from demos.clip import options
from demos.clip.encoders import Clip, Progress, embed_images, embed_texts, load_clip, square
from demos.clip.index import VectorIndex
from demos.clip.session import UserGallery
from shared import datasets, limits, phrasings
from shared.limits import LimitError
from shared.memo import memoised


def clean_text(value: object, what: str = "query", hint: str = f"type what to look for, such as '{options.DEFAULT_QUERY}'") -> str:
    """Control characters become spaces, runs of white space one space; empty text is refused."""
    if value is None:
        raise LimitError(f"The {what} is missing: {hint}.")
    if not isinstance(value, str):
        raise LimitError(f"The {what} must be text; got {limits.kind_of(value)}.")
    text = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in value)
    text = " ".join(text.split())
    if not text:
        raise LimitError(f"The {what} is empty: {hint}.")
    return text


UNKNOWN_HINT = f"for words outside the shapes world, use a Hub CLIP ({', '.join(options.HUB_MODELS)}; it needs the network once)."


def read_words(clip: Clip, text: str, what: str) -> tuple[str, str | None]:
    """For the bundled CLIP: the text with each word its text encoder never learned read as its synonym
    or left out, and a notice naming each with the nearest words it knows (shared/phrasings.py).
    A Hub CLIP reads any text: unchanged, no notice. A text with no known word is refused."""
    if not clip.bundled:
        return text, None
    reading = phrasings.read_prompt(text)
    if not reading.unknown:
        return text, None
    if not reading.understood:
        raise LimitError(f"In the {what} '{text[:60]}': {reading.notice(UNKNOWN_HINT)}")
    return reading.text, f"In the {what} '{text[:60]}': {reading.notice()}"


def prepare_query(clip: Clip, value: object) -> tuple[str, str | None]:
    """The query as the text encoder will read it, and a notice when it had to be cut or held words
    the bundled model does not know."""
    text = clean_text(value)
    notices = []
    if len(text) > options.QUERY_CHARS:
        notices.append(f"The query had {len(text):,} characters; only the first {options.QUERY_CHARS:,} are read.")
        text = text[:options.QUERY_CHARS]
    text, unknown = read_words(clip, text, "query")
    if unknown:
        notices.append(unknown)
    ids = clip.processor.tokenizer(text, truncation=False, verbose=False)["input_ids"]
    if len(ids) > clip.context:
        kept = clip.processor.tokenizer.decode(ids[1:clip.context - 1], skip_special_tokens=True).strip()
        notices.append(f"The query is {len(ids)} tokens long; this model's text encoder reads {clip.context} "
                       f"(its start and end marks included), so it searched for: \"{kept}\".")
        text = kept
    return text, " ".join(notices) or None


# ---- galleries -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gallery:
    """Images with their embeddings under one model, and an index over them."""

    images: np.ndarray  # uint8 (n, s, s, 3), as shown
    names: list[str]  # a caption (generated shapes) or a file name
    embeddings: np.ndarray  # float32 (n, d), unit length
    unseen: np.ndarray  # bool (n,): its (shape, colour) pair was held out of training (False for photos)
    index: VectorIndex

    def __len__(self) -> int:
        return len(self.names)


def photo_files() -> list[Path]:
    """The sample photos scikit-image ships (on disk with the package: nothing is downloaded)."""
    import skimage

    folder = Path(skimage.__file__).parent / "data"
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in (".png", ".jpg", ".jpeg"))


def _build_base(name: str, progress: Progress | None) -> Gallery:
    clip = load_clip(name)
    if clip.bundled:
        from demos.clip import stored_gallery
        from shared.checkpoints import resolve

        data = datasets.make_shapes(options.GALLERY_SIZE, options.GALLERY_SEED)
        embeddings = stored_gallery.load(Path(resolve(name)[1]), options.GALLERY_SIZE, options.GALLERY_SEED)
        if embeddings is None:  # stored for other weights or another gallery: embed it now
            embeddings = embed_images(clip, data.images, progress)
        return Gallery(data.images, list(data.captions), embeddings, datasets.unseen_mask(data.labels), VectorIndex(embeddings))
    from shared.pictures import open_picture

    kept, inputs, names = [], [], []
    for path in photo_files():
        try:
            picture = open_picture(str(path), options.PICTURE)
        except LimitError:
            continue  # a sample file that is not a photo we can read
        kept.append(square(picture, options.KEPT_SIDE))
        inputs.append(square(picture, clip.side))
        names.append(path.stem.replace("_", " "))
    embeddings = embed_images(clip, np.stack(inputs), progress)
    return Gallery(np.stack(kept), names, embeddings, np.zeros(len(names), bool), VectorIndex(embeddings))


_base: dict[str, Gallery] = {}
_building: dict[str, tuple[threading.Event, list[float]]] = {}
_base_lock = threading.Lock()


def base_gallery(name: str = options.BUNDLED, progress: Progress | None = None) -> Gallery:
    """A model's default gallery, embedded once per process. Callers that arrive while it is being
    embedded wait for that one build (and see its progress) instead of starting their own."""
    name = limits.check_choice("model", name, options.MODELS)
    with _base_lock:
        if name in _base:
            return _base[name]
        owner = name not in _building
        if owner:
            _building[name] = (threading.Event(), [0.0])
        done, fraction = _building[name]
    if not owner:
        while not done.wait(0.25):
            if progress is not None:
                progress(fraction[0], "embedding the gallery (started by another visitor)")
        with _base_lock:
            if name not in _base:
                raise LimitError("Embedding the gallery failed; press the button again.")
            return _base[name]

    def report(f: float, what: str) -> None:
        fraction[0] = f
        if progress is not None:
            progress(f, what)

    try:
        gallery = _build_base(name, report)
        with _base_lock:
            _base[name] = gallery
        return gallery
    finally:
        with _base_lock:
            _building.pop(name, None)
        done.set()


# ---- search --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    image: np.ndarray  # uint8 (s, s, 3)
    name: str
    score: float  # cosine similarity
    yours: bool  # from the user's own images
    unseen: bool  # a (shape, colour) pair the model never saw in training


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: a memoised result is one object
class SearchResult:
    hits: list[Hit]
    query: str  # what was searched for, as read ('an image' for an image query)
    searched: int  # images searched
    index_kind: str  # 'exact' or 'faiss-ivf'
    milliseconds: float  # the query alone: embedding it and searching
    notice: str | None = None


def _search(clip: Clip, vector_fn: Callable[[], np.ndarray], k: object, user: UserGallery | None,
            query: str, notice: str | None, progress: Progress | None) -> SearchResult:
    k = options.TOP_K.check(k)
    base = base_gallery(clip.name, progress)
    mine, my_images, my_names = user.search_index(clip, progress) if user is not None else (None, [], [])
    t0 = time.perf_counter()
    vector = vector_fn()
    scores, rows = base.index.search(vector, k)
    hits = [(float(s), False, int(r)) for s, r in zip(scores[0], rows[0]) if r >= 0]
    if mine is not None:
        scores, rows = mine.search(vector, k)
        hits += [(float(s), True, int(r)) for s, r in zip(scores[0], rows[0]) if r >= 0]
    hits = sorted(hits, key=lambda h: -h[0])[:k]
    ms = (time.perf_counter() - t0) * 1000
    out = [Hit(my_images[r], my_names[r], s, True, False) if yours else
           Hit(base.images[r], base.names[r], s, False, bool(base.unseen[r])) for s, yours, r in hits]
    return SearchResult(out, query, len(base) + len(my_names), base.index.kind, ms, notice)


def search_text(model_name: str, query: object, k: object = options.DEFAULT_TOP_K, user: UserGallery | None = None,
                progress: Progress | None = None) -> SearchResult:
    """The k gallery images closest to the text, best first."""
    clip = load_clip(model_name)
    text, notice = prepare_query(clip, query)
    k = options.TOP_K.check(k)
    if user is None or not len(user):  # only the shared gallery: thirty people typing the default share one answer
        return _shared_text_search(clip.name, text, k, notice)
    return _search(clip, lambda: embed_texts(clip, [text]), k, user, text, notice, progress)


@memoised(maxsize=256)
def _shared_text_search(model_name: str, text: str, k: int, notice: str | None) -> SearchResult:
    clip = load_clip(model_name)
    return _search(clip, lambda: embed_texts(clip, [text]), k, None, text, notice, None)


def search_image(model_name: str, image: Image.Image | np.ndarray, k: object = options.DEFAULT_TOP_K,
                 user: UserGallery | None = None, progress: Progress | None = None) -> SearchResult:
    """The k gallery images closest to a picture, best first (the picture itself, if it is in the
    gallery, comes first with a similarity of 1)."""
    clip = load_clip(model_name)
    pixels = square(image, clip.side)
    return _search(clip, lambda: embed_images(clip, pixels[None]), k, user, "an image", None, progress)


def read_picture(path: str | None, what: str = "query image") -> Image.Image:
    """An uploaded picture as upright RGB, or a LimitError saying what is wrong with it."""
    from shared.pictures import open_picture

    if not path:
        raise LimitError(f"There is no {what}: upload one, or take one from the data by its number.")
    return open_picture(path, options.PICTURE)


# ---- zero-shot -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ZeroShot:
    labels: list[str]
    probabilities: np.ndarray  # (n,), summing to 1: softmax of the similarities at the model's temperature
    similarities: np.ndarray  # (n,) cosines
    temperature: float  # 1 / exp(logit_scale)
    notice: str | None = None


def parse_labels(value: object) -> tuple[list[str], str | None]:
    """Labels typed as a comma- or line-separated list: cleaned, repeats dropped, checked."""
    if isinstance(value, str):
        value = value.replace("\n", ",")  # one label per line works too
    hint = f"type at least {options.LABELS.low} labels, separated by commas"
    text = clean_text(value, "list of labels", hint)  # refuses None, non-text and blank; control characters go
    labels: list[str] = []
    raw = [" ".join(part.split()) for part in text.split(",")]
    raw = [label for label in raw if label]
    if not raw:
        raise LimitError(f"The list of labels is empty: {hint}.")
    for label in raw:
        if len(label) > options.LABEL_CHARS:
            raise LimitError(f"A label is at most {options.LABEL_CHARS} characters; '{label[:40]}...' has {len(label):,}.")
        if label.lower() not in {seen.lower() for seen in labels}:
            labels.append(label)
    if len(labels) < options.LABELS.low:
        raise LimitError(f"Type at least {options.LABELS.low} different labels, separated by commas; got "
                         f"{len(labels)}. Zero-shot classification chooses among them.")
    if len(labels) > options.LABELS.high:
        raise LimitError(f"Type at most {options.LABELS.high} labels; got {len(labels)}.")
    repeats = len(raw) - len(labels)
    return labels, (f"{repeats} repeated label{'s' if repeats > 1 else ''} left out." if repeats else None)


@torch.inference_mode()
def zero_shot(model_name: str, image: Image.Image | np.ndarray, labels: object) -> ZeroShot:
    """p(label | image) = softmax over labels of exp(logit_scale) * cos(image, label): CLIP's
    classifier made of the labels' text embeddings."""
    clip = load_clip(model_name)
    names, notice = parse_labels(labels)
    notices = [notice] if notice else []
    read = []
    for label in names:
        text, unknown = read_words(clip, label, "label")  # a label with no known word is refused, by name
        read.append(text)
        notices += [unknown] if unknown else []
        if len(clip.processor.tokenizer(text, truncation=False, verbose=False)["input_ids"]) > clip.context:
            notices.append(f"'{label[:40]}' is longer than the text encoder reads; it was cut.")
    notice = " ".join(notices) or None
    image_vec = embed_images(clip, square(image, clip.side)[None])
    text_vecs = embed_texts(clip, read)
    sims = (text_vecs @ image_vec[0]).astype(np.float64)
    scale = float(clip.model.logit_scale.exp())
    logits = scale * sims
    probs = np.exp(logits - logits.max())
    return ZeroShot(names, probs / probs.sum(), sims, 1.0 / scale, notice)


# ---- the space -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Projection:
    image_xy: np.ndarray  # (n, 2)
    text_xy: np.ndarray  # (n, 2): caption i belongs to image i
    images: np.ndarray  # uint8 (n, 32, 32, 3)
    captions: list[str]
    unseen: np.ndarray  # bool (n,): a (shape, colour) pair held out of training
    method: str  # 'PCA' or 'UMAP'
    pair_cosine: float  # mean cosine of an image with its own caption
    notice: str | None = None


def pick_projection_images(n: int, seed: int) -> tuple[np.ndarray, list[str], np.ndarray]:
    """n held-out shapes with n different captions, a quarter of them (at most) from unseen pairs."""
    from shared.datasets import unseen_mask

    pool = datasets.make_shapes(40 * n, seed)
    unseen = unseen_mask(pool.labels)
    chosen: list[int] = []
    captions: set[str] = set()
    for where, quota in ((np.flatnonzero(unseen), n // 4), (np.flatnonzero(~unseen), n)):
        taken = 0
        for i in where:
            if taken == quota or len(chosen) == n:
                break
            if pool.caption(i) not in captions:
                captions.add(pool.caption(i))
                chosen.append(int(i))
                taken += 1
    return pool.images[chosen], [pool.caption(i) for i in chosen], unseen[chosen]


def project_space(n_images: object = options.DEFAULT_PROJECTION_IMAGES, method: object = "PCA",
                  seed: object = options.GALLERY_SEED) -> Projection:
    """Image and caption embeddings of the bundled model in one 2-D map: PCA of all 2n unit vectors
    together (or UMAP where umap-learn is installed)."""
    return _project(options.PROJECTION_IMAGES.check(n_images), limits.check_choice("projection", method, options.PROJECTIONS),
                    limits.SEED.check(seed))


@memoised(maxsize=16)
def _project(n: int, method: str, seed: int) -> Projection:
    clip = load_clip(options.BUNDLED)
    images, captions, unseen = pick_projection_images(n, seed)
    image_vecs, text_vecs = embed_images(clip, images), embed_texts(clip, captions)
    both = np.concatenate([image_vecs, text_vecs]).astype(np.float64)
    notice = None
    if method == "UMAP":
        try:
            import umap  # optional: not in requirements.txt

            xy = umap.UMAP(n_components=2, random_state=seed, metric="cosine").fit_transform(both)
        except ImportError:
            notice, method = "UMAP is not installed here (pip install umap-learn); showing PCA instead.", "PCA"
    if method == "PCA":
        centred = both - both.mean(0)
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
        xy = centred @ vt[:2].T
    gap = float(np.mean(np.sum(image_vecs * text_vecs, axis=1)))
    return Projection(xy[:len(images)], xy[len(images):], images, captions, unseen, method, gap, notice)
