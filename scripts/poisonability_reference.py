#!/usr/bin/env python3
"""Reference values of the poisonability threshold for PoisonabilityTests.

An independent NumPy computation (float64) of <theta, G(mu; theta)> and tau(c) = <theta, G> / W0((c-1)/e)
(Lu, Kamath, Yu 2023; THEORY.md section 1) on fixed data and weights, each exact in float32 so that
the Swift test builds the same numbers:
  rows     x[i, j] = ((7 i + 13 j) mod 23 - 11) / 8,  label y[i] = (5 i) mod c,   i < 12, j < 4
  softmax regression W[k, j] = ((11 k + 5 j) mod 17 - 8) / 16, b[k] = (k - 1) / 4
  MLP      hidden (5 units, ReLU) W1[o, j] = ((3 o + 7 j) mod 13 - 6) / 8, b1[o] = ((5 o) mod 7 - 3) / 8,
           then the softmax regression above on the hidden activations (W[k, o] with o < 5);
  MLP with two hidden layers: the first above, then (3 units, ReLU) W2[o, j] = ((2 o + 3 j) mod 11 - 5) / 8,
           b2[o] = (o - 1) / 8, then the softmax regression above on its activations (W[k, o] with o < 3).
For an MLP tau is the condition on its last layer only (a lower bound on the budget): the last hidden
layer's activations phi are the fixed inputs of a softmax regression. Every phi here is a multiple of
1/64 (one hidden layer) or 1/512 (two) well below 2^24 times that, so exact in float32: the Swift
network's Float forward pass gives the same phi, and the values below hold to 1e-12 there too.
G is formed explicitly as the mean over rows of the per-row gradient (p - e_y) outer (phi, 1) of the
last layer, and <theta, G> as the Frobenius product with [W b]; the Swift code instead sums
<h, p - y> row by row. The one-vs-rest linear SVM's cases follow below. Run: python3 scripts/poisonability_reference.py
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

def second_hidden(h1):
    o = np.arange(3)[:, None]
    j = np.arange(5)[None, :]
    w2 = ((((2 * o + 3 * j) % 11) - 5) / 8.0).astype(np.float32).astype(np.float64)
    b2 = ((np.arange(3) - 1) / 8.0).astype(np.float32).astype(np.float64)
    return np.maximum(h1 @ w2.T + b2, 0.0)

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

for name, c, depth in [("softmax3", 3, 0), ("softmax2", 2, 0), ("mlp3", 3, 1), ("mlp3x2", 3, 2)]:
    x, y = rows(c)
    phi = x if depth == 0 else hidden(x) if depth == 1 else second_hidden(hidden(x))
    assert np.all(phi * (64 if depth == 1 else 512) == np.round(phi * (64 if depth == 1 else 512)))
    w, b = last_layer(c, phi.shape[1])
    ip = product(phi, y, w, b)
    tau = float(ip / lambertw((c - 1) / np.e).real) if ip > 0 else None
    print(f"{name}: innerProduct {ip!r} tau {tau!r}")

# Centred distances (the last layer's class-sum direction removed, THEORY.md section 1): a model A,
# the reference network above, and a model B whose last layer is
#   W'[k, j] = ((7 k + 3 j) mod 13 - 6) / 16, b'[k] = (2 - k) / 8   (hidden layers A's),
# each layer a row-major [W b] block. The centring is the projection (I - 1 1^T / c) applied to the
# columns of [W b] (each input's weights and the biases minus their mean over classes), formed as a
# matrix here; the Swift code subtracts the means in place. Reported: ||A_c - B_c|| / ||B_c|| over every
# parameter (hidden layers as given), ||[W b]_c|| of A's last layer, and <theta, G> of A with the vector
# v[j] = (j - 1.5) / 4 added to every class's weights and 3/8 to every bias (unchanged: sum_k (p_k - y_k) = 0).
def centre(theta):
    c = theta.shape[0]
    return (np.eye(c) - np.ones((c, c)) / c) @ theta

def second_last_layer(c, width):
    k = np.arange(c)[:, None]
    j = np.arange(width)[None, :]
    return ((7 * k + 3 * j) % 13 - 6) / 16.0, (2 - np.arange(c)) / 8.0

for name, c, depth in [("centred-softmax3", 3, 0), ("centred-mlp3", 3, 1)]:
    x, y = rows(c)
    phi = x if depth == 0 else hidden(x)
    w, b = last_layer(c, phi.shape[1])
    w2, b2 = second_last_layer(c, phi.shape[1])
    a, bb = np.hstack([w, b[:, None]]), np.hstack([w2, b2[:, None]])
    shared = 0.0
    if depth == 1:
        o = np.arange(5)[:, None]
        j = np.arange(4)[None, :]
        shared = float(np.sum((((3 * o + 7 * j) % 13 - 6) / 8.0) ** 2) + np.sum(((((5 * np.arange(5)) % 7) - 3) / 8.0) ** 2))
    distance = float(np.linalg.norm(centre(a) - centre(bb)) / np.sqrt(np.sum(centre(bb) ** 2) + shared))
    shift = np.hstack([(np.arange(phi.shape[1]) - 1.5) / 4.0, [0.375]])
    shifted = a + shift[None, :]
    print(f"{name}: distance {distance!r} centredNorm {float(np.linalg.norm(centre(a)))!r} "
          f"shiftedInnerProduct {product(phi, y, shifted[:, :-1], shifted[:, -1])!r}")

# The one-vs-rest linear SVM (hinge loss, C = 1/2 unless said): per class k the hyperplane
#   theta[k, j] = ((3 k + 5 j) mod 11 - 5) / 8 (j < 4), bias theta[k, 4] = (2 k - 1) / 8,
# every weight divided by `scale` (1, -1: negated, -4), for 2 classes theta[0] = -theta[1] (the mirror
# images a binary one-vs-rest SVM has). The objective of class k is
# 1/2 |theta_k|^2 + C sum_rows max(0, 1 - t), t = y_k theta_k . (x, 1), y_k = +1 on its rows, -1 elsewhere;
# G_k = theta_k / (C n) + mean over rows of the subgradient -y_k (x, 1) [t <= 1 + 1e-6] (rows within 1e-6
# of the kink count as on it) is formed as a vector
# and <theta_k, G_k> taken as a dot product (the Swift code sums -t over the rows with t <= 1 instead);
# tau_k = <theta_k, G_k> / 1 (the hinge's t l'(t) reaches -1), tau = max over classes with a positive product.
def svm_weights(c, scale):
    k = np.arange(c)[:, None]
    j = np.arange(4)[None, :]
    theta = np.hstack([((3 * k + 5 * j) % 11 - 5) / 8.0, ((2 * np.arange(c) - 1) / 8.0)[:, None]]) / scale
    if c == 2:
        theta[0] = -theta[1]
    return theta

def svm_products(x, y, theta, C):
    n = x.shape[0]
    augmented = np.hstack([x, np.ones((n, 1))])
    products = []
    for k in range(theta.shape[0]):
        s = np.where(y == k, 1.0, -1.0)
        t = s * (augmented @ theta[k])
        sub = -(s * (t <= 1 + 1e-6))[:, None] * augmented
        g = theta[k] / (C * n) + sub.mean(axis=0)
        products.append(float(theta[k] @ g))
    return products

for name, c, scale, C in [("svm3", 3, 1.0, 0.5), ("svm2", 2, 1.0, 0.5), ("svm3-negated", 3, -1.0, 0.5),
                            ("svm2-none", 2, -4.0, 100.0)]:
    x, y = rows(c)
    products = svm_products(x, y, svm_weights(c, scale), C)
    positive = [p for p in products if p > 0]
    print(f"{name}: products {products!r} tau {max(positive) if positive else None!r}")
