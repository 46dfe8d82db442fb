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

Run `python3 scripts/linear_svm_reference.py` with scikit-learn installed
(`pip install scikit-learn`); nothing here is needed to build, run or test the tool.
"""
import numpy as np
from sklearn.svm import LinearSVC

from model_reference_data import CLASSES, gaussian_classes, write_fixture

CS = [0.01, 1.0, 10.0]


def main():
    data = gaussian_classes()
    train_x, train_y, test_x = data[0].astype(np.float64), data[1], data[2].astype(np.float64)
    cases = []
    for c in CS:
        model = LinearSVC(loss="hinge", C=c, tol=1e-10, max_iter=10**7, intercept_scaling=1.0, dual=True)
        model.fit(train_x, train_y)
        decision = model.decision_function(test_x)
        objectives = []
        for k in range(CLASSES):
            w, b = model.coef_[k], model.intercept_[k]
            y = np.where(train_y == k, 1.0, -1.0)
            hinge = np.maximum(0.0, 1.0 - y * (train_x @ w + b)).sum()
            objectives.append(float(0.5 * (w @ w + b * b) + c * hinge))
        cases.append({"c": c, "decision": [float(v) for v in decision.ravel()],
                      "predictions": [int(v) for v in decision.argmax(axis=1)], "objectives": objectives})
    write_fixture("linear_svm_reference", "scripts/linear_svm_reference.py", data, cases)


if __name__ == "__main__":
    main()
