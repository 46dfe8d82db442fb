#!/usr/bin/env python3
"""The near-clone backdoor's poisons on a fixed seven-row data set, computed with NumPy, the reference
for Tests/PoisoningEngineTests/NearCloneBackdoorTests.swift: each row x of a class other than the
target moves toward the target class's mean m by at most d in standardised units,
x' = x + min(1, d / D) (m - x), D = ||(m - x) / sigma||_2 over the features with sigma > 0, sigma the
population standard deviation (NumPy's std, ddof = 0) of each feature over all training rows. The last
feature is the trigger's (a patch overwrites it), so only the first three are printed.

    python3 scripts/near_clone_reference.py
"""
import numpy as np

# Seven rows of four features (binary-exact values, so Float and Double hold the same data) and
# their classes; class 0 is the target.
ROWS = np.array([
    [0.5, 1.25, -2.0, 0.0],
    [1.5, 0.75, -1.5, 0.0],
    [2.5, 1.0, -1.0, 0.0],
    [-1.0, -0.5, 2.0, 0.0],
    [-2.25, 0.25, 1.5, 0.0],
    [0.75, -3.0, 0.5, 0.0],
    [-0.5, -2.5, -0.25, 0.0],
])
LABELS = np.array([0, 0, 0, 1, 1, 2, 2])
TARGET = 0


def main():
    sigma = ROWS.std(axis=0)
    mean = ROWS[LABELS == TARGET].mean(axis=0)
    varying = sigma > 0
    print("sigma", " ".join(f"{s:.9g}" for s in sigma))
    print("mean", " ".join(f"{m:.9g}" for m in mean))
    for d in [0.7, 2.5, 100]:
        for row in np.flatnonzero(LABELS != TARGET):
            x = ROWS[row]
            span = np.linalg.norm((mean - x)[varying] / sigma[varying])
            moved = x + min(1.0, d / span) * (mean - x)
            print(f"d {d:g} row {row} D {span:.9g}:", " ".join(f"{v:.9g}" for v in moved[:3]))


if __name__ == "__main__":
    main()
