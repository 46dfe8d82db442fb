#!/usr/bin/env python3
"""Reference values of Lambert's W0 for PoisonabilityTests (Tests/PoisoningEngineTests/PoisonabilityTests.swift).

Prints Swift tuple literals (x, scipy.special.lambertw(x, 0).real, mpmath.lambertw(x) at 40 digits)
over W0's whole range: points just above the branch point -1/e, [-1/e, 0], [0, e], and far out to
1e300. At the first Double above -exp(-1) SciPy's value is off by 2.9e-9 (mpmath, at 40 digits, is
the arbiter there), 1e-8 and 1e-7 above it by 2e-13, elsewhere by at most 1.4e-14. Run: python3 scripts/lambertw_reference.py
"""
import mpmath
import numpy as np
from scipy.special import lambertw

branch = -np.exp(-1.0)
# -exp(-1.0) itself lies 1.2e-17 below the true -1/e, where SciPy answers NaN; the tests check it apart (W0 = -1).
xs = [float(np.nextafter(branch, 0.0))]
xs += [branch + 10.0 ** -k for k in (8, 7, 6, 5, 4, 3, 2)]
xs += list(np.linspace(-0.35, 0.0, 8))
xs += [1e-300, 1e-10, 1e-3, 0.1, 0.5, 1.0, float(np.exp(-1.0)), 2.0, float(np.e), 3.0, 10.0, 100.0, 1e4, 1e10, 1e100, 1e300]
for x in xs:
    w = lambertw(x, 0)
    assert abs(w.imag) == 0.0
    with mpmath.workdps(40):
        exact = float(mpmath.lambertw(mpmath.mpf(float(x))).real)
    print(f"({float(x)!r}, {float(w.real)!r}, {exact!r}),")
