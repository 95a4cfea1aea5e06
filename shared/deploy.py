"""Deploy a snapshot of the working tree to a Hugging Face Space, or check one offline.

    python -m demos.deploy --space <user>/<name> --dry-run      # offline: the file report and checks
    python -m demos.deploy --space <user>/<name>                # create the Space if needed, upload
    python -m demos.deploy --space <user>/<name> --front streamlit   # the Streamlit front end (Docker)
    make deploy SPACE=<user>/<name> [DRY_RUN=1] [FRONT=streamlit]

Why not `git push`: the Hub refuses a push that holds binary files above about 1 MB unless they are
stored with Xet / Git LFS, and this repository keeps its checkpoints, screenshots and corpus as plain
git objects, with every earlier checkpoint in its history. `huggingface_hub`'s commit API sends only
the files of the snapshot (no history) and stores the binary ones through Xet by itself.

The snapshot is every file git tracks or would track (`git ls-files -co --exclude-standard`), less
what a Space does not run: the tests, CI, benchmarks, screenshots, training runs and caches. For the
Streamlit front end, deploy/streamlit/Dockerfile becomes the Space's Dockerfile and the README's
front matter is replaced by deploy/streamlit/README.md's (sdk: docker, app_port: 8501).
"""

from __future__ import annotations

import argparse
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import yaml

ROOT = Path(__file__).resolve().parents[1]
HUB_FILE_LIMIT = 50 * 10**9  # the Hub's hard limit for one file (its advice: keep files under 20 GB)
TEXT_LIMIT = 10 * 2**20  # a text file above this would go through Xet too; none of ours should be so big
FRONTS = ("gradio", "streamlit")
LEFT_OUT = ("tests/", ".ci/", "benchmarks/", "screenshots/", "runs/", ".venv/", ".gradio/", ".pytest_cache/",
            "deploy/", "requirements-dev.txt", "pytest.ini", "Makefile", ".gitignore")
LEFT_OUT_PARTS = ("__pycache__", ".ipynb_checkpoints")
SPACE_SDKS = ("gradio", "docker", "static", "streamlit")


@dataclass(frozen=True)
class SnapshotFile:
    path: str  # in the Space, POSIX
    size: int
    binary: bool
    source: Path | None = None  # on disk, or None for generated content
    content: bytes | None = None


@dataclass
class Report:
    files: list[SnapshotFile] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what a dry run could not check, and why

    @property
    def total(self) -> int:
        return sum(f.size for f in self.files)

    def check(self, ok: bool, what: str, problem: str) -> None:
        (self.checks if ok else self.problems).append(what if ok else problem)


def is_binary(data: bytes) -> bool:
    """Git's own test (a NUL byte in the first 8,000 bytes), or bytes that are not UTF-8 text."""
    if b"\0" in data[:8000]:
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def tree_files(root: Path = ROOT) -> list[str]:
    """The working tree's files as git sees them: tracked, plus untracked ones not ignored."""
    done = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=root,
                          capture_output=True, check=True)
    names = [n for n in done.stdout.decode("utf-8").split("\0") if n]
    return sorted(n for n in names if (root / n).is_file())


def left_out(path: str) -> bool:
    return path.startswith(LEFT_OUT) or path in LEFT_OUT or any(p in PurePosixPath(path).parts for p in LEFT_OUT_PARTS)


def split_front_matter(text: str) -> tuple[str, str]:
    """(the YAML between the leading '---' lines, the rest); ('', text) when there is none."""
    if not text.startswith("---\n"):
        return "", text
    end = text.find("\n---\n", 4)
    if end < 0:
        return "", text
    return text[4:end + 1], text[end + 5:]


def preload_entries(hub_ids: Sequence[str], list_files: Callable[[str], list[str]]) -> list[str]:
    """`preload_from_hub` entries naming only the files each model's loader reads ("repo a,b,c"):
    sd-turbo's repository is about 13 GB, what the tab loads of it about 5 GB. list_files(repo)
    gives a repository's file names (HfApi().list_repo_files online)."""
    from shared.prefetch import needed_files

    return [f"{repo} {','.join(needed_files(list_files(repo)))}" for repo in hub_ids]


def readme_for(front: str, root: Path = ROOT, preload: Sequence[str] | None = None) -> bytes:
    """The Space's README: the project's README, with the Streamlit Space's front matter if asked,
    and `preload` (per-file entries, when the repositories could be listed) as its preload_from_hub."""
    readme = (root / "README.md").read_text(encoding="utf-8")
    if front == "gradio" and preload is None:
        return readme.encode("utf-8")
    main_yaml, body = split_front_matter(readme)
    meta = yaml.safe_load(main_yaml) or {}
    if front == "streamlit":
        st_yaml, _ = split_front_matter((root / "deploy/streamlit/README.md").read_text(encoding="utf-8"))
        # the Hub model lists are the same for both fronts
        meta = yaml.safe_load(st_yaml) | {k: v for k, v in meta.items() if k in ("models", "preload_from_hub")}
    if preload is not None:
        meta["preload_from_hub"] = list(preload)
    return ("---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=10_000) + "---\n" + body).encode("utf-8")


def snapshot(front: str = "gradio", root: Path = ROOT, preload: Sequence[str] | None = None) -> list[SnapshotFile]:
    """The files a Space gets, with their sizes and whether each is binary."""
    files = []
    for name in tree_files(root):
        if left_out(name) or name in ("README.md", "Dockerfile"):
            continue
        path = root / name
        with path.open("rb") as fh:
            head = fh.read(1 << 20)
        files.append(SnapshotFile(name, path.stat().st_size, is_binary(head), source=path))
    readme = readme_for(front, root, preload)
    files.append(SnapshotFile("README.md", len(readme), False, content=readme))
    if front == "streamlit":
        dockerfile = root / "deploy/streamlit/Dockerfile"
        files.append(SnapshotFile("Dockerfile", dockerfile.stat().st_size, False, source=dockerfile))
    return sorted(files, key=lambda f: f.path)


def gradio_requirement(root: Path = ROOT) -> str | None:
    """The version specifier of gradio in requirements.txt (e.g. '>=6.25,<7')."""
    for line in (root / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line.lower().startswith("gradio") and (len(line) == 6 or not line[6].isalnum() and line[6] not in "-_"):
            return line[6:].strip()
    return None


def check(hub_ids: Sequence[str], front: str = "gradio", root: Path = ROOT,
          list_files: Callable[[str], list[str]] | None = None) -> Report:
    """Everything the Hub would refuse or a Space would fail on, found before uploading; hub_ids: every
    Hub model the tabs offer (the app level collects them: demos/hub_models.py). With list_files
    (the repositories' listings), preload_from_hub names only the files each loader reads."""
    from packaging.specifiers import SpecifierSet
    from packaging.version import Version

    preload = preload_entries(hub_ids, list_files) if list_files is not None else None
    report = Report(files=snapshot(front, root, preload))
    names = {f.path for f in report.files}
    largest = max(report.files, key=lambda f: f.size)
    too_big = [f.path for f in report.files if f.size > HUB_FILE_LIMIT]
    report.check(not too_big, f"every file is under the Hub's per-file limit (largest: {largest.path}, {human(largest.size)})",
                 f"above the Hub's {HUB_FILE_LIMIT / 1e9:.0f} GB per file: {', '.join(too_big)}")
    big_text = [f.path for f in report.files if not f.binary and f.size > TEXT_LIMIT]
    report.check(not big_text, "no text file above 10 MB", f"text files above 10 MB (a Space should not need them): {', '.join(big_text)}")
    readme = next(f for f in report.files if f.path == "README.md").content or b""
    front_yaml, _ = split_front_matter(readme.decode("utf-8"))
    try:
        meta = yaml.safe_load(front_yaml) if front_yaml else None
    except yaml.YAMLError as exc:
        meta = None
        report.problems.append(f"README front matter is not valid YAML: {exc}")
    report.check(isinstance(meta, dict), "README front matter is valid YAML",
                 "README.md has no front matter (a '---' block of YAML at its top)")
    meta = meta if isinstance(meta, dict) else {}
    sdk = meta.get("sdk")
    report.check(sdk in SPACE_SDKS, f"sdk: {sdk}", f"sdk is {sdk!r}; the Hub knows {', '.join(SPACE_SDKS)}")
    if sdk == "gradio":
        spec = gradio_requirement(root)
        version = str(meta.get("sdk_version", ""))
        try:
            fits = spec is not None and Version(version) in SpecifierSet(spec)
        except Exception:  # noqa: BLE001 (an unparsable version is reported as not fitting)
            fits = False
        report.check(fits, f"sdk_version {version} fits requirements.txt's gradio{spec}",
                     f"sdk_version {version!r} does not fit requirements.txt's gradio{spec or ' (none found)'}")
        app_file = meta.get("app_file")
        report.check(app_file in names, f"app_file {app_file} is in the snapshot",
                     f"app_file {app_file!r} is not in the snapshot")
    if sdk == "docker":
        report.check(isinstance(meta.get("app_port"), int), f"app_port: {meta.get('app_port')}",
                     "a Docker Space needs app_port (8501 for Streamlit)")
        report.check("Dockerfile" in names, "Dockerfile is in the snapshot", "a Docker Space needs a Dockerfile")
    python = meta.get("python_version")
    if sdk != "docker":  # a Docker Space's Python is the Dockerfile's
        report.check(isinstance(python, str) and python.count(".") >= 1, f"python_version {python}",
                     f"python_version must be a quoted version such as \"3.11\"; got {python!r}")
    for needed in ("requirements.txt", "packages.txt"):
        report.check(needed in names, f"{needed} is in the snapshot", f"{needed} is missing")
    wanted = list(hub_ids)
    for key in ("models", "preload_from_hub"):
        listed = {str(entry).split()[0] for entry in (meta.get(key) or [])}
        missing = [m for m in wanted if m not in listed]
        report.check(not missing, f"{key} lists the {len(wanted)} Hub models the tabs offer",
                     f"{key} lacks {', '.join(missing)}")
    if preload is None:
        report.notes.append("preload_from_hub names whole repositories here: without the network the "
                            "repositories cannot be listed; the upload lists them and names only the files "
                            "each loader reads")
    else:
        for entry in preload:
            repo, _, files = entry.partition(" ")
            names = files.split(",") if files else []
            weights = [n for n in names if n.endswith((".safetensors", ".bin"))]
            configs = [n for n in names if n.rsplit("/", 1)[-1] in ("config.json", "model_index.json")]
            report.check(bool(weights and configs), f"{repo}: preloads {len(names)} files ({len(weights)} of weights)",
                         f"{repo}: the preloaded files lack {'weights' if not weights else 'a config'}: {files or 'none'}")
    return report


def human(size: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size} B"


def print_report(report: Report, space: str, front: str) -> None:
    print(f"Snapshot for the Space {space} ({front} front end):\n")
    width = max(len(f.path) for f in report.files)
    print(f"{'file':<{width}}  {'size':>9}  kind")
    for f in report.files:
        print(f"{f.path:<{width}}  {human(f.size):>9}  {'binary (Xet)' if f.binary else 'text'}")
    n_bin = sum(f.binary for f in report.files)
    print(f"\n{len(report.files)} files, {human(report.total)} in all; {n_bin} binary "
          f"({human(sum(f.size for f in report.files if f.binary))}), stored through Xet by the upload.\n")
    for line in report.checks:
        print(f"  ok   {line}")
    for line in report.notes:
        print(f"  note {line}")
    for line in report.problems:
        print(f"  FAIL {line}")


def upload(report: Report, space: str, front: str, private: bool = False) -> str:
    """Create the Space if needed and commit the snapshot in one commit; files the Space has but
    the snapshot lacks are deleted (the Hub's own .gitattributes stays)."""
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete, HfApi

    api = HfApi()
    api.create_repo(space, repo_type="space", space_sdk="docker" if front == "streamlit" else "gradio",
                    private=private, exist_ok=True)
    keep = {f.path for f in report.files} | {".gitattributes"}
    stale = [p for p in api.list_repo_files(space, repo_type="space") if p not in keep]
    operations = [CommitOperationAdd(path_in_repo=f.path, path_or_fileobj=f.content if f.content is not None else str(f.source))
                  for f in report.files]
    operations += [CommitOperationDelete(path_in_repo=p) for p in stale]
    info = api.create_commit(space, repo_type="space", operations=operations,
                             commit_message=f"Deploy genai-demos ({front} front end)")
    return str(info.commit_url)


def _repo_lister(required: bool) -> Callable[[str], list[str]] | None:
    """HfApi().list_repo_files when the Hub answers; None for a dry run without the network (an
    upload needs the network anyway, so there it is required)."""
    from huggingface_hub import HfApi, constants

    if constants.HF_HUB_OFFLINE and not required:
        return None
    api = HfApi()
    try:
        api.list_repo_files("distilgpt2")
    except Exception:
        if required:
            raise
        return None
    return api.list_repo_files


def main(hub_ids: Sequence[str], argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Deploy this working tree to a Hugging Face Space.")
    parser.add_argument("--space", required=True, help="<user or org>/<space name>")
    parser.add_argument("--front", choices=FRONTS, default="gradio", help="which front end the Space serves")
    parser.add_argument("--dry-run", action="store_true", help="print the files and checks; upload nothing (offline)")
    parser.add_argument("--private", action="store_true", help="create the Space private")
    args = parser.parse_args(argv)
    if args.space.count("/") != 1 or not all(args.space.split("/")):
        parser.error(f"--space must look like <user>/<name>; got {args.space!r}")
    report = check(hub_ids, args.front, list_files=_repo_lister(required=not args.dry_run))
    print_report(report, args.space, args.front)
    if report.problems:
        print(f"\n{len(report.problems)} problem(s): nothing uploaded.")
        return 1
    if args.dry_run:
        print("\nDry run: nothing uploaded. Without --dry-run this is sent in one commit.")
        return 0
    url = upload(report, args.space, args.front, args.private)
    print(f"\nUploaded: {url}\nThe Space builds at https://huggingface.co/spaces/{args.space}")
    return 0
