#!/usr/bin/env python3
"""Reference values for the svm-gradient attack's surrogate SVM (BinarySVC) and its gradient test
(Tests/PoisoningEngineTests/SVMGradientTests.swift), written to
Tests/PoisoningEngineTests/Fixtures/binary_svc_reference.json.

Fixed data: 60 training and 30 test rows of 4 features in 2 overlapping Gaussian classes (NumPy's
RandomState(12)), rounded to float32 as make-report holds features. For each (kernel, gamma, C),
scikit-learn's SVC (libsvm: the C-SVC dual with a bias, solved by SMO) is fitted to tol 1e-10.
libsvm caches the kernel matrix in float32, so its alpha carry errors of about 1e-5 at C = 10 even
at that tolerance, while its dual objective, flat at the optimum, is good to about 1e-9 of its size.
It records every training row's dual variable alpha_i (0 off the support), the bias b and the test
rows' decision values f(x) = sum_i alpha_i y_i k(x_i, x) + b, with y = +1 for class 1
(scikit-learn's positive class) and -1 for class 0, and the dual objective 1/2 a'Qa - sum a.
make-report's SMO (in Double) must reproduce the objective to 1e-8 of its size, and, because of
libsvm's float32 cache, the decision values and the bias to 1e-4 (not 1e-6); alpha too, to 1e-4,
for the RBF kernel, whose Q is positive definite so that alpha is unique (a linear kernel's is
not, on 4 features). SVMGradientTests checks exactly these tolerances.

Run `python3 scripts/binary_svc_reference.py` with scikit-learn installed
(`pip install scikit-learn`); nothing here is needed to build, run or test the tool.
"""
import importlib.metadata
import json
import pathlib

import numpy as np
from sklearn.metrics.pairwise import rbf_kernel
from sklearn.svm import SVC

CASES = [("linear", 1.0, 0.1), ("linear", 1.0, 10.0), ("rbf", 0.5, 1.0), ("rbf", 0.1, 10.0)]


def main():
    random = np.random.RandomState(12)
    features, train_rows, test_rows = 4, 60, 30
    labels = random.randint(0, 2, size=train_rows + test_rows)
    centers = np.array([[-0.6] * features, [0.6] * features])
    x = (centers[labels] + random.normal(0.0, 1.0, size=(train_rows + test_rows, features))).astype(np.float32)
    train_x, test_x = x[:train_rows].astype(np.float64), x[train_rows:].astype(np.float64)
    train_y, test_y = labels[:train_rows], labels[train_rows:]
    signs = np.where(train_y == 1, 1.0, -1.0)
    cases = []
    for kernel, gamma, c in CASES:
        model = SVC(kernel=kernel, gamma=gamma, C=c, tol=1e-10, max_iter=-1, shrinking=True)
        model.fit(train_x, train_y)
        alpha = np.zeros(train_rows)
        alpha[model.support_] = np.abs(model.dual_coef_[0])
        # scikit-learn's dual_coef_ is alpha_i y_i with y = +1 for classes_[1]: check the convention.
        assert np.allclose(model.dual_coef_[0], alpha[model.support_] * signs[model.support_])
        gram = train_x @ train_x.T if kernel == "linear" else rbf_kernel(train_x, train_x, gamma=gamma)
        q = np.outer(signs, signs) * gram
        objective = 0.5 * alpha @ q @ alpha - alpha.sum()
        cases.append({"kernel": kernel, "gamma": gamma, "c": c, "alpha": [float(v) for v in alpha],
                      "bias": float(model.intercept_[0]), "objective": float(objective),
                      "decision": [float(v) for v in model.decision_function(test_x)]})
    output = {
        "generator": "scripts/binary_svc_reference.py",
        "scikitLearn": importlib.metadata.version("scikit-learn"),
        "features": features,
        "trainFeatures": [float(v) for v in x[:train_rows].ravel()],
        "trainLabels": [int(v) for v in train_y],
        "testFeatures": [float(v) for v in x[train_rows:].ravel()],
        "testLabels": [int(v) for v in test_y],
        "cases": cases,
    }
    path = pathlib.Path(__file__).resolve().parent.parent / "Tests/PoisoningEngineTests/Fixtures/binary_svc_reference.json"
    path.write_text(json.dumps(output, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
