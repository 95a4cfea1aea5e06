"""The command line every training script shares, and the command its model card quotes."""

from dataclasses import dataclass

import torch

from shared.training import command_line, ema_update, parse_config


@dataclass
class Cfg:
    steps: int = 10
    lr: float = 1e-3
    out: str = "checkpoints/x"


def test_flags_come_from_the_config():
    assert parse_config(Cfg, None, ["--steps", "5", "--lr", "0.5"]) == Cfg(steps=5, lr=0.5)


def test_card_command_names_what_changed_and_not_where_it_went():
    assert command_line(Cfg(steps=5, out="/tmp/y"), "demos.x.train") == "python -m demos.x.train --steps 5"


def test_ema_moves_towards_the_model():
    ema, model = torch.nn.Linear(1, 1, bias=False), torch.nn.Linear(1, 1, bias=False)
    ema.weight.data.fill_(0.0)
    model.weight.data.fill_(1.0)
    ema_update(ema, model, decay=0.9)
    ema.weight.requires_grad_(False)
    assert abs(ema.weight.item() - 0.1) < 1e-6


def test_run_setup_and_the_time_limit(tmp_path):
    from dataclasses import dataclass

    from shared.training import run_setup, time_is_up

    @dataclass
    class RunCfg:
        steps: int = 100
        device: str = "cpu"
        time_limit_min: float = 0.5
        out: str = str(tmp_path / "out")
        state_dir: str = str(tmp_path / "state")

    cfg = RunCfg()
    device, state_dir, out = run_setup(cfg)
    assert device == "cpu" and state_dir.is_dir() and out == tmp_path / "out"
    assert not time_is_up(cfg, 10, 29.0) and cfg.steps == 100
    assert time_is_up(cfg, 12, 31.0) and cfg.steps == 12  # the card reports the steps taken
    assert not time_is_up(RunCfg(time_limit_min=0.0), 10, 1e9)  # 0 = no limit


def _counting_run(tmp_path, **changes):
    from shared.training import RunConfig, TrainingRun

    @dataclass
    class Cfg(RunConfig):
        steps: int = 5

    cfg = Cfg(device="cpu", out=str(tmp_path / "out"), state_dir=str(tmp_path / "state"), **changes)
    run = TrainingRun(cfg, "test")
    layer = torch.nn.Linear(2, 1)
    opt = torch.optim.SGD(layer.parameters(), lr=0.1)
    layer, opt = run.prepare(layer, opt)
    run.resume()

    def step() -> dict[str, float]:
        loss = layer(torch.randn(4, 2, generator=run.gen)).pow(2).mean()
        opt.zero_grad()
        run.backward(loss)
        opt.step()
        return {"loss": loss.item()}

    return cfg, run, step


def test_the_loop_evaluates_saves_and_a_rerun_resumes(tmp_path):
    import json

    cfg, run, step = _counting_run(tmp_path)
    run.loop(step, lambda: {"half": run.step / 2}, eval_every=2, stop_at=3)
    assert run.step == 3 and run.history == [{"step": 2, "half": 1.0}] and run.logs["loss"] >= 0
    assert json.loads((tmp_path / "state" / "history.json").read_text()) == run.history
    cfg, again, step = _counting_run(tmp_path)
    assert again.step == 3 and again.history == [{"step": 2, "half": 1.0}] and again.elapsed == run.elapsed
    again.loop(step, lambda: {"half": again.step / 2}, eval_every=2)
    assert again.step == 5 and [h["step"] for h in again.history] == [2, 4]


def test_the_time_limit_stops_the_loop_and_the_card_reports_the_steps_taken(tmp_path):
    cfg, run, step = _counting_run(tmp_path, time_limit_min=1e-9)
    run.loop(step)
    assert run.step == 0 and cfg.steps == 0  # the limit is seen before each step
