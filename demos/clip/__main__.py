"""python -m demos.clip: serve this demo alone."""

from demos.clip.ui import build
from shared.ui import run_standalone

if __name__ == "__main__":
    run_standalone(build, "CLIP")
