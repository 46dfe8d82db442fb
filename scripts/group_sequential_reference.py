#!/usr/bin/env python3
"""Reference boundaries for Sources/PoisoningAnalysis/Statistics/GroupSequential.swift.

Lan-DeMets alpha spending with the O'Brien-Fleming-type function alpha(t) = 2 - 2 Phi(z_{1-a/2} / sqrt(t)),
two-sided boundaries c_k such that P(|Z_1| < c_1, ..., |Z_k| < c_k) = 1 - alpha(t_k) under no effect,
where (Z_1, ..., Z_K) is multivariate normal with corr(Z_i, Z_j) = sqrt(t_i / t_j), i <= j.
Computed independently of the Swift code: the rectangle probabilities come from SciPy's
multivariate normal CDF (Genz's quasi-Monte Carlo integration), each c_k from brentq.

Writes Tests/PoisoningAnalysisTests/Fixtures/group_sequential_reference.json:
  python3 scripts/group_sequential_reference.py
"""
import json
import os

import numpy as np
from scipy import optimize, stats


def spending(t, alpha):
    return 2 * stats.norm.cdf(stats.norm.ppf(alpha / 2) / np.sqrt(t))


def boundaries(fractions, alpha):
    t = np.asarray(fractions, dtype=float)
    cov = np.sqrt(np.minimum.outer(t, t) / np.maximum.outer(t, t))
    result = [float(-stats.norm.ppf(spending(t[0], alpha) / 2))]
    for k in range(1, len(t)):
        inside = 1 - spending(t[k], alpha)
        mvn = stats.multivariate_normal(mean=np.zeros(k + 1), cov=cov[: k + 1, : k + 1], allow_singular=False,
                                        seed=20260101, maxpts=500_000 * (k + 1), abseps=1e-8, releps=1e-8)

        def gap(c):
            upper = np.array(result + [c])
            return mvn.cdf(upper, lower_limit=-upper) - inside

        result.append(float(optimize.brentq(gap, 0.5, 12, xtol=1e-7)))
    return result


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
    designs.append({"name": "three uneven looks", "alpha": 0.05, "fractions": uneven, "boundaries": boundaries(uneven, 0.05)})
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
