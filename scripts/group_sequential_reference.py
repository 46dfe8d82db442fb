#!/usr/bin/env python3
"""Reference boundaries for Sources/PoisoningAnalysis/Statistics/GroupSequential.swift.

Lan-DeMets alpha spending with the O'Brien-Fleming-type function alpha(t) = 2 - 2 Phi(z_{1-a/2} / sqrt(t)),
two-sided boundaries c_k such that P(|Z_1| < c_1, ..., |Z_{k-1}| < c_{k-1}, |Z_k| >= c_k) = alpha(t_k) - alpha(t_{k-1})
under no effect, where (Z_1, ..., Z_K) is multivariate normal with corr(Z_i, Z_j) = sqrt(t_i / t_j), i <= j.

Computed independently of the Swift code, two ways:
- every design by NumPy: the sub-density of the score S_k = Z_k sqrt(t_k) on a fine uniform grid
  (trapezoid rule, 4001 points; the Swift code uses Simpson's rule on 801), each c_k from brentq;
- the designs of at most three looks also by SciPy's multivariate normal CDF (Genz's integration of
  the rectangle P(|Z_j| < c_j, j <= k) = 1 - alpha(t_k)), as a check of the grid (printed).

Writes Tests/PoisoningAnalysisTests/Fixtures/group_sequential_reference.json:
  python3 scripts/group_sequential_reference.py
"""
import json
import os

import numpy as np
from scipy import optimize, stats

GRID = 4001


def spending(t, alpha):
    return 2 * stats.norm.cdf(stats.norm.ppf(alpha / 2) / np.sqrt(t))


def boundaries(fractions, alpha):
    t = np.asarray(fractions, dtype=float)
    c = [float(-stats.norm.ppf(spending(t[0], alpha) / 2))]
    edge = c[0] * np.sqrt(t[0])
    grid = np.linspace(-edge, edge, GRID)
    weights = np.full(GRID, grid[1] - grid[0])
    weights[[0, -1]] /= 2
    density = stats.norm.pdf(grid, scale=np.sqrt(t[0]))
    for k in range(1, len(t)):
        spread = np.sqrt(t[k] - t[k - 1])
        target = spending(t[k], alpha) - spending(t[k - 1], alpha)
        mass = weights * density

        def exit_probability(bound):
            b = bound * np.sqrt(t[k])
            return float(np.sum(mass * (stats.norm.cdf((-b - grid) / spread) + stats.norm.sf((b - grid) / spread))))

        c.append(float(optimize.brentq(lambda x: exit_probability(x) - target, 0.5, 40, xtol=1e-10)))
        edge = c[-1] * np.sqrt(t[k])
        next_grid = np.linspace(-edge, edge, GRID)
        density = stats.norm.pdf(next_grid[:, None] - grid[None, :], scale=spread) @ mass
        grid = next_grid
        weights = np.full(GRID, grid[1] - grid[0])
        weights[[0, -1]] /= 2
    return c


def multivariate_check(fractions, alpha, c):
    """P(|Z_j| < c_j, j <= k) - (1 - alpha(t_k)) for each k, by SciPy's multivariate normal CDF."""
    t = np.asarray(fractions, dtype=float)
    cov = np.sqrt(np.minimum.outer(t, t) / np.maximum.outer(t, t))
    gaps = []
    for k in range(len(t)):
        upper = np.array(c[: k + 1])
        mvn = stats.multivariate_normal(mean=np.zeros(k + 1), cov=cov[: k + 1, : k + 1], seed=20260101,
                                        maxpts=200_000, abseps=1e-9, releps=1e-9)
        gaps.append(float(mvn.cdf(upper, lower_limit=-upper) - (1 - spending(t[k], alpha))))
    return gaps


def adaptive_looks(start, step, maximum, alpha, replicates, minimum_tail=2):
    """The looks start, start + step, ..., maximum from the first whose boundary (the closed form
    z_{1 - alpha(t)/2}) leaves at least minimum_tail replicates beyond each end, and their boundaries."""
    counts = list(range(start, maximum, step)) + [maximum]
    while len(counts) > 1 and spending(counts[0] / maximum, alpha) / 2 * replicates < minimum_tail:
        counts.pop(0)
    return counts, boundaries([n / maximum for n in counts], alpha)


def main():
    designs = []
    five = [0.2, 0.4, 0.6, 0.8, 1.0]
    designs.append({"name": "five equal looks", "alpha": 0.05, "fractions": five, "boundaries": boundaries(five, 0.05)})
    uneven = [0.3, 0.55, 1.0]
    c = boundaries(uneven, 0.05)
    print("three uneven looks, multivariate normal check of P(continue):", multivariate_check(uneven, 0.05, c))
    designs.append({"name": "three uneven looks", "alpha": 0.05, "fractions": uneven, "boundaries": c})
    counts, c = adaptive_looks(3, 3, 40, 0.05, 1000)
    designs.append({"name": "start 3, step 3, max 40, 1000 replicates", "alpha": 0.05, "seeds": counts,
                    "fractions": [n / 40 for n in counts], "boundaries": c})
    path = os.path.join(os.path.dirname(__file__), "..", "Tests", "PoisoningAnalysisTests", "Fixtures",
                        "group_sequential_reference.json")
    with open(path, "w") as f:
        json.dump({"designs": designs}, f, indent=2)
        f.write("\n")
    for design in designs:
        print(design["name"], design.get("seeds", ""), [round(x, 4) for x in design["boundaries"]])


if __name__ == "__main__":
    main()
