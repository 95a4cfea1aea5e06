"""The assistant's figures and the Alignment tab's speed on this machine.

    python -m benchmarks.alignment            # everything (about 6 minutes on 2 cores)
    python -m benchmarks.alignment --quick    # 1 seed, 60 questions: a minute

Goals (issue 33): held-out phrasings answered with the right concept, DPO >= 85% (SFT reported, base
<= 15%); answers that end their turn >= 98%; DPO preferred by the rules over SFT by +15 points; mean
length DPO within ±30% of SFT; live tuning on 16 votes <= 30 s, its first frame within 200 ms;
streamed decoding of the assistant >= 300 tokens/s; checkpoints/ within 90 MB.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # bundled models only: the Hub is never asked


def figures(seeds: tuple[int, ...], n: int) -> None:
    from demos.alignment import measure
    from demos.alignment.model import BASE, DPO, SFT
    from demos.alignment.train import figures_table, load_stage

    examples = measure.held_out_questions(n)
    tokenizer = load_stage(SFT)[1]
    found = {}
    for name in (BASE, SFT, DPO):
        model = load_stage(name)[0].eval()
        found[name] = measure.measure_stage(model, tokenizer, name, examples, seeds)
    print(f"## Held-out phrasings: {len(examples)} questions, seeds {', '.join(map(str, seeds))}\n")
    print(figures_table(list(found.values())))
    wins = [measure.preferred(d, s) for d, s in zip(found[DPO].per_seed, found[SFT].per_seed)]
    win, loss = statistics.fmean(w for w, _ in wins), statistics.fmean(v for _, v in wins)
    length = found[DPO].spread("mean_words")[0] / found[SFT].spread("mean_words")[0] - 1
    print(f"\nDPO against SFT, head to head: the rules prefer DPO {win:.1%}, SFT {loss:.1%} "
          f"({100 * (win - loss):+.1f} points; goal +15). Mean length DPO/SFT - 1: {length:+.1%} (goal within ±30%).\n")


def _taught_votes(book, n: int) -> None:
    from demos.alignment import chat_data, votes

    for e in chat_data.concept_examples("train")[:n]:
        first = e.answers[-1].split(". ")[0]
        book.add(votes.Pair(next(votes._pair_ids), e.messages()[-2]["content"], (e.answers[-1], " ".join([first] * 3)),
                            book.generation), "A")


def audience_votes(book, n: int, seed: int) -> None:
    """n votes as a visitor casts them: a pair drawn from the model for a held-out question, the
    answer the rules score higher chosen (A on a tie)."""
    from demos.alignment import rules, votes

    seat = votes.Seat()
    for _ in range(n):
        pair = votes.draw_pair(seat, book, "", seed)
        topic = pair.topic
        a, b = (rules.judge(t, topic, True).score for t in pair.answers)
        votes.cast_vote(seat, book, "B" if b > a else "A")


def live_tuning(steps: int | None = None, votes_n: int = 16) -> None:
    from demos.alignment import answers, live, options, votes
    from shared.live import Press

    steps = steps or options.TUNE_STEPS_SLIDER.value
    answers.stage(options.TUNE_FROM)  # loaded, as in a warm server
    rows = ["| votes | steps | first frame | whole run | steps/s | final DPO loss | final KL/token |", "|---|---|---|---|---|---|---|"]
    for trial in range(3):
        book = votes.Book("bench")
        audience_votes(book, votes_n, trial)
        start = time.perf_counter()
        first = None
        for frame in live.tune(book, Press(0, cap_s=math.inf), steps, seed=trial, seconds=math.inf):  # noqa: B007 (the last is read)
            first = first if first is not None else time.perf_counter() - start
        total = time.perf_counter() - start
        rows.append(f"| {votes_n} | {frame.step} | {1000 * first:.0f} ms | {total:.1f} s | {frame.step / frame.seconds:.1f} | "
                    f"{frame.loss[-1]:.4f} | {frame.kl[-1][1]:.3f} |")
    print(f"## Live tuning on {votes_n} votes drawn and cast as a visitor would ({steps} steps, the tab's default; "
          "goal <= 30 s, first frame <= 200 ms)\n")
    print("\n".join(rows) + "\n")


def decoding_speed(new_tokens: int = 100) -> None:
    from demos.gpt import decoding
    from demos.gpt.lm import load_lm

    lm = load_lm("")
    prompt = lm.tokenizer.apply_chat_template([{"role": "user", "content": "What is a diffusion model?"}],
                                              add_generation_prompt=True)
    prompt = prompt["input_ids"] if isinstance(prompt, dict) or hasattr(prompt, "keys") else prompt
    rows = ["| seed | tokens | seconds | tokens/s |", "|---|---|---|---|"]
    speeds = []
    for seed in range(5):
        start, run = time.perf_counter(), None
        for run in decoding.generate(lm, list(prompt), new_tokens, temperature=0.8, seed=seed):  # noqa: B007 (the last is read)
            pass
        took, made = time.perf_counter() - start, len(run.answer_ids)
        speeds.append(made / took)
        rows.append(f"| {seed} | {made} | {took:.2f} | {made / took:.0f} |")
    print("## Streamed decoding of the assistant (the GPT tab's decoder, every step's internals collected; goal >= 300)\n")
    print("\n".join(rows) + f"\n\nmedian {statistics.median(speeds):.0f} tokens/s\n")


def checkpoints_size() -> None:
    from shared.checkpoints import CHECKPOINTS_DIR

    total = sum(p.stat().st_size for p in CHECKPOINTS_DIR.rglob("*") if p.is_file())
    stages = {name: sum(p.stat().st_size for p in (CHECKPOINTS_DIR / name).iterdir()) for name in ("gpt-kjv", "gpt-kjv-sft", "gpt-kjv-dpo")}
    print("## checkpoints/ (budget 90 MB)\n")
    print(" · ".join(f"{k}: {v / 1e6:.1f} MB" for k, v in stages.items()) + f" · all of checkpoints/: {total / 1e6:.1f} MB\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1 seed and 60 questions")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(2)
    figures((0,) if args.quick else (0, 1, 2, 3, 4), 60 if args.quick else 240)
    live_tuning()
    decoding_speed()
    checkpoints_size()


if __name__ == "__main__":
    main()
