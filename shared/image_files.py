"""Images handed to a UI as PNG files, written atomically under a name taken from their content.

Why not return numpy arrays to Gradio: Gradio 6.31 stores numpy/PIL outputs with
`processing_utils.save_pil_to_cache`, which rewrites a content-hashed path in place. When two
requests produce the same image at once (an audience pressing the same default), one client
downloads a file that another request is rewriting and receives it truncated. Outputs given as
file paths go through `save_file_to_cache`, which renames a finished copy into place. So every
image the suite shows is a file written here: under a temporary name, then renamed to the hash of
its bytes, so a reader sees the whole file or none, and the same picture is stored once.

    path = png_file(image)            # image: (H, W, 3) or (H, W) uint8, or a PIL image

Pure Python + Pillow: no UI import, so any front end can use it.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

FOLDER = Path(tempfile.gettempdir()) / "genai-demos" / "images"
KEEP_S = 900  # a file unused this long is removed: Gradio has copied it into its own cache long before
PRUNE_EVERY_S = 60

_last_prune = 0.0
_prune_lock = threading.Lock()


def png_bytes(image) -> bytes:  # noqa: ANN001 (np.ndarray or PIL.Image.Image)
    """The image encoded as PNG (fast compression: these are small, and encoded on every request)."""
    from PIL import Image

    if isinstance(image, np.ndarray):
        if image.dtype != np.uint8:
            raise ValueError(f"png_bytes takes uint8 images; got {image.dtype}")
        image = Image.fromarray(image)
    buf = io.BytesIO()
    image.save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def write_atomic(data: bytes, suffix: str, prefix: str = "", folder: Path = FOLDER) -> str:
    """Store `data` as <prefix><sha256><suffix> in `folder` unless it is already there; returns the path.

    The file is written under a temporary name and renamed into place (os.replace is atomic), so
    a concurrent reader, or a concurrent writer of the same bytes, never sees a partial file.
    """
    path = folder / f"{prefix}{hashlib.sha256(data).hexdigest()[:40]}{suffix}"
    try:
        os.utime(path)  # already stored: mark it used, so pruning leaves it alone
        return str(path)
    except FileNotFoundError:
        pass
    folder.mkdir(parents=True, exist_ok=True)
    fd, staging = tempfile.mkstemp(dir=folder, prefix=".", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(staging, path)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise
    _prune(folder)
    return str(path)


def png_file(image) -> str:  # noqa: ANN001 (np.ndarray or PIL.Image.Image)
    """The image as a PNG file written atomically (see the module docstring); returns its path."""
    return write_atomic(png_bytes(image), ".png")


def _prune(folder: Path) -> None:
    """Remove files unused for KEEP_S seconds, at most once a minute."""
    global _last_prune
    now = time.time()
    if now - _last_prune < PRUNE_EVERY_S or not _prune_lock.acquire(blocking=False):
        return
    try:
        _last_prune = now
        for old in folder.iterdir():
            try:
                if now - old.stat().st_mtime > KEEP_S:
                    old.unlink()
            except OSError:
                pass
    finally:
        _prune_lock.release()


def save_raw_samples(folder: str | Path, images) -> Path:  # noqa: ANN001 (uint8 (n, h, w, 3))
    """A generator's samples as they are, one PNG each (folder/<k>.png), for a benchmark's --save-samples."""
    from PIL import Image

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for k, image in enumerate(images):
        Image.fromarray(image).save(folder / f"{k}.png")
    return folder
