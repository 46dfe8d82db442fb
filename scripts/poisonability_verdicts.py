#!/usr/bin/env python3
"""Reference values for the accuracy verdict of the "Predicted vs measured" section
(`PoisonabilityEvidence.accuracySentence`, checked by
Tests/PoisoningAnalysisTests/PoisonabilityEvidenceTests.swift): for each constructed case, the paired
Student-t interval of victim - target accuracy over seeds, mean +- t(0.975, k - 1) s / sqrt(k) with
s raised to one test row (1/300), and, where the interval holds 0, the seeds that resolve the
planning effect 0.02 at 80% power, the smallest n >= 2 with
(t(0.975, n - 1) + t(0.8, n - 1)) s / sqrt(n) <= 0.02 (searching up from the normal formula's floor),
and the test rows 300 n / k.

Usage: python3 scripts/poisonability_verdicts.py   (needs scipy)
"""
import math
from scipy.stats import norm, t

TEST_ROWS, CONFIDENCE, EFFECT, POWER = 300, 0.95, 0.02, 0.8

# (name, per-seed victim - target differences at one budget).
CASES = [
    ("below tau, above the target", [0.05, 0.06, 0.07]),
    ("above tau, told apart from neither side", [-0.01, 0.0, 0.013]),
    ("below tau, no more accurate", [-0.03, -0.02, -0.025]),
    ("below tau, the interval holds 0", [0.01, -0.01, 0.005]),
    ("above tau, still above the target", [0.04, 0.05, 0.06]),
]


def interval(values):
    k = len(values)
    mean = sum(values) / k
    spread = max(math.sqrt(sum((v - mean) ** 2 for v in values) / (k - 1)), 1 / TEST_ROWS)
    half = t.ppf(1 - (1 - CONFIDENCE) / 2, k - 1) * spread / math.sqrt(k)
    return mean, mean - half, mean + half, spread


def seeds_needed(spread):
    z = norm.ppf(1 - (1 - CONFIDENCE) / 2) + norm.ppf(POWER)
    n = max(2, int((z * spread / EFFECT) ** 2))
    while True:
        q = t.ppf(1 - (1 - CONFIDENCE) / 2, n - 1) + t.ppf(POWER, n - 1)
        if q * spread / math.sqrt(n) <= EFFECT:
            return n
        n += 1


for name, values in CASES:
    mean, lower, upper, spread = interval(values)
    line = f"{name}: {mean:+.3f} [{lower:+.3f}, {upper:+.3f}] (s = {spread:.3f})"
    if lower <= 0 < upper:
        n = seeds_needed(spread)
        line += f"; seeds {n}, test rows {math.ceil(TEST_ROWS * n / len(values))}"
    print(line)
