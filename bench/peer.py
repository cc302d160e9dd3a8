"""Peer benchmark helper (issue 19): the DuckDB side of bench/peer.sh.

    peer.py run --data DIR --period YYYY-MM --as-of YYYY-MM-DD --out FILE
        Opens the data directory's tables (`<table>.parquet` through
        read_parquet, else `<table>.csv` read as text and cast to the contract
        types), runs bench/peer_scorecard.sql for the month and writes the
        per-rep rows to FILE (.parquet: money as DECIMAL(18,2); .csv).

    peer.py compare SALESOPS_SCORECARD.parquet PEER.parquet
        Compares the peer's columns with salesops's scorecard rep by rep:
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
    "reps": {"rep_id": "VARCHAR"},
    "customers": {"customer_id": "VARCHAR", "owner_rep_id": "VARCHAR"},
    "products": {
        "product_id": "VARCHAR",
        "unit_cost": "DECIMAL(18,4)",
    },
    "visits": {"rep_id": "VARCHAR", "visit_start": "VARCHAR"},
    "orders": {
        "order_id": "VARCHAR",
        "line_no": "BIGINT",
        "order_date": "DATE",
        "rep_id": "VARCHAR",
        "product_id": "VARCHAR",
        "quantity": "DECIMAL(18,4)",
        "unit_price": "DECIMAL(18,4)",
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
}

# The peer's columns, all compared with the scorecard's columns of the same name.
COLUMNS = [
    "visits",
    "orders",
    "sales_amount",
    "cost_amount",
    "gross_margin",
    "gross_margin_pct",
    "invoiced_amount",
    "collected_amount",
    "collection_ratio",
    "receivables_end",
    "overdue_end",
]


def quote(path):
    return "'" + path.replace("'", "''") + "'"


def define_views(con, data):
    for table, cols in TABLES.items():
        pq = os.path.join(data, table + ".parquet")
        csv = os.path.join(data, table + ".csv")
        if os.path.exists(pq):
            src = f"read_parquet({quote(pq)})"
            # Parquet visit_start is a TIMESTAMP: its date is the date.
            select = "*"
        elif os.path.exists(csv):
            src = f"read_csv({quote(csv)}, header = true, all_varchar = true, quote = '\"', escape = '\"')"
            parts = []
            for name, typ in cols.items():
                if name == "visit_start":
                    # The date as written (SPEC section 1: a timestamp with a
                    # UTC offset is an event at that local wall-clock time).
                    parts.append(f"CAST(left(trim({name}), 10) AS DATE) AS {name}")
                elif typ == "VARCHAR":
                    parts.append(f"nullif({name}, '') AS {name}")
                else:
                    parts.append(f"CAST(nullif(trim({name}), '') AS {typ}) AS {name}")
            select = ", ".join(parts)
        else:
            sys.exit(f"peer.py: {data} has no {table}.parquet or {table}.csv")
        con.execute(f"CREATE VIEW {table} AS SELECT {select} FROM {src}")


def month_bounds(period):
    year, month = (int(x) for x in period.split("-"))
    start = dt.date(year, month, 1)
    end = dt.date(year, month, calendar.monthrange(year, month)[1])
    return start, end


def run(args):
    start, end = month_bounds(args.period)
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
    with open(SQL, encoding="utf-8") as f:
        query = f.read().strip().rstrip(";")
    fmt = "CSV, HEADER" if args.out.endswith(".csv") else "PARQUET"
    con.execute(f"COPY ({query}) TO {quote(args.out)} (FORMAT {fmt})")


def compare(args):
    con = duckdb.connect()
    ours = f"read_parquet({quote(args.salesops)})"
    peer = f"read_parquet({quote(args.peer)})"
    n_ours = con.execute(f"SELECT count(*) FROM {ours}").fetchone()[0]
    n_peer = con.execute(f"SELECT count(*) FROM {peer}").fetchone()[0]
    cells = ", ".join(
        f"s.{c} IS NOT DISTINCT FROM p.{c} AS {c}_eq, s.{c} AS {c}_s, p.{c} AS {c}_p" for c in COLUMNS
    )
    rows = con.execute(
        f"SELECT coalesce(s.rep_id, p.rep_id) AS rep_id, s.rep_id IS NOT NULL AND p.rep_id IS NOT NULL AS both, {cells} "
        f"FROM {ours} AS s FULL JOIN {peer} AS p ON s.rep_id = p.rep_id ORDER BY 1"
    ).fetchall()
    agree = 0
    per_column = {c: 0 for c in COLUMNS}
    bad = []
    for row in rows:
        rep, both = row[0], row[1]
        for k, c in enumerate(COLUMNS):
            eq, s, p = row[2 + 3 * k : 5 + 3 * k]
            if both and eq:
                agree += 1
                per_column[c] += 1
            else:
                bad.append((rep, c, s, p))
    total = len(rows) * len(COLUMNS)
    print(
        f"agreement: {agree} of {total} values equal ({len(rows)} reps × {len(COLUMNS)} columns; "
        f"salesops {n_ours} rows, duckdb {n_peer} rows)"
    )
    for c in COLUMNS:
        if per_column[c] != len(rows):
            print(f"  {c}: {per_column[c]} of {len(rows)} reps agree")
    for rep, c, s, p in bad[:20]:
        print(f"  differs: rep {rep} {c}: salesops {s!r}, duckdb {p!r}")
    return 0 if agree == total else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--data", required=True)
    r.add_argument("--period", required=True, help="a month, YYYY-MM")
    r.add_argument("--as-of", required=True)
    r.add_argument("--out", required=True)
    r.add_argument("--threads", type=int, default=0, help="DuckDB threads (default: all cores)")
    c = sub.add_parser("compare")
    c.add_argument("salesops")
    c.add_argument("peer")
    args = ap.parse_args()
    if args.cmd == "run":
        run(args)
        return 0
    return compare(args)


if __name__ == "__main__":
    sys.exit(main())
