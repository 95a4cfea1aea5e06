"""`make deploy --dry-run` (shared/deploy.py) and the Hub model lists of the Space's front matter."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml

from demos import hub_models
from shared import deploy, prefetch

ROOT = Path(__file__).resolve().parents[2]


def front_matter(readme: bytes | str) -> dict:
    text = readme.decode("utf-8") if isinstance(readme, bytes) else readme
    return yaml.safe_load(deploy.split_front_matter(text)[0])


def test_the_dry_run_prints_a_clean_report(capsys) -> None:
    report = deploy.check(hub_models.all_ids(), "gradio")
    assert not report.problems
    assert deploy.main(hub_models.all_ids(), ["--space", "someone/genai-demos", "--dry-run"]) == 0
    out = capsys.readouterr().out
    # every file with its size and kind, and the total
    for f in report.files:
        assert re.search(rf"^{re.escape(f.path)}\s+\S+ \w+\s+(binary \(Xet\)|text)$", out, re.M), f.path
    assert re.search(r"^\d+ files, [\d.]+ [kMG]?B in all; \d+ binary", out, re.M)
    assert "ok   sdk_version" in out and "ok   preload_from_hub lists the" in out
    assert "Dry run: nothing uploaded" in out
    paths = {f.path for f in report.files}
    assert "app.py" in paths and "checkpoints/gan-shapes/model.safetensors" in paths
    # a Space does not run tests or keep screenshots
    assert not any(p.startswith(("tests/", "screenshots/", ".venv/", "runs/", ".ci/")) for p in paths)
    binary = {f.path for f in report.files if f.binary}
    assert "checkpoints/gan-shapes/model.safetensors" in binary and "app.py" not in binary


def test_the_streamlit_front_is_a_docker_space() -> None:
    report = deploy.check(hub_models.all_ids(), "streamlit")
    assert not report.problems, report.problems
    files = {f.path: f for f in report.files}
    meta = front_matter(files["README.md"].content)
    assert meta["sdk"] == "docker" and meta["app_port"] == 8501
    assert set(hub_models.all_ids()) <= set(meta["preload_from_hub"])
    assert files["Dockerfile"].source == ROOT / "deploy/streamlit/Dockerfile"
    dockerfile = files["Dockerfile"].source.read_text()
    assert "streamlit_app.py" in dockerfile and "8501" in dockerfile


def test_problems_are_found_before_uploading(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "requirements.txt").write_text("torch==2.13.0\ngradio>=6.25,<7\n")
    (tmp_path / "README.md").write_text("---\ntitle: x\nsdk: gradio\nsdk_version: 5.9.1\napp_file: main.py\n"
                                        "python_version: 3.11\n---\n# x\n")
    (tmp_path / "app.py").write_text("print('hi')\n")
    (tmp_path / "weights.bin").write_bytes(b"\0\1\2" * 10)
    report = deploy.check(hub_models.all_ids(), "gradio", root=tmp_path)
    problems = "\n".join(report.problems)
    assert "sdk_version '5.9.1' does not fit requirements.txt's gradio>=6.25,<7" in problems
    assert "app_file 'main.py' is not in the snapshot" in problems
    assert "python_version must be a quoted version" in problems  # YAML reads 3.11 as a number
    assert "packages.txt is missing" in problems
    assert "models lacks google/ddpm-cifar10-32" in problems
    assert {f.path: f.binary for f in report.files} == {"README.md": False, "app.py": False,
                                                         "requirements.txt": False, "weights.bin": True}
    (tmp_path / "README.md").write_text("---\nsdk: [gradio\n---\n")
    assert any("not valid YAML" in p for p in deploy.check(hub_models.all_ids(), "gradio", root=tmp_path).problems)


def test_every_hub_model_a_tab_offers_is_linked_and_preloaded() -> None:
    meta = front_matter((ROOT / "README.md").read_text(encoding="utf-8"))
    models = set(meta["models"])
    preloaded = {entry.split()[0] for entry in meta["preload_from_hub"]}
    for slug, ids in hub_models.offered().items():
        for repo_id in ids:
            assert repo_id in models, f"{slug} offers {repo_id}, which the front matter's models: lacks"
            assert repo_id in preloaded, f"{slug} offers {repo_id}, which preload_from_hub: lacks"
    # and the list itself misses nothing: every Hub id written in a demo's options is in it
    written = set()
    for path in (ROOT / "demos").glob("*/options.py"):
        written |= set(re.findall(r'"([A-Za-z0-9][\w.-]*/[\w.-]*[A-Za-z0-9])"', path.read_text()))
    assert written <= set(hub_models.all_ids()), written - set(hub_models.all_ids())
    assert {"HuggingFaceTB/SmolLM2-135M-Instruct", "depth-anything/Depth-Anything-V2-Small-hf",
            "google/ddpm-cifar10-32", "stabilityai/sd-turbo", "openai/clip-vit-base-patch32"} <= set(hub_models.all_ids())


def test_prefetch_downloads_one_format_of_weights() -> None:
    ignored = prefetch.ignore_patterns(["config.json", "model.safetensors", "pytorch_model.bin", "tf_model.h5"])
    assert "*.bin" in ignored and "*.h5" in ignored
    assert "*.bin" not in prefetch.ignore_patterns(["config.json", "pytorch_model.bin"])  # .bin is all it has


# a repository listing in the shape of stabilityai/sd-turbo's: the diffusers folders in float32 and
# float16, a single-file checkpoint at the top, ONNX and OpenVINO exports, docs and pictures
SD_TURBO_LIKE = [
    ".gitattributes", "README.md", "model_index.json", "output.jpg", "sd_turbo.safetensors",
    "scheduler/scheduler_config.json",
    "text_encoder/config.json", "text_encoder/model.safetensors", "text_encoder/model.fp16.safetensors",
    "tokenizer/merges.txt", "tokenizer/special_tokens_map.json", "tokenizer/tokenizer_config.json", "tokenizer/vocab.json",
    "unet/config.json", "unet/diffusion_pytorch_model.safetensors", "unet/diffusion_pytorch_model.fp16.safetensors",
    "vae/config.json", "vae/diffusion_pytorch_model.safetensors", "vae/diffusion_pytorch_model.fp16.safetensors",
    "onnx/unet/model.onnx", "openvino/unet/openvino_model.bin",
]
GPT2_LIKE = ["config.json", "generation_config.json", "merges.txt", "vocab.json", "tokenizer.json", "model.safetensors",
             "pytorch_model.bin", "tf_model.h5", "flax_model.msgpack", "rust_model.ot", "64-8bits.tflite",
             "coreml/text-generation/float32_model.mlpackage/Manifest.json"]


def test_preload_names_only_the_files_each_loader_reads() -> None:
    listings = {"stabilityai/sd-turbo": SD_TURBO_LIKE, "distilgpt2": GPT2_LIKE, "old/bin-only": ["config.json", "pytorch_model.bin"]}
    entries = deploy.preload_entries(list(listings), listings.__getitem__)
    assert entries == [
        "stabilityai/sd-turbo model_index.json,scheduler/scheduler_config.json,text_encoder/config.json,"
        "text_encoder/model.safetensors,tokenizer/merges.txt,tokenizer/special_tokens_map.json,"
        "tokenizer/tokenizer_config.json,tokenizer/vocab.json,unet/config.json,unet/diffusion_pytorch_model.safetensors,"
        "vae/config.json,vae/diffusion_pytorch_model.safetensors",
        "distilgpt2 config.json,generation_config.json,merges.txt,vocab.json,tokenizer.json,model.safetensors",
        "old/bin-only config.json,pytorch_model.bin",
    ]


def test_the_upload_writes_per_file_preloads_into_the_space_readme_and_checks_them(tmp_path) -> None:
    ids = hub_models.all_ids()
    listed = {repo: GPT2_LIKE for repo in ids} | {"stabilityai/sd-turbo": SD_TURBO_LIKE}
    report = deploy.check(ids, "gradio", list_files=listed.__getitem__)
    assert not report.problems, report.problems
    readme = next(f for f in report.files if f.path == "README.md").content.decode()
    front, _ = deploy.split_front_matter(readme)
    import yaml

    preload = yaml.safe_load(front)["preload_from_hub"]
    assert preload == deploy.preload_entries(ids, listed.__getitem__) and len(preload) == len(ids)
    assert "stabilityai/sd-turbo: preloads 12 files (3 of weights)" in report.checks
    streamlit = deploy.check(ids, "streamlit", list_files=listed.__getitem__)
    front, _ = deploy.split_front_matter(next(f for f in streamlit.files if f.path == "README.md").content.decode())
    assert yaml.safe_load(front)["preload_from_hub"] == preload and yaml.safe_load(front)["sdk"] == "docker"
    bad = deploy.check(["a/b"], "gradio", list_files=lambda repo: ["README.md", "config.json"])
    assert "a/b: the preloaded files lack weights: config.json" in bad.problems


def test_without_the_network_the_dry_run_says_what_it_could_not_check(capsys) -> None:
    assert deploy.main(hub_models.all_ids(), ["--space", "someone/genai-demos", "--dry-run"]) == 0
    assert "note preload_from_hub names whole repositories here" in capsys.readouterr().out
