"""The fast GPT-2 decoding loop against transformers' own forward on the same weights; and the int8
copy that larger models run as on a CPU."""

import numpy as np
import pytest
import torch

from demos.gpt import decoding, fast_gpt2
from demos.gpt.lm import LanguageModel, int8_for_cpu


def tiny_gpt2(activation: str = "gelu_new"):
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(0)
    config = GPT2Config(vocab_size=97, n_positions=32, n_embd=48, n_layer=3, n_head=4, activation_function=activation,
                        bos_token_id=0, eos_token_id=0)
    config._attn_implementation = "eager"  # so output_attentions returns the weights
    return GPT2LMHeadModel(config).eval()


@pytest.mark.parametrize("activation", ["gelu_new", "gelu"])
def test_logits_and_attention_match_transformers_step_by_step(activation):
    model = tiny_gpt2(activation)
    assert fast_gpt2.supports(model)
    ids = torch.randint(0, 97, (20,), generator=torch.Generator().manual_seed(1)).tolist()
    with torch.inference_mode():
        ref = model(input_ids=torch.tensor([ids]), output_attentions=True)
    decoder = fast_gpt2.GPT2Decoder(model)
    logits, rows = decoder.feed(ids[:12])  # a prompt, then one token at a time
    np.testing.assert_allclose(logits, ref.logits[0, 11].numpy(), atol=1e-4, rtol=1e-4)
    for t in range(12, 20):
        logits, rows = decoder.feed([ids[t]])
        np.testing.assert_allclose(logits, ref.logits[0, t].numpy(), atol=1e-4, rtol=1e-4)
        for layer in range(3):
            np.testing.assert_allclose(rows[layer], ref.attentions[layer][0, :, t, : t + 1].numpy(), atol=1e-5, rtol=1e-4)
    with pytest.raises(ValueError, match="at most 32"):
        decoder.feed(list(range(13)))


def test_an_int8_copy_of_a_larger_model_decodes_close_to_the_original():
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=101, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=64)
    config._attn_implementation = "eager"
    model = LlamaForCausalLM(config).eval()
    assert int8_for_cpu(model)[1] is False  # small: left as it is
    quantized, int8 = int8_for_cpu(model, quantize_above=0)
    assert int8 and quantized is not model and int8_for_cpu(model, quantize_above=0)[0] is quantized
    x = torch.randint(0, 101, (1, 10), generator=torch.Generator().manual_seed(0))
    with torch.inference_mode():
        p, q = torch.softmax(model(x).logits, -1), torch.softmax(quantized(x).logits, -1)
    assert float((p - q).abs().max()) < 0.02

    class Tok:
        eos_token_id, chat_template = None, None

        def decode(self, ids, **kw):
            return " ".join(map(str, ids))

    lm = LanguageModel(quantized, Tok(), "tiny-llama", "local", int8=True)
    *_, run = decoding.generate(lm, [1, 2, 3], 6, temperature=0.0)
    assert len(run.steps) == 6 and np.isclose(run.steps[-1].attention.sum(), 1.0, atol=1e-4)
    assert "int8 linear layers" in lm.label
