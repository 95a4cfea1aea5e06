"""Small images laid out as one labelled picture: one file for the browser to fetch, not dozens.

    picture = sheet(images, labels, columns=8, scale=4)   # images (n, h, w, 3) -> uint8 RGB
    i = tile_at(x, y, n, columns=8, scale=4)               # which tile a click on it fell in
"""

from __future__ import annotations

import numpy as np

SHEET_PAD, SHEET_LABEL_H = 4, 14  # pixels around each tile of a sheet, and under it for its label


def sheet(images: np.ndarray, labels: list[str], columns: int = 12, scale: int = 3) -> np.ndarray:
    """Square images (n, s, s, 3) in reading order, each enlarged with its label under it, uint8 RGB."""
    from PIL import Image, ImageDraw

    n = len(images)
    tile = images.shape[1] * scale if n else 32 * scale
    columns = min(columns, n)
    rows = -(-n // columns)
    out = Image.new("RGB", (columns * (tile + SHEET_PAD) + SHEET_PAD, rows * (tile + SHEET_LABEL_H + SHEET_PAD) + SHEET_PAD),
                    (255, 255, 255))
    draw = ImageDraw.Draw(out)
    for i, (img, label) in enumerate(zip(images, labels)):
        r, c = divmod(i, columns)
        x, y = SHEET_PAD + c * (tile + SHEET_PAD), SHEET_PAD + r * (tile + SHEET_LABEL_H + SHEET_PAD)
        out.paste(Image.fromarray(img.repeat(scale, 0).repeat(scale, 1)), (x, y))
        draw.text((x + 2, y + tile + 1), label, fill=(40, 40, 40))
    return np.asarray(out)


def tile_at(x: float, y: float, n: int, columns: int = 12, scale: int = 3, side: int = 32) -> int | None:
    """Which tile of a sheet() of n images of side x side the pixel (x, y) falls in (its label
    included), or None."""
    tile = side * scale
    columns = min(columns, n)
    c, r = int(x) // (tile + SHEET_PAD), int(y) // (tile + SHEET_LABEL_H + SHEET_PAD)
    i = r * columns + c
    return i if x >= 0 and y >= 0 and c < columns and i < n else None




def tiles(picture: np.ndarray, n: int, columns: int = 12, scale: int = 3, side: int = 32) -> np.ndarray:
    """The images back out of a sheet() picture (the inverse of sheet, labels dropped): uint8 (n, side, side, 3)."""
    tile = side * scale
    columns = min(columns, n)
    out = []
    for i in range(n):
        r, c = divmod(i, columns)
        x, y = SHEET_PAD + c * (tile + SHEET_PAD), SHEET_PAD + r * (tile + SHEET_LABEL_H + SHEET_PAD)
        out.append(picture[y:y + tile:scale, x:x + tile:scale, :3])
    return np.stack(out)
