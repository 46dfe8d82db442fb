#!/usr/bin/env python3
"""Records how pandas' read_csv reads a feature cell, for CSVDatasetTests: make-report reads a CSV's
feature columns as pandas does and refuses every cell that would not give a finite 32-bit number.

Each case is one cell in a feature column whose other row is 2, written with a delimiter. pandas
reads the cell as a number (the column is numeric and the cell a finite value), as a missing value
(NaN: an empty cell or one of its default na_values, exactly), as an infinity, or as text (the
column is not numeric: hexadecimal, digit group separators, other scripts' digits, a decimal comma).
make-report accepts a number whose 32-bit float is finite and refuses the rest, naming the cell:
"empty" (an empty or blank cell), "missing" (one of na_values), "infinite", "outside Float range" (a
decimal number beyond ±3.4028235e38, which make-report's 32-bit features cannot hold) and
"below Float range" (a nonzero decimal number whose 32-bit float is 0 or subnormal, below
±1.1754944e-38: make-report would read it as 0 or keep few of its digits, where pandas reads it as
a distinct float64) and "not a number" (text). The test checks make-report's reading against the fixture case by case.

    pip install pandas numpy
    python3 scripts/csv_feature_reference.py   # writes Tests/PoisoningEngineTests/Fixtures/csv_feature_reference.json
"""
import io
import json
import math
import os
import re

import numpy as np
import pandas as pd

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "PoisoningEngineTests", "Fixtures", "csv_feature_reference.json")

# (cell, delimiter)
CASES = [
    ("0x10", ","), ("0x1p4", ","), ("1_000", ","), ("1 000", ","),
    ("\u0661\u0662", ","),                 # ARABIC-INDIC DIGITS ONE TWO
    ("\uff11\uff12", ","),                 # FULLWIDTH DIGITS ONE TWO
    ("+1", ","), ("-1", ","), (".5", ","), ("5.", ","), ("-.5e-3", ","), ("1e5", ","), ("1E+05", ","),
    (" 1 ", ","), ("\t1", ";"), ("\u00a01", ","),   # pandas skips ASCII white space around a number, not a no-break space
    ("", ","), (" ", ","), ("nan", ","), ("NaN", ","), ("NA", ","), ("null", ","), ("-nan", ","),
    ("nan ", ","), ("NAN", ","),
    ("inf", ","), ("-inf", ","), ("+inf", ","), ("Infinity", ","), ("-Infinity", ","), ("INF", ","), (" inf", ","),
    ("1,5", ";"), ("1.5", ";"),
    ("0b1", ","), ("1d5", ","), ("1e", ","), ("e5", ","), ("1.2.3", ","), ("--1", ","),
    ("3.5e38", ","), ("-3.5e38", ","), ("3.4028235e38", ","), ("3.4028236e38", ","), ("1e400", ","),
    ("1e-50", ","), ("0.1", ","), ("16777217", ","),
    ("1e-40", ","), ("-1e-45", ","), ("1e-400", ","), ("1.17549e-38", ","), ("1.1754944e-38", ","),
    ("0e-50", ","), ("-0.0", ","), ("0.000e5", ","),
    ("True", ","),
]

WHITE_SPACE = " \t\n\v\f\r"
DECIMAL = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


def reading(cell, delimiter):
    """pandas' reading of `cell` in a feature column, and make-report's verdict on it."""
    text = f"x{delimiter}label\n{cell}{delimiter}a\n2{delimiter}b\n"
    column = pd.read_csv(io.StringIO(text), sep=delimiter)["x"]
    value = column[0]
    if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        kind, shown = "text", None
    elif math.isnan(float(value)):
        kind, shown = "missing", None
    elif math.isinf(float(value)):
        kind, shown = "infinite", None
    else:
        kind, shown = "number", repr(float(value))
    decimal = DECIMAL.fullmatch(cell.strip(WHITE_SPACE)) is not None
    with np.errstate(over="ignore", under="ignore"):
        single = np.float32(cell.strip(WHITE_SPACE)) if decimal else None
    beyond_float = decimal and math.isinf(single)
    nonzero = decimal and re.search("[1-9]", re.split("[eE]", cell.strip(WHITE_SPACE))[0]) is not None
    below_float = nonzero and abs(single) < np.finfo(np.float32).tiny
    if cell.strip(WHITE_SPACE) == "":
        refusal = "empty"                  # pandas reads an empty cell as NaN, a blank one as text
    elif kind == "text":
        refusal = "not a number"
    elif kind == "missing":
        refusal = "missing"
    elif beyond_float:
        refusal = "outside Float range"
    elif kind == "infinite":
        refusal = "infinite"
    elif below_float:
        refusal = "below Float range"
    else:
        refusal = None
    return {"cell": cell, "delimiter": delimiter, "kind": kind, "value": shown, "refusal": refusal}


def main():
    fixture = {"pandas": pd.__version__, "cases": [reading(cell, delimiter) for cell, delimiter in CASES]}
    with open(OUT, "w", encoding="utf-8") as file:
        json.dump(fixture, file, ensure_ascii=False, indent=1)
        file.write("\n")


if __name__ == "__main__":
    main()
