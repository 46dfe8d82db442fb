#!/usr/bin/env python3
"""Reference values for the power simulation through the refits (SequentialFamilyPowerTests, the
analysis README's *Power through the refits*).

1. The null's true threshold: the curve L / (1 + exp(k (x - x0))) + b with L = 0.78, k = 5.17,
   x0 = 0.175, b = 0.34 falls to the target t = (clean + chance) / 2, clean = its value at 0, chance
   1/5, at x = x0 + ln(L / (t - b) - 1) / k (checked by mlp128sTrueThresholdIsLowerByTheEffect).
2. MLP 128's curve for a difference d: the fraction axis compressed by s = (t - d) / t (midpoint x0 s,
   steepness k / s), which keeps the clean accuracy; and, for contrast, the horizontal shift of x0
   alone that lowers the threshold by 3 pp (it lowers the clean accuracy, and the target, too).
3. The README's arithmetic from the simulation's printed numbers: the per-seed sd of MLP 128 - MLP 64
   implied by its mean 40-seed interval width at the last look's 99.13% on the bootstrap's t scale,
   the normal-approximation power at the first look (33 seeds, boundary 2.793 on the z scale read on
   the t scale with 32 degrees of freedom), and the seeds a 1 pp difference needs at 80% power.

Usage: python3 scripts/sequential_power_reference.py > scripts/sequential_power_reference.out
(needs scipy)
"""
from math import exp, log, sqrt
from scipy.stats import norm, t as student

L, K, X0, B, CHANCE = 0.78, 5.17, 0.175, 0.34, 0.2


def value(x, k, x0):
    return L / (1 + exp(k * (x - x0))) + B


def threshold(k, x0):
    target = (value(0, k, x0) + CHANCE) / 2
    return x0 + log(L / (target - B) - 1) / k


null = threshold(K, X0)
print(f"null threshold {null!r}, clean accuracy {value(0, K, X0)!r}")
for d in (0.03, 0.02, 0.01):
    s = (null - d) / null
    print(f"d = {d}: scale {s!r}, midpoint {X0 * s!r}, steepness {K / s!r}, "
          f"threshold difference {threshold(K / s, X0 * s) - null!r}, clean accuracy {value(0, K / s, X0 * s)!r}")

low, high = 0.0, X0
for _ in range(200):
    middle = (low + high) / 2
    low, high = (low, middle) if threshold(K, middle) > null - 0.03 else (middle, high)
print(f"horizontal shift for -3 pp: midpoint {low!r} ({100 * (X0 - low):.2f} pp lower), clean accuracy {value(0, K, low)!r}")

t40 = student.ppf(1 - (1 - 0.9913) / 2, 39)
boundary = student.ppf(norm.cdf(2.793), 32)
print(f"t_39 at 0.99565: {t40:.4f}; first-look boundary on the t_32 scale: {boundary:.4f}")
for label, width in (("simulated, d = 3 pp", 0.0260), ("real reference study", 0.0219)):
    sd = width * sqrt(40) / (2 * t40)
    print(f"{label}: width {100 * width:.2f} pp -> per-seed sd {100 * sd:.3f} pp; "
          f"seeds for 1 pp at 80% power (last boundary 2.627): {(sd * (2.627 + norm.ppf(0.8)) / 0.01) ** 2:.1f}")
sd = 0.0260 * sqrt(40) / (2 * t40)
for d in (0.03, 0.02, 0.01):
    z = d / (sd / sqrt(33))
    print(f"d = {d}: {z:.2f} standard errors at 33 seeds; power at the first look {norm.cdf(z - boundary):.4f}")
