"""Nearest neighbours by cosine similarity over unit-length embeddings.

    index = VectorIndex(embeddings)            # float32 (n, d), rows of length 1
    scores, rows = index.search(query, k=12)   # query (d,) or (q, d) -> (q, k) each, best first

Below options.FAISS_FROM vectors the search is one matrix product and a partial sort: exact, and
at 10,000 x 64 well under a millisecond. From there on it is FAISS's inverted-file index
(IndexIVFFlat): the vectors are bucketed around sqrt(n) k-means centres and a query scans only
the `nprobe` nearest buckets, so it costs a fraction of n (approximate: benchmarks/clip.py measures
its recall against the exact search).
"""

from __future__ import annotations

import numpy as np

from demos.clip import options


class VectorIndex:
    def __init__(self, vectors: np.ndarray, faiss_from: int = options.FAISS_FROM, nprobe: int = 16, seed: int = 0) -> None:
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if self.vectors.ndim != 2:
            raise ValueError(f"vectors must be (n, d); got shape {self.vectors.shape}")
        n, d = self.vectors.shape
        self.kind = "faiss-ivf" if n >= faiss_from else "exact"
        self._faiss = None
        if self.kind == "faiss-ivf":
            import faiss

            lists = max(1, min(int(np.sqrt(n)), n // 39))  # about sqrt(n) lists; FAISS wants >= 39 training points each
            quantizer = faiss.IndexFlatIP(d)
            index = faiss.IndexIVFFlat(quantizer, d, lists, faiss.METRIC_INNER_PRODUCT)
            rng = np.random.default_rng(seed)
            sample = self.vectors[rng.choice(n, size=min(n, 64 * lists), replace=False)]
            index.cp.seed = seed  # k-means is seeded: the same vectors give the same index
            index.train(sample)
            index.add(self.vectors)
            index.nprobe = min(nprobe, lists)
            self._faiss = index

    def __len__(self) -> int:
        return len(self.vectors)

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Cosine similarities and row numbers of the k nearest vectors to each query, best first:
        query (d,) or (q, d) -> scores float32 (q, k), rows int64 (q, k); k is cut to len(self)."""
        q = np.ascontiguousarray(np.atleast_2d(query), dtype=np.float32)
        k = max(1, min(int(k), len(self)))
        if self._faiss is not None:
            scores, rows = self._faiss.search(q, k)
            return scores, rows.astype(np.int64)
        sims = q @ self.vectors.T  # (q, n)
        if k < sims.shape[1]:
            top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        else:
            top = np.broadcast_to(np.arange(sims.shape[1]), sims.shape).copy()
        top_scores = np.take_along_axis(sims, top, axis=1)
        order = np.argsort(-top_scores, axis=1, kind="stable")
        return np.take_along_axis(top_scores, order, axis=1), np.take_along_axis(top, order, axis=1).astype(np.int64)
