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
