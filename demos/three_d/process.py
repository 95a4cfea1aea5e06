"""Point-cloud processing with open3d: down-sampling, normal estimation and outlier removal.
Each returns the new cloud and the points it removed (for the before/after view)."""

from __future__ import annotations

import numpy as np

from demos.three_d import options
from demos.three_d.convert import from_open3d, to_open3d
from demos.three_d.geometry import PointCloud


def object_size(cloud: PointCloud) -> float:
    """The longest side of the bounding box: processing sizes are given as a share of it."""
    return float(np.ptp(cloud.points, axis=0).max()) or 1.0


def voxel_down_sample(cloud: PointCloud, voxel_share: float) -> PointCloud:
    """One point per occupied voxel of side voxel_share x the object's size: the mean of the points
    in it (colours and normals averaged too). Evens out density; loses detail finer than a voxel."""
    voxel_share = options.VOXEL_SIZE.check(voxel_share)
    return from_open3d(to_open3d(cloud).voxel_down_sample(voxel_share * object_size(cloud)))


def estimate_normals(cloud: PointCloud, neighbours: int = 20) -> PointCloud:
    """Each point's normal is the direction of least spread of its k nearest neighbours (the
    smallest eigenvector of their covariance); its sign is then turned to face away from the centre."""
    import open3d as o3d

    neighbours = options.NEIGHBOURS.check(neighbours)
    if len(cloud) < 3:
        raise ValueError("Normals need at least three points.")
    pcd = to_open3d(PointCloud(cloud.points, cloud.colors))
    pcd.estimate_normals(o3d.geometry.KDTreeSearchParamKNN(knn=neighbours))
    result = from_open3d(pcd)
    outward = ((result.points - result.points.mean(0)) * result.normals).sum(1) < 0
    result.normals[outward] *= -1
    return result


def remove_statistical_outliers(cloud: PointCloud, neighbours: int = 20, std_ratio: float = 2.0) -> tuple[PointCloud, PointCloud]:
    """Drop points whose mean distance to their k nearest neighbours is more than std_ratio standard
    deviations above the average of that distance: lone points far from the surface.
    Returns (kept, removed)."""
    neighbours = options.NEIGHBOURS.check(neighbours)
    std_ratio = options.STD_RATIO.check(std_ratio)
    if len(cloud) <= neighbours:
        raise ValueError(f"Outlier removal with {neighbours} neighbours needs more than {neighbours} points.")
    _, kept_index = to_open3d(cloud).remove_statistical_outlier(nb_neighbors=neighbours, std_ratio=std_ratio)
    keep = np.zeros(len(cloud), bool)
    keep[np.asarray(kept_index, int)] = True
    return cloud.subset(keep), cloud.subset(~keep)
