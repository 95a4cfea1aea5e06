"""The one place where every user-controlled size is validated.

The HTTP API can be called with any value, whatever a slider's range says, so logic functions
check their inputs against the limits named here and raise ``LimitError`` with a sentence a
person can act on. ``shared.ui.shows_errors`` turns it into a message in the browser.

Pure Python: no torch, no gradio.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from numbers import Integral, Real


class LimitError(ValueError):
    """A value outside what the app accepts; its message is shown to the user as it is."""


@dataclass(frozen=True)
class IntRange:
    """An integer that must lie in [low, high]."""

    name: str
    low: int
    high: int

    def check(self, value: object) -> int:
        if isinstance(value, bool) or value is None:
            raise LimitError(f"The {self.name} must be a whole number from {self.low} to {self.high}.")
        if isinstance(value, Real) and not isinstance(value, Integral) and (not math.isfinite(value) or value != int(value)):
            raise LimitError(f"The {self.name} must be a whole number from {self.low} to {self.high}; got {value}.")
        try:
            number = int(value)  # type: ignore[call-overload]
        except (TypeError, ValueError):
            raise LimitError(f"The {self.name} must be a whole number from {self.low} to {self.high}; got {value!r}.") from None
        if not self.low <= number <= self.high:
            raise LimitError(f"The {self.name} must be from {self.low} to {self.high}; got {number}.")
        return number

    @property
    def describe(self) -> str:
        return f"{self.name}: {self.low}–{self.high}"


@dataclass(frozen=True)
class FloatRange:
    """A finite real number that must lie in [low, high]."""

    name: str
    low: float
    high: float

    def check(self, value: object) -> float:
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise LimitError(f"The {self.name} must be a number from {self.low:g} to {self.high:g}; got {value!r}.") from None
        if isinstance(value, bool) or not math.isfinite(number) or not self.low <= number <= self.high:
            raise LimitError(f"The {self.name} must be a number from {self.low:g} to {self.high:g}; got {value!r}.")
        return number

    @property
    def describe(self) -> str:
        return f"{self.name}: {self.low:g}–{self.high:g}"


@dataclass(frozen=True)
class Slider:
    """A slider both UIs build: its range (`shown`: the limit itself, or a handier part of it; the
    logic accepts the whole limit from the API), its starting value and its step."""

    shown: IntRange | FloatRange
    value: float
    step: float


def check_choice(name: str, value: object, choices: Collection[str]) -> str:
    """value must be one of choices (a dict's keys count as its choices)."""
    if not isinstance(value, str) or value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise LimitError(f"Unknown {name} {value!r}; choose one of {listed}.")
    return value


def check_bool(name: str, value: object) -> bool:
    """value must be true or false (a ticked box), not a number or a word."""
    if not isinstance(value, bool):
        raise LimitError(f"'{name}' must be true or false; got {kind_of(value)}.")
    return value


def kind_of(value: object) -> str:
    """What a value is, in words (for messages about a value of the wrong kind)."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    return {list: "a list", tuple: "a list", dict: "a dictionary", bytes: "bytes"}.get(type(value), "another kind of value")


def check_text(name: str, value: object, max_chars: int, *, allow_empty: bool = False) -> str:
    """value must be a string of at most max_chars characters."""
    if value is None:
        raise LimitError(f"The {name} is missing.")
    if not isinstance(value, str):
        raise LimitError(f"The {name} must be text; got {kind_of(value)}.")
    if not allow_empty and not value.strip():
        raise LimitError(f"The {name} is empty.")
    if len(value) > max_chars:
        raise LimitError(f"The {name} is {len(value):,} characters long; the limit is {max_chars:,}.")
    return value


# ---- the limits, one per user-controlled size ------------------------------------------------
SEED = IntRange("seed", 0, 2**32 - 1)  # numpy's and torch's generators both take this range
DATASET_SIZE = IntRange("number of images", 1, 200_000)  # training sets; UI grids use GRID_IMAGES
GRID_IMAGES = IntRange("number of images", 1, 64)
GRID_COLUMNS = IntRange("number of columns", 1, 16)
POINTS_2D = IntRange("number of points", 1, 100_000)
SCORED_IMAGES = IntRange("number of images to score", 1, 5_000)
HUB_ID_CHARS = 96  # longest accepted Hugging Face repo id, "owner/name"
