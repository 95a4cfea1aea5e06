"""The arena's families (demos/arena_families.py): each bundled image model samples through the same
interface, repeatably from a seed; bits per dimension are defined where the family has a likelihood
(exact) or a bound, and each says so; the samplers are the demos' own, not copies."""

from __future__ import annotations

import numpy as np
import pytest

from demos.arena_families import FAMILIES, family


def test_every_image_family_is_there_once():
    assert [f.key for f in FAMILIES] == ["gan", "gan-conditional", "vae", "ddpm", "latent-diffusion", "flow", "pixelcnn"]
    assert {f.key: f.bits_kind for f in FAMILIES if f.bits is not None} == {"vae": "bound", "ddpm": "bound", "flow": "exact (dequantised)",
                                                                         "pixelcnn": "exact"}


@pytest.mark.parametrize("key", [f.key for f in FAMILIES])
def test_a_family_samples_repeatably_from_a_seed(key):
    f = family(key)
    a, b, other = f.sample(2, 5), f.sample(2, 5), f.sample(2, 6)
    assert a.dtype == np.uint8 and a.shape == (2, 32, 32, 3)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, other)
    assert f.parameters() > 100_000


def test_bits_per_dimension_are_the_families_own():
    from demos.pixelcnn.explore import load_model
    from demos.pixelcnn.sampling import bits_per_dim, held_out_images

    images = held_out_images()[:8]
    np.testing.assert_allclose(family("pixelcnn").bits(images), bits_per_dim(load_model(), images))
    vae = family("vae").bits(images)
    assert vae.shape == (8,) and (vae > 1).all()  # the VAE's bound: about 5 bits, the PixelCNN's exact figure 0.07
    # the DDPM's bound and the flow's figure: each family's own function on the same images
    from demos.arena_families import _ddpm
    from demos.diffusion.likelihood import bits_per_dim as ddpm_bits
    from demos.flows.images import bits_per_dim as flow_bits
    from demos.flows.images import load_image_flow

    unet, config = _ddpm()
    np.testing.assert_allclose(family("ddpm").bits(images), ddpm_bits(unet, config, images))
    np.testing.assert_allclose(family("flow").bits(images), flow_bits(load_image_flow(), images))
    assert (family("ddpm").bits(images) > family("pixelcnn").bits(images)).all()
