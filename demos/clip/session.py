"""A session's own images for the CLIP gallery: importable without torch, so the UI can hold an
empty one in each session's state before any model has loaded.

    user = UserGallery()
    user.add("clip-shapes", ["/tmp/cats.zip", "/tmp/dog.png"])   # -> "Added 38 images. ..."
    index, images, names = user.search_index(clip)
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from demos.clip import options
from demos.clip.index import VectorIndex
from shared.limits import LimitError

if TYPE_CHECKING:  # the encoders import torch: the tab's state is built at start-up without it
    from demos.clip.encoders import Clip, Progress


class UserGallery:
    """One session's own images: kept at options.KEPT_SIDE, embedded by each model on first use.
    Held in the session's state and cleared when the session ends; never shared. Thread-safe: two
    events of the session (an upload while a search runs) take turns."""

    def __init__(self) -> None:
        self.images: list[np.ndarray] = []
        self.names: list[str] = []
        self._embedded: dict[str, tuple[np.ndarray, VectorIndex]] = {}
        self._lock = threading.Lock()

    def __deepcopy__(self, memo: dict) -> UserGallery:
        return UserGallery()  # Gradio copies a State's initial value for each session: each starts empty

    def __len__(self) -> int:
        return len(self.names)

    def clear(self) -> None:
        with self._lock:
            self.images.clear()
            self.names.clear()
            self._embedded.clear()

    def remove_all(self) -> str:
        """Forget every image this session added, and say so."""
        n = len(self)
        self.clear()
        return f"Your {n:,} images were removed; the gallery is the default one again."

    def add(self, model_name: str, paths: Sequence[str | None], progress: Progress | None = None) -> str:
        """Read images and zips (demos/clip/uploads.py does the checking), embed the new images with
        the model, and say what was added and what was skipped."""
        from demos.clip.encoders import embed_images, load_clip, square
        from demos.clip.uploads import UploadReader

        clip = load_clip(model_name)
        paths = [p for p in (paths or []) if p]
        if not paths:
            raise LimitError("Choose one or more images, or a zip of images, to add.")
        with self._lock:
            room = options.SESSION_IMAGES - len(self.names)
            if room <= 0:
                raise LimitError(f"Your gallery already holds {len(self.names):,} images, the most a session may add; "
                                 "press Clear to start again.")
            reader = UploadReader(room=min(room, options.UPLOAD_IMAGES))
            kept, inputs, names = [], [], []
            for name, picture in reader.images(paths):
                kept.append(square(picture, options.KEPT_SIDE))
                inputs.append(square(picture, clip.side))
                names.append(name)
                if progress is not None:
                    progress(0.0, f"reading: {len(names):,} images")
            if not names:
                raise LimitError(f"No image could be added. {reader.summary()}")
            new = embed_images(clip, np.stack(inputs), progress)
            self.images += kept
            self.names += names
            old = self._embedded.get(clip.name)
            self._embedded = {}  # the other models embed the whole gallery again when next used
            embeddings = new if old is None else np.concatenate([old[0], new])
            self._embedded[clip.name] = (embeddings, VectorIndex(embeddings))
            return reader.summary() + f" Your gallery now holds {len(self.names):,}."

    def search_index(self, clip: Clip, progress: Progress | None = None) -> tuple[VectorIndex | None, list[np.ndarray], list[str]]:
        """This session's index under `clip` (embedding its images first if another model added them),
        with the images and names its rows point to."""
        from demos.clip.encoders import embed_images, square

        with self._lock:
            if not self.names:
                return None, [], []
            if clip.name not in self._embedded:
                inputs = np.stack([square(image, clip.side) for image in self.images])
                embeddings = embed_images(clip, inputs, progress)
                self._embedded[clip.name] = (embeddings, VectorIndex(embeddings))
            return self._embedded[clip.name][1], list(self.images), list(self.names)
