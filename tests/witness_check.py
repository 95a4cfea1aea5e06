"""What every generator's checkpoint test re-measures of its card's two-witness section: the first
seed's figures, by the classifier and by the pixels, from the same samples (to the card's rounding),
and a spread over five seeds that holds the first seed."""

from __future__ import annotations

import numpy as np

from shared import witnesses


def assert_first_seed_is_the_card_s(card: str, images: np.ndarray) -> dict[str, float]:
    measured = witnesses.witness(images)
    for key in witnesses.MEASURES:
        mean, low, high, first = witnesses.card_row(card, key)
        rounding = 0.05 if key == "fd" else 0.0005  # the card prints 0.1 and 0.1%
        assert abs(measured[key] - first) <= rounding + 1e-9, f"{key}: measured {measured[key]:.4f}, card {first:.4f}"
        assert low - rounding <= first <= high + rounding and low <= mean <= high, (key, mean, low, high, first)
    return measured
