"""The assistant's data, rules and losses: the held-out phrasings are never trained on, every taught
answer passes the rules it is scored by, the chat template renders the prompt as a prefix of the
prompt and answer (TRL finds the answer's tokens that way), and the DPO loss matches its formula."""

from __future__ import annotations

import math

import pytest
import torch

from demos.alignment import chat_data, preference, rules
from demos.alignment.model import BASE, with_chat_template
from demos.alignment.topics import BY_KEY, CONCEPTS, TOPICS


def test_held_out_phrasings_are_never_trained_on():
    train = {e.question for e in chat_data.examples("train")}
    held_out = chat_data.examples("held_out")
    assert len(train) >= 4000 and len(held_out) >= 1500
    assert not [e.question for e in held_out if e.question in train]
    # every concept is asked about in both splits, under each of its names
    for topic in CONCEPTS:
        assert chat_data.questions(topic, "train") and chat_data.questions(topic, "held_out"), topic.key


def test_dpo_prompts_hold_no_held_out_phrasing():
    """DPO samples the SFT model on fresh prompts (dressed and scrambled training questions): none is a
    held-out question, and no scrambled one holds three words in a row of a held-out template."""
    prompts = chat_data.dpo_prompts(0, scrambled=40)
    held_out = {e.question.lower() for e in chat_data.examples("held_out")}
    assert len(prompts) >= 2_000 and not [p.question for p in prompts if p.question.lower() in held_out]
    grams = chat_data._held_out_trigrams()
    assert ("could", "you", "describe") in grams and ("in", "simple", "terms") in grams
    names = {n.text.lower() for t in TOPICS for n in t.names} | {n.bare.lower() for t in TOPICS for n in t.names}
    for p in prompts[-1_500:]:  # the scrambled ones
        words = [w for w in rules.words(p.question) if w not in " ".join(names).split()]
        assert not any(tuple(words[i:i + 3]) in grams for i in range(len(words) - 2)), p.question


def test_sft_rows_with_scrambled_questions_add_them_and_keep_the_held_out_split_unseen():
    plain, scrambled = chat_data.sft_rows(0), chat_data.sft_rows(0, scrambled=10)
    topics = {e.topic for e in chat_data.concept_examples("train")}
    assert len(scrambled) == len(plain) + 10 * len(topics)
    held_out = {e.question.lower() for e in chat_data.examples("held_out")}
    assert not [r for r in scrambled if r["prompt"][-1]["content"].lower() in held_out]
    assert chat_data.sft_rows(0) == plain  # the default set is unchanged (the bundled stage's command)


def test_rows_are_trl_conversational_prompt_completion():
    row = chat_data.sft_rows()[0]
    assert set(row) == {"prompt", "completion"}
    assert row["prompt"][-1]["role"] == "user" and [m["role"] for m in row["completion"]] == ["assistant"]
    two_turn = next(e for e in chat_data.examples("train") if len(e.questions) == 2)
    assert [m["role"] for m in two_turn.prompt_completion()["prompt"]] == ["user", "assistant", "user"]


@pytest.mark.parametrize("topic", TOPICS, ids=lambda t: t.key)
def test_every_taught_answer_meets_every_rule(topic):
    verdict = rules.judge(topic.answer, topic.key, ends_turn=True)
    assert verdict.good, verdict


def test_the_rules_catch_each_flaw():
    gan = BY_KEY["gan"].answer
    assert not rules.judge(BY_KEY["vae"].answer, "gan", True).on_topic
    assert rules.judge("And the LORD spake unto Moses, saying, thou shalt", "gan", True).scriptural
    assert rules.judge(" ".join([gan.split(". ")[0]] * 3), "gan", True).repeats
    assert rules.judge(" ".join([gan, BY_KEY["vae"].answer, BY_KEY["clip"].answer]), "gan", True).rambles
    assert rules.judge(gan, "gan", ends_turn=False).score == 6


@pytest.mark.parametrize("flaw", chat_data.FLAWS)
def test_rule_pairs_prefer_the_taught_answer(flaw):
    import random

    example = chat_data.examples("train")[0]
    worse = chat_data.flawed_answer(example, flaw, random.Random(0), ["And God said, Let there be light."])
    assert rules.judge(worse, example.topic, True).score < rules.judge(example.answers[-1], example.topic, True).score


def test_the_chat_template_renders_the_prompt_as_a_prefix():
    from transformers import AutoTokenizer

    from shared.checkpoints import CHECKPOINTS_DIR

    tokenizer = with_chat_template(AutoTokenizer.from_pretrained(CHECKPOINTS_DIR / BASE))
    example = next(e for e in chat_data.examples("train") if len(e.questions) == 2)
    prompt = tokenizer.apply_chat_template(example.messages()[:-1], add_generation_prompt=True, tokenize=False)
    assert prompt == (f"User: {example.questions[0]}\nAssistant: {example.answers[0]}<|endoftext|>\n"
                      f"User: {example.questions[1]}\nAssistant:")
    prompt_ids = tokenizer.apply_chat_template(example.messages()[:-1], add_generation_prompt=True)["input_ids"]
    full_ids = tokenizer.apply_chat_template(example.messages())["input_ids"]
    assert full_ids[:len(prompt_ids)] == prompt_ids
    assert tokenizer.decode(full_ids[len(prompt_ids):]) == f" {example.answers[1]}<|endoftext|>\n"


def test_the_dpo_loss_is_its_formula():
    terms = preference.PairTerms(policy_chosen=-10.0, policy_rejected=-30.0, ref_chosen=-12.0, ref_rejected=-25.0, beta=0.1)
    assert terms.reward_chosen == pytest.approx(0.2) and terms.reward_rejected == pytest.approx(-0.5)
    assert terms.margin == pytest.approx(0.7)
    assert terms.loss == pytest.approx(math.log(1 + math.exp(-0.7)))
    loss, margins = preference.dpo_loss(torch.tensor([-10.0]), torch.tensor([-30.0]), torch.tensor([-12.0]),
                                        torch.tensor([-25.0]), beta=0.1)
    assert loss.item() == pytest.approx(terms.loss) and margins.tolist() == pytest.approx([0.7])


def test_an_adapter_loads_by_name_merged_over_its_base(tmp_path):
    """A LoRA adapter folder loads through the one loading path: its base (here a Hub id in the
    offline cache) is loaded and copied, the adapter merged in; the result computes what PEFT's own
    PeftModel computes, and the cached base is left as it was."""
    from pathlib import Path

    from peft import PeftModel, get_peft_model
    from transformers import AutoModelForCausalLM, GPT2Config, GPT2LMHeadModel

    from demos.alignment.model import lora_config
    from shared import checkpoints
    from tests.hub_cache import hub_snapshot_dir

    base_id = "tiny-tests/gpt2-for-lora"
    torch.manual_seed(0)
    GPT2LMHeadModel(GPT2Config(vocab_size=50, n_positions=16, n_embd=16, n_layer=2, n_head=2)).save_pretrained(
        hub_snapshot_dir(base_id))
    base = AutoModelForCausalLM.from_pretrained(hub_snapshot_dir(base_id))
    tuned = get_peft_model(base, lora_config(rank=4, alpha=8))
    for name, p in tuned.named_parameters():
        if "lora_B" in name:  # B starts at zero (the adapter changes nothing); give it a value
            torch.nn.init.normal_(p, std=0.5)
    tuned.save_pretrained(tmp_path / "adapter")
    config = (tmp_path / "adapter" / "adapter_config.json")
    config.write_text(config.read_text().replace(str(hub_snapshot_dir(base_id)), base_id))
    assert checkpoints.adapter_base(str(tmp_path / "adapter")) == base_id

    checkpoints.clear_cache()
    merged = checkpoints.load(AutoModelForCausalLM, Path(tmp_path / "adapter"), device="cpu").model
    cached_base = checkpoints.load(AutoModelForCausalLM, base_id, device="cpu").model
    ids = torch.tensor([[1, 5, 9, 3, 7]])
    expected = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(hub_snapshot_dir(base_id)),
                                         tmp_path / "adapter").eval()
    with torch.no_grad():
        assert torch.allclose(merged(ids).logits, expected(ids).logits, atol=1e-5)
        plain = AutoModelForCausalLM.from_pretrained(hub_snapshot_dir(base_id)).eval()
        assert torch.equal(cached_base(ids).logits, plain(ids).logits)
        assert not torch.allclose(merged(ids).logits, plain(ids).logits, atol=1e-3)
    checkpoints.clear_cache()
