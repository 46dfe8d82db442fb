#!/usr/bin/env python3
"""Why a victim that also trains on the attacker's validation rows is hurt less by svm-gradient's
poisons: the overlap of its training rows with those validation rows, more than the extra rows.
An independent NumPy / scikit-learn check written for the cold method audit of issue 23, kept
unchanged but for this note, the data path and the part it shares with the other, now in svm_gradient_common.py; its output is scripts/svm_gradient_victim_rows.out
(about 3 minutes). The attack and seeds are those of scripts/svm_gradient_papers_setting.py, but
each class's training rows are split in thirds: validation, the attacker's training rows, and 84
other clean rows. Columns (test error, mean and standard deviation over seeds 1 to 5): the
attacker's SVM on its validation rows and on the test rows; a victim trained on the attacker's
rows, the poisons and the validation rows; one trained on the attacker's rows, the poisons and the
84 other rows instead (as many rows, none of which the poisons were aimed at).

Run `python3 scripts/svm_gradient_victim_rows.py` with scikit-learn installed; nothing here is
needed to build, run or test the tool.
"""
import sys
import numpy as np
from svm_gradient_common import y, fit, err, split, poisoned_sets
budgets = [0, 4, 8]
res = {}
for seed in range(1, 6):
    rng = np.random.default_rng(seed)
    tr, te, Z = split(rng)
    a, v, ex = [], [], []
    for lab in (1, -1):
        r = rng.permutation(tr[y[tr] == lab]); k = len(r) // 3; v += list(r[:k]); a += list(r[k:2*k]); ex += list(r[2*k:3*k])
    a, v, ex = np.array(a), np.array(v), np.array(ex)
    lo, hi = Z[tr].min(0), Z[tr].max(0)
    sevens = rng.permutation(a[y[a] == -1])
    for B in budgets:
        for name, (Xt, yt) in poisoned_sets(Z, a, v, sevens, B, rng, lo, hi).items():
            m = fit(Xt, yt)
            # tool-like victim: also trains on the validation half
            m2 = fit(np.vstack([Xt, Z[v]]), np.append(yt, y[v]))
            m3 = fit(np.vstack([Xt, Z[ex]]), np.append(yt, y[ex]))
            res.setdefault((name, B), []).append((err(m, Z[v], y[v]), err(m, Z[te], y[te]), err(m2, Z[te], y[te]), err(m3, Z[te], y[te])))
    print('seed', seed, 'done', file=sys.stderr)
print('attack   B(%of126) | val err (victim=attacker SVM) | test err (victim=attacker SVM) | test err (victim on Tr+Val) | test err (victim on Tr+Extra)')
for (name, B), r in sorted(res.items(), key=lambda x: (x[0][1], x[0][0])):
    r = np.array(r)
    print(f'{name:8s} {B:2d} ({100*B/84:4.1f}%) | {r[:,0].mean():.3f}±{r[:,0].std(ddof=1):.3f} | {r[:,1].mean():.3f}±{r[:,1].std(ddof=1):.3f} | {r[:,2].mean():.3f}±{r[:,2].std(ddof=1):.3f} | {r[:,3].mean():.3f}±{r[:,3].std(ddof=1):.3f}')
