"""python -m demos.alignment: serve this demo alone."""

from demos.alignment.ui import build
from shared.ui import run_standalone

if __name__ == "__main__":
    run_standalone(build, "Alignment")
