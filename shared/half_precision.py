"""Store a bundled model's weights in float16: half the bytes in checkpoints/ (budget: 90 MB), the
same float32 model once loaded.

    python -m shared.half_precision checkpoints/vae-shapes checkpoints/vae-shapes-2d

Every float32 weight of a layer (a tensor named ...weight or ...bias) is rounded to float16 (a
relative error of at most 2^-11); anything else (a fitted prior's mixture, a learned scalar such as
log_sigma) stays float32. Loading is unchanged: load_state_dict copies a float16 tensor into a float32
parameter, and the loaders of diffusers and transformers models in this project ask for float32
(`shared.checkpoints.load` passes the dtype). Run the model's checkpoint test afterwards: it
re-measures the card's figures on the stored weights.
"""

from __future__ import annotations

import sys
from pathlib import Path

WEIGHT_FILES = ("model.safetensors", "diffusion_pytorch_model.safetensors")


def is_layer_weight(name: str) -> bool:
    return name.endswith((".weight", ".bias"))


def halve(path: Path) -> tuple[int, int]:
    """Rewrite one safetensors file with its layer weights in float16; (bytes before, after)."""
    import torch
    from safetensors import safe_open
    from safetensors.torch import save_file

    with safe_open(str(path), "pt") as f:
        metadata = f.metadata()
        tensors = {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118 (safe_open has no iterator)
    before = path.stat().st_size
    halved = {k: (t.half() if t.dtype == torch.float32 and is_layer_weight(k) else t).contiguous() for k, t in tensors.items()}
    tmp = path.with_suffix(".tmp")
    save_file(halved, str(tmp), metadata=metadata)
    tmp.replace(path)
    return before, path.stat().st_size


def main(argv: list[str] | None = None) -> None:
    folders = [Path(a) for a in (argv if argv is not None else sys.argv[1:])]
    if not folders:
        raise SystemExit(__doc__)
    for folder in folders:
        for path in sorted(p for name in WEIGHT_FILES for p in folder.rglob(name)):
            before, after = halve(path)
            print(f"{path}: {before / 2**20:.1f} MB -> {after / 2**20:.1f} MB")


if __name__ == "__main__":
    main()
