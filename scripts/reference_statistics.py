#!/usr/bin/env python3
"""Reference values for the statistics tests (Tests/PoisoningAnalysisTests/StatisticsTests.swift),
computed once with SciPy. Run `python3 scripts/reference_statistics.py` and compare with the values
recorded in the tests; nothing here is needed to build, run or test the tool.
"""
import numpy as np
from scipy import stats, special

print("# normal quantile")
for p in [1e-10, 0.001, 0.025, 0.2, 0.5, 0.9, 0.975, 0.999999]:
    print(p, repr(stats.norm.ppf(p)))
print("# regularized incomplete beta I_x(a, b)")
for x, a, b in [(0.3, 2.0, 3.0), (0.9, 0.5, 0.5), (0.01, 10.0, 1.5), (0.7, 40.0, 25.0)]:
    print(x, a, b, repr(special.betainc(a, b, x)))
print("# regularized lower gamma P(a, x)")
for a, x in [(0.5, 0.2), (3.0, 2.5), (10.0, 15.0), (4.5, 30.0)]:
    print(a, x, repr(special.gammainc(a, x)))
print("# t cdf and quantile")
for t, df in [(-2.0, 2.0), (1.3, 5.0), (4.3, 2.0), (0.2, 30.0)]:
    print(t, df, repr(stats.t.cdf(t, df)))
for p, df in [(0.975, 2.0), (0.975, 4.0), (0.95, 9.0), (0.025, 17.5)]:
    print(p, df, repr(stats.t.ppf(p, df)))
print("# F upper tail, chi-square upper tail")
for f, d1, d2 in [(2.5, 5.0, 18.0), (0.4, 3.0, 12.0), (11.0, 6.0, 18.0)]:
    print(f, d1, d2, repr(stats.f.sf(f, d1, d2)))
for x, df in [(3.0, 4.0), (25.0, 12.0), (0.5, 1.0)]:
    print(x, df, repr(stats.chi2.sf(x, df)))
print("# Wilson interval (statsmodels' and SciPy's proportion_ci method='wilson')")
for k, n in [(134, 150), (75, 150), (150, 150), (3, 350)]:
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    print(k, n, repr(ci.low), repr(ci.high))
print("# lack-of-fit F test: a line fitted to the means of 3 seeds at 5 points")
x = np.array([0.0, 0.1, 0.2, 0.3, 0.4])
seeds = np.array([[0.90, 0.85, 0.70, 0.52, 0.45], [0.92, 0.83, 0.74, 0.55, 0.41], [0.89, 0.86, 0.69, 0.58, 0.47]])
means, sds = seeds.mean(0), seeds.std(0, ddof=1)
coef = np.polyfit(x, means, 1)
fitted = np.polyval(coef, x)
ss_lof = 3 * ((means - fitted) ** 2).sum()
ss_pe = ((seeds - means) ** 2).sum()
F = (ss_lof / 3) / (ss_pe / 10)
print("means", list(means), "sds", list(sds))
print("F", repr(F), "p", repr(stats.f.sf(F, 3, 10)))
print("# seeds to resolve: smallest n with (t_{.975,n-1} + t_{.8,n-1}) sigma / sqrt(n) <= |d|, and the normal formula")
import math
def seeds_needed(d, sigma, conf=0.95, power=0.8):
    n = 2
    while True:
        t = stats.t.ppf(1 - (1 - conf) / 2, n - 1) + stats.t.ppf(power, n - 1)
        if t * sigma / math.sqrt(n) <= abs(d):
            return n
        n += 1
z = stats.norm.ppf(0.975) + stats.norm.ppf(0.8)
for d, sigma in [(0.03, 0.05), (0.035, 0.022), (0.01, 0.05)]:
    print(d, sigma, seeds_needed(d, sigma), repr((z * sigma / d) ** 2))
print("# DP-SGD privacy: epsilon of the Poisson-subsampled Gaussian mechanism (dp-accounting's RdpAccountant, orders 2..64;")
print("# the default orders, fractional ones included, are in scripts/dp_reference.py)")
try:
    import dp_accounting
    from dp_accounting import rdp as dp_rdp
    for q, sigma, steps, delta in [(0.2, 1.1, 100, 1e-5), (64 / 350, 1.0, 1200, 1e-5), (0.01, 4.0, 10000, 1e-6), (1.0, 2.0, 10, 1e-5)]:
        accountant = dp_rdp.RdpAccountant(orders=list(range(2, 65)))
        accountant.compose(dp_accounting.SelfComposedDpEvent(
            dp_accounting.PoissonSampledDpEvent(q, dp_accounting.GaussianDpEvent(sigma)), steps))
        print(q, sigma, steps, delta, repr(accountant.get_epsilon(delta)))
except ImportError:
    print("pip install dp-accounting to compute these")
print("# confident learning: cleanlab.filter.find_label_issues(filter_by='confident_learning') on fixed probabilities")
try:
    from cleanlab.filter import find_label_issues
    probs = np.array([
        [0.90, 0.05, 0.05], [0.80, 0.10, 0.10], [0.20, 0.70, 0.10], [0.60, 0.30, 0.10], [0.40, 0.40, 0.20],
        [0.10, 0.85, 0.05], [0.05, 0.90, 0.05], [0.70, 0.20, 0.10], [0.30, 0.60, 0.10], [0.10, 0.30, 0.60],
        [0.05, 0.10, 0.85], [0.10, 0.10, 0.80], [0.50, 0.10, 0.40], [0.20, 0.20, 0.60], [0.34, 0.33, 0.33],
        [0.10, 0.45, 0.45],
    ])
    labels = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2])
    mask = find_label_issues(labels, probs, filter_by="confident_learning", n_jobs=1)
    print("probs", probs.tolist())
    print("labels", labels.tolist())
    print("flagged rows", [int(i) for i in np.flatnonzero(mask)])
except ImportError:
    print("pip install cleanlab to compute these")
print("# chi-square quantiles (seed planning: the interval of sigma)")
for p, df in [(0.025, 2.0), (0.975, 2.0), (0.025, 9.0), (0.975, 9.0)]:
    print(p, df, repr(stats.chi2.ppf(p, df)))
print("# exact power of the two-sided paired t test (noncentral t) at the t-based sample size")
for d in [0.2, 0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 3.0]:
    n = 2
    while (stats.t.ppf(0.975, n - 1) + stats.t.ppf(0.8, n - 1)) / np.sqrt(n) > d:
        n += 1
    tc, nc = stats.t.ppf(0.975, n - 1), d * np.sqrt(n)
    print(d, n, repr(1 - stats.nct.cdf(tc, n - 1, nc) + stats.nct.cdf(-tc, n - 1, nc)))
print("# expected evidence ratio of the sigmoid (log10) for an MLP-64-like curve, sigma 0.0354, fractions 0..0.5")
L, k, x0, b, sigma = 0.7802479529000733, 5.170298942034793, 0.17473061460224756, 0.33966373360510665, 0.0354


def aicc(rss, n, p):
    K = p + 1
    return n * np.log(rss / n) + 2 * K + 2 * K * (K + 1) / (n - K - 1)


for m in [9, 13, 17, 21, 31, 41]:
    row = []
    for s in [3, 5, 10, 20]:
        x = np.linspace(0, 0.5, m)
        y = L / (1 + np.exp(k * (x - x0))) + b
        noise = sigma**2 / s
        simpler = min(aicc(np.sum((np.polyval(np.polyfit(x, y, d), x) - y) ** 2) + (m - d - 1) * noise, m, d + 1) for d in [1, 2])
        row.append(round((simpler - aicc((m - 4) * noise, m, 4)) / 2 / np.log(10), 4))
    print(m, row)
