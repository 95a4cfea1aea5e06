"""Animations the user can download: frames (uint8 RGB arrays) to a looping GIF file."""

from __future__ import annotations

import io

import numpy as np

from shared import limits
from shared.image_files import write_atomic

FPS = limits.IntRange("frames per second", 1, 50)


def to_gif(images: np.ndarray | list[np.ndarray], fps: int = 12, scale: int = 1, hold_last_ms: int = 0) -> bytes:
    """An endlessly looping GIF of uint8 (h, w, 3) frames, nearest-neighbour upscaled by `scale`;
    hold_last_ms keeps the final frame on screen longer before the loop starts again."""
    from PIL import Image

    fps = FPS.check(fps)
    if len(images) == 0:
        raise limits.LimitError("There are no frames to animate.")
    if scale > 1:
        # a GIF holds at most 256 colours: reduce each small frame (fast octree), then enlarge it,
        # rather than quantising the enlarged frame (4x less work for a 32x32 frame, same pixels kept)
        frames = [Image.fromarray(f).quantize(256, method=Image.Quantize.FASTOCTREE)
                  .resize((f.shape[1] * scale, f.shape[0] * scale), Image.Resampling.NEAREST) for f in images]
    else:
        frames = [Image.fromarray(f) for f in images]
    durations = [int(1000 / fps)] * len(frames)
    durations[-1] += max(0, hold_last_ms)
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:], duration=durations, loop=0)
    return buf.getvalue()


def gif_file(images: np.ndarray | list[np.ndarray], prefix: str, fps: int = 12, scale: int = 1,
             hold_last_ms: int = 0) -> str:
    """to_gif() written atomically to a file named by its content (shared.image_files); returns its path."""
    return write_atomic(to_gif(images, fps, scale, hold_last_ms), ".gif", prefix=prefix)
