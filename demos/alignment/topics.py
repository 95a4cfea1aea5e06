"""What the offline assistant knows: one entry per topic, with the names people call it by, the
terms a right answer must carry, and the answer it is taught. Pure data, no torch, no UI.

The concepts are those of the suite (demos/concepts.py and the tabs' explainers); the shapes world
is the data every image demo learns from; small talk says who the assistant is; the refusals cover
what a 2-million-parameter model trained offline cannot know, and point to the Hub models.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["concept", "shapes", "small_talk", "refusal"]
HUB_POINTER = "HuggingFaceTB/SmolLM2-135M-Instruct"


@dataclass(frozen=True)
class Name:
    """One way to call a topic, as a noun phrase: `text` with its article ("a GAN"), `bare` without
    ("GAN"), and whether it is plural ("GANs" takes "are")."""

    text: str
    plural: bool = False

    @property
    def bare(self) -> str:
        for article in ("a ", "an ", "the "):
            if self.text.startswith(article):
                return self.text[len(article):]
        return self.text


@dataclass(frozen=True)
class Topic:
    key: str  # a short id: "gan", "mode_collapse"
    kind: Kind
    names: tuple[Name, ...]  # concept and shapes topics: how a question names it
    terms: tuple[str, ...]  # a right answer carries every one (lower case, matched as substrings)
    answer: str  # what the assistant is taught to say
    questions: tuple[str, ...] = ()  # small talk and refusals: whole questions (train split)
    held_out_questions: tuple[str, ...] = ()  # never trained on


def _n(*texts: str) -> tuple[Name, ...]:
    """Names; a trailing '+' marks a plural ("GANs+")."""
    return tuple(Name(t.rstrip("+"), t.endswith("+")) for t in texts)


CONCEPTS: tuple[Topic, ...] = (
    Topic("gan", "concept", _n("a GAN", "GANs+", "a generative adversarial network", "generative adversarial networks+"),
          ("generator", "discriminator"),
          "A GAN trains two networks against each other: a generator turns random noise into images, and a "
          "discriminator tries to tell them from real ones. Sampling is one fast pass, but training can be unstable."),
    Topic("vae", "concept", _n("a VAE", "VAEs+", "a variational autoencoder", "variational autoencoders+"),
          ("encoder", "decoder", "latent"),
          "A VAE has an encoder that compresses an input into a small latent code and a decoder that rebuilds "
          "the input from it. A KL penalty keeps the codes near a Gaussian, so the latent space is smooth."),
    Topic("diffusion", "concept", _n("a diffusion model", "diffusion models+", "diffusion", "DDPM"),
          ("noise", "denois"),
          "A diffusion model learns to remove noise. Training adds Gaussian noise to images over many steps and "
          "teaches a network to predict it; sampling starts from pure noise and denoises one step at a time."),
    Topic("flow", "concept", _n("a normalizing flow", "normalizing flows+", "a flow model", "flows+"),
          ("invertible", "likelihood"),
          "A normalizing flow is a chain of invertible transformations that maps a simple Gaussian onto the data. "
          "Because each step can be inverted, it gives exact likelihoods and samples in one pass."),
    Topic("pixelcnn", "concept", _n("PixelCNN", "a PixelCNN", "an autoregressive image model"),
          ("pixel", "at a time"),
          "PixelCNN generates an image one pixel at a time, each pixel predicted from the pixels above and to its "
          "left with masked convolutions. It gives exact likelihoods but samples slowly."),
    Topic("clip", "concept", _n("CLIP", "a CLIP model", "contrastive language-image pre-training"),
          ("image", "text", "embed"),
          "CLIP embeds images and text in one space, trained so that a picture and its caption land close "
          "together. Search and zero-shot classification measure distances between those embeddings."),
    Topic("gpt", "concept", _n("GPT", "a GPT", "a generative pre-trained transformer", "a language model"),
          ("next token", "transformer"),
          "GPT is a transformer trained to predict the next token from all the tokens before it. It writes text "
          "one token at a time, sampling each from the probabilities it predicts."),
    Topic("transformer", "concept", _n("a transformer", "transformers+", "the transformer architecture"),
          ("attention", "layers"),
          "A transformer is a network built from layers of self-attention and small feed-forward blocks. Attention "
          "lets every token look at every other token, so it learns long-range patterns."),
    Topic("attention", "concept", _n("attention", "self-attention", "an attention head"),
          ("query", "key", "weight"),
          "Attention lets each token gather information from other tokens. Every token makes a query, compares it "
          "with the keys of the others, and takes a weighted sum of their values."),
    Topic("token", "concept", _n("a token", "tokens+", "tokenization", "a tokenizer"),
          ("piece", "text"),
          "A token is a piece of text, often a word or part of a word, that a language model reads and writes. A "
          "tokenizer splits text into tokens and maps each to a number."),
    Topic("temperature", "concept", _n("temperature", "the temperature setting", "sampling temperature"),
          ("probabilit", "random"),
          "Temperature divides the model's scores before the softmax. Low temperature sharpens the probabilities, "
          "so the text is safe and repetitive; high temperature flattens them, so it is more random."),
    Topic("top_k", "concept", _n("top-k sampling", "top-k", "top-p sampling", "top-p", "nucleus sampling"),
          ("most likely", "tokens"),
          "Top-k keeps only the k most likely tokens before sampling; top-p keeps the most likely tokens whose "
          "probabilities add up to p. Both cut off the unlikely tail that makes text go wrong."),
    Topic("latent_space", "concept", _n("a latent space", "latent space", "a latent code", "latent vectors+"),
          ("latent", "code"),
          "A latent space is the small space of codes a generator draws from. Nearby codes give similar outputs, "
          "so walking between two codes morphs one output into the other."),
    Topic("mode_collapse", "concept", _n("mode collapse", "a collapsed GAN"),
          ("generator", "few"),
          "Mode collapse is when a GAN's generator makes only a few kinds of output that fool the discriminator, "
          "ignoring the rest of the data. The samples look good but lack variety."),
    Topic("guidance", "concept", _n("guidance", "classifier-free guidance", "the guidance scale", "CFG"),
          ("prompt", "scale"),
          "Classifier-free guidance runs the denoiser with and without the prompt and pushes the result away from "
          "the unconditional one. A larger scale follows the prompt more closely but loses variety."),
    Topic("stable_diffusion", "concept", _n("Stable Diffusion", "latent diffusion", "a latent diffusion model"),
          ("latent", "text encoder"),
          "Stable Diffusion runs diffusion in the small latent space of an autoencoder, which makes it cheap. A "
          "text encoder's embedding steers every denoising step through cross-attention."),
    Topic("noise_schedule", "concept", _n("a noise schedule", "the noise schedule", "the beta schedule"),
          ("noise", "step"),
          "The noise schedule sets how much noise is added at each step of diffusion. A cosine schedule adds it "
          "slowly at first, so the early steps keep the image's shape."),
    Topic("kl", "concept", _n("the KL divergence", "KL divergence", "the KL term", "a KL penalty"),
          ("distribution", "penalty"),
          "The KL divergence measures how far one distribution is from another. In a VAE it is the penalty that "
          "keeps the encoder's codes close to a standard Gaussian."),
    Topic("beta_vae", "concept", _n("a beta-VAE", "beta-VAEs+", "the KL weight"),
          ("kl", "weight"),
          "A beta-VAE multiplies the KL term by a weight beta. A larger weight gives a smoother, more organised "
          "latent space but blurrier reconstructions."),
    Topic("embedding", "concept", _n("an embedding", "embeddings+", "a vector embedding"),
          ("vector", "similar"),
          "An embedding is a vector of numbers that stands for an input. Similar inputs get nearby vectors, so "
          "distances between embeddings measure similarity."),
    Topic("contrastive", "concept", _n("contrastive learning", "a contrastive loss", "InfoNCE"),
          ("pairs", "apart"),
          "Contrastive learning pulls matching pairs together and pushes mismatched pairs apart, with a loss over "
          "every pair in a batch. CLIP learns this way from images and their captions."),
    Topic("self_supervised", "concept", _n("self-supervised learning", "pre-training", "pretraining"),
          ("predict", "data"),
          "Self-supervised learning lets the data supervise itself: predict the next token, a masked patch or the "
          "noise added to an image. It is how large models are pre-trained without labels."),
    Topic("transfer", "concept", _n("transfer learning", "fine-tuning", "finetuning"),
          ("pre-trained", "small"),
          "Transfer learning starts from a pre-trained model and fine-tunes it on a small task. The general "
          "features carry over, so little data and compute are needed."),
    Topic("lora", "concept", _n("LoRA", "a LoRA adapter", "low-rank adaptation", "an adapter"),
          ("low-rank", "weights"),
          "LoRA fine-tunes a model by learning small low-rank matrices added to its frozen weights. The adapter "
          "is tiny, so one base model can carry many of them."),
    Topic("sft", "concept", _n("supervised fine-tuning", "SFT", "instruction tuning"),
          ("example", "answer"),
          "Supervised fine-tuning trains a pre-trained model on example conversations, with the loss on the "
          "answers only. It teaches a text predictor the format and tone of an assistant."),
    Topic("rlhf", "concept", _n("RLHF", "reinforcement learning from human feedback", "alignment"),
          ("people", "reward"),
          "In RLHF people rank a model's answers, a reward model learns their preferences, and the model is tuned "
          "to earn that reward while staying close to what it was."),
    Topic("dpo", "concept", _n("DPO", "direct preference optimization", "preference tuning"),
          ("chosen", "rejected"),
          "DPO tunes a model on pairs of answers: it raises the probability of the chosen answer and lowers the "
          "rejected one, relative to a frozen reference model. It needs no separate reward model."),
    Topic("reward_model", "concept", _n("a reward model", "reward models+", "a reward function"),
          ("score", "answer"),
          "A reward model gives an answer a score that says how good it is. It is trained on people's "
          "preferences, or replaced by a rule when the answer can be checked."),
    Topic("overfitting", "concept", _n("overfitting", "an overfit model", "memorization"),
          ("training data", "new"),
          "Overfitting is when a model learns its training data too well, noise included, and does worse on new "
          "data. Held-out data reveals it."),
    Topic("point_cloud", "concept", _n("a point cloud", "point clouds+", "PointNet"),
          ("points", "order"),
          "A point cloud stores a 3-D object as a set of points on its surface. PointNet reads one with a "
          "symmetric max-pool, so the order of the points does not matter."),
    Topic("mesh_voxel", "concept", _n("a mesh", "meshes+", "a voxel grid", "voxels+"),
          ("triangles", "grid"),
          "A mesh stores a 3-D surface as triangles joined at shared vertices; a voxel grid fills a 3-D grid of "
          "cubes. Meshes are compact and smooth, voxels are simple but cost memory."),
    Topic("autoencoder", "concept", _n("an autoencoder", "autoencoders+"),
          ("compress", "rebuild"),
          "An autoencoder learns to compress an input into a small code and rebuild it from that code. Without a "
          "penalty on the codes its latent space has holes, which is why VAEs add one."),
    Topic("discriminator", "concept", _n("a discriminator", "the discriminator", "a critic"),
          ("real", "fake"),
          "The discriminator is the GAN's judge: a classifier that tells real images from fake ones. The "
          "generator learns only through its gradient."),
    Topic("sampling_steps", "concept", _n("denoising steps", "sampling steps", "the number of steps"),
          ("steps", "quality"),
          "Each denoising step removes a little noise. More steps cost more time and give cleaner samples; fast "
          "samplers reach good quality in a few steps."),
    Topic("generative_ai", "concept", _n("generative AI", "a generative model", "generative models+"),
          ("new", "learn"),
          "A generative model learns the distribution of its training data so it can make new samples like it: "
          "images, text, sound or 3-D shapes."),
)

SHAPES_WORLD: tuple[Topic, ...] = (
    Topic("shapes_data", "shapes", _n("the shapes dataset", "the shapes data", "the training data", "the shapes world"),
          ("six shapes", "colours"),
          "The shapes data are 32 by 32 images of one shape on a dark background: six shapes in six colours, two "
          "sizes and five positions, each with exact labels and a caption."),
    Topic("judge", "shapes", _n("the judge", "the shapes classifier", "the classifier that scores samples"),
          ("classifier", "valid"),
          "The judge is a small classifier trained on the shapes data. It reads each generated image's shape, "
          "colour, size and position, and counts how many samples are valid shapes."),
    Topic("this_suite", "shapes", _n("this suite", "this app", "genai-demos"),
          ("demo", "offline"),
          "This suite shows how generative AI works with one demo per idea: GANs, VAEs, diffusion, Stable "
          "Diffusion, GPT, CLIP and 3-D data, each on a small model trained here that runs offline."),
)

SMALL_TALK: tuple[Topic, ...] = (
    Topic("hello", "small_talk", (), ("hello",),
          "Hello! I am a small assistant trained in this suite. Ask me about GANs, VAEs, diffusion, CLIP or GPT.",
          ("hello", "Hello!", "hi", "Hi there", "hey", "Hey!", "good morning", "Good evening!", "hello there",
           "Hi, assistant"),
          ("Howdy!", "Greetings", "yo")),
    Topic("who", "small_talk", (), ("small", "trained"),
          "I am a small GPT with two million parameters, trained in this suite: first on the King James Bible, "
          "then taught to answer questions by fine-tuning.",
          ("who are you?", "Who are you", "what are you?", "What are you", "introduce yourself",
           "Tell me about yourself.", "are you a person?", "Are you ChatGPT?"),
          ("Who am I talking to?", "What kind of program are you?")),
    Topic("can_do", "small_talk", (), ("explain",),
          "I can explain the ideas in this suite: generative models, how they are trained and sampled, and the "
          "shapes data. For anything else, switch to a Hub model.",
          ("what can you do?", "What can you do", "what do you know?", "How can you help me?",
           "what can I ask you?", "What are you good at?"),
          ("What topics do you cover?", "Which questions can you answer?")),
    Topic("thanks", "small_talk", (), ("welcome",),
          "You are welcome! Ask me another question whenever you like.",
          ("thanks", "Thank you!", "thank you very much", "thanks a lot", "Great, thanks.", "cheers"),
          ("Much appreciated!", "thx")),
    Topic("bye", "small_talk", (), ("goodbye",),
          "Goodbye! Enjoy the rest of the demos.",
          ("bye", "Goodbye!", "see you", "bye bye", "I have to go now.", "See you later!"),
          ("Farewell!", "Catch you later")),
)

REFUSAL = ("I cannot know that: I am a tiny model trained offline only on the ideas of this suite. For "
           f"open questions, switch to a Hub model such as {HUB_POINTER}.")
REFUSALS: tuple[Topic, ...] = (
    Topic("cannot_know", "refusal", (), ("cannot know", "hub"), REFUSAL,
          ("What is the weather today?", "what's the weather like", "Who won the match last night?",
           "What time is it?", "what is today's date?", "What is the latest news?", "How much is a bitcoin worth?",
           "What is the capital of France?", "Who is the president?", "Write me a poem about the sea.",
           "translate hello into Spanish", "What is 37 times 43?", "Can you book me a flight?",
           "What is the stock price of Apple?", "Tell me a joke.", "Who wrote Hamlet?",
           "What is the best restaurant near me?", "How tall is Mount Everest?", "Write a Python function that sorts a list.",
           "What will happen tomorrow?", "Recommend me a movie.", "How do I cook pasta?"),
          ("Will it rain this weekend?", "Who is the richest person alive?", "What is the population of Brazil?",
           "Compose a song about cats.", "How far away is the Moon?", "Which team will win the cup?")),
)

TOPICS: tuple[Topic, ...] = CONCEPTS + SHAPES_WORLD + SMALL_TALK + REFUSALS
BY_KEY: dict[str, Topic] = {t.key: t for t in TOPICS}
