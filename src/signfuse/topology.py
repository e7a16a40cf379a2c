"""Landmark topologies: component names, point names, skeleton edges and face regions.

The canonical components are MediaPipe Holistic's: ``POSE`` (33), ``FACE`` (468, or 478 with the
refined iris points), ``LEFT_HAND`` (21), ``RIGHT_HAND`` (21) and ``POSE_WORLD`` (33, metric). Names
used by pose-format (``POSE_LANDMARKS`` ...) and OpenPose (``pose_keypoints_2d`` ...) are aliases that
readers map onto these names (:func:`canonical_component`). "Left" and "right" are the signer's own.

The face-mesh index lists follow ``mediapipe.solutions.face_mesh_connections``; a test checks them
against the installed MediaPipe so they cannot drift.
"""

from __future__ import annotations

__all__ = [
    "POSE",
    "FACE",
    "LEFT_HAND",
    "RIGHT_HAND",
    "POSE_WORLD",
    "POSE_POINTS",
    "HAND_POINTS",
    "FACE_POINTS_468",
    "FACE_POINTS_478",
    "POSE_EDGES",
    "HAND_EDGES",
    "COMPONENT_ALIASES",
    "canonical_component",
    "OPENPOSE_BODY_25_POINTS",
    "FACE_REGIONS",
    "KAGGLE_LAYOUT",
    "KAGGLE_POINTS_PER_FRAME",
    "MIRROR_COMPONENTS",
    "mirror_point_name",
]

POSE = "POSE"
FACE = "FACE"
LEFT_HAND = "LEFT_HAND"
RIGHT_HAND = "RIGHT_HAND"
POSE_WORLD = "POSE_WORLD"

POSE_POINTS: tuple[str, ...] = (
    "NOSE",
    "LEFT_EYE_INNER",
    "LEFT_EYE",
    "LEFT_EYE_OUTER",
    "RIGHT_EYE_INNER",
    "RIGHT_EYE",
    "RIGHT_EYE_OUTER",
    "LEFT_EAR",
    "RIGHT_EAR",
    "MOUTH_LEFT",
    "MOUTH_RIGHT",
    "LEFT_SHOULDER",
    "RIGHT_SHOULDER",
    "LEFT_ELBOW",
    "RIGHT_ELBOW",
    "LEFT_WRIST",
    "RIGHT_WRIST",
    "LEFT_PINKY",
    "RIGHT_PINKY",
    "LEFT_INDEX",
    "RIGHT_INDEX",
    "LEFT_THUMB",
    "RIGHT_THUMB",
    "LEFT_HIP",
    "RIGHT_HIP",
    "LEFT_KNEE",
    "RIGHT_KNEE",
    "LEFT_ANKLE",
    "RIGHT_ANKLE",
    "LEFT_HEEL",
    "RIGHT_HEEL",
    "LEFT_FOOT_INDEX",
    "RIGHT_FOOT_INDEX",
)

HAND_POINTS: tuple[str, ...] = (
    "WRIST",
    "THUMB_CMC",
    "THUMB_MCP",
    "THUMB_IP",
    "THUMB_TIP",
    "INDEX_FINGER_MCP",
    "INDEX_FINGER_PIP",
    "INDEX_FINGER_DIP",
    "INDEX_FINGER_TIP",
    "MIDDLE_FINGER_MCP",
    "MIDDLE_FINGER_PIP",
    "MIDDLE_FINGER_DIP",
    "MIDDLE_FINGER_TIP",
    "RING_FINGER_MCP",
    "RING_FINGER_PIP",
    "RING_FINGER_DIP",
    "RING_FINGER_TIP",
    "PINKY_MCP",
    "PINKY_PIP",
    "PINKY_DIP",
    "PINKY_TIP",
)

# Face-mesh points have no names in MediaPipe; pose-format names them by their index.
FACE_POINTS_468: tuple[str, ...] = tuple(str(i) for i in range(468))
FACE_POINTS_478: tuple[str, ...] = tuple(str(i) for i in range(478))

# OpenPose BODY_25, with MediaPipe-style names where the joint is the same.
OPENPOSE_BODY_25_POINTS: tuple[str, ...] = (
    "NOSE",
    "NECK",
    "RIGHT_SHOULDER",
    "RIGHT_ELBOW",
    "RIGHT_WRIST",
    "LEFT_SHOULDER",
    "LEFT_ELBOW",
    "LEFT_WRIST",
    "MID_HIP",
    "RIGHT_HIP",
    "RIGHT_KNEE",
    "RIGHT_ANKLE",
    "LEFT_HIP",
    "LEFT_KNEE",
    "LEFT_ANKLE",
    "RIGHT_EYE",
    "LEFT_EYE",
    "RIGHT_EAR",
    "LEFT_EAR",
    "LEFT_BIG_TOE",
    "LEFT_SMALL_TOE",
    "LEFT_HEEL",
    "RIGHT_BIG_TOE",
    "RIGHT_SMALL_TOE",
    "RIGHT_HEEL",
)

POSE_EDGES: tuple[tuple[int, int], ...] = (
    (0, 1),
    (1, 2),
    (2, 3),
    (3, 7),
    (0, 4),
    (4, 5),
    (5, 6),
    (6, 8),
    (9, 10),
    (11, 12),
    (11, 13),
    (13, 15),
    (15, 17),
    (15, 19),
    (15, 21),
    (17, 19),
    (12, 14),
    (14, 16),
    (16, 18),
    (16, 20),
    (16, 22),
    (18, 20),
    (11, 23),
    (12, 24),
    (23, 24),
    (23, 25),
    (24, 26),
    (25, 27),
    (26, 28),
    (27, 29),
    (28, 30),
    (29, 31),
    (30, 32),
    (27, 31),
    (28, 32),
)

HAND_EDGES: tuple[tuple[int, int], ...] = (
    (0, 1),
    (1, 2),
    (2, 3),
    (3, 4),
    (0, 5),
    (5, 6),
    (6, 7),
    (7, 8),
    (5, 9),
    (9, 10),
    (10, 11),
    (11, 12),
    (9, 13),
    (13, 14),
    (14, 15),
    (15, 16),
    (13, 17),
    (0, 17),
    (17, 18),
    (18, 19),
    (19, 20),
)

COMPONENT_ALIASES: dict[str, str] = {
    "POSE_LANDMARKS": POSE,
    "FACE_LANDMARKS": FACE,
    "LEFT_HAND_LANDMARKS": LEFT_HAND,
    "RIGHT_HAND_LANDMARKS": RIGHT_HAND,
    "POSE_WORLD_LANDMARKS": POSE_WORLD,
    "pose_keypoints_2d": POSE,
    "face_keypoints_2d": FACE,
    "hand_left_keypoints_2d": LEFT_HAND,
    "hand_right_keypoints_2d": RIGHT_HAND,
    # Kaggle ASL Signs `type` column
    "pose": POSE,
    "face": FACE,
    "left_hand": LEFT_HAND,
    "right_hand": RIGHT_HAND,
}

# pose-format's component names, used when writing .pose files so other tools read them.
POSE_FORMAT_NAMES: dict[str, str] = {
    POSE: "POSE_LANDMARKS",
    FACE: "FACE_LANDMARKS",
    LEFT_HAND: "LEFT_HAND_LANDMARKS",
    RIGHT_HAND: "RIGHT_HAND_LANDMARKS",
    POSE_WORLD: "POSE_WORLD_LANDMARKS",
}


def canonical_component(name: str) -> str:
    """Return the canonical name of a component (``"POSE_LANDMARKS"`` -> ``"POSE"``).

    Unknown names are returned unchanged, so files with custom components still load.
    """
    return COMPONENT_ALIASES.get(name, name)


# Kaggle "ASL Signs" parquet: 543 rows per frame in this order.
KAGGLE_LAYOUT: tuple[tuple[str, str, int], ...] = (
    ("face", FACE, 468),
    ("left_hand", LEFT_HAND, 21),
    ("pose", POSE, 33),
    ("right_hand", RIGHT_HAND, 21),
)
KAGGLE_POINTS_PER_FRAME = 543

MIRROR_COMPONENTS: dict[str, str] = {LEFT_HAND: RIGHT_HAND, RIGHT_HAND: LEFT_HAND}


def mirror_point_name(name: str) -> str:
    """Swap ``LEFT``/``RIGHT`` in a point name (``LEFT_WRIST`` -> ``RIGHT_WRIST``)."""
    if "LEFT" in name:
        return name.replace("LEFT", "RIGHT")
    if "RIGHT" in name:
        return name.replace("RIGHT", "LEFT")
    return name


# Face-mesh regions (indices into the 468/478-point mesh). Left/right are the signer's.
FACE_REGIONS: dict[str, tuple[int, ...]] = {
    "lips": (
        61,
        146,
        91,
        181,
        84,
        17,
        314,
        405,
        321,
        375,
        291,
        185,
        40,
        39,
        37,
        0,
        267,
        269,
        270,
        409,
        78,
        95,
        88,
        178,
        87,
        14,
        317,
        402,
        318,
        324,
        308,
        191,
        80,
        81,
        82,
        13,
        312,
        311,
        310,
        415,
    ),
    "left_eye": (263, 249, 390, 373, 374, 380, 381, 382, 362, 466, 388, 387, 386, 385, 384, 398),
    "right_eye": (33, 7, 163, 144, 145, 153, 154, 155, 133, 246, 161, 160, 159, 158, 157, 173),
    "left_brow": (276, 283, 282, 295, 285, 300, 293, 334, 296, 336),
    "right_brow": (46, 53, 52, 65, 55, 70, 63, 105, 66, 107),
    "nose": (1, 2, 4, 5, 6, 19, 94, 98, 168, 195, 197, 327),
    "oval": (
        10,
        338,
        297,
        332,
        284,
        251,
        389,
        356,
        454,
        323,
        361,
        288,
        397,
        365,
        379,
        378,
        400,
        377,
        152,
        148,
        176,
        149,
        150,
        136,
        172,
        58,
        132,
        93,
        234,
        127,
        162,
        21,
        54,
        103,
        67,
        109,
    ),
    "left_iris": (473, 474, 475, 476, 477),
    "right_iris": (468, 469, 470, 471, 472),
}
FACE_REGIONS["eyes"] = FACE_REGIONS["left_eye"] + FACE_REGIONS["right_eye"]
FACE_REGIONS["brows"] = FACE_REGIONS["left_brow"] + FACE_REGIONS["right_brow"]
