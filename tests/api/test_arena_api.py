"""The Arena tab through its HTTP API, as a talk's script would call it: Measure now streams a row per
family, the figures are the logic's own (re-measured here), and a bad value gets the tab's message."""

from __future__ import annotations

import numpy as np
import pytest
from gradio_client.exceptions import AppError
from PIL import Image

from demos.arena import explore, views
from demos.arena import wording as words
from demos.arena_families import FAMILIES
from tests.api.visitors import visitor


@pytest.fixture
def client(suite_url):
    c = visitor(suite_url)
    yield c
    c.close()


def test_measure_now_streams_a_row_per_family_with_the_logics_figures(client):
    job = client.submit(4, 21, api_name="/arena_measure")
    updates = list(job)
    table, grid, status = job.result()
    assert updates[0][2].startswith(f"Measuring **{FAMILIES[0].name}** (0 of {len(FAMILIES)} families")
    assert updates[0][1] == {"__type__": "update"}  # the start: the picture comes with the first family's samples
    assert status.startswith(f"{len(FAMILIES)} families measured on 4 samples each")
    lines = table.splitlines()
    assert lines[0] == "| " + " | ".join(words.COLUMNS[:-2]) + " |" and len(lines) == 2 + len(FAMILIES)
    # the GAN's row, re-measured in this process: the same seed gives the same samples and figures
    row, images = explore.measure_family("gan", 4, 21)
    gan_line = next(line for line in lines if line.startswith(f"| **{row.name}** |")).split(" | ")
    expected = words.table_markdown([row], live=True).splitlines()[2].split(" | ")
    assert gan_line[:7] == expected[:7]  # every column but the timing
    shown = np.asarray(Image.open(grid).convert("RGB"))
    tile = 32 * views.SCALE
    first = shown[views.GAP:views.GAP + tile:views.SCALE, views.LABEL_WIDTH:views.LABEL_WIDTH + tile:views.SCALE]
    np.testing.assert_array_equal(first, images[0])


@pytest.mark.parametrize("n, seed, message", [
    (2, 0, "The samples per family must be from 4 to 64; got 2."),
    (10_000, 0, "The samples per family must be from 4 to 64; got 10000."),
    ("many", 0, "The samples per family must be a whole number"),
    (4, -1, "The seed must be from 0 to 4294967295; got -1."),
])
def test_bad_values_get_the_tabs_message(client, n, seed, message):
    with pytest.raises(AppError) as caught:
        client.predict(n, seed, api_name="/arena_measure")
    assert message in str(caught.value)
