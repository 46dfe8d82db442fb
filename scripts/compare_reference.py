#!/usr/bin/env python3
"""Reference values for compare's pooled seed-level shift and its equivalence test
(Tests/PoisoningAnalysisTests/ComparisonTests.swift, `pooledShiftMatchesSciPyAndStatsmodels`).

Two small studies (series "MLP 16" and "MLP 32", three fractions) with a per-seed offset shared by
all of a seed's points; the second study has one seed that misses a point, which the pooled shift
leaves out. Each seed's test accuracy is averaged over the common points; the shift is Welch's
difference of the two studies' means of these averages (SciPy), and the two one-sided tests against
a margin of 0.02 come from statsmodels' `ttost_ind`. Run
`python3 scripts/compare_reference.py > Tests/PoisoningAnalysisTests/Fixtures/compare-reference.json`;
nothing here is needed to build, run or test the tool.

It also prints (to stderr) why the seed is the unit: over 4,000 simulated pairs of 3-seed studies
(3 series × 9 fractions, a per-seed offset of sd 2 pp shared by all of a seed's points, run noise
0.5 pp, no true shift), how often a t interval that treats the 27 point differences as independent
covers 0, beside the seed-level Welch interval.
"""
import json
import sys

import numpy as np
from scipy import stats
from statsmodels.stats.weightstats import ttost_ind

SERIES = ["MLP 16", "MLP 32"]
FRACTIONS = [0.0, 0.1, 0.3]
MARGIN = 0.02
CONFIDENCE = 0.95


def study(rng, seeds, shift):
    """Runs: a curve per series, a per-seed offset, run noise, rounded to 4 decimals."""
    runs = []
    for seed in seeds:
        offset = rng.normal(0, 0.01)
        for s, _ in enumerate(SERIES):
            for fraction in FRACTIONS:
                value = 0.9 - 0.6 * fraction - 0.02 * s + offset + shift + rng.normal(0, 0.005)
                runs.append({"series": s, "fraction": fraction, "seed": seed, "testAccuracy": round(float(value), 4)})
    return runs


def seed_averages(runs, seeds):
    """Each seed's mean over every (series, fraction) point, for the seeds that have all of them."""
    averages = []
    for seed in seeds:
        values = [r["testAccuracy"] for r in runs if r["seed"] == seed]
        if len(values) == len(SERIES) * len(FRACTIONS):
            averages.append(float(np.mean(values)))
    return averages


rng = np.random.RandomState(7)
first_seeds, second_seeds = [1, 2, 3], [4, 5, 6, 7, 9]
first = study(rng, first_seeds, 0.0)
second = study(rng, second_seeds, 0.008)
second = [r for r in second if not (r["seed"] == 9 and r["series"] == 1 and r["fraction"] == 0.3)]
a, b = seed_averages(first, first_seeds), seed_averages(second, second_seeds)

welch = stats.ttest_ind(b, a, equal_var=False)
ci = welch.confidence_interval(CONFIDENCE)
ci90 = welch.confidence_interval(1 - 2 * (1 - CONFIDENCE))
p_tost, lower_test, upper_test = ttost_ind(np.array(b), np.array(a), -MARGIN, MARGIN, usevar="unequal")
print(json.dumps({
    "series": SERIES, "fractions": FRACTIONS, "margin": MARGIN, "confidence": CONFIDENCE,
    "first": {"seeds": first_seeds, "runs": first},
    "second": {"seeds": second_seeds, "runs": second},
    "expected": {
        "firstSeedAverages": a, "secondSeedAverages": b,
        "shift": float(np.mean(b) - np.mean(a)), "degreesOfFreedom": float(welch.df), "p": float(welch.pvalue),
        "interval": [float(ci.low), float(ci.high)], "equivalenceInterval": [float(ci90.low), float(ci90.high)],
        "pBelowMargin": float(lower_test[1]), "pAboveMargin": float(upper_test[1]), "tostP": float(p_tost),
    },
}, indent=1))


def coverage(pairs=4000, seeds=3, points=27):
    """Coverage of 0 by the point-as-unit t interval and by the seed-level Welch interval."""
    generator = np.random.default_rng(1)
    naive = seed_level = 0
    for _ in range(pairs):
        a = generator.normal(0, 0.02, (seeds, 1)) + generator.normal(0, 0.005, (seeds, points))
        b = generator.normal(0, 0.02, (seeds, 1)) + generator.normal(0, 0.005, (seeds, points))
        d = b.mean(0) - a.mean(0)
        half = stats.t.ppf(0.975, points - 1) * d.std(ddof=1) / np.sqrt(points)
        naive += abs(d.mean()) <= half
        interval = stats.ttest_ind(b.mean(1), a.mean(1), equal_var=False).confidence_interval(0.95)
        seed_level += interval.low <= 0 <= interval.high
    return naive / pairs, seed_level / pairs


print("coverage of 0: points as the unit %.3f, seeds as the unit %.3f" % coverage(), file=sys.stderr)
