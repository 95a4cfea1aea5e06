"""The one loading path: a bundled folder under checkpoints/ or a Hugging Face Hub id -> a model.

    loaded = load(UNet2DModel, "google/ddpm-cifar10-32", fallback="ddpm-shapes")
    loaded.model    # on the best device, in eval mode, cached for the process
    loaded.notice   # None, or a sentence for the UI when the bundled fallback was used instead

Every model class is loaded through its own ``from_pretrained`` (transformers, diffusers, or
``huggingface_hub.PyTorchModelHubMixin`` for the project's own nets), so a bundled model is just a
folder in the Hub layout. Weights are data, never code: safetensors only, and never
``trust_remote_code``. This module never imports a demo; the caller hands it the class.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

from huggingface_hub import PyTorchModelHubMixin, constants

from shared import limits
from shared.seeding import MODEL_BUILD_LOCK

REPO_ROOT = Path(__file__).resolve().parent.parent
CHECKPOINTS_DIR = REPO_ROOT / "checkpoints"
# How long a fallback answer is remembered before the Hub is tried again: long enough that a talk
# on a bad network does not wait for a time-out on every click, short enough to notice it is back.
FALLBACK_TTL_S = 120.0

M = TypeVar("M")
Source = Literal["bundled", "hub", "local"]
_BUNDLED_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
# "owner/name", or the few legacy ids with no owner ("gpt2", "distilgpt2")
_HUB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9][A-Za-z0-9_.-]*)?$")


class CheckpointError(Exception):
    """A model could not be loaded; the message is a sentence for the user, not a stack trace."""


@dataclass(frozen=True)
class Loaded(Generic[M]):
    """A loaded model and where it came from."""

    model: M
    source: Source
    spec: str  # the bundled name, Hub id or local folder actually loaded
    notice: str | None = None  # set when the requested model could not be used

    @property
    def label(self) -> str:
        return {"bundled": "bundled model", "hub": "Hugging Face Hub", "local": "local folder"}[self.source] + f" · {self.spec}"


class SafetensorsHubMixin(PyTorchModelHubMixin):
    """``PyTorchModelHubMixin`` for the project's own nets, minus its pickle fallback.

    The stock mixin falls back to ``pytorch_model.bin`` when a repo has no ``model.safetensors``;
    this app loads safetensors only.
    """

    @classmethod
    def _load_as_pickle(cls, model: Any, model_file: str, map_location: str, strict: bool) -> Any:
        raise CheckpointError(f"{Path(model_file).name} is a pickle file; this app loads only safetensors weights.")


def best_device() -> str:
    """'cuda' if a GPU is there, else 'mps' on Apple silicon, else 'cpu'."""
    import torch

    if torch.cuda.is_available():
        return "cuda"
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def bundled_names() -> list[str]:
    """Names of the models shipped in checkpoints/."""
    if not CHECKPOINTS_DIR.is_dir():
        return []
    return sorted(p.name for p in CHECKPOINTS_DIR.iterdir() if p.is_dir() and not p.name.startswith("."))


def resolve(spec: str | Path) -> tuple[Source, str]:
    """Where a spec points: ('bundled', folder), ('local', folder) or ('hub', repo id).

    A str is a bundled name or a Hub id (what a user may type); a Path is a local folder (what code
    may pass), so text from the UI can never point the loader at an arbitrary server path.
    """
    if isinstance(spec, Path):
        if not spec.is_dir():
            raise CheckpointError(f"There is no model folder at {spec}.")
        return "local", str(spec)
    if not isinstance(spec, str) or not spec.strip():
        raise CheckpointError("Name a bundled model or a Hugging Face Hub id, such as 'google/ddpm-cifar10-32'.")
    spec = spec.strip()
    if len(spec) > limits.HUB_ID_CHARS:
        raise CheckpointError(f"A model id is at most {limits.HUB_ID_CHARS} characters; this one has {len(spec)}.")
    if _BUNDLED_NAME.match(spec) and ".." not in spec and (CHECKPOINTS_DIR / spec).is_dir():
        return "bundled", str(CHECKPOINTS_DIR / spec)
    if not _HUB_ID.match(spec) or ".." in spec or spec.endswith((".", "-")):
        raise CheckpointError(f"{spec!r} is neither a bundled model ({', '.join(bundled_names()) or 'none'}) "
                              "nor a Hub id like 'owner/name'.")
    return "hub", spec


def _class_names(model_class: type) -> set[str]:
    return {f"{c.__module__.split('.')[0]}.{c.__name__}" for c in model_class.__mro__}


def _safe_kwargs(model_class: type, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The caller's kwargs plus what keeps weights data-only for this family of class."""
    if kwargs.get("trust_remote_code"):
        raise CheckpointError("Models that need trust_remote_code run code from the Hub; this app never loads them.")
    names = _class_names(model_class)
    safe = dict(kwargs)
    if names & {"transformers.PreTrainedModel", "transformers._BaseAutoModelClass"}:
        safe.update(use_safetensors=True, trust_remote_code=False)
    elif any(n.startswith("transformers.") for n in names):  # tokenizers, processors, configs
        safe.update(trust_remote_code=False)
    elif "diffusers.ModelMixin" in names:
        safe.update(use_safetensors=True)
    elif "huggingface_hub.ModelHubMixin" in names:
        safe.setdefault("strict", True)  # the mixin's default is a silent non-strict load
    return safe


def _describe_failure(spec: str, exc: BaseException) -> str:
    """A short reason for a failed Hub load, from the exception chain."""
    from huggingface_hub import errors

    chain: list[BaseException] = []
    e: BaseException | None = exc
    while e is not None and e not in chain:
        chain.append(e)
        e = e.__cause__ or e.__context__
    kinds = tuple(type(x) for x in chain)
    if any(issubclass(k, (errors.RepositoryNotFoundError, errors.GatedRepoError)) for k in kinds):
        return f"there is no public model '{spec}' on the Hub"
    if any(issubclass(k, errors.LocalEntryNotFoundError) for k in kinds) or "offline" in str(exc).lower():
        if constants.HF_HUB_OFFLINE:
            return f"the app runs offline (HF_HUB_OFFLINE=1) and '{spec}' is not in the local cache"
        return f"the Hugging Face Hub cannot be reached and '{spec}' is not in the local cache"
    if any("connect" in type(x).__name__.lower() or "timeout" in type(x).__name__.lower() for x in chain):
        return "the Hugging Face Hub cannot be reached"
    if isinstance(exc, CheckpointError):
        return str(exc)
    first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return f"{type(exc).__name__}: {first_line[:200]}"


ADAPTER_CONFIG = "adapter_config.json"


def adapter_base(location: str) -> str | None:
    """The model a LoRA adapter folder was trained over (its `base_model_name_or_path`), or None
    when the folder holds a whole model."""
    import json

    path = Path(location) / ADAPTER_CONFIG
    if not path.is_file():
        return None
    base = json.loads(path.read_text(encoding="utf-8")).get("base_model_name_or_path")
    if not isinstance(base, str) or not base:
        raise CheckpointError(f"{path} names no base model.")
    return base


def _merged_adapter(model_class: type[M], base: str, location: str, device: str, kwargs: dict[str, Any]) -> M:
    """The base model (loaded by name through `load`, so a chain of adapters works) with the adapter's
    low-rank update merged into its weights: W' = W + (alpha / r) * B A. The cached base is copied
    first, never changed."""
    import copy

    from peft import PeftModel

    weights = copy.deepcopy(load(model_class, base, device=device, **kwargs).model)
    return PeftModel.from_pretrained(weights, location).merge_and_unload().to(device).eval()


def _from_pretrained(model_class: type[M], location: str, device: str, kwargs: dict[str, Any]) -> M:
    is_model = bool(_class_names(model_class) & {"transformers.PreTrainedModel", "transformers._BaseAutoModelClass"})
    base = adapter_base(location) if is_model and Path(location).is_dir() else None
    if base is not None:
        return _merged_adapter(model_class, base, location, device, kwargs)
    model = model_class.from_pretrained(location, **_safe_kwargs(model_class, kwargs))  # type: ignore[attr-defined]
    if hasattr(model, "to") and hasattr(model, "eval") and hasattr(model, "parameters"):
        model = model.to(device).eval()
    return model


_cache: dict[tuple, tuple[Loaded, float]] = {}
# loads wait for each other and for models built elsewhere (shared/seeding.py: the libraries patch
# torch process-wide while they build one)
_lock = MODEL_BUILD_LOCK


def load(
    model_class: type[M],
    spec: str | Path,
    *,
    fallback: str | None = None,
    device: str | None = None,
    **kwargs: Any,
) -> Loaded[M]:
    """Load `spec` with `model_class.from_pretrained`, cached per process.

    spec: a bundled name (folder under checkpoints/), a Hub repo id, or a local folder as a Path.
    fallback: a bundled name used, with a notice, when a Hub or local model cannot be loaded.
    Raises CheckpointError (a plain sentence) when nothing could be loaded.
    """
    device = device or best_device()
    key = (model_class, str(spec), device, tuple(sorted((k, repr(v)) for k, v in kwargs.items())))
    with _lock:
        hit = _cache.get(key)
        if hit is not None and hit[1] > time.monotonic():
            return hit[0]
        source, location = resolve(spec)
        try:
            loaded: Loaded[M] = Loaded(_from_pretrained(model_class, location, device, kwargs), source, str(spec))
            expires = float("inf")
        except Exception as exc:
            reason = _describe_failure(str(spec), exc)
            if fallback is None or source == "bundled":
                raise CheckpointError(f"Could not load '{spec}': {reason}.") from exc
            bundled = load(model_class, fallback, device=device, **kwargs)
            notice = f"Could not load '{spec}' ({reason}); showing the bundled model '{fallback}' instead."
            loaded = Loaded(bundled.model, "bundled", fallback, notice)
            expires = time.monotonic() + FALLBACK_TTL_S
        _cache[key] = (loaded, expires)
        return loaded


def clear_cache() -> None:
    """Forget every loaded model (tests; or after the network comes back)."""
    with _lock:
        _cache.clear()


def is_offline() -> bool:
    """True when HF_HUB_OFFLINE is set (read by huggingface_hub when it was first imported)."""
    return bool(constants.HF_HUB_OFFLINE) or os.environ.get("HF_HUB_OFFLINE", "0") not in ("", "0", "false", "False")
