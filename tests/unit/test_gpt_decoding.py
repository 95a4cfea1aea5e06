"""The GPT tab's logic on tiny causal LMs built under a fixed seed and saved the transformers way
(a tokenizer trained with `tokenizers`, a model from a config): loading from a folder and from the
Hub cache, the tokenizer, sampling distributions, generation, attention, and chat prompts."""

from pathlib import Path

import numpy as np
import pytest
import torch

from demos.gpt import decoding
from demos.gpt import lm as lm_module
from demos.gpt.model import train_tokenizer
from shared import checkpoints
from shared.limits import LimitError
from tests.hub_cache import hub_snapshot_dir

TEXT = ("In the beginning was the word, and the word was with the people of the land.\n"
        "User: hello there\nBot: and the light was good.\n") * 20
CHAT_TEMPLATE = ("{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}\n{% endfor %}"
                 "{% if add_generation_prompt %}<|assistant|>{% endif %}")


def save_tiny(folder: Path, chat: bool = False, positions: int = 64) -> Path:
    from transformers import GPT2Config, GPT2LMHeadModel

    tokenizer = train_tokenizer(TEXT, vocab_size=300)
    if chat:
        tokenizer.chat_template = CHAT_TEMPLATE
    torch.manual_seed(0)
    config = GPT2Config(vocab_size=len(tokenizer), n_positions=positions, n_embd=32, n_layer=2, n_head=4,
                        bos_token_id=0, eos_token_id=0)
    GPT2LMHeadModel(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(autouse=True)
def fresh_cache():
    checkpoints.clear_cache()
    yield
    checkpoints.clear_cache()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return lm_module.load_lm(save_tiny(tmp_path_factory.mktemp("tiny-gpt")))


def test_the_tokenizer_round_trips_any_text(tiny):
    for text in ["In the beginning", "naïve café — 😀 \t tabs\nand lines", "", "   ", "x" * 500, "\u200b\ufeff"]:
        ids = tiny.tokenizer(text, add_special_tokens=False)["input_ids"]
        assert tiny.tokenizer.decode(ids) == text


def test_a_local_folder_loads_model_and_tokenizer(tiny):
    assert tiny.source == "local" and tiny.notice is None and not tiny.chat and tiny.context == 64
    assert "text-continuation model" in tiny.label


def test_hub_id_loads_from_the_offline_cache():
    save_tiny(hub_snapshot_dir("tester/tiny-chat-gpt"), chat=True)
    model = lm_module.load_lm("tester/tiny-chat-gpt")
    assert model.source == "hub" and model.chat and model.notice is None
    prompt = lm_module.prompt_text(model, [{"role": "user", "content": "hi"}])
    assert prompt == "<|user|>hi\n<|assistant|>"


@pytest.mark.parametrize("temperature, top_k, top_p", [(1.0, 0, 1.0), (0.5, 0, 1.0), (1.7, 5, 1.0),
                                                       (1.0, 0, 0.3), (0.8, 40, 0.9), (0.0, 0, 1.0)])
def test_probabilities_sum_to_one_after_temperature_top_k_and_top_p(temperature, top_k, top_p):
    logits = torch.randn(300, generator=torch.Generator().manual_seed(1)) * 3
    d = decoding.distribution(logits, temperature, top_k, top_p)
    for p in (d.base, d.tempered, d.final):
        assert float(p.sum()) == pytest.approx(1.0, abs=1e-9) and bool((p >= 0).all())
    assert bool((d.final[~d.kept] == 0).all())
    if top_k:
        assert int(d.kept.sum()) <= top_k
    if temperature == 0:
        assert int(d.final.argmax()) == int(logits.argmax()) and float(d.final.max()) == 1.0
    elif top_p < 1:  # of what top-k left, the kept mass reaches top_p; without its least likely token it would not
        pool = np.sort(d.tempered)[::-1][:top_k].sum() if top_k else d.tempered.sum()
        kept_mass = float(d.tempered[d.kept].sum() / pool)
        assert kept_mass >= top_p - 1e-6 and kept_mass - float(d.tempered[d.kept].min() / pool) < top_p


def test_sampling_matches_transformers_warpers():
    """Same kept set as transformers' own temperature, top-k and top-p processors, in its order."""
    from transformers import TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper

    logits = torch.randn(1, 300, generator=torch.Generator().manual_seed(4)) * 2
    for temperature, top_k, top_p in [(0.7, 50, 0.8), (1.3, 0, 0.6), (1.0, 20, 1.0)]:
        z = TemperatureLogitsWarper(temperature)(None, logits.clone())
        if top_k:
            z = TopKLogitsWarper(top_k)(None, z)
        if top_p < 1:
            z = TopPLogitsWarper(top_p)(None, z)
        ours = decoding.distribution(logits[0], temperature, top_k, top_p)
        assert np.array_equal(ours.kept, torch.isfinite(z[0]).numpy())
        np.testing.assert_allclose(ours.final, torch.softmax(z[0], -1).numpy(), atol=1e-6)


def test_temperature_sharpens_or_flattens_the_distribution():
    logits = torch.tensor([2.0, 1.0, 0.0, -1.0])
    cold, hot = decoding.distribution(logits, 0.5, 0, 1.0), decoding.distribution(logits, 2.0, 0, 1.0)
    assert float(cold.final[0]) > float(cold.base[0]) > float(hot.final[0])


@pytest.mark.parametrize("args", [(-0.1, 0, 1.0), (2.5, 0, 1.0), (1.0, -1, 1.0), (1.0, 0, 0.0), (float("nan"), 0, 1.0)])
def test_bad_sampling_settings_are_refused(args):
    with pytest.raises(LimitError):
        decoding.distribution(torch.zeros(5), *args)


def test_greedy_decoding_is_deterministic_and_sampling_follows_the_seed(tiny):
    ids = tiny.tokenizer("In the beginning", add_special_tokens=False)["input_ids"]

    def last(**kw):
        *_, run = decoding.generate(tiny, ids, 12, **kw)
        return run.answer_ids

    assert last(temperature=0.0, seed=1) == last(temperature=0.0, seed=2)
    assert last(temperature=1.0, seed=5) == last(temperature=1.0, seed=5)
    assert last(temperature=1.5, top_k=0, top_p=1.0, seed=5) != last(temperature=1.5, top_k=0, top_p=1.0, seed=6)


def test_generation_streams_each_token_with_its_internals(tiny):
    ids = tiny.tokenizer("In the beginning", add_special_tokens=False)["input_ids"]
    runs = [(len(r.steps), r.steps[-1]) for r in decoding.generate(tiny, ids, 8, temperature=0.9, seed=3)]
    assert [n for n, _ in runs] == list(range(1, len(runs) + 1)) and len(runs) <= 8
    for n, step in runs:
        assert 0 < step.probability <= 1 and 0 < step.base_probability <= 1 and len(step.top) == 10
        assert step.attention.shape == (len(ids) + n - 1,) and step.attention.sum() == pytest.approx(1.0, abs=1e-4)


def test_generation_stops_when_the_context_is_full(tiny):
    ids = tiny.tokenizer(TEXT, add_special_tokens=False)["input_ids"][:60]
    *_, run = decoding.generate(tiny, ids, 50, temperature=0.0)
    assert run.stopped in ("context full", "end of text") and len(ids) + len(run.steps) <= 64


def test_an_empty_prompt_starts_from_end_of_text(tiny):
    *_, run = decoding.generate(tiny, [], 5, temperature=1.0, seed=0)
    assert run.prompt_ids == [] and 1 <= len(run.steps) <= 5


def test_attention_rows_sum_to_one_and_are_causal(tiny):
    ids = tiny.tokenizer(TEXT, add_special_tokens=False)["input_ids"][:20]
    maps = decoding.attention_maps(tiny, ids, layer=1)
    assert maps.shape == (4, 20, 20)
    np.testing.assert_allclose(maps.sum(-1), 1.0, atol=1e-5)
    assert np.allclose(np.triu(maps, k=1), 0.0)
    with pytest.raises(ValueError):
        decoding.attention_maps(tiny, ids, layer=2)


def test_position_distribution_is_what_the_model_predicted_there(tiny):
    ids = tiny.tokenizer("In the beginning was the word", add_special_tokens=False)["input_ids"]
    logits = decoding.position_distribution(tiny, ids, 3)
    with torch.inference_mode():
        full = tiny.model(input_ids=torch.tensor([ids])).logits[0, 2]
    torch.testing.assert_close(logits, full, atol=1e-4, rtol=1e-4)


def test_transcript_prompt_and_truncation_from_the_left(tiny):
    messages = [{"role": "user", "content": "hello"}, {"role": "assistant", "content": "and the light"},
                {"role": "user", "content": "more"}]
    text = lm_module.prompt_text(tiny, messages)
    assert text == "User: hello\nBot: and the light\nUser: more\nBot:"
    ids, notice = lm_module.encode_prompt(tiny, text * 10, room=30)
    assert len(ids) == 30 and "left out" in notice
    assert tiny.tokenizer.decode(ids).endswith("Bot:")


@pytest.mark.parametrize("text, message", [("", "empty"), ("x" * 2001, "limit"), ("\x00\x01\x07", "control"),
                                           (None, "The message is missing"), (5, "must be text; got the number 5")])
def test_bad_messages_are_refused(text, message):
    with pytest.raises(LimitError, match=message):
        lm_module.clean_text(text)


def test_control_characters_are_removed_but_unicode_kept():
    assert lm_module.clean_text("hi\x00 there\x1b[31m 😀 é\n") == "hi there[31m 😀 é\n"
