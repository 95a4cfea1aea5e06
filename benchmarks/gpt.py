"""Speed and quality of the GPT tab on this machine.

    python -m benchmarks.gpt               # speed of both models, and the bundled model's bits per byte
    python -m benchmarks.gpt --no-quality  # speed only

Goals (issue 8), on 2 CPU cores: the bundled model generates at least 300 tokens/s; a model of
SmolLM2-135M's configuration (random weights: the cost is the same as the real one's, which cannot be
downloaded here) at least 15 tokens/s. Also printed: time to the first token, and the overhead of
collecting what the tab shows (probabilities, top candidates, attention, the decoded text) at every
step, against transformers' own `generate` with the same sampling settings.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

NEW_TOKENS = 200
PROMPT = "And God said, Let us make man in our image, after our likeness: and let them"


class _WrappedTokenizer:
    """The bundled tokenizer standing in for SmolLM2's (49,152 tokens): ids are folded into its
    2,048 for decoding, which costs what decoding costs; the model's outputs are random anyway."""

    def __init__(self, tokenizer, vocab: int) -> None:
        self.inner, self.vocab = tokenizer, vocab
        self.eos_token_id = vocab + 1  # never produced: every run makes all its tokens
        self.chat_template = None

    def decode(self, ids, **kw):
        return self.inner.decode([i % len(self.inner) for i in ids], **kw)


def smollm2_like():
    """LlamaForCausalLM with HuggingFaceTB/SmolLM2-135M's configuration and random weights."""
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=49152, hidden_size=576, intermediate_size=1536, num_hidden_layers=30,
                         num_attention_heads=9, num_key_value_heads=3, max_position_embeddings=8192,
                         rope_theta=100000.0, rms_norm_eps=1e-5, tie_word_embeddings=True, bos_token_id=0,
                         eos_token_id=0, attn_implementation="eager")
    return LlamaForCausalLM(config).eval()


def _ours(lm, ids: list[int], internals: bool) -> tuple[float, float]:
    """(seconds to the first token, tokens per second overall) through the tab's generation loop."""
    from demos.gpt import decoding

    t0 = time.perf_counter()
    first = None
    for latest in decoding.generate(lm, ids, NEW_TOKENS, 0.8, 40, 0.95, seed=0, internals=internals):
        first = first or time.perf_counter() - t0
        run = latest
    seconds = time.perf_counter() - t0
    return first, len(run.steps) / seconds


def _hf_generate(lm, ids: list[int]) -> float:
    """Tokens per second of transformers' generate, same settings, nothing collected."""
    x = torch.tensor([ids])
    t0 = time.perf_counter()
    with torch.inference_mode():
        out = lm.model.generate(x, max_new_tokens=NEW_TOKENS, min_new_tokens=NEW_TOKENS, do_sample=True,
                                temperature=0.8, top_k=40, top_p=0.95, pad_token_id=0)
    return (out.shape[1] - x.shape[1]) / (time.perf_counter() - t0)


def speed_table(name: str, lm, ids: list[int], repeats: int = 3) -> None:
    _ours(lm, ids, True)  # warm-up
    plain = statistics.median(_hf_generate(lm, ids) for _ in range(repeats))
    bare = [_ours(lm, ids, False) for _ in range(repeats)]
    full = [_ours(lm, ids, True) for _ in range(repeats)]
    rate_bare = statistics.median(r for _, r in bare)
    rate_full = statistics.median(r for _, r in full)
    first = statistics.median(f for f, _ in full)
    print(f"| {name} | {1000 * first:.0f} | {plain:.0f} | {rate_bare:.0f} | {rate_full:.0f} | "
          f"{100 * (rate_bare / rate_full - 1):+.0f}% | {100 * (plain / rate_full - 1):+.0f}% |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-quality", action="store_true", help="skip the bits-per-byte measurement")
    args = parser.parse_args()
    from demos.gpt.lm import LanguageModel, int8_for_cpu, load_lm

    bundled = load_lm("")
    ids = bundled.tokenizer(PROMPT, add_special_tokens=False)["input_ids"]
    print(f"## Generation speed ({torch.get_num_threads()} CPU threads; {NEW_TOKENS} new tokens after a "
          f"{len(ids)}-token prompt, temperature 0.8, top-k 40, top-p 0.95; median of 3)\n")
    print("| model | first token ms | transformers generate tokens/s | tab's loop, probabilities only tokens/s | "
          "tab's loop, probabilities + attention + text tokens/s | time added by the attention | "
          "time against transformers generate |")
    print("|---|---|---|---|---|---|---|")
    speed_table(f"{bundled.spec} (bundled, {sum(p.numel() for p in bundled.model.parameters()) / 1e6:.1f} M)", bundled, ids)
    model = smollm2_like()
    tokenizer = _WrappedTokenizer(bundled.tokenizer, 49152)
    int8, _ = int8_for_cpu(model)
    size = f"{sum(p.numel() for p in model.parameters()) / 1e6:.0f} M"
    speed_table(f"SmolLM2-135M configuration, random weights ({size}), int8 linear layers: as the tab runs it",
                LanguageModel(int8, tokenizer, "SmolLM2-135M config", "random", int8=True), ids)
    speed_table(f"the same in float32 ({size})", LanguageModel(model, tokenizer, "SmolLM2-135M config", "random"), ids)
    print("\nGoals: bundled at least 300 tokens/s, SmolLM2-135M's size at least 15 tokens/s (the tab's loop, "
          "everything collected).")

    if not args.no_quality:
        from demos.gpt.train import bits_per_byte, encode
        from shared.corpus import split_corpus

        train_text, val_text = split_corpus()
        val = bits_per_byte(bundled.model, encode(bundled.tokenizer, val_text), len(val_text.encode()))
        print(f"\n## Quality\n\n- {bundled.spec}: **{val:.3f} bits per byte** on the held-out chapters "
              f"({len(val_text):,} characters); xz -9 compresses the same text to "
              f"{_xz_bits_per_byte(val_text):.3f}")


def _xz_bits_per_byte(text: str) -> float:
    import lzma

    data = text.encode()
    return 8 * len(lzma.compress(data, preset=9)) / len(data)


if __name__ == "__main__":
    main()
