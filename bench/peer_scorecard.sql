-- Peer benchmark (issue 19): the scorecard's visit, order, sales, margin,
-- collection and receivable columns per rep for one period, in plain DuckDB
-- SQL, from the same tables `salesops kpi` reads (SPEC sections 2, 3 and 6).
--
-- bench/peer.py defines the views reps, customers, products, visits, orders,
-- invoices and payments (over read_parquet, or over read_csv with every
-- column cast to its contract type) and the variables
--   period  VARCHAR  the period label written in the output ('2026-10')
--   start   DATE     first day of the period
--   pe      DATE     min(nominal period end, as_of)            (rule 1)
--   as_of   DATE     last day of data included                 (rule 1)
-- then runs this query and writes its rows to a file.
--
-- Money is exact: DECIMAL throughout, every money value read rounded to the
-- cent half away from zero (DuckDB's ROUND on DECIMAL does exactly that),
-- line amounts round(quantity × price, 2) in DECIMAL(38,8) so no product can
-- overflow, sums in DECIMAL(38,2). Ratios are computed from integer cents
-- (BIGINT → DOUBLE), like salesops does, so they agree to the last bit.
--
-- Columns (names as in the scorecard): visits, orders, sales_amount,
-- cost_amount, gross_margin, gross_margin_pct, invoiced_amount,
-- collected_amount, collection_ratio, receivables_end, overdue_end.
-- Left out: everything else of the scorecard (workdays, distinct customers,
-- new/lost/legacy customers, discounts, pipeline, targets, ...): issue 19 asks
-- for the visit, order, sales, margin, collection and receivable columns.
WITH
-- Live order lines dated ≤ as_of (rule 4: status `cancelled`, trimmed and
-- case-insensitive, is ignored everywhere; a null status is live), priced:
-- line_amount = the given line amount (money, rounded to the cent as read),
-- else round(quantity × unit_price, 2); line_cost = round(quantity ×
-- unit_cost, 2) with the line's unit_cost, else the product's (rule 5).
lines AS (
    SELECT
        o.order_id,
        o.line_no,
        o.order_date,
        o.rep_id,
        coalesce(
            round(o.line_amount, 2),
            round(CAST(o.quantity AS DECIMAL(38, 4)) * CAST(o.unit_price AS DECIMAL(38, 4)), 2)
        ) AS line_amount,
        round(
            CAST(o.quantity AS DECIMAL(38, 4))
                * CAST(coalesce(o.unit_cost, p.unit_cost) AS DECIMAL(38, 4)),
            2
        ) AS line_cost
    FROM orders AS o
    LEFT JOIN products AS p ON p.product_id = o.product_id
    WHERE o.order_date <= getvariable('as_of')
      -- Rust's str::trim strips Unicode White_Space; so does this list.
      AND NOT coalesce(
            lower(trim(o.status, ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)
                || chr(133) || chr(160) || chr(5760) || chr(8192) || chr(8193) || chr(8194)
                || chr(8195) || chr(8196) || chr(8197) || chr(8198) || chr(8199) || chr(8200)
                || chr(8201) || chr(8202) || chr(8232) || chr(8233) || chr(8239) || chr(8287)
                || chr(12288))) = 'cancelled',
            false)
),
-- Orders (rule 4): an order_id with at least one live line; its date and rep
-- are those of its lowest live line_no.
heads AS (
    SELECT
        order_id,
        arg_min(order_date, line_no) AS order_date,
        arg_min(rep_id, line_no) AS rep_id
    FROM lines
    GROUP BY order_id
),
-- sales_amount / cost_amount: Σ over live lines dated in [start, PE], each
-- credited to its line's rep. A line without a cost (neither on the line nor
-- on the product) nulls its rep's cost and margin (rule 5).
sales AS (
    SELECT
        rep_id,
        sum(line_amount) AS sales_amount,
        sum(line_cost) AS cost_sum,
        bool_or(line_cost IS NULL) AS cost_missing
    FROM lines
    WHERE order_date BETWEEN getvariable('start') AND getvariable('pe')
    GROUP BY rep_id
),
-- orders: distinct orders whose date is in [start, PE], credited to the
-- order's rep (the rep of its lowest live line).
order_counts AS (
    SELECT rep_id, count(*) AS orders
    FROM heads
    WHERE order_date BETWEEN getvariable('start') AND getvariable('pe')
    GROUP BY rep_id
),
-- visits: visits whose visit_start date is in [start, PE].
visit_counts AS (
    SELECT rep_id, count(*) AS visits
    FROM visits
    WHERE CAST(visit_start AS DATE) BETWEEN getvariable('start') AND getvariable('pe')
    GROUP BY rep_id
),
-- Invoices of every date with their attributed rep (SPEC section 2): the
-- invoice's rep_id, else the rep of its order (lowest live line dated ≤
-- as_of), else the customer's owner_rep_id. An invoice whose rep does not
-- resolve is left out, with its payments (salesops warns about it).
attributed AS (
    SELECT
        i.invoice_id,
        i.invoice_date,
        i.due_date,
        round(i.amount, 2) AS amount,
        coalesce(i.rep_id, h.rep_id, c.owner_rep_id) AS rep_id
    FROM invoices AS i
    LEFT JOIN heads AS h ON h.order_id = i.order_id
    LEFT JOIN customers AS c ON c.customer_id = i.customer_id
),
invoices_cut AS (
    SELECT * FROM attributed
    WHERE rep_id IS NOT NULL AND invoice_date <= getvariable('as_of')
),
-- Payments dated ≤ as_of, credited to the rep of their invoice (of any date:
-- a prepayment on an invoice dated after as_of is still cash collected).
paid AS (
    SELECT p.invoice_id, p.payment_date, round(p.amount, 2) AS amount, a.rep_id
    FROM payments AS p
    JOIN attributed AS a ON a.invoice_id = p.invoice_id
    WHERE a.rep_id IS NOT NULL AND p.payment_date <= getvariable('as_of')
),
-- invoiced_amount: Σ amount of invoices dated in [start, PE], credit notes
-- (amount ≤ 0) included (rule 8).
invoiced AS (
    SELECT rep_id, sum(amount) AS invoiced_amount
    FROM invoices_cut
    WHERE invoice_date BETWEEN getvariable('start') AND getvariable('pe')
    GROUP BY rep_id
),
-- collected_amount: Σ payments dated in [start, PE], refunds included.
collected AS (
    SELECT rep_id, sum(amount) AS collected_amount
    FROM paid
    WHERE payment_date BETWEEN getvariable('start') AND getvariable('pe')
    GROUP BY rep_id
),
-- Receivables at PE (rule 8): per invoice with amount > 0 dated ≤ PE,
-- outstanding = max(0, amount − Σ its payments dated ≤ PE) (an overpayment
-- never offsets another invoice; a credit note adds nothing);
-- overdue_end = the outstanding of invoices with due_date < PE.
paid_pe AS (
    SELECT invoice_id, sum(amount) AS paid
    FROM paid
    WHERE payment_date <= getvariable('pe')
    GROUP BY invoice_id
),
outstanding AS (
    SELECT
        i.rep_id,
        i.due_date,
        greatest(i.amount - coalesce(pp.paid, 0), 0) AS outstanding
    FROM invoices_cut AS i
    LEFT JOIN paid_pe AS pp ON pp.invoice_id = i.invoice_id
    WHERE i.amount > 0 AND i.invoice_date <= getvariable('pe')
),
receivables AS (
    SELECT
        rep_id,
        sum(outstanding) AS receivables_end,
        coalesce(sum(outstanding) FILTER (WHERE due_date < getvariable('pe')), 0) AS overdue_end
    FROM outstanding
    GROUP BY rep_id
),
-- One row per rep of the reps table (rule 11), zero-filled.
per_rep AS (
    SELECT
        r.rep_id,
        coalesce(v.visits, 0) AS visits,
        coalesce(oc.orders, 0) AS orders,
        coalesce(s.sales_amount, 0) AS sales_amount,
        CASE WHEN coalesce(s.cost_missing, false) THEN NULL
             ELSE coalesce(s.cost_sum, 0) END AS cost_amount,
        coalesce(iv.invoiced_amount, 0) AS invoiced_amount,
        coalesce(co.collected_amount, 0) AS collected_amount,
        coalesce(rc.receivables_end, 0) AS receivables_end,
        coalesce(rc.overdue_end, 0) AS overdue_end
    FROM reps AS r
    LEFT JOIN visit_counts AS v ON v.rep_id = r.rep_id
    LEFT JOIN order_counts AS oc ON oc.rep_id = r.rep_id
    LEFT JOIN sales AS s ON s.rep_id = r.rep_id
    LEFT JOIN invoiced AS iv ON iv.rep_id = r.rep_id
    LEFT JOIN collected AS co ON co.rep_id = r.rep_id
    LEFT JOIN receivables AS rc ON rc.rep_id = r.rep_id
)
SELECT
    getvariable('period') AS period,
    rep_id,
    CAST(visits AS BIGINT) AS visits,
    CAST(orders AS BIGINT) AS orders,
    CAST(sales_amount AS DECIMAL(18, 2)) AS sales_amount,
    CAST(cost_amount AS DECIMAL(18, 2)) AS cost_amount,
    CAST(sales_amount - cost_amount AS DECIMAL(18, 2)) AS gross_margin,
    -- A ratio with a zero denominator is null (SPEC section 2); both from cents.
    CAST(CAST((sales_amount - cost_amount) * 100 AS BIGINT) AS DOUBLE)
        / CAST(CAST(nullif(sales_amount, 0) * 100 AS BIGINT) AS DOUBLE) AS gross_margin_pct,
    CAST(invoiced_amount AS DECIMAL(18, 2)) AS invoiced_amount,
    CAST(collected_amount AS DECIMAL(18, 2)) AS collected_amount,
    CAST(CAST(collected_amount * 100 AS BIGINT) AS DOUBLE)
        / CAST(CAST(nullif(invoiced_amount, 0) * 100 AS BIGINT) AS DOUBLE) AS collection_ratio,
    CAST(receivables_end AS DECIMAL(18, 2)) AS receivables_end,
    CAST(overdue_end AS DECIMAL(18, 2)) AS overdue_end
FROM per_rep
ORDER BY rep_id
