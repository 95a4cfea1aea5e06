"""The Provenance tab's limits and defaults: the one place both UIs build their widgets from, torch-free."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from shared import limits
from shared.rooms import check_room

HERE = Path(__file__).parent

# ---- can you tell? the quiz ----
# real held-out pictures and every generator's samples, drawn once: python -m demos.provenance.make_exhibits
EXHIBITS = HERE / "exhibits.npz"
SHARES = HERE / "stored-shares.json"  # bias in, bias out: the data's and each generator's shape and colour shares
EXHIBITS_COMMAND = "python -m demos.provenance.make_exhibits"
QUIZ_PER_FAMILY = 12  # generated pictures of each family in the quiz (and as many real ones in all)
SHARES_SAMPLES = 600  # samples of each family behind the stored shares
QUIZ_SHOWN = 256  # pixels a side the quiz shows a 32x32 picture at (nearest neighbour: no smoothing to hide behind)
MAX_ROOMS = 12
ROOM_IDLE_S = 6 * 3600
MAX_ANSWERS = 5_000  # per room: a room stops counting beyond this

# ---- what the detector looks at ----
UPLOAD_MAX_BYTES = 8 * 2**20
UPLOADED = "upload"  # the source of a picture the visitor gives (upload or drawing)
PICTURE_INDEX = limits.IntRange("picture number", 0, 999)  # taken modulo the source's pictures
SHOW_SIDE = 256  # the editor's canvas

# ---- mark and sign ----
MARK_DEFAULT_FAMILY = "gan"
FILE_MAX_BYTES = 20 * 2**20  # an uploaded file to inspect (credentials.MAX_BYTES)

# ---- bias in, bias out: a small GAN trained live on a skewed set ----
# 1/6 is the balanced set (every colour alike); below it red is the rare colour
SKEW = limits.FloatRange("share of red pictures in the training set", 0.1, 0.9)
SKEW_SLIDER = limits.Slider(SKEW, 0.5, 0.01)
SKEW_STEPS = limits.IntRange("training steps", 50, 2_000)
SKEW_STEPS_SLIDER = limits.Slider(SKEW_STEPS, 600, 50)


@dataclass(frozen=True)
class Defaults:
    seed: int = 0
    skew: float = SKEW_SLIDER.value
    skew_steps: int = int(SKEW_STEPS_SLIDER.value)


DEFAULTS = Defaults()


# ---- presenter links: ?tab=provenance&present=1&room=talk ----
from shared import presenter  # noqa: E402 (kept beside what it declares)

LINK_PARAMS: dict[str, presenter.LinkParam] = {
    "room": presenter.LinkParam(parse=check_room),
}
LINK_EXAMPLE: dict[str, str] = {"room": "talk"}
