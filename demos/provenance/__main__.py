"""python -m demos.provenance: serve this demo alone."""

from demos.provenance.ui import build
from shared.ui import run_standalone

if __name__ == "__main__":
    run_standalone(build, "Provenance")
