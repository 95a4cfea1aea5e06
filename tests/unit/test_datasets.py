import numpy as np
import pytest

from shared import datasets
from shared.limits import LimitError


def test_shapes_are_deterministic_from_seed():
    a, b = datasets.make_shapes(50, seed=3), datasets.make_shapes(50, seed=3)
    assert np.array_equal(a.images, b.images)
    assert a.captions == b.captions
    assert not np.array_equal(a.images, datasets.make_shapes(50, seed=4).images)


def test_shapes_format_and_label_ranges():
    data = datasets.make_shapes(400, seed=0)
    assert data.images.shape == (400, 32, 32, 3) and data.images.dtype == np.uint8
    for name, names in datasets.LABEL_NAMES.items():
        assert set(np.unique(data.labels[name])) == set(range(len(names))), name


def test_enough_classes():
    assert len(datasets.SHAPES) >= 5 and len(datasets.COLOURS) >= 6
    assert len(datasets.SIZES) >= 2 and len(datasets.POSITIONS) >= 5


def test_caption_reads_like_a_sentence():
    assert datasets.caption("circle", "red", "small", "top left") == "a small red circle at the top left"
    assert datasets.caption("star", "blue", "large", "center") == "a large blue star in the center"
    data = datasets.make_shapes(5, seed=1)
    label = data.label(0)
    assert data.caption(0) == datasets.caption(**label)


def test_labels_are_exact():
    """The pixels agree with the labels: the shape's colour is the labelled colour and it sits
    in the labelled quadrant, and a large shape covers more pixels than a small one of its kind."""
    data = datasets.make_shapes(300, seed=5)
    bg = np.array(datasets.BACKGROUND)
    areas = {(shape, size): [] for shape in datasets.SHAPES for size in datasets.SIZES}
    for i in range(len(data)):
        lab = data.label(i)
        img = data.images[i].astype(int)
        mask = np.abs(img - bg).sum(-1) > 60
        assert mask.any()
        dist = np.abs(img - bg).sum(-1)
        mean = img[dist >= 0.9 * dist.max()].mean(0)  # the shape's interior, not its anti-aliased edge
        nearest = min(datasets.COLOURS, key=lambda c: np.abs(np.array(datasets.COLOURS[c]) - mean).sum())
        assert nearest == lab["colour"]
        ys, xs = np.nonzero(mask)
        cx, cy = datasets.POSITIONS[lab["position"]]
        assert abs(xs.mean() - cx) < 3.5 and abs(ys.mean() - cy) < 3.5
        areas[lab["shape"], lab["size"]].append(mask.sum())
    for shape in datasets.SHAPES:  # for each shape, every large one covers more pixels than any small one
        assert max(areas[shape, "small"]) < min(areas[shape, "large"]), shape


def test_not_shapes():
    junk = datasets.make_not_shapes(20, seed=0)
    assert junk.shape == (20, 32, 32, 3) and junk.dtype == np.uint8
    assert np.array_equal(junk, datasets.make_not_shapes(20, seed=0))


def test_digits():
    images, labels = datasets.load_digits(seed=0)
    assert images.shape == (1797, 8, 8) and images.min() >= 0 and images.max() <= 1
    assert set(labels) == set(range(10))
    images2, labels2 = datasets.load_digits(seed=0)
    assert np.array_equal(labels, labels2)
    assert not np.array_equal(labels, datasets.load_digits(seed=1)[1])


@pytest.mark.parametrize("name", list(datasets.TOY_2D_NAMES))
def test_toy_2d(name):
    pts = datasets.toy_2d(name, 2000, seed=0)
    assert pts.shape == (2000, 2) and pts.dtype == np.float32
    assert np.isfinite(pts).all() and np.abs(pts).max() < 3.0
    assert np.array_equal(pts, datasets.toy_2d(name, 2000, seed=0))
    assert not np.array_equal(pts, datasets.toy_2d(name, 2000, seed=1))


def test_ring8_has_eight_modes():
    pts = datasets.toy_2d("ring8", 4000, seed=0)
    d = np.linalg.norm(pts[:, None] - datasets.ring8_centres()[None], axis=-1)
    nearest = d.argmin(1)
    assert (d.min(1) < 0.5).all()
    assert np.bincount(nearest, minlength=8).min() > 400


@pytest.mark.parametrize("call", [
    lambda: datasets.make_shapes(0, 0),
    lambda: datasets.make_shapes(10**9, 0),
    lambda: datasets.make_shapes(10, -1),
    lambda: datasets.toy_2d("nope", 10, 0),
    lambda: datasets.toy_2d("moons", 10**7, 0),
])
def test_bad_sizes_are_refused(call):
    with pytest.raises(LimitError):
        call()
