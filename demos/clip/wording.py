"""The words both CLIP front ends show (title, section headings and introductions, widget labels and
help), written once so the Gradio tab and the Streamlit page say the same thing. Limits and defaults
stay in options.py (its QUERY_HELP is the search box's help); what a result says is in views.py."""

from __future__ import annotations

from demos.clip import options
from shared import phrasings

TITLE = "CLIP: text and images in one space"
SUBTITLE = ("Two encoders, one for images and one for text, trained so that an image and its caption land close "
            "together. Search by text or by an image, classify with labels you type, watch the contrastive loss pull "
            "pairs together, and see the shared space.")
MODEL = "Model"
SEED = "Seed"
IMAGES = "Images"

# 1 · search
SEARCH_HEADING = "1 · Search"
SEARCH_INTRO = (f"The default gallery is {options.GALLERY_SIZE:,} generated shapes the model never trained on "
                "(scikit-image's sample photos for a Hub CLIP). Every image was embedded once; a query is "
                "embedded and compared with all of them by cosine similarity.")
QUERY = "Search by text"
RESULTS = "Results"
SEARCH = "Search"
KNOWN_WORDS_TITLE = f"{phrasings.KNOWN_WORDS_TITLE} ({options.BUNDLED})"
PICTURE = "Search by an image (or classify it below)"
DATA_IMAGE = "Data image"
USE_DATA_IMAGE = "Use data image"
SEARCH_BY_IMAGE = "Search by this image"
RESULTS_CAPTION = "Nearest images, best first: rank · cosine similarity (the captions are in the table below)"
ADD_HEADING = "Add your own images to the gallery"
UPLOADS = "Images or zips"
ADD = "Add to the gallery"
CLEAR = "Clear my images"

# 2 · zero-shot
ZERO_SHOT_HEADING = "2 · Zero-shot classification"
ZERO_SHOT_INTRO = ("Type the labels; each becomes a text embedding, and the image's probabilities are a softmax over "
                   "its similarities to them. The image is the one above.")
LABELS = "Labels, separated by commas"
LABELS_HELP = (f"{options.LABELS.low} to {options.LABELS.high} labels, each at most {options.LABEL_CHARS} "
               "characters")
CLASSIFY = "Classify the image"

# 3 · the objective, live
LIVE_HEADING = "3 · The objective, live"
LIVE_INTRO = ("A fresh, small CLIP trains here on shapes and their captions. The matrix: the cosine similarity of "
              "ten shown captions (rows) with their ten images (columns). The contrastive loss is a cross-entropy "
              "that wants each row's and each column's largest value on the diagonal; the temperature, learnt too, "
              "sharpens the softmax.")
LIVE_STEPS = "Training steps"
START, PAUSE, RESET = "Start", "Pause", "Reset"

# 4 · the space
SPACE_HEADING = "4 · The space"
SPACE_INTRO = ("Held-out images and their captions embedded by the bundled model, projected together to two "
               "dimensions.")
PROJECTION = "Projection"
PROJECTION_HELP = "UMAP needs umap-learn installed"
PROJECT = "Project"
