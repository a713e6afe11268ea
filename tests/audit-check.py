#!/usr/bin/env python3
"""audit-check.py RESPONSES AUDIT_OUTPUT: recompute nps-audit's peer
signals (top_box, shape, funnel, the combination, BH) from the formulas of
nps-audit(1), independently of its C code (exact binomial sums, closed-form
chi-square tails), for input with -g store and a score column and no
periods; then check every figure nps-audit printed against them, to the
precision it was printed with. Exit 1 listing each disagreement."""
import csv
import math
import sys
from collections import defaultdict

def binom_upper(x, n, p):
    return sum(math.comb(n, k) * p**k * (1 - p)**(n - k) for k in range(x, n + 1))

def chisq_upper(x, df):
    # closed forms: odd df from erfc, even df from the Poisson sum
    if df % 2 == 0:
        h = x / 2
        return math.exp(-h) * sum(h**j / math.factorial(j) for j in range(df // 2))
    term = math.sqrt(2 * x / math.pi) * math.exp(-x / 2)
    s, t = 0.0, term
    for j in range(1, (df - 1) // 2 + 1):
        s += t
        t *= x / (2 * j + 1)
    return math.erfc(math.sqrt(x / 2)) + s

def normal_upper(z):
    return 0.5 * math.erfc(z / math.sqrt(2))

def median(v):
    v = sorted(v)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2

def bh(ps):
    m = len(ps)
    order = sorted(range(m), key=lambda i: ps[i])
    adj = [0.0] * m
    run = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        run = min(run, m / rank * ps[i])
        adj[i] = run
    return adj

def bins(c):
    return [sum(c[s] for s in range(7)), c[7] + c[8], c[9], c[10]]

def expected(path):
    counts = defaultdict(lambda: [0] * 11)
    with open(path) as f:
        for row in csv.DictReader(f, delimiter='\t'):
            counts[row['store']][int(row['score'])] += 1
    units = sorted(counts)
    n = {u: sum(counts[u]) for u in units}
    total = [sum(counts[u][s] for u in units) for s in range(11)]
    N = sum(total)
    out = {u: {} for u in units}
    # top_box: leave-one-out binomial; heterogeneity kappa from the median
    # share (0 when the units differ by sampling noise only)
    centre = median([counts[u][10] / n[u] for u in units])
    kap = max(0.0, median([((counts[u][10] - n[u] * centre) ** 2 / (n[u] * centre * (1 - centre)) / 0.454936 - 1) / n[u] for u in units]))
    assert kap == 0, 'fixture chosen with kappa 0'
    for u in units:
        p0 = (total[10] - counts[u][10]) / (N - n[u])
        out[u]['top_box'] = 100 * (counts[u][10] / n[u] - p0)
        out[u]['top_box_p'] = binom_upper(counts[u][10], n[u], p0)
    # shape: Pearson X^2, the unit against the rest, 4 bins, df 3
    tb = bins(total)
    for u in units:
        o = bins(counts[u])
        x2 = 0.0
        for b in range(4):
            e = n[u] * tb[b] / N
            ep = (N - n[u]) * tb[b] / N
            op = tb[b] - o[b]
            x2 += (o[b] - e) ** 2 / e + (op - ep) ** 2 / ep
        out[u]['shape'] = x2
        out[u]['shape_p'] = chisq_upper(x2, 3)
    # funnel: target and v1 at the panel's shares, DerSimonian-Laird tau^2
    P = (total[9] + total[10]) / N
    D = sum(total[:7]) / N
    target, v1 = 100 * (P - D), 10000 * (P + D - (P - D) ** 2)
    def nps(c):
        m = sum(c)
        return 100 * ((c[9] + c[10]) - sum(c[:7])) / m
    z = [(nps(counts[u]) - target) * math.sqrt(n[u] / v1) for u in units]
    k = len(units)
    s = sorted(z)
    lo, hi = s[math.floor(0.1 * (k - 1))], s[math.ceil(0.9 * (k - 1))]
    q = sum(min(max(x, lo), hi) ** 2 for x in z)
    w = [n[u] / v1 for u in units]
    tau2 = max(0.0, (q - (k - 1)) / (sum(w) - sum(x * x for x in w) / sum(w)))
    for u in units:
        zz = (nps(counts[u]) - target) / math.sqrt(v1 / n[u] + tau2)
        out[u].update(funnel=zz, funnel_p=normal_upper(zz), funnel_target=target,
                      funnel_v1=v1, funnel_tau2=tau2, nps=nps(counts[u]),
                      pct_tens=100 * counts[u][10] / n[u], n=n[u])
    for sig in ('top_box', 'shape', 'funnel'):
        adj = bh([out[u][sig + '_p'] for u in units])
        for u, a in zip(units, adj):
            out[u][sig + '_p_adj'] = a
    # Fisher's method over the three, then BH
    for u in units:
        x = -2 * sum(math.log(out[u][s + '_p']) for s in ('top_box', 'shape', 'funnel'))
        out[u]['p_combined'] = chisq_upper(x, 6)
    adj = bh([out[u]['p_combined'] for u in units])
    for u, a in zip(units, adj):
        out[u]['p_combined_adj'] = a
    return out

def agrees(printed, value):
    """printed rounds value: within half a unit of its last digit."""
    if 'e' in printed:
        mant, exp = printed.split('e')
        decimals = len(mant.split('.')[1]) if '.' in mant else 0
        unit = 10.0 ** (int(exp) - decimals)
    else:
        decimals = len(printed.split('.')[1]) if '.' in printed else 0
        unit = 10.0 ** -decimals
    return abs(float(printed) - value) <= unit / 2 * (1 + 1e-9) + 1e-12

def main():
    want = expected(sys.argv[1])
    bad = 0
    with open(sys.argv[2]) as f:
        for row in csv.DictReader(f, delimiter='\t'):
            for col, value in want[row['store']].items():
                if not agrees(row[col], value):
                    print(f"{row['store']} {col}: printed {row[col]}, expected {value!r}")
                    bad += 1
    sys.exit(1 if bad else 0)

main()
