"""python -m demos.stable_diffusion: serve this demo alone."""

from demos.stable_diffusion.ui import build
from shared.ui import run_standalone

if __name__ == "__main__":
    run_standalone(build, "Stable Diffusion")
