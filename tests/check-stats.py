#!/usr/bin/env python3
"""Checks nps-agg and nps-signif against the published formulas, computed
here independently (Python's fractions and statistics, no code shared with
the programs), over random groups: 1,000 groups of which many have n = 1..5
and many answer all alike, plain and weighted (weights of every scale).

    tests/check-stats.py BINDIR [SEED]

Prints one line per check and exits 1 on the first figure that disagrees
beyond the rounding of the printed value. Run by tests/signif.bats."""

import math
import random
import subprocess
import sys
from fractions import Fraction
from statistics import NormalDist

BIN = sys.argv[1]
SEED = int(sys.argv[2]) if len(sys.argv) > 2 else 14
rng = random.Random(SEED)
PHI = NormalDist()
Z95 = -PHI.inv_cdf(0.025)
failures = 0


def run(args, text):
    r = subprocess.run([BIN + "/" + args[0]] + args[1:], input=text.encode(),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0:
        sys.exit("%s: exit %d: %s" % (" ".join(args), r.returncode, r.stderr.decode()))
    lines = r.stdout.decode().split("\n")[:-1]
    head = lines[0].split("\t")
    return [dict(zip(head, l.split("\t"))) for l in lines[1:]]


def close(what, got, want, tol):
    """got: the printed text; want: the float; tol: half a unit of the
    last printed place, or a relative tolerance for scientific ones."""
    global failures
    if want is None or (isinstance(want, float) and math.isnan(want)):
        ok = got == ""
    elif "e" in got:
        ok = abs(float(got) - want) <= 0.006 * abs(want)
    else:
        ok = got != "" and abs(float(got) - want) <= tol + 1e-9 * abs(want)
    if not ok:
        failures += 1
        print("MISMATCH %s: printed %r, formula %r" % (what, got, want))
        if failures > 20:
            sys.exit(1)


# --- The groups ---------------------------------------------------------

def make_groups(count):
    groups = []
    for g in range(count):
        kind = rng.random()
        if kind < 0.35:
            n = rng.randint(1, 5)
        elif kind < 0.5:
            n = rng.choice([1, 2, 3, 10, 30, 100])
        else:
            n = rng.randint(6, 600)
        if kind >= 0.35 and kind < 0.5:  # all alike
            seg = rng.choice([9, 7, 0])
            scores = [seg] * n
        else:
            scores = [rng.randint(0, 10) for _ in range(n)]
        scale = rng.randint(-12, 9)
        weights = ["%d.%03de%d" % (rng.randint(0, 9), rng.randint(1, 999), scale)
                   for _ in range(n)]
        groups.append(("g%04d" % g, scores, weights))
    return groups


def segment(score):
    return 1 if score >= 9 else (0 if score >= 7 else -1)


def adjusted(ne, p, d):
    pa, da = (ne * p + 0.75) / (ne + 3), (ne * d + 0.75) / (ne + 3)
    unit = 10000 * (pa + da - (pa - da) ** 2)
    return 100 * (pa - da), unit / (ne + 3), unit


def score_interval(a, b, c, z):
    """Tango/Rocks score interval for p - d from (effective) counts a
    promoters, b passives, c detractors: the deltas whose score statistic,
    with the variance at the restricted MLE found by a plain ternary search
    on the profile log-likelihood, stays within z."""
    n = a + b + c
    est = (a - c) / n

    def loglik(p, d):
        s = 0.0
        for k, q in ((a, p), (b, 1 - p - d), (c, d)):
            if k > 0:
                if q <= 0:
                    return -math.inf
                s += k * math.log(q)
        return s

    def stat(delta):
        lo, hi = max(delta, 0.0), (1 + delta) / 2
        for _ in range(100):
            m1, m2 = lo + (hi - lo) / 3, hi - (hi - lo) / 3
            if loglik(m1, m1 - delta) < loglik(m2, m2 - delta):
                lo = m1
            else:
                hi = m2
        p = (lo + hi) / 2
        d = p - delta
        var = (p + d - (p - d) ** 2) / n
        diff = est - delta
        if var <= 0:
            return math.inf if diff > 0 else (-math.inf if diff < 0 else 0)
        return diff / math.sqrt(var)

    l, h = -1.0, est
    for _ in range(60):
        m = (l + h) / 2
        if stat(m) > z:
            l = m
        else:
            h = m
    lower = l
    l, h = est, 1.0
    for _ in range(60):
        m = (l + h) / 2
        if stat(m) < -z:
            h = m
        else:
            l = m
    return 100 * lower, 100 * h


def group_figures(scores, weights, weighted):
    n = len(scores)
    x = [segment(s) for s in scores]
    if weighted:
        w = [Fraction(v) for v in weights]
    else:
        w = [Fraction(1)] * n
    W = sum(w)
    if W == 0:
        return None
    wp = sum(wi for wi, xi in zip(w, x) if xi == 1)
    wd = sum(wi for wi, xi in zip(w, x) if xi == -1)
    p, d = float(wp / W), float(wd / W)
    nps = 100 * float((wp - wd) / W)
    mean = (wp - wd) / W
    if weighted:
        ss = sum(wi * wi * (xi - mean) ** 2 for wi, xi in zip(w, x))
        factor = Fraction(n, n - 1) if n > 1 else 1
        se = 100 * math.sqrt(float(factor * ss)) / float(W)
        ne = float(W * W / sum(wi * wi for wi in w))
    else:
        se = 100 * math.sqrt((p + d - (p - d) ** 2) / n)
        ne = float(n)
    return dict(n=n, W=W, p=p, d=d, nps=nps, se=se, ne=ne,
                exact=(wp - wd) / W)


def clamp(v, lo, hi):
    return max(lo, min(hi, v))


# --- nps-agg ------------------------------------------------------------

def check_agg(groups, weighted):
    lines = ["g\tscore\tw"]
    for key, scores, weights in groups:
        lines += ["%s\t%d\t%s" % (key, s, w) for s, w in zip(scores, weights)]
    text = "\n".join(lines) + "\n"
    args = ["nps-agg", "-g", "g", "--precision", "6"] + (["-w", "w"] if weighted else [])
    rows = {}
    for interval in ("wald", "adjusted", "score"):
        for r in run(args + ["--interval", interval], text):
            rows.setdefault(r["g"], {})[interval] = r
    checked = 0
    for idx, (key, scores, weights) in enumerate(groups):
        f = group_figures(scores, weights, weighted)
        r = rows[key]
        if f is None:
            continue
        tol = 0.5e-6
        close(key + " nps", r["wald"]["nps"], f["nps"], tol)
        close(key + " se", r["wald"]["se"], f["se"], tol)
        close(key + " wald ci_low", r["wald"]["ci_low"], clamp(f["nps"] - Z95 * f["se"], -100, 100), tol)
        close(key + " wald ci_high", r["wald"]["ci_high"], clamp(f["nps"] + Z95 * f["se"], -100, 100), tol)
        centre, var, _ = adjusted(f["ne"], f["p"], f["d"])
        close(key + " adjusted ci_low", r["adjusted"]["ci_low"], clamp(centre - Z95 * math.sqrt(var), -100, 100), tol)
        close(key + " adjusted ci_high", r["adjusted"]["ci_high"], clamp(centre + Z95 * math.sqrt(var), -100, 100), tol)
        if weighted:
            close(key + " n_eff", r["wald"]["n_eff"], f["ne"], tol)
            close(key + " weight_sum", r["wald"]["weight_sum"], float(f["W"]), tol)
        if idx % 5 == 0:  # the score interval is slow to compute here
            ne = f["ne"]
            lo, hi = score_interval(ne * f["p"], ne * (1 - f["p"] - f["d"]), ne * f["d"], Z95)
            close(key + " score ci_low", r["score"]["ci_low"], clamp(lo, -100, 100), 2e-6)
            close(key + " score ci_high", r["score"]["ci_high"], clamp(hi, -100, 100), 2e-6)
        checked += 1
    print("nps-agg %s: %d groups checked (wald, adjusted, score intervals)"
          % ("weighted" if weighted else "plain", checked))
    return rows


# --- nps-signif ---------------------------------------------------------

def holm(ps):
    m = len(ps)
    order = sorted(range(m), key=lambda i: (ps[i], i))
    out, run_max = [0.0] * m, 0.0
    for j, i in enumerate(order):
        run_max = max(run_max, (m - j) * ps[i])
        out[i] = min(1.0, run_max)
    return out


def check_signif(groups, weighted, agg_rows):
    header = None
    body = []
    for key, _, _ in groups:
        r = agg_rows[key]["wald"]
        if header is None:
            header = list(r.keys())
        body.append("\t".join(r[h] for h in header))
    text = "\t".join(header) + "\n" + "\n".join(body) + "\n"
    figs = {}
    for key, scores, weights in groups:
        f = group_figures(scores, weights, weighted)
        if f is not None:
            figs[key] = f
    keys = [k for k, _, _ in groups if k in figs]
    min_n, detect = 30, 5.0
    zz = -PHI.inv_cdf(0.025) + PHI.inv_cdf(0.8)
    for include in (True, False):
        ref = keys[0]
        args = ["nps-signif", "--ref", ref, "--mdd", "--sample-size", "5", "--precision", "6"]
        if include:
            args.append("--include-small")
        rows = run(args, text)
        want = []
        a = figs[ref]
        for b_key in keys[1:]:
            b = figs[b_key]
            ca, va, ua = adjusted(a["ne"], a["p"], a["d"])
            cb, vb, ub = adjusted(b["ne"], b["p"], b["d"])
            small = a["ne"] < min_n * (1 - 1e-9) or b["ne"] < min_n * (1 - 1e-9)
            se = math.sqrt(va + vb)
            z = (ca - cb) / se
            p = math.erfc(abs(z) / math.sqrt(2))
            diff = 0.0 if a["exact"] == b["exact"] else a["nps"] - b["nps"]
            n_needed = max(1, math.ceil(zz * zz * (ua + ub) / detect ** 2 * (1 - 1e-12)))
            want.append(dict(b=b_key, diff=diff, se=se, lo=clamp(ca - cb - Z95 * se, -200, 200),
                             hi=clamp(ca - cb + Z95 * se, -200, 200), z=z, p=p,
                             judged=include or not small, small=small,
                             mdd=zz * se, n_needed=n_needed))
        judged = [w for w in want if w["judged"]]
        for w, adj in zip(judged, holm([w["p"] for w in judged])):
            w["p_adj"] = adj
        if len(rows) != len(want):
            sys.exit("nps-signif --ref: %d rows, %d expected" % (len(rows), len(want)))
        for r, w in zip(rows, want):
            what = "%s-%s%s" % (ref, w["b"], " (--include-small)" if include else "")
            assert r["b"] == w["b"]
            tol = 0.5e-6
            close(what + " diff", r["diff"], w["diff"], tol)
            close(what + " se_diff", r["se_diff"], w["se"], tol)
            close(what + " ci_low", r["ci_low"], w["lo"], tol)
            close(what + " ci_high", r["ci_high"], w["hi"], tol)
            close(what + " z", r["z"], w["z"], tol)
            close(what + " p", r["p"], w["p"], 0.5e-8)
            close(what + " p_adj", r["p_adj"], w.get("p_adj"), 0.5e-8)
            close(what + " mdd", r["mdd"], w["mdd"], tol)
            if int(r["n_needed"]) != w["n_needed"]:
                close(what + " n_needed", r["n_needed"], float(w["n_needed"]), 0)
            verdict = ("yes" if w["p_adj"] <= 0.05 else "no") if w["judged"] else "small"
            if r["significant"] != verdict or r["small_n"] != ("yes" if w["small"] else "no"):
                close(what + " significant/small_n", r["significant"] + "/" + r["small_n"], float("nan"), 0)
    print("nps-signif %s: %d comparisons checked twice (all judged; small ones set aside)"
          % ("weighted" if weighted else "plain", len(keys) - 1))


def check_score_sweep():
    """The weighted score interval for any weight shares: 2 promoters and
    1 detractor of weight 5e9 and one passive of weight 10^-k, k = 0..300,
    whose share falls to 1e-310 (the issue's case is k = 6)."""
    lines = ["g\tscore\tw"]
    for k in range(0, 301):
        lines += ["k%03d\t10\t5e9" % k, "k%03d\t10\t5e9" % k, "k%03d\t0\t5e9" % k,
                  "k%03d\t7\t1e-%d" % (k, k)]
    rows = run(["nps-agg", "-g", "g", "-w", "w", "--interval", "score", "--precision", "6"],
               "\n".join(lines) + "\n")
    for k, r in enumerate(rows):
        w = [Fraction(5 * 10 ** 9)] * 3 + [Fraction(1, 10 ** k)]
        W = sum(w)
        ne = float(W * W / sum(x * x for x in w))
        p, a = float(w[0] * 2 / W), float(w[3] / W)
        lo, hi = score_interval(ne * p, ne * a, ne * (1 - p - a), Z95)
        close("score sweep k=%d ci_low" % k, r["ci_low"], lo, 2e-6)
        close("score sweep k=%d ci_high" % k, r["ci_high"], hi, 2e-6)
    print("nps-agg: the weighted score interval for a passive share down to 1e-310: %d cases" % len(rows))


def check_tiers(groups):
    """--tiers against all pairs' verdicts: keys that share a letter are
    exactly the pairs not significant; tiers from the top; small keys
    have neither."""
    lines = ["g\tscore"]
    for key, scores, _ in groups:
        lines += ["%s\t%d" % (key, s) for s in scores]
    agg = subprocess.run([BIN + "/nps-agg", "-g", "g"], input=("\n".join(lines) + "\n").encode(),
                         stdout=subprocess.PIPE, check=True).stdout.decode()
    pairs = run(["nps-signif"], agg)
    tiers = run(["nps-signif", "--tiers"], agg)
    sig = {}
    for r in pairs:
        if r["significant"] != "small":
            sig[frozenset((r["a"], r["b"]))] = r["significant"] == "yes"
    letters = {}
    for r in tiers:
        if r["small_n"] == "yes":
            close(r["key"] + " small: no tier", r["tier"] + r["letters"], None, 0)
            continue
        sep = "," if "," in "".join(t["letters"] for t in tiers) else ""
        letters[r["key"]] = set(r["letters"].split(",") if sep else r["letters"])
    keys = [r["key"] for r in tiers if r["key"] in letters]
    bad = 0
    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            if bool(letters[a] & letters[b]) == sig[frozenset((a, b))]:
                bad += 1
    tier_of = {r["key"]: int(r["tier"]) for r in tiers if r["key"] in letters}
    t, assigned = 0, {}
    for i, a in enumerate(keys):
        if a in assigned:
            continue
        t += 1
        assigned[a] = t
        for b in keys[i + 1:]:
            if b not in assigned and not sig[frozenset((a, b))]:
                assigned[b] = t
    if bad or assigned != tier_of:
        close("tiers: %d pairs whose letters contradict their verdict" % bad, "", 0.0, 0)
    print("nps-signif --tiers: %d keys, letters and tiers agree with all %d pairs' verdicts"
          % (len(keys), len(keys) * (len(keys) - 1) // 2))



check_score_sweep()
check_tiers(make_groups(300))
groups = make_groups(1000)
for weighted in (False, True):
    rows = check_agg(groups, weighted)
    check_signif(groups, weighted, rows)
if failures:
    sys.exit(1)
print("all figures agree")
