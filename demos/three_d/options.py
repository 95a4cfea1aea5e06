"""The 3-D tab's limits and choices; plain Python, so the UI is built without loading a library."""

from __future__ import annotations

from shared import limits

UPLOAD_BYTES = 100 * 2**20  # a binary PLY of 4 M coloured points; Spaces' disk and memory take it
MAX_POINTS = 5_000_000
MAX_VERTICES = 5_000_000
MAX_FACES = 5_000_000
MAX_VOXEL_SIDE = 256
MAX_DEPTH_PIXELS = 4096 * 4096

# what is sent to the browser: beyond these, the view shows a sample with a notice
DISPLAY_POINTS = 200_000
DISPLAY_FACES = 200_000
DISPLAY_VOXELS = 40_000  # cubes drawn in the plot (each is up to 12 triangles)

SURFACE_POINTS = limits.IntRange("number of points to sample", 100, 1_000_000)
VOXEL_RESOLUTION = limits.IntRange("voxel resolution", 8, 192)
POISSON_DEPTH = limits.IntRange("Poisson octree depth", 5, 10)
RECONSTRUCT_POINTS = 60_000  # surface reconstruction reads at most this many points (down-sampled first)
VOXEL_SIZE = limits.FloatRange("voxel size (share of the object's size)", 0.001, 0.5)
NEIGHBOURS = limits.IntRange("number of neighbours", 2, 100)
STD_RATIO = limits.FloatRange("standard-deviation ratio", 0.1, 10.0)
FOCAL = limits.FloatRange("focal length in pixels (0 = from a 60 degree field of view)", 0.0, 100_000.0)
CENTRE = limits.FloatRange("principal point in pixels (0 = the image centre)", 0.0, 100_000.0)
PHOTO_PIXELS = 4096 * 4096  # checked from the header, before decoding (PIL's own bomb check is at 179 M)
PHOTO_BYTES = 50 * 2**20
PHOTO_MIN_SIDE = 8
POINTNET_POINTS = 512  # points PointNet reads, sampled from the current object

# what the sliders offer (some a comfortable part of what the logic accepts above: the API may ask
# for more), where they start and their steps; both front ends build their widgets from these
SURFACE_POINTS_SLIDER = limits.Slider(limits.IntRange(SURFACE_POINTS.name, SURFACE_POINTS.low, 200_000), 20_000, 100)
DEFAULT_SURFACE_POINTS = SURFACE_POINTS_SLIDER.value
VOXEL_RESOLUTION_SLIDER = limits.Slider(VOXEL_RESOLUTION, 48, 1)
DEFAULT_VOXEL_RESOLUTION = VOXEL_RESOLUTION_SLIDER.value
POISSON_DEPTH_SLIDER = limits.Slider(POISSON_DEPTH, 7, 1)
DEFAULT_POISSON_DEPTH = POISSON_DEPTH_SLIDER.value
VOXEL_SIZE_SLIDER = limits.Slider(limits.FloatRange(VOXEL_SIZE.name, 0.005, 0.1), 0.02, 0.005)
DEFAULT_VOXEL_SIZE = VOXEL_SIZE_SLIDER.value
NEIGHBOURS_SLIDER = limits.Slider(limits.IntRange(NEIGHBOURS.name, NEIGHBOURS.low, 50), 20, 1)
DEFAULT_NEIGHBOURS = NEIGHBOURS_SLIDER.value
STD_RATIO_SLIDER = limits.Slider(limits.FloatRange(STD_RATIO.name, 0.5, 5.0), 2.0, 0.1)
DEFAULT_STD_RATIO = STD_RATIO_SLIDER.value

CLASSES: tuple[str, ...] = ("sphere", "cube", "cylinder", "cone", "torus", "pyramid")  # PointNet's classes
# the built-in objects, by name (shapes3d.SAMPLES makes each); named here so a link can be checked without numpy
SAMPLE_NAMES: tuple[str, ...] = (
    "Torus knot (mesh)", "Terrain (mesh)", "Noisy scan with outliers (point cloud)", "'3D' in block letters (voxels)",
    "Ball on a floor (depth map)", *(f"{name.capitalize()} (mesh, a PointNet class)" for name in CLASSES),
)
DEFAULT_SAMPLE = SAMPLE_NAMES[0]
# what the upload boxes offer; the readers decide by the content, whatever the name says
FILE_TYPES = (".ply", ".pcd", ".xyz", ".txt", ".pts", ".obj", ".stl", ".off", ".glb", ".gltf", ".binvox", ".npy", ".png")
PHOTO_TYPES = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".tif", ".tiff")

DEFAULT_COLOUR = "height"
COLOUR_MODES = {"height": "Height", "normal": "Normal direction", "own": "The file's own colours"}
CONVERSIONS = {
    "mesh_to_points": "Mesh → point cloud (surface sampling)",
    "points_to_voxels": "Point cloud → voxels",
    "voxels_to_mesh": "Voxels → mesh (marching cubes)",
    "points_to_mesh_poisson": "Point cloud → mesh (Poisson reconstruction)",
    "points_to_mesh_ball": "Point cloud → mesh (ball pivoting)",
    "depth_to_points": "Depth map → point cloud",
    "voxels_to_points": "Voxels → point cloud (voxel centres)",
}
DEPTH_MODEL = "depth-anything/Depth-Anything-V2-Small-hf"


# ---- presenter links: ?tab=three_d&present=1&sample=Torus+knot+(mesh)&colour=normal opens a sample ----
from shared import presenter  # noqa: E402 (kept beside what it declares)

LINK_PARAMS: dict[str, presenter.LinkParam] = {
    "sample": presenter.choice_param("sample", SAMPLE_NAMES),
    "colour": presenter.choice_param("colouring", tuple(COLOUR_MODES)),
    # the Convert section's settings, ready for the conversion the presenter presses next
    "points": presenter.int_param(SURFACE_POINTS_SLIDER.shown),
    "voxels": presenter.int_param(VOXEL_RESOLUTION),
    "poisson": presenter.int_param(POISSON_DEPTH),
    "seed": presenter.int_param(limits.SEED),
}
# the torus knot coloured by its normals, voxels ready at a coarse 32 a side
LINK_EXAMPLE: dict[str, str] = {"sample": DEFAULT_SAMPLE, "colour": "normal", "voxels": "32"}
