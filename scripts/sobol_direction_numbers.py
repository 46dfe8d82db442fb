"""Writes the Sobol direction numbers (Joe & Kuo 2008, new-joe-kuo-6.21201, as SciPy ships them) of
the first 65 dimensions as a Swift table, and the first points of SciPy's unscrambled Sobol sequence in
those dimensions as a test fixture.

    python3 scripts/sobol_direction_numbers.py

prints the table (paste into Sources/PoisoningAnalysis/Statistics/SobolSequence.swift) and writes
Tests/PoisoningAnalysisTests/Fixtures/sobol-reference.json.
"""
import json
import os

import numpy as np
import scipy
from scipy.stats import qmc

DIMENSIONS = 65

table = np.load(os.path.join(os.path.dirname(scipy.__file__), "stats", "_sobol_direction_numbers.npz"))
print("let sobolPolynomials: [UInt32] = [" + ", ".join(str(int(p)) for p in table["poly"][:DIMENSIONS]) + "]")
print("let sobolInitialNumbers: [[UInt32]] = [")
for dimension in range(DIMENSIONS):
    degree = int(table["poly"][dimension]).bit_length() - 1
    values = [int(v) for v in table["vinit"][dimension][:max(degree, 1)]]
    print("    [" + ", ".join(map(str, values)) + "],")
print("]")

points = qmc.Sobol(d=DIMENSIONS, scramble=False).random(64)
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "..", "Tests", "PoisoningAnalysisTests", "Fixtures", "sobol-reference.json"), "w") as file:
    json.dump({"scipy": scipy.__version__, "dimensions": DIMENSIONS,
               "points": [[round(float(x) * 2**32) for x in point] for point in points]}, file)
    file.write("\n")
