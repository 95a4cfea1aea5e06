"""python -m demos.three_d: serve this demo alone."""

from demos.three_d.ui import build
from shared.ui import run_standalone

if __name__ == "__main__":
    run_standalone(build, "3-D data")
