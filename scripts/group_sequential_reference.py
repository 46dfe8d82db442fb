#!/usr/bin/env python3
"""Reference boundaries for Sources/PoisoningAnalysis/Statistics/GroupSequential.swift.

Lan-DeMets alpha spending with the O'Brien-Fleming-type function, per side as published (Lan & DeMets
1983; gsDesign's sfLDOF with its one-sided alpha): a two-sided test at alpha spends
a(t) = 2 - 2 Phi(z_{1-alpha/4} / sqrt(t)) on each side, so alpha / 2 per side at t = 1. The
symmetric two-sided boundaries c_k solve
P(|Z_1| < c_1, ..., |Z_{k-1}| < c_{k-1}, |Z_k| >= c_k) = 2 (a(t_k) - a(t_{k-1})) under no effect, where
(Z_1, ..., Z_K) is multivariate normal with corr(Z_i, Z_j) = sqrt(t_i / t_j), i <= j.

Computed independently of the Swift code, three ways:
- every design by NumPy: the sub-density of the score S_k = Z_k sqrt(t_k) on a fine uniform grid
  (trapezoid rule, 4001 points; the Swift code uses Simpson's rule on 801), each c_k from brentq;
- the one-sided version (upper boundary only, gsDesign's test.type = 1) of five equal looks, against the
  published table 4.877, 3.357, 2.680, 2.290, 2.031 (gsDesign, sfLDOF at one-sided 0.025; Jennison &
  Turnbull 2000, table 7.6's Lan-DeMets O'Brien-Fleming row): printed, and asserted to 1e-3;
- the designs of at most five looks also by SciPy's multivariate normal CDF (Genz's integration of
  the rectangle P(|Z_j| < c_j, j <= k) = 1 - 2 a(t_k)), as a check of the grid (printed).

The adaptive designs are the reference study's (start 3, step 3, max 40, 1,000 replicates), at alpha
0.05 (one comparison) and at 0.05 / 4 (Bonferroni's share of each of the reference study's four
comparisons: the threshold trend and three threshold pairs).

Writes Tests/PoisoningAnalysisTests/Fixtures/group_sequential_reference.json and prints what
scripts/group_sequential_reference.out records:
  python3 scripts/group_sequential_reference.py > scripts/group_sequential_reference.out
"""
import json
import os

import numpy as np
from scipy import optimize, stats

GRID = 4001
PUBLISHED_FIVE_LOOKS = [4.877, 3.357, 2.680, 2.290, 2.031]


def spending(t, alpha):
    """The error spent on each side by information fraction t for a two-sided test at alpha."""
    return 2 * stats.norm.sf(stats.norm.isf(alpha / 4) / np.sqrt(t))


def trapezoid_grid(edge_low, edge_high):
    grid = np.linspace(edge_low, edge_high, GRID)
    weights = np.full(GRID, grid[1] - grid[0])
    weights[[0, -1]] /= 2
    return grid, weights


def boundaries(fractions, alpha, two_sided=True):
    """Symmetric two-sided boundaries (or, with two_sided False, the upper boundary of the one-sided
    test that spends the same a(t) on the upper side alone)."""
    t = np.asarray(fractions, dtype=float)
    c = [float(stats.norm.isf(spending(t[0], alpha)))]
    low = (lambda b: -b) if two_sided else (lambda b: -40 * np.sqrt(t[-1]))
    grid, weights = trapezoid_grid(low(c[0] * np.sqrt(t[0])), c[0] * np.sqrt(t[0]))
    density = stats.norm.pdf(grid, scale=np.sqrt(t[0]))
    for k in range(1, len(t)):
        spread = np.sqrt(t[k] - t[k - 1])
        target = (spending(t[k], alpha) - spending(t[k - 1], alpha)) * (2 if two_sided else 1)
        mass = weights * density

        def exit_probability(bound):
            b = bound * np.sqrt(t[k])
            upper = stats.norm.sf((b - grid) / spread)
            lower = stats.norm.cdf((-b - grid) / spread) if two_sided else 0
            return float(np.sum(mass * (upper + lower)))

        c.append(float(optimize.brentq(lambda x: exit_probability(x) - target, 0.5, 40, xtol=1e-10)))
        edge = c[-1] * np.sqrt(t[k])
        next_grid, weights = trapezoid_grid(low(edge), edge)
        density = stats.norm.pdf(next_grid[:, None] - grid[None, :], scale=spread) @ mass
        grid = next_grid
    return c


def multivariate_check(fractions, alpha, c):
    """P(|Z_j| < c_j, j <= k) - (1 - 2 a(t_k)) for each k, by SciPy's multivariate normal CDF."""
    t = np.asarray(fractions, dtype=float)
    cov = np.sqrt(np.minimum.outer(t, t) / np.maximum.outer(t, t))
    gaps = []
    for k in range(len(t)):
        upper = np.array(c[: k + 1])
        mvn = stats.multivariate_normal(mean=np.zeros(k + 1), cov=cov[: k + 1, : k + 1], seed=20260101,
                                        maxpts=500_000, abseps=1e-9, releps=1e-9)
        gaps.append(float(mvn.cdf(upper, lower_limit=-upper) - (1 - 2 * spending(t[k], alpha))))
    return gaps


def adaptive_looks(start, step, maximum, alpha, replicates, minimum_tail=2):
    """The looks start, start + step, ..., maximum from the first whose boundary (the closed form
    z_{1 - a(t)}) leaves at least minimum_tail replicates beyond each end, and their boundaries."""
    counts = list(range(start, maximum, step)) + [maximum]
    while len(counts) > 1 and spending(counts[0] / maximum, alpha) * replicates < minimum_tail:
        counts.pop(0)
    return counts, boundaries([n / maximum for n in counts], alpha)


def main():
    designs = []
    five = [0.2, 0.4, 0.6, 0.8, 1.0]
    one_sided = boundaries(five, 0.05, two_sided=False)
    print("five equal looks, one-sided (upper only) at 0.025 per side:", [round(x, 4) for x in one_sided])
    print("published (gsDesign sfLDOF, one-sided 0.025):", PUBLISHED_FIVE_LOOKS)
    assert all(abs(a - b) < 1e-3 for a, b in zip(one_sided, PUBLISHED_FIVE_LOOKS)), one_sided
    c = boundaries(five, 0.05)
    print("five equal looks, multivariate normal check of P(continue):", ["%.1e" % g for g in multivariate_check(five, 0.05, c)])
    designs.append({"name": "five equal looks", "alpha": 0.05, "fractions": five, "boundaries": c, "published": PUBLISHED_FIVE_LOOKS})
    uneven = [0.3, 0.55, 1.0]
    c = boundaries(uneven, 0.05)
    print("three uneven looks, multivariate normal check of P(continue):", ["%.1e" % g for g in multivariate_check(uneven, 0.05, c)])
    designs.append({"name": "three uneven looks", "alpha": 0.05, "fractions": uneven, "boundaries": c})
    for alpha, name in [(0.05, "start 3, step 3, max 40, 1000 replicates"),
                        (0.05 / 4, "start 3, step 3, max 40, 1000 replicates, Bonferroni share of 4 comparisons")]:
        counts, c = adaptive_looks(3, 3, 40, alpha, 1000)
        designs.append({"name": name, "alpha": alpha, "seeds": counts, "fractions": [n / 40 for n in counts], "boundaries": c})
    path = os.path.join(os.path.dirname(__file__), "..", "Tests", "PoisoningAnalysisTests", "Fixtures",
                        "group_sequential_reference.json")
    with open(path, "w") as f:
        json.dump({"designs": designs}, f, indent=2)
        f.write("\n")
    for design in designs:
        confidence = [round(float(100 * (1 - 2 * stats.norm.sf(b))), 3) for b in design["boundaries"]]
        print(design["name"], "alpha", design["alpha"], design.get("seeds", ""), [round(x, 4) for x in design["boundaries"]],
              "confidence %", confidence)


if __name__ == "__main__":
    main()
