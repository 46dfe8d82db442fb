"""Reproduces examples/digits/digits.csv from the scikit-learn wheel (no scikit-learn install needed).

The UCI optical recognition of handwritten digits data (test part: 1,797 rows of 8x8 images, pixel
counts 0-16, 10 classes) ship inside scikit-learn as sklearn/datasets/data/digits.csv.gz (no header,
64 pixel columns then the digit). This writes it with a header: pixel0..pixel63,digit.

    pip download --no-deps -d /tmp/wheel scikit-learn
    python3 scripts/extract_digits.py /tmp/wheel/scikit_learn-*.whl
"""
import csv
import gzip
import io
import sys
import zipfile

wheel = zipfile.ZipFile(sys.argv[1])
rows = list(csv.reader(io.TextIOWrapper(gzip.open(wheel.open("sklearn/datasets/data/digits.csv.gz")), "ascii")))
assert len(rows) == 1797 and all(len(row) == 65 for row in rows)
with open("examples/digits/digits.csv", "w", newline="") as out:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([f"pixel{i}" for i in range(64)] + ["digit"])
    for row in rows:
        writer.writerow([str(int(float(cell))) for cell in row])
print("wrote examples/digits/digits.csv:", len(rows), "rows")
