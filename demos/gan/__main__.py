"""python -m demos.gan: serve this demo alone."""

from demos.gan.ui import build
from shared.ui import run_standalone

if __name__ == "__main__":
    run_standalone(build, "GAN")
