"""Peer benchmark helper (issue 19): the DuckDB side of bench/peer.sh.

    peer.py run --data DIR --period PERIOD --as-of YYYY-MM-DD --out FILE
        Opens the data directory's tables (`<table>.parquet` through
        read_parquet, else `<table>.csv` read as text and cast to the contract
        types; a contract column the file lacks is null, and without a
        calendar table every Monday–Friday is a workday), runs
        bench/peer_scorecard.sql for the period (a month `2026-10`, a quarter
        `2026-Q4`, a year `2026`, an ISO week `2026-W44` or a range
        `2026-01-05..2026-02-10`, as salesops reads them) and writes the
        per-rep rows to FILE (.parquet: money as DECIMAL(18,2); .csv).

    peer.py compare SALESOPS_OUT_DIR PEER.parquet
        Compares the peer's columns with salesops's scorecard.parquet (and
        its aging columns with aging.parquet) in SALESOPS_OUT_DIR, rep by rep:
        exact equality (decimals as decimals, ratios bit for bit, nulls equal
        only to nulls). Prints the count of agreeing reps × columns and every
        disagreement (up to 20); exits 1 when any value disagrees.

Needs the duckdb package (bench/peer.sh installs it into a virtual
environment).
"""

import argparse
import calendar
import datetime as dt
import os
import sys

import duckdb

HERE = os.path.dirname(os.path.abspath(__file__))
SQL = os.path.join(HERE, "peer_scorecard.sql")

# Columns the query reads, with their contract types (SPEC section 1; the
# Parquet files of `salesops generate` carry these types already).
TABLES = {
    "reps": {"rep_id": "VARCHAR", "hire_date": "DATE", "leave_date": "DATE"},
    "customers": {"customer_id": "VARCHAR", "owner_rep_id": "VARCHAR"},
    "products": {
        "product_id": "VARCHAR",
        "list_price": "DECIMAL(18,4)",
        "unit_cost": "DECIMAL(18,4)",
    },
    "visits": {
        "rep_id": "VARCHAR",
        "customer_id": "VARCHAR",
        "visit_start": "VARCHAR",
        "duration_minutes": "BIGINT",
    },
    "orders": {
        "order_id": "VARCHAR",
        "line_no": "BIGINT",
        "order_date": "DATE",
        "rep_id": "VARCHAR",
        "customer_id": "VARCHAR",
        "product_id": "VARCHAR",
        "quantity": "DECIMAL(18,4)",
        "unit_price": "DECIMAL(18,4)",
        "list_price": "DECIMAL(18,4)",
        "unit_cost": "DECIMAL(18,4)",
        "status": "VARCHAR",
        "line_amount": "DECIMAL(18,4)",
    },
    "invoices": {
        "invoice_id": "VARCHAR",
        "customer_id": "VARCHAR",
        "invoice_date": "DATE",
        "due_date": "DATE",
        "amount": "DECIMAL(18,4)",
        "order_id": "VARCHAR",
        "rep_id": "VARCHAR",
    },
    "payments": {
        "invoice_id": "VARCHAR",
        "payment_date": "DATE",
        "amount": "DECIMAL(18,4)",
    },
    "calendar": {"date": "DATE", "is_workday": "BOOLEAN"},
}

# Tables the data directory may lack: an empty view stands in for them.
OPTIONAL = {"calendar"}

# Settings salesops uses without a pipeline config (kpi::Settings::default).
CHURN_DAYS = 90
LEGACY_DAYS = 365

# The peer's columns, compared with the scorecard's columns of the same name.
COLUMNS = [
    "visits",
    "workdays",
    "visits_per_workday",
    "avg_visit_minutes",
    "visited_customers",
    "orders",
    "sales_amount",
    "cost_amount",
    "gross_margin",
    "gross_margin_pct",
    "discount_pct",
    "avg_order_value",
    "orders_per_100_visits",
    "sales_per_visit",
    "active_customers",
    "new_customers",
    "lost_customers",
    "legacy_sales_share",
    "invoiced_amount",
    "collected_amount",
    "collection_ratio",
    "repayment_cycle_days",
    "receivables_end",
    "overdue_end",
    "overdue_ratio",
    "dso_days",
]

# The peer's aging columns, compared with these columns of aging.parquet.
AGING = {
    "aging_not_due": "not_due",
    "aging_1_30": "1_30",
    "aging_31_60": "31_60",
    "aging_61_90": "61_90",
    "aging_91_plus": "91_plus",
    "aging_total": "total",
}

# Text salesops reads as a Boolean (trimmed, case-insensitive).
TRUE_WORDS = ("true", "1", "yes", "y", "t")
FALSE_WORDS = ("false", "0", "no", "n", "f")


def quote(path):
    return "'" + path.replace("'", "''") + "'"


def words(ws):
    return ", ".join(quote(w) for w in ws)


def csv_column(name, typ):
    """A CSV column (read as text) cast to its contract type."""
    if name == "visit_start":
        # The date as written (SPEC section 1: a timestamp with a UTC offset
        # is an event at that local wall-clock time).
        return f"CAST(left(trim({name}), 10) AS DATE)"
    if typ == "VARCHAR":
        return f"nullif({name}, '')"
    if typ == "BOOLEAN":
        t = f"lower(trim({name}))"
        return f"CASE WHEN {t} IN ({words(TRUE_WORDS)}) THEN true WHEN {t} IN ({words(FALSE_WORDS)}) THEN false END"
    return f"CAST(nullif(trim({name}), '') AS {typ})"


def parquet_column(name, typ):
    """A Parquet column as stored: it carries its contract type already
    (visit_start is a TIMESTAMP, whose date is the date)."""
    return name


def define_views(con, data):
    for table, cols in TABLES.items():
        pq = os.path.join(data, table + ".parquet")
        csv = os.path.join(data, table + ".csv")
        if os.path.exists(pq):
            src = f"read_parquet({quote(pq)})"
            cast = parquet_column
        elif os.path.exists(csv):
            src = f"read_csv({quote(csv)}, header = true, all_varchar = true, quote = '\"', escape = '\"')"
            cast = csv_column
        elif table in OPTIONAL:
            nulls = ", ".join(f"CAST(NULL AS {typ}) AS {name}" for name, typ in cols.items())
            con.execute(f"CREATE VIEW {table} AS SELECT {nulls} WHERE false")
            continue
        else:
            sys.exit(f"peer.py: {data} has no {table}.parquet or {table}.csv")
        present = {d[0] for d in con.execute(f"SELECT * FROM {src} LIMIT 0").description}
        parts = [
            f"{cast(name, typ)} AS {name}" if name in present else f"CAST(NULL AS {typ}) AS {name}"
            for name, typ in cols.items()
        ]
        con.execute(f"CREATE VIEW {table} AS SELECT {', '.join(parts)} FROM {src}")


def period_bounds(period):
    """First and nominal last day of a period, as salesops parses it
    (src/period.rs): a month, a quarter, a year, an ISO week or a range."""
    t = period.strip()
    if ".." in t:
        a, b = (dt.date.fromisoformat(x.strip()) for x in t.split("..", 1))
        if b < a:
            sys.exit(f"peer.py: period {t} ends before it starts")
        return a, b
    parts = t.split("-")
    year = int(parts[0])
    if len(parts) == 1:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    kind = parts[1][:1].upper()
    if kind == "Q":
        first = (int(parts[1][1:]) - 1) * 3 + 1
        last = first + 2
        return dt.date(year, first, 1), dt.date(year, last, calendar.monthrange(year, last)[1])
    if kind == "W":
        start = dt.date.fromisocalendar(year, int(parts[1][1:]), 1)
        return start, start + dt.timedelta(days=6)
    month = int(parts[1])
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def run(args):
    start, end = period_bounds(args.period)
    as_of = dt.date.fromisoformat(args.as_of)
    if as_of < start:
        sys.exit("peer.py: as_of is before the period start (rule 1)")
    pe = min(end, as_of)
    con = duckdb.connect()
    if args.threads:
        con.execute(f"SET threads = {int(args.threads)}")
    define_views(con, args.data)
    con.execute("SET VARIABLE period = ?", [args.period])
    con.execute("SET VARIABLE start = CAST(? AS DATE)", [start.isoformat()])
    con.execute("SET VARIABLE pe = CAST(? AS DATE)", [pe.isoformat()])
    con.execute("SET VARIABLE as_of = CAST(? AS DATE)", [as_of.isoformat()])
    con.execute(f"SET VARIABLE churn_days = {CHURN_DAYS}")
    con.execute(f"SET VARIABLE legacy_days = {LEGACY_DAYS}")
    with open(SQL, encoding="utf-8") as f:
        query = f.read().strip().rstrip(";")
    fmt = "CSV, HEADER" if args.out.endswith(".csv") else "PARQUET"
    con.execute(f"COPY ({query}) TO {quote(args.out)} (FORMAT {fmt})")


def compare(args):
    con = duckdb.connect()
    ours = f"read_parquet({quote(os.path.join(args.salesops, 'scorecard.parquet'))})"
    aging = f"read_parquet({quote(os.path.join(args.salesops, 'aging.parquet'))})"
    peer = f"read_parquet({quote(args.peer)})"
    n_ours = con.execute(f"SELECT count(*) FROM {ours}").fetchone()[0]
    n_aging = con.execute(f"SELECT count(*) FROM {aging}").fetchone()[0]
    n_peer = con.execute(f"SELECT count(*) FROM {peer}").fetchone()[0]
    # salesops's scorecard row of each rep with its aging row's buckets.
    buckets = ", ".join(f'a."{src}" AS {name}' for name, src in AGING.items())
    salesops = f"(SELECT s.*, {buckets} FROM {ours} AS s LEFT JOIN {aging} AS a ON a.rep_id = s.rep_id)"
    columns = COLUMNS + list(AGING)
    cells = ", ".join(
        f"s.{c} IS NOT DISTINCT FROM p.{c} AS {c}_eq, s.{c} AS {c}_s, p.{c} AS {c}_p" for c in columns
    )
    rows = con.execute(
        f"SELECT coalesce(s.rep_id, p.rep_id) AS rep_id, s.rep_id IS NOT NULL AND p.rep_id IS NOT NULL AS both, {cells} "
        f"FROM {salesops} AS s FULL JOIN {peer} AS p ON s.rep_id = p.rep_id ORDER BY 1"
    ).fetchall()
    agree = 0
    per_column = {c: 0 for c in columns}
    bad = []
    for row in rows:
        rep, both = row[0], row[1]
        for k, c in enumerate(columns):
            eq, s, p = row[2 + 3 * k : 5 + 3 * k]
            if both and eq:
                agree += 1
                per_column[c] += 1
            else:
                bad.append((rep, c, s, p))
    total = len(rows) * len(columns)
    print(
        f"agreement: {agree} of {total} values equal ({len(rows)} reps × {len(columns)} columns; "
        f"salesops {n_ours} scorecard rows and {n_aging} aging rows, duckdb {n_peer} rows)"
    )
    for c in columns:
        if per_column[c] != len(rows):
            print(f"  {c}: {per_column[c]} of {len(rows)} reps agree")
    for rep, c, s, p in bad[:20]:
        print(f"  differs: rep {rep} {c}: salesops {s!r}, duckdb {p!r}")
    ok = agree == total and n_aging == n_ours
    return 0 if ok else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--data", required=True)
    r.add_argument("--period", required=True, help="YYYY-MM, YYYY-Qn, YYYY, YYYY-Www or FROM..TO")
    r.add_argument("--as-of", required=True)
    r.add_argument("--out", required=True)
    r.add_argument("--threads", type=int, default=0, help="DuckDB threads (default: all cores)")
    c = sub.add_parser("compare")
    c.add_argument("salesops", help="salesops's --out directory (scorecard.parquet, aging.parquet)")
    c.add_argument("peer")
    args = ap.parse_args()
    if args.cmd == "run":
        run(args)
        return 0
    return compare(args)


if __name__ == "__main__":
    sys.exit(main())
