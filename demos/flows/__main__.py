"""python -m demos.flows: serve this demo alone."""

from demos.flows.ui import build
from shared.ui import run_standalone

if __name__ == "__main__":
    run_standalone(build, "Normalizing flows")
