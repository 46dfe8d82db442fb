#!/usr/bin/env python3
"""Writes the quoted-CSV fixtures of Tests/PoisoningEngineTests (CSVDatasetTests): one small data
set of 24 rows, 3 features (named with a blank, a quote and a comma) and 4 string labels holding a comma, a doubled quote, a line feed and a
CRLF, written by Python's csv module with QUOTE_ALL, by pandas' to_csv (QUOTE_MINIMAL: only the
cells that need it) and with QUOTE_NONNUMERIC, and once without quotes, the labels spelled without
those characters in the same Unicode scalar order. make-report must read all four as the same rows:
the same features and each row in the same class.

    python3 scripts/quoted_csv_reference.py   # writes Tests/PoisoningEngineTests/Fixtures/quoted-csv/
"""
import csv
import os

import pandas as pd

FOLDER = os.path.join(os.path.dirname(__file__), "..", "Tests", "PoisoningEngineTests", "Fixtures", "quoted-csv")

# Each label with its unquoted spelling; both lists are in the same order of Unicode scalars.
LABELS = [
    ('say "hi"', "say 'hi'"),
    ("two\nlines", "two lines"),
    ("x, y", "x y"),
    ("z\r\nw", "z w"),
]
assert [q for q, _ in LABELS] == sorted(q for q, _ in LABELS)
assert [u for _, u in LABELS] == sorted(u for _, u in LABELS)


# The header, quoted and unquoted: its names hold a blank, a quote and a comma.
HEADER = [["f 1", 'f "2"', "f,3", "label"], ["f 1", "f 2", "f 3", "label"]]


def rows():
    """24 rows: features (i / 4, 1 - i / 8, i squared), the label of class i mod 4."""
    for i in range(24):
        yield [i / 4, 1 - i / 8, float(i * i)], i % 4


def write(name, quoting, spelling):
    with open(os.path.join(FOLDER, name), "w", newline="") as file:
        writer = csv.writer(file, quoting=quoting, lineterminator="\n")
        writer.writerow(HEADER[spelling])
        for features, label in rows():
            writer.writerow(features + [LABELS[label][spelling]])


def main():
    os.makedirs(FOLDER, exist_ok=True)
    write("quote-all.csv", csv.QUOTE_ALL, 0)
    write("quote-nonnumeric.csv", csv.QUOTE_NONNUMERIC, 0)
    write("unquoted.csv", csv.QUOTE_NONE, 1)
    frame = pd.DataFrame([features + [LABELS[label][0]] for features, label in rows()],
                         columns=HEADER[0])
    frame.to_csv(os.path.join(FOLDER, "pandas.csv"), index=False, lineterminator="\n")


if __name__ == "__main__":
    main()
