"""The bundled GPT: a transformers folder (model and tokenizer) that loads exactly as a Hub model does,
fits its budget, and scores what its model card says on the held-out chapters."""

import re

import pytest

from demos.gpt.model import BUNDLED_NAME, CONTEXT, VOCAB_SIZE
from shared.checkpoints import CHECKPOINTS_DIR

FOLDER = CHECKPOINTS_DIR / BUNDLED_NAME


def test_folder_is_in_transformers_layout_within_budget():
    weights = FOLDER / "model.safetensors"
    assert weights.stat().st_size <= 10 * 2**20
    for name in ("config.json", "tokenizer.json", "tokenizer_config.json", "README.md"):
        assert (FOLDER / name).exists(), name
    assert not list(FOLDER.glob("*.bin")) and not list(FOLDER.glob("*.pt"))
    card = (FOLDER / "README.md").read_text()
    assert "python -m demos.gpt.train" in card and "library_name: transformers" in card and "## Samples" in card


def test_auto_classes_load_the_folder_as_they_load_a_hub_model():
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(FOLDER)
    model = AutoModelForCausalLM.from_pretrained(FOLDER)
    assert type(model).__name__ == "GPT2LMHeadModel" and model.config.n_positions == CONTEXT
    assert len(tokenizer) == VOCAB_SIZE == model.config.vocab_size
    text = "And the LORD said unto Moses, “Go — now!” 😀\n"
    assert tokenizer.decode(tokenizer(text)["input_ids"]) == text
    assert 2.0e6 < sum(p.numel() for p in model.parameters()) < 2.5e6


def test_validation_bits_per_byte_match_the_model_card():
    from demos.gpt.lm import load_lm
    from demos.gpt.train import bits_per_byte, encode
    from shared.corpus import split_corpus

    card = (FOLDER / "README.md").read_text()
    match = re.search(r"\| held-out chapters \(validation\) \| \*\*([\d.]+)\*\* \|", card)
    assert match, "no validation row in the model card"
    lm = load_lm(FOLDER.name)  # the pre-trained base ("" is the assistant built on it)
    _, val_text = split_corpus()
    bpb = bits_per_byte(lm.model, encode(lm.tokenizer, val_text), len(val_text.encode("utf-8")))
    assert bpb == pytest.approx(float(match.group(1)), abs=0.002)
    assert bpb < 1.75  # better than xz -9 on the same corpus


def test_the_trainer_resumes_where_it_stopped_and_continues_the_same_way(tmp_path, monkeypatch):
    """On a small slice of the corpus (the tokenizer and windows as in a full run)."""
    from demos.gpt import train as gpt_train
    from shared.corpus import load_corpus, split_corpus
    from tests.resume_check import assert_resumes_the_same

    small = split_corpus(load_corpus()[:60_000])
    monkeypatch.setattr(gpt_train, "split_corpus", lambda: small)
    cfg = gpt_train.TrainConfig(batch_size=2, n_layer=1, n_embd=16, warmup=2, eval_every=1000, device="cpu")
    assert_resumes_the_same(cfg, gpt_train.fit, lambda s: s.model, tmp_path)
