"""Quality and speed of the bundled shapes classifier, on held-out data.

    python -m benchmarks.shapes_classifier
"""

from __future__ import annotations

import time

import torch

from shared import datasets
from shared.checkpoints import load
from shared.metrics import score_images
from shared.shapes_classifier import BUNDLED_NAME, ShapesClassifier, classify
from shared.train_shapes_classifier import evaluate


def main() -> None:
    torch.set_num_threads(torch.get_num_threads())
    model = load(ShapesClassifier, BUNDLED_NAME, device="cpu").model
    print(f"## {BUNDLED_NAME}: held-out quality (5,000 shapes, 1,000 non-shapes)\n")
    print("| metric | value |\n|---|---|")
    for k, v in evaluate(model).items():
        print(f"| {k} | {v:.4f} |")

    print("\n## shared.metrics on real data and on non-shapes (500 each): the scale of the numbers\n")
    real = score_images(datasets.make_shapes(500, seed=31).images, model)
    junk = score_images(datasets.make_not_shapes(500, seed=31), model)
    print("| images | valid | smallest class share | Fréchet distance |\n|---|---|---|---|")
    for name, s in (("real shapes", real), ("not shapes", junk)):
        print(f"| {name} | {s.valid_fraction:.1%} | {s.min_class_share:.1%} | {s.frechet_distance:.2f} |")

    images = datasets.make_shapes(2000, seed=32).images
    classify(model, images[:100])
    t0 = time.perf_counter()
    classify(model, images)
    dt = time.perf_counter() - t0
    print(f"\nclassifying 2,000 images: {dt:.2f} s ({2000 / dt:,.0f} images/s on {torch.get_num_threads()} CPU threads)")


if __name__ == "__main__":
    main()
