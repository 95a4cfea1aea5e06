"""The assistant's pieces: the chat template stored with the tokenizer, the LoRA adapter shape, and
the names of the three stages (the base model, its SFT adapter, the DPO adapter over the SFT model).

Each stage is a folder in checkpoints/: the base in full, each later stage as a LoRA adapter
(`adapter_config.json` + `adapter_model.safetensors`, a few hundred KB) whose
`base_model_name_or_path` names the stage below it. `shared.checkpoints.load` follows that chain and
merges each adapter, so a stage loads like any model, by its name.
"""

from __future__ import annotations

BASE = "gpt-kjv"
SFT = "gpt-kjv-sft"
DPO = "gpt-kjv-dpo"
STAGES: tuple[str, ...] = (BASE, SFT, DPO)
STAGE_TITLES: dict[str, str] = {BASE: "base (pre-trained only)", SFT: "SFT (taught by examples)",
                                DPO: "DPO (tuned on preferences)"}

# "User: ...\nAssistant: ...<|endoftext|>\n" per exchange; the generation prompt ends with
# "Assistant:", so the answer's first token starts with a space and the tokenized prompt is a prefix
# of the tokenized prompt + answer (TRL finds the answer's tokens that way).
CHAT_TEMPLATE = (
    "{%- for message in messages -%}"
    "{%- if message['role'] == 'user' -%}{{ 'User: ' + (message['content'] | trim) + '\\n' }}"
    "{%- elif message['role'] == 'assistant' -%}{{ 'Assistant: ' + (message['content'] | trim) + eos_token + '\\n' }}"
    "{%- endif -%}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{ 'Assistant:' }}{%- endif -%}"
)

# LoRA on every linear layer of the GPT-2 blocks: attention in and out, and both MLP layers
LORA_TARGETS = ("c_attn", "c_proj", "c_fc")


# The end-of-text token: the base never saw it (its corpus has no documents to end), so its tied
# embedding row is where training left every unused token's, within cosine 0.99 of 184 of them; raising
# its logit raised theirs too, and after a full answer p(end) stopped near 0.76 at temperature 0.7.
# The SFT and DPO stages train that one row (PEFT's trainable tokens) beside the LoRA matrices.
END_OF_TEXT_ID = 0


def lora_config(rank: int, alpha: float, dropout: float = 0.0,  # noqa: ANN201 (-> peft.LoraConfig)
                trainable_tokens: tuple[int, ...] = ()):
    """LoRA on every linear layer; with trainable_tokens, those rows of the (tied) token embedding train
    in full too, and are stored in the adapter."""
    from peft import LoraConfig

    return LoraConfig(r=rank, lora_alpha=alpha, lora_dropout=dropout, target_modules=list(LORA_TARGETS),
                      fan_in_fan_out=True,  # GPT-2's Conv1D stores weights as (in, out)
                      trainable_token_indices={"wte": list(trainable_tokens)} if trainable_tokens else None,
                      task_type="CAUSAL_LM")


def with_chat_template(tokenizer):  # noqa: ANN001, ANN201
    """The tokenizer with the assistant's chat template and a padding token (the end-of-text one)."""
    tokenizer.chat_template = CHAT_TEMPLATE
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer
