"""The 3-D tab in Chromium: open a sample, see it in plotly and Model3D, convert it along a chain
(mesh → points → voxels → mesh), clean a noisy scan, classify with PointNet, and upload a file.
Screenshots: screenshots/three_d-*.png."""

from __future__ import annotations

import numpy as np

from tests.browser.conftest import SCREENSHOTS, one_visit
from tests.browser.test_suite_in_browser import error_toasts, wait_for_text, wait_until_idle

page = one_visit("three_d")  # the file's tests share one visit to the tab, in order


def full_page_shot(page, name: str) -> None:
    """A full-page screenshot, the Model3D canvas first captured on its own: headless Chromium
    otherwise puts the canvas's previous frame into a full-page capture."""
    page.locator("#three_d-model3d").screenshot(path=str(SCREENSHOTS / f"{name}-model3d.png"))
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def choose_sample(page, name: str) -> None:
    page.locator("#three_d-sample input").click()
    page.get_by_role("option", name=name).click()


def test_open_convert_and_classify(page):
    page.locator("#three_d-main-action").click()
    wait_for_text(page, "three_d-status", "opened sample: Torus knot")
    page.wait_for_selector("#three_d-plot .js-plotly-plot", timeout=30_000)
    page.wait_for_selector("#three_d-model3d canvas", timeout=30_000)
    wait_until_idle(page)
    page.wait_for_timeout(2_000)  # Model3D loads Babylon.js and draws (seconds without a GPU)
    full_page_shot(page, "three_d-open")

    for key, expect in (("mesh_to_points", "point cloud: 20,000 points"), ("points_to_voxels", "voxels:"),
                        ("voxels_to_mesh", "Voxels → mesh")):
        page.locator(f"#three_d-convert-{key}").click()
        wait_for_text(page, "three_d-status", expect)
        wait_until_idle(page)
    history = page.locator("#three_d-history").inner_text()
    assert "Mesh → point cloud" in history and "Point cloud → voxels" in history and "marching cubes" in history
    page.wait_for_timeout(2_000)  # Model3D loads and draws the new GLB after the event ends
    full_page_shot(page, "three_d-convert")

    choose_sample(page, "Cone (mesh, a PointNet class)")
    page.locator("#three_d-main-action").click()
    wait_for_text(page, "three_d-status", "opened sample: Cone")
    page.locator("#three_d-classify").click()
    wait_for_text(page, "three_d-verdict", "PointNet says")
    wait_until_idle(page)
    assert "cone" in page.locator("#three_d-verdict").inner_text()
    page.wait_for_selector("#three_d-critical .js-plotly-plot", timeout=90_000)
    page.locator("#three_d-critical").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "three_d-pointnet.png"), full_page=True)
    assert not error_toasts(page) and not page.problems, (error_toasts(page), page.problems)


def test_clean_a_scan_and_upload(page, tmp_path):
    choose_sample(page, "Noisy scan with outliers (point cloud)")
    page.locator("#three_d-main-action").click()
    wait_for_text(page, "three_d-status", "opened sample: Noisy scan")
    wait_until_idle(page)
    page.locator("#three_d-outliers").click()
    wait_for_text(page, "three_d-status", "Statistical outlier removal")
    page.wait_for_selector("#three_d-before-after .js-plotly-plot", timeout=90_000)
    wait_until_idle(page)
    page.wait_for_timeout(2_000)
    full_page_shot(page, "three_d-outliers")

    # an XYZ file with a wrong extension and a NaN line: it opens, with both said
    points = np.random.default_rng(0).normal(size=(500, 3))
    text = "\n".join(" ".join(f"{v:.4f}" for v in p) for p in points) + "\nnan 0 0\n"
    upload = tmp_path / "scan.stl"
    upload.write_text(text)
    page.locator("#three_d-upload input[type=file]").set_input_files(str(upload))
    wait_for_text(page, "three_d-status", "opened file: scan.stl")
    status = page.locator("#three_d-status").inner_text()
    assert "point cloud: 500 points" in status and "NaN" in status and "named .stl" in status
    # an empty file gets a clear message and the tab keeps working
    empty = tmp_path / "empty.ply"
    empty.write_bytes(b"")
    page.locator("#three_d-upload button[aria-label*='Clear'], #three_d-upload button[aria-label*='Remove']").first.click()
    page.locator("#three_d-upload input[type=file]").set_input_files(str(empty))
    page.wait_for_selector('[data-testid="toast-body"].error', timeout=30_000)
    assert any("empty" in t for t in error_toasts(page)), error_toasts(page)
    assert not page.problems, page.problems
