#!/usr/bin/env python3
"""drivers-ref.py: an independent reference for nps-drivers' point figures.

    python3 tests/drivers-ref.py FILE SCORE DRIVER,DRIVER,... [--pairwise] [--weight COL]
    python3 tests/drivers-ref.py FILE SCORE DRIVER,DRIVER,... --levels LEVELS

Reads a TSV file (empty field = not answered) and prints, per driver:
driver n rated mean top_box r beta pratt rw lmg quadrant, then R².
Pure Python (no numpy), and on purpose by other algorithms than
nps-drivers' C code:
- correlations from two-pass centred sums over the rows (not from
  accumulated raw sums);
- beta by Gauss-Jordan elimination with partial pivoting (not Cholesky);
- Johnson's relative weights with the matrix square root of R computed by
  the Denman-Beavers iteration (not an eigen-decomposition):
  Lambda = R^(1/2), beta* = Lambda^(-1) r, rw_j = sum_k Lambda_jk^2 beta*_k^2
  (Johnson 2000, eq. 11-12);
- LMG as the average, over all p! orders of the drivers, of each driver's
  R² increment when it enters (Lindeman, Merenda & Gold 1980; the
  definition relaimpo's calc.relimp(type = "lmg") implements), each R² by
  solving the normal equations of that subset (not the all-subsets sweep);
- the quadrant against the mean importance share and the mean of the
  driver means (nps-drivers' default cut lines).
With --levels (complete cases, unweighted): each row's stage score is the
mean of its stage's driver ratings, computed row by row; then the LMG
shares of the score on the stage scores, of each stage score on its
drivers, and their product; printed as driver stage stage_share within
total.
"""
import itertools
import sys


def read(path, score, drivers, weight):
    with open(path, encoding="utf-8") as f:
        lines = [l.rstrip("\n").rstrip("\r") for l in f]
    head = lines[0].split("\t")
    cols = [head.index(score)] + [head.index(d) for d in drivers]
    wcol = head.index(weight) if weight else None
    rows = []
    for line in lines[1:]:
        f = line.split("\t")
        vals = [float(f[c]) if f[c].strip() != "" else None for c in cols]
        w = float(f[wcol]) if wcol is not None else 1.0
        rows.append((vals, w))
    return rows


def corr_pair(rows, a, b):
    use = [(v[a], v[b], w) for v, w in rows if v[a] is not None and v[b] is not None]
    sw = sum(w for _, _, w in use)
    ma = sum(x * w for x, _, w in use) / sw
    mb = sum(y * w for _, y, w in use) / sw
    sab = sum(w * (x - ma) * (y - mb) for x, y, w in use)
    saa = sum(w * (x - ma) ** 2 for x, _, w in use)
    sbb = sum(w * (y - mb) ** 2 for _, y, w in use)
    return sab / (saa * sbb) ** 0.5, len(use)


def solve(a, b):
    n = len(a)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        piv = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[piv] = m[piv], m[c]
        for r in range(n):
            if r != c:
                f = m[r][c] / m[c][c]
                for k in range(c, n + 1):
                    m[r][k] -= f * m[c][k]
    return [m[i][n] / m[i][i] for i in range(n)]


def inverse(a):
    n = len(a)
    cols = [solve(a, [1.0 if i == j else 0.0 for i in range(n)]) for j in range(n)]
    return [[cols[j][i] for j in range(n)] for i in range(n)]


def sqrtm(a):
    n = len(a)
    y = [row[:] for row in a]
    z = [[1.0 if i == j else 0.0 for j in range(n)] for i in range(n)]
    for _ in range(100):
        yi, zi = inverse(y), inverse(z)
        y = [[(y[i][j] + zi[i][j]) / 2 for j in range(n)] for i in range(n)]
        z = [[(z[i][j] + yi[i][j]) / 2 for j in range(n)] for i in range(n)]
    return y


def r2_of(R, r, subset):
    if not subset:
        return 0.0
    a = [[R[i][j] for j in subset] for i in subset]
    b = solve(a, [r[i] for i in subset])
    return sum(bi * r[i] for bi, i in zip(b, subset))


def lmg_shares(rows, p):
    """LMG shares (%) of columns 1..p on column 0 of complete rows."""
    C = [[1.0] * (p + 1) for _ in range(p + 1)]
    for a in range(p + 1):
        for b in range(a + 1, p + 1):
            C[a][b] = C[b][a] = corr_pair(rows, a, b)[0]
    r = [C[0][j + 1] for j in range(p)]
    R = [[C[i + 1][j + 1] for j in range(p)] for i in range(p)]
    lmg = [0.0] * p
    orders = list(itertools.permutations(range(p)))
    for order in orders:
        before = []
        for j in order:
            lmg[j] += r2_of(R, r, before + [j]) - r2_of(R, r, before)
            before.append(j)
    total = sum(lmg)
    return [100 * x / total for x in lmg]


def levels(path, score, drivers, lpath):
    with open(lpath, encoding="utf-8") as f:
        pairs = [l.rstrip("\n").split("\t") for l in f][1:]
    stage_of = {d: s for d, s in pairs}
    stages = []
    for _, s in pairs:
        if s not in stages:
            stages.append(s)
    rows = [(v, w) for v, w in read(path, score, drivers, None) if all(x is not None for x in v)]
    members = {s: [j for j, d in enumerate(drivers) if stage_of.get(d) == s] for s in stages}
    def stage_score(v, s):
        return sum(v[j + 1] for j in members[s]) / len(members[s])
    top = [([v[0]] + [stage_score(v, s) for s in stages], w) for v, w in rows]
    stage_share = lmg_shares(top, len(stages))
    for si, s in enumerate(stages):
        sub = [([stage_score(v, s)] + [v[j + 1] for j in members[s]], w) for v, w in rows]
        within = lmg_shares(sub, len(members[s])) if len(members[s]) > 1 else [100.0]
        for k, j in enumerate(members[s]):
            print("%s\t%s\t%.6f\t%.6f\t%.6f" % (drivers[j], s, stage_share[si], within[k],
                                              stage_share[si] * within[k] / 100))


def main():
    args = sys.argv[1:]
    if "--levels" in args:
        i = args.index("--levels")
        levels(args[0], args[1], args[2].split(","), args[i + 1])
        return
    pairwise = "--pairwise" in args
    weight = None
    if "--weight" in args:
        weight = args[args.index("--weight") + 1]
        del args[args.index("--weight"):args.index("--weight") + 2]
    args = [a for a in args if a != "--pairwise"]
    path, score, drivers = args[0], args[1], args[2].split(",")
    rows = read(path, score, drivers, weight)
    p = len(drivers)
    if not pairwise:
        rows = [(v, w) for v, w in rows if all(x is not None for x in v)]
    C = [[1.0] * (p + 1) for _ in range(p + 1)]
    N = [[0] * (p + 1) for _ in range(p + 1)]
    for a in range(p + 1):
        for b in range(a + 1, p + 1):
            C[a][b], N[a][b] = corr_pair(rows, a, b)
            C[b][a], N[b][a] = C[a][b], N[a][b]
    r = [C[0][j + 1] for j in range(p)]
    R = [[C[i + 1][j + 1] for j in range(p)] for i in range(p)]
    beta = solve(R, r)
    r2 = sum(b * x for b, x in zip(beta, r))
    lam = sqrtm(R)
    bstar = solve(lam, r)
    rw = [sum(lam[j][k] ** 2 * bstar[k] ** 2 for k in range(p)) for j in range(p)]
    lmg = [0.0] * p
    orders = list(itertools.permutations(range(p)))
    for order in orders:
        before = []
        for j in order:
            lmg[j] += r2_of(R, r, before + [j]) - r2_of(R, r, before)
            before.append(j)
    lmg = [x / len(orders) for x in lmg]
    # Performance over every row that rates the driver (all rows read,
    # not only the complete cases).
    allrows = read(path, score, drivers, weight)
    means, rated, tops = [], [], []
    for j in range(p):
        use = [(v[j + 1], w) for v, w in allrows if v[j + 1] is not None]
        sw = sum(w for _, w in use)
        means.append(sum(x * w for x, w in use) / sw)
        rated.append(len(use))
        top2 = sorted(set(x for x, _ in use))[-2:]
        tops.append(100 * sum(w for x, w in use if x >= top2[0]) / sw)
    share = [100 * x / r2 for x in lmg]
    cut_imp, cut_mean = sum(share) / p, sum(means) / p
    for j in range(p):
        hi, good = share[j] >= cut_imp, means[j] >= cut_mean
        quad = ("keep" if good else "fix_first") if hi else ("maintain" if good else "low_priority")
        n = N[0][j + 1] if pairwise else len(rows)
        print("%s\t%d\t%d\t%.6f\t%.6f\t%.8f\t%.8f\t%.6f\t%.6f\t%.6f\t%s" % (
            drivers[j], n, rated[j], means[j], tops[j], r[j], beta[j],
            100 * beta[j] * r[j] / r2, 100 * rw[j] / r2, share[j], quad))
    print("r2\t%.12f" % r2)


main()
