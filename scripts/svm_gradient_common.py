"""The part shared by scripts/svm_gradient_papers_setting.py and scripts/svm_gradient_victim_rows.py,
the two independent NumPy / scikit-learn replications of Biggio, Nelson and Laskov (2012) written
for the cold method audit of issue 23: the digits 1 and 7 (examples/svm/digits-1-7.csv), the linear
SVC (C = 1), the gradient of its validation hinge loss through the KKT conditions of the margin
support vectors (adjoint form), the climb, the per-seed 70/30 split, and the three poisoned sets of
one budget (climbed points, unclimbed clones, random flips).

Nothing here is needed to build, run or test the tool.
"""
import pathlib
import numpy as np
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
def split(rng):
    """A 70/30 split per class of the rows, and the features standardised on the training rows."""
    tr, te = [], []
    for lab in (1, -1):
        r = rng.permutation(np.where(y == lab)[0]); k = round(0.7 * len(r)); tr += list(r[:k]); te += list(r[k:])
    tr, te = np.array(tr), np.array(te)
    mu, sd = X[tr].mean(0), X[tr].std(0); sd[sd == 0] = 1
    return tr, te, (X - mu) / sd
def poisoned_sets(Z, a, v, sevens, B, rng, lo, hi):
    """The attacker's training rows a with B poisons ADDED one at a time, each a clone of a 7 (in the
    order of sevens) labelled +1 and climbed (the paper), with the same clones unclimbed, and with
    B of the rows a flipped at random (in place)."""
    Xp, yp = Z[a].copy(), y[a].copy()
    Xc, yc = Z[a].copy(), y[a].copy()
    for i in range(B):
        Xp = np.vstack([Xp, Z[sevens[i]]]); yp = np.append(yp, 1.0)
        Xp = climb(Xp, yp, len(yp) - 1, Z[v], y[v], lo, hi)
        Xc = np.vstack([Xc, Z[sevens[i]]]); yc = np.append(yc, 1.0)
    Xr, yr = Z[a].copy(), y[a].copy(); idx = rng.choice(len(yr), B, replace=False); yr[idx] *= -1
    return {'optimal': (Xp, yp), 'clones': (Xc, yc), 'randflip': (Xr, yr)}
