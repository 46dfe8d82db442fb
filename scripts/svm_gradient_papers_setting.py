#!/usr/bin/env python3
"""An independent replication of Biggio, Nelson and Laskov (2012) on the digits 1 and 7
(examples/svm/digits-1-7.csv), in NumPy and scikit-learn, beside make-report's svm-gradient
attack: written for the cold method audit of issue 23, kept unchanged but for this note, the
data path and the part it shares with the other, now in svm_gradient_common.py. Its output is scripts/svm_gradient_papers_setting.out (about 3 minutes).

Linear SVC, C = 1; per seed 1 to 5 (NumPy's default_rng, not make-report's streams, so its splits
are not the tool's): a 70/30 split per class, standardised on the training rows; the attacker's
training rows are half of each class's training rows, the other half its validation rows; the
poisons, clones of its training 7s relabelled 1, are ADDED one at a time and each climbs the
validation hinge loss (steps of 3 halved after a step that does not raise it, at most 50; the
gradient of the KKT conditions, adjoint form). Compared at 3, 6 and 12 points (2.4%, 4.8% and 9.5%
of the attacker's 126 training rows) with the unclimbed clones and with random flips of as many of
the attacker's training rows. Columns: the attacker's SVM's validation error; its test error (the
paper's victim: the victim is the SVM trained on the attacker's training rows and the poisons,
make-report's `victim-sees-validation: false`); and the test error of a victim that also trains on
the validation rows (make-report's `victim-sees-validation: true`; its default is false). Mean and standard deviation over the 5 seeds.

Run `python3 scripts/svm_gradient_papers_setting.py` with scikit-learn installed; nothing here is
needed to build, run or test the tool.
"""
import sys
import numpy as np
from svm_gradient_common import y, fit, err, split, poisoned_sets
budgets = [0, 3, 6, 12]
res = {}
for seed in range(1, 6):
    rng = np.random.default_rng(seed)
    tr, te, Z = split(rng)
    a, v = [], []
    for lab in (1, -1):
        r = rng.permutation(tr[y[tr] == lab]); k = len(r) // 2; v += list(r[:k]); a += list(r[k:])
    a, v = np.array(a), np.array(v)
    lo, hi = Z[tr].min(0), Z[tr].max(0)
    sevens = rng.permutation(a[y[a] == -1])
    for B in budgets:
        for name, (Xt, yt) in poisoned_sets(Z, a, v, sevens, B, rng, lo, hi).items():
            m = fit(Xt, yt)
            # tool-like victim: also trains on the validation half
            m2 = fit(np.vstack([Xt, Z[v]]), np.append(yt, y[v]))
            res.setdefault((name, B), []).append((err(m, Z[v], y[v]), err(m, Z[te], y[te]), err(m2, Z[te], y[te])))
    print('seed', seed, 'done', file=sys.stderr)
print('attack   B(%of126) | val err (victim=attacker SVM) | test err (victim=attacker SVM) | test err (victim on Tr+Val)')
for (name, B), r in sorted(res.items(), key=lambda x: (x[0][1], x[0][0])):
    r = np.array(r)
    print(f'{name:8s} {B:2d} ({100*B/126:4.1f}%) | {r[:,0].mean():.3f}±{r[:,0].std(ddof=1):.3f} | {r[:,1].mean():.3f}±{r[:,1].std(ddof=1):.3f} | {r[:,2].mean():.3f}±{r[:,2].std(ddof=1):.3f}')
