"""The Arena tab's logic (demos/arena): the stored table is the benchmark's file read back in the
families' order, a live row is the witnesses' verdict on the family's own samples, a live round
streams one row per family and is measured once for everyone, and a bad value gets a clear message."""

from __future__ import annotations

import json

import numpy as np
import pytest

from demos.arena import explore, options, views
from demos.arena import wording as words
from demos.arena_families import FAMILIES, family
from shared import limits, witnesses


def test_the_stored_table_is_the_benchmarks_file_in_the_families_order():
    stored = json.loads(options.STORED.read_text())
    rows = explore.stored_rows()
    assert [r.key for r in rows] == [f.key for f in FAMILIES if f.key in stored] and len(rows) == len(FAMILIES)
    for row in rows:
        assert row.figures == stored[row.key]["mean"] and row.n == 200 and row.seeds == len(witnesses.SEEDS)
        low, high = row.ranges["valid"]
        assert low <= row.figures["valid"] <= high
    pixelcnn = next(r for r in rows if r.key == "pixelcnn")
    assert pixelcnn.bits_kind == "exact" and pixelcnn.bits == min(r.bits for r in rows if r.bits is not None)
    samples = explore.stored_samples()
    assert set(samples) == {r.key for r in rows} and all(s.shape == (options.SHOWN, 32, 32, 3) for s in samples.values())
    table = words.table_markdown(rows)
    assert table.count("\n") == 1 + len(rows) and "| **PixelCNN** |" in table


def test_a_live_row_is_the_witnesses_verdict_on_the_familys_samples():
    row, images = explore.measure_family("vae", 8, 5)
    np.testing.assert_array_equal(images, family("vae").sample(8, 5))
    assert row.figures == witnesses.witness(images) and row.ranges is None and row.n == 8
    held = explore._held_out()
    assert row.bits == pytest.approx(float(family("vae").bits(held).mean())) and row.bits_images == options.BITS_IMAGES
    gan, _ = explore.measure_family("gan", 4, 5)
    assert gan.bits is None and words.bits_cell(gan) == "*not defined (no likelihood)*"


def test_a_round_streams_a_row_per_family_and_is_measured_once(monkeypatch):
    calls = []

    def measured(key, n, seed):
        calls.append(key)
        return explore.Row(key, family(key).name, dict.fromkeys(witnesses.MEASURES, 0.5), None, n, 1, None, "x", 0, 1.0,
                           1, "", ""), np.zeros((n, 32, 32, 3), np.uint8)

    monkeypatch.setattr(explore, "measure_family", measured)
    explore._shared_rounds.clear()
    rounds = list(explore.measure_now(4, 77))
    assert [len(r.rows) for r in rounds] == list(range(len(FAMILIES) + 1)) and rounds[-1].done
    assert rounds[0].measuring == FAMILIES[0].name and words.status_of(rounds[0]).startswith(f"Measuring **{FAMILIES[0].name}**")
    again = list(explore.measure_now(4, 77))
    assert len(calls) == len(FAMILIES) and again[-1].rows == rounds[-1].rows  # replayed, not measured again
    grid = views.samples_grid(rounds[1].names, rounds[1].samples)
    assert grid.shape == (views.GAP + len(FAMILIES) * (64 + views.GAP), views.LABEL_WIDTH + options.SHOWN * (64 + views.GAP), 3)
    explore._shared_rounds.clear()


@pytest.mark.parametrize("n, seed, message", [
    (3, 0, "The samples per family must be from 4 to 64; got 3."),
    ("16; drop", 0, "The samples per family must be a whole number from 4 to 64"),
    (16, 2**40, "The seed must be from 0 to 4294967295"),
])
def test_bad_values_are_refused_before_anything_is_sampled(n, seed, message):
    with pytest.raises(limits.LimitError, match=message.replace("(", r"\(")):
        list(explore.measure_now(n, seed))


def test_the_table_says_where_each_row_was_measured_when_the_rows_differ():
    import dataclasses

    from demos.arena.explore import stored_rows
    from demos.arena.wording import table_intro

    rows = stored_rows()
    same = [dataclasses.replace(r, machine="2 CPU threads, x86_64, 2026-12-06") for r in rows]
    assert "Measured on 2 CPU threads, x86_64, 2026-12-06;" in table_intro(same)
    mixed = [dataclasses.replace(same[0], machine="1 CPU threads, x86_64, 2026-12-04"), *same[1:]]
    text = table_intro(mixed)
    assert f"1 CPU threads, x86_64, 2026-12-04 ({rows[0].name}); 2 CPU threads, x86_64, 2026-12-06 ({rows[1].name}, " in text
