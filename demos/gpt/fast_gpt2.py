"""Token-by-token decoding of a transformers GPT-2 (GPT2LMHeadModel) with its own weights, in a few
plain torch ops per layer.

Why: at the bundled model's size (4 layers, 192 wide) one step of transformers' forward costs about
4 ms on 2 CPU cores, nearly all of it per-call machinery (cache objects, masks, output records), not
arithmetic; this loop does the same arithmetic in about a quarter of the time, which is what lets the
chat stream hundreds of tokens a second. It is the textbook GPT-2 block, pre-norm:

    a = softmax(q k^T / sqrt(d_head) + causal mask) v        per head, q k v = LN1(h) W_qkv
    h = h + a W_o;   h = h + W_2 gelu_tanh(W_1 LN2(h));   logits = LN_f(h) W_emb^T

with the keys and values of earlier tokens kept in preallocated tensors (the KV cache).
tests/unit/test_gpt_fast_decoding.py checks it against transformers' own logits and attentions.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

ACTIVATIONS = {"gelu_new": "tanh", "gelu_pytorch_tanh": "tanh", "gelu": "none"}


def supports(model) -> bool:  # noqa: ANN001
    """True for a GPT-2 whose options this loop implements (every GPT-2 checkpoint on the Hub does)."""
    config = model.config
    return (getattr(config, "model_type", "") == "gpt2" and config.activation_function in ACTIVATIONS
            and not getattr(config, "scale_attn_by_inverse_layer_idx", False)
            and not getattr(config, "reorder_and_upcast_attn", False) and getattr(config, "scale_attn_weights", True)
            and next(model.parameters()).dtype == torch.float32)


class GPT2Decoder:
    """Feed tokens in, get the next token's logits and the attention of the newest position."""

    def __init__(self, model) -> None:  # noqa: ANN001 (a transformers GPT2LMHeadModel)
        config = model.config
        self.n_head, self.d = config.n_head, config.n_embd
        self.d_head = self.d // self.n_head
        self.eps = config.layer_norm_epsilon
        self.gelu = ACTIVATIONS[config.activation_function]
        self.context = config.n_positions
        t = model.transformer
        self.wte, self.wpe = t.wte.weight, t.wpe.weight
        self.scale = 1 / math.sqrt(self.d_head)
        self.layers = []
        for b in t.h:
            # fold the 1/sqrt(d_head) of the scores into the query's weights and bias, once
            w_qkv, b_qkv = b.attn.c_attn.weight.detach().clone(), b.attn.c_attn.bias.detach().clone()
            w_qkv[:, : self.d] *= self.scale
            b_qkv[: self.d] *= self.scale
            self.layers.append((b.ln_1, w_qkv, b_qkv, b.attn.c_proj, b.ln_2, b.mlp.c_fc, b.mlp.c_proj))
        self.ln_f, self.head = t.ln_f, model.lm_head.weight
        layers = len(self.layers)
        # keys stored transposed, (d_head, position), so q k^T is one matmul with no transpose per step
        self.keys_t = torch.zeros(layers, self.n_head, self.d_head, self.context)
        self.values = torch.zeros(layers, self.n_head, self.context, self.d_head)
        self.length = 0  # tokens in the cache

    def _ln(self, ln, x: torch.Tensor) -> torch.Tensor:  # noqa: ANN001
        return F.layer_norm(x, (self.d,), ln.weight, ln.bias, self.eps)

    @torch.inference_mode()
    def feed(self, ids: list[int], rows: bool = True) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Append tokens; return the logits for the token after them (V,) and, for each layer, the
        attention of the last of them over every token so far, (layers, heads, length), or None
        when rows is False."""
        n, start = len(ids), self.length
        if start + n > self.context:
            raise ValueError(f"the model sees at most {self.context} tokens")
        positions = torch.arange(start, start + n)
        h = self.wte[torch.tensor(ids)] + self.wpe[positions]  # (n, d)
        end = start + n
        mask_bias = None
        if n > 1:  # token i may look at cache positions <= start + i: -inf on the rest
            mask_bias = torch.zeros(n, end).masked_fill_(torch.arange(end)[None, :] > positions[:, None], float("-inf"))
        last_rows = []
        for (ln_1, w_qkv, b_qkv, c_proj, ln_2, c_fc, c_proj2), keys_t, values in zip(self.layers, self.keys_t, self.values):
            qkv = torch.addmm(b_qkv, self._ln(ln_1, h), w_qkv)  # (n, 3d); Conv1D weights are (in, out)
            q, k, v = qkv.view(n, 3, self.n_head, self.d_head).permute(1, 2, 0, 3)  # each (heads, n, d_head)
            keys_t[:, :, start:end] = k.transpose(1, 2)
            values[:, start:end] = v
            scores = torch.bmm(q, keys_t[:, :, :end])  # (heads, n, end), already scaled through q
            if mask_bias is not None:
                scores += mask_bias
            weights = torch.softmax(scores, -1)
            if rows:
                last_rows.append(weights[:, -1])
            a = torch.bmm(weights, values[:, :end]).transpose(0, 1).reshape(n, self.d)
            h = torch.addmm(h, a, c_proj.weight).add_(c_proj.bias)  # h + a W_o + b_o
            m = F.gelu(torch.addmm(c_fc.bias, self._ln(ln_2, h), c_fc.weight), approximate=self.gelu)
            h = torch.addmm(h, m, c_proj2.weight).add_(c_proj2.bias)
        self.length = end
        logits = self._ln(self.ln_f, h[-1]) @ self.head.T
        return logits, torch.stack(last_rows) if rows else None
