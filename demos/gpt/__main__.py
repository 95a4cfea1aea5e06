"""python -m demos.gpt: serve this demo alone."""

from demos.gpt.ui import build
from shared.ui import run_standalone

if __name__ == "__main__":
    run_standalone(build, "GPT")
