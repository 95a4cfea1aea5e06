"""Tests place tiny models in the (temporary, offline) Hub cache as huggingface_hub lays out a download."""

from __future__ import annotations

from pathlib import Path

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def hub_snapshot_dir(repo_id: str) -> Path:
    """The snapshot folder of repo_id in the Hub cache, with refs/main pointing at it: save a model
    there and `from_pretrained(repo_id)` loads it offline."""
    from huggingface_hub import constants

    repo_dir = Path(constants.HF_HUB_CACHE) / f"models--{repo_id.replace('/', '--')}"
    (repo_dir / "refs").mkdir(parents=True, exist_ok=True)
    (repo_dir / "refs" / "main").write_text(COMMIT)
    return repo_dir / "snapshots" / COMMIT
