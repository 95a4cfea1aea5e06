"""python -m demos.diffusion: serve this demo alone."""

from demos.diffusion.ui import build
from shared.ui import run_standalone

if __name__ == "__main__":
    run_standalone(build, "Diffusion")
