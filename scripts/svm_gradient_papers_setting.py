#!/usr/bin/env python3
"""An independent replication of Biggio, Nelson and Laskov (2012) on the digits 1 and 7
(examples/svm/digits-1-7.csv), in NumPy and scikit-learn, beside make-report's svm-gradient
attack: written for the cold method audit of issue 23, kept unchanged but for this note and the
data path. Its output is scripts/svm_gradient_papers_setting.out (about 3 minutes).

Linear SVC, C = 1; per seed 1 to 5 (NumPy's default_rng, not make-report's streams, so its splits
are not the tool's): a 70/30 split per class, standardised on the training rows; the attacker's
training rows are half of each class's training rows, the other half its validation rows; the
poisons, clones of its training 7s relabelled 1, are ADDED one at a time and each climbs the
validation hinge loss (steps of 3 halved after a step that does not raise it, at most 50; the
gradient of the KKT conditions, adjoint form). Compared at 3, 6 and 12 points (2.4%, 4.8% and 9.5%
of the attacker's 126 training rows) with the unclimbed clones and with random flips of as many of
the attacker's training rows. Columns: the attacker's SVM's validation error; its test error (the
paper's setting: the victim is the SVM trained on the attacker's training rows and the poisons,
make-report's `victim-sees-validation: false`); and the test error of a victim that also trains on
the validation rows (make-report's default setting). Mean and standard deviation over the 5 seeds.

Run `python3 scripts/svm_gradient_papers_setting.py` with scikit-learn installed; nothing here is
needed to build, run or test the tool.
"""
import pathlib
import numpy as np, sys
from sklearn.svm import SVC
D = np.genfromtxt(pathlib.Path(__file__).resolve().parent.parent / 'examples/svm/digits-1-7.csv', delimiter=',', skip_header=1)
X, y = D[:, :-1], np.where(D[:, -1] == 1, 1.0, -1.0)   # poison label +1 (digit 1), attacked class -1 (digit 7)
C = 1.0
def fit(X, y): return SVC(kernel='linear', C=C, tol=1e-6).fit(X, y)
def hinge(m, Xv, yv): return np.maximum(0, 1 - yv * m.decision_function(Xv)).sum()
def grad(m, Xtr, ytr, c, Xv, yv):
    # dL/dx_c through KKT of margin SVs (linear kernel), adjoint form.
    alpha = np.zeros(len(ytr)); alpha[m.support_] = np.abs(m.dual_coef_[0])
    if alpha[c] <= 1e-9: return np.zeros(Xtr.shape[1])
    S = [i for i in m.support_ if 1e-9 < alpha[i] < C - 1e-9]
    f = m.decision_function(Xv); act = (1 - yv * f) > 0
    Xa, ya = Xv[act], yv[act]
    # direct term: -sum_k y_k alpha_c y_c x_k
    g = -(ya[:, None] * Xa).sum(0) * alpha[c] * ytr[c]
    if not S: return g
    S = np.array(S); ys = ytr[S]; Ks = Xtr[S] @ Xtr[S].T
    A = np.zeros((len(S) + 1, len(S) + 1)); A[:-1, :-1] = np.outer(ys, ys) * Ks; A[:-1, -1] = ys; A[-1, :-1] = ys
    w = np.zeros(len(S) + 1); w[:-1] = -(ya[:, None] * ys[None, :] * (Xa @ Xtr[S].T)).sum(0); w[-1] = -ya.sum()
    lam = np.linalg.lstsq(A, w, rcond=None)[0]
    for a, i in enumerate(S):
        if i != c: g += -lam[a] * alpha[c] * ys[a] * ytr[c] * Xtr[i]
        else:
            g += -lam[a] * ytr[c] * ((alpha * ytr)[:, None] * Xtr).sum(0) + lam[a] * alpha[c] * ytr[c] * ytr[c] * Xtr[c] - lam[a] * alpha[c] * 2 * Xtr[c]
    return g
def climb(Xtr, ytr, c, Xv, yv, lo, hi, steps=50, t0=3.0):
    m = fit(Xtr, ytr); L = hinge(m, Xv, yv); t = t0
    for _ in range(steps):
        if t < t0 / 256: break
        g = grad(m, Xtr, ytr, c, Xv, yv); n = np.linalg.norm(g)
        if n == 0: break
        old = Xtr[c].copy(); Xtr[c] = np.clip(old + t * g / n, lo, hi)
        m2 = fit(Xtr, ytr); L2 = hinge(m2, Xv, yv)
        if L2 > L: m, L = m2, L2
        else: Xtr[c] = old; t /= 2
    return Xtr
def err(m, X, y): return np.mean(np.where(m.decision_function(X) > 0, 1, -1) != y)
budgets = [0, 3, 6, 12]
res = {}
for seed in range(1, 6):
    rng = np.random.default_rng(seed)
    tr, te = [], []
    for lab in (1, -1):
        r = rng.permutation(np.where(y == lab)[0]); k = round(0.7 * len(r)); tr += list(r[:k]); te += list(r[k:])
    tr, te = np.array(tr), np.array(te)
    mu, sd = X[tr].mean(0), X[tr].std(0); sd[sd == 0] = 1
    Z = (X - mu) / sd
    a, v = [], []
    for lab in (1, -1):
        r = rng.permutation(tr[y[tr] == lab]); k = len(r) // 2; v += list(r[:k]); a += list(r[k:])
    a, v = np.array(a), np.array(v)
    lo, hi = Z[tr].min(0), Z[tr].max(0)
    sevens = rng.permutation(a[y[a] == -1])
    for B in budgets:
        # optimal: add B points one at a time (paper), each a clone of a 7 labelled +1, climbed
        Xp, yp = Z[a].copy(), y[a].copy()
        Xc, yc = Z[a].copy(), y[a].copy()
        for i in range(B):
            Xp = np.vstack([Xp, Z[sevens[i]]]); yp = np.append(yp, 1.0)
            Xp = climb(Xp, yp, len(yp) - 1, Z[v], y[v], lo, hi)
            Xc = np.vstack([Xc, Z[sevens[i]]]); yc = np.append(yc, 1.0)
        # random flips of B attacker-train rows (in place)
        Xr, yr = Z[a].copy(), y[a].copy(); idx = rng.choice(len(yr), B, replace=False); yr[idx] *= -1
        P = (Xp[len(a):], yp[len(a):])
        for name, (Xt, yt) in {'optimal': (Xp, yp), 'clones': (Xc, yc), 'randflip': (Xr, yr)}.items():
            m = fit(Xt, yt)
            # tool-like victim: also trains on the validation half
            m2 = fit(np.vstack([Xt, Z[v]]), np.append(yt, y[v]))
            res.setdefault((name, B), []).append((err(m, Z[v], y[v]), err(m, Z[te], y[te]), err(m2, Z[te], y[te])))
    print('seed', seed, 'done', file=sys.stderr)
print('attack   B(%of126) | val err (victim=attacker SVM) | test err (victim=attacker SVM) | test err (victim on Tr+Val)')
for (name, B), r in sorted(res.items(), key=lambda x: (x[0][1], x[0][0])):
    r = np.array(r)
    print(f'{name:8s} {B:2d} ({100*B/126:4.1f}%) | {r[:,0].mean():.3f}±{r[:,0].std(ddof=1):.3f} | {r[:,1].mean():.3f}±{r[:,1].std(ddof=1):.3f} | {r[:,2].mean():.3f}±{r[:,2].std(ddof=1):.3f}')
