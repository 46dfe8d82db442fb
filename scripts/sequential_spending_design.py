#!/usr/bin/env python3
"""Which looks an adaptive study can take, and what the spending function buys (analysis README,
"Early looks"). Independent of the Swift code; output in scripts/sequential_spending_design.out.

1. What the ray bootstrap can read. A mean's replicate along a ray is T cos(theta) standard errors
   (T the radius, T^2/(T^2 + nu) ~ Beta(nu/2, nu/2), nu = n - 1; theta the angle between the ray and
   the residual vector, uniform on the sphere of the n - 1 contrasts). The ray bootstrap evaluates R
   radii at p = 1 - (1 - u)^2, u = (k + 1/2)/R, R = 16 with at most 3 seeds and 4 with more
   (RayLayout, SeedBootstrap.radiiPerRay), and holds the value constant beyond the last
   (p = 0.99902 with 16 radii, 0.984375 with 4). Its tail beyond the exact t end t_{1-a, n-1} is therefore
   E[1{T_last cos(theta) > x} P(T > x / cos(theta))], below a: the ratio is printed per n and level,
   and the smallest level read within 10% (ratio >= 0.9). Directions are integrated exactly here; the
   bootstrap's finite set of rays adds Monte Carlo error on top (measured in Swift, README).
2. Spending functions: Lan-DeMets O'Brien-Fleming-type as make-report spends it, per side as
   published (gsDesign's sfLDOF at alpha/2 per side: 2 - 2 Phi(z_{1-alpha/4} / sqrt(t)) on each side;
   five equal looks give the published 4.877, 3.357, 2.680, 2.290, 2.031, checked below),
   Hwang-Shih-DeCani (gamma -4, -2, -1, 0), Pocock-type alpha ln(1 + (e - 1) t) and HSD(1) (these
   are linear in alpha, so per side and two-sided agree), two-sided alpha 0.05 for one comparison and
   0.05/4 for each of the reference study's four (the Bonferroni split), planned looks 3, 6, ..., 39,
   40 of 40, looks whose level is below the smallest readable one dropped (the last always taken).
   Boundaries by the recursive integration of Armitage, McPherson & Rowe (trapezoid rule, 2001 points).
   20,000 simulated studies each (numpy default_rng): per-seed paired differences N(delta, 1), each
   look's t statistic against the exact t end at the look's level ("t") or against the ray end of
   part 1 ("ray"); the share resolved and the mean seeds run at delta = 0 (null), 0.6 (3 pp with a
   per-seed sd of 5 pp), 3.1/5.5, 1.0 and 2.07.

  python3 scripts/sequential_spending_design.py > scripts/sequential_spending_design.out
"""
import numpy as np
from scipy import integrate, optimize, stats
from scipy.special import beta as beta_function

GRID = 2001


def radii(n):
    """Radii per ray with n seeds (SeedBootstrap.radiiPerRay)."""
    return 16 if n <= 3 else 4


def p_last(n):
    """The probability below the last radius of a ray with n seeds."""
    r = radii(n)
    return 1 - (1 - (r - 0.5) / r) ** 2


def radius_quantile(p, nu):
    q = stats.beta.ppf(p, nu / 2, nu / 2)
    return np.sqrt(nu * q / (1 - q))


def radius_sf(t, nu):
    return stats.beta.sf(t * t / (t * t + nu), nu / 2, nu / 2)


def ray_tail(x, n):
    """The ray bootstrap's share of a mean's replicates beyond x standard errors (n seeds)."""
    nu = d = n - 1
    last = radius_quantile(p_last(n), nu)
    low = x / last
    if low >= 1:
        return 0.0
    norm = 1 / beta_function(0.5, (d - 1) / 2)
    return integrate.quad(lambda c: norm * (1 - c * c) ** ((d - 3) / 2) * radius_sf(x / c, nu), low, 1, limit=200)[0]


def ray_end(n, a):
    """The ray bootstrap's end of a mean at level a, in standard errors."""
    last = radius_quantile(p_last(n), n - 1)
    return optimize.brentq(lambda x: ray_tail(x, n) - a, 1e-6, last * (1 - 1e-12))


def smallest_level(n, tolerance):
    """The smallest a whose exact t end the ray bootstrap reads with at least tolerance * a beyond it."""
    f = lambda la: ray_tail(stats.t.isf(np.exp(la), n - 1), n) / np.exp(la) - tolerance
    return np.exp(optimize.brentq(f, np.log(1e-7), np.log(0.2)))


def obrien_fleming(t, a):
    """Two-sided error spent by t: twice sfLDOF's per-side 2 - 2 Phi(z_{1-a/4} / sqrt(t)), a at t = 1."""
    return 4 * stats.norm.cdf(stats.norm.ppf(a / 4) / np.sqrt(t))


def obrien_fleming_two_sided(t, a):
    """The earlier convention, 2 - 2 Phi(z_{1-a/2} / sqrt(t)), which spends more at early looks."""
    return 2 * stats.norm.cdf(stats.norm.ppf(a / 2) / np.sqrt(t))


def pocock(t, a):
    return a * np.log(1 + (np.e - 1) * t)


def hwang_shih_decani(gamma):
    def spend(t, a):
        return a * t if gamma == 0 else a * (1 - np.exp(-gamma * t)) / (1 - np.exp(-gamma))
    return spend


def boundaries(fractions, alpha, spend):
    t = np.asarray(fractions, float)
    c = [float(-stats.norm.ppf(spend(t[0], alpha) / 2))]
    edge = c[0] * np.sqrt(t[0])
    grid = np.linspace(-edge, edge, GRID)
    weights = np.full(GRID, grid[1] - grid[0])
    weights[[0, -1]] /= 2
    density = stats.norm.pdf(grid, scale=np.sqrt(t[0]))
    for k in range(1, len(t)):
        spread = np.sqrt(t[k] - t[k - 1])
        target = spend(t[k], alpha) - spend(t[k - 1], alpha)
        mass = weights * density

        def exit_probability(b):
            return float(np.sum(mass * (stats.norm.cdf((-b * np.sqrt(t[k]) - grid) / spread)
                                        + stats.norm.sf((b * np.sqrt(t[k]) - grid) / spread))))

        c.append(float(optimize.brentq(lambda x: exit_probability(x) - target, 0.1, 40, xtol=1e-10)))
        edge = c[-1] * np.sqrt(t[k])
        following = np.linspace(-edge, edge, GRID)
        density = stats.norm.pdf(following[:, None] - grid[None, :], scale=spread) @ mass
        grid = following
        weights = np.full(GRID, grid[1] - grid[0])
        weights[[0, -1]] /= 2
    return c


SMALLEST = {}


def readable(n, tolerance):
    if (n, tolerance) not in SMALLEST:
        SMALLEST[(n, tolerance)] = smallest_level(n, tolerance)
    return SMALLEST[(n, tolerance)]


def looks(spend, tolerance, start=3, step=3, maximum=40, alpha=0.05):
    counts = list(range(start, maximum, step)) + [maximum]
    while True:
        c = boundaries([n / maximum for n in counts], alpha, spend)
        bad = [i for i, (n, b) in enumerate(zip(counts, c)) if stats.norm.sf(b) < readable(n, tolerance) and i < len(counts) - 1]
        if not bad:
            return counts, c
        counts.pop(bad[0])


def simulate(counts, c, effect, studies=20000, ray=True, seed=1):
    rng = np.random.default_rng(seed)
    ends = np.array([ray_end(n, stats.norm.sf(b)) if ray else stats.t.isf(stats.norm.sf(b), n - 1) for n, b in zip(counts, c)])
    x = rng.standard_normal((studies, counts[-1])) + effect
    resolved_at = np.full(studies, -1)
    for k, n in enumerate(counts):
        s = x[:, :n]
        t = s.mean(1) / (s.std(1, ddof=1) / np.sqrt(n))
        resolved_at[(np.abs(t) > ends[k]) & (resolved_at < 0)] = k
    stop = np.where(resolved_at >= 0, np.array(counts)[np.maximum(resolved_at, 0)], counts[-1])
    return (resolved_at >= 0).mean(), stop.mean()


def main():
    published = boundaries([0.2, 0.4, 0.6, 0.8, 1], 0.05, obrien_fleming)
    print("five equal looks, per-side O'Brien-Fleming (published 4.877 3.357 2.680 2.290 2.031):",
          " ".join("%.3f" % b for b in published))
    assert max(abs(b - p) for b, p in zip(published, [4.877, 3.357, 2.680, 2.290, 2.031])) < 1e-3
    print("the earlier two-sided convention's first of five:", "%.3f" % boundaries([0.2, 0.4, 0.6, 0.8, 1], 0.05,
                                                                                 obrien_fleming_two_sided)[0])
    levels = [0.025, 0.01, 0.005, 0.0025, 0.001, 0.0005]
    print("ray tail at the exact t end / level, by seeds n and level a:", levels)
    for n in [3, 4, 5, 6, 9, 12, 15, 18, 21, 24, 27, 30, 40]:
        ratios = [ray_tail(stats.t.isf(a, n - 1), n) / a for a in levels]
        print(n, "radii=%d T_last=%.2f" % (radii(n), radius_quantile(p_last(n), n - 1)), " ".join("%.3f" % r for r in ratios))
    for tolerance in [0.9, 0.95]:
        print("smallest level read within", tolerance, [(n, "%.4g" % readable(n, tolerance)) for n in [3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 33, 36, 39, 40]])
    rules = [("OF", obrien_fleming), ("HSD-4", hwang_shih_decani(-4)), ("HSD-2", hwang_shih_decani(-2)),
             ("HSD-1", hwang_shih_decani(-1)), ("HSD0", hwang_shih_decani(0)), ("Pocock", pocock), ("HSD1", hwang_shih_decani(1))]
    for comparisons in [1, 4]:
        print(f"{comparisons} comparison(s): alpha {0.05 / comparisons:g} each")
        for name, spend in rules:
            report(name, spend, 0.05 / comparisons)


def report(name, spend, alpha):
    """One spending rule's looks, its null rates through the ray end and the t end, and its power."""
    counts, c = looks(spend, 0.9, alpha=alpha)
    null_ray = simulate(counts, c, 0, ray=True)[0]
    null_t = simulate(counts, c, 0, ray=False)[0]
    rows = [simulate(counts, c, effect, seed=seed) for effect, seed in [(0.6, 2), (3.1 / 5.5, 3), (1.0, 4), (2.07, 5)]]
    print(f"{name:7s} looks {list(zip(counts, [round(b, 3) for b in c]))}")
    print(f"        null ray {null_ray:.4f} t {null_t:.4f} | " + " | ".join(
        f"{effect}: {share:.3f} EN {mean:.1f}" for effect, (share, mean) in zip(["0.6", "0.56", "1.0", "2.07"], rows)), flush=True)


if __name__ == "__main__":
    main()
