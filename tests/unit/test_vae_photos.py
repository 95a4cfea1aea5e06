"""Real photos through a Hub autoencoder, tested offline with a tiny AutoencoderTiny saved under
the Hub id the tab offers, in the tests' temporary Hub cache (as huggingface_hub lays out a download)."""

import numpy as np
import pytest
from PIL import Image

from demos.vae import options, photos
from shared import checkpoints
from shared.limits import LimitError
from tests.hub_cache import hub_snapshot_dir


@pytest.fixture(scope="module")
def tiny_taesd():
    import torch
    from diffusers import AutoencoderTiny

    torch.manual_seed(0)
    model = AutoencoderTiny(encoder_block_out_channels=(8, 8, 8, 8), decoder_block_out_channels=(8, 8, 8, 8),
                            num_encoder_blocks=(1, 1, 1, 1), num_decoder_blocks=(1, 1, 1, 1), latent_channels=4)
    model.save_pretrained(hub_snapshot_dir(options.HUB_DEFAULT))
    checkpoints.clear_cache()
    yield options.HUB_DEFAULT
    checkpoints.clear_cache()


@pytest.fixture
def two_photos(tmp_path):
    rng = np.random.default_rng(0)
    paths = []
    for i, size in enumerate(((120, 90), (90, 140))):
        path = tmp_path / f"photo{i}.jpg"
        Image.fromarray(rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)).save(path)
        paths.append(str(path))
    return paths


def test_photo_walk_ends_on_each_photos_decoding(tiny_taesd, two_photos):
    walk = photos.photo_interpolation(*two_photos, frames=5, mode="slerp", model_id=tiny_taesd, side=64)
    assert walk.latent.shape == walk.fade.shape == (5, 64, 64, 3) and walk.latent_shape == (4, 8, 8)
    autoencoder = photos.load_autoencoder(tiny_taesd)
    a = photos.read_photo(two_photos[0], 64)
    ends = photos.decode_photos(autoencoder, photos.encode_photos(autoencoder, a[None]))
    assert np.abs(walk.latent[0].astype(int) - ends[0]).max() <= 1
    assert np.array_equal(walk.fade[0], a)  # the cross-fade starts on the photo itself
    assert type(autoencoder).__name__ == "AutoencoderTiny"


def test_photos_are_centre_squares_at_the_chosen_size(two_photos):
    assert photos.read_photo(two_photos[1], 128).shape == (128, 128, 3)
    with pytest.raises(LimitError, match=r"^The photo size in pixels must be from 64 to 512; got 4096\.$"):
        photos.read_photo(two_photos[1], 4096)
    with pytest.raises(LimitError, match=r"^Upload photo B first\.$"):
        photos.read_photo(None, 64, "photo B")


def test_a_model_missing_offline_says_it_needs_the_network_once(two_photos):
    with pytest.raises(LimitError) as info:
        photos.photo_interpolation(*two_photos, frames=3, model_id="stabilityai/sd-vae-ft-mse", side=64)
    assert "runs offline (HF_HUB_OFFLINE=1)" in str(info.value) and str(info.value).endswith(photos.NEEDS_NETWORK)
