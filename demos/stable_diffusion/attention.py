"""Where each word of the prompt looks: the UNet's cross-attention probabilities, recorded per call.

    install(unet)                              # once per loaded model: a recording processor on every attn2
    with recording() as maps:                  # only this thread's calls are recorded
        for step in denoise(...): ...
    words = token_maps(maps, side=8)           # (tokens, 8, 8): attention of each latent pixel to each token

The model is shared by every session, so the processors never change per run: each checks a
thread-local sink and, when this thread is not recording, computes exactly what diffusers' own
AttnProcessor does.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import torch
import torch.nn.functional as F
from diffusers.models.attention_processor import AttnProcessor

_local = threading.local()


class RecordingCrossAttention(AttnProcessor):
    """diffusers' AttnProcessor that, while this thread records, keeps the attention probabilities
    of the conditional half of the batch: (batch, heads, latent pixels, tokens)."""

    def __call__(self, attn, hidden_states, encoder_hidden_states=None, attention_mask=None, temb=None, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN204
        sink = getattr(_local, "sink", None)
        if sink is None or encoder_hidden_states is None or attn.spatial_norm is not None or hidden_states.ndim != 3:
            return super().__call__(attn, hidden_states, encoder_hidden_states, attention_mask, temb, *args, **kwargs)
        residual = hidden_states
        batch = hidden_states.shape[0]
        if attn.group_norm is not None:
            hidden_states = attn.group_norm(hidden_states.transpose(1, 2)).transpose(1, 2)
        query = attn.head_to_batch_dim(attn.to_q(hidden_states))
        context = attn.norm_encoder_hidden_states(encoder_hidden_states) if attn.norm_cross else encoder_hidden_states
        key, value = attn.head_to_batch_dim(attn.to_k(context)), attn.head_to_batch_dim(attn.to_v(context))
        probs = attn.get_attention_scores(query, key, attn.prepare_attention_mask(attention_mask, context.shape[1], batch))
        cond = probs.view(batch, attn.heads, *probs.shape[1:])[sink["keep"]]  # guided runs: (uncond, cond) halves
        sink["maps"].append(cond.detach().float().cpu())
        out = attn.batch_to_head_dim(torch.bmm(probs, value))
        out = attn.to_out[1](attn.to_out[0](out))
        if attn.residual_connection:
            out = out + residual
        return out / attn.rescale_output_factor


def install(unet) -> None:  # noqa: ANN001 (UNet2DConditionModel)
    """Put a recording processor on every cross-attention layer (named ...attn2...) of the UNet."""
    processors = {name: (RecordingCrossAttention() if ".attn2." in name else proc)
                  for name, proc in unet.attn_processors.items()}
    unet.set_attn_processor(processors)


@contextmanager
def recording(keep: slice = slice(None)) -> Iterator[list[torch.Tensor]]:
    """Record this thread's cross-attention; `keep` picks the batch rows to keep (slice(B, None)
    keeps the conditional half of a guided batch of 2B)."""
    maps: list[torch.Tensor] = []
    _local.sink = {"maps": maps, "keep": keep}
    try:
        yield maps
    finally:
        _local.sink = None


def token_maps(maps: list[torch.Tensor], side: int) -> torch.Tensor:
    """Mean over layers, steps and heads of the recorded maps, each resized to side x side:
    (batch, tokens, side, side), each token's map summing (over pixels) to what it drew."""
    if not maps:
        raise ValueError("nothing was recorded")
    total = None
    for m in maps:  # (batch, heads, pixels, tokens)
        b, _, pixels, tokens = m.shape
        s = int(round(pixels ** 0.5))
        grid = m.mean(1).permute(0, 2, 1).reshape(b, tokens, s, s)
        grid = F.interpolate(grid, size=(side, side), mode="bilinear", align_corners=False) if s != side else grid
        total = grid if total is None else total + grid
    return total / len(maps)
