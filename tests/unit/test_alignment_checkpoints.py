"""The bundled assistant stages: each is a small LoRA adapter naming the stage below it, loads by
name, answers a concept question, and its card's seed-0 figures are re-measured here exactly."""

from __future__ import annotations

import json

import pytest

from demos.alignment import measure
from demos.alignment.model import BASE, DPO, SFT
from demos.alignment.train import load_stage
from shared.checkpoints import CHECKPOINTS_DIR


def card_seed_cells(stage: str, seed: int = 0) -> list[str]:
    """The card's seed-by-seed row as written ("85.4%"): below: right concept, below: every rule,
    stage: right concept, stage: every rule."""
    card = (CHECKPOINTS_DIR / stage / "README.md").read_text(encoding="utf-8")
    row = next(line for line in card.splitlines() if line.startswith(f"| {seed} | "))
    return [cell.strip() for cell in row.strip().strip("|").split("|")[1:]]


def card_seed_row(stage: str, seed: int = 0) -> list[float]:
    return [float(cell.rstrip("%")) / 100 for cell in card_seed_cells(stage, seed)]


@pytest.mark.parametrize(("stage", "below"), [(SFT, BASE), (DPO, SFT)])
def test_a_stage_is_a_small_adapter_over_the_stage_below(stage, below):
    folder = CHECKPOINTS_DIR / stage
    config = json.loads((folder / "adapter_config.json").read_text())
    assert config["base_model_name_or_path"] == below and config["peft_type"] == "LORA"
    assert (folder / "adapter_model.safetensors").stat().st_size < 2_000_000  # the base is 8.9 MB
    assert (folder / "chat_template.jinja").is_file() and (folder / "training_curves.json").is_file()


@pytest.mark.parametrize("stage", [SFT, DPO])
def test_the_cards_seed_zero_figures_are_re_measured(stage):
    model, tokenizer = load_stage(stage)
    scores = measure.score(examples := measure.held_out_questions(), measure.answer_all(
        model.eval(), tokenizer, [e.messages()[:-1] for e in examples], seed=0))
    _, _, on_topic, good = card_seed_cells(stage)
    assert (f"{scores.on_topic:.1%}", f"{scores.good:.1%}") == (on_topic, good)  # written the card's way


def test_the_sft_assistant_names_the_right_concept_on_held_out_phrasings():
    # the card's seed-0 figure, pinned: the base names the concept in almost no answer
    assert card_seed_row(SFT)[2] >= 0.80 and card_seed_row(SFT)[0] <= 0.15


def test_the_dpo_stage_keeps_the_sft_stages_quality_and_is_the_gpt_tabs_default():
    """Over an SFT stage that already meets every rule in 96% of held-out answers, DPO is no better
    (the card's head to head: -0.5 points; a second run at half the learning rate gave the same) and
    must be no worse than a question of the 240 at seed 0; it keeps the issue's goal."""
    from demos.gpt import options

    sft_concept, sft_good, dpo_concept, dpo_good = card_seed_row(DPO)
    assert dpo_concept >= 0.85 and dpo_good >= sft_good - 1 / 240 - 1e-9
    assert options.ASSISTANT == DPO
