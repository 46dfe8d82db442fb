#!/usr/bin/env python3
"""Reference values of the weights-only threshold tau_w for WeightsOnlyThresholdTests
(Tests/PoisoningEngineTests/WeightsOnlyThresholdTests.swift).

Gradient canceling with `cancel: weights` makes only the weights' gradient stationary at the target:
(1 - lambda) g_w(mu) + lambda g_w(nu) = 0. Projected on the last layer's weights W (logits h = W phi + b,
p = softmax(h)), a row's term is <W phi, p - y> = sum_k (h_k - b_k)(p_k - y_k), not <h, p - y>: the bias
is no feature. For two classes (labels 0/1, the two-logit softmax of the code, b = b1 - b0, z = h1 - h0,
s = +1 for label 1 and -1 for label 0, margin t = s z) that term is (t - s b) l'(t), l(t) = ln(1 + e^-t),
whose infimum over t is -W0(e^(-s b - 1)) (stationary where (t - s b - 1) e^(t - s b - 1) = e^(-s b - 1)).
So with pi1 the poisons' share of label 1 (their labels are kept from their source rows)
    tau_w = <W, G_W(mu)> / ((1 - pi1) W0(e^(b - 1)) + pi1 W0(e^(-b - 1))),
exact with free features (the part of a poison orthogonal to w is free, so the projection is the only
condition), none when <W, G_W(mu)> <= 0. For c > 2 classes the code uses the necessary bound
    sum_k (h_k - b_k)(p_k - y_k) >= -W0((c - 1)/e) - (max_k b_k - b_y),
from inf_h <h, p - y> = -W0((c - 1)/e) (tau(c)'s denominator) and -<b, p - y> = b_y - <b, p> >= b_y - max_k b_k.

This script checks each step independently:
 1. the 1-D infimum of (t - s b) l'(t) by numeric minimisation (scipy.optimize.minimize_scalar) against
    -W0(e^(-s b - 1)) (scipy.special.lambertw) over b in [-4, 4];
 2. for c = 3 and 5, the infimum of <h, p - e_y> over h in R^c by multi-start BFGS against -W0((c-1)/e),
    and the bias bound above against the numeric infimum of sum_k (h_k - b_k)(p_k - y_k);
 3. on fixed data and weights (each exact in float32, as the Swift test builds them), <W, G_W(mu)>
    formed as the Frobenius product of W with the explicit mean gradient G_W = (P - Y)^T Phi / n, tau
    (every parameter) and tau_w, printed for the Swift test (to 1e-9);
 4. an L-BFGS-B feasibility check on that binary case: poisons with free features (bounds +-1e3), their
    labels fixed (pi1 = 0.4), minimise ||G_W(mu) + eps sum_j g_W(x_j, y_j)/m||^2 / ||G_W(mu)||^2 over
    the features: at 1.05 tau_w it reaches <= 1e-12 (cancelled), at 0.95 tau_w it stays above the
    Cauchy-Schwarz floor ((<W, G_W> - eps D)/||W||)^2 / ||G_W||^2 > 0 (D the denominator above), which no
    poison set can beat.
Run: python3 scripts/weights_only_threshold.py
"""
import numpy as np
from scipy.optimize import minimize, minimize_scalar
from scipy.special import lambertw


def w0(x):
    return float(lambertw(x, 0).real)


def softplus_derivative(t):
    """l'(t) for l(t) = ln(1 + e^-t): -1/(1 + e^t)."""
    return -1.0 / (1.0 + np.exp(t))


# 1. The 1-D infimum of (t - s b) l'(t).
worst = 0.0
for b in np.linspace(-4, 4, 17):
    for s in (+1, -1):
        f = lambda t: (t - s * b) * softplus_derivative(t)
        found = minimize_scalar(f, bounds=(-40, 40), method="bounded", options={"xatol": 1e-12}).fun
        closed = -w0(np.exp(-s * b - 1))
        worst = max(worst, abs(found - closed))
        assert abs(found - closed) < 1e-9, (b, s, found, closed)
print(f"# 1. inf_t (t - s b) l'(t) = -W0(e^(-s b - 1)) for b in [-4, 4], s = +-1: largest difference {worst:.1e}")
print(f"floorLabel1AtBias1.25 = {w0(np.exp(-1.25 - 1))!r}")
print(f"floorLabel0AtBias1.25 = {w0(np.exp(1.25 - 1))!r}")


# 2. c classes: inf_h <h, p - e_y> and the bias bound.
def softmax(h):
    e = np.exp(h - h.max())
    return e / e.sum()


rng = np.random.default_rng(0)
for c in (3, 5):
    y = 0
    onehot = np.eye(c)[y]
    trace = lambda h: float(h @ (softmax(h) - onehot))
    best = min(minimize(trace, rng.normal(0, 3, c), method="BFGS", options={"gtol": 1e-12}).fun for _ in range(40))
    assert abs(best + w0((c - 1) / np.e)) < 1e-7, (c, best)
    biases = rng.normal(0, 1.5, c)
    for label in range(c):
        onehot = np.eye(c)[label]
        weights_only = lambda h: float((h - biases) @ (softmax(h) - onehot))
        found = min(minimize(weights_only, rng.normal(0, 3, c), method="BFGS", options={"gtol": 1e-12}).fun for _ in range(40))
        bound = -w0((c - 1) / np.e) - (biases.max() - biases[label])
        assert found >= bound - 1e-9, (c, label, found, bound)
    print(f"# 2. c = {c}: inf <h, p - e_y> = {best:.12f} = -W0((c-1)/e); the bias bound holds for every label")


# 3. Fixed data and weights, exact in float32: the rows of scripts/poisonability_reference.py.
def rows(c):
    i = np.arange(12)[:, None]
    j = np.arange(4)[None, :]
    x = (((7 * i + 13 * j) % 23) - 11) / 8.0
    return x, (5 * np.arange(12)) % c


def binary_network():
    """Two-logit softmax regression: W[k, j] = ((3 k + 5 j) mod 7 - 3)/8, b = (-1/2, 3/4) (b1 - b0 = 1.25)."""
    k = np.arange(2)[:, None]
    j = np.arange(4)[None, :]
    return (((3 * k + 5 * j) % 7) - 3) / 8.0, np.array([-0.5, 0.75])


def reference_network(c):
    """scripts/poisonability_reference.py's softmax regression: W[k, j] = ((11 k + 5 j) mod 17 - 8)/16, b[k] = (k - 1)/4."""
    k = np.arange(c)[:, None]
    j = np.arange(4)[None, :]
    return (((11 * k + 5 * j) % 17) - 8) / 16.0, (np.arange(c) - 1) / 4.0


def products(W, b, phi, y):
    """<W, G_W(mu)> and <theta, G(mu)> from the explicit mean gradient."""
    c = W.shape[0]
    H = phi @ W.T + b
    P = np.exp(H - H.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    R = P - np.eye(c)[y]
    GW = R.T @ phi / len(y)
    Gb = R.mean(axis=0)
    return float(np.sum(W * GW)), float(np.sum(W * GW) + b @ Gb), GW


poison_labels = [1, 0, 0, 1, 0]   # pi1 = 0.4
x, y = rows(2)
W, b = binary_network()
inner_w, inner, GW = products(W, b, x, y)
bias = b[1] - b[0]
pi1 = np.mean(poison_labels)
denominator = (1 - pi1) * w0(np.exp(bias - 1)) + pi1 * w0(np.exp(-bias - 1))
tau = inner / w0(1 / np.e)
tau_w = inner_w / denominator
assert inner_w > 0 and inner > 0
print("# 3. binary: <W, G_W>, <theta, G>, the denominator at pi1 = 0.4, tau, tau_w")
print(f"binaryWeightsProduct = {inner_w!r}")
print(f"binaryFullProduct = {inner!r}")
print(f"binaryDenominator = {float(denominator)!r}")
print(f"binaryTau = {tau!r}")
print(f"binaryTauW = {float(tau_w)!r}")
# The same with the clean rows' label shares (no poisons: the share a poison drawn from them has in expectation).
clean_pi1 = np.mean(y)
clean_tau_w = inner_w / ((1 - clean_pi1) * w0(np.exp(bias - 1)) + clean_pi1 * w0(np.exp(-bias - 1)))
print(f"binaryTauWCleanShares = {float(clean_tau_w)!r}")

x3, y3 = rows(3)
W3, b3 = reference_network(3)
inner3_w, inner3, _ = products(W3, b3, x3, y3)
labels3 = [0, 2, 2, 1]
shares3 = np.bincount(labels3, minlength=3) / len(labels3)
denominator3 = sum(shares3[k] * (w0(2 / np.e) + b3.max() - b3[k]) for k in range(3))
print("# 3. c = 3: <W, G_W>, the bound's denominator at poison labels [0, 2, 2, 1], the lower bound on tau_w")
print(f"softmax3WeightsProduct = {inner3_w!r}")
print(f"softmax3Denominator = {float(denominator3)!r}")
print(f"softmax3TauWBound = {float(inner3_w / denominator3)!r}")


# 4. Feasibility on the binary case: free features, labels fixed.
def mixed_ratio(eps, m=len(poison_labels), restarts=6):
    labels = np.array(poison_labels)
    w = W[1] - W[0]
    clean = GW[1]   # the weights' gradient of class 1's row (class 0's is its negative)
    norm = float(clean @ clean)

    def objective(flat):
        X = flat.reshape(m, 4)
        z = X @ w + bias
        r = 1 / (1 + np.exp(-z)) - labels           # p1 - y
        v = clean + eps / m * (r @ X)
        # d/dX_j of (r_j X_j): r_j' X_j w^T + r_j I, r_j' = p1 (1 - p1).
        dr = (1 / (1 + np.exp(-z))) * (1 / (1 + np.exp(z)))
        grad = eps / m * (np.outer(dr * (X @ v), w) + np.outer(r, v))
        return float(v @ v) / norm, 2 * grad.ravel() / norm

    best = np.inf
    for _ in range(restarts):
        start = rng.normal(0, 2, m * 4)
        fit = minimize(objective, start, jac=True, method="L-BFGS-B", bounds=[(-1e3, 1e3)] * (m * 4),
                       options={"ftol": 1e-30, "gtol": 1e-14, "maxiter": 20000})
        best = min(best, fit.fun)
    return best


above = mixed_ratio(1.05 * tau_w)
below = mixed_ratio(0.95 * tau_w)
w_norm2 = float(np.sum(W * W))
floor = ((inner_w - 0.95 * tau_w * denominator) ** 2 / w_norm2) / float(np.sum(GW * GW))
assert above <= 1e-12, above
assert below >= floor * (1 - 1e-9) and floor > 0, (below, floor)
print(f"# 4. L-BFGS-B, free features: ||mixed||^2/||clean||^2 at 1.05 tau_w = {above:.1e}, at 0.95 tau_w = {below:.3e}"
      f" (floor {floor:.3e}); tau_w/tau = {tau_w / tau:.3f}")
