#!/usr/bin/env python3
"""Reference values of the poisonability threshold for PoisonabilityTests.

An independent NumPy computation (float64) of <theta, G(mu; theta)> and tau(c) = <theta, G> / W0((c-1)/e)
(Lu, Kamath, Yu 2023; THEORY.md section 1) on fixed data and weights, each exact in float32 so that
the Swift test builds the same numbers:
  rows     x[i, j] = ((7 i + 13 j) mod 23 - 11) / 8,  label y[i] = (5 i) mod c,   i < 12, j < 4
  softmax regression W[k, j] = ((11 k + 5 j) mod 17 - 8) / 16, b[k] = (k - 1) / 4
  MLP      hidden (5 units, ReLU) W1[o, j] = ((3 o + 7 j) mod 13 - 6) / 8, b1[o] = ((5 o) mod 7 - 3) / 8,
           then the softmax regression above on the hidden activations (W[k, o] with o < 5).
G is formed explicitly as the mean over rows of the per-row gradient (p - e_y) outer (phi, 1) of the
last layer, and <theta, G> as the Frobenius product with [W b]; the Swift code instead sums
<h, p - y> row by row. Run: python3 scripts/poisonability_reference.py
"""
import numpy as np
from scipy.special import lambertw

def rows(c):
    i = np.arange(12)[:, None]
    j = np.arange(4)[None, :]
    x = (((7 * i + 13 * j) % 23) - 11) / 8.0
    y = (5 * np.arange(12)) % c
    return x.astype(np.float32).astype(np.float64), y

def last_layer(c, width):
    k = np.arange(c)[:, None]
    j = np.arange(width)[None, :]
    w = ((((11 * k + 5 * j) % 17) - 8) / 16.0).astype(np.float32).astype(np.float64)
    b = ((np.arange(c) - 1) / 4.0).astype(np.float32).astype(np.float64)
    return w, b

def hidden(x):
    o = np.arange(5)[:, None]
    j = np.arange(4)[None, :]
    w1 = ((((3 * o + 7 * j) % 13) - 6) / 8.0).astype(np.float32).astype(np.float64)
    b1 = ((((5 * np.arange(5)) % 7) - 3) / 8.0).astype(np.float32).astype(np.float64)
    return np.maximum(x @ w1.T + b1, 0.0)

def product(phi, y, w, b):
    c = w.shape[0]
    h = phi @ w.T + b
    p = np.exp(h - h.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    r = p - np.eye(c)[y]
    augmented = np.hstack([phi, np.ones((phi.shape[0], 1))])
    g = r.T @ augmented / phi.shape[0]          # G = E[(p - y) outer (phi, 1)], [c x (width + 1)]
    theta = np.hstack([w, b[:, None]])
    return float(np.sum(theta * g))

for name, c, mlp in [("softmax3", 3, False), ("softmax2", 2, False), ("mlp3", 3, True)]:
    x, y = rows(c)
    phi = hidden(x) if mlp else x
    w, b = last_layer(c, phi.shape[1])
    ip = product(phi, y, w, b)
    tau = float(ip / lambertw((c - 1) / np.e).real) if ip > 0 else None
    print(f"{name}: innerProduct {ip!r} tau {tau!r}")
