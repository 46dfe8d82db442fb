#!/usr/bin/env python3
"""Reference values for the kernel-ridge model test
(Tests/PoisoningEngineTests/KernelRidgeTests.swift), written to
Tests/PoisoningEngineTests/Fixtures/kernel_ridge_reference.json.

Fixed data: the 80 training and 40 test rows of 4 features in 3 Gaussian classes of
scripts/model_reference_data.py, shared with scripts/linear_svm_reference.py. For each case (kernel, length
scale l, ridge lambda) scikit-learn's KernelRidge(alpha=lambda, kernel=..., gamma=...) is fitted
on the one-hot labels: kernel 'rbf' with gamma = 1 / (2 l^2), kernel 'laplacian' with gamma = 1 / l.
It records the decision values of the test rows (KernelRidge.predict, one column per class) and
their arg-max (the first on ties), which make-report must reproduce (decision values to 1e-4: the
solve is exact in both, Cholesky in Double).

Run `python3 scripts/kernel_ridge_reference.py` with scikit-learn installed
(`pip install scikit-learn`); nothing here is needed to build, run or test the tool.
"""
import numpy as np
from sklearn.kernel_ridge import KernelRidge

from model_reference_data import CLASSES, gaussian_classes, write_fixture

CASES = [
    {"kernel": "rbf", "lengthScale": 1.0, "lambda": 1.0},
    {"kernel": "rbf", "lengthScale": 2.5, "lambda": 0.01},
    {"kernel": "laplacian", "lengthScale": 1.0, "lambda": 1.0},
    {"kernel": "laplacian", "lengthScale": 4.0, "lambda": 0.1},
]


def main():
    data = gaussian_classes()
    train_x, train_y, test_x, _ = data
    one_hot = np.eye(CLASSES)[train_y]
    cases = []
    for case in CASES:
        gamma = 1.0 / (2.0 * case["lengthScale"] ** 2) if case["kernel"] == "rbf" else 1.0 / case["lengthScale"]
        model = KernelRidge(alpha=case["lambda"], kernel=case["kernel"], gamma=gamma)
        model.fit(train_x.astype(np.float64), one_hot)
        decision = model.predict(test_x.astype(np.float64))
        cases.append(dict(case, decision=[float(v) for v in decision.ravel()],
                          predictions=[int(v) for v in decision.argmax(axis=1)]))
    write_fixture("kernel_ridge_reference", "scripts/kernel_ridge_reference.py", data, cases)


if __name__ == "__main__":
    main()
