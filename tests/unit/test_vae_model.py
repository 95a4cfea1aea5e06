"""The VAE's pieces on a tiny model: shapes, the reparameterisation, the ELBO's terms, the bits
per dimension, and a save / from_pretrained round trip."""

import math

import pytest
import torch

from demos.vae.model import BIN, ShapesVAE, bits_per_dim


def tiny() -> ShapesVAE:
    torch.manual_seed(0)
    return ShapesVAE(latent_dim=4, width=8).eval()


def test_shapes_and_repeatable_sampling():
    vae = tiny()
    x = torch.rand(5, 3, 32, 32) * 2 - 1
    mean, log_var = vae.encode(x)
    assert mean.shape == log_var.shape == (5, 4)
    z1 = vae.reparameterise(mean, log_var, torch.Generator().manual_seed(3))
    z2 = vae.reparameterise(mean, log_var, torch.Generator().manual_seed(3))
    assert torch.equal(z1, z2) and vae.decode(z1).shape == (5, 3, 32, 32)


def test_reparameterisation_is_mean_plus_scaled_noise():
    mean, log_var = torch.tensor([[1.0, -2.0]]), torch.tensor([[0.0, math.log(4.0)]])
    eps = torch.randn(1, 2, generator=torch.Generator().manual_seed(7))
    z = ShapesVAE.reparameterise(mean, log_var, torch.Generator().manual_seed(7))
    assert torch.allclose(z, mean + torch.tensor([[1.0, 2.0]]) * eps)


def test_negative_elbo_is_recon_plus_beta_kl_and_kl_is_zero_at_the_prior():
    vae = tiny()
    x = torch.rand(3, 3, 32, 32) * 2 - 1
    total, recon, kl = vae.negative_elbo(x, torch.Generator().manual_seed(0), beta=0.5)
    assert torch.allclose(total, recon + 0.5 * kl) and bool((kl >= 0).all())
    mean, log_var = torch.zeros(1, 4), torch.zeros(1, 4)
    assert float(0.5 * (mean**2 + log_var.exp() - 1 - log_var).sum()) == 0.0


def test_bits_per_dim_of_a_uniform_density_is_eight():
    dims = 3 * 32 * 32
    uniform = torch.tensor([dims * math.log(2.0)])  # density 1/2 on [-1, 1] for every value
    assert abs(float(bits_per_dim(uniform)) - (math.log(2.0) - math.log(BIN)) / math.log(2)) < 1e-9
    assert abs(float(bits_per_dim(uniform)) - 8.0) < 1e-9


def test_save_and_load(tmp_path):
    vae = tiny()
    vae.save_pretrained(tmp_path)
    again = ShapesVAE.from_pretrained(tmp_path).eval()
    z = torch.randn(2, 4, generator=torch.Generator().manual_seed(1))
    assert again.latent_dim == 4 and torch.equal(again.decode(z), vae.decode(z))


def with_prior(weights, means, scales) -> ShapesVAE:
    """A tiny VAE whose fitted prior is the given mixture of isotropic Gaussians."""
    torch.manual_seed(0)
    k, d = len(weights), len(means[0])
    vae = ShapesVAE(latent_dim=d, width=8, prior_components=k).eval()
    vae.set_fitted_prior(torch.tensor(weights), torch.tensor(means),
                         torch.stack([s * torch.eye(d) for s in scales]))
    return vae


def test_fitted_prior_samples_each_component_by_its_weight():
    vae = with_prior([0.25, 0.75], [[-5.0, 0.0], [5.0, 0.0]], [0.1, 0.1])
    z = vae.sample_latents(4000, torch.Generator().manual_seed(0), prior="fitted")
    right = (z[:, 0] > 0).float().mean().item()
    assert abs(right - 0.75) < 0.03
    near = torch.where(z[:, :1] > 0, z - torch.tensor([5.0, 0.0]), z - torch.tensor([-5.0, 0.0]))
    assert abs(near.std().item() - 0.1) < 0.01
    cold = vae.sample_latents(100, torch.Generator().manual_seed(0), temperature=0.0, prior="fitted")
    assert set(cold[:, 0].tolist()) <= {-5.0, 5.0}  # temperature 0: the components' means
    assert torch.equal(vae.sample_latents(8, torch.Generator().manual_seed(3), prior="fitted"),
                       vae.sample_latents(8, torch.Generator().manual_seed(3), prior="fitted"))


def test_a_vae_without_a_fitted_prior_says_so_and_saves_none():
    vae = tiny()
    assert not vae.has_fitted_prior and "prior_means" not in vae.state_dict()
    with pytest.raises(ValueError, match="has no fitted prior"):
        vae.sample_latents(2, prior="fitted")
    with pytest.raises(ValueError, match="has 2 components over 2 dimensions"):
        with_prior([1.0, 0.0], [[0.0, 0.0], [0.0, 0.0]], [1.0, 1.0]).set_fitted_prior(
            torch.ones(3), torch.zeros(3, 2), torch.zeros(3, 2, 2))


def test_fitted_prior_round_trips_and_its_kl_estimate_matches_the_closed_form():
    """Against a one-component mixture equal to N(0, I), the one-sample KL estimate
    log q(z|x) - log p(z) averages to the closed-form KL."""
    import tempfile

    vae = with_prior([1.0], [[0.0] * 4], [1.0])
    with tempfile.TemporaryDirectory() as folder:
        vae.save_pretrained(folder)
        again = ShapesVAE.from_pretrained(folder).eval()
    assert again.has_fitted_prior and torch.equal(again.prior_means, vae.prior_means)
    x = (torch.rand(2, 3, 32, 32, generator=torch.Generator().manual_seed(0)) * 2 - 1).repeat(3000, 1, 1, 1)
    with torch.no_grad():
        _, recon_s, kl_standard = vae.negative_elbo(x, torch.Generator().manual_seed(1), prior="standard")
        _, recon_f, kl_fitted = vae.negative_elbo(x, torch.Generator().manual_seed(1), prior="fitted")
    assert torch.allclose(recon_s, recon_f)  # the same z, so the same reconstruction term
    for i in range(2):
        estimate, exact = kl_fitted[i::2].mean().item(), kl_standard[i].item()
        assert abs(estimate - exact) < 0.05 * exact + 0.05, (estimate, exact)
