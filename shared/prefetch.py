"""Download every Hub model the tabs offer into the local Hugging Face cache, so that a talk works
with the network gone (run it at home, the day before):

    make prefetch                         # python -m demos.prefetch
    python -m demos.prefetch --check      # offline: which of them the cache already holds

The tabs load through `from_pretrained`, which reads this cache; with HF_HUB_OFFLINE=1 (or no
network) a cached model loads as if online. The list comes from the app level (demos/hub_models.py,
the same the Space's README preloads); this module knows no demo.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# What a download of each model needs: configs, tokenizer files and full-precision weights (the
# loaders ask for float32), in safetensors where the repo has them, else PyTorch's .bin; not the
# other copies a repo carries (TF/Flax/ONNX, fp16 variants, a single-file checkpoint at the top).
IGNORE_ALWAYS = ("*.onnx", "*onnx/*", "*.ckpt", "*.msgpack", "*.h5", "*.tflite", "*fp16*", "*.pt", "*.ot",
                 "*.gguf", "sd_turbo*.safetensors", "*.png", "*.jpg", "*.gif", "coreml/*", "*openvino*",
                 "*.md", ".gitattributes", "*.txt.gz")


def ignore_patterns(repo_files: Iterable[str]) -> list[str]:
    """What not to download of a repo with these files: .bin weights only where safetensors exist."""
    files = list(repo_files)
    has_safetensors = any(f.endswith(".safetensors") and "fp16" not in f for f in files)
    return list(IGNORE_ALWAYS) + (["*.bin"] if has_safetensors else [])


def needed_files(repo_files: Iterable[str]) -> list[str]:
    """The files of a repo with these files that a tab's loader reads (what `download` fetches and
    the Space's `preload_from_hub` lists): every file no pattern of ignore_patterns matches."""
    from fnmatch import fnmatch

    files = list(repo_files)
    ignore = ignore_patterns(files)
    return [f for f in files if not any(fnmatch(f, pattern) for pattern in ignore)]


@dataclass(frozen=True)
class CacheState:
    repo_id: str
    cached: bool
    size: int  # bytes of its newest cached snapshot (0 when absent)
    where: str


def cache_state(repo_id: str) -> CacheState:
    """Whether the local Hub cache holds repo_id (its config or model index, as from_pretrained
    looks them up offline), and the size of that snapshot."""
    from pathlib import Path

    from huggingface_hub import constants, try_to_load_from_cache

    for marker in ("config.json", "model_index.json"):
        found = try_to_load_from_cache(repo_id, marker)
        if isinstance(found, str):
            snapshot = Path(found).parent
            size = sum(p.stat().st_size for p in snapshot.rglob("*") if p.is_file())
            return CacheState(repo_id, True, size, str(snapshot))
    return CacheState(repo_id, False, 0, constants.HF_HUB_CACHE)


def download(repo_id: str) -> str:
    """Download what the tab needs of repo_id (weights in one format only) into the cache."""
    from huggingface_hub import HfApi, snapshot_download

    return snapshot_download(repo_id, allow_patterns=needed_files(HfApi().list_repo_files(repo_id)))


def main(by_demo: Mapping[str, Iterable[str]], argv: list[str] | None = None) -> int:
    """by_demo: demo slug -> the Hub ids its tab offers (the app level collects them)."""
    parser = argparse.ArgumentParser(description="Put the tabs' Hub models in the local cache before a talk.")
    parser.add_argument("--check", action="store_true", help="only report what the cache holds (offline)")
    args = parser.parse_args(argv)
    missing = 0
    for repo_id in dict.fromkeys(i for ids in by_demo.values() for i in ids):  # each once, in tab order
        tabs = ", ".join(slug for slug, ids in by_demo.items() if repo_id in ids)
        state = cache_state(repo_id)
        if not state.cached and not args.check:
            try:
                print(f"{repo_id} ({tabs}): downloading…", flush=True)
                download(repo_id)
                state = cache_state(repo_id)
            except Exception as exc:  # noqa: BLE001 (report every model, then fail)
                print(f"{repo_id}: FAILED ({type(exc).__name__}: {str(exc)[:200]})")
        missing += not state.cached
        mark = f"cached, {state.size / 1e6:.0f} MB" if state.cached else "NOT cached"
        print(f"{repo_id:<44} {tabs:<24} {mark}")
    if missing:
        print(f"\n{missing} model(s) not in the cache; the tabs will say the network is needed for them.")
        return 1
    print("\nEvery Hub model the tabs offer is in the cache: set HF_HUB_OFFLINE=1 and the talk needs no network.")
    return 0
