"""The end-of-text row: SFT and DPO train the token's embedding row (PEFT's trainable tokens) beside
the LoRA matrices, and TRL's fused LM head, which reads the head's weight directly, sees the trained
row while training and the base row in DPO's reference pass (the adapter switched off)."""

from __future__ import annotations

import torch

from demos.alignment import train
from demos.alignment.model import BASE, END_OF_TEXT_ID


class FakeTrainer:
    """What fused_head_with_trained_rows reads of a TRL trainer: its (PEFT) model."""

    def __init__(self, model) -> None:
        self.model = model


def _tuned_base():
    from peft import get_peft_model

    model, _ = train.load_stage(BASE)
    rows = model.get_input_embeddings().weight.detach().clone()
    tuned = get_peft_model(model, train.adapter_config(train.TrainConfig()))
    return tuned, rows


def test_the_adapter_trains_only_the_end_of_text_row_beside_the_lora():
    tuned, rows = _tuned_base()
    extra = {n: p.shape for n, p in tuned.named_parameters() if p.requires_grad and "lora_" not in n}
    assert list(extra.values()) == [torch.Size([1, rows.shape[1]])], extra
    assert train.adapter_config(train.TrainConfig(end_row=0)).trainable_token_indices is None


def test_the_fused_head_sees_the_trained_row_and_the_reference_the_base_row():
    tuned, rows = _tuned_base()
    delta = next(p for n, p in tuned.named_parameters() if "trainable_tokens_delta" in n)
    with torch.no_grad():
        delta.add_(1.0)  # as training would move it
    base = tuned.get_base_model()
    with train.fused_head_with_trained_rows(FakeTrainer(tuned)):
        head = base.get_output_embeddings()
        assert head.bias is None
        torch.testing.assert_close(head.weight[END_OF_TEXT_ID], rows[END_OF_TEXT_ID] + 1.0)
        torch.testing.assert_close(head.weight[1:], rows[1:], rtol=0, atol=0)  # every other row is the base's
        head.weight[END_OF_TEXT_ID].sum().backward()
        assert delta.grad is not None and torch.count_nonzero(delta.grad) == delta.numel()  # the loss reaches the row
        with tuned.disable_adapter():  # DPO's reference model
            torch.testing.assert_close(base.get_output_embeddings().weight, rows, rtol=0, atol=0)
    # afterwards the model's own head is back: PEFT's wrapper, whose forward uses the trained row
    assert type(base.get_output_embeddings()).__name__ == "TrainableTokensWrapper"
    hidden = torch.randn(2, rows.shape[1], generator=torch.Generator().manual_seed(0))
    logits = base.get_output_embeddings()(hidden)
    torch.testing.assert_close(logits[:, END_OF_TEXT_ID], hidden @ (rows[END_OF_TEXT_ID] + 1.0))
