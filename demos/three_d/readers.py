"""Open 3-D files as they come from users: by their content, not their name, and either into a
clean object with a list of notices (what was dropped, merged or guessed) or into a ReadError
whose message says what is wrong.

    obj, notices = read_file("scan.ply")

Formats: point clouds (PLY, PCD, XYZ), meshes (OBJ, STL, PLY, OFF, GLB/glTF), voxels (binvox,
.npy of booleans), depth maps (16-bit PNG in millimetres, or .npy in metres).
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import numpy as np

from demos.three_d import options
from demos.three_d.geometry import DepthMap, Mesh, Object3D, PointCloud, Voxels, default_intrinsics
from shared.limits import LimitError


class ReadError(LimitError):
    """A file that cannot be opened; the message is shown to the user as it is."""


FORMAT_NAMES = {
    "ply": "PLY", "pcd": "PCD", "xyz": "XYZ", "obj": "OBJ", "stl": "STL", "off": "OFF", "glb": "GLB",
    "gltf": "glTF", "binvox": "binvox", "npy": "NumPy .npy", "png": "PNG",
}
EXTENSIONS = {"ply": "ply", "pcd": "pcd", "xyz": "xyz", "txt": "xyz", "pts": "xyz", "obj": "obj", "stl": "stl",
              "off": "off", "glb": "glb", "gltf": "gltf", "binvox": "binvox", "npy": "npy", "png": "png"}


# ---- what a file is -----------------------------------------------------------------------------

def _looks_like_binary_stl(head: bytes, size: int) -> bool:
    # 80-byte header, uint32 triangle count, then 50 bytes per triangle
    return size >= 84 and 84 + 50 * int.from_bytes(head[80:84], "little") == size


def sniff(head: bytes, size: int, extension: str) -> str | None:
    """The format of a file from its first bytes (and size, for binary STL); None if unknown."""
    text = head.lstrip()
    if head.startswith(b"ply"):
        return "ply"
    if head.startswith(b"glTF"):
        return "glb"
    if head.startswith(b"\x93NUMPY"):
        return "npy"
    if head.startswith(b"\x89PNG"):
        return "png"
    if head.startswith(b"#binvox"):
        return "binvox"
    if re.match(rb"^(#[^\n]*\n)*\s*VERSION\s", head) or b"\nFIELDS " in head[:2000] and b"\nDATA " in head:
        return "pcd"
    if re.match(rb"^[CN]?OFF\b", text):
        return "off"
    if _looks_like_binary_stl(head, size):
        return "stl"
    if text.startswith(b"solid") and b"facet" in head:
        return "stl"
    if text.startswith(b"{") and b'"asset"' in head:
        return "gltf"
    if re.search(rb"^\s*(v|f|vn|vt|o|g|mtllib|usemtl)\s", head, re.M) and re.search(rb"^\s*v\s", head, re.M):
        return "obj"
    first = next((ln for ln in text.split(b"\n") if ln.strip() and not ln.lstrip().startswith((b"#", b"//"))), b"x")
    if re.match(rb"^\s*([-+0-9.eEnaNiIf]+[\s,;]+){2,}[-+0-9.eEnaNiIf]+\s*$", first):
        return "xyz"
    return EXTENSIONS.get(extension) if extension in ("xyz", "txt", "pts") and not text else None


# ---- checks every reader's result goes through --------------------------------------------------

def _finite_points(points: np.ndarray, colors: np.ndarray | None, notices: list[str]) -> PointCloud:
    points = np.asarray(points, np.float64)
    if points.ndim != 2 or points.shape[1] < 3:
        raise ReadError("The file's points do not have three coordinates each.")
    points = points[:, :3]
    good = np.isfinite(points).all(1)
    if colors is not None:
        colors = np.asarray(colors, np.float64)[:, :3]
        bad_colour = ~np.isfinite(colors).all(1)
        if bad_colour.any():
            notices.append(f"{int(bad_colour[good].sum()):,} points had colours that are not numbers; they are drawn grey.")
            colors = np.where(bad_colour[:, None], 0.6, colors)
        colors = _unit_colors(colors)
    if not good.all():
        notices.append(f"Dropped {int((~good).sum()):,} of {len(points):,} points whose coordinates are NaN or infinite.")
        points = points[good]
        colors = None if colors is None else colors[good]
    if len(points) == 0:
        raise ReadError("The file holds no points with finite coordinates.")
    _check_scale(points)
    return PointCloud(points.astype(np.float32), None if colors is None else colors.astype(np.float32))


def _unit_colors(colors: np.ndarray) -> np.ndarray:
    """Colours in [0, 1], whether the file stored them as 0-255 or 0-1."""
    top = float(np.nanmax(colors)) if colors.size else 0.0
    return np.clip(colors / 255.0 if top > 1.0 else colors, 0, 1)


def _check_scale(points: np.ndarray) -> None:
    if np.abs(points).max() > 1e12:
        raise ReadError("The coordinates reach beyond 1e12: the file is probably not read as it was written.")


def _clean_mesh(vertices: np.ndarray, faces: np.ndarray, colors: np.ndarray | None, notices: list[str]) -> Mesh:
    vertices = np.asarray(vertices, np.float64).reshape(-1, 3)
    faces = np.asarray(faces).reshape(-1, 3) if np.asarray(faces).size else np.zeros((0, 3), np.int64)
    if len(vertices) == 0:
        raise ReadError("The mesh has no vertices.")
    if len(vertices) > options.MAX_VERTICES or len(faces) > options.MAX_FACES:
        raise ReadError(f"The mesh has {len(vertices):,} vertices and {len(faces):,} faces; this tab opens meshes of "
                        f"up to {options.MAX_VERTICES:,} vertices and {options.MAX_FACES:,} faces.")
    outside = (faces < 0).any(1) | (faces >= len(vertices)).any(1)
    if outside.any():
        notices.append(f"Dropped {int(outside.sum()):,} of {len(faces):,} faces that refer to vertices the file does not have "
                       f"(it lists {len(vertices):,}).")
        faces = faces[~outside]
    bad = ~np.isfinite(vertices).all(1)
    if bad.any():
        dropped = bad[faces].any(1) if len(faces) else np.zeros(0, bool)
        notices.append(f"{int(bad.sum()):,} vertices are NaN or infinite; dropped them and the {int(dropped.sum()):,} faces that use them.")
        faces = faces[~dropped]
    if colors is not None:
        colors = np.asarray(colors, np.float64)[:, :3]
        colors = _unit_colors(np.where(np.isfinite(colors), colors, 0.6))
    if len(faces) == 0:
        raise ReadError("The mesh has no faces left that can be drawn"
                        + (" (every face refers to missing or broken vertices)." if outside.any() or bad.any() else
                           ". If it is a point cloud, its points can be shown: open it as a PLY/XYZ point cloud."))
    used = np.unique(faces)
    if len(used) < len(vertices):  # keep only vertices some face uses, renumbered
        remap = np.full(len(vertices), -1, np.int64)
        remap[used] = np.arange(len(used))
        vertices, faces = vertices[used], remap[faces]
        colors = None if colors is None else colors[used]
    _check_scale(vertices)
    return Mesh(vertices.astype(np.float32), faces.astype(np.int32), None if colors is None else colors.astype(np.float32))


# ---- the readers --------------------------------------------------------------------------------

def _y_up_to_z_up(points: np.ndarray) -> np.ndarray:
    # glTF is y-up by its specification; this tab is z-up: (x, y, z) -> (x, -z, y)
    return np.stack([points[:, 0], -points[:, 2], points[:, 1]], 1)


def _trimesh_geometry(data: bytes, fmt: str, notices: list[str]) -> Object3D:
    import trimesh

    try:
        loaded = trimesh.load(io.BytesIO(data), file_type=fmt, process=False)
    except Exception as exc:  # noqa: BLE001 (every parser failure becomes one sentence)
        if fmt == "obj":
            return _read_obj_simply(data, notices)
        if fmt == "off":
            return _read_off_simply(data, notices)
        message = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        if fmt == "gltf" and ("resolver" in message.lower() or "uri" in message.lower() or "buffer" in message.lower()):
            raise ReadError("This glTF file keeps its data in separate .bin files that were not uploaded; "
                            "export it as a single binary .glb and open that.") from exc
        raise ReadError(f"Could not read the file as {FORMAT_NAMES[fmt]}: {message}") from exc
    if isinstance(loaded, trimesh.Scene):
        geometries = list(loaded.dump()) if loaded.geometry else []
        if not geometries:
            raise ReadError(f"The {FORMAT_NAMES[fmt]} scene holds no geometry.")
        meshes = [g for g in geometries if isinstance(g, trimesh.Trimesh) and len(g.faces)]
        clouds = [g for g in geometries if isinstance(g, trimesh.PointCloud)]
        if meshes:
            if len(geometries) > 1:
                notices.append(f"The scene has {len(geometries)} parts; merged them into one mesh (each placed by its node's transform).")
            loaded = trimesh.util.concatenate(meshes) if len(meshes) > 1 else meshes[0]
        elif clouds:
            loaded = trimesh.PointCloud(np.concatenate([c.vertices for c in clouds]))
        else:
            raise ReadError(f"The {FORMAT_NAMES[fmt]} scene holds no mesh or point cloud.")
    y_up = fmt in ("glb", "gltf")
    if isinstance(loaded, trimesh.PointCloud) or (isinstance(loaded, trimesh.Trimesh) and len(loaded.faces) == 0):
        colors = getattr(loaded, "colors", None)
        colors = None if colors is None or len(colors) != len(loaded.vertices) else np.asarray(colors)[:, :3]
        if fmt not in ("ply", "glb", "gltf"):
            notices.append(f"The {FORMAT_NAMES[fmt]} file has vertices but no faces: opened as a point cloud.")
        points = np.asarray(loaded.vertices)
        cloud = _finite_points(_y_up_to_z_up(points) if y_up else points, colors, notices)
        return cloud
    if not isinstance(loaded, trimesh.Trimesh):
        raise ReadError(f"The {FORMAT_NAMES[fmt]} file holds a {type(loaded).__name__}, not a mesh or point cloud.")
    colors = None
    visual = getattr(loaded, "visual", None)
    if visual is not None and getattr(visual, "kind", None) == "vertex":
        colors = np.asarray(visual.vertex_colors)[:, :3]
    vertices = np.asarray(loaded.vertices)
    return _clean_mesh(_y_up_to_z_up(vertices) if y_up else vertices, np.asarray(loaded.faces), colors, notices)


def _read_ply(data: bytes, notices: list[str]) -> Object3D:
    end = data.find(b"end_header")
    if end < 0:
        raise ReadError("The PLY file has no end_header line: its header is cut short.")
    header = data[:end].decode("ascii", "replace")
    vertex = re.search(r"element\s+vertex\s+(\d+)", header)
    if not vertex or int(vertex.group(1)) == 0:
        raise ReadError("The PLY file declares no vertices: its header has no data after it.")
    if len(data) - end < 12:
        raise ReadError(f"The PLY header promises {int(vertex.group(1)):,} vertices but the file ends after the header.")
    return _trimesh_geometry(data, "ply", notices)


def _pcd_header(data: bytes) -> tuple[dict[str, list[str]], int]:
    """The PCD header as {key: values}, and the offset where the data starts."""
    header, pos = {}, 0
    while True:
        nl = data.find(b"\n", pos)
        if nl < 0:
            raise ReadError("The PCD file has no DATA line: its header is cut short.")
        line = data[pos:nl].decode("ascii", "replace").strip()
        pos = nl + 1
        if line and not line.startswith("#"):
            key, *values = line.split()
            header[key.upper()] = values
            if key.upper() == "DATA":
                return header, pos


def _read_pcd(data: bytes, notices: list[str]) -> PointCloud:
    """PCD (the Point Cloud Library's format): ascii and binary read here, field by field, so a
    file whose data does not match its header is caught; binary_compressed goes to open3d."""
    header, start = _pcd_header(data)
    fields = header.get("FIELDS", [])
    if not {"x", "y", "z"} <= set(fields):
        raise ReadError("The PCD file has no x, y and z fields.")
    try:
        n = int(header.get("POINTS", [None])[0] or int(header["WIDTH"][0]) * int(header["HEIGHT"][0]))
        sizes = [int(v) for v in header.get("SIZE", ["4"] * len(fields))]
        types = header.get("TYPE", ["F"] * len(fields))
        counts_ = [int(v) for v in header.get("COUNT", ["1"] * len(fields))]
    except (KeyError, ValueError, IndexError):
        raise ReadError("The PCD header's POINTS, SIZE, TYPE or COUNT lines are not valid.") from None
    if not len(sizes) == len(types) == len(counts_) == len(fields):
        raise ReadError("The PCD header's FIELDS, SIZE, TYPE and COUNT lines do not match one another.")
    if n <= 0:
        raise ReadError("The PCD header declares no points.")
    kind = header["DATA"][0].lower() if header["DATA"] else ""
    if kind == "binary_compressed":
        return _read_pcd_open3d(data, notices)
    columns = {}
    if kind == "ascii":
        rows = data[start:].decode("ascii", "replace").split("\n")
        rows = [r for r in rows if r.strip()]
        if len(rows) != n:
            raise ReadError(f"The PCD header promises {n:,} points but the file holds {len(rows):,} lines of data.")
        try:
            table = np.array([r.split() for r in rows], dtype=np.float64)
        except ValueError:
            raise ReadError("The PCD data has lines that are not numbers, or not all of the same length.") from None
        offsets = np.cumsum([0, *counts_])
        if table.shape[1] != offsets[-1]:
            raise ReadError(f"The PCD data has {table.shape[1]} numbers a line; the header's fields make {offsets[-1]}.")
        columns = {f: table[:, offsets[i]] for i, f in enumerate(fields)}
    elif kind == "binary":
        codes = {("F", 4): "<f4", ("F", 8): "<f8", ("I", 1): "i1", ("I", 2): "<i2", ("I", 4): "<i4", ("I", 8): "<i8",
                 ("U", 1): "u1", ("U", 2): "<u2", ("U", 4): "<u4", ("U", 8): "<u8"}
        try:
            dtype = np.dtype([(f"{f}_{i}", codes[(t.upper(), s)], (c,)) for i, (f, t, s, c) in enumerate(zip(fields, types, sizes, counts_))])
        except KeyError:
            raise ReadError("The PCD header names a field type this reader does not know.") from None
        if len(data) - start < n * dtype.itemsize:
            raise ReadError(f"The PCD header promises {n:,} points but the file ends after {(len(data) - start) // dtype.itemsize:,}.")
        rec = np.frombuffer(data, dtype, count=n, offset=start)
        columns = {f: rec[f"{f}_{i}"][:, 0] for i, f in enumerate(fields)}
    else:
        raise ReadError(f"The PCD data kind {kind!r} is unknown (ascii, binary or binary_compressed).")
    points = np.stack([columns["x"], columns["y"], columns["z"]], 1)
    colors = None
    packed = columns.get("rgb", columns.get("rgba"))
    if packed is not None:  # colour packed into one float's bits: 0x00RRGGBB
        bits = np.asarray(packed, np.float32).view(np.uint32) if np.asarray(packed).dtype != np.uint32 else packed
        colors = np.stack([(bits >> 16) & 255, (bits >> 8) & 255, bits & 255], 1).astype(np.float64) / 255
    return _finite_points(points, colors, notices)


def _read_pcd_open3d(data: bytes, notices: list[str]) -> PointCloud:
    import tempfile

    import open3d as o3d

    with tempfile.NamedTemporaryFile(suffix=".pcd") as f:  # open3d reads from a path only
        f.write(data)
        f.flush()
        cloud = o3d.io.read_point_cloud(f.name, format="pcd", remove_nan_points=False, remove_infinite_points=False)
    points = np.asarray(cloud.points)
    if len(points) == 0:
        raise ReadError("The PCD file holds no points (or its compressed data is damaged).")
    colors = np.asarray(cloud.colors) if cloud.has_colors() else None
    return _finite_points(points, colors, notices)


def _read_off_simply(data: bytes, notices: list[str]) -> Object3D:
    """OFF read token by token, for the damaged files trimesh refuses (faces past the vertex list)."""
    lines = [ln.split("#")[0].split() for ln in data.decode("utf-8", "replace").splitlines()]
    lines = [ln for ln in lines if ln]
    if not lines or not lines[0][0].endswith("OFF"):
        raise ReadError("The OFF file does not start with 'OFF'.")
    counts_line = lines[0][1:] or (lines[1] if len(lines) > 1 else [])
    body = lines[1:] if lines[0][1:] else lines[2:]
    try:
        nv, nf = int(counts_line[0]), int(counts_line[1])
        vertices = np.array([ln[:3] for ln in body[:nv]], dtype=np.float64).reshape(nv, 3)
        faces = []
        for ln in body[nv:nv + nf]:  # "k i1 ... ik [colour]", one face a line
            k = int(ln[0])
            idx = [int(t) for t in ln[1:1 + k]]
            faces += [[idx[0], idx[j], idx[j + 1]] for j in range(1, len(idx) - 1)]
    except (ValueError, IndexError):
        raise ReadError("The OFF file is cut short or holds something other than numbers.") from None
    if not faces:
        return _finite_points(vertices, None, notices)
    return _clean_mesh(vertices, np.array(faces), None, notices)


def _read_obj_simply(data: bytes, notices: list[str]) -> Object3D:
    """OBJ's v and f lines only (faces fanned into triangles): what is left when trimesh gives
    up on a damaged file, so the faces that can be kept are kept."""
    vertices, faces = [], []
    for line in data.decode("utf-8", "replace").splitlines():
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "v" and len(parts) >= 4:
            try:
                vertices.append([float(v) for v in parts[1:4]])
            except ValueError:
                vertices.append([np.nan] * 3)
        elif parts[0] == "f" and len(parts) >= 4:
            try:
                idx = [int(p.split("/")[0]) for p in parts[1:]]
            except ValueError:
                continue
            idx = [i - 1 if i > 0 else len(vertices) + i for i in idx]  # 1-based; negative counts back
            faces += [[idx[0], idx[k], idx[k + 1]] for k in range(1, len(idx) - 1)]
    if not vertices:
        raise ReadError("The OBJ file has no vertices.")
    if not faces:
        return _finite_points(np.array(vertices), None, notices)
    return _clean_mesh(np.array(vertices), np.array(faces), None, notices)


def _read_xyz(data: bytes, notices: list[str]) -> PointCloud:
    text = data.decode("utf-8", "replace")
    rows, skipped = [], 0
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "//")):
            continue
        parts = re.split(r"[\s,;]+", line)
        try:
            rows.append([float(p) for p in parts[:6]])
        except ValueError:
            skipped += 1
    if not rows:
        raise ReadError("The XYZ file holds no lines of numbers (x y z, optionally r g b).")
    width = min(len(r) for r in rows)
    if width < 3:
        raise ReadError("Some lines of the XYZ file have fewer than three numbers; each needs x y z.")
    if skipped:
        notices.append(f"Skipped {skipped:,} lines that are not numbers.")
    array = np.array([r[:width] for r in rows])
    return _finite_points(array[:, :3], array[:, 3:6] if width >= 6 else None, notices)


def _read_binvox(data: bytes) -> Voxels:
    lines, pos = [], 0
    while len(lines) < 10:
        nl = data.find(b"\n", pos)
        if nl < 0:
            raise ReadError("The binvox header is cut short (no 'data' line).")
        lines.append(data[pos:nl].decode("ascii", "replace").strip())
        pos = nl + 1
        if lines[-1] == "data":
            break
    header = {ln.split()[0]: ln.split()[1:] for ln in lines[1:] if ln}
    try:
        dims = [int(v) for v in header["dim"]]
        translate = np.array([float(v) for v in header.get("translate", ["0", "0", "0"])], np.float32)
        scale = float(header.get("scale", ["1"])[0])
    except (KeyError, ValueError, IndexError):
        raise ReadError("The binvox header lacks a valid 'dim' line.") from None
    if len(dims) != 3 or min(dims) < 1 or max(dims) > options.MAX_VOXEL_SIDE:
        raise ReadError(f"The binvox grid is {dims}; this tab opens grids of up to {options.MAX_VOXEL_SIDE} per side.")
    rle = np.frombuffer(data[pos:pos + (len(data) - pos) // 2 * 2], np.uint8).reshape(-1, 2)
    values = np.repeat(rle[:, 0], rle[:, 1])
    if len(values) != np.prod(dims):
        raise ReadError(f"The binvox data holds {len(values):,} voxels, not the {int(np.prod(dims)):,} its header promises.")
    # binvox stores x slowest, then z, then y; this tab indexes (x, y, z)
    occ = values.reshape(dims[0], dims[2], dims[1]).transpose(0, 2, 1).astype(bool)
    if not occ.any():
        raise ReadError("The binvox grid has no occupied voxels.")
    pitch = scale / max(dims)
    return Voxels(occ, translate + pitch / 2, pitch)


def _read_npy(data: bytes, intrinsics: tuple[float, float, float, float] | None, notices: list[str]) -> Object3D:
    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except ValueError as exc:
        raise ReadError("This .npy file holds Python objects (pickled); only plain numeric or boolean arrays are opened.") from exc
    except Exception as exc:  # noqa: BLE001
        raise ReadError(f"Could not read the .npy file: {str(exc)[:200]}") from exc
    if array.dtype == bool and array.ndim == 3:
        if max(array.shape) > options.MAX_VOXEL_SIDE:
            raise ReadError(f"The voxel grid is {array.shape}; this tab opens grids of up to {options.MAX_VOXEL_SIDE} per side.")
        if not array.any():
            raise ReadError("The voxel grid has no occupied voxels.")
        return Voxels(array, np.zeros(3, np.float32), 1.0 / max(array.shape))
    if not np.issubdtype(array.dtype, np.number):
        raise ReadError(f"The .npy array has type {array.dtype}; open booleans (X, Y, Z) as voxels, numbers (H, W) as a "
                        "depth map in metres, or numbers (N, 3) or (N, 6) as points.")
    if array.ndim == 2 and array.shape[1] in (3, 6) and array.shape[0] > 16:
        return _finite_points(array[:, :3], array[:, 3:6] if array.shape[1] == 6 else None, notices)
    if array.ndim == 2:
        return _depth_map(array.astype(np.float32), intrinsics, notices)
    raise ReadError(f"The .npy array has shape {array.shape}; open booleans (X, Y, Z) as voxels, numbers (H, W) as a "
                    "depth map in metres, or numbers (N, 3) or (N, 6) as points.")


def _read_png(data: bytes, intrinsics: tuple[float, float, float, float] | None, notices: list[str]) -> DepthMap:
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ReadError("The PNG file is damaged and cannot be decoded.") from exc
    if image.mode not in ("I;16", "I;16B", "I;16L", "I"):
        raise ReadError(f"This PNG is an ordinary {image.mode} picture, not a 16-bit depth map. To get depth from a "
                        "photo, use 'Photo to depth' below.")
    if image.width * image.height > options.MAX_DEPTH_PIXELS:
        raise ReadError(f"The depth map is {image.width} x {image.height}; the limit is {options.MAX_DEPTH_PIXELS:,} pixels.")
    depth_mm = np.asarray(image, np.float32)
    return _depth_map(depth_mm / 1000.0, intrinsics, notices, unit_note="16-bit PNG read as millimetres")


def _depth_map(depth: np.ndarray, intrinsics: tuple[float, float, float, float] | None, notices: list[str],
               unit_note: str = "read as metres") -> DepthMap:
    h, w = depth.shape
    if h < 2 or w < 2:
        raise ReadError(f"A depth map must be at least 2 x 2 pixels; this one is {w} x {h}.")
    if h * w > options.MAX_DEPTH_PIXELS:
        raise ReadError(f"The depth map is {w} x {h}; the limit is {options.MAX_DEPTH_PIXELS:,} pixels.")
    bad = ~np.isfinite(depth) | (depth < 0)
    if bad.any():
        notices.append(f"{int(bad.sum()):,} pixels are negative, NaN or infinite; treated as 'no reading'.")
        depth = np.where(bad, 0, depth)
    if not (depth > 0).any():
        raise ReadError("The depth map has no pixel with a depth above zero.")
    defaults = default_intrinsics(w, h)
    given = tuple(float(v) for v in intrinsics) if intrinsics else (0.0, 0.0, 0.0, 0.0)
    fx = given[0] or given[1] or defaults[0]
    fy = given[1] or fx
    cx, cy = given[2] or defaults[2], given[3] or defaults[3]
    if not any(given):
        notices.append(f"Depth map {w} x {h} ({unit_note}); camera intrinsics not given, so a 60 degree field of "
                       f"view is assumed (fx = fy = {fx:.0f}, centre {cx:.0f}, {cy:.0f}).")
    return DepthMap(depth.astype(np.float32), fx, fy, cx, cy)


def read_bytes(data: bytes, name: str = "", intrinsics: tuple[float, float, float, float] | None = None) -> tuple[Object3D, list[str]]:
    """Open a file's bytes by its content; the name's extension is only a hint (and a notice
    when it disagrees). Raises ReadError with a sentence for the user."""
    notices: list[str] = []
    extension = Path(name).suffix.lower().lstrip(".")
    if len(data) == 0:
        raise ReadError("The file is empty.")
    if len(data) > options.UPLOAD_BYTES:
        raise ReadError(f"The file is {len(data) / 2**20:.0f} MB; the limit is {options.UPLOAD_BYTES // 2**20} MB.")
    fmt = sniff(data[:4096], len(data), extension)
    if fmt is None:
        known = ", ".join(sorted(set(FORMAT_NAMES.values())))
        raise ReadError(f"Could not tell what kind of file '{Path(name).name or 'this'}' is from its content. "
                        f"This tab opens {known}.")
    expected = EXTENSIONS.get(extension)
    if extension and expected != fmt:
        notices.append(f"The file is named .{extension} but its content is {FORMAT_NAMES[fmt]}; opened it as {FORMAT_NAMES[fmt]}.")
    if fmt == "ply":
        obj = _read_ply(data, notices)
    elif fmt == "pcd":
        obj = _read_pcd(data, notices)
    elif fmt == "xyz":
        obj = _read_xyz(data, notices)
    elif fmt == "binvox":
        obj = _read_binvox(data)
    elif fmt == "npy":
        obj = _read_npy(data, intrinsics, notices)
    elif fmt == "png":
        obj = _read_png(data, intrinsics, notices)
    else:
        if fmt == "gltf":
            try:
                json.loads(data.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                raise ReadError("The glTF file is not valid JSON.") from None
        obj = _trimesh_geometry(data, fmt, notices)
    if isinstance(obj, PointCloud) and len(obj) > options.MAX_POINTS:
        raise ReadError(f"The file holds {len(obj):,} points; this tab opens clouds of up to {options.MAX_POINTS:,}.")
    return obj, notices


def read_file(path: str | Path, intrinsics: tuple[float, float, float, float] | None = None) -> tuple[Object3D, list[str]]:
    """Open a file on disk (an upload); see read_bytes."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError:
        raise ReadError("The uploaded file could not be found on the server; upload it again.") from None
    if size > options.UPLOAD_BYTES:
        raise ReadError(f"The file is {size / 2**20:.0f} MB; the limit is {options.UPLOAD_BYTES // 2**20} MB.")
    return read_bytes(path.read_bytes(), path.name, intrinsics)
