"""Open 3-D files as they come from users: by their content, not their name, and either into a
clean object with a list of notices (what was dropped, merged or guessed) or into a ReadError
whose message says what is wrong.

    obj, notices = read_file("scan.ply")

Formats: point clouds (PLY, PCD, XYZ), meshes (OBJ, STL, PLY, OFF, GLB/glTF), voxels (binvox,
.npy of booleans), depth maps (16-bit PNG in millimetres, or .npy in metres).

Headers may carry comments, blank lines, indentation, runs of spaces and CRLF line ends: whatever
the reference readers (trimesh, and open3d for point clouds) open opens here too, with the same
counts (tests/unit/test_three_d_quirks.py). A damaged file gets a sentence in the user's terms
(what its header promises, where the file ends), never a library's own error text.
"""

from __future__ import annotations

import io
import json
import logging
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from demos.three_d import options
from demos.three_d.geometry import DepthMap, Mesh, Object3D, PointCloud, Voxels, default_intrinsics
from shared.limits import LimitError

log = logging.getLogger(__name__)


class ReadError(LimitError):
    """A file that cannot be opened; the message is shown to the user as it is."""


FORMAT_NAMES = {
    "ply": "PLY", "pcd": "PCD", "xyz": "XYZ", "obj": "OBJ", "stl": "STL", "off": "OFF", "glb": "GLB",
    "gltf": "glTF", "binvox": "binvox", "npy": "NumPy .npy", "png": "PNG",
}
EXTENSIONS = {"ply": "ply", "pcd": "pcd", "xyz": "xyz", "txt": "xyz", "pts": "xyz", "obj": "obj", "stl": "stl",
              "off": "off", "glb": "glb", "gltf": "gltf", "binvox": "binvox", "npy": "npy", "png": "png"}


# ---- what a file is -----------------------------------------------------------------------------

OFF_KEYWORD = re.compile(r"(ST)?C?N?(4?)(n?)OFF")  # [ST][C][N][4][n]OFF, as Geomview's documentation lists them


def _looks_like_binary_stl(head: bytes, size: int) -> bool:
    # 80-byte header, uint32 triangle count, then 50 bytes per triangle
    return size >= 84 and 84 + 50 * int.from_bytes(head[80:84], "little") == size


def _shown(text: str) -> str:
    """A piece of a user's file, fit to quote in a message: printable, and short."""
    text = "".join(c if c.isprintable() else "?" for c in text.strip())
    return text if len(text) <= 60 else text[:57] + "..."


def _first_significant_line(head: bytes) -> str:
    """The first line that is neither blank nor a comment ('#' to the end of a line), stripped."""
    for line in head.decode("latin-1").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            return line
    return ""


def sniff(head: bytes, size: int, extension: str) -> str | None:
    """The format of a file from its first bytes (and size, for binary STL); None if unknown.
    Leading whitespace, comments and blank lines before a text format's keyword are allowed."""
    text = head.lstrip()
    if re.match(rb"ply\s", text):
        return "ply"
    if head.startswith(b"glTF"):
        return "glb"
    if head.startswith(b"\x93NUMPY"):
        return "npy"
    if head.startswith(b"\x89PNG"):
        return "png"
    if text.startswith(b"#binvox"):
        return "binvox"
    if _looks_like_binary_stl(head, size):  # text never fits: its bytes 80-84 would claim ~10^9 triangles
        return "stl"
    first = _first_significant_line(head)
    if re.match(r"(VERSION|FIELDS)\s", first, re.I):
        return "pcd"
    keyword = OFF_KEYWORD.match(first)
    if keyword and not first[keyword.end():keyword.end() + 1].isalpha():
        return "off"
    if text[:5].lower() == b"solid" and b"facet" in head.lower():
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
    vertices = np.asarray(vertices, np.float64)
    if vertices.ndim != 2 or vertices.shape[1] != 3:
        raise ReadError("The file's vertices do not have three coordinates each.")
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


CANNOT_READ = {  # what trimesh's failure to read a file means, in the user's terms
    "stl": "This STL file is damaged: its triangles cannot be read (an ASCII STL gives each triangle as a 'facet' "
           "with three 'vertex' lines, a binary one as 50 bytes).",
    "glb": "This is not a GLB file we can read: its parts do not fit together as glTF 2.0 lays them out (it is "
           "damaged, or uses an extension this tab does not read).",
    "gltf": "This glTF file cannot be read: its parts do not fit together as glTF 2.0 lays them out (it is damaged, "
            "or uses an extension this tab does not read).",
}


def _trimesh_geometry(data: bytes, fmt: str, notices: list[str]) -> Object3D:
    import trimesh

    try:
        loaded = trimesh.load(io.BytesIO(data), file_type=fmt, process=False)
    except Exception as exc:
        if fmt == "obj":
            return _read_obj_simply(data, notices)
        log.info("trimesh could not read a %s file: %r", fmt, exc)
        raise ReadError(CANNOT_READ.get(fmt, f"This {FORMAT_NAMES[fmt]} file is damaged, or uses a part of the "
                                             "format this tab does not read.")) from exc
    if isinstance(loaded, trimesh.Scene):
        geometries = list(loaded.dump()) if loaded.geometry else []
        if not geometries:
            raise ReadError(f"This {FORMAT_NAMES[fmt]} file holds no geometry: no mesh and no points.")
        meshes = [g for g in geometries if isinstance(g, trimesh.Trimesh) and len(g.faces)]
        clouds = [g for g in geometries if isinstance(g, trimesh.PointCloud)]
        if meshes:
            if len(geometries) > 1:
                notices.append(f"The scene has {len(geometries)} parts; merged them into one mesh (each placed by its node's transform).")
            loaded = trimesh.util.concatenate(meshes) if len(meshes) > 1 else meshes[0]
        elif clouds:
            loaded = trimesh.PointCloud(np.concatenate([c.vertices for c in clouds]))
        else:
            raise ReadError(f"This {FORMAT_NAMES[fmt]} file holds no mesh or point cloud (only lines or curves, perhaps).")
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
        raise ReadError(f"This {FORMAT_NAMES[fmt]} file holds lines or curves, not a mesh or point cloud.")
    colors = None
    visual = getattr(loaded, "visual", None)
    if visual is not None and getattr(visual, "kind", None) == "vertex":
        colors = np.asarray(visual.vertex_colors)[:, :3]
    vertices = np.asarray(loaded.vertices)
    return _clean_mesh(_y_up_to_z_up(vertices) if y_up else vertices, np.asarray(loaded.faces), colors, notices)


# ---- PLY, read here: header line by line, then the elements in order -----------------------------

PLY_TYPES = {"char": "i1", "int8": "i1", "uchar": "u1", "uint8": "u1", "short": "i2", "int16": "i2", "ushort": "u2",
             "uint16": "u2", "int": "i4", "int32": "i4", "uint": "u4", "uint32": "u4", "float": "f4", "float32": "f4",
             "double": "f8", "float64": "f8"}
PLY_ENCODINGS = {"ascii": "", "binary_little_endian": "<", "binary_big_endian": ">"}
PLY_PLURALS = {"vertex": "vertices", "face": "faces"}


@dataclass
class PlyProperty:
    name: str
    dtype: str  # numpy code of the value, e.g. "f4"
    count_dtype: str | None = None  # for a list property, the code of its length


@dataclass
class PlyElement:
    name: str
    count: int
    properties: list[PlyProperty] = field(default_factory=list)

    @property
    def plural(self) -> str:
        return PLY_PLURALS.get(self.name, f"'{self.name}' elements")


def _ply_damaged(element: PlyElement, got: int) -> ReadError:
    ends = "ends after the header" if got == 0 and element.name == "vertex" else f"ends after {got:,}"
    return ReadError(f"This PLY file is damaged: its header promises {element.count:,} {element.plural} "
                     f"but the file {ends}.")


def _ply_header(data: bytes) -> tuple[str, list[PlyElement], int]:
    """(encoding, elements, offset of the body). Comments, obj_info, blank lines, indentation, runs of
    spaces and CRLF line ends are all taken, as rply (the reference reader) and trimesh take them."""
    elements: list[PlyElement] = []
    encoding, pos = None, 0
    first = True
    while True:
        nl = data.find(b"\n", pos)
        if nl < 0:
            raise ReadError("This PLY file is damaged: its header has no end_header line (the file is cut short, "
                            "or it is not a PLY file).")
        words = data[pos:nl].decode("latin-1").split()
        pos = nl + 1
        if first:
            if not words:  # blank lines before the magic word
                continue
            first = False
            if words[:1] != ["ply"]:
                raise ReadError("This is not a PLY file: it does not start with 'ply'.")
            continue
        if not words or words[0] in ("comment", "obj_info"):
            continue
        keyword = words[0].lower()
        if keyword == "end_header":
            break
        if keyword == "format":
            if len(words) < 2 or words[1].lower() not in PLY_ENCODINGS:
                raise ReadError(f"This PLY file's format line is '{_shown(' '.join(words))}'; PLY data is ascii, "
                                "binary_little_endian or binary_big_endian.")
            encoding = words[1].lower()
        elif keyword == "element":
            if len(words) != 3 or not words[2].isdecimal():
                raise ReadError(f"This PLY file's header has an element line that is not 'element <name> <count>': "
                                f"'{_shown(' '.join(words))}'.")
            elements.append(PlyElement(words[1].lower(), int(words[2])))
        elif keyword == "property":
            if not elements:
                raise ReadError("This PLY file's header names a property before any element.")
            types = [w.lower() for w in words[1:-1]]
            unknown = [t for t in types if t not in PLY_TYPES and t != "list"]
            if unknown or len(words) < 3 or (types[0] == "list") != (len(types) == 3) or len(types) not in (1, 3):
                raise ReadError(f"This PLY file's header has a property line this reader does not understand: "
                                f"'{_shown(' '.join(words))}'.")
            count_dtype = PLY_TYPES[types[1]] if types[0] == "list" else None
            elements[-1].properties.append(PlyProperty(words[-1].lower(), PLY_TYPES[types[-1]], count_dtype))
    if encoding is None:
        raise ReadError("This PLY file's header has no format line (ascii or binary), so its data cannot be read.")
    return encoding, elements, pos


def _is_count(value: float) -> bool:
    return bool(np.isfinite(value)) and value >= 0 and value == int(value)


def _ply_ascii_element(values: np.ndarray, start: int, element: PlyElement) -> tuple[dict, int]:
    """The element's properties from the file's numbers (all of them, in order) from `start`:
    ({name: (count,) array, or (count, k) array or list of arrays for a list}, where it ends)."""
    n, props = element.count, element.properties
    if not props:
        return {}, start
    lists = [i for i, p in enumerate(props) if p.count_dtype]
    if not lists:  # one row of numbers an instance
        width = len(props)
        if start + n * width > len(values):
            raise _ply_damaged(element, (len(values) - start) // max(width, 1))
        table = values[start:start + n * width].reshape(n, width)
        return {p.name: table[:, i] for i, p in enumerate(props)}, start + n * width
    if len(lists) == 1 and n and start + lists[0] < len(values):
        # one list, the same length in every instance (triangles only, say): read it as a table
        before, after = lists[0], len(props) - lists[0] - 1
        length = values[start + before]
        if _is_count(length):
            width = before + 1 + int(length) + after
            fits = min(n, (len(values) - start) // width)
            table = values[start:start + fits * width].reshape(fits, width)
            if (table[:, before] == length).all():
                if fits < n:
                    raise _ply_damaged(element, fits)
                columns = {p.name: table[:, i] for i, p in enumerate(props[:before])}
                columns[props[before].name] = table[:, before + 1:before + 1 + int(length)]
                columns |= {p.name: table[:, before + 1 + int(length) + i] for i, p in enumerate(props[before + 1:])}
                return columns, start + n * width
    # lists of differing lengths: instance by instance
    columns: dict = {p.name: [] for p in props}
    pos = start
    for done in range(n):
        for p in props:
            if pos >= len(values):
                raise _ply_damaged(element, done)
            if p.count_dtype is None:
                columns[p.name].append(values[pos])
                pos += 1
                continue
            length = values[pos]
            if not _is_count(length) or pos + 1 + int(length) > len(values):
                raise _ply_damaged(element, done)
            columns[p.name].append(values[pos + 1:pos + 1 + int(length)])
            pos += 1 + int(length)
    return {p.name: (v if p.count_dtype else np.array(v)) for p, v in zip(props, columns.values())}, pos


def _ply_binary_element(data: bytes, start: int, element: PlyElement, order: str) -> tuple[dict, int]:
    """As _ply_ascii_element, from the file's bytes, in the given byte order ('<' or '>')."""
    n, props = element.count, element.properties
    if not props:
        return {}, start
    lists = [i for i, p in enumerate(props) if p.count_dtype]
    if not lists:
        dtype = np.dtype([(f"p{i}", order + p.dtype) for i, p in enumerate(props)])
        fits = (len(data) - start) // max(dtype.itemsize, 1)
        if fits < n:
            raise _ply_damaged(element, fits)
        rec = np.frombuffer(data, dtype, count=n, offset=start)
        return {p.name: rec[f"p{i}"] for i, p in enumerate(props)}, start + n * dtype.itemsize
    if len(lists) == 1 and n:
        # one list, the same length in every instance: a fixed record, checked instance by instance
        before = lists[0]
        at = start + sum(np.dtype(p.dtype).itemsize for p in props[:before])
        count_dtype = np.dtype(order + props[before].count_dtype)
        if at + count_dtype.itemsize <= len(data):
            length = int(np.frombuffer(data, count_dtype, count=1, offset=at)[0])
            if length >= 0:
                fields = [(f"p{i}", order + p.dtype) for i, p in enumerate(props[:before])]
                fields += [("length", count_dtype), ("items", order + props[before].dtype, (length,))]
                fields += [(f"p{before + 1 + i}", order + p.dtype) for i, p in enumerate(props[before + 1:])]
                dtype = np.dtype(fields)
                fits = min(n, (len(data) - start) // dtype.itemsize)
                rec = np.frombuffer(data, dtype, count=fits, offset=start)
                if (rec["length"] == length).all():
                    if fits < n:
                        raise _ply_damaged(element, fits)
                    columns = {p.name: rec[f"p{i}"] for i, p in enumerate(props) if i != before}
                    columns[props[before].name] = rec["items"].reshape(n, length)
                    return columns, start + n * dtype.itemsize
    # lists of differing lengths: instance by instance
    unpack = {p.name: struct.Struct(order + STRUCT_CODES[p.count_dtype or p.dtype]) for p in props}
    items = {p.name: STRUCT_CODES[p.dtype] for p in props if p.count_dtype}
    columns = {p.name: [] for p in props}
    pos = start
    try:
        for done in range(n):
            for p in props:
                (value,) = unpack[p.name].unpack_from(data, pos)
                pos += unpack[p.name].size
                if p.count_dtype is None:
                    columns[p.name].append(value)
                    continue
                if value < 0:
                    raise _ply_damaged(element, done)
                columns[p.name].append(np.frombuffer(data, order + p.dtype, count=value, offset=pos))
                pos += value * struct.calcsize(items[p.name])
    except (struct.error, ValueError):  # the data ends inside this instance
        raise _ply_damaged(element, done) from None
    return {p.name: (v if p.count_dtype else np.array(v)) for p, v in zip(props, columns.values())}, pos


STRUCT_CODES = {"i1": "b", "u1": "B", "i2": "h", "u2": "H", "i4": "i", "u4": "I", "f4": "f", "f8": "d"}


def _indices(values: np.ndarray) -> np.ndarray:
    """Corner indices as int64; those that are not finite become -1 (_clean_mesh drops their faces)."""
    values = np.asarray(values, np.float64)
    return np.where(np.isfinite(values) & (np.abs(values) < 2**62), values, -1).astype(np.int64)


def _fan(polygons: np.ndarray | list[np.ndarray], notices: list[str]) -> np.ndarray:
    """Polygons (corner indices) -> triangles, each fanned from its first corner."""
    if isinstance(polygons, np.ndarray):  # all of one length: (F, k)
        k = polygons.shape[1]
        if k < 3:
            if len(polygons):
                notices.append(f"Skipped {len(polygons):,} faces with fewer than three corners.")
            return np.zeros((0, 3), np.int64)
        polygons = _indices(polygons)
        return np.stack([np.stack([polygons[:, 0], polygons[:, j], polygons[:, j + 1]], 1) for j in range(1, k - 1)],
                        1).reshape(-1, 3)
    triangles = [[p[0], p[j], p[j + 1]] for p in polygons for j in range(1, len(p) - 1)]
    short = sum(len(p) < 3 for p in polygons)
    if short:
        notices.append(f"Skipped {short:,} faces with fewer than three corners.")
    return _indices(np.array(triangles, np.float64).reshape(-1, 3))


def _read_ply(data: bytes, notices: list[str]) -> Object3D:
    encoding, elements, start = _ply_header(data)
    vertex = next((e for e in elements if e.name == "vertex"), None)
    if vertex is None or vertex.count == 0:
        raise ReadError("This PLY file declares no vertices: its header has no 'element vertex' line with a count above 0.")
    if not {"x", "y", "z"} <= {p.name for p in vertex.properties}:
        raise ReadError("This PLY file's vertices have no x, y and z properties.")
    if vertex.count > options.MAX_POINTS:
        raise ReadError(f"The file holds {vertex.count:,} vertices; this tab opens up to {options.MAX_POINTS:,}.")
    wanted = {"vertex", "face"} & {e.name for e in elements}
    read: dict[str, dict] = {}
    values = None
    if encoding == "ascii":
        try:
            values = np.fromstring(data[start:].decode("latin-1"), sep=" ")
        except ValueError:
            raise ReadError("This PLY file is damaged: its data holds something other than numbers.") from None
        start = 0  # from here, a position among the numbers
    for element in elements:  # every element before the ones wanted must be stepped over
        if not wanted - set(read):
            break
        if encoding == "ascii":
            read[element.name], start = _ply_ascii_element(values, start, element)
        else:
            read[element.name], start = _ply_binary_element(data, start, element, PLY_ENCODINGS[encoding])
    columns = read["vertex"]
    points = np.stack([np.asarray(columns[c], np.float64) for c in "xyz"], 1)
    colors = None
    for names in (("red", "green", "blue"), ("r", "g", "b"), ("diffuse_red", "diffuse_green", "diffuse_blue")):
        if set(names) <= set(columns):
            kinds = {p.name: p.dtype for p in vertex.properties}
            top = {"u1": 255.0, "u2": 65535.0}.get(kinds[names[0]], 1.0)  # integers are 0..max; floats 0..1
            colors = np.stack([np.asarray(columns[c], np.float64) for c in names], 1) / top
            break
    face = read.get("face", {})
    corners = face.get("vertex_indices", face.get("vertex_index"))
    if corners is None or len(corners) == 0:
        return _finite_points(points, colors, notices)
    return _clean_mesh(points, _fan(corners, notices), colors, notices)


def _pcd_header(data: bytes) -> tuple[dict[str, list[str]], int]:
    """The PCD header as {key: values}, and the offset where the data starts."""
    header, pos = {}, 0
    while True:
        nl = data.find(b"\n", pos)
        if nl < 0:
            raise ReadError("This PCD file is damaged: its header has no DATA line (the file is cut short, or it is not PCD).")
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
        raise ReadError("This PCD file has no x, y and z fields.")
    try:
        n = int(header.get("POINTS", [None])[0] or int(header["WIDTH"][0]) * int(header["HEIGHT"][0]))
        sizes = [int(v) for v in header.get("SIZE", ["4"] * len(fields))]
        types = header.get("TYPE", ["F"] * len(fields))
        counts_ = [int(v) for v in header.get("COUNT", ["1"] * len(fields))]
    except (KeyError, ValueError, IndexError):
        raise ReadError("This PCD file's header has POINTS, WIDTH, HEIGHT, SIZE or COUNT lines that are not whole "
                        "numbers.") from None
    if not len(sizes) == len(types) == len(counts_) == len(fields):
        raise ReadError("This PCD file's header lists different numbers of FIELDS, SIZE, TYPE and COUNT values.")
    if min(sizes) < 1 or min(counts_) < 1:
        raise ReadError("This PCD file's header gives a field a SIZE or COUNT below 1.")
    if n <= 0:
        raise ReadError("This PCD file's header declares no points.")
    if n > options.MAX_POINTS:
        raise ReadError(f"The file holds {n:,} points; this tab opens clouds of up to {options.MAX_POINTS:,}.")
    kind = header["DATA"][0].lower() if header["DATA"] else ""
    if kind == "binary_compressed":
        return _read_pcd_open3d(data, notices)
    columns = {}
    if kind == "ascii":
        rows = data[start:].decode("ascii", "replace").split("\n")
        rows = [r for r in rows if r.strip()]
        if len(rows) < n:
            raise ReadError(f"This PCD file is damaged: its header promises {n:,} points but the file ends after {len(rows):,}.")
        if len(rows) > n:
            raise ReadError(f"This PCD file is damaged: its header promises {n:,} points but the file holds {len(rows):,} "
                            "lines of data.")
        try:
            table = np.array([r.split() for r in rows], dtype=np.float64)
        except ValueError:
            raise ReadError("This PCD file is damaged: some lines of its data are not numbers, or not all of one length.") from None
        offsets = np.cumsum([0, *counts_])
        if table.shape[1] != offsets[-1]:
            raise ReadError(f"This PCD file's data has {table.shape[1]} numbers a line; the fields in its header make {offsets[-1]}.")
        columns = {f: table[:, offsets[i]] for i, f in enumerate(fields)}
    elif kind == "binary":
        codes = {("F", 4): "<f4", ("F", 8): "<f8", ("I", 1): "i1", ("I", 2): "<i2", ("I", 4): "<i4", ("I", 8): "<i8",
                 ("U", 1): "u1", ("U", 2): "<u2", ("U", 4): "<u4", ("U", 8): "<u8"}
        try:
            dtype = np.dtype([(f"{f}_{i}", codes[(t.upper(), s)], (c,))
                              for i, (f, t, s, c) in enumerate(zip(fields, types, sizes, counts_))])
        except KeyError:
            raise ReadError("This PCD file's header names a field TYPE and SIZE this reader does not know "
                            "(F 4 or 8; I or U 1, 2, 4 or 8).") from None
        if len(data) - start < n * dtype.itemsize:
            raise ReadError(f"This PCD file is damaged: its header promises {n:,} points but the file ends after "
                            f"{(len(data) - start) // dtype.itemsize:,}.")
        rec = np.frombuffer(data, dtype, count=n, offset=start)
        columns = {f: rec[f"{f}_{i}"][:, 0] for i, f in enumerate(fields)}
    else:
        raise ReadError(f"This PCD file's data kind is '{_shown(kind)}'; PCD data is ascii, binary or binary_compressed.")
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
        raise ReadError("This PCD file holds no points that can be read (its compressed data may be damaged).")
    colors = np.asarray(cloud.colors) if cloud.has_colors() else None
    return _finite_points(points, colors, notices)


def _read_off(data: bytes, notices: list[str]) -> Object3D:
    """OFF read line by line: '#' starts a comment anywhere, blank lines and indentation are
    ignored, the counts may share the keyword's line (even its word: 'OFF8 6 0', as in ModelNet),
    and each vertex or face line may carry colours or normals after what is read here."""
    lines = [ln.split("#", 1)[0].split() for ln in data.decode("latin-1").splitlines()]
    lines = [ln for ln in lines if ln]
    keyword = OFF_KEYWORD.match(lines[0][0]) if lines else None
    if keyword is None:
        raise ReadError("This is not an OFF file: it does not start with the keyword OFF.")
    if keyword.group(2) or keyword.group(3):
        raise ReadError("This OFF file holds points of more or fewer than three coordinates (4OFF or nOFF); "
                        "this tab reads 3-D OFF files.")
    glued = lines[0][0][keyword.end():]
    counts = ([glued] if glued else []) + lines[0][1:]
    body = lines[1:]
    if not counts:
        counts, body = (body[0], body[1:]) if body else ([], [])
    try:
        nv, nf = int(counts[0]), int(counts[1])
    except (IndexError, ValueError):
        raise ReadError("This OFF file is damaged: the line after the keyword should give its numbers of vertices "
                        f"and faces, but it is '{_shown(' '.join(counts))}'.") from None
    if nv <= 0 or nf < 0:
        raise ReadError(f"This OFF file declares {nv:,} vertices and {nf:,} faces; it needs at least one vertex.")
    if nv > max(options.MAX_POINTS, options.MAX_VERTICES):
        raise ReadError(f"The file holds {nv:,} vertices; this tab opens up to {max(options.MAX_POINTS, options.MAX_VERTICES):,}.")
    if len(body) < nv:
        raise ReadError(f"This OFF file is damaged: its header promises {nv:,} vertices but the file ends after {len(body):,}.")
    rows = body[:nv]
    if min(len(r) for r in rows) < 3:
        bad = next(i for i, r in enumerate(rows) if len(r) < 3)
        raise ReadError(f"This OFF file is damaged: vertex {bad + 1:,} has fewer than three coordinates.")
    try:
        vertices = np.array([r[:3] for r in rows], np.float64)
    except ValueError:
        raise ReadError("This OFF file is damaged: some vertex coordinates are not numbers.") from None
    face_rows = body[nv:nv + nf]
    if len(face_rows) < nf:
        raise ReadError(f"This OFF file is damaged: its header promises {nf:,} faces but the file ends after {len(face_rows):,}.")
    polygons = []
    for i, row in enumerate(face_rows):  # "k i1 ... ik [colour]"
        try:
            k = int(row[0])
            polygons.append(np.array([int(t) for t in row[1:1 + k]], np.int64))
        except ValueError:
            raise ReadError(f"This OFF file is damaged: face {i + 1:,} holds something other than whole numbers.") from None
        if k < 0 or len(polygons[-1]) < k:
            raise ReadError(f"This OFF file is damaged: face {i + 1:,} says it has {k} corners but lists {len(polygons[-1])}.")
    if not polygons:
        notices.append("The OFF file has vertices but no faces: opened as a point cloud.")
        return _finite_points(vertices, None, notices)
    return _clean_mesh(vertices, _fan(polygons, notices), None, notices)


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
    """binvox: '#binvox <version>', then 'dim', 'translate' and 'scale' lines in any order (comments
    and blank lines between them are skipped, as binvox's own reader and trimesh skip them), then
    'data' and the run-length-encoded bytes: (value, count) pairs."""
    pos = len(data) - len(data.lstrip())
    header: dict[str, list[str]] = {}
    for number in range(200):
        nl = data.find(b"\n", pos)
        if nl < 0:
            raise ReadError("This binvox file is damaged: its header has no 'data' line (the file is cut short).")
        line = data[pos:nl].decode("latin-1")
        pos = nl + 1
        words = line.split() if number == 0 else line.split("#", 1)[0].split()
        if not words:
            continue
        if words[0].lower() == "data":
            break
        header[words[0].lower()] = words[1:]
    else:
        raise ReadError("This binvox file is damaged: its header has no 'data' line in its first 200 lines.")
    try:
        dims = [int(v) for v in header["dim"]]
        translate = np.array([float(v) for v in header.get("translate", ["0", "0", "0"])], np.float32).reshape(3)
        scale = float(header.get("scale", ["1"])[0])
    except (KeyError, ValueError, IndexError):
        raise ReadError("This binvox file's header lacks a valid 'dim' line (three whole numbers), or its "
                        "'translate' or 'scale' line is not numbers.") from None
    if len(dims) != 3 or min(dims) < 1 or max(dims) > options.MAX_VOXEL_SIDE:
        raise ReadError(f"The binvox grid is {' x '.join(str(d) for d in dims)}; this tab opens grids of up to "
                        f"{options.MAX_VOXEL_SIDE} per side.")
    rle = np.frombuffer(data[pos:pos + (len(data) - pos) // 2 * 2], np.uint8).reshape(-1, 2)
    total, expected = int(rle[:, 1].sum(dtype=np.int64)), int(np.prod(dims))
    if total != expected:  # checked before the runs are expanded: a lying file cannot fill the memory
        raise ReadError(f"This binvox file is damaged: its header promises {expected:,} voxels "
                        f"({' x '.join(str(d) for d in dims)}) but its data holds {total:,}.")
    values = np.repeat(rle[:, 0], rle[:, 1])
    # binvox stores x slowest, then z, then y; this tab indexes (x, y, z)
    occ = values.reshape(dims[0], dims[2], dims[1]).transpose(0, 2, 1).astype(bool)
    if not occ.any():
        raise ReadError("The binvox grid has no occupied voxels.")
    pitch = scale / max(dims)
    return Voxels(occ, translate + pitch / 2, pitch)


def _read_npy(data: bytes, intrinsics: tuple[float, float, float, float] | None, notices: list[str]) -> Object3D:
    stream = io.BytesIO(data)
    try:  # the header first: what the array is and how many bytes it needs, before reading it
        version = np.lib.format.read_magic(stream)
        read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, _, dtype = read_header(stream)
    except Exception:  # noqa: BLE001 (numpy says what it found wrong in its own terms)
        raise ReadError("This .npy file is damaged: its header cannot be read.") from None
    if dtype.hasobject:
        raise ReadError("This .npy file holds Python objects (pickled); only plain numeric or boolean arrays are opened.")
    needed = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(data) - stream.tell() < needed:
        raise ReadError(f"This .npy file is damaged: its header promises an array of shape {tuple(shape)} "
                        f"({needed:,} bytes) but the file ends after {len(data) - stream.tell():,} bytes of it.")
    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except Exception:  # noqa: BLE001
        raise ReadError("This .npy file is damaged: its data cannot be read as the header describes.") from None
    if array.dtype == bool and array.ndim == 3:
        if max(array.shape) > options.MAX_VOXEL_SIDE:
            raise ReadError(f"The voxel grid is {array.shape}; this tab opens grids of up to {options.MAX_VOXEL_SIDE} per side.")
        if not array.any():
            raise ReadError("The voxel grid has no occupied voxels.")
        return Voxels(array, np.zeros(3, np.float32), 1.0 / max(array.shape))
    if not np.issubdtype(array.dtype, np.number):
        kind = {"b": "booleans", "U": "text", "S": "bytes", "M": "dates", "m": "time spans"}.get(array.dtype.kind, "records")
        raise ReadError(f"The .npy array holds {kind} in shape {array.shape}; open booleans (X, Y, Z) as voxels, numbers (H, W) as a "
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


def _check_glb(data: bytes) -> None:
    """The GLB container (12-byte header, then a JSON chunk) is checked here, so a damaged file is
    told apart from one whose scene trimesh cannot use."""
    if len(data) < 20:
        raise ReadError(f"This GLB file is damaged: it ends after {len(data)} bytes, inside its header.")
    version, length, json_length = struct.unpack_from("<III", data, 4)
    if version != 2:
        raise ReadError("This is not a GLB file we can read: " + (
            "it is glTF 1.0; this tab reads glTF 2.0 (re-export it from a current tool)." if version == 1
            else "its header is not a valid glTF header."))
    if length > len(data):
        raise ReadError(f"This GLB file is damaged: its header says it is {length:,} bytes long but the file has "
                        f"{len(data):,} (it was cut short).")
    if data[16:20] != b"JSON" or 20 + json_length > len(data):
        raise ReadError("This GLB file is damaged: its scene description (the JSON part) is missing or cut short.")
    try:
        scene = json.loads(data[20:20 + json_length].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ReadError("This GLB file is damaged: its scene description is not valid JSON.") from None
    if not isinstance(scene, dict):
        raise ReadError("This GLB file is damaged: its scene description is not a glTF scene.")
    if "KHR_draco_mesh_compression" in scene.get("extensionsRequired", []):
        raise ReadError("This GLB file's meshes are Draco-compressed, which this tab does not read; export it "
                        "without Draco compression.")


def read_bytes(data: bytes, name: str = "", intrinsics: tuple[float, float, float, float] | None = None) -> tuple[Object3D, list[str]]:
    """Open a file's bytes by its content; the name's extension is only a hint (and a notice
    when it disagrees). Raises ReadError with a sentence for the user."""
    notices: list[str] = []
    extension = Path(name).suffix.lower().lstrip(".")
    if len(data) == 0:
        raise ReadError("The file is empty.")
    if len(data) > options.UPLOAD_BYTES:
        raise ReadError(f"The file is {len(data) / 2**20:.0f} MB; the limit is {options.UPLOAD_BYTES // 2**20} MB.")
    fmt = sniff(data[:65536], len(data), extension)
    if fmt is None:
        known = ", ".join(sorted(set(FORMAT_NAMES.values())))
        raise ReadError(f"Could not tell what kind of file '{_shown(Path(name).name) or 'this'}' is from its content. "
                        f"This tab opens {known}.")
    expected = EXTENSIONS.get(extension)
    if extension and expected != fmt:
        notices.append(f"The file is named .{extension} but its content is {FORMAT_NAMES[fmt]}; opened it as {FORMAT_NAMES[fmt]}.")
    try:
        obj = _read_format(data, fmt, intrinsics, notices)
    except ReadError:
        raise
    except MemoryError:
        raise ReadError("The file needs more memory to open than this server has; try a smaller one.") from None
    except Exception as exc:
        log.exception("unexpected failure reading a %s file", fmt)
        raise ReadError(f"This {FORMAT_NAMES[fmt]} file is damaged, or uses a part of the format this tab does not "
                        "read.") from exc
    if isinstance(obj, PointCloud) and len(obj) > options.MAX_POINTS:
        raise ReadError(f"The file holds {len(obj):,} points; this tab opens clouds of up to {options.MAX_POINTS:,}.")
    return obj, notices


def _read_format(data: bytes, fmt: str, intrinsics: tuple[float, float, float, float] | None,
                 notices: list[str]) -> Object3D:
    if fmt == "ply":
        return _read_ply(data, notices)
    if fmt == "pcd":
        return _read_pcd(data, notices)
    if fmt == "off":
        return _read_off(data, notices)
    if fmt == "xyz":
        return _read_xyz(data, notices)
    if fmt == "binvox":
        return _read_binvox(data)
    if fmt == "npy":
        return _read_npy(data, intrinsics, notices)
    if fmt == "png":
        return _read_png(data, intrinsics, notices)
    if fmt == "obj":  # trimesh skips indented lines; OBJ readers in general do not
        return _trimesh_geometry(re.sub(rb"(?m)^[ \t]+", b"", data), fmt, notices)
    if fmt == "glb":
        _check_glb(data)
    if fmt == "gltf":
        try:
            scene = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise ReadError("The glTF file is not valid JSON.") from None
        buffers = scene.get("buffers", []) if isinstance(scene, dict) else []
        if any(isinstance(b, dict) and not str(b.get("uri", "data:")).startswith("data:") for b in buffers):
            raise ReadError("This glTF file keeps its data in separate .bin files that were not uploaded; "
                            "export it as a single binary .glb and open that.")
    return _trimesh_geometry(data, fmt, notices)


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
