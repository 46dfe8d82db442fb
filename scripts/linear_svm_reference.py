#!/usr/bin/env python3
"""Reference values for the linear-svm model test
(Tests/PoisoningEngineTests/LinearSVMTests.swift), written to
Tests/PoisoningEngineTests/Fixtures/linear_svm_reference.json.

Fixed data: the 80 training and 40 test rows of 4 features in 3 Gaussian classes of
scripts/model_reference_data.py, shared with scripts/kernel_ridge_reference.py. For each C, scikit-learn's LinearSVC(loss='hinge', C=C) is fitted: one-vs-rest, the
hinge loss, L2 regularisation of the weights and of the bias (liblinear's intercept_scaling 1),
solved by liblinear's dual coordinate descent, here to tol 1e-10 (at most 10^7 iterations) so that
its solution is the exact optimum to about 1e-8. It records the test rows' decision values (one
column per class) and their arg-max, which make-report must reproduce (decision values to 1e-4:
both solvers reach the same strictly convex problem's unique optimum), and every class's primal
objective 1/2 ||(w, b)||^2 + C sum hinge.

The same fit at scikit-learn's default stopping accuracy (tol 1e-4, which LinearSVC passes to
liblinear as its eps: the dual solver stops when PGmax - PGmin <= eps; liblinear's own command-line
default is 0.1) is recorded beside it (`toleranceObjectives`, `toleranceIterations`): how far from the
optimum a solve at that tolerance ends.

make-report's default data (gaussian-clusters at its defaults: 500 rows of 10 features in 5 classes,
cluster-std 2, center-scale 2, NumPy's RandomState(42), the first 350 of a fresh RandomState(42)'s
permutation for training) are drawn here exactly as make-report draws them, and written to
Tests/PoisoningEngineTests/Fixtures/linear_svm_default_data.json: the training rows' feature sum
(to show the rows are make-report's), each class's exact objective at C = 1 (tol 1e-10), and the
objectives and liblinear iterations at tol 1e-4 with max_iter 10^7 and at LinearSVC's full defaults
(tol 1e-4, max_iter 1000, where it warns that it did not converge).

Run `python3 scripts/linear_svm_reference.py` with scikit-learn installed
(`pip install scikit-learn`); nothing here is needed to build, run or test the tool.
"""
import importlib.metadata
import json
import pathlib
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.svm import LinearSVC

from model_reference_data import CLASSES, gaussian_classes, write_fixture

CS = [0.01, 1.0, 10.0]


def objectives(model, x, y, c):
    """Every class's primal objective 1/2 ||(w, b)||^2 + C sum hinge of a fitted LinearSVC."""
    values = []
    for k in range(len(model.classes_)):
        w, b = model.coef_[k], model.intercept_[k]
        signs = np.where(y == k, 1.0, -1.0)
        hinge = np.maximum(0.0, 1.0 - signs * (x @ w + b)).sum()
        values.append(float(0.5 * (w @ w + b * b) + c * hinge))
    return values


def default_data(samples=500, features=10, classes=5, cluster_std=2.0, center_scale=2.0, train_fraction=0.7, seed=42):
    """make-report's gaussian-clusters at its defaults: the float32 training rows and their labels."""
    random = np.random.RandomState(seed)
    centers = center_scale * random.randn(classes, features)
    sizes = [samples // classes + (1 if c < samples % classes else 0) for c in range(classes)]
    blocks = [random.randn(sizes[c], features) * cluster_std + centers[c] for c in range(classes)]
    labels = np.concatenate([np.full(sizes[c], c) for c in range(classes)])
    order = random.permutation(samples)
    x, y = np.vstack(blocks)[order].astype(np.float32), labels[order]
    train = np.random.RandomState(seed).permutation(samples)[:round(train_fraction * samples)]
    return x[train].astype(np.float64), y[train]


def default_data_reference():
    """The exact and the tol 1e-4 fits of LinearSVC(loss='hinge', C=1) on the default data."""
    x, y = default_data()
    exact = LinearSVC(loss="hinge", C=1.0, tol=1e-10, max_iter=10**7, dual=True, random_state=0).fit(x, y)
    at_tolerance = LinearSVC(loss="hinge", C=1.0, tol=1e-4, max_iter=10**7, dual=True, random_state=0).fit(x, y)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        shipped = LinearSVC(loss="hinge", C=1.0, dual=True, random_state=0).fit(x, y)
    output = {
        "generator": "scripts/linear_svm_reference.py",
        "scikitLearn": importlib.metadata.version("scikit-learn"),
        "c": 1.0,
        "trainRows": int(len(y)),
        "featureSum": float(x.sum()),
        "objectives": objectives(exact, x, y, 1.0),
        "iterations": int(exact.n_iter_),
        "toleranceObjectives": objectives(at_tolerance, x, y, 1.0),
        "toleranceIterations": int(at_tolerance.n_iter_),
        "defaultObjectives": objectives(shipped, x, y, 1.0),
        "defaultIterations": int(shipped.n_iter_),
        "defaultWarned": any(issubclass(w.category, ConvergenceWarning) for w in caught),
    }
    path = pathlib.Path(__file__).resolve().parent.parent / "Tests/PoisoningEngineTests/Fixtures/linear_svm_default_data.json"
    path.write_text(json.dumps(output, indent=1) + "\n")
    print(f"wrote {path}")


def main():
    data = gaussian_classes()
    train_x, train_y, test_x = data[0].astype(np.float64), data[1], data[2].astype(np.float64)
    cases = []
    for c in CS:
        model = LinearSVC(loss="hinge", C=c, tol=1e-10, max_iter=10**7, intercept_scaling=1.0, dual=True, random_state=0)
        model.fit(train_x, train_y)
        decision = model.decision_function(test_x)
        at_tolerance = LinearSVC(loss="hinge", C=c, tol=1e-4, max_iter=10**7, intercept_scaling=1.0, dual=True, random_state=0)
        at_tolerance.fit(train_x, train_y)
        cases.append({"c": c, "decision": [float(v) for v in decision.ravel()],
                      "predictions": [int(v) for v in decision.argmax(axis=1)], "objectives": objectives(model, train_x, train_y, c),
                      "toleranceObjectives": objectives(at_tolerance, train_x, train_y, c), "toleranceIterations": int(at_tolerance.n_iter_)})
    write_fixture("linear_svm_reference", "scripts/linear_svm_reference.py", data, cases)
    default_data_reference()


if __name__ == "__main__":
    main()
