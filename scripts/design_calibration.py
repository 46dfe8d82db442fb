"""Calibrates the design rule of PoisoningAnalysis (smallestDecisiveDesign) by simulation.

For the reference study's three series (fits and runs from a results.json of the default study):
the pooled seed spread about each fraction's mean, and the seed-demeaned spread (each seed's mean
deviation across fractions removed, the two-way residual: what a seed shares across fractions moves
all its accuracies together and every compared curve has a free constant that absorbs it). Then, with
each fitted sigmoid as the truth and independent normal noise of the seed-demeaned variance / s on
the means, the share of simulated studies whose evidence ratio (sigmoid against the best of line and
quadratic, AICc) reaches 10 at the design the rule names, for the expected-ratio rule with the noise
variance inflated by each candidate margin (the rule uses 2: half the seeds). Usage:
python3 scripts/design_calibration.py output/results.json > scripts/design_calibration.out (the
reference study; its output, committed beside this script, is what the README and CurveDesignTests cite).
"""
import json, sys
import numpy as np
from scipy.optimize import curve_fit

FRACTIONS = [9, 13, 17, 21, 31, 41]
SEEDS = [3, 5, 10, 20]

def sigmoid(x, L, k, x0, b):
    return L / (1 + np.exp(k * (x - x0))) + b

def aicc(rss, n, p):
    k = p + 1
    return n * np.log(max(rss, 1e-300) / n) + 2 * k + 2 * k * (k + 1) / (n - k - 1)

def ratio(x, y, start):
    n = len(x)
    simpler = []
    for deg in (1, 2):
        c = np.polyfit(x, y, deg)
        simpler.append(aicc(float(np.sum((np.polyval(c, x) - y) ** 2)), n, deg + 1))
    try:
        p, _ = curve_fit(sigmoid, x, y, p0=start, maxfev=4000)
        rss = float(np.sum((sigmoid(x, *p) - y) ** 2))
    except RuntimeError:
        return None
    return np.exp((min(simpler) - aicc(rss, n, 4)) / 2)

def expected(truth, x, variance, s):
    m = len(x); y = sigmoid(x, *truth); noise = variance / s
    simpler = []
    for deg in (1, 2):
        c = np.polyfit(x, y, deg)
        simpler.append(aicc(float(np.sum((np.polyval(c, x) - y) ** 2)) + (m - deg - 1) * noise, m, deg + 1))
    return np.exp((min(simpler) - aicc((m - 4) * noise, m, 4)) / 2)

def design(truth, variance, margin):
    menu = sorted(((m, s) for m in FRACTIONS for s in SEEDS), key=lambda d: (d[0] * d[1], d[1]))
    for m, s in menu:
        x = np.linspace(0, 0.5, m)
        if expected(truth, x, variance * margin, s) >= 10:
            return m, s, expected(truth, x, variance, s)
    return None

def share(truth, variance, m, s, studies, rng):
    x = np.linspace(0, 0.5, m); decided = 0
    for _ in range(studies):
        y = sigmoid(x, *truth) + rng.normal(0, np.sqrt(variance / s), m)
        r = ratio(x, y, truth)
        decided += r is not None and r >= 10
    return decided / studies

def main(path):
    r = json.load(open(path))
    resolution = 1 / 150
    rng = np.random.default_rng(20261202)
    for index, series in enumerate(r["series"]):
        truth = next(c for c in r["statistics"]["series"][index]["curves"] if c["model"] == "sigmoid")["parameters"]
        runs = [u for u in r["runs"] if u["series"] == index]
        fr = sorted({u["fraction"] for u in runs}); seeds = sorted({u["seed"] for u in runs})
        a = np.array([[next(u["metrics"]["testAccuracy"] for u in runs if u["fraction"] == f and u["seed"] == s) for s in seeds] for f in fr])
        m, s = a.shape
        pooled = np.sum((a - a.mean(1, keepdims=True)) ** 2) / (m * (s - 1))
        resid = a - a.mean(1, keepdims=True) - a.mean(0, keepdims=True) + a.mean()
        demeaned = max(np.sum(resid ** 2) / ((m - 1) * (s - 1)), resolution ** 2)
        shift = a.mean(0) - a.mean()
        print(f"{series['label']}: k = {truth[1]:.2f}; pooled sigma {np.sqrt(pooled):.4f}, seed-demeaned {np.sqrt(demeaned):.4f}, "
              f"seed shift sd {np.std(shift, ddof=1):.4f}")
        for margin in (1, 2, 3, 4):
            d = design(truth, demeaned, margin)
            if d is None:
                print(f"  margin {margin}: none on the menu"); continue
            dm, ds, er = d
            print(f"  margin {margin}: {dm} x {ds}, expected ER {er:.1f}, decided {share(truth, demeaned, dm, ds, 400, rng):.3f} of 400")

if __name__ == "__main__":
    main(sys.argv[1])
