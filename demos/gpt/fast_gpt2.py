"""Token-by-token decoding of a transformers GPT-2 (GPT2LMHeadModel) with its own weights, in numpy.

Why: at the bundled model's size (4 layers, 192 wide) one step of transformers' forward costs about
4 ms on 2 CPU cores, nearly all of it per-call machinery (cache objects, masks, output records, and
torch's own cost per operation, about 15 us here), not arithmetic. The same arithmetic in numpy,
whose operations cost a few microseconds each on arrays this small, takes about 1.5 ms, which is
what lets the chat stream hundreds of tokens a second. It is the textbook GPT-2 block, pre-norm:

    a = softmax(q k^T / sqrt(d_head) + causal mask) v        per head, q k v = LN1(h) W_qkv
    h = h + a W_o;   h = h + W_2 gelu_tanh(W_1 LN2(h));   logits = LN_f(h) W_emb^T

with the keys and values of earlier tokens kept in preallocated arrays (the KV cache).
tests/unit/test_gpt_fast_decoding.py checks it against transformers' own logits and attentions.
"""

from __future__ import annotations

import math

import numpy as np

ACTIVATIONS = ("gelu_new", "gelu_pytorch_tanh", "gelu")


def supports(model) -> bool:  # noqa: ANN001
    """True for a float32 GPT-2 with the options this loop implements (every GPT-2 on the Hub)."""
    import torch

    config = model.config
    return (getattr(config, "model_type", "") == "gpt2" and config.activation_function in ACTIVATIONS
            and not getattr(config, "scale_attn_by_inverse_layer_idx", False)
            and not getattr(config, "reorder_and_upcast_attn", False) and getattr(config, "scale_attn_weights", True)
            and next(model.parameters()).dtype == torch.float32)


def _array(tensor) -> np.ndarray:  # noqa: ANN001
    return tensor.detach().cpu().numpy()


class GPT2Decoder:
    """Feed tokens in, get the next token's logits and the attention of the newest position."""

    def __init__(self, model) -> None:  # noqa: ANN001 (a transformers GPT2LMHeadModel)
        config = model.config
        self.n_head, self.d = config.n_head, config.n_embd
        self.d_head = self.d // self.n_head
        self.eps = config.layer_norm_epsilon
        self.exact_gelu = config.activation_function == "gelu"
        self.context = config.n_positions
        t = model.transformer
        self.wte, self.wpe = _array(t.wte.weight), _array(t.wpe.weight)
        scale = 1 / math.sqrt(self.d_head)
        self.layers = []
        for b in t.h:
            # fold the 1/sqrt(d_head) of the scores into the query's weights and bias, once
            w_qkv, b_qkv = _array(b.attn.c_attn.weight).copy(), _array(b.attn.c_attn.bias).copy()
            w_qkv[:, : self.d] *= scale
            b_qkv[: self.d] *= scale
            self.layers.append((_array(b.ln_1.weight), _array(b.ln_1.bias), w_qkv, b_qkv,  # Conv1D: (in, out)
                                _array(b.attn.c_proj.weight), _array(b.attn.c_proj.bias),
                                _array(b.ln_2.weight), _array(b.ln_2.bias), _array(b.mlp.c_fc.weight),
                                _array(b.mlp.c_fc.bias), _array(b.mlp.c_proj.weight), _array(b.mlp.c_proj.bias)))
        self.ln_f = (_array(t.ln_f.weight), _array(t.ln_f.bias))
        self.head = np.ascontiguousarray(_array(model.lm_head.weight).T)  # (d, V)
        layers = len(self.layers)
        # keys stored transposed, (d_head, position), so q k^T is one matmul with no transpose per step
        self.keys_t = np.zeros((layers, self.n_head, self.d_head, self.context), np.float32)
        self.values = np.zeros((layers, self.n_head, self.context, self.d_head), np.float32)
        self.length = 0  # tokens in the cache

    def _ln(self, x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
        x = x - x.mean(-1, keepdims=True)
        return x / np.sqrt((x * x).mean(-1, keepdims=True) + self.eps) * w + b

    def _gelu(self, x: np.ndarray) -> np.ndarray:
        if self.exact_gelu:
            from scipy.special import erf

            return 0.5 * x * (1 + erf(x / math.sqrt(2)))
        return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x * x * x)))

    def feed(self, ids: list[int], rows: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
        """Append tokens; return the logits for the token after them (V,) and, for each layer, the
        attention of the last of them over every token so far, (layers, heads, length), or None
        when rows is False."""
        n, start = len(ids), self.length
        end = start + n
        if end > self.context:
            raise ValueError(f"the model sees at most {self.context} tokens")
        h = self.wte[ids] + self.wpe[start:end]  # (n, d)
        mask = None
        if n > 1:  # token i may look at cache positions <= start + i: -inf on the rest
            mask = np.where(np.arange(end)[None, :] > np.arange(start, end)[:, None], -np.inf, 0.0).astype(np.float32)
        last_rows = []
        for (w1, b1, w_qkv, b_qkv, w_o, b_o, w2, b2, w_fc, b_fc, w_out, b_out), keys_t, values in zip(
                self.layers, self.keys_t, self.values):
            qkv = self._ln(h, w1, b1) @ w_qkv + b_qkv  # (n, 3d)
            q, k, v = qkv.reshape(n, 3, self.n_head, self.d_head).transpose(1, 2, 0, 3)  # each (heads, n, d_head)
            keys_t[:, :, start:end] = k.transpose(0, 2, 1)
            values[:, start:end] = v
            scores = q @ keys_t[:, :, :end]  # (heads, n, end), already scaled through q
            if mask is not None:
                scores = scores + mask
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            weights = scores / scores.sum(-1, keepdims=True)
            if rows:
                last_rows.append(weights[:, -1])
            a = (weights @ values[:, :end]).transpose(1, 0, 2).reshape(n, self.d)
            h = h + a @ w_o + b_o
            h = h + self._gelu(self._ln(h, w2, b2) @ w_fc + b_fc) @ w_out + b_out
        self.length = end
        logits = self._ln(h[-1], *self.ln_f) @ self.head
        return logits, np.stack(last_rows) if rows else None
