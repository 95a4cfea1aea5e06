"""A second witness for generated shapes that uses no neural network: pixels, distances and connected
components only, so a figure does not rest on the shapes classifier alone.

For a 32x32 image on the data's dark background:
- the object is the set of pixels farther than OBJECT_DISTANCE (RGB, 0-255) from the background;
- it is **one piece** when its largest 8-connected component holds at least 90% of those pixels and
  at least MIN_PIXELS of them (a blur, noise or two shapes fail);
- its **core colour** is the median of the pixels of that component that lie inside it (not on
  its anti-aliased edge); the colour is **right** when the core is within COLOUR_DISTANCE of the
  named palette colour and nearer to it than to any other;
- the **position** is the palette of POSITIONS nearest the component's centroid; the **size** is
  small or large by the distance from its centroid to its farthest pixel (SIZE_SPLIT).

    check = pixel_check(images)          # uint8 (n, 32, 32, 3)
    check.one_piece, check.colour, check.position, check.size   # (n,) each; colour etc. -1 where no object
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from shared.datasets import BACKGROUND, COLOURS, POSITIONS

OBJECT_DISTANCE = 60.0
COLOUR_DISTANCE = 70.0
MIN_PIXELS = 12
SIZE_SPLIT = 6.3  # pixels from the centroid to the farthest object pixel: small (radius 5) below, large (radius 8) above
PALETTE = np.array(list(COLOURS.values()), dtype=np.float32)  # (6, 3)
CENTRES = np.array(list(POSITIONS.values()), dtype=np.float32)  # (5, 2) as (x, y)


@dataclass(frozen=True)
class PixelCheck:
    one_piece: np.ndarray  # bool (n,)
    colour: np.ndarray  # int (n,): palette index of the core colour when within COLOUR_DISTANCE, else -1
    position: np.ndarray  # int (n,): index into POSITIONS, -1 without an object
    size: np.ndarray  # int (n,): 0 small, 1 large, -1 without an object

    def agrees(self, labels: np.ndarray, named: np.ndarray | None = None) -> np.ndarray:
        """bool (n,): one piece, and every named attribute the pixels can judge (colour, size,
        position; not the shape) as labelled; labels (n, 4) in LABEL_NAMES order, named (n, 4) bool."""
        named = np.ones(labels.shape, bool) if named is None else named
        ok = self.one_piece.copy()
        for k, found in ((1, self.colour), (2, self.size), (3, self.position)):
            ok &= ~named[:, k] | (found == labels[:, k])
        return ok


def _one(image: np.ndarray) -> tuple[bool, int, int, int]:
    pixels = image.astype(np.float32)
    far = np.linalg.norm(pixels - np.asarray(BACKGROUND, np.float32), axis=-1) > OBJECT_DISTANCE
    if far.sum() < MIN_PIXELS:
        return False, -1, -1, -1
    parts, count = ndimage.label(far, structure=np.ones((3, 3)))
    sizes = np.bincount(parts.ravel())[1:]
    biggest = int(sizes.argmax()) + 1
    piece = parts == biggest
    one_piece = sizes.max() >= 0.9 * far.sum() and sizes.max() >= MIN_PIXELS
    core = ndimage.binary_erosion(piece)
    core = core if core.sum() >= 3 else piece
    colour = np.median(pixels[core], axis=0)
    distances = np.linalg.norm(PALETTE - colour, axis=1)
    nearest = int(distances.argmin())
    colour_index = nearest if distances[nearest] <= COLOUR_DISTANCE else -1
    ys, xs = np.nonzero(piece)
    centre = np.array([xs.mean() + 0.5, ys.mean() + 0.5], np.float32)
    position = int(np.linalg.norm(CENTRES - centre, axis=1).argmin())
    reach = float(np.sqrt(((xs + 0.5 - centre[0]) ** 2 + (ys + 0.5 - centre[1]) ** 2).max()))
    return bool(one_piece), colour_index, position, int(reach > SIZE_SPLIT)


def pixel_check(images: np.ndarray) -> PixelCheck:
    """Judge uint8 (n, 32, 32, 3) images by their pixels alone (see the module's docstring)."""
    rows = [_one(image) for image in images]
    one_piece, colour, position, size = (np.array(col) for col in zip(*rows)) if rows else (np.zeros(0),) * 4
    return PixelCheck(one_piece.astype(bool), colour.astype(int), position.astype(int), size.astype(int))
