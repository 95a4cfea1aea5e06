"""Variational autoencoder on `shapes` (issue 20; the tab is still to come)."""
