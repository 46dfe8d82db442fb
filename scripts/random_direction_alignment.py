#!/usr/bin/env python3
"""The alignment |v.t| of a direction v drawn uniformly from the unit sphere in d dimensions with a
fixed unit vector t, the reference for make-report's `inputCurvatureTriggerAlignment`
(Tests/PoisoningEngineTests/InputCurvatureMeasurementTests.swift): c = v.t has c^2 ~ Beta(1/2, (d-1)/2),
so E|c| = Gamma(d/2) / (sqrt(pi) Gamma((d+1)/2)) (about sqrt(2 / (pi d))) and the q-quantile of |c| is
sqrt of the Beta's q-quantile.

    python3 scripts/random_direction_alignment.py [d ...]    (default: 6 10 20)
"""
import math
import sys

from scipy import stats


def main():
    dimensions = [int(arg) for arg in sys.argv[1:]] or [6, 10, 20]
    for d in dimensions:
        beta = stats.beta(0.5, (d - 1) / 2)
        mean = math.gamma(d / 2) / (math.sqrt(math.pi) * math.gamma((d + 1) / 2))
        print(f"d = {d}: mean {mean:.6f} (sqrt(2/(pi d)) {math.sqrt(2 / (math.pi * d)):.6f}), "
              f"0.99-quantile {math.sqrt(beta.ppf(0.99)):.6f}, 0.999-quantile {math.sqrt(beta.ppf(0.999)):.6f}")


if __name__ == "__main__":
    main()
