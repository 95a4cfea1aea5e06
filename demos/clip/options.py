"""Choices, limits and defaults of the CLIP tab: everything a UI needs to build its widgets,
importable without torch (the app must start without it). The logic checks every value against
these; the widgets take their ranges from them.
"""

from __future__ import annotations

from shared import limits
from shared.pictures import PictureLimits

BUNDLED = "clip-shapes"
# Hub CLIPs (both load as transformers' CLIPModel and CLIPProcessor): id -> what the menu says
HUB_MODELS: dict[str, str] = {
    "openai/clip-vit-base-patch32": "OpenAI CLIP ViT-B/32 (151 M parameters; 63.2% ImageNet zero-shot)",
    "wkcn/TinyCLIP-ViT-8M-16-Text-3M-YFCC15M": "TinyCLIP ViT-8M/16 (8 M image parameters; 41.1% ImageNet zero-shot)",
}
MODELS: tuple[str, ...] = (BUNDLED, *HUB_MODELS)
MODEL_LABELS: dict[str, str] = {BUNDLED: f"{BUNDLED} (bundled, offline)", **HUB_MODELS}  # what a model menu says

# ---- the gallery ----
GALLERY_SIZE = 10_000  # generated shapes: the bundled model's default gallery
GALLERY_SEED = 4243  # held out of training: the model card's search figures are measured on this gallery
EMBED_BATCH = 500  # images per forward pass while a gallery is embedded (one progress-bar tick)
FAISS_FROM = 100_000  # from this many images the index is FAISS (IVF), below it an exact matrix product
KEPT_SIDE = 128  # a user's or a photo gallery's image is kept at this size: shown, and embedded again by another model
TOP_K = limits.IntRange("number of results", 1, 48)
TOP_K_SLIDER = limits.Slider(TOP_K, 12, 1)
DEFAULT_TOP_K = TOP_K_SLIDER.value
DEFAULT_QUERY = "a large red star"
PHOTO_QUERY = "a cat"  # the default query when a Hub model searches the photo gallery

# ---- text ----
QUERY_CHARS = 1_000  # a longer query is cut here (and then to the model's context) with a notice
QUERY_HELP = f"at most {QUERY_CHARS:,} characters; the bundled text encoder reads 24 tokens, a Hub CLIP 77"
LABELS = limits.IntRange("number of labels", 2, 32)
LABEL_CHARS = 200  # per label
DEFAULT_LABELS = "a red circle, a red star, a blue star, a green triangle, a purple circle"
PHOTO_LABELS = "a cat, a dog, an astronaut, a rocket, a cup of coffee"
DATA_SEED = limits.SEED  # a query image taken from the data by number
DEFAULT_IMAGE_SEED = 3


def default_texts(model: str) -> tuple[str, str]:
    """The query and the labels a model starts with: a Hub CLIP searches photos, so its words change
    with it (the user may edit them)."""
    return (DEFAULT_QUERY, DEFAULT_LABELS) if model == BUNDLED else (PHOTO_QUERY, PHOTO_LABELS)


# ---- a user's own images ----
PICTURE = PictureLimits(max_bytes=20 * 2**20, max_pixels=4096 * 4096, min_side=8, noun="image")
UPLOAD_IMAGES = 2_000  # images added from one upload (files and zips together)
SESSION_IMAGES = 2_000  # images a session may add in all (2,000 x 48 KB kept)
ZIP_ENTRIES = 10_000  # an archive listing more entries is refused unopened
ZIP_TOTAL_BYTES = 500 * 2**20  # the uncompressed size an archive may claim, all entries together
ZIP_RATIO = 200  # a member that claims to expand more than this is treated as a bomb and skipped
NESTED_ARCHIVES = (".zip", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".jar", ".whl")

# ---- the objective, live ----
LIVE_STEPS = limits.IntRange("number of training steps", 10, 1_000)
LIVE_STEPS_SLIDER = limits.Slider(LIVE_STEPS, 300, 10)  # the steps slider moves by 10
DEFAULT_LIVE_STEPS = LIVE_STEPS_SLIDER.value
DEFAULT_LIVE_SEED = 0
LIVE_BATCH = 64  # training batch of the live model
SHOWN_BATCH = 10  # images and captions in the heatmap: one per (shape, colour) of a fixed set
LIVE_CHUNK_S = 0.5  # the heatmap is redrawn about this often while the model trains
LIVE_RUN_S = 120.0  # a live run stops itself after this long, whatever its steps

# ---- the space ----
PROJECTIONS: tuple[str, ...] = ("PCA", "UMAP")  # UMAP only where umap-learn is installed
PROJECTION_IMAGES = limits.IntRange("number of images", 12, 120)
PROJECTION_IMAGES_SLIDER = limits.Slider(PROJECTION_IMAGES, 48, 1)
DEFAULT_PROJECTION_IMAGES = PROJECTION_IMAGES_SLIDER.value
DEFAULT_PROJECTION = "PCA"


# ---- presenter links: ?tab=clip&present=1&k=8&q=a+blue+triangle opens the search as on a slide ----
from shared import presenter  # noqa: E402 (kept beside what it declares)

LINK_PARAMS: dict[str, presenter.LinkParam] = {
    "model": presenter.choice_param("model", MODELS),  # a Hub CLIP is downloaded the first time
    "q": presenter.text_param("query", QUERY_CHARS),
    "k": presenter.int_param(TOP_K),
    "image": presenter.int_param(DATA_SEED),  # the data image shown as the query image
}
# the link the README and the tests open: a (shape, colour) pair no training caption named
LINK_EXAMPLE: dict[str, str] = {"k": "8", "q": "a blue triangle at the top left"}
