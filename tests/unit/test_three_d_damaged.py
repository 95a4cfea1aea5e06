"""Damaged 3-D files get the app's own sentence: what is wrong, in the user's terms (what the header
promises, where the file ends), raised as a ReadError (a LimitError, which the UI shows as it is).
Never Python's words: no exception text, repr, KeyError key or numpy complaint."""

from __future__ import annotations

import io
import json
import logging
import re
import struct

import numpy as np
import pytest

from demos.three_d.readers import ReadError, read_bytes
from shared.limits import LimitError

# what leaks from a library's or Python's own error text
LEAKS = re.compile(r"Error\b|Exception|Traceback|Errno|\bNone\b|dtype|numpy|\bnp\.|unpack|out of bounds|"
                   r"to its end|expected \d+, got|unexpected keyword|has no attribute|invalid literal|"
                   r"could not convert|object is not|not subscriptable|^'[^']*'$|: '[a-z_]+'$|[<>][fiu][1248]\b")


def assert_plain_sentence(message: str) -> None:
    assert message[:1].isupper() and message.rstrip().endswith((".", ")")), message
    assert not LEAKS.search(message), message


def read_error(data: bytes, name: str) -> str:
    with pytest.raises(ReadError) as info:
        read_bytes(data, name)
    assert isinstance(info.value, LimitError)
    assert_plain_sentence(str(info.value))
    return str(info.value)


def ply_cloud(n_declared: int, n_written: int, binary: bool = False, fmt: str | None = None) -> bytes:
    fmt = fmt or ("binary_little_endian" if binary else "ascii")
    header = (f"ply\nformat {fmt} 1.0\nelement vertex {n_declared}\nproperty float x\nproperty float y\n"
              "property float z\nend_header\n").encode()
    points = np.arange(n_written * 3, dtype=np.float32).reshape(-1, 3)
    if binary:
        return header + points.tobytes()
    return header + "".join(f"{a} {b} {c}\n" for a, b, c in points).encode()


def ply_mesh(faces_declared: int, faces_written: int, binary: bool) -> bytes:
    header = (f"ply\nformat {'binary_little_endian' if binary else 'ascii'} 1.0\nelement vertex 4\n"
              "property float x\nproperty float y\nproperty float z\n"
              f"element face {faces_declared}\nproperty list uchar int vertex_indices\nend_header\n").encode()
    verts = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]], np.float32)
    faces = [[0, 1, 2], [0, 1, 3], [0, 2, 3], [1, 2, 3]][:faces_written]
    if binary:
        return header + verts.tobytes() + b"".join(struct.pack("<B3i", 3, *f) for f in faces)
    return header + "".join(f"{a} {b} {c}\n" for a, b, c in verts).encode() + "".join(
        f"3 {a} {b} {c}\n" for a, b, c in faces).encode()


def glb(json_part: bytes, declared_length: int | None = None, version: int = 2, extra: bytes = b"") -> bytes:
    json_part += b" " * (-len(json_part) % 4)
    body = struct.pack("<I", len(json_part)) + b"JSON" + json_part + extra
    length = 12 + len(body) if declared_length is None else declared_length
    return b"glTF" + struct.pack("<II", version, length) + body


def real_glb() -> bytes:
    import trimesh

    return trimesh.creation.box().export(file_type="glb")


# ---- what the header promises against what the file holds --------------------------------------------

@pytest.mark.parametrize("binary", [False, True])
def test_ply_promising_more_vertices_than_it_holds(binary):
    message = read_error(ply_cloud(1000, 12, binary), "scan.ply")
    assert message == "This PLY file is damaged: its header promises 1,000 vertices but the file ends after 12."


@pytest.mark.parametrize("binary", [False, True])
def test_ply_promising_more_faces_than_it_holds(binary):
    message = read_error(ply_mesh(100, 2, binary), "mesh.ply")
    assert message == "This PLY file is damaged: its header promises 100 faces but the file ends after 2."


def test_ply_header_without_body_or_end():
    assert read_error(ply_cloud(10, 0), "h.ply") == (
        "This PLY file is damaged: its header promises 10 vertices but the file ends after the header.")
    message = read_error(b"ply\nformat ascii 1.0\nelement vertex 10\nprop", "cut.ply")
    assert "has no end_header line" in message


def test_ply_headers_that_make_no_sense():
    head = b"ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\n"
    assert "no x, y and z" in read_error(head + b"end_header\n0 0\n1 1\n2 2\n", "xy.ply")
    assert "something other than numbers" in read_error(
        head + b"property float z\nend_header\n0 0 a\n1 1 1\n2 2 2\n", "text.ply")
    assert "format line is 'format utf8 1.0'" in read_error(
        b"ply\nformat utf8 1.0\nelement vertex 1\nproperty float x\nend_header\n0\n", "fmt.ply")
    assert "not 'element <name> <count>'" in read_error(
        b"ply\nformat ascii 1.0\nelement vertex many\nend_header\n", "count.ply")
    assert "property line this reader does not understand: 'property float128 x'" in read_error(
        b"ply\nformat ascii 1.0\nelement vertex 1\nproperty float128 x\nend_header\n0\n", "type.ply")
    assert "declares no vertices" in read_error(b"ply\nformat ascii 1.0\nend_header\n", "none.ply")
    assert "no format line" in read_error(b"ply\nelement vertex 1\nproperty float x\nend_header\n0\n", "nofmt.ply")


def test_ply_of_random_bytes():
    rng = np.random.default_rng(0)
    for i in range(20):
        read_error(b"ply\n" + rng.bytes(300), f"noise{i}.ply")


def test_off_pcd_binvox_and_npy_promising_more_than_they_hold():
    assert read_error(b"OFF\n8 6 0\n0 0 0\n1 0 0\n0 1 0\n", "cut.off") == (
        "This OFF file is damaged: its header promises 8 vertices but the file ends after 3.")
    assert read_error(b"OFF\n3 2 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n", "cut.off") == (
        "This OFF file is damaged: its header promises 2 faces but the file ends after 1.")
    pcd = b"VERSION .7\nFIELDS x y z\nSIZE 4 4 4\nTYPE F F F\nCOUNT 1 1 1\nWIDTH 50\nHEIGHT 1\nPOINTS 50\nDATA binary\n"
    assert read_error(pcd + bytes(12 * 7), "cut.pcd") == (
        "This PCD file is damaged: its header promises 50 points but the file ends after 7.")
    assert "promises 64 voxels (4 x 4 x 4) but its data holds 5" in read_error(
        b"#binvox 1\ndim 4 4 4\ndata\n\x01\x05", "short.binvox")
    # a run-length stream claiming billions of voxels is refused before it is expanded
    assert "but its data holds 1,671,168,000" in read_error(
        b"#binvox 1\ndim 8 8 8\ndata\n" + b"\x01\xff" * 6_553_600, "bomb.binvox")
    buf = io.BytesIO()
    np.save(buf, np.zeros((1000, 3)))
    assert "promises an array of shape (1000, 3) (24,000 bytes) but the file ends after 100 bytes" in read_error(
        buf.getvalue()[:228], "cut.npy")


# ---- GLB -------------------------------------------------------------------------------------------

def test_glb_damage_is_named():
    whole = real_glb()
    assert read_error(b"glTF", "tiny.glb") == "This GLB file is damaged: it ends after 4 bytes, inside its header."
    assert read_error(whole[:300], "cut.glb").startswith(
        f"This GLB file is damaged: its header says it is {len(whole):,} bytes long but the file has 300")
    assert "not a valid glTF header" in read_error(b"glTF" + np.random.default_rng(0).bytes(300), "noise.glb")
    assert "glTF 1.0" in read_error(glb(b'{"asset": {"version": "1.0"}}', version=1), "old.glb")
    assert "not valid JSON" in read_error(glb(b'{"asset": '), "json.glb")
    assert "missing or cut short" in read_error(glb(b"{}")[:16] + b"BIN\0" + bytes(8), "nojson.glb")
    assert "Draco" in read_error(glb(json.dumps({"asset": {"version": "2.0"},
                                                 "extensionsRequired": ["KHR_draco_mesh_compression"]}).encode()),
                                 "draco.glb")


def test_glb_whose_parts_do_not_fit_together():
    scene = {"asset": {"version": "2.0"}, "buffers": [{"byteLength": 36}],
             "bufferViews": [{"buffer": 0, "byteLength": 36}],
             "accessors": [{"bufferView": 0, "componentType": 5126, "count": 3, "type": "VEC3"}],
             "meshes": [{"primitives": [{"attributes": {"POSITION": 0}, "indices": 7}]}],
             "nodes": [{"mesh": 0}], "scenes": [{"nodes": [0]}]}
    message = read_error(glb(json.dumps(scene).encode()), "broken.glb")  # no binary chunk: the buffer is missing
    assert message.startswith("This is not a GLB file we can read:")


# ---- any damage at all: cut anywhere, bytes flipped -----------------------------------------------------

def valid_files() -> dict[str, bytes]:
    import trimesh

    box = trimesh.creation.box()
    buf = io.BytesIO()
    np.save(buf, np.random.default_rng(0).normal(size=(50, 3)))
    occupancy = b"#binvox 1\ndim 4 4 4\ntranslate 0 0 0\nscale 1\ndata\n\x00\x20\x01\x20"
    return {
        "ascii.ply": box.export(file_type="ply", encoding="ascii"),
        "binary.ply": box.export(file_type="ply"),
        "box.glb": box.export(file_type="glb"),
        "box.off": box.export(file_type="off").encode(),
        "box.obj": box.export(file_type="obj").encode(),
        "box.stl": box.export(file_type="stl"),
        "ascii.stl": box.export(file_type="stl_ascii").encode(),
        "cloud.pcd": b"VERSION .7\nFIELDS x y z\nSIZE 4 4 4\nTYPE F F F\nCOUNT 1 1 1\nWIDTH 8\nHEIGHT 1\nPOINTS 8\n"
                     b"DATA binary\n" + np.asarray(box.vertices, "<f4").tobytes(),
        "grid.binvox": occupancy,
        "points.npy": buf.getvalue(),
    }


def damaged(data: bytes, rng: np.random.Generator) -> list[bytes]:
    cuts = [data[: int(len(data) * f)] for f in (0.02, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99)]
    flips = []
    for _ in range(12):
        out = bytearray(data)
        for at in rng.integers(0, len(out), 3):
            out[at] = int(rng.integers(0, 256))
        flips.append(bytes(out))
    numbers = [re.sub(rb"\d+", lambda m: str(int(m[0]) * 1000 + 7).encode(), data[:200], count=n) + data[200:]
               for n in (2, 4, 6)]  # counts and sizes in a header turned into lies
    return [d for d in cuts + flips + numbers if d]


@pytest.mark.parametrize("name", list(valid_files()))
def test_any_damage_opens_or_gets_a_sentence(name, caplog):
    data = valid_files()[name]
    read_bytes(data, name)  # the undamaged file opens
    rng = np.random.default_rng(0)
    with caplog.at_level(logging.ERROR, logger="demos.three_d.readers"):
        for variant in damaged(data, rng):
            try:
                read_bytes(variant, name)
            except ReadError as exc:
                assert_plain_sentence(str(exc))
    # the readers' own checks caught every case; none fell through to the catch-all
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], [r.getMessage() for r in caplog.records]
