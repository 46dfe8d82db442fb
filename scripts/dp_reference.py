#!/usr/bin/env python3
"""Reference values for the DP-SGD accountant test
(Tests/PoisoningEngineTests/PrivacyAccountantTests.swift), written to
Tests/PoisoningEngineTests/Fixtures/dp_accounting_reference.json.

For five parameter sets (sampling rate q, noise multiplier sigma, steps, delta) it records, at
every order of dp-accounting's RdpAccountant default list (DEFAULT_RDP_ORDERS):

- `rdpDPAccounting`: the composed RDP of the Poisson-subsampled Gaussian mechanism as dp-accounting's
  RdpAccountant computes it (null where it gives infinity: it drops a fractional order whose series
  has not converged after 1000 terms), and its epsilon and optimal order (`get_epsilon_and_optimal_order`).
- `rdpExact`: the same RDP computed independently with mpmath at 40 significant digits, from the
  definition (Mironov, Talwar and Zhang 2019): RDP(alpha) = steps * log(A_alpha) / (alpha - 1) with
  A_alpha = E_{z ~ N(0, sigma^2)} [((1 - q) + q exp((2z - 1) / (2 sigma^2)))^alpha], by the finite
  binomial sum at integer orders and by numerical integration at fractional ones.
- `epsilon`, `order`: dp-accounting's own conversion (`compute_epsilon`, Balle et al. 2020,
  Proposition 12) applied to `rdpExact`: what make-report must give.

dp-accounting's RDP at integer orders is exact (it is the finite sum). At fractional orders it sums
the absolute values of the generalised binomial coefficients C(alpha, i), whose signs alternate once
i > alpha + 1, so it is an upper bound (for q = 64/350 and sigma = 1: 9% above the exact value at
order 1.8, 28% at 1.5, 63% at 1.1, these last two once its 1,000-term limit is lifted). make-report
sums the signed series (as the paper and Opacus do), so the test checks it against `rdpExact`, and
against `rdpDPAccounting` at integer orders and as an upper bound at fractional ones.

Run `python3 scripts/dp_reference.py` with dp-accounting and mpmath installed
(`pip install dp-accounting mpmath`); nothing here is needed to build, run or test the tool.
"""
import importlib.metadata
import json
import math
import os

import dp_accounting
import mpmath
from dp_accounting.rdp import rdp_privacy_accountant as rdp_module

mpmath.mp.dps = 40

# (q, sigma, steps, delta): the case (350 rows in batches of 64 for 200 epochs), a small
# sampling rate over many steps, a large noise multiplier, few steps with a large rate, and sigma < 1.
PARAMETER_SETS = [
    (64 / 350, 1.0, 1200, 1e-5),
    (0.001, 1.2, 20000, 1e-6),
    (0.05, 8.0, 1000, 1e-5),
    (0.5, 1.5, 3, 1e-5),
    (0.05, 0.7, 400, 1e-5),
]


def log_a_exact(q, sigma, alpha):
    """log A_alpha at 40 digits: the finite binomial sum at integer alpha, else the integral."""
    q, sigma = mpmath.mpf(q), mpmath.mpf(sigma)
    if float(alpha).is_integer():
        n = int(alpha)
        total = mpmath.fsum(mpmath.binomial(n, i) * (1 - q) ** (n - i) * q ** i
                            * mpmath.exp(mpmath.mpf(i * i - i) / (2 * sigma ** 2)) for i in range(n + 1))
        return mpmath.log(total)
    alpha = mpmath.mpf(alpha)

    # A - 1 integrated directly, so that log A keeps its digits when A is close to 1.
    def integrand(z):
        ratio = (1 - q) + q * mpmath.exp((2 * z - 1) / (2 * sigma ** 2))
        return mpmath.npdf(z, 0, sigma) * (ratio ** alpha - 1)

    z0 = sigma ** 2 * mpmath.log(1 / q - 1) + mpmath.mpf(1) / 2
    # The integrand's features: the Gaussian's centre and width, the sign change at 1/2, the point z0
    # where the two parts of the ratio are equal, and the peak near alpha of the Gaussian's right tail.
    points = sorted({-40 * sigma, -8 * sigma, -sigma, mpmath.mpf(0), mpmath.mpf(1) / 2, sigma, z0, alpha,
                     alpha + 8 * sigma, alpha + 40 * sigma, 8 * sigma, 40 * sigma})
    value, error = mpmath.quad(integrand, [-mpmath.inf] + points + [mpmath.inf], error=True, maxdegree=10)
    assert error < abs(value) * mpmath.mpf(10) ** -20, (q, sigma, alpha, value, error)
    return mpmath.log1p(value)


def reference(q, sigma, steps, delta):
    orders = list(rdp_module.DEFAULT_RDP_ORDERS)
    accountant = dp_accounting.rdp.RdpAccountant()  # the default orders
    accountant.compose(dp_accounting.SelfComposedDpEvent(
        dp_accounting.PoissonSampledDpEvent(q, dp_accounting.GaussianDpEvent(sigma)), steps))
    assert list(accountant.orders) == orders
    library = [float(r) for r in accountant._rdp]  # its composed RDP per order (no public getter)
    library_epsilon, library_order = accountant.get_epsilon_and_optimal_order(delta)
    exact = [float(steps * log_a_exact(q, sigma, a) / (a - 1)) for a in orders]
    for a, e, r in zip(orders, exact, library):
        if float(a).is_integer():  # the finite sum: dp-accounting is exact there
            assert abs(e - r) <= 1e-11 * e, (q, sigma, a, e, r)
        elif math.isfinite(r):  # the absolute-value series: an upper bound, up to dp-accounting's rounding
            assert r >= e * (1 - 1e-10), (q, sigma, a, e, r)
    epsilon, order = rdp_module.compute_epsilon(orders, exact, delta)
    return {
        "samplingRate": q, "noise": sigma, "steps": steps, "delta": delta,
        "rdpExact": exact,
        "rdpDPAccounting": [r if math.isfinite(r) else None for r in library],
        "epsilon": float(epsilon), "order": float(order),
        "epsilonDPAccounting": float(library_epsilon), "orderDPAccounting": float(library_order),
    }


def main():
    cases = []
    for q, sigma, steps, delta in PARAMETER_SETS:
        case = reference(q, sigma, steps, delta)
        print(f"q = {q!r}, sigma = {sigma}, steps = {steps}, delta = {delta}: epsilon {case['epsilon']!r} at order "
              f"{case['order']} (dp-accounting's RdpAccountant: {case['epsilonDPAccounting']!r} at {case['orderDPAccounting']})")
        cases.append(case)
    fixture = {
        "about": "Written by scripts/dp_reference.py; see its docstring.",
        "dpAccountingVersion": importlib.metadata.version("dp-accounting"),
        "mpmathVersion": importlib.metadata.version("mpmath"),
        "orders": list(rdp_module.DEFAULT_RDP_ORDERS),
        "cases": cases,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "PoisoningEngineTests", "Fixtures",
                        "dp_accounting_reference.json")
    with open(path, "w") as f:
        json.dump(fixture, f, indent=1)
        f.write("\n")
    print("wrote", os.path.normpath(path))


if __name__ == "__main__":
    main()
