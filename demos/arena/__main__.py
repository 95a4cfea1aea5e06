"""python -m demos.arena: serve this demo alone."""

from demos.arena.ui import build
from shared.ui import run_standalone

if __name__ == "__main__":
    run_standalone(build, "Arena")
