#!/usr/bin/env python3
"""Reference values for the Swift tests, computed once with NumPy and SciPy.

Run `python3 scripts/reference_values.py` and copy the printed values into the tests named in each
section. Nothing here is needed to build, run or test the tool; it documents where every recorded
number in the tests comes from.

Sections:
  1. NumPy legacy RandomState (MT19937, randn, permutation)      -> NumPyRandomStateTests
  2. The reference study's data set and split                      -> GaussianClustersTests
  3. An independent float64 NumPy re-implementation of one short
     training run (the project's own RNG streams, poisoning, init,
     shuffling and SGD, written from the formulas)                 -> TrainingTests
  4. SciPy's bounded curve_fit (trust-region reflective) on fixed
     accuracy curves, with the study's bounds and start point      -> SigmoidFitTests
"""
import json
import sys

import numpy as np
from scipy.optimize import curve_fit

MASK64 = (1 << 64) - 1


# ---------------------------------------------------------------- 1. NumPy legacy RandomState
def section_numpy_random():
    rs = np.random.RandomState(5489)
    mt_5489 = [int(v) for v in rs._bit_generator.random_raw(5)]
    rs = np.random.RandomState(42)
    mt_42 = [int(v) for v in rs._bit_generator.random_raw(3)]
    rs = np.random.RandomState(42)
    samples = [float(v) for v in rs.random_sample(3)]
    rs = np.random.RandomState(42)
    normals = [float(v) for v in rs.randn(7)]
    rs = np.random.RandomState(42)
    perm10 = [int(v) for v in rs.permutation(10)]
    rs = np.random.RandomState(7)
    perm1000 = rs.permutation(1000)
    return {
        "mt19937_seed5489_raw": mt_5489,
        "mt19937_seed42_raw": mt_42,
        "random_sample_seed42": [repr(v) for v in samples],
        "randn_seed42": [repr(v) for v in normals],
        "permutation10_seed42": perm10,
        "permutation1000_seed7_first10": [int(v) for v in perm1000[:10]],
        "permutation1000_seed7_weighted_sum": int(np.sum(perm1000 * np.arange(1000))),
    }


# ---------------------------------------------------------------- 2. the study's data set
def study_data(n_samples=500, n_features=10, n_classes=5, cluster_std=2.0, center_scale=2.0, seed=42,
               train_fraction=0.7):
    rs = np.random.RandomState(seed)
    centers = rs.randn(n_classes, n_features) * center_scale
    blocks, labels = [], []
    for c in range(n_classes):
        size = n_samples // n_classes + (1 if c < n_samples % n_classes else 0)
        blocks.append(rs.randn(size, n_features) * cluster_std + centers[c])
        labels.append(np.full(size, c))
    X = np.vstack(blocks)
    y = np.concatenate(labels)
    perm = rs.permutation(n_samples)
    X, y = X[perm], y[perm]
    split = np.random.RandomState(seed).permutation(n_samples)
    n_train = int(round(train_fraction * n_samples))
    tr, te = split[:n_train], split[n_train:]
    return X.astype(np.float32), y, tr, te


def section_data():
    X, y, tr, te = study_data()
    X7, y7, tr7, te7 = study_data(n_samples=103, n_features=3, n_classes=4, cluster_std=1.5, center_scale=3.0,
                                  seed=7, train_fraction=0.6)
    return {
        "X_row0": [repr(float(v)) for v in X[0]],
        "X_row499": [repr(float(v)) for v in X[499]],
        "y_first20": [int(v) for v in y[:20]],
        "X_sum_float64_of_float32": repr(float(X.astype(np.float64).sum())),
        "train_first10": [int(v) for v in tr[:10]],
        "train_label_counts": [int(v) for v in np.bincount(y[tr], minlength=5)],
        "test_label_counts": [int(v) for v in np.bincount(y[te], minlength=5)],
        "small_case_label_counts": [int(v) for v in np.bincount(y7, minlength=4)],
        "small_case_X_sum": repr(float(X7.astype(np.float64).sum())),
        "small_case_train_count": int(len(tr7)),
    }


# ---------------------------------------------------------------- 3. one training run, independently
def fnv1a64(text):
    h = 0xCBF29CE484222325
    for b in text.encode():
        h = ((h ^ b) * 0x100000001B3) & MASK64
    return h


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK64

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return z ^ (z >> 31)


class Xoshiro:
    def __init__(self, seed, purpose):
        mix = SplitMix64(seed ^ fnv1a64(purpose))
        self.s = [mix.next() for _ in range(4)]

    def next(self):
        s = self.s
        rotl = lambda x, k: ((x << k) | (x >> (64 - k))) & MASK64
        result = (rotl((s[1] * 5) & MASK64, 7) * 9) & MASK64
        t = (s[1] << 17) & MASK64
        s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def next_int(self, bound):  # Lemire's multiply-and-reject
        m = self.next() * bound
        if (m & MASK64) < bound:
            threshold = ((1 << 64) - bound) % bound
            while (m & MASK64) < threshold:
                m = self.next() * bound
        return m >> 64

    def next_unit_float(self):
        return np.float32(self.next() >> 40) * np.float32(2.0 ** -24)


def poison(labels, n_classes, fraction, seed):
    count = int(round(fraction * len(labels)))  # Python rounds halves to even
    rows, new_labels = Xoshiro(seed, "poison-samples"), Xoshiro(seed, "poison-labels")
    candidates = list(range(len(labels)))
    out = labels.copy()
    for pick in range(count):
        j = pick + rows.next_int(len(labels) - pick)
        candidates[pick], candidates[j] = candidates[j], candidates[pick]
        out[candidates[pick]] = (labels[candidates[pick]] + 1 + new_labels.next_int(n_classes - 1)) % n_classes
    return out, candidates[:count]


def train_reference(X, y, n_classes, hidden, epochs, batch, lr, seed):
    n, d = X.shape
    c = n_classes
    init = Xoshiro(seed, "init")
    def uniform(count, fan_in):
        bound = np.float32(1) / np.sqrt(np.float32(fan_in))
        return np.array([bound * (np.float32(2) * init.next_unit_float() - np.float32(1)) for _ in range(count)],
                        dtype=np.float32)
    W1 = uniform(hidden * d, d).reshape(hidden, d).astype(np.float64)
    b1 = uniform(hidden, d).astype(np.float64)
    W2 = uniform(c * hidden, hidden).reshape(c, hidden).astype(np.float64)
    b2 = uniform(c, hidden).astype(np.float64)
    first_weights = [repr(float(v)) for v in W1.ravel()[:3]]
    shuffle = Xoshiro(seed, "shuffle")
    order = list(range(n))
    Xd = X.astype(np.float64)
    losses = []
    for _ in range(epochs):
        for i in range(n - 1, 0, -1):
            j = shuffle.next_int(i + 1)
            order[i], order[j] = order[j], order[i]
        total = 0.0
        for start in range(0, n, batch):
            idx = order[start:start + batch]
            xb, yb = Xd[idx], y[idx]
            rows = len(idx)
            h = np.maximum(xb @ W1.T + b1, 0.0)
            z = h @ W2.T + b2
            m = z.max(axis=1, keepdims=True)
            e = np.exp(z - m)
            s = e.sum(axis=1, keepdims=True)
            total += float(np.sum(np.log(s[:, 0]) + m[:, 0] - z[np.arange(rows), yb]))
            dz = e / s
            dz[np.arange(rows), yb] -= 1.0
            dz /= rows
            gW2, gb2 = dz.T @ h, dz.sum(axis=0)
            da = (dz @ W2) * (h > 0)
            gW1, gb1 = da.T @ xb, da.sum(axis=0)
            W1 -= lr * gW1; b1 -= lr * gb1; W2 -= lr * gW2; b2 -= lr * gb2
        losses.append(total / n)
    return first_weights, losses


def section_training():
    X, y, tr, te = study_data()
    Xtr, ytr = X[tr], y[tr]
    poisoned, picked = poison(ytr, 5, 0.15, 42)
    first_weights, losses = train_reference(Xtr, poisoned, 5, hidden=8, epochs=5, batch=64, lr=0.05, seed=42)
    return {
        "xoshiro_seed42_purpose_init_first3": [stream.next() for stream in [Xoshiro(42, "init")] for _ in range(3)],
        "poisoned_count": len(picked),
        "poisoned_first8": picked[:8],
        "poisoned_labels_first8": [int(poisoned[i]) for i in picked[:8]],
        "init_W1_first3": first_weights,
        "epoch_losses": [repr(v) for v in losses],
    }


# ---------------------------------------------------------------- 4. SciPy's bounded sigmoid fit
def sigmoid(x, L, k, x0, b):
    return L / (1 + np.exp(k * (x - x0))) + b


FRACTIONS = np.array([0, 0.01, 0.05, 0.10, 0.15, 0.20, 0.30, 0.40, 0.50])
CURVES = {
    # A transition inside the range with fixed noise.
    "noisy_transition": [0.905, 0.899, 0.893, 0.861, 0.822, 0.771, 0.640, 0.498, 0.391],
    # A gentle, nearly linear decline.
    "gentle_decline": [0.910, 0.905, 0.896, 0.880, 0.872, 0.860, 0.838, 0.815, 0.792],
    # A sharp drop.
    "sharp_drop": [0.902, 0.904, 0.899, 0.897, 0.880, 0.610, 0.290, 0.240, 0.215],
    # The mean test accuracy of width 128 in this tool's default study (first committed run): 3 seeds.
    "study_width128": [0.9, 0.9044444444444445, 0.84, 0.7933333333333333, 0.7333333333333334, 0.6955555555555555,
                       0.58, 0.49111111111111105, 0.43111111111111117],
    # Pure noise around a constant.
    "noise_only": [0.840, 0.852, 0.837, 0.849, 0.843, 0.838, 0.851, 0.845, 0.842],
}


def section_fits():
    out = {}
    for name, values in CURVES.items():
        y = np.array(values)
        p0 = [y.max() - y.min(), 10.0, 0.2, y.min()]
        popt, _ = curve_fit(sigmoid, FRACTIONS, y, p0=p0, bounds=([0, 0.1, 0, 0], [1.5, 100, 1, 1]), maxfev=10000)
        rss = float(np.sum((sigmoid(FRACTIONS, *popt) - y) ** 2))
        out[name] = {"params": [repr(float(v)) for v in popt], "rss": repr(rss)}
    return out


if __name__ == "__main__":
    sections = {
        "numpy_random": section_numpy_random,
        "data": section_data,
        "training": section_training,
        "fits": section_fits,
    }
    wanted = sys.argv[1:] or list(sections)
    print(json.dumps({name: sections[name]() for name in wanted}, indent=1))
