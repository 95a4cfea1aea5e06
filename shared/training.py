"""What every training script here shares: the one training loop on Accelerate (`TrainingRun`),
the options every config has (`RunConfig`), its command line from the config dataclass, the command
that reproduces a run, the hardware it ran on, and the weight average (EMA).

    @dataclass
    class TrainConfig(RunConfig):                      # seed, device, mixed precision, time limit, out, state_dir
        steps: int = 100
    cfg = parse_config(TrainConfig, __doc__)          # --steps 100 --batch-size 64 ...
    command_line(cfg, "demos.gan.train")              # "python -m demos.gan.train --steps 100"

Each trainer (demos/*/train.py, shared/train_shapes_classifier.py) holds its data, model and loss
in build() and train_step(); fit() hands them to a TrainingRun, which resumes, loops, evaluates,
shows progress and saves.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

import torch
from tqdm import tqdm

C = TypeVar("C")
T = TypeVar("T")

# options that say where and how long a run goes, not what it learns: left out of the card's command
RUN_OPTIONS = frozenset({"out", "state_dir", "device", "time_limit_min"})


def parse_config(config_class: type[C], description: str | None, argv: Sequence[str] | None = None) -> C:
    """A --flag per field of the config dataclass, typed and defaulted from it."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    for name, default in asdict(config_class()).items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=type(default), default=default)
    return config_class(**vars(parser.parse_args(argv)))


def command_line(cfg: object, module: str) -> str:
    """The command that reproduces this run: the options that differ from the defaults."""
    default = asdict(type(cfg)())
    args = [f"--{k.replace('_', '-')} {v}" for k, v in asdict(cfg).items() if k not in RUN_OPTIONS and v != default[k]]
    return " ".join([f"python -m {module}", *args])


def run_progress(step: int, steps: int, seconds: float, time_limit_min: float) -> float:
    """How far a run is, 0 to 1: it ends at `steps` or at the time limit (0 = none), whichever comes first."""
    progress = step / steps
    if time_limit_min:
        progress = max(progress, seconds / (60 * time_limit_min))
    return progress


def run_setup(cfg) -> tuple[str, Path, Path]:  # noqa: ANN001 (a trainer's config dataclass)
    """(device, state folder (created), output folder) of a run from its config's device, state_dir
    and out; device "auto" is the GPU if there is one."""
    from shared.checkpoints import best_device

    device = best_device() if cfg.device == "auto" else cfg.device
    state_dir, out = Path(cfg.state_dir), Path(cfg.out)
    state_dir.mkdir(parents=True, exist_ok=True)
    return device, state_dir, out


def time_is_up(cfg, step: int, seconds: float) -> bool:  # noqa: ANN001
    """True once a run with a time limit has trained for longer than it; then cfg.steps becomes
    the steps actually taken (what the model card reports) and the stop is logged."""
    if not out_of_time(seconds, cfg.time_limit_min):
        return False
    print(f"time limit reached at step {step}")
    cfg.steps = step
    return True


def out_of_time(seconds: float, time_limit_min: float) -> bool:
    """True once a run with a time limit (0 = none) has trained for longer than it."""
    return bool(time_limit_min) and seconds > 60 * time_limit_min


def hardware_name(device: str) -> str:
    """What the model card says a run ran on."""
    if device.startswith("cuda"):
        return f"one {torch.cuda.get_device_name(device)} GPU"
    n = torch.get_num_threads()
    return f"{n} CPU thread{'' if n == 1 else 's'}"


@torch.no_grad()
def ema_update(ema: torch.nn.Module, model: torch.nn.Module, decay: float) -> None:
    """theta_ema <- decay * theta_ema + (1 - decay) * theta; buffers are copied."""
    for e, p in zip(ema.parameters(), model.parameters()):
        e.lerp_(p, 1 - decay)
    for e, b in zip(ema.buffers(), model.buffers()):
        e.copy_(b)


def through_forward(model: torch.nn.Module, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """fn(module, *args, **kwargs) where `module` is the network `model` holds, run as the forward of
    `model` when a wrapper holds it (DistributedDataParallel under `accelerate launch`): a wrapper
    synchronises the gradients of what runs inside its forward only, and a method called on the
    module it holds (`vae.negative_elbo`, `clip.get_image_features`) would bypass it, leaving each
    GPU with its own gradients. Without a wrapper, just fn(model, ...)."""
    inner = getattr(model, "module", None)
    if not isinstance(inner, torch.nn.Module):
        return fn(model, *args, **kwargs)
    own = inner.__dict__.get("forward")  # an instance forward (Accelerate's autocast wrapper) is put back
    inner.forward = lambda *a, **k: fn(inner, *a, **k)
    try:
        return model(*args, **kwargs)
    finally:
        if own is None:
            del inner.forward
        else:
            inner.forward = own


# ---- the one training loop ---------------------------------------------------------------------


@dataclass
class RunConfig:
    """The options every trainer's config shares (a trainer's TrainConfig subclasses it and sets
    its own `out` and `state_dir` defaults)."""

    seed: int = 0
    device: str = "auto"  # "auto": the GPU if there is one, else the CPU
    mixed_precision: str = "no"  # "bf16" or "fp16" on a GPU (Accelerate's autocast); "no" on a CPU
    time_limit_min: float = 0.0  # stop early (and save) after this many minutes; 0 = no limit
    out: str = ""
    state_dir: str = ""


class _Progress:
    """The run's step, training seconds and evaluation history, saved with its state."""

    def __init__(self) -> None:
        self.step, self.seconds, self.history = 0, 0.0, []

    def state_dict(self) -> dict:
        return {"step": self.step, "seconds": self.seconds, "history": self.history}

    def load_state_dict(self, state: dict) -> None:
        self.step, self.seconds, self.history = int(state["step"]), float(state["seconds"]), list(state["history"])


class _GeneratorState:
    """A torch.Generator saved with the run, so a resumed run draws the batches a straight one would."""

    def __init__(self, gen: torch.Generator) -> None:
        self.gen = gen

    def state_dict(self) -> dict:
        return {"state": self.gen.get_state()}

    def load_state_dict(self, state: dict) -> None:
        self.gen.set_state(state["state"])


class TrainingRun:
    """The one training loop, on Hugging Face Accelerate: device placement, mixed precision on a
    GPU, several GPUs under `accelerate launch`, checkpoint and resume through Accelerate's state
    (weights, optimisers, every random generator, and what `keep` registers), the time limit,
    evaluation every so often, the progress bar and saving, written once. A trainer gives its
    data, model and loss:

        run = TrainingRun(cfg, "GAN")               # seeds torch, picks the device
        model, opt = run.prepare(model, opt)        # what trains
        run.keep(ema)                               # what else the state holds
        run.resume()                                # the saved state, if any: rerun to continue
        run.loop(lambda: one_step(...), evaluate, eval_every=cfg.eval_every)
        run.unwrap(model).save_pretrained(run.out)

    `run.gen` draws the batches (its state is saved too); `run.backward(loss)` replaces
    loss.backward(); a loss from a method of the model, not its forward, goes through
    `run.call(model, lambda m, x: m.negative_elbo(x), x)`, so several GPUs share its gradients;
    `run.elapsed` is the training time so far (for a schedule that ends at the time limit).
    """

    def __init__(self, cfg: RunConfig, desc: str) -> None:
        from accelerate import Accelerator
        from accelerate.utils import set_seed

        from shared.checkpoints import best_device

        self.cfg, self.desc = cfg, desc
        device = best_device() if cfg.device == "auto" else cfg.device
        on_gpu = device.startswith("cuda")
        self.accelerator = Accelerator(cpu=not on_gpu, mixed_precision=cfg.mixed_precision if on_gpu else "no")
        self.device = str(self.accelerator.device)
        set_seed(cfg.seed)  # python, numpy and torch: the models' initial weights follow the seed
        torch.backends.cudnn.benchmark = True
        self.state_dir, self.out = Path(cfg.state_dir), Path(cfg.out)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        # each process of a multi-GPU run draws its own batches
        self.gen = torch.Generator(self.device).manual_seed(cfg.seed + self.accelerator.process_index)
        self._progress = _Progress()
        self.accelerator.register_for_checkpointing(self._progress, _GeneratorState(self.gen))
        self._t0: float | None = None
        self.logs: dict[str, float] = {}  # what the last step returned

    # ---- what the trainer uses --------------------------------------------------------------

    @property
    def step(self) -> int:
        return self._progress.step

    @property
    def history(self) -> list[dict]:
        return self._progress.history

    @property
    def elapsed(self) -> float:
        """Training seconds so far, this session's included."""
        running = time.perf_counter() - self._t0 if self._t0 is not None else 0.0
        return self._progress.seconds + running

    @property
    def hardware(self) -> str:
        return hardware_name(self.device)

    def prepare(self, *objects: Any) -> Any:
        """Models and optimisers that train, placed (and wrapped where Accelerate needs to)."""
        return self.accelerator.prepare(*objects)

    def start_at(self, step: int, seconds: float, history: list[dict]) -> None:
        """Count from where an earlier run of the same model stopped (a run continued from saved
        weights whose state is gone); a saved state, if any, replaces this in resume()."""
        self._progress.step, self._progress.seconds, self._progress.history = step, seconds, list(history)

    def keep(self, *objects: Any) -> None:
        """Other objects with state_dict()/load_state_dict() the saved state holds (EMA copies)."""
        self.accelerator.register_for_checkpointing(*objects)

    def backward(self, loss: torch.Tensor) -> None:
        self.accelerator.backward(loss)

    def clip_grad_norm(self, parameters: Any, max_norm: float) -> None:
        self.accelerator.clip_grad_norm_(parameters, max_norm)

    def optimise(self, opt: torch.optim.Optimizer, loss: torch.Tensor, clip: Any = None, max_norm: float = 1.0) -> None:
        """One update: zero the gradients, backward, clip the gradient norm of `clip` (parameters) if
        given, step."""
        opt.zero_grad(set_to_none=True)
        self.backward(loss)
        if clip is not None:
            self.clip_grad_norm(clip, max_norm)
        opt.step()

    def call(self, model: torch.nn.Module, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """fn(module, *args) through the prepared model's forward, in the run's mixed precision: for a
        loss that is not the network's forward (through_forward says why)."""
        with self.accelerator.autocast():
            return through_forward(model, fn, *args, **kwargs)

    def unwrap(self, model: torch.nn.Module) -> torch.nn.Module:
        return self.accelerator.unwrap_model(model)

    # ---- the loop ---------------------------------------------------------------------------

    def resume(self) -> int:
        """Load the saved state, if there is one (call after prepare and keep); the step reached."""
        if (self.state_dir / "random_states_0.pkl").exists():
            self.accelerator.load_state(str(self.state_dir))
            print(f"resuming at step {self.step}")
        return self.step

    def save(self) -> None:
        """Everything a resumed run needs, in state_dir; the history also as history.json."""
        self.accelerator.wait_for_everyone()
        self.accelerator.save_state(str(self.state_dir))
        if self.accelerator.is_main_process:
            (self.state_dir / "history.json").write_text(json.dumps(self.history))

    def loop(self, train_step: Callable[[], dict[str, float]], evaluate: Callable[[], dict] | None = None,
             eval_every: int = 0, log_every: int = 20, stop_at: int | None = None, total: int | None = None) -> None:
        """Call train_step (one optimisation step; it returns the figures the bar shows) until
        cfg.steps or the time limit, then save. Every eval_every steps, evaluate() is added to the
        history (with the step) and the state is saved. At the time limit, cfg.steps becomes the
        steps taken (what the card reports). `stop_at` stops earlier, as an interruption would,
        leaving cfg alone (the resume tests). `total`: the run's steps for a config without a
        `steps` field (one counted in epochs)."""
        cfg, progress = self.cfg, self._progress
        bar = tqdm(total=cfg.steps if total is None else total, initial=progress.step, desc=self.desc, mininterval=5,
                   disable=not self.accelerator.is_main_process)
        self._t0 = time.perf_counter()
        try:
            while progress.step < min(cfg.steps if total is None else total, stop_at or math.inf):
                if total is None and time_is_up(cfg, progress.step, self.elapsed):
                    break
                if total is not None and out_of_time(self.elapsed, cfg.time_limit_min):
                    print(f"time limit reached at step {progress.step}")
                    break
                self.logs = logs = train_step()
                progress.step += 1
                bar.update(1)
                if progress.step % log_every == 0 and logs:
                    bar.set_postfix({k: f"{v:.4g}" for k, v in logs.items()})
                if eval_every and evaluate is not None and progress.step % eval_every == 0:
                    self._stop_clock()
                    progress.history.append({"step": progress.step, **evaluate()})
                    tqdm.write(f"step {progress.step}: " + ", ".join(
                        f"{k} {v:.4g}" for k, v in progress.history[-1].items() if k != "step" and isinstance(v, float)))
                    self.save()
                    self._t0 = time.perf_counter()
        finally:
            bar.close()
            self._stop_clock()
        self.save()

    def _stop_clock(self) -> None:
        if self._t0 is not None:
            self._progress.seconds += time.perf_counter() - self._t0
            self._t0 = None


S = TypeVar("S")


def fit_run(cfg: RunConfig, desc: str, build: Callable[[Any, TrainingRun], S],
        train_step: Callable[[Any, TrainingRun, S], dict[str, float]],
        progress: Callable[[TrainingRun, S], dict] | None = None, *, eval_every: int = 0, log_every: int = 20,
        stop_at: int | None = None, total: int | None = None) -> tuple[TrainingRun, S]:
    """A trainer's run from its three parts: build(cfg, run) -> its setup (models prepared, data),
    train_step(cfg, run, setup) -> the step's figures, progress(run, setup) -> the figures kept every
    eval_every steps. Resumes from a saved state, trains to cfg.steps (or `total`) or the time limit
    (or stop_at), saves; returns the run and the setup for the trainer's final measurements."""
    run = TrainingRun(cfg, desc)
    setup = build(cfg, run)
    run.resume()
    run.loop(lambda: train_step(cfg, run, setup), (lambda: progress(run, setup)) if progress else None,
             eval_every=eval_every, log_every=log_every, stop_at=stop_at, total=total)
    return run, setup


def cosine_tail(lr: float, step: int, decay_from: int, steps: int) -> float:
    """The learning rate: constant, then (from decay_from; 0: never) a cosine fall to lr/20 at `steps`."""
    if not decay_from or step < decay_from:
        return lr
    fall = min(1.0, (step - decay_from) / max(1, steps - decay_from))
    return lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * fall)))
