"""The words both 3-D front ends show (title, section headings and introductions, widget labels and
help), written once so the Gradio tab and the Streamlit page say the same thing."""

from __future__ import annotations

from demos.three_d.options import DISPLAY_POINTS, POINTNET_POINTS, UPLOAD_BYTES

TITLE = "3-D data: point clouds, meshes, voxels and depth maps"
SUBTITLE = ("Open or pick an object, see it, turn one representation into another and compare what each keeps "
            "and costs, clean a scan with open3d, and ask a PointNet what it is.")

OPEN_HEADING = "1 · Open and view"
UPLOAD_LABEL = f"…or open a file (up to {UPLOAD_BYTES // 2**20} MB)"
FILE_FORMATS = ("Point clouds: PLY, PCD, XYZ · meshes: OBJ, STL, PLY, OFF, GLB/glTF · voxels: binvox, .npy of "
                "booleans · depth maps: 16-bit PNG (millimetres) or .npy (metres). Files are read by their content; "
                f"at most {DISPLAY_POINTS:,} points or faces are drawn.")
CAMERA_TITLE = "Depth-map camera, used when a depth file is opened (0 = default: 60° field of view, centred)"
NOTHING_OPEN = "Press **Open sample** or upload a file."

CONVERT_HEADING = "2 · Convert"
CONVERT_INTRO = ("Each conversion replaces the current object; the table above keeps the chain, so the forms can be "
                 "compared: how many numbers each takes and what it can still say.")
POINTS_LABEL, POINTS_INFO = "Points to sample", "mesh → point cloud"
RESOLUTION_LABEL, RESOLUTION_INFO = "Voxels along the longest side", "point cloud → voxels"
POISSON_LABEL, POISSON_INFO = "Poisson octree depth", "finer surface, slower: 2^depth cells a side"

PROCESS_HEADING = "3 · Process a point cloud (open3d)"
VOXEL_SHARE_LABEL = "Voxel size (share of the object's size)"
VOXEL_SHARE_INFO = "down-sampling keeps one point per voxel"
NEIGHBOURS_LABEL, NEIGHBOURS_INFO = "Neighbours (k)", "for normals and outlier removal"
STD_RATIO_LABEL = "Outlier threshold (standard deviations)"
# the processing buttons, by actions.PROCESSES key
PROCESS_LABELS = {"down_sample": "Down-sample", "normals": "Estimate normals", "outliers": "Remove outliers"}
BEFORE_AFTER_LABEL = "Before and after (removed points in red)"

CLASSIFY_HEADING = "4 · What is it? PointNet"
CLASSIFY_INTRO = ("The bundled PointNet was trained here on six kinds of procedural object, in any pose. It reads "
                  f"{POINTNET_POINTS} points of the current object.")

DEPTH_HEADING = "5 · From a photo to a depth map (a Hub model)"
DEPTH_INTRO = ("A depth-estimation network guesses how far each pixel is; the result becomes the current object, "
               "so *Depth map → point cloud* lifts the photo into 3-D. Needs the Hub once (then the model is cached).")
