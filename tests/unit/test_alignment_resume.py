"""The assistant's TRL trainers resume: 6 steps stopped after 3 (saving, as a time limit would stop
them), then resumed to the end, give the same LoRA weights, bit for bit, as 6 steps straight; the
same for SFT (over the bundled base) and DPO (over the SFT stage, on rule-built pairs). The weights
compared are the LoRA matrices and the end-of-text token's embedding row, which both stages train."""

from __future__ import annotations

import torch

from demos.alignment import train


def _lora(model) -> dict[str, torch.Tensor]:
    """The trained weights: the LoRA matrices and the trained token rows."""
    return {k: v.detach().clone() for k, v in model.state_dict().items() if "lora_" in k or "trainable_tokens_delta" in k}


def _resumes_the_same(stage: str, tmp_path, **options) -> None:
    fit = train.train_sft if stage == "sft" else train.train_dpo

    def config(name: str) -> train.TrainConfig:
        return train.stage_settings(train.TrainConfig(stage=stage, steps=6, batch_size=2, warmup=1,
                                                      out=str(tmp_path / f"{name}-out"),
                                                      state_dir=str(tmp_path / name), **options))

    straight = _lora(fit(config("straight"))[0])
    halfway = _lora(fit(config("pieces"), callbacks=[train.stop_after(3)])[0])
    assert sorted(p.name for p in (tmp_path / "pieces").glob("checkpoint-*")) == ["checkpoint-3"]
    assert any(not torch.equal(halfway[k], straight[k]) for k in straight), "half the steps gave the final weights"
    resumed = _lora(fit(config("pieces"))[0])
    assert straight.keys() == resumed.keys() and straight
    # the end-of-text row trained beside the LoRA: one row, seen by the embedding and by the tied head
    rows = [v for k, v in straight.items() if "trainable_tokens_delta" in k]
    assert [tuple(r.shape) for r in rows] == [(1, 192), (1, 192)] and torch.equal(rows[0], rows[1])
    for name, value in straight.items():
        torch.testing.assert_close(resumed[name], value, rtol=0, atol=0, msg=f"{name} differs after resuming")


def test_sft_resumes_bit_for_bit(tmp_path):
    _resumes_the_same("sft", tmp_path)


def test_dpo_resumes_bit_for_bit(tmp_path):
    _resumes_the_same("dpo", tmp_path, sft_samples=0, rule_pairs=24)
