#!/usr/bin/env python3
"""Is svm-gradient's test error above that of random flips of the same budget on the same rows, and
above that of the unclimbed clones its poisons start from? Paired by seed, from a make-report
results.json (by default examples/svm/output/results.json, whose study pairs each `svm-gradient`
attack with its `poisons: random-flips` comparison and its `poisons: clones` control; issue 23).

For every climbed svm-gradient attack L, and every attack of the study that is its comparison,
control or other order (matched by the attacks' settings in results.json's `config.attacks`, not by
their labels: the same `classes`, `kernel`, `gamma`, `c`, `validation-share` and
`victim-sees-validation`; its comparison `poisons: random-flips` with L's `placement`, whose victim
trains on the same rows (flips in place under `replace`; under `add`, flipped copies added, as L's
poisons are, and then, as a second baseline, the in-place flips too); its control `poisons: clones` with L's `placement`, the unclimbed clones its poisons start
from; its other order the climbed attack with L's `placement`, `steps` and `step-size` and
`order: one-at-a-time` where L's is `together`), with series matched by model and defense, and every
budget above 0: the mean over seeds of the paired difference, L minus the other (and, when the study
holds them, the clones minus random flips, and one at a time minus the clones), of
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
uncorrected interval of each error in one line (the layout examples/svm/README.md quotes). For a climbed
attack and its random-flips comparison, two more tables: each error's mean per budget under either
with its 95% t interval over seeds (the level a sentence quotes, not a paired difference), and, per
pair of victim models, the paired difference of their differences (one victim's test error under the
attack minus under random flips, minus another's), with its intervals: whether the attack's gain
over random flips hurts one model more than another.

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


attacks = results['config']['attacks']
# The settings that make two svm-gradient attacks one experiment, whatever their poisons.
SHARED = ['kind', 'classes', 'kernel', 'gamma', 'c', 'validation-share', 'victim-sees-validation']


def setting(index, *keys):
    """The values of `keys` in attack `index`'s settings (None where it has none)."""
    return tuple(json.dumps(attacks[index].get(key), sort_keys=True) for key in keys)


def partner(index, poisons, **fixed):
    """The attack that shares attack `index`'s SHARED settings, has `poisons`, and the values `fixed`
    (a key with '_' for '-') or, for a key given None, attack `index`'s own; None if the study has none."""
    for other, config in enumerate(attacks):
        if other == index or config.get('kind') != 'svm-gradient' or config.get('poisons', 'climbed') != poisons:
            continue
        if setting(other, *SHARED) != setting(index, *SHARED):
            continue
        if all(json.dumps(config.get(key.replace('_', '-')), sort_keys=True)
               == json.dumps(attacks[index].get(key.replace('_', '-')) if value is None else value, sort_keys=True)
               for key, value in fixed.items()):
            return other
    return None


def label_of(index):
    """Attack `index`'s label, as its series carry it."""
    return next(s['attackLabel'] for s in series if s['attack'] == index)


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


def compare(first_attack, second_attack, subject):
    """Prints the tables of the paired differences, attack `first_attack` minus `second_attack`
    (indices into the config's attacks), series matched by model and defense."""
    first_series = [i for i, s in enumerate(series) if s['attack'] == first_attack]
    pairs = {i: next(k for k, s in enumerate(series) if s['attack'] == second_attack and s['model'] == series[i]['model']
                     and s['defense'] == series[i]['defense']) for i in first_series}
    first, second = first_series[0], pairs[first_series[0]]
    label, other = label_of(first_attack), label_of(second_attack)
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
            j = pairs[i]
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


def levels(first_attack, second_attack):
    """Prints, for every budget, each error's mean under attack `first_attack` with its 95% t interval
    over seeds (not paired: the level itself, for a sentence that quotes it), beside the same under
    `second_attack`: the attacker's SVM's validation and test errors and each victim's test error."""
    first_series = [i for i, s in enumerate(series) if s['attack'] == first_attack]
    second_series = [next(k for k, s in enumerate(series) if s['attack'] == second_attack and s['model'] == series[i]['model']
                          and s['defense'] == series[i]['defense']) for i in first_series]
    print(f'## Each error\'s mean over seeds {seeds[0]} to {seeds[-1]} with its 95% interval (Student t, not paired): '
          f'{label_of(first_attack)}, then {label_of(second_attack)}')
    print()
    print('| Budget | Attacker\'s SVM validation error | Attacker\'s SVM test error (the paper\'s) | '
          + ' | '.join(f'{series[i]["modelLabel"]} test error' for i in first_series) + ' |')
    print('|---|' + '---|' * (2 + len(first_series)))
    for fraction in [0.0] + fractions:
        for attack_series in [first_series, second_series]:
            first = attack_series[0]
            values = [[runs[(first, seed, fraction)][key] for seed in seeds] for key in ['svmValidationError', 'svmTestError']]
            values += [[1 - runs[(i, seed, fraction)]['testAccuracy'] for seed in seeds] for i in attack_series]
            cells = [interval(v, 0.95) for v in values]
            name = label_of(series[first]['attack'])
            print(f'| {100 * fraction:.1f}%, {name} | ' + ' | '.join(f'{m:.3f} ({lo:.3f} to {hi:.3f})' for m, lo, hi in cells) + ' |')
    print()


def between_victims(first_attack, second_attack):
    """Prints, for every pair of victim models (A, B) and budget, the paired difference of their
    differences: (A's test error under `first_attack` minus under `second_attack`) minus the same
    of B, per seed, with its 95% t interval, uncorrected and corrected over the budgets: whether
    the attack's gain over the other hurts A more than B (positive) or less (negative)."""
    first_series = [i for i, s in enumerate(series) if s['attack'] == first_attack]
    pairs = {i: next(k for k, s in enumerate(series) if s['attack'] == second_attack and s['model'] == series[i]['model']
                     and s['defense'] == series[i]['defense']) for i in first_series}

    def gain(i, seed, fraction):
        """Victim series i's test error under the first attack minus under the second, at one seed and budget."""
        return runs[(pairs[i], seed, fraction)]['testAccuracy'] - runs[(i, seed, fraction)]['testAccuracy']

    print(f'## Victim against victim: {label_of(first_attack)} minus {label_of(second_attack)}, '
          f'one victim\'s test-error difference minus another\'s, paired by seed')
    print()
    print(f'| Budget, victims | Seeds | Mean difference | 95% interval | Corrected over {len(fractions)} budgets | '
          f'Seeds +/0/- | First is | Corrected, first is |')
    print('|---|---:|---:|---:|---:|---:|---|---|')
    for a, i in enumerate(first_series):
        for j in first_series[a + 1:]:
            for fraction in fractions:
                row(f'{100 * fraction:.1f}%, {series[j]["modelLabel"]} minus {series[i]["modelLabel"]}',
                    [gain(j, seed, fraction) - gain(i, seed, fraction) for seed in seeds])
    print()


svm_attacks = sorted({s['attack'] for s in series if attacks[s['attack']].get('kind') == 'svm-gradient'})
print(f'## The attacker\'s SVM\'s mean errors over seeds {seeds[0]} to {seeds[-1]}, validation / test (the paper\'s test error)')
print()
print('| Attack | ' + ' | '.join(f'{100 * fraction:.1f}%' for fraction in fractions) + ' |')
print('|---|' + '---:|' * len(fractions))
for index in svm_attacks:
    first = next(i for i, s in enumerate(series) if s['attack'] == index)
    means = [tuple(np.mean([runs[(first, seed, fraction)][key] for seed in seeds]) for key in ['svmValidationError', 'svmTestError'])
             for fraction in fractions]
    print(f'| {label_of(index)} | ' + ' | '.join(f'{v:.3f} / {t:.3f}' for v, t in means) + ' |')
print()
for index in svm_attacks:
    if attacks[index].get('poisons', 'climbed') != 'climbed':
        continue
    # A climbed attack one at a time whose together twin the study holds is compared as that twin's other order.
    if attacks[index].get('order') == 'one-at-a-time' and partner(index, 'climbed', placement=None, steps=None, step_size=None,
                                                                    order='together') is not None:
        continue
    flips = partner(index, 'random-flips', placement=None)
    in_place = partner(index, 'random-flips', placement='replace') if attacks[index].get('placement') == 'add' else None
    clones = partner(index, 'clones', placement=None)
    sequence = (partner(index, 'climbed', placement=None, steps=None, step_size=None, order='one-at-a-time')
                if attacks[index].get('order') == 'together' else None)
    if flips is not None:
        compare(index, flips, 'Climbed is')
        levels(index, flips)
        between_victims(index, flips)
    if in_place is not None:
        compare(index, in_place, 'Climbed is')
    if clones is not None:
        compare(index, clones, 'Climbed is')
        if flips is not None:
            compare(clones, flips, 'Clones are')
    if sequence is not None:
        compare(index, sequence, 'Together is')
        if clones is not None:
            compare(sequence, clones, 'One at a time is')
