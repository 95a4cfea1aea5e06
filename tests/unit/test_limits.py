import math

import pytest

from shared import limits
from shared.limits import LimitError


def test_int_range():
    r = limits.IntRange("steps", 1, 10)
    assert r.check(5) == 5 and r.check(5.0) == 5 and r.check("7") == 7
    for bad in (0, 11, 2.5, "x", None, True, float("nan"), math.inf, [3]):
        with pytest.raises(LimitError, match="steps"):
            r.check(bad)


def test_float_range():
    r = limits.FloatRange("learning rate", 0.0, 1.0)
    assert r.check(0.5) == 0.5 and r.check("0.25") == 0.25
    for bad in (-0.1, 1.5, float("nan"), math.inf, "x", None, True):
        with pytest.raises(LimitError, match="learning rate"):
            r.check(bad)


def test_choice_and_text():
    assert limits.check_choice("data set", "moons", {"moons": 1}) == "moons"
    with pytest.raises(LimitError, match="choose one of"):
        limits.check_choice("data set", "x", ["moons"])
    assert limits.check_text("prompt", "hi", 5) == "hi"
    for bad in ("", "   ", "x" * 6, 3, None):
        with pytest.raises(LimitError):
            limits.check_text("prompt", bad, 5)


def test_limit_error_message_is_plain():
    with pytest.raises(LimitError) as info:
        limits.SEED.check(-5)
    assert str(info.value) == f"The seed must be from 0 to {2**32 - 1}; got -5."
