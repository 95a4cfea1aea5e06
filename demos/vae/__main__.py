"""python -m demos.vae: serve this demo alone."""

from demos.vae.ui import build
from shared.ui import run_standalone

if __name__ == "__main__":
    run_standalone(build, "VAE")
