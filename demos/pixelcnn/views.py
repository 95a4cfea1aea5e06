"""The PixelCNN tab's pictures, drawn with PIL from plain values (fast enough to stream a few a
second): the samples as they are drawn with the current pixel's distribution, a pixel's receptive
field in both stacks, and what every pixel of an image costs in bits."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from demos.pixelcnn import options
from demos.pixelcnn import wording as words
from shared import watermark
from shared.draw2d import TEXT, font

PAD = 12
UNDRAWN = ((200, 200, 206), (222, 222, 228))  # a light checker where no pixel is drawn yet
CURRENT = (230, 40, 40)
CAPTION_H = 14  # px under a tile for what it was told


def _upscale(image: np.ndarray, scale: int) -> np.ndarray:
    return image.repeat(scale, axis=0).repeat(scale, axis=1)


def _checker(side: int) -> np.ndarray:
    r, c = np.mgrid[:side, :side]
    return np.where(((r // 2 + c // 2) % 2 == 0)[..., None], UNDRAWN[0], UNDRAWN[1]).astype(np.uint8)


def samples_picture(frame, original: np.ndarray | None = None, columns: int = 4,  # noqa: ANN001 (explore.Frame)
                    scale: int = 4) -> np.ndarray:
    """The n images so far in a grid (undrawn pixels checkered, the last drawn pixel outlined), and
    on the right the distribution image 1's last pixel was drawn from. With `original` (a completion),
    the original comes first and a line marks where the kept rows end."""
    side = options.SIDE
    images, todo = frame.images, frame.codes < 0
    if original is not None:
        images = np.concatenate([original[None], images])
        todo = np.concatenate([np.zeros((1, side, side), dtype=bool), todo])
    n = len(images)
    columns = min(columns + (original is not None), n)  # a completion: the original and 4 in a row
    rows = -(-n // columns)
    tile = side * scale
    captions = frame.captions if original is None else None
    below = CAPTION_H if captions else 0  # each tile's told labels under it
    grid_w, grid_h = columns * (tile + PAD) + PAD, rows * (tile + PAD + below) + PAD
    bars_w = 340
    canvas = Image.new("RGB", (grid_w + bars_w + PAD, max(grid_h, 300)), (255, 255, 255))
    draw = ImageDraw.Draw(canvas)
    checker = _checker(side)
    kept = (side * side - frame.total) // side  # rows given, not drawn (a completion's)
    for k in range(n):
        picture = np.where(todo[k][..., None], checker, images[k])
        y, x = PAD + (k // columns) * (tile + PAD + below), PAD + (k % columns) * (tile + PAD)
        canvas.paste(Image.fromarray(_upscale(picture, scale)), (x, y))
        if captions:
            draw.text((x, y + tile + 2), captions[k], fill=TEXT, font=font(11))
        if kept:
            draw.line([x - 3, y + kept * scale, x + tile + 2, y + kept * scale], fill=(40, 160, 230), width=2)
        if not frame.done and (original is None or k > 0):
            px, py = x + frame.col * scale, y + frame.row * scale
            draw.rectangle([px - 2, py - 2, px + scale + 1, py + scale + 1], outline=CURRENT, width=2)
    _distribution(draw, frame, (grid_w + PAD // 2, PAD), bars_w)
    return np.asarray(canvas)


def shown_samples(frame, seed: int) -> np.ndarray:  # noqa: ANN001 (explore.Frame)
    """samples_picture of a sampling run; its last frame, the finished samples, watermarked with the
    bundled model and the seed when the server marks its samples (shared/watermark.py)."""
    picture = samples_picture(frame)
    return watermark.shown(picture, options.BUNDLED, seed) if frame.done else picture


def _distribution(draw: ImageDraw.ImageDraw, frame, origin: tuple[int, int], width: int) -> None:  # noqa: ANN001
    x0, y = origin
    draw.text((x0, y), words.DISTRIBUTION_TITLE.format(row=frame.row, col=frame.col), fill=TEXT, font=font(14))
    y += 24
    top = np.argsort(frame.probs)[::-1][:options.TOP_COLOURS]
    drawn_code = int(frame.codes[0, frame.row, frame.col])
    bar_max = width - 110
    for code in top:
        p = float(frame.probs[code])
        colour = tuple(int(v) for v in frame.palette[code])
        draw.rectangle([x0, y, x0 + 22, y + 22], fill=colour, outline=(90, 90, 90))
        draw.rectangle([x0 + 30, y + 4, x0 + 30 + max(1, int(bar_max * p)), y + 18], fill=(90, 110, 200))
        mark = " ◀" if code == drawn_code else ""
        draw.text((x0 + 36 + bar_max, y + 3), f"{100 * p:5.1f}%{mark}", fill=TEXT, font=font(13))
        y += 28
    rest = 1.0 - float(frame.probs[top].sum())
    draw.text((x0, y + 4), words.DISTRIBUTION_REST.format(rest=100 * rest, n=len(frame.probs)), fill=TEXT, font=font(12))


def field_picture(field, scale: int = 10) -> np.ndarray:  # noqa: ANN001 (field.Field)
    """Two panels: the gated network's measured field (brighter: the pixel moves the prediction more)
    and the plain stack's, its blind spot in orange; the pixel predicted in red, later pixels pale."""
    side = options.SIDE
    later = ~field.before
    g = field.gated
    seen = g > 0
    heat = np.zeros_like(g)
    if seen.any():
        logs = np.log10(g[seen])
        heat[seen] = 0.25 + 0.75 * (logs - logs.min()) / max(1e-9, logs.max() - logs.min())
    gated = np.empty((side, side, 3))
    gated[:] = (60, 60, 70)  # earlier pixels it cannot see
    ramp = np.array([[40, 70, 160], [250, 220, 60]], dtype=np.float64)
    gated[seen] = ramp[0] + heat[seen, None] * (ramp[1] - ramp[0])
    plain = np.empty((side, side, 3))
    plain[:] = (60, 60, 70)
    plain[field.plain] = (70, 170, 90)
    plain[field.blind_spot] = (245, 140, 30)
    panels = []
    for picture in (gated, plain):
        picture[later] = (236, 236, 240)
        picture[field.row, field.col] = CURRENT
        panels.append(_upscale(picture.astype(np.uint8), scale))
    tile = side * scale
    canvas = Image.new("RGB", (3 * PAD + 2 * tile, tile + 2 * PAD + 90), (255, 255, 255))
    draw = ImageDraw.Draw(canvas)
    titles = (words.FIELD_GATED.format(n=int(seen.sum())),
              words.FIELD_PLAIN.format(n=int(field.plain.sum()), blind=int(field.blind_spot.sum())))
    for k, (panel, title) in enumerate(zip(panels, titles)):
        x = PAD + k * (tile + PAD)
        draw.text((x, PAD // 2), title, fill=TEXT, font=font(13))
        canvas.paste(Image.fromarray(panel), (x, PAD + 22))
    for k, line in enumerate(words.FIELD_LEGEND):
        draw.text((PAD, tile + PAD + 32 + 18 * k), line, fill=TEXT, font=font(12))
    return np.asarray(canvas)


def bits_picture(bits, scale: int = 8) -> np.ndarray:  # noqa: ANN001 (explore.Bits)
    """The image beside a map of the bits each pixel costs (dark: predicted well, bright: surprising)."""
    side = options.SIDE
    b = bits.per_pixel
    top = max(1.0, float(np.quantile(b, 0.995)))
    t = np.clip(b / top, 0, 1)[..., None]
    # black -> red -> yellow
    heat = np.where(t < 0.5, np.array([0, 0, 0]) + t * 2 * np.array([220, 40, 30]),
                    np.array([220, 40, 30]) + (t - 0.5) * 2 * np.array([35, 210, 30]))
    tile = side * scale
    canvas = Image.new("RGB", (3 * PAD + 2 * tile, tile + 2 * PAD + 50), (255, 255, 255))
    draw = ImageDraw.Draw(canvas)
    for k, (panel, title) in enumerate(((bits.image, words.BITS_IMAGE),
                                        (heat.astype(np.uint8), words.BITS_MAP.format(top=top)))):
        x = PAD + k * (tile + PAD)
        draw.text((x, PAD // 2), title, fill=TEXT, font=font(13))
        canvas.paste(Image.fromarray(_upscale(panel, scale)), (x, PAD + 22))
    draw.text((PAD, tile + PAD + 30), words.BITS_TOTAL.format(bpd=bits.bits_per_dim, bits=float(b.sum())),
              fill=TEXT, font=font(13))
    return np.asarray(canvas)
