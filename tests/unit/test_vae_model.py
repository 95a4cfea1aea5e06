"""The VAE's pieces on a tiny model: shapes, the reparameterisation, the ELBO's terms, the bits
per dimension, and a save / from_pretrained round trip."""

import math

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
