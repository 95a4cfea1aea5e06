"""The one loading path, exercised with tiny models saved by save_pretrained: as a local folder,
as a bundled folder, and through the Hub code path from the offline cache. Nothing is mocked:
every load goes through the class's real from_pretrained."""

import pytest
import torch
from huggingface_hub import constants
from torch import nn

from shared import checkpoints
from shared.checkpoints import CheckpointError, SafetensorsHubMixin, load
from tests.hub_cache import hub_snapshot_dir


class TinyNet(nn.Module, SafetensorsHubMixin):
    def __init__(self, width: int = 4) -> None:
        super().__init__()
        self.linear = nn.Linear(3, width)

    def forward(self, x):
        return self.linear(x)


def tiny(seed: int, width: int = 4) -> TinyNet:
    torch.manual_seed(seed)
    return TinyNet(width)


def same_weights(a: nn.Module, b: nn.Module) -> bool:
    return all(torch.equal(x.cpu(), y.cpu()) for x, y in zip(a.state_dict().values(), b.state_dict().values()))


def put_in_hub_cache(model: TinyNet, repo_id: str) -> None:
    """Lay out a saved model as huggingface_hub's cache does after a download."""
    model.save_pretrained(hub_snapshot_dir(repo_id))


@pytest.fixture(autouse=True)
def fresh_cache():
    checkpoints.clear_cache()
    yield
    checkpoints.clear_cache()


@pytest.fixture
def bundled_dir(tmp_path, monkeypatch):
    """A checkpoints/ folder holding one bundled tiny model, 'tiny-bundled'."""
    root = tmp_path / "checkpoints"
    tiny(0).save_pretrained(root / "tiny-bundled")
    monkeypatch.setattr(checkpoints, "CHECKPOINTS_DIR", root)
    return root


def test_offline_for_the_whole_test_run():
    assert constants.HF_HUB_OFFLINE and checkpoints.is_offline()


def test_local_folder_round_trip(tmp_path):
    model = tiny(1, width=6)
    model.save_pretrained(tmp_path / "m")
    assert (tmp_path / "m" / "model.safetensors").exists() and (tmp_path / "m" / "config.json").exists()
    loaded = load(TinyNet, tmp_path / "m", device="cpu")
    assert loaded.source == "local" and loaded.notice is None
    assert loaded.model.linear.out_features == 6  # the config travelled with the weights
    assert same_weights(loaded.model, model) and not loaded.model.training


def test_bundled_name(bundled_dir):
    loaded = load(TinyNet, "tiny-bundled", device="cpu")
    assert loaded.source == "bundled" and loaded.spec == "tiny-bundled"
    assert same_weights(loaded.model, tiny(0))
    assert load(TinyNet, "tiny-bundled", device="cpu").model is loaded.model  # cached per process


def test_hub_id_from_offline_cache():
    model = tiny(2)
    put_in_hub_cache(model, "tester/tiny-net")
    loaded = load(TinyNet, "tester/tiny-net", device="cpu")
    assert loaded.source == "hub" and loaded.notice is None
    assert same_weights(loaded.model, model)


def test_unreachable_hub_model_falls_back_with_notice(bundled_dir):
    loaded = load(TinyNet, "nobody/not-cached", fallback="tiny-bundled", device="cpu")
    assert loaded.source == "bundled" and loaded.spec == "tiny-bundled"
    assert same_weights(loaded.model, tiny(0))
    assert "nobody/not-cached" in loaded.notice and "offline" in loaded.notice and "tiny-bundled" in loaded.notice


def test_unreachable_without_fallback_is_a_clear_error():
    with pytest.raises(CheckpointError, match="Could not load 'nobody/not-cached'.*offline"):
        load(TinyNet, "nobody/not-cached", device="cpu")


def test_mismatched_weights_are_refused_not_silently_loaded(tmp_path):
    tiny(0, width=4).save_pretrained(tmp_path / "m")
    cfg = tmp_path / "m" / "config.json"
    cfg.write_text(cfg.read_text().replace("4", "5"))  # config says 5 outputs, weights hold 4
    with pytest.raises(CheckpointError, match="Could not load"):
        load(TinyNet, tmp_path / "m", device="cpu")


def test_pickle_weights_are_refused(tmp_path):
    folder = tmp_path / "pickled"
    folder.mkdir()
    torch.save(tiny(0).state_dict(), folder / "pytorch_model.bin")
    with pytest.raises(CheckpointError):
        load(TinyNet, folder, device="cpu")
    with pytest.raises(CheckpointError, match="safetensors"):
        TinyNet._load_as_pickle(tiny(0), str(folder / "pytorch_model.bin"), "cpu", True)


def test_trust_remote_code_is_refused(bundled_dir):
    with pytest.raises(CheckpointError, match="trust_remote_code"):
        load(TinyNet, "tiny-bundled", device="cpu", trust_remote_code=True)


@pytest.mark.parametrize("spec", ["", "   ", "../etc", "a b", "x" * 200, "owner/name/extra", "/etc/passwd", "..", "a/..", 42])
def test_bad_specs_are_clear_errors(spec):
    with pytest.raises(CheckpointError):
        load(TinyNet, spec, device="cpu")


def test_text_never_points_at_a_server_path(tmp_path):
    tiny(0).save_pretrained(tmp_path / "m")
    with pytest.raises(CheckpointError):
        load(TinyNet, str(tmp_path / "m"), device="cpu")


def test_best_device_is_usable():
    assert torch.zeros(1, device=checkpoints.best_device()).numel() == 1
