#!/usr/bin/env python3
"""Backtest the defaults of `salesops plan`: `[plan] history_weight` and `ramp_months`.

Data: `salesops generate --scale S --seed N --end-date 2027-06-30` gives 18 months of
synthetic history (2026-01 .. 2027-06), with ~12 % of reps hired inside the window and
~10 % leaving. Each seed is generated once into the work directory (deterministic, so
it is reused on later runs unless --fresh). Binaries run one at a time.

Backtest 1 -- history weight w and ramp R jointly.
    For every seed and every (w, R) in the grid, `salesops plan --year 2027 --total 1e8
    --as-of 2026-12-31` is run with a config holding only `[plan] history_weight = w,
    ramp_months = R` (base year 2026). p_r = rep r's planned sales target summed over
    2027-01..2027-06 (no plan rows -> 0). a_r = rep r's actual sales_amount for
    2027-01-01..2027-06-30 from `salesops scorecard --by rep` (negative -> 0).
    Metric (misallocated share, 0 = perfect split, 1 = disjoint):
        M = 1/2 * sum_r | p_r / sum(p) - a_r / sum(a) |
    i.e. the share of the plan that would have to move between reps to match what they
    actually sold. The same metric is computed after summing p and a per team (team of
    reps.csv), so team-level and rep-level optima can be compared. Because only the
    split is scored, the company total (1e8) is irrelevant. Reported: mean over seeds
    per (w, R), the best cell per level, and the paired difference default - best.

Backtest 2 -- the ramp curve directly.
    orders.csv is parsed as the SPEC reads it: live lines only (status not `cancelled`,
    case-insensitive, trimmed), line amount = line_amount if given else
    round(quantity * unit_price, 2) half away from zero, each order dated and credited
    by its lowest live line_no. (The parse is checked against scorecard's H1 2027 sales
    for the backtest-1 seeds.) For each rep hired inside the data (2026-01-01 ..
    2027-06-30) whose first 12 employment months lie inside the data and who does not
    leave before the end of month 12: rate_j = sales in employment month j (j = 1 is
    the hire month) / the rep's workdays in it (calendar.csv is_workday, Mon-Fri
    otherwise, counted from hire_date). Baseline = sales / workdays over months 7..12.
    Curve c_j = rate_j / baseline, j = 1..9, averaged over reps and seeds (mean; the
    median and a pooled ratio sum(sales_j) / sum(baseline * workdays_j) are shown too).
    The plan's model is m_R(j) = min(1, j / (R + 1)); R is fitted by least squares on
    the mean curve over j = 1..9 (integer R, and R on a 0.1 grid).

Usage:
    python3 bench/plan_backtest.py [--seeds 1,2,3,4,5] [--scale 3] [--ramp-seeds 1-20]
Binary: env SALESOPS, else $CARGO_TARGET_DIR/release/salesops, else
target/release/salesops (relative to the repository root). Python 3 stdlib only.
"""

import argparse
import calendar as cal
import csv
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
END_DATE = "2027-06-30"
DATA_START = dt.date(2026, 1, 1)
DATA_END = dt.date(2027, 6, 30)
PLAN_YEAR = 2027
AS_OF = "2026-12-31"
H1 = [f"{PLAN_YEAR}-{m:02d}" for m in range(1, 7)]
DEFAULT_W, DEFAULT_R = 0.8, 3  # pipelines/kpi.toml [plan]
CENT = Decimal("0.01")


def binary_path():
    if os.environ.get("SALESOPS"):
        return os.environ["SALESOPS"]
    target = os.environ.get("CARGO_TARGET_DIR")
    base = Path(target) if target else REPO / "target"
    return str(base / "release" / "salesops")


def int_list(text):
    """`1,2,5` or `1-20` or a mix: `1-3,7`."""
    out = []
    for part in text.split(","):
        part = part.strip()
        if "-" in part:
            lo, hi = part.split("-")
            out.extend(range(int(lo), int(hi) + 1))
        elif part:
            out.append(int(part))
    return out


def float_list(text):
    return [float(x) for x in text.split(",") if x.strip()]


def run(cmd):
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit(f"command failed ({res.returncode}): {' '.join(cmd)}\n{res.stderr}")
    return res.stdout


def dataset(bin_, workdir, scale, seed, fresh):
    d = workdir / f"scale{scale:g}_seed{seed}"
    if fresh or not (d / "orders.csv").exists() or not (d / "reps.csv").exists():
        run([bin_, "generate", "--out", str(d), "--scale", f"{scale:g}", "--seed", str(seed),
             "--end-date", END_DATE])
    return d


def read_reps(d):
    with open(d / "reps.csv", newline="", encoding="utf-8") as f:
        return {r["rep_id"]: r for r in csv.DictReader(f)}


def plan_h1(bin_, workdir, d, w, r, total):
    cfg = workdir / f"cfg_w{w:g}_R{r}.toml"
    cfg.write_text(f"[plan]\nhistory_weight = {w!r}\nramp_months = {r}\n")
    out = workdir / "targets_tmp.csv"
    run([bin_, "plan", "--data", str(d), "--year", str(PLAN_YEAR), "--total", total,
         "--as-of", AS_OF, "--config", str(cfg), "--out", str(out)])
    p = defaultdict(Decimal)
    with open(out, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["period"] in H1 and row["sales_target"]:
                p[row["rep_id"]] += Decimal(row["sales_target"])
    return p


def actual_h1(bin_, d):
    text = run([bin_, "scorecard", "--data", str(d), "--period", f"{PLAN_YEAR}-01-01..{END_DATE}",
                "--as-of", END_DATE, "--by", "rep", "--format", "csv",
                "--columns", "rep_id,sales_amount"])
    return {row["rep_id"]: Decimal(row["sales_amount"] or "0")
            for row in csv.DictReader(text.splitlines())}


def misallocation(p, a):
    sp = sum(max(v, 0) for v in p.values())
    sa = sum(max(v, 0) for v in a.values())
    keys = set(p) | set(a)
    return 0.5 * sum(abs(float(max(p.get(k, 0), 0) / sp) - float(max(a.get(k, 0), 0) / sa))
                     for k in keys)


def by_team(values, reps):
    out = defaultdict(Decimal)
    for k, v in values.items():
        out[reps[k]["team"] if k in reps else "(no team)"] += max(v, 0)
    return out


# --------------------------------------------------------------------------- orders


def month_key(date):
    return date.year * 12 + date.month - 1


def parse_orders(d):
    """Sales per (rep_id, month_key) as the SPEC attributes them."""
    orders = {}  # order_id -> [lowest live line_no, date, rep, amount]
    with open(d / "orders.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["status"].strip().lower() == "cancelled":
                continue
            if row["line_amount"]:
                amt = Decimal(row["line_amount"]).quantize(CENT, ROUND_HALF_UP)
            else:
                amt = (Decimal(row["quantity"]) * Decimal(row["unit_price"])).quantize(CENT, ROUND_HALF_UP)
            n = int(row["line_no"])
            o = orders.get(row["order_id"])
            if o is None:
                orders[row["order_id"]] = [n, row["order_date"], row["rep_id"], amt]
            else:
                o[3] += amt
                if n < o[0]:
                    o[0], o[1], o[2] = n, row["order_date"], row["rep_id"]
    sales = defaultdict(Decimal)
    for _, date, rep, amt in orders.values():
        day = dt.date.fromisoformat(date)
        if day <= DATA_END:
            sales[(rep, month_key(day))] += amt
    return sales


def read_workdays(d):
    wd = {}
    path = d / "calendar.csv"
    if path.exists():
        with open(path, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                wd[dt.date.fromisoformat(row["date"])] = row["is_workday"].strip().lower() == "true"
    return wd


def is_workday(day, cal_wd):
    return cal_wd.get(day, day.weekday() < 5)


def month_bounds(mk):
    y, m = divmod(mk, 12)
    m += 1
    return dt.date(y, m, 1), dt.date(y, m, cal.monthrange(y, m)[1])


def rep_workdays(mk, hire, leave, cal_wd):
    lo, hi = month_bounds(mk)
    lo, hi = max(lo, hire), min(hi, leave or hi, DATA_END)
    n, day = 0, lo
    while day <= hi:
        n += is_workday(day, cal_wd)
        day += dt.timedelta(days=1)
    return n


def ramp_cases(d, sales):
    """One (sales_j, workdays_j, baseline) record per eligible hire."""
    reps = read_reps(d)
    cal_wd = read_workdays(d)
    cases = []
    for rep_id, r in reps.items():
        if not r["hire_date"]:
            continue
        hire = dt.date.fromisoformat(r["hire_date"])
        leave = dt.date.fromisoformat(r["leave_date"]) if r["leave_date"] else None
        if not DATA_START <= hire <= DATA_END:
            continue
        h = month_key(hire)
        last = h + 11
        if last > month_key(DATA_END):
            continue
        if leave is not None and leave < month_bounds(last)[1]:
            continue
        s = [sales.get((rep_id, h + j), Decimal(0)) for j in range(12)]
        w = [rep_workdays(h + j, hire, leave, cal_wd) for j in range(12)]
        if sum(w[6:12]) == 0:
            continue
        base = float(sum(s[6:12])) / sum(w[6:12])
        if base <= 0:
            continue
        cases.append({"rep": rep_id, "hire": r["hire_date"], "sales": [float(x) for x in s],
                      "wd": w, "base": base})
    return cases


def ramp_model(j, r):
    return min(1.0, j / (r + 1))


def sse(curve, r):
    return sum((c - ramp_model(j, r)) ** 2 for j, c in enumerate(curve, start=1) if c is not None)


# --------------------------------------------------------------------------- main


def fmt_grid(title, grid, weights, ramps, mark):
    lines = [title, "  w \\ R " + "".join(f"{r:>8d}" for r in ramps)]
    for w in weights:
        cells = []
        for r in ramps:
            s = f"{grid[(w, r)]:.4f}"
            s += "*" if (w, r) == mark else ("d" if (w, r) == (DEFAULT_W, DEFAULT_R) else " ")
            cells.append(f"{s:>8}")
        lines.append(f"  {w:5.2f}  " + "".join(cells))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", default="1,2,3,4,5", help="backtest-1 seeds (e.g. 1,2,3 or 1-5)")
    ap.add_argument("--scale", type=float, default=3.0)
    ap.add_argument("--ramp-seeds", default="1-20",
                    help="backtest-2 seeds (cheap: generate + parse only)")
    ap.add_argument("--weights", default="0,0.3,0.5,0.6,0.7,0.8,0.9,1.0")
    ap.add_argument("--ramps", default="0,1,2,3,4,6")
    ap.add_argument("--total", default="100000000")
    ap.add_argument("--workdir", default="/tmp/plan_backtest")
    ap.add_argument("--fresh", action="store_true", help="regenerate the data sets")
    ap.add_argument("--skip", choices=["1", "2"], help="skip backtest 1 or 2")
    args = ap.parse_args()

    t0 = time.time()
    bin_ = binary_path()
    if not os.access(bin_, os.X_OK):
        sys.exit(f"salesops binary not found at {bin_} (set SALESOPS)")
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    seeds, ramp_seeds = int_list(args.seeds), int_list(args.ramp_seeds)
    weights, ramps = float_list(args.weights), int_list(args.ramps)
    print(f"binary: {bin_}")
    print(f"scale {args.scale:g}; data {DATA_START}..{END_DATE}; plan {PLAN_YEAR} as of {AS_OF}, "
          f"scored on H1 {PLAN_YEAR}")
    print(f"backtest-1 seeds: {seeds}; grid w={weights} x R={ramps}")
    print(f"backtest-2 seeds: {ramp_seeds}\n")

    parsed = {}

    if args.skip != "1":
        per = {lvl: defaultdict(list) for lvl in ("rep", "team")}
        checks = []
        for seed in seeds:
            d = dataset(bin_, workdir, args.scale, seed, args.fresh)
            reps = read_reps(d)
            act = actual_h1(bin_, d)
            act_pos = {k: max(v, Decimal(0)) for k, v in act.items()}
            # parser check against the scorecard (used by backtest 2)
            sales = parse_orders(d)
            parsed[seed] = sales
            h1 = defaultdict(Decimal)
            for (rep, mk), v in sales.items():
                if mk >= month_key(dt.date(PLAN_YEAR, 1, 1)):
                    h1[rep] += v
            checks.append(max(abs(h1.get(k, 0) - act.get(k, 0)) for k in set(h1) | set(act)))
            hires = sum(1 for r in reps.values()
                        if r["hire_date"] and AS_OF < r["hire_date"] <= END_DATE)
            n_plan = None
            for w in weights:
                for r in ramps:
                    p = plan_h1(bin_, workdir, d, w, r, args.total)
                    n_plan = len(p)
                    per["rep"][(w, r)].append(misallocation(p, act_pos))
                    per["team"][(w, r)].append(misallocation(by_team(p, reps), by_team(act_pos, reps)))
            print(f"seed {seed}: {len(reps)} reps, {n_plan} planned, {hires} hired in H1 {PLAN_YEAR}, "
                  f"{len({r['team'] for r in reps.values()})} teams  ({time.time() - t0:.0f}s)")
        print(f"orders.csv parse vs scorecard H1 sales, max |diff| per rep over seeds: "
              f"{max(checks)}\n")

        print("=== Backtest 1: misallocated share 1/2*sum|p/P - a/A|, mean over seeds "
              f"(* best, d default w={DEFAULT_W} R={DEFAULT_R}) ===")
        for lvl in ("rep", "team"):
            mean = {k: statistics.mean(v) for k, v in per[lvl].items()}
            best = min(mean, key=mean.get)
            print(fmt_grid(f"\n[{lvl} level]", mean, weights, ramps, best))
            diffs = [x - y for x, y in zip(per[lvl][(DEFAULT_W, DEFAULT_R)], per[lvl][best])] \
                if (DEFAULT_W, DEFAULT_R) in per[lvl] else []
            print(f"  best: w={best[0]:g} R={best[1]}  mean {mean[best]:.4f}; per seed "
                  + ", ".join(f"{x:.4f}" for x in per[lvl][best]))
            if diffs:
                sd = statistics.stdev(diffs) if len(diffs) > 1 else float("nan")
                print(f"  default w={DEFAULT_W} R={DEFAULT_R}: mean {mean[(DEFAULT_W, DEFAULT_R)]:.4f}; "
                      f"default - best per seed mean {statistics.mean(diffs):+.4f} (sd {sd:.4f})")
            for w in (DEFAULT_W,):
                row = {r: mean[(w, r)] for r in ramps if (w, r) in mean}
                if row:
                    rb = min(row, key=row.get)
                    print(f"  at w={w:g}: best R={rb} ({row[rb]:.4f}); spread over R "
                          f"{max(row.values()) - min(row.values()):.4f}")
            wbest = {w: min(mean[(w, r)] for r in ramps) for w in weights}
            print("  best over R, by w: " + "  ".join(f"{w:g}:{v:.4f}" for w, v in wbest.items()))

    if args.skip != "2":
        print("\n=== Backtest 2: sales per workday in employment month j / the rep's months 7-12 rate ===")
        cases = []
        for seed in ramp_seeds:
            d = dataset(bin_, workdir, args.scale, seed, args.fresh)
            sales = parsed.get(seed) or parse_orders(d)
            for c in ramp_cases(d, sales):
                c["seed"] = seed
                cases.append(c)
        print(f"eligible hires (12 months in data, not left): {len(cases)} "
              f"over {len(ramp_seeds)} seeds")
        if cases:
            mean_c, rows = [], []
            for j in range(1, 10):
                rel = [c["sales"][j - 1] / c["wd"][j - 1] / c["base"] for c in cases if c["wd"][j - 1] > 0]
                pooled = sum(c["sales"][j - 1] for c in cases) / sum(c["base"] * c["wd"][j - 1] for c in cases)
                m = statistics.mean(rel) if rel else None
                mean_c.append(m)
                rows.append((j, len(rel), m, statistics.median(rel) if rel else None, pooled,
                             statistics.stdev(rel) / len(rel) ** 0.5 if len(rel) > 1 else float("nan")))
            pooled_c = [r[4] for r in rows]
            print("   j    n    mean  (se)    median  pooled | m_R(j) R=0    1     2     3     4     6")
            for j, n, m, med, pool, se in rows:
                ms = " ".join(f"{ramp_model(j, r):5.2f}" for r in (0, 1, 2, 3, 4, 6))
                print(f"  {j:2d} {n:4d}  {m:6.3f} ({se:.3f})  {med:6.3f}  {pool:6.3f} |       {ms}")
            for name, curve in (("mean", mean_c), ("pooled", pooled_c)):
                errs = {r: sse(curve, r) for r in range(0, 13)}
                rb = min(errs, key=errs.get)
                fine = {r / 10: sse(curve, r / 10) for r in range(0, 121)}
                rf = min(fine, key=fine.get)
                print(f"  LSQ fit on {name} curve: " + " ".join(f"R{r}={e:.3f}" for r, e in errs.items() if r <= 8)
                      + f"\n    best integer R={rb} (SSE {errs[rb]:.4f}); best on 0.1 grid R={rf:.1f} "
                      f"(SSE {fine[rf]:.4f})")

    print(f"\nruntime {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
