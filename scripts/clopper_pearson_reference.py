#!/usr/bin/env python3
"""Reference values for the simulations' Clopper-Pearson intervals (`clopperPearson` in
Tests/StudyPipelineTests/SequentialFamilyNullTests.swift, checked by
SequentialFamilyNullTests.clopperPearsonMatchesSciPy): the exact 95% interval of a binomial share
of s successes in n trials from the beta quantiles, lower = Beta(s, n - s + 1).ppf(0.025) (0 when
s = 0) and upper = Beta(s + 1, n - s).ppf(0.975) (1 when s = n).

Usage: python3 scripts/clopper_pearson_reference.py   (needs scipy)
"""
from scipy.stats import beta

# The null's 21 and the power runs' shares of 1,000 studies, a share near one half (where
# (1 - p)^n underflows), and shares of 0 and 1,000.
CASES = [(21, 1000), (8, 1000), (998, 1000), (1000, 1000), (500, 1000), (0, 1000)]

for successes, trials in CASES:
    lower = 0.0 if successes == 0 else beta.ppf(0.025, successes, trials - successes + 1)
    upper = 1.0 if successes == trials else beta.ppf(0.975, successes + 1, trials - successes)
    print(f"({successes}, {trials}, {float(lower)!r}, {float(upper)!r}),")
