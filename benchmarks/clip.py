"""Speed of the CLIP tab on this machine: embedding the gallery, a query over 10,000 images, and the
index past options.FAISS_FROM images.

    python -m benchmarks.clip                  # all (about 3 minutes on 2 CPU cores)
    python -m benchmarks.clip --index-size 200000 --skip-gallery
    python -m benchmarks.clip --quality        # typed labels and the 360 captions, five seeds (about 4 minutes)

Goals (issue 21): a query answers in at most 30 ms over 10,000 images on 2 CPU cores (the query
alone: embedding the text or image, then the search; the gallery is embedded once beforehand).
The index rows compare, over the same random unit vectors (64 dimensions, like the bundled model's
embeddings), the exact search (one matrix product) with FAISS's inverted-file index, which the
gallery switches to from options.FAISS_FROM images: build time, query time, and the share of the
exact top 10 the approximate search finds (recall@10).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from shared.timing import median_ms


def gallery_and_queries() -> None:
    from demos.clip import explore, options

    explore.load_clip(options.BUNDLED)
    t0 = time.perf_counter()
    gallery = explore.base_gallery(options.BUNDLED)
    embed_s = time.perf_counter() - t0
    image = gallery.images[0]
    queries = ["a large red star", "a small blue triangle at the top left", "a green heart"]
    rows = [
        ("embed the gallery: 10,000 images, once per process", embed_s * 1000),
        ("text query: embed it, search 10,000, top 12 (goal 30 ms)",
         median_ms(lambda: explore.search_text(options.BUNDLED, queries[0], 12), 50)),
        ("  of which: embedding the text", median_ms(lambda: explore.embed_texts(explore.load_clip(), queries[:1]), 50)),
        ("  of which: the search (exact)", median_ms(lambda: gallery.index.search(gallery.embeddings[0], 12), 200)),
        ("image query: embed it, search 10,000, top 12 (goal 30 ms)",
         median_ms(lambda: explore.search_image(options.BUNDLED, image, 12), 50)),
        ("zero-shot: an image against 5 labels", median_ms(lambda: explore.zero_shot(options.BUNDLED, image, options.DEFAULT_LABELS), 50)),
        ("the space: 48 images and captions, PCA", median_ms(lambda: explore._project.__wrapped__(48, "PCA", 0), 10)),
    ]
    print(f"## CLIP gallery and queries ({torch.get_num_threads()} CPU threads)\n")
    print("| step | median ms |\n|---|---|")
    for name, ms in rows:
        print(f"| {name} | {ms:.1f} |")


def index_speed(sizes: list[int], dim: int = 64, queries: int = 200) -> None:
    from demos.clip.index import VectorIndex

    print(f"\n## Index: {dim}-dimensional unit vectors, one query at a time, top 10\n")
    print("| vectors | index | build s | query ms (median) | recall@10 vs exact |\n|---|---|---|---|---|")
    rng = np.random.default_rng(0)
    for n in sizes:
        # clustered like real embeddings (random unit vectors have no neighbours worth finding)
        centres = rng.normal(size=(max(1, n // 100), dim)).astype(np.float32)
        vectors = centres[rng.integers(0, len(centres), n)] + 0.3 * rng.normal(size=(n, dim)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        q = vectors[rng.integers(0, n, queries)] + 0.1 * rng.normal(size=(queries, dim)).astype(np.float32)
        q /= np.linalg.norm(q, axis=1, keepdims=True)
        exact = VectorIndex(vectors, faiss_from=n + 1)
        truth = exact.search(q, 10)[1]
        results = [("exact", exact, 0.0)]
        t0 = time.perf_counter()
        ivf = VectorIndex(vectors, faiss_from=1)
        results.append(("FAISS IVF", ivf, time.perf_counter() - t0))
        for name, index, build_s in results:
            found = index.search(q, 10)[1]
            recall = np.mean([len(set(f) & set(t)) / 10 for f, t in zip(found, truth)])
            it = iter(range(10**9))
            ms = median_ms(lambda: index.search(q[next(it) % queries], 10), min(queries, 100))  # noqa: B023
            print(f"| {n:,} | {name} | {build_s:.1f} | {ms:.2f} | {recall:.1%} |")
        del exact, ivf, vectors


QUALITY_SEEDS = (4242, 5001, 5002, 5003, 5004)


def quality(n: int = 1000, folder: str | None = None) -> None:
    """Issue 31's CLIP rows: typed bare labels per kind of image, and the 360-caption zero-shot on
    unseen pairs, over five seeds of held-out images: mean and range. folder: another CLIP folder
    (an earlier checkpoint, say) instead of the bundled one."""
    from demos.clip import explore, options
    from demos.clip.quality import VARIANTS
    from demos.clip.train import evaluate

    if folder:
        from transformers import CLIPModel, CLIPProcessor

        model, tokenizer = CLIPModel.from_pretrained(folder).eval(), CLIPProcessor.from_pretrained(folder).tokenizer
    else:
        clip = explore.load_clip(options.BUNDLED)
        model, tokenizer = clip.model, clip.processor.tokenizer
    runs = [evaluate(model, n, seed, tokenizer) for seed in QUALITY_SEEDS]
    rows = [(f"typed {attribute} names, {VARIANTS[v]}", [r["typed"][f"{attribute}_{v}"] for r in runs])
            for attribute in ("shape", "colour") for v in VARIANTS]
    rows += [("360-caption zero-shot, unseen pairs", [r["unseen"]["caption"] for r in runs]),
             ("360-caption zero-shot, seen pairs", [r["seen"]["caption"] for r in runs])]
    print(f"## CLIP zero-shot ({n:,} images of each kind and {n // 2:,} per typed-label variant, seeds {QUALITY_SEEDS})\n")
    print("| measure | mean | min | max |\n|---|---|---|---|")
    for name, values in rows:
        print(f"| {name} | {np.mean(values):.1%} | {min(values):.1%} | {max(values):.1%} |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-gallery", action="store_true")
    parser.add_argument("--index-size", type=int, action="append",
                        help="vectors in the index comparison (repeatable; default 10,000, 100,000 and 1,000,000)")
    parser.add_argument("--quality", action="store_true", help="only the zero-shot quality table (five seeds)")
    parser.add_argument("--model", help="with --quality: a CLIP folder to measure instead of the bundled one")
    args = parser.parse_args(argv)
    if args.quality:
        quality(folder=args.model)
        return
    if not args.skip_gallery:
        gallery_and_queries()
    index_speed(args.index_size or [10_000, 100_000, 1_000_000])


if __name__ == "__main__":
    main()
