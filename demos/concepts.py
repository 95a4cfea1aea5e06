"""The concept map of generative AI: each model family and training idea in a few sentences, with
the demo that shows it (its slug) when the suite has one. Pure data and HTML: the Gradio Overview
(demos.overview_ui) and the Streamlit one (demos/overview_streamlit_page.py) both draw it."""

from __future__ import annotations

import html
from dataclasses import dataclass


@dataclass(frozen=True)
class Concept:
    title: str
    text: str
    slug: str | None  # the tab that shows it, when one exists in this suite
    related: tuple[str, ...] = ()


FAMILIES: list[Concept] = [
    Concept("GANs", "A generator turns random noise into data and a discriminator tries to tell its "
            "output from real data; the two are trained against each other until the fakes pass. "
            "Sampling is one fast pass and sharp, but training is unstable and can collapse onto a few modes.",
            "gan", ("adversarial training",)),
    Concept("VAEs", "An encoder compresses each input into a distribution over a small latent code and a "
            "decoder rebuilds the input from a sample of it. A penalty keeps the codes near a standard "
            "Gaussian, so the latent space is smooth: walk between two codes and the decodings morph.",
            "vae", ("self-supervised learning", "Stable Diffusion")),
    Concept("Autoregressive models and GPT", "Generate one token at a time, each conditioned on all the "
            "ones before it: p(x) = ∏ p(x_t | x_<t). GPT is a transformer with causal self-attention that "
            "predicts the next token; temperature, top-k and top-p turn its probabilities into text.",
            "gpt", ("self-supervised learning", "RLHF")),
    Concept("Autoregressive images: PixelCNN", "The same chain rule over pixels: each pixel is drawn from a "
            "distribution predicted from every pixel before it in reading order, by convolutions masked so "
            "they never look ahead. Slow to sample (one pass per pixel) but its likelihood is exact, the "
            "lowest bits per dimension of the families here.",
            "pixelcnn", ("GPT", "Normalizing flows")),
    Concept("Diffusion", "Corrupt data with Gaussian noise over many small steps and train a network to "
            "predict the noise that was added. Sampling runs the process backwards from pure noise, one "
            "denoising step at a time: more steps cost more compute and give cleaner samples.",
            "diffusion", ("self-supervised learning",)),
    Concept("Stable Diffusion (latent diffusion)", "Diffusion run in the small latent space of an "
            "autoencoder instead of on pixels, which makes it affordable. A text encoder's embedding steers "
            "every denoising step through cross-attention; classifier-free guidance sets how strongly.",
            "stable_diffusion", ("Diffusion", "VAEs", "CLIP")),
    Concept("Normalizing flows", "A chain of invertible transformations maps a simple Gaussian onto the "
            "data distribution. Because each step can be inverted and its change of volume computed, a "
            "flow gives exact likelihoods and samples in a single pass.",
            "flows", ()),
    Concept("3-D data", "Point clouds, meshes, voxel grids and depth maps store the same object at very "
            "different costs, and each converts into the others with some loss. Networks that read point "
            "clouds must ignore the order of the points, as PointNet's symmetric max-pool does.",
            "three_d", ()),
    Concept("Multi-modal models and CLIP", "CLIP embeds images and text in one space, trained so that a "
            "picture and its caption land close together. Search, zero-shot classification and the text "
            "guidance of image generators all measure distances in that space.",
            "clip", ("contrastive learning",)),
]

TRAINING_IDEAS: list[Concept] = [
    Concept("Adversarial training", "Two networks play a game: one makes, one judges. The generator "
            "learns only through the judge's gradient, which is why a discriminator that is too strong or "
            "too weak stalls training, and why the generator may settle on the few outputs that fool it.",
            "gan", ("GANs",)),
    Concept("Contrastive learning", "Learn embeddings by pulling matching pairs together and pushing "
            "mismatched ones apart, with a loss over every pair in a batch (InfoNCE). It needs no labels "
            "beyond knowing which items belong together, such as an image and its caption.",
            "clip", ("CLIP",)),
    Concept("Self-supervised learning", "The data supervises itself: predict the next token, a masked "
            "patch, or the noise added to an image. Pre-training on raw text or images this way is where "
            "large models get their general knowledge.",
            "gpt", ("GPT", "Diffusion")),
    Concept("Transfer learning", "Start from a model pre-trained on a large corpus and fine-tune it on a "
            "small task: the general features of the early layers carry over, so little data and compute "
            "are needed. The Alignment tab's assistant is one: a 1.6 MB LoRA adapter teaches the bundled "
            "Bible-trained GPT to answer questions.",
            "alignment", ("RLHF",)),
    Concept("RLHF", "Reinforcement learning from human feedback: people rank a model's answers, a reward "
            "model learns their preferences, and the language model is tuned to earn that reward while "
            "staying close to what it was. DPO skips the reward model and tunes on the ranked pairs directly; in "
            "the Alignment tab your votes do it live.",
            "alignment", ("GPT", "Transfer learning")),
]

THE_DATA = Concept("The shared data and its judge", "Every image model here learns from the same "
                   "procedural shapes with exact labels and is scored by one small classifier: how many "
                   "samples are valid shapes, how evenly they cover the classes, and how far their features "
                   "lie from real data. Compare model families on equal terms.", "data", ())
THE_ARENA = Concept("The arena", "Every image family side by side on the same data and judge: valid shapes, "
                    "coverage of every shape and colour, Fréchet distance, bits per dimension where the family "
                    "has a likelihood (exact for PixelCNN and flows, a bound for VAEs, none for GANs), speed and "
                    "size. No family wins every column.", "arena", ("The shared data and its judge",))


PROVENANCE = Concept("Ethics and provenance", "Made pictures pass for real ones: people score near chance on "
                     "good fakes, and a detector trained on one generator misses another's. Invisible watermarks "
                     "in the pixels and signed content credentials (C2PA) in the file trace a picture to its "
                     "model, each surviving what the other does not; and a model passes on its data's skew.",
                     "provenance", ("deepfakes", "bias"))


OVERVIEW_TITLE = "How generative AI works, on real models you can run"


def overview_intro(unit: str, where: str, link: str) -> str:
    """The Overview's first paragraph; unit: "tab" or "page", where the others are, how a link opens one."""
    return (f"Each {unit} is one idea, shown live on a small model this project trained and ships, so it works "
            "offline; where a real pretrained model exists you can switch to it from the Hugging Face Hub. "
            f"Pick a concept below, or a {unit} {where}. Links like {link} open the suite on one {unit}.")


def _card(concept: Concept, titles: dict[str, str]) -> str:
    if concept.slug in titles:
        link = f'<a class="open" href="?tab={concept.slug}" target="_self">▶ Open the {html.escape(titles[concept.slug])} tab</a>'
    else:
        link = '<span class="coming">Tab coming</span>'
    related = f" · related: {html.escape(', '.join(concept.related))}" if concept.related else ""
    return (f'<div class="concept-card" data-slug="{concept.slug or ""}"><h4>{html.escape(concept.title)}</h4>'
            f'<p>{html.escape(concept.text)}</p><div class="links">{link}{related}</div></div>')


def sections() -> list[tuple[str, list[Concept]]]:
    """The map's sections in order: (heading, concepts)."""
    return [("Model families", FAMILIES), ("The ideas they are trained with", TRAINING_IDEAS),
            ("Under every image demo", [THE_DATA, THE_ARENA, PROVENANCE])]


def concept_map_html(titles: dict[str, str]) -> str:
    """The map as HTML for the Gradio Overview (links `?tab=<slug>`); titles: slug -> tab title for
    the demos mounted in this app, the others marked "Tab coming"."""
    return "".join(f'<h3 class="concept-section">{name}</h3><div class="concept-map">'
                   + "".join(_card(c, titles) for c in items) + "</div>" for name, items in sections())
