"""python -m demos.data: serve this demo alone."""

from demos.data.ui import build
from shared.ui import run_standalone

if __name__ == "__main__":
    run_standalone(build, "Data & judge")
