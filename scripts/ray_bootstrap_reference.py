#!/usr/bin/env python3
"""Reference interval ends for the ray bootstrap (Tests/PoisoningAnalysisTests/RayBootstrapAccuracyTests.swift).

The reference study's runs (Tests/PoisoningEngineTests/Fixtures/reference-runs-0.1.0.json, which the engine
reproduces bit for bit) are analysed with the same seed-level multiplier bootstrap as make-report
(Sources/PoisoningAnalysis/Statistics/SeedBootstrap.swift), written here independently and drawn by plain
Monte Carlo: replicate r moves the mean accuracy at fraction i by sum_s v_rs R_si / sqrt(n (n - 1)), with
R_si the seeds' residuals and v_r = sqrt(nu / g_r) w_r, w_r ~ N(0, I_n), g_r ~ chi2_nu, nu = n - 1 (spreads
below one test row raised to it). Every replicate is refitted with the model and the box of SigmoidFit.swift,
acc(x) = L / (1 + exp(k (x - x0))) + b, L in [0, 1.5], k in [0.1, 100], x0 in [0, 1], b in [0, 1], started at
the central fit (itself fitted here with SciPy's least_squares from make-report's start point), by a bounded
Levenberg-Marquardt vectorised over the replicates in NumPy (`fit_all`); on CHECKED (300) replicates per series
SciPy's least_squares (method "trf") is run from the same start and the largest differences are recorded as
scipyAgreement: thresholds agree to 1e-6; on one extreme MLP 64 replicate of the 900 SciPy stopped at a lower sum
of squares (by 1.5) with the same threshold. The quantities and their interval conventions follow SeriesStatistics.swift and
StudyStatistics.swift: per series L, k, x0, b, the critical threshold (where the refitted curve reaches
(clean + chance) / 2, clean being the replicate's mean at the smallest fraction; +inf beyond the largest
swept fraction, -inf before the smallest), the band (the refitted curve on 41 fractions), the paired
threshold differences (a censored threshold standing for the range it allows) and the trend (least-squares
slope of the threshold on log2 of the parameter count, a censored threshold's term bounded on one side). Each interval end is the type-7 percentile at 2.5%
and 97.5%; its Monte Carlo error is the standard deviation of the ends of 20 equal batches over sqrt(20).
An end where more than alpha/2 of the replicates lie beyond every value is open (recorded as null, with
the share and its error).

Run: python3 scripts/ray_bootstrap_reference.py [replicates] > /dev/null

Lower-tail check (issue 21 review: a SciPy multiplier bootstrap put the threshold lower ends at 33.8/26.4/24.7%
where make-report gives 33.2/24.7/22.9%): python3 scripts/ray_bootstrap_reference.py --curve-fit-tail [replicates]
refits every replicate (default 4,000) with scipy.optimize.curve_fit (bounded, trf) from the central fit and from
curve_fit's own default start p0 = (1, 1, 1, 1), compares each with fit_all replicate by replicate in the lower tail
(the replicates at or below fit_all's 5% quantile of the threshold), and prints each series' lower end under the
three fits; it writes nothing. scripts/ray_bootstrap_curve_fit_tail.out records a run of 1,000 replicates: in every
series' lower tail (50 replicates each) curve_fit from either start gives fit_all's threshold within 0.01 pp, never at a
lower sum of squares, and the same lower end (one MLP 64 curve_fit failed to converge, outside the tail). So the
optimiser does not explain the reviewer's higher lower ends; the multiplier distribution is the next suspect.
It writes Tests/PoisoningAnalysisTests/Fixtures/ray-bootstrap-reference.json (and prints a summary);
nothing here is needed to build, run or test the tool. 100,000 replicates take some minutes per core.
"""
import json
import math
import os
import sys
import numpy as np
from scipy.optimize import least_squares

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
RUNS = os.path.join(ROOT, "Tests/PoisoningEngineTests/Fixtures/reference-runs-0.1.0.json")
OUT = os.path.join(ROOT, "Tests/PoisoningAnalysisTests/Fixtures/ray-bootstrap-reference.json")

FRACTIONS = [0, 0.01, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5]
SEEDS = [42, 123, 7]
WIDTHS = [32, 64, 128]
FEATURES, CLASSES, TEST_ROWS = 10, 5, 150
CHANCE = 1 / CLASSES
CONFIDENCE = 0.95
BATCHES = 20
LOWER = np.array([0, 0.1, 0, 0])
UPPER = np.array([1.5, 100, 1, 1])
GRID = [FRACTIONS[0] + (FRACTIONS[-1] - FRACTIONS[0]) * g / 40 for g in range(41)]
X = np.array(FRACTIONS)


def curve(p, x):
    return p[0] / (1 + np.exp(p[1] * (x - p[2]))) + p[3]


def jacobian(p, x, y):
    s = 1 / (1 + np.exp(p[1] * (x - p[2])))
    slope = p[0] * s * (1 - s)
    return np.stack([s, -slope * (x - p[2]), slope * p[1], np.ones_like(x)], axis=1)


def fit(y, start):
    result = least_squares(lambda p: curve(p, X) - y, np.clip(start, LOWER, UPPER), jac=lambda p: jacobian(p, X, y),
                           bounds=(LOWER, UPPER), method="trf", xtol=1e-12, ftol=1e-12, gtol=1e-12, max_nfev=2000)
    return result.x


def threshold(p, target):
    """The censored threshold of SeriesFit/Threshold.swift."""
    L, k, x0, b = p
    if target <= b:
        return math.inf
    if target >= L + b:
        return -math.inf
    x = x0 + math.log(L / (target - b) - 1) / k
    return math.inf if x > FRACTIONS[-1] else -math.inf if x < FRACTIONS[0] else x


def seed_table():
    runs = json.load(open(RUNS))["runs"]
    table = np.zeros((len(WIDTHS), len(FRACTIONS), len(SEEDS)))
    for run in runs:
        table[WIDTHS.index(run["width"]), FRACTIONS.index(run["fraction"]), SEEDS.index(run["seed"])] = \
            run["metrics"]["testAccuracy"]
    return table


def coefficients(values):
    """Per seed, the weight of v_s in a replicate mean (residual / sqrt(n (n - 1)), spread raised to one row)."""
    n = len(values)
    mean = values.mean()
    spread = values.std(ddof=1)
    norm = math.sqrt(n * (n - 1))
    c = (values - mean) / norm
    resolution = 1 / TEST_ROWS
    if spread < 1e-9 * resolution:
        d = resolution * math.sqrt((n - 1) / 2) / norm
        c = np.zeros(n)
        c[0], c[1] = d, -d
    elif spread < resolution:
        c = c * resolution / spread
    return mean, c


def fit_all(y, start, iterations=3000):
    """Bounded Levenberg-Marquardt on every row of y at once (numpy, vectorised): a parameter at a bound whose
    descent leaves the box stays fixed for the step, steps are clipped into the box, a step is kept when it
    lowers the sum of squares (damping / 3), else the damping rises (x 4); a row stops when its relative
    improvement falls below 1e-15, its damping passes 1e16, or no free parameter descends. Its optima are
    checked against SciPy's least_squares on a subsample (`scipy_agreement`)."""
    rows = y.shape[0]
    theta = np.tile(np.clip(start, LOWER, UPPER), (rows, 1))
    damping = np.full(rows, 1e-3)
    active = np.ones(rows, bool)

    def cost_of(t, idx):
        return ((curve_rows(t) - y[idx]) ** 2).sum(axis=1)

    cost = cost_of(theta, np.arange(rows))
    for _ in range(iterations):
        idx = np.flatnonzero(active)
        if len(idx) == 0:
            break
        t = theta[idx]
        s = 1 / (1 + np.exp(t[:, 1:2] * (X[None, :] - t[:, 2:3])))
        slope = t[:, 0:1] * s * (1 - s)
        J = np.stack([s, -slope * (X[None, :] - t[:, 2:3]), slope * t[:, 1:2], np.ones_like(s)], axis=2)
        r = t[:, 0:1] * s + t[:, 3:4] - y[idx]
        g = np.einsum("nij,ni->nj", J, r)
        A = np.einsum("nij,nik->njk", J, J)
        fixed = ((t <= LOWER) & (g > 0)) | ((t >= UPPER) & (g < 0))
        descends = np.any(~fixed & (g != 0), axis=1)
        diag = np.maximum(np.einsum("njj->nj", A), 1e-12)
        M = A + damping[idx, None, None] * np.einsum("nj,jk->njk", diag, np.eye(4))
        rhs = -g.copy()
        # Fixed parameters: identity rows and columns, no step.
        M[fixed[:, :, None] | fixed[:, None, :]] = 0
        M[:, range(4), range(4)] = np.where(fixed, 1, M[:, range(4), range(4)])
        rhs[fixed] = 0
        solvable = np.abs(np.linalg.det(M)) > 0
        step = np.zeros_like(t)
        step[solvable] = np.linalg.solve(M[solvable], rhs[solvable][:, :, None])[:, :, 0]
        candidate = np.clip(t + step, LOWER, UPPER)
        candidate_cost = cost_of(candidate, idx)
        better = solvable & (candidate_cost < cost[idx]) & descends
        improvement = (cost[idx] - candidate_cost) / np.maximum(cost[idx], np.finfo(float).tiny)
        keep = idx[better]
        theta[keep] = candidate[better]
        cost[keep] = candidate_cost[better]
        damping[keep] = np.maximum(damping[keep] / 3, 1e-12)
        damping[idx[~better]] *= 4
        done = ~descends | (better & (improvement < 1e-15)) | (damping[idx] >= 1e16)
        active[idx[done]] = False
    return theta, cost


def curve_rows(t):
    return t[:, 0:1] / (1 + np.exp(t[:, 1:2] * (X[None, :] - t[:, 2:3]))) + t[:, 3:4]


def refit(means, start):
    """Per replicate L, k, x0, b, the threshold and the band (means[replicate][fraction])."""
    theta, _ = fit_all(means, start)
    out = np.empty((means.shape[0], 5 + len(GRID)))
    out[:, :4] = theta
    out[:, 4] = [threshold(p, (m[0] + CHANCE) / 2) for p, m in zip(theta, means)]
    grid = np.array(GRID)
    out[:, 5:] = theta[:, 0:1] / (1 + np.exp(theta[:, 1:2] * (grid[None, :] - theta[:, 2:3]))) + theta[:, 3:4]
    return out


def scipy_agreement(means, start, refitted, count):
    """The largest difference, over `count` replicates, between the vectorised fit's threshold and sum of squares and
    those of SciPy's least_squares from the same start."""
    worst_threshold, worst_cost = 0.0, 0.0
    for r in range(count):
        p = fit(means[r], start)
        t = threshold(p, (means[r, 0] + CHANCE) / 2)
        ours = refitted[r, 4]
        if math.isfinite(t) or math.isfinite(ours):
            worst_threshold = max(worst_threshold, abs(t - ours) if math.isfinite(t) and math.isfinite(ours) else math.inf)
        cost = ((curve(p, X) - means[r]) ** 2).sum()
        ours_cost = ((curve(refitted[r, :4], X) - means[r]) ** 2).sum()
        worst_cost = max(worst_cost, ours_cost - cost)
    return worst_threshold, worst_cost


def percentile_end(values, lower):
    """The type-7 percentile end (NaN left out; None when more than alpha/2 undefined), +-inf kept."""
    half = (1 - CONFIDENCE) / 2
    defined = values[~np.isnan(values)]
    if len(values) - len(defined) > half * len(values):
        return None
    with np.errstate(invalid="ignore"):
        return float(np.quantile(defined, half if lower else 1 - half, method="linear"))


def end_record(values, lower):
    """The end over all replicates with its batch error; the share beyond every value at that end."""
    censored = -math.inf if lower else math.inf
    batches = np.array_split(values, BATCHES)
    shares = np.array([np.mean(b[~np.isnan(b)] == censored) for b in batches])
    record = {"share": float(np.mean(values[~np.isnan(values)] == censored)),
              "shareError": float(shares.std(ddof=1) / math.sqrt(BATCHES))}
    value = percentile_end(values, lower)
    if value is None or not math.isfinite(value):
        record["value"] = None
        return record
    ends = [percentile_end(b, lower) for b in batches]
    ends = [e if e is not None and math.isfinite(e) else value for e in ends]
    record["value"] = value
    record["error"] = float(np.std(ends, ddof=1) / math.sqrt(BATCHES))
    return record


def possible(values):
    """The (low, high) a censored threshold allows: beyond the largest fraction from it up, before the smallest down."""
    low = np.where(values == math.inf, FRACTIONS[-1], values)
    high = np.where(values == -math.inf, FRACTIONS[0], values)
    return low, high


def main():
    replicates = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    table = seed_table()
    n = len(SEEDS)
    nu = n - 1
    random = np.random.default_rng(20261202)
    w = random.standard_normal((replicates, n))
    g = random.chisquare(nu, replicates)
    v = np.sqrt(nu / g)[:, None] * w
    means = np.empty((len(WIDTHS), replicates, len(FRACTIONS)))
    starts = []
    for s in range(len(WIDTHS)):
        for i in range(len(FRACTIONS)):
            mean, c = coefficients(table[s, i])
            means[s, :, i] = mean + v @ c
        starts.append(fit(table[s].mean(axis=1), [np.ptp(table[s].mean(axis=1)), 10, 0.2, table[s].mean(axis=1).min()]))
    refitted = np.stack([refit(means[s], starts[s]) for s in range(len(WIDTHS))])   # [series][replicate][quantity]
    agreement = [scipy_agreement(means[s], starts[s], refitted[s], int(os.environ.get("CHECKED", "300")))
                 for s in range(len(WIDTHS))]
    ends = {}
    names = [f"MLP {w}" for w in WIDTHS]

    def add(name, lows, highs=None):
        highs = lows if highs is None else highs
        ends[name + " lower"] = end_record(lows, True)
        ends[name + " upper"] = end_record(highs, False)

    for s, name in enumerate(names):
        add(f"{name} threshold", refitted[s, :, 4])
        add(f"{name} L", refitted[s, :, 0])
        add(f"{name} log k", np.log(refitted[s, :, 1]) / math.log(1.03) * 0.005)
        add(f"{name} x0", refitted[s, :, 2])
        add(f"{name} b", refitted[s, :, 3])
        for g, fraction in enumerate(GRID):
            add(f"{name} band {g}", np.clip(refitted[s, :, 5 + g], 0, 1))
    for base in range(len(WIDTHS)):
        for other in range(base + 1, len(WIDTHS)):
            low_o, high_o = possible(refitted[other, :, 4])
            low_b, high_b = possible(refitted[base, :, 4])
            low, high = low_o - high_b, high_o - low_b
            neither = (low == -math.inf) & (high == math.inf)
            low[neither], high[neither] = math.nan, math.nan
            add(f"threshold {names[other]} - {names[base]}", low, high)
    sizes = np.log2([(FEATURES + 1) * w + (w + 1) * CLASSES for w in WIDTHS])
    thresholds = refitted[:, :, 4].T
    centred = sizes - sizes.mean()
    weights = centred / (centred @ centred)
    slopes = (thresholds - thresholds.mean(axis=1, keepdims=True)) @ centred / (centred @ centred)
    # A censored threshold bounds its term w_i y_i on one side only: the replicate allows a range of
    # slopes (both sides unbounded: no sign, undefined), as for the threshold differences.
    low_t, high_t = possible(thresholds)
    with np.errstate(invalid="ignore"):
        lows = np.where(weights > 0, weights * low_t, weights * high_t).sum(axis=1)
        highs = np.where(weights > 0, weights * high_t, weights * low_t).sum(axis=1)
    finite = np.all(np.isfinite(thresholds), axis=1)
    lows[finite], highs[finite] = slopes[finite], slopes[finite]
    neither = (lows == -math.inf) & (highs == math.inf)
    lows[neither], highs[neither] = math.nan, math.nan
    add("trend 0/0", lows, highs)
    json.dump({"source": "scripts/ray_bootstrap_reference.py", "replicates": replicates, "batches": BATCHES,
               "centralFits": [list(map(float, p)) for p in starts],
               "scipyAgreement": [{"threshold": a, "sumOfSquaresExcess": b} for a, b in agreement], "ends": ends},
              open(OUT, "w"), indent=1, sort_keys=True)
    for name in sorted(ends):
        if "band" not in name:
            print(name, ends[name])


def curve_fit_tail(replicates):
    """fit_all against scipy.optimize.curve_fit on the same replicates, replicate by replicate in the lower tail."""
    from scipy.optimize import curve_fit
    table = seed_table()
    n = len(SEEDS)
    nu = n - 1
    random = np.random.default_rng(20261202)
    w = random.standard_normal((replicates, n))
    g = random.chisquare(nu, replicates)
    v = np.sqrt(nu / g)[:, None] * w
    half = (1 - CONFIDENCE) / 2

    def model(x, L, k, x0, b):
        return L / (1 + np.exp(k * (x - x0))) + b

    def by_curve_fit(y, p0):
        try:
            p, _ = curve_fit(model, X, y, p0=np.clip(p0, LOWER, UPPER), bounds=(LOWER, UPPER), method="trf", maxfev=20000)
        except RuntimeError:
            return None
        return p

    def lower_end(values):
        finite = np.where(np.isnan(values), np.inf, values)
        return float(np.quantile(finite, half, method="linear"))

    for s, width in enumerate(WIDTHS):
        means = np.empty((replicates, len(FRACTIONS)))
        for i in range(len(FRACTIONS)):
            mean, c = coefficients(table[s, i])
            means[:, i] = mean + v @ c
        centre = table[s].mean(axis=1)
        start = fit(centre, [np.ptp(centre), 10, 0.2, centre.min()])
        theta, cost = fit_all(means, start)
        ours = np.array([threshold(p, (m[0] + CHANCE) / 2) for p, m in zip(theta, means)])
        variants = {}
        for label, p0 in [("curve_fit from the central fit", start), ("curve_fit from p0 = (1, 1, 1, 1)", np.ones(4))]:
            fits = [by_curve_fit(means[r], p0) for r in range(replicates)]
            thresholds = np.array([math.nan if p is None else threshold(p, (means[r, 0] + CHANCE) / 2) for r, p in enumerate(fits)])
            costs = np.array([math.nan if p is None else ((curve(p, X) - means[r]) ** 2).sum() for r, p in enumerate(fits)])
            variants[label] = (thresholds, costs, sum(p is None for p in fits))
        tail = np.flatnonzero(ours <= np.quantile(ours, 0.05, method="linear"))
        print(f"MLP {width}: {replicates} replicates, lower tail {len(tail)} replicates (fit_all threshold at or below its 5% quantile)")
        print(f"  lower end (2.5% quantile): fit_all {lower_end(ours) * 100:.2f}%")
        for label, (thresholds, costs, failed) in variants.items():
            moved = [r for r in tail if not (abs(thresholds[r] - ours[r]) <= 1e-4 or (np.isinf(ours[r]) and thresholds[r] == ours[r]))]
            lower_cost = [r for r in moved if costs[r] < cost[r] - 1e-12]
            print(f"  {label}: lower end {lower_end(thresholds) * 100:.2f}%; {failed} fits failed; in the tail {len(moved)} "
                  f"thresholds differ by more than 0.01 pp, {len(lower_cost)} of them at a lower sum of squares than fit_all's")
            for r in moved[:5]:
                print(f"    replicate {r}: fit_all {ours[r] * 100:.2f}% (SS {cost[r]:.3g}), {thresholds[r] * 100:.2f}% (SS {costs[r]:.3g})")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--curve-fit-tail":
        curve_fit_tail(int(sys.argv[2]) if len(sys.argv) > 2 else 4000)
    else:
        main()
