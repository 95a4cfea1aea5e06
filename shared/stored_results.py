"""Deterministic heavy results stored beside the weights that made them (a gallery's embeddings, a
table measured over hundreds of decodes), so a tab's first press answers at once on a fresh server.

    save_json(folder, "dimension-table", rows, key={"images": 400})   # by the training script
    rows = load_json(folder, "dimension-table", key={"images": 400})   # None: compute it live

A stored result names the weights it came from (the SHA-256 of the folder's weight files) and the
inputs it was made with (`key`); after a retraining that did not rewrite it, or for other inputs, it is
ignored and the caller computes the result as before. Stored files are named `stored-<name>.*`.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

PREFIX = "stored-"


def weights_digest(folder: Path) -> str:
    """SHA-256 over the folder's weight files (every *.safetensors but stored results), names included."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*.safetensors")):
        if not path.name.startswith(PREFIX):
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def stamp(folder: Path, key: dict[str, Any]) -> dict[str, str]:
    """What a stored result records of its origin: the weights' digest and the inputs, as strings."""
    return {"weights_sha256": weights_digest(folder), **{k: json.dumps(v) for k, v in key.items()}}


def save_json(folder: Path, name: str, value: Any, key: dict[str, Any]) -> Path:
    path = folder / f"{PREFIX}{name}.json"
    path.write_text(json.dumps({"made_by": stamp(folder, key), "value": value}, indent=1))
    return path


def load_json(folder: Path, name: str, key: dict[str, Any]) -> Any | None:
    """The stored value, or None when there is none for these weights and inputs."""
    path = folder / f"{PREFIX}{name}.json"
    if not path.exists():
        return None
    record = json.loads(path.read_text())
    return record["value"] if record.get("made_by") == stamp(folder, key) else None
