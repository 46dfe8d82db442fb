#!/usr/bin/env python3
"""Is svm-gradient's test error above that of random flips of the same budget on the same rows?
Paired by seed, from a make-report results.json (by default examples/svm/output/results.json, whose
study pairs each `svm-gradient` attack with its `poisons: random-flips` comparison; issue 23).

For every climbed svm-gradient attack L ("svm-gradient 1→0 (linear)" and the like) whose study also
holds L with "random flips" (its comparison: the victim trains on the same rows), and every budget
above 0: the mean over seeds of the paired difference, climbed minus random flips, of
  - the attacker's SVM's test error (the paper's test error: `svmTestError` minus the climbed
    attack's own `svmRandomFlipTestError`, which is the comparison's `svmTestError`), and
  - each victim model's test error (1 − testAccuracy under L, minus under its comparison),
with the two-sided 95% Student t interval of the mean (t(0.975, seeds − 1) · sd / √seeds) and the
count of seeds where the difference is positive, zero or negative. An interval that excludes 0
says the seeds tell the two apart at that budget; one that contains 0 says they cannot. Each row
also gives the interval Bonferroni-corrected over the budgets (t(1 − 0.025 / budgets, seeds − 1)),
for a claim about every budget at once. A last table per attack gives, per budget, the mean and
uncorrected interval of each error in one line (the layout examples/svm/README.md quotes).

Run `python3 scripts/svm_gradient_paired_seeds.py [results.json]` (NumPy and SciPy); its output for
examples/svm is scripts/svm_gradient_paired_seeds.out. Nothing here is needed to build, run or test
the tool.
"""
import json
import pathlib
import sys
import numpy as np
from scipy import stats

path = sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parent.parent / 'examples/svm/output/results.json'
results = json.load(open(path))
series = results['series']
runs = {(r['series'], r['seed'], r['fraction']): r['metrics'] for r in results['runs'] if r.get('metrics')}
seeds = sorted({r['seed'] for r in results['runs']})
fractions = sorted({r['fraction'] for r in results['runs'] if r['fraction'] > 0})


def comparison_label(label):
    """The label of the random-flip comparison of a climbed attack's label."""
    return label[:-1] + ', random flips)'


def interval(differences, level):
    """The mean of `differences` and the ends of its two-sided t interval at `level`."""
    d = np.array(differences)
    mean, sd = d.mean(), d.std(ddof=1)
    half = stats.t.ppf(1 - (1 - level) / 2, len(d) - 1) * sd / np.sqrt(len(d))
    return mean, mean - half, mean + half


def verdict(lower, upper):
    return 'above' if lower > 0 else 'below' if upper < 0 else 'cannot tell'


def row(name, differences):
    """Prints one row of the detailed table and returns the mean and uncorrected interval."""
    d = np.array(differences)
    mean, lower, upper = interval(d, 0.95)
    _, corrected_lower, corrected_upper = interval(d, 1 - 0.05 / len(fractions))
    print(f'| {name} | {len(d)} | {mean:+.3f} | {lower:+.3f} to {upper:+.3f} | '
          f'{corrected_lower:+.3f} to {corrected_upper:+.3f} | '
          f'{(d > 0).sum()}/{(d == 0).sum()}/{(d < 0).sum()} | {verdict(lower, upper)} | {verdict(corrected_lower, corrected_upper)} |')
    return mean, lower, upper


labels = sorted({s['attackLabel'] for s in series})
for label in labels:
    if 'random flips' in label or comparison_label(label) not in labels:
        continue
    climbed = [i for i, s in enumerate(series) if s['attackLabel'] == label]
    first = climbed[0]
    print(f'## {label} against {comparison_label(label)}, seeds {seeds[0]} to {seeds[-1]}')
    print()
    print(f'| Budget, error | Seeds | Mean difference | 95% interval | Corrected over {len(fractions)} budgets | '
          'Seeds +/0/- | Climbed is | Corrected, climbed is |')
    print('|---|---:|---:|---:|---:|---:|---|---|')
    summary = []
    for fraction in fractions:
        cells = [row(f'{100 * fraction:.1f}%, attacker\'s SVM (the paper\'s test error)',
                     [runs[(first, seed, fraction)]['svmTestError'] - runs[(first, seed, fraction)]['svmRandomFlipTestError'] for seed in seeds])]
        for i in climbed:
            j = next(k for k, s in enumerate(series) if s['attackLabel'] == comparison_label(label) and s['model'] == series[i]['model'])
            cells.append(row(f'{100 * fraction:.1f}%, victim {series[i]["modelLabel"]}',
                             [runs[(j, seed, fraction)]['testAccuracy'] - runs[(i, seed, fraction)]['testAccuracy'] for seed in seeds]))
        summary.append((fraction, cells))
    print()
    print('Mean difference (95% interval, uncorrected), one line per budget:')
    print()
    print('| Budget | Attacker\'s SVM (the paper\'s) | ' + ' | '.join(series[i]['modelLabel'] for i in climbed) + ' |')
    print('|---|' + '---|' * (1 + len(climbed)))
    for fraction, cells in summary:
        print(f'| {100 * fraction:.1f}% | ' + ' | '.join(f'{m:+.3f} ({lo:+.3f} to {hi:+.3f})' for m, lo, hi in cells) + ' |')
    print()
