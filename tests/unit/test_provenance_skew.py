"""Bias in, bias out (demos/provenance/skew.py): the skewed set holds exactly the asked share of red,
the witnesses read the set's own shares back, a run is refused before any work when its inputs are
out of bounds, streams its rounds in order, repeats bit for bit from its seed and is trained once for
everyone who asks for it."""

from __future__ import annotations

import math

import numpy as np
import pytest

from demos.provenance import skew
from shared.limits import LimitError

SKEW_RANGE = "The share of red pictures in the training set must be a number from 0.1 to 0.9"


@pytest.mark.parametrize(("args", "message"), [
    ((0.95, 600, 0), f"{SKEW_RANGE}; got 0.95."),
    ((0.05, 600, 0), f"{SKEW_RANGE}; got 0.05."),
    (("half", 600, 0), f"{SKEW_RANGE}; got 'half'."),
    ((0.5, 10, 0), "The training steps must be from 50 to 2000; got 10."),
    ((0.5, 2001, 0), "The training steps must be from 50 to 2000; got 2001."),
    ((0.5, "lots", 0), "The training steps must be a whole number from 50 to 2000; got 'lots'."),
    ((0.5, 600.5, 0), "The training steps must be a whole number from 50 to 2000; got 600.5."),
    ((0.5, 600, -1), "The seed must be from 0 to 4294967295; got -1."),
    ((0.5, 600, None), "The seed must be a whole number from 0 to 4294967295."),
])
def test_bad_inputs_are_refused_before_any_work(args, message):
    started = skew._shared_runs.started
    with pytest.raises(LimitError) as refused:
        skew.train_skewed(*args)
    assert str(refused.value) == message
    assert skew._shared_runs.started == started


@pytest.mark.parametrize(("share", "n", "counts"), [
    (0.5, 600, [300, 60, 60, 60, 60, 60]),
    (0.9, 1000, [900, 20, 20, 20, 20, 20]),
    (1 / 6, 600, [100, 100, 100, 100, 100, 100]),
    (0.3, 103, [31, 15, 15, 14, 14, 14]),  # round(30.9) red; the 72 others: 15, 15, 14, 14, 14
])
def test_the_skewed_set_holds_exactly_the_asked_shares(share, n, counts):
    images, colours = skew.skewed_set(share, n, seed=3)
    assert images.shape == (n, 32, 32, 3) and images.dtype == np.uint8
    assert skew.RED == 0 and np.bincount(colours, minlength=6).tolist() == counts
    assert len(set(colours[:20].tolist())) > 1  # shuffled, not sorted by colour


def test_the_skewed_set_is_a_function_of_its_seed():
    a, ca = skew.skewed_set(0.5, 50, seed=1)
    b, cb = skew.skewed_set(0.5, 50, seed=1)
    c, _ = skew.skewed_set(0.5, 50, seed=2)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(ca, cb)
    assert not np.array_equal(a, c)


def test_the_witnesses_read_the_sets_own_shares_back():
    images, colours = skew.skewed_set(0.5, 600, seed=4)
    truth = np.bincount(colours, minlength=6) / 600
    classifier, pixels = skew.colour_shares(images)
    # on real pictures both witnesses are right about every colour (the classifier with confidence >= 0.9)
    np.testing.assert_allclose(classifier, truth, atol=1 / 600)
    np.testing.assert_allclose(pixels, truth, atol=1 / 600)


def test_amplification_is_red_among_the_judged_over_the_datas_red():
    data = np.array([0.5, 0.1, 0.1, 0.1, 0.1, 0.1])
    shown = np.zeros((skew.SHOWN, 32, 32, 3), np.uint8)
    history = np.array([[0, 0.9, math.nan], [10, 0.9, math.nan], [25, 0.2, math.nan], [50, 0.75, math.nan]])
    r = skew.Round(50, 100, 0.5, data, np.array([0.3, 0.1, 0, 0, 0, 0]), np.zeros(6), shown, 1.0, history)
    assert r.judged("classifier") == pytest.approx(0.4)
    assert r.red_share("classifier") == pytest.approx(0.75)
    assert r.amplification("classifier") == pytest.approx(1.5)
    assert r.late_amplification("classifier") == pytest.approx((0.2 + 0.75) / 2 / 0.5)  # steps 25 and 50 of 50 so far
    assert math.isnan(r.amplification("pixels")) and math.isnan(r.late_amplification("pixels")) and not r.done


def test_a_short_run_streams_its_rounds_repeatably_and_is_shared():
    started = skew._shared_runs.started
    rounds = list(skew.train_skewed(0.9, 100, 0))
    assert [r.step for r in rounds] == [0, 50, 100] and rounds[-1].done
    assert skew._shared_runs.started == started + 1
    for r in rounds:
        assert r.data_shares[skew.RED] == pytest.approx(0.9, abs=1e-12)
        np.testing.assert_allclose(r.data_shares[1:], 0.02)
        for witness in ("classifier", "pixels"):
            shares = r.shares(witness)
            assert shares.shape == (6,) and (shares >= 0).all() and shares.sum() <= 1 + 1e-12
        assert r.samples.shape == (skew.SHOWN, 32, 32, 3) and r.samples.dtype == np.uint8
        assert r.history[:, 0].tolist() == [q.step for q in rounds if q.step <= r.step]
        assert r.history[-1, 1] == pytest.approx(r.red_share("classifier"), nan_ok=True)
    assert rounds[0].seconds < rounds[1].seconds < rounds[2].seconds
    # it learns: the untrained generator draws no red; 100 steps on 90% red pictures draw mostly red blobs
    # (measured: 90% and 100% of the 65% and 88% judged, seed 0; 97% and 100% of 85% and 94%, seed 1)
    for witness in ("classifier", "pixels"):
        assert rounds[0].red_share(witness) < 0.1 or math.isnan(rounds[0].red_share(witness))
        assert rounds[-1].red_share(witness) >= 0.8 and rounds[-1].judged(witness) >= 0.5

    # a second visitor with the same settings reads the same run: nothing trains again
    again = list(skew.train_skewed(0.9, 100, 0))
    assert skew._shared_runs.started == started + 1 and all(a is b for a, b in zip(again, rounds))

    # the same seed, trained again apart (50 steps: the first two rounds of the run above), bit for bit
    alone = list(skew.run_skewed(0.9, 50, 0))
    for a, b in zip(alone, rounds[:2]):
        assert a.step == b.step
        np.testing.assert_array_equal(a.samples, b.samples)
        np.testing.assert_array_equal(a.classifier_shares, b.classifier_shares)
        np.testing.assert_array_equal(a.pixel_shares, b.pixel_shares)
