"""Every public endpoint, every parameter in turn given a bad value: the wrong type, None,
out-of-range numbers, empty, very long and control-character text, and corrupt, empty, truncated
and oversized files. Each call must end in a result or the app's own message, never a crash, a
generic error, Gradio's "Could not preprocess" or a raw exception's text, within a time limit; and
the server must still answer afterwards. Streaming endpoints pass when their first update arrives.
"""

from __future__ import annotations

import concurrent.futures
import re
import time
from pathlib import Path

import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError

from tests.api.visitors import visitor

CALL_LIMIT_S = 60.0
# until an endpoint has once run its work (a call that ends in a result, not a refusal): its first
# use loads its model and builds what it memoises (the GAN's arithmetic labels 2,000 samples, 13 s
# on a quiet 2-core machine), which a loaded one can stretch past CALL_LIMIT_S
FIRST_USE_LIMIT_S = 240.0
# what a message that is not the app's own looks like
FOREIGN = re.compile(
    r"Something went wrong|has not enabled verbose error reporting|upstream .* raised|Could not preprocess|"
    r"validation error for|Traceback|errors\.pydantic\.dev|"
    r"\b(Type|Value|Key|Index|Attribute|Runtime|ZeroDivision|Assertion|Name|Unicode\w*|Overflow|Lookup)Error\b|"
    r"<class '|object has no attribute|not subscriptable|unsupported operand|NoneType")

# One value per way of being wrong: the checks themselves are shared (shared/limits.py, unit-tested
# value by value there), so each parameter needs each kind once: a string for a number, far below and
# far above every range, nothing, a fraction for a count, a truth value, a container. The first
# FEW of each list are the ones most likely to find a parameter left unchecked.
NUMBER_VALUES = ["abc", -1e12, 1e30, None, 3.5, True, [1]]
TEXT_VALUES = [None, "x" * 200_000, "\x00\x07\x1b[2J\u202e\ufeff", 123, " \n\t ", ["a"]]
CHOICE_VALUES = ["no-such-choice", None, 5, ["a"]]
FEW = 3
CHAT_VALUES = ["x", [1, 2], [{"role": "hacker", "content": "x"}], [{"role": "user", "content": "x" * 200_000}], {"a": 1}]
EDITOR_VALUES = ["x", 5, {}, {"background": 5}, {"background": None, "layers": "x"}]
# valid values that keep the heavy endpoints cheap while another parameter is fuzzed
CHEAP = {
    "/diffusion_sample": {"steps": 2, "n": 1},
    "/diffusion_compare": {"n": 1, "param_4": 2, "param_6": 2, "param_8": 2},
    "/diffusion_inpaint": {"steps": 2},
    "/diffusion_train_and_sample": {"steps": 100},
    "/gpt_chat": {"max_new": 2},
    "/gpt_compare": {"max_new": 2},
    "/gpt_pretrain": {"text": "In the beginning God created the heaven and the earth. " * 5, "seconds": 5},
    "/three_d_convert_mesh_to_points": {"n_points": 500},
    "/sd_generate": {"steps": 2},
    "/sd_word_maps": {"steps": 2},
    "/sd_grid": {"steps": 2, "seeds": "0"},
    "/sd_image_to_image": {"steps": 2},
    "/alignment_rules_vote": {"n": 4},
    "/flows_train": {"steps": 10},
}


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory) -> dict[str, Path]:
    import numpy as np
    from PIL import Image

    from demos.three_d import options

    folder = tmp_path_factory.mktemp("bad-files")
    files = {}
    files["corrupt"] = folder / "corrupt.ply"
    files["corrupt"].write_bytes(np.random.default_rng(0).bytes(5000))
    files["empty"] = folder / "empty.png"
    files["empty"].write_bytes(b"")
    png = folder / "whole.png"
    Image.fromarray(np.zeros((64, 64, 3), np.uint8) + 128).save(png)
    files["truncated"] = folder / "truncated.png"
    files["truncated"].write_bytes(png.read_bytes()[:120])
    files["oversized"] = folder / "oversized.ply"
    with open(files["oversized"], "wb") as f:  # sparse: a byte past the largest upload accepted
        f.seek(max(options.UPLOAD_BYTES, options.PHOTO_BYTES) + 1)
        f.write(b"\0")
    return files


def bad_values(component: str, bad_files: dict[str, Path]) -> list:
    if component in ("Number", "Slider"):
        return NUMBER_VALUES
    if component == "Textbox":
        return TEXT_VALUES
    if component in ("Radio", "Dropdown", "Checkbox"):
        return CHOICE_VALUES
    if component == "Chatbot":
        return CHAT_VALUES
    if component == "Imageeditor":
        return EDITOR_VALUES
    if component in ("File", "Image"):
        return [handle_file(str(bad_files[k])) for k in ("corrupt", "oversized")] + ["abc"] + [
            handle_file(str(bad_files[k])) for k in ("empty", "truncated")] + [None]
    raise AssertionError(f"no bad values for a {component} parameter: add them")


def call(client: Client, api_name: str, args: list, limit_s: float = CALL_LIMIT_S, retries: int = 1) -> str:
    """'ok', or the app's message; streaming calls end at their first update."""
    job = client.submit(*args, api_name=api_name)
    end = time.perf_counter() + limit_s
    while time.perf_counter() < end:
        if job.outputs():
            job.cancel()
            return "ok"
        if job.done():
            try:
                job.result()
                return "ok"
            except AppError as exc:
                return str(exc)
            except concurrent.futures.CancelledError:
                # gradio_client's stream reader can hand a finished job back as cancelled (its SSE
                # thread saw the stream close first; once in about 1,300 calls under load): ask again
                if not retries:
                    raise
                return call(client, api_name, args, limit_s, retries - 1)
        time.sleep(0.02)
    job.cancel()
    raise AssertionError(f"{api_name} gave nothing within {limit_s:.0f} s for {args!r:.300}")


# Endpoints are fuzzed by this many visitors at once, each a session of its own: a refused call
# costs the server little, and most of a call's time is spent waiting on the queue's round trips.
VISITORS = 4


def planned_calls(endpoints: dict, bad_files: dict[str, Path]) -> dict[str, list[tuple[str, list]]]:
    """For each endpoint, its calls: (what is wrong, the arguments), one bad parameter at a time.

    Endpoints with the same parameters share their checks (the seven 3-D conversions, the GAN run's
    Start, Step and Reset): the first gets every bad value, the others two per parameter; within an
    endpoint, the first parameter of each kind of widget gets every bad value and the others (the
    VAE's sixteen latent sliders, the GAN run's settings) the first FEW."""
    plan, signatures = {}, set()
    for api_name, endpoint in endpoints.items():
        params = endpoint["parameters"]
        signature = tuple((p["parameter_name"], p["component"]) for p in params)
        repeated = signature in signatures
        signatures.add(signature)
        kinds_seen: set[str] = set()
        cheap = CHEAP.get(api_name, {})
        defaults = [cheap.get(p["parameter_name"], p.get("parameter_default")) for p in params]
        plan[api_name] = []
        for i, param in enumerate(params):
            kind = param["component"]
            values = bad_values(kind, bad_files)
            values = values[:2] if repeated else values if kind not in kinds_seen else values[:FEW]
            kinds_seen.add(kind)
            for value in values:
                args = list(defaults)
                args[i] = value
                plan[api_name].append((f"{param['parameter_name']}={value!r:.60}", args))
    return plan


def fuzz_endpoint(client: Client, api_name: str, calls: list[tuple[str, list]]) -> tuple[int, list[str], float]:
    """(calls made, messages that are not the app's, seconds) for one endpoint's planned calls."""
    t0, made, failures, used = time.perf_counter(), 0, [], False
    for wrong, args in calls:
        try:
            outcome = call(client, api_name, args, CALL_LIMIT_S if used else FIRST_USE_LIMIT_S)
            used = used or outcome == "ok"
        except ValueError as exc:  # the client cannot even encode it (e.g. out-of-range floats)
            if "JSON" not in str(exc):
                raise
            continue
        made += 1
        if outcome != "ok" and (FOREIGN.search(outcome) or not outcome.strip()):
            failures.append(f"{api_name} {wrong}: {outcome[:300]}")
    # the server still answers after each endpoint's fuzzing
    assert client.predict(0, 1.0, api_name="/gan_sample_grid"), f"no answer after fuzzing {api_name}"
    return made, failures, time.perf_counter() - t0


@pytest.mark.timeout(900)  # 1,250+ calls over 77 endpoints: 305 s beside another worker on 2 cores
def test_every_endpoint_answers_every_bad_value_in_its_own_words(suite_url, bad_files):
    from concurrent.futures import ThreadPoolExecutor

    clients = [visitor(suite_url, download_files=False) for _ in range(VISITORS)]
    endpoints = clients[0].view_api(return_format="dict", print_info=False)["named_endpoints"]
    assert len(endpoints) >= 30
    for client in clients:
        client.predict("Torus knot (mesh)", "height", api_name="/three_d_open_sample")  # state for the 3-D actions
    plan = planned_calls(endpoints, bad_files)
    free = list(clients)  # each visitor fuzzes one endpoint at a time; the longest plans go first
    t0 = time.perf_counter()

    def fuzz(api_name: str) -> tuple[int, list[str], float]:
        client = free.pop()
        try:
            return fuzz_endpoint(client, api_name, plan[api_name])
        finally:
            free.append(client)

    names = sorted(plan, key=lambda name: -len(plan[name]))
    with ThreadPoolExecutor(VISITORS) as pool:
        results = dict(zip(names, pool.map(fuzz, names)))
    calls = sum(made for made, _, _ in results.values())
    failures = [f for _, found, _ in results.values() for f in found]
    for name, (n, _, seconds) in sorted(results.items(), key=lambda kv: -kv[1][2])[:15]:
        print(f"  {seconds:6.1f} s {n:4d} calls {name}")
    print(f"{calls} fuzzed calls over {len(endpoints)} endpoints in {time.perf_counter() - t0:.0f} s")
    assert calls >= 900, calls  # every endpoint was fuzzed (1,037 calls when this was written)
    assert not failures, f"{len(failures)} of {calls} calls got a message that is not the app's:\n" + "\n".join(failures)
