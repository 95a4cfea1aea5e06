"""Presenter links: every demo's declared settings parse the values its own widgets hold, bad or
unknown values become notices, and a link built from values reads back to the same values."""

from __future__ import annotations

import importlib

import pytest

from demos import REGISTRY
from shared import presenter


def declared(slug: str) -> tuple[dict, dict]:
    options = importlib.import_module(f"demos.{slug}.options")
    return options.LINK_PARAMS, options.LINK_EXAMPLE


LINKED = [spec.slug for spec in REGISTRY if hasattr(importlib.import_module(f"demos.{spec.slug}.options"), "LINK_PARAMS")]


def test_every_demo_declares_its_link_settings() -> None:
    assert [spec.slug for spec in REGISTRY] == LINKED


@pytest.mark.parametrize("slug", LINKED)
def test_the_example_link_reads_and_round_trips(slug: str) -> None:
    params, example = declared(slug)
    assert example and set(example) <= set(params)
    values, notices = presenter.read({"tab": slug, "present": "1", **example}, params)
    assert notices == [] and set(values) == set(example)
    link = presenter.link(slug, values, params)
    assert link.startswith(f"?tab={slug}&present=1&")
    from urllib.parse import parse_qsl

    again, notices = presenter.read(dict(parse_qsl(link[1:])), params)
    assert again == values and notices == []


@pytest.mark.parametrize("slug", LINKED)
def test_bad_and_unknown_values_become_notices(slug: str) -> None:
    params, example = declared(slug)
    name = next(iter(example))
    values, notices = presenter.read({"tab": slug, name: "\0" * 3, "no_such_setting": "1"}, params, "this tab")
    assert name not in values
    assert any(n.startswith(f"The link's '{name}' was ignored: ") for n in notices), notices
    assert any("'no_such_setting' is not a setting of this tab" in n for n in notices), notices


def test_gan_link_values_go_through_the_tabs_limits() -> None:
    params, _ = declared("gan")
    values, notices = presenter.read({"seeds": "3,17,42", "psi": "0.7", "frames": "9999", "mode": "cubic"}, params, "the GAN tab")
    assert values == {"seeds": [3, 17, 42], "psi": 0.7}
    assert notices == ["The link's 'frames' was ignored: The number of frames must be from 2 to 240; got 9999.",
                       "The link's 'mode' was ignored: Unknown interpolation 'cubic'; choose one of 'slerp', 'lerp'."]
    assert presenter.read({"seeds": "3"}, params)[1] == [
        "The link's 'seeds' was ignored: The number of waypoints must be from 2 to 8; got 1."]
    assert presenter.read({"psi": "x" * 600}, params)[1] == ["The link's 'psi' is longer than 500 characters; ignored."]
    assert presenter.link("gan", {"seeds": [3, 17], "psi": 0.5}, params) == "?tab=gan&present=1&seeds=3,17&psi=0.5"
    with pytest.raises(ValueError, match="truncation psi"):
        presenter.link("gan", {"psi": 3.0}, params)
