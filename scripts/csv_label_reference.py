#!/usr/bin/env python3
"""Records how pandas' read_csv reads label columns, for CSVDatasetTests: make-report reads a CSV's
label column as pandas does (numbers only when every label is a decimal number, white space around
it skipped, or an infinity: exact 64-bit integers when every label is an integer, else doubles;
booleans when every label is True/False in pandas' spellings, exactly; otherwise text, blanks kept,
so that 0x10, 16 and 0x1p4 are three classes and 'nan ' is a class) and then refuses what pandas
would read silently in a way a reader would not expect: a missing value (pandas' default
na_values), an infinite number, an integer outside the 64-bit range (pandas reads such a column as
uint64, Python integers or text, as the other labels decide), two spellings of one number or truth
value (two integers that become one double among them), and two spellings of one text in other
Unicode scalars (NFC and NFD) or with other blanks around it.

For each case the fixture holds the labels, pandas' reading (the column's kind, its classes in
order, each row's class, the rows it reads as missing) and the refusal the rule above gives, or
null. The test checks make-report's classes against it case by case.

    pip install pandas
    python3 scripts/csv_label_reference.py   # writes Tests/PoisoningEngineTests/Fixtures/csv_label_reference.json
"""
import io
import json
import math
import os
import re
import unicodedata

import pandas as pd
from pandas._libs.parsers import STR_NA_VALUES

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "PoisoningEngineTests", "Fixtures", "csv_label_reference.json")

CASES = [
    ["0x10", "16", "0x1p4", "3"],          # hexadecimal is text to pandas (Swift's Double reads all three as 16)
    ["0x10", "16", "0x10", "16"],
    ["1", "1.0", "2"],                     # one number written two ways
    ["1", "1.0", "x"],                     # text: two classes
    ["10", "2", "-1", "0.5", "2"],
    ["1e1", "-0.5", "+2", ".5", "5."],
    ["0", "-0"],
    ["00", "0"],
    ["1e5", "1E+05"],
    ["inf", "1"],
    ["-Infinity", "2"],
    ["INF", "x"],                          # text: 'INF' is a class
    ["1e400", "1"],                        # overflows to infinity
    ["NA", "a", "b"],
    ["None", "x"],
    ["nan", "1"],
    ["NAN", "1"],                          # not one of pandas' markers: text
    ["Nan", "x", "Nan"],
    ["1_000", "2"],
    ["1 000", "2"],
    ["\u0661", "2"],                       # ARABIC-INDIC DIGIT ONE is text
    ["0b1", "1"],
    ["1d5", "2"],
    ["e5", "1"],
    ["1.5e", "2"],
    ["True", "false", "True"],
    ["TRUE", "FALSE", "true"],             # one truth value written two ways
    ["TRUE", "x"],
    ["yes", "no"],
    ["\u00e9", "x", "e\u0301"],            # NFC and NFD
    ["b", "\u00e9", "B", "a", "Z", "_", "f", "e\u0300", "e"],
    ["\U00010000", "\ufffd", "~"],
    ["2", "10", "1a", "x", "2"],
    # Blanks: pandas skips white space around a number, and keeps it in text and truth values.
    [" 1", "1", "2 "],
    ["\t1\t", "2"],
    [" 1", "1.0"],
    ["\u00a01", "2"],                       # a no-break space is no white space to pandas: text
    [" inf", "1"],                         # an infinity with a blank is text
    ["a ", "b"],
    ["a", " a", "b"],
    ["a", "a\u00a0", "b"],
    ["x", "x\u3000"],
    ["True ", "False"],
    ["True ", "True", "False"],
    ["nan ", "1"],
    [" nan", "x"],
    [" NA", "1"],
    # Integers near 2^53 and the 64-bit limits: int64 is exact, float64 is not.
    ["9007199254740993", "9007199254740992"],
    ["9007199254740993", "9007199254740992", "1.5"],
    ["9007199254740993", "1.5"],
    ["9223372036854775807", "-9223372036854775808"],
    ["9223372036854775808", "1"],          # uint64 to pandas
    ["18446744073709551616", "1"],         # Python integers to pandas
    ["-1", "18446744073709551615"],        # text to pandas
    ["18446744073709551616", "1.5"],       # text to pandas
]

WHITE_SPACE = " \t\n\v\f\r"               # what pandas skips around a number
INTEGER = re.compile(r"[+-]?[0-9]+")
DECIMAL = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
INFINITY = re.compile(r"[+-]?(inf|infinity)", re.IGNORECASE)


def is_number(label):
    """Whether pandas' number syntax reads `label`: a decimal with white space around it, or an infinity."""
    return bool(DECIMAL.fullmatch(label.strip(WHITE_SPACE)) or INFINITY.fullmatch(label))


def integer(label):
    """The integer `label` spells (white space around it skipped), or None."""
    text = label.strip(WHITE_SPACE)
    return int(text) if INTEGER.fullmatch(text) else None


def visible(label):
    """`label` without the blanks and line ends around it, which a reader cannot see."""
    blank = lambda c: c in " \t\n\r" or unicodedata.category(c) == "Zs"
    start, end = 0, len(label)
    while start < end and blank(label[start]):
        start += 1
    while end > start and blank(label[end - 1]):
        end -= 1
    return label[start:end]


def reading(labels):
    """pandas' reading of `labels` as a CSV's label column, and make-report's verdict on it."""
    text = "x,label\n" + "".join(f"{i},{label}\n" for i, label in enumerate(labels))
    column = pd.read_csv(io.StringIO(text))["label"]
    missing = [i for i, value in enumerate(column) if isinstance(value, float) and math.isnan(value)]
    present = [value for value in column if not (isinstance(value, float) and math.isnan(value))]
    if pd.api.types.is_bool_dtype(column):
        kind, classes = "truth", sorted(set(bool(v) for v in present))
        shown = ["true" if v else "false" for v in classes]
    elif pd.api.types.is_integer_dtype(column):
        kind, classes = "integer", sorted(set(int(v) for v in present))
        shown = [str(v) for v in classes]
    elif pd.api.types.is_numeric_dtype(column):
        kind, classes = "number", sorted(set(float(v) for v in present))
        shown = [repr(v) for v in classes]
    else:
        kind, classes = "text", sorted(set(str(v) for v in present))
        shown = classes
    index = {value: i for i, value in enumerate(classes)}
    convert = {"truth": bool, "integer": int, "number": float, "text": str}[kind]
    of_row = [None if i in missing else index[convert(value)] for i, value in enumerate(column)]
    spellings = set(labels)
    integers = {integer(s) for s in spellings if integer(s) is not None}
    as_doubles = {float(i) for i in integers}
    if missing:
        refusal = "missing"
    elif kind == "number" and any(math.isinf(v) for v in classes):
        refusal = "infinite"
    elif all(is_number(s) for s in spellings) and any(not -2**63 <= i < 2**63 for i in integers):
        refusal = "beyond 64 bits"
    elif kind == "number" and len(as_doubles) < len(integers):
        refusal = "integers as floats"
    elif kind in ("number", "integer") and len(classes) < len({s.strip(WHITE_SPACE) for s in spellings}):
        refusal = "spelled twice"
    elif kind == "truth" and len(classes) < len(spellings):
        refusal = "spelled twice"
    elif kind == "text" and len({unicodedata.normalize("NFC", s) for s in spellings}) < len(spellings):
        refusal = "other scalars"
    elif kind == "text" and len({visible(s) for s in spellings}) < len(spellings):
        refusal = "blanks"
    else:
        refusal = None
    return {"labels": labels, "kind": kind, "classes": shown, "ofRow": of_row, "missingRows": missing, "refusal": refusal}


def main():
    fixture = {"pandas": pd.__version__, "missingValueMarkers": sorted(STR_NA_VALUES), "cases": [reading(c) for c in CASES]}
    with open(OUT, "w", encoding="utf-8") as file:
        json.dump(fixture, file, ensure_ascii=False, indent=1)
        file.write("\n")


if __name__ == "__main__":
    main()
