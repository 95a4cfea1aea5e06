"""python -m demos.pixelcnn: serve this demo alone."""

from demos.pixelcnn.ui import build
from shared.ui import run_standalone

if __name__ == "__main__":
    run_standalone(build, "PixelCNN")
