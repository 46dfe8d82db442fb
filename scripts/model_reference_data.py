"""The fixed data and the fixture layout shared by scripts/kernel_ridge_reference.py and
scripts/linear_svm_reference.py (read by Tests/PoisoningEngineTests/ModelReferenceFixture.swift).

The data: 80 training and 40 test rows of 4 features in 3 Gaussian classes (NumPy's
RandomState(23)), rounded to float32 as make-report holds features.
"""
import importlib.metadata
import json
import pathlib

import numpy as np

CLASSES, FEATURES, TRAIN_ROWS, TEST_ROWS = 3, 4, 80, 40


def gaussian_classes():
    """The float32 features of the training and test rows and their labels: (train_x, train_y, test_x, test_y)."""
    random = np.random.RandomState(23)
    centers = random.normal(0.0, 1.0, size=(CLASSES, FEATURES))
    labels = random.randint(0, CLASSES, size=TRAIN_ROWS + TEST_ROWS)
    x = (centers[labels] + random.normal(0.0, 1.0, size=(TRAIN_ROWS + TEST_ROWS, FEATURES))).astype(np.float32)
    return x[:TRAIN_ROWS], labels[:TRAIN_ROWS], x[TRAIN_ROWS:], labels[TRAIN_ROWS:]


def write_fixture(name, generator, data, cases):
    """Writes Tests/PoisoningEngineTests/Fixtures/<name>.json: the generator, scikit-learn's version,
    the data of `gaussian_classes()` and `cases`."""
    train_x, train_y, test_x, test_y = data
    output = {
        "generator": generator,
        "scikitLearn": importlib.metadata.version("scikit-learn"),
        "features": FEATURES,
        "classes": CLASSES,
        "trainFeatures": [float(v) for v in train_x.ravel()],
        "trainLabels": [int(v) for v in train_y],
        "testFeatures": [float(v) for v in test_x.ravel()],
        "testLabels": [int(v) for v in test_y],
        "cases": cases,
    }
    path = pathlib.Path(__file__).resolve().parent.parent / f"Tests/PoisoningEngineTests/Fixtures/{name}.json"
    path.write_text(json.dumps(output, indent=1) + "\n")
    print(f"wrote {path}")
