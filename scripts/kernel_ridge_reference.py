#!/usr/bin/env python3
"""Reference values for the kernel-ridge model test
(Tests/PoisoningEngineTests/KernelRidgeTests.swift), written to
Tests/PoisoningEngineTests/Fixtures/kernel_ridge_reference.json.

Fixed data: 80 training and 40 test rows of 4 features in 3 Gaussian classes (NumPy's
RandomState(23)), rounded to float32 as make-report holds features. For each case (kernel, length
scale l, ridge lambda) scikit-learn's KernelRidge(alpha=lambda, kernel=..., gamma=...) is fitted
on the one-hot labels: kernel 'rbf' with gamma = 1 / (2 l^2), kernel 'laplacian' with gamma = 1 / l.
It records the decision values of the test rows (KernelRidge.predict, one column per class) and
their arg-max (the first on ties), which make-report must reproduce (decision values to 1e-4: the
solve is exact in both, Cholesky in Double).

Run `python3 scripts/kernel_ridge_reference.py` with scikit-learn installed
(`pip install scikit-learn`); nothing here is needed to build, run or test the tool.
"""
import importlib.metadata
import json
import pathlib

import numpy as np
from sklearn.kernel_ridge import KernelRidge

CASES = [
    {"kernel": "rbf", "lengthScale": 1.0, "lambda": 1.0},
    {"kernel": "rbf", "lengthScale": 2.5, "lambda": 0.01},
    {"kernel": "laplacian", "lengthScale": 1.0, "lambda": 1.0},
    {"kernel": "laplacian", "lengthScale": 4.0, "lambda": 0.1},
]


def main():
    random = np.random.RandomState(23)
    classes, features, train_rows, test_rows = 3, 4, 80, 40
    centers = random.normal(0.0, 1.0, size=(classes, features))
    labels = random.randint(0, classes, size=train_rows + test_rows)
    x = (centers[labels] + random.normal(0.0, 1.0, size=(train_rows + test_rows, features))).astype(np.float32)
    train_x, test_x = x[:train_rows], x[train_rows:]
    train_y, test_y = labels[:train_rows], labels[train_rows:]
    one_hot = np.eye(classes)[train_y]
    cases = []
    for case in CASES:
        gamma = 1.0 / (2.0 * case["lengthScale"] ** 2) if case["kernel"] == "rbf" else 1.0 / case["lengthScale"]
        model = KernelRidge(alpha=case["lambda"], kernel=case["kernel"], gamma=gamma)
        model.fit(train_x.astype(np.float64), one_hot)
        decision = model.predict(test_x.astype(np.float64))
        cases.append(dict(case, decision=[float(v) for v in decision.ravel()],
                          predictions=[int(v) for v in decision.argmax(axis=1)]))
    output = {
        "generator": "scripts/kernel_ridge_reference.py",
        "scikitLearn": importlib.metadata.version("scikit-learn"),
        "features": features,
        "classes": classes,
        "trainFeatures": [float(v) for v in train_x.ravel()],
        "trainLabels": [int(v) for v in train_y],
        "testFeatures": [float(v) for v in test_x.ravel()],
        "testLabels": [int(v) for v in test_y],
        "cases": cases,
    }
    path = pathlib.Path(__file__).resolve().parent.parent / "Tests/PoisoningEngineTests/Fixtures/kernel_ridge_reference.json"
    path.write_text(json.dumps(output, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
