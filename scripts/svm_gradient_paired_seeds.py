#!/usr/bin/env python3
"""Is svm-gradient's test error above that of random flips of the same budget on the same rows, and
above that of the unclimbed clones its poisons start from? Paired by seed, from a make-report
results.json (by default examples/svm/output/results.json, whose study pairs each `svm-gradient`
attack with its `poisons: random-flips` comparison and its `poisons: clones` control; issue 23).

For every climbed svm-gradient attack L ("svm-gradient class 1 → class 0 (linear)" and the like)
whose study also holds L with "random flips" (its comparison: the victim trains on the same rows),
or L with "unclimbed clones" (the control of its climb, on the same rows), or L climbed "one at a
time" (the paper's order; `order: together` is L's), and every budget above 0: the mean over seeds
of the paired difference, L minus the other (and, when the study holds them, the clones minus
random flips, and one at a time minus the clones), of
  - the attacker's SVM's test error (the paper's test error: each attack's own `svmTestError`),
  - each victim model's test error (1 − testAccuracy under the first, minus under the other), and
  - the attacker's SVM's validation error (each attack's own `svmValidationError`: the rows the
    poisons climb against, so a gain there that does not show in the test error does not carry
    over to unseen rows),
with the two-sided 95% Student t interval of the mean (t(0.975, seeds − 1) · sd / √seeds) and the
count of seeds where the difference is positive, zero or negative. An interval that excludes 0
says the seeds tell the two apart at that budget; one that contains 0 says they cannot. Each row
also gives the interval Bonferroni-corrected over the budgets (t(1 − 0.025 / budgets, seeds − 1)),
for a claim about every budget at once. A first table gives each attack's mean validation and
test error of the attacker's SVM per budget. A last table per comparison gives, per budget, the mean and
uncorrected interval of each error in one line (the layout examples/svm/README.md quotes).

Run `python3 scripts/svm_gradient_paired_seeds.py [results.json]` (NumPy and SciPy); its output for
examples/svm is scripts/svm_gradient_paired_seeds.out, for scripts/svm_gradient_order.yaml's study
scripts/svm_gradient_order.out. Nothing here is needed to build, run or test
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


def variant(label, words):
    """The label of the variant `words` ("random flips", "unclimbed clones") of a climbed attack's label."""
    return label[:-1] + f', {words})'


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


def compare(label, other, subject):
    """Prints the tables of the paired differences, attack `label` minus attack `other`."""
    first_series = [i for i, s in enumerate(series) if s['attackLabel'] == label]
    first, second = first_series[0], next(i for i, s in enumerate(series) if s['attackLabel'] == other)
    print(f'## {label} against {other}, seeds {seeds[0]} to {seeds[-1]}')
    print()
    print(f'| Budget, error | Seeds | Mean difference | 95% interval | Corrected over {len(fractions)} budgets | '
          f'Seeds +/0/- | {subject} | Corrected, {subject[0].lower() + subject[1:]} |')
    print('|---|---:|---:|---:|---:|---:|---|---|')
    summary = []
    for fraction in fractions:
        cells = [row(f'{100 * fraction:.1f}%, attacker\'s SVM (the paper\'s test error)',
                     [runs[(first, seed, fraction)]['svmTestError'] - runs[(second, seed, fraction)]['svmTestError'] for seed in seeds])]
        validation = row(f'{100 * fraction:.1f}%, attacker\'s SVM validation error (the rows the poisons climb against)',
                         [runs[(first, seed, fraction)]['svmValidationError'] - runs[(second, seed, fraction)]['svmValidationError'] for seed in seeds])
        for i in first_series:
            j = next(k for k, s in enumerate(series) if s['attackLabel'] == other and s['model'] == series[i]['model'])
            cells.append(row(f'{100 * fraction:.1f}%, victim {series[i]["modelLabel"]}',
                             [runs[(j, seed, fraction)]['testAccuracy'] - runs[(i, seed, fraction)]['testAccuracy'] for seed in seeds]))
        summary.append((fraction, cells + [validation]))
    print()
    print('Mean difference (95% interval, uncorrected), one line per budget:')
    print()
    print('| Budget | Attacker\'s SVM (the paper\'s) | ' + ' | '.join(series[i]['modelLabel'] for i in first_series)
          + ' | Attacker\'s SVM, validation error |')
    print('|---|' + '---|' * (2 + len(first_series)))
    for fraction, cells in summary:
        print(f'| {100 * fraction:.1f}% | ' + ' | '.join(f'{m:+.3f} ({lo:+.3f} to {hi:+.3f})' for m, lo, hi in cells) + ' |')
    print()


labels = sorted({s['attackLabel'] for s in series})
print(f'## The attacker\'s SVM\'s mean errors over seeds {seeds[0]} to {seeds[-1]}, validation / test (the paper\'s test error)')
print()
print('| Attack | ' + ' | '.join(f'{100 * fraction:.1f}%' for fraction in fractions) + ' |')
print('|---|' + '---:|' * len(fractions))
for label in labels:
    first = next(i for i, s in enumerate(series) if s['attackLabel'] == label)
    means = [tuple(np.mean([runs[(first, seed, fraction)][key] for seed in seeds]) for key in ['svmValidationError', 'svmTestError'])
             for fraction in fractions]
    print(f'| {label} | ' + ' | '.join(f'{v:.3f} / {t:.3f}' for v, t in means) + ' |')
print()
for label in labels:
    if 'random flips' in label or 'unclimbed clones' in label:
        continue
    if 'one at a time' in label:
        continue
    flips, clones, sequence = (variant(label, words) for words in ['random flips', 'unclimbed clones', 'one at a time'])
    if flips in labels:
        compare(label, flips, 'Climbed is')
    if clones in labels:
        compare(label, clones, 'Climbed is')
        if flips in labels:
            compare(clones, flips, 'Clones are')
    if sequence in labels:
        compare(label, sequence, 'Together is')
        if clones in labels:
            compare(sequence, clones, 'One at a time is')
