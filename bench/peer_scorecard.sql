-- Peer benchmark (issue 19): the scorecard's visit, order, sales, margin,
-- collection and receivable columns per rep for one period, and the aging
-- table's buckets, in plain DuckDB SQL, from the same tables `salesops kpi`
-- reads (SPEC sections 2, 3 and 6), with the settings salesops uses without
-- a pipeline config.
--
-- bench/peer.py defines the views reps, customers, products, visits, orders,
-- invoices, payments and calendar (over read_parquet, or over read_csv with
-- every column cast to its contract type; calendar is empty when the data
-- folder has none) and the variables
--   period      VARCHAR  the period label written in the output ('2026-10')
--   start       DATE     first day of the period
--   pe          DATE     min(nominal period end, as_of)        (rule 1)
--   as_of       DATE     last day of data included             (rule 1)
--   churn_days  INTEGER  90, salesops' default                 (rule 7)
--   legacy_days INTEGER  365, salesops' default                (rule 7)
-- then runs this query and writes its rows to a file.
--
-- Money is exact: DECIMAL throughout, every money value read rounded to the
-- cent half away from zero (DuckDB's ROUND on DECIMAL does exactly that),
-- line amounts round(quantity × price, 2) in DECIMAL(38,8) so no product can
-- overflow, sums in DECIMAL(38,2). Ratios are computed from integer cents
-- (BIGINT → DOUBLE) in the order salesops computes them (a / b, then × 100,
-- × (1 / 100) or × 90; 1 − a / b), so they agree to the last bit; a ratio
-- with a zero denominator is null (SPEC section 2).
--
-- Columns (names as in the scorecard):
--   visits:      visits, workdays, visits_per_workday, avg_visit_minutes,
--                visited_customers
--   orders and sales: orders, sales_amount, cost_amount, gross_margin,
--                gross_margin_pct, discount_pct, avg_order_value,
--                orders_per_100_visits, sales_per_visit, active_customers,
--                new_customers, lost_customers, legacy_sales_share
--   collections and receivables: invoiced_amount, collected_amount,
--                collection_ratio, repayment_cycle_days, receivables_end,
--                overdue_end, overdue_ratio, dso_days
--   aging (compared with aging.parquet): aging_not_due, aging_1_30,
--                aging_31_60, aging_61_90, aging_91_plus, aging_total
-- Left out (not of the six families issue 19 names): opportunities and
-- pipeline (opps_*, win_rate, avg_sales_cycle_days, open/weighted pipeline,
-- forecast), expenses (expenses_amount, expense_ratio), targets and
-- attainment, run_rate_sales, discount_violations, cross_region_lines,
-- flags_count, visits_per_active_customer, elapsed/total_workdays, the
-- funnel, the flags table, the customer view and the roll-ups.
WITH
-- Live order lines dated ≤ as_of (rule 4: status `cancelled`, trimmed and
-- case-insensitive, is ignored everywhere; a null status is live). Not
-- materialized: the heads read a few columns of every line, the period's
-- lines every column of the few row groups the date filter leaves.
live AS NOT MATERIALIZED (
    SELECT
        order_id, line_no, order_date, rep_id, customer_id, product_id,
        quantity, unit_price, list_price, unit_cost, line_amount
    FROM orders
    WHERE order_date <= getvariable('as_of')
      -- Rust's str::trim strips Unicode White_Space; so does this list.
      AND NOT coalesce(
            lower(trim(status, ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)
                || chr(133) || chr(160) || chr(5760) || chr(8192) || chr(8193) || chr(8194)
                || chr(8195) || chr(8196) || chr(8197) || chr(8198) || chr(8199) || chr(8200)
                || chr(8201) || chr(8202) || chr(8232) || chr(8233) || chr(8239) || chr(8287)
                || chr(12288))) = 'cancelled',
            false)
),
-- Orders (rule 4): an order_id with at least one live line; its date, rep
-- and customer are those of its lowest live line_no (found as each order's
-- min(line_no) joined back to its line: (order_id, line_no) is the key).
heads AS (
    SELECT l.order_id, l.order_date, l.rep_id, l.customer_id
    FROM live AS l
    JOIN (
        SELECT order_id, min(line_no) AS line_no
        FROM live
        GROUP BY order_id
    ) AS lowest ON lowest.order_id = l.order_id AND lowest.line_no = l.line_no
),
-- Per customer (rule 7), over its orders dated ≤ as_of, any rep: the date
-- and rep of its first-ever order (the earliest date, ties to the lowest
-- order_id) and of its last order dated ≤ PE (the latest date, ties to the
-- highest order_id).
customer_orders AS (
    SELECT
        customer_id,
        min(order_date) AS first_date,
        arg_min(rep_id, (order_date, order_id)) AS first_rep,
        max(order_date) FILTER (WHERE order_date <= getvariable('pe')) AS last_date,
        arg_max(rep_id, (order_date, order_id)) FILTER (WHERE order_date <= getvariable('pe'))
            AS last_rep
    FROM heads
    GROUP BY customer_id
),
-- The live lines dated in [start, PE], priced: line_amount = the given line
-- amount (money, rounded to the cent as read), else round(quantity ×
-- unit_price, 2); line_cost = round(quantity × unit_cost, 2) and
-- line_list_amount = round(quantity × list_price, 2), each with the line's
-- own price, else the product's (rule 5).
period_lines AS (
    SELECT
        l.rep_id,
        l.customer_id,
        coalesce(
            round(l.line_amount, 2),
            round(CAST(l.quantity AS DECIMAL(38, 4)) * CAST(l.unit_price AS DECIMAL(38, 4)), 2)
        ) AS line_amount,
        round(
            CAST(l.quantity AS DECIMAL(38, 4))
                * CAST(coalesce(l.unit_cost, p.unit_cost) AS DECIMAL(38, 4)),
            2
        ) AS line_cost,
        round(
            CAST(l.quantity AS DECIMAL(38, 4))
                * CAST(coalesce(l.list_price, p.list_price) AS DECIMAL(38, 4)),
            2
        ) AS line_list_amount
    FROM live AS l
    LEFT JOIN products AS p ON p.product_id = l.product_id
    WHERE l.order_date BETWEEN getvariable('start') AND getvariable('pe')
),
-- Per line's rep: sales_amount / cost_amount / Σ line_list_amount. A line
-- without a cost (neither on the line nor on the product) nulls its rep's
-- cost and margin; one without a list price, its discount_pct (rule 5).
-- active_customers = distinct customers with a line. Legacy sales = Σ
-- line_amount of the lines whose customer's first-ever order is dated
-- ≤ start − legacy_days.
sales AS (
    SELECT
        l.rep_id,
        sum(l.line_amount) AS sales_amount,
        sum(l.line_cost) AS cost_sum,
        bool_or(l.line_cost IS NULL) AS cost_missing,
        sum(l.line_list_amount) AS list_sum,
        bool_or(l.line_list_amount IS NULL) AS list_missing,
        count(DISTINCT l.customer_id) AS active_customers,
        coalesce(
            sum(l.line_amount) FILTER (
                WHERE c.first_date <= getvariable('start') - getvariable('legacy_days')),
            0) AS legacy_sales
    FROM period_lines AS l
    LEFT JOIN customer_orders AS c ON c.customer_id = l.customer_id
    GROUP BY l.rep_id
),
-- orders: distinct orders whose date is in [start, PE], credited to the
-- order's rep (the rep of its lowest live line).
order_counts AS (
    SELECT rep_id, count(*) AS orders
    FROM heads
    WHERE order_date BETWEEN getvariable('start') AND getvariable('pe')
    GROUP BY rep_id
),
-- new_customers: customers whose first-ever order is dated in [start, PE],
-- credited to the rep of that order.
new_customers AS (
    SELECT first_rep AS rep_id, count(*) AS new_customers
    FROM customer_orders
    WHERE first_date BETWEEN getvariable('start') AND getvariable('pe')
    GROUP BY first_rep
),
-- lost_customers: customers whose last order dated ≤ PE, plus churn_days,
-- falls in [start, PE] (⇔ last ∈ [start − churn, PE − churn]), credited to
-- the rep of that last order.
lost_customers AS (
    SELECT last_rep AS rep_id, count(*) AS lost_customers
    FROM customer_orders
    WHERE last_date BETWEEN getvariable('start') - getvariable('churn_days')
                        AND getvariable('pe') - getvariable('churn_days')
    GROUP BY last_rep
),
-- visits: visits whose visit_start date is in [start, PE];
-- visited_customers = their distinct customers; avg_visit_minutes = Σ / count
-- of the non-null duration_minutes.
visit_counts AS (
    SELECT
        rep_id,
        count(*) AS visits,
        count(DISTINCT customer_id) AS visited_customers,
        sum(duration_minutes) AS duration_sum,
        count(duration_minutes) AS duration_n
    FROM visits
    WHERE CAST(visit_start AS DATE) BETWEEN getvariable('start') AND getvariable('pe')
    GROUP BY rep_id
),
-- The days of [start, PE] that are workdays (SPEC section 2): the calendar
-- table's is_workday where it has a row for the day, else Monday–Friday.
workdays_in_period AS (
    SELECT g.day
    FROM (
        SELECT CAST(generate_series AS DATE) AS day
        FROM generate_series(
            CAST(getvariable('start') AS TIMESTAMP),
            CAST(getvariable('pe') AS TIMESTAMP),
            INTERVAL 1 DAY)
    ) AS g
    LEFT JOIN calendar AS c ON c.date = g.day
    WHERE coalesce(c.is_workday, isodow(g.day) <= 5)
),
-- workdays: a rep's workdays of [start, PE] within [hire_date, leave_date].
workday_counts AS (
    SELECT r.rep_id, count(w.day) AS workdays
    FROM reps AS r
    LEFT JOIN workdays_in_period AS w
        ON w.day BETWEEN coalesce(r.hire_date, getvariable('start'))
                     AND coalesce(r.leave_date, getvariable('pe'))
    GROUP BY r.rep_id
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
-- The attributed invoices dated ≤ as_of (a filter, applied where it is read
-- rather than held as a second copy of the invoices).
invoices_cut AS NOT MATERIALIZED (
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
-- (amount ≤ 0) included (rule 8); invoiced_90d: the same over the DSO window
-- [PE − 89, PE] (rule 8).
invoiced AS (
    SELECT
        rep_id,
        coalesce(sum(amount) FILTER (WHERE invoice_date >= getvariable('start')), 0)
            AS invoiced_amount,
        coalesce(sum(amount) FILTER (WHERE invoice_date >= getvariable('pe') - 89), 0)
            AS invoiced_90d
    FROM invoices_cut
    WHERE invoice_date BETWEEN least(getvariable('start'), getvariable('pe') - 89)
                           AND getvariable('pe')
    GROUP BY rep_id
),
-- collected_amount: Σ payments dated in [start, PE], refunds included.
collected AS (
    SELECT rep_id, sum(amount) AS collected_amount
    FROM paid
    WHERE payment_date BETWEEN getvariable('start') AND getvariable('pe')
    GROUP BY rep_id
),
-- Settlement (rule 8), per invoice with amount > 0 dated ≤ PE: the first
-- payment_date on which its cumulative payments (same-day payments netted)
-- reach the amount; a later refund does not unsettle; a payment before the
-- invoice date settles it on the invoice date, so settle_date =
-- max(crossing day, invoice_date). Only an invoice dated in [start, PE] or
-- paid in it can settle in it, and a crossing ≤ PE needs only the payments
-- ≤ PE, so only those invoices and payments are read.
may_settle AS (
    SELECT invoice_id, invoice_date, amount, rep_id
    FROM invoices_cut
    WHERE amount > 0
      AND invoice_date <= getvariable('pe')
      AND (invoice_date >= getvariable('start')
           OR invoice_id IN (
               SELECT invoice_id FROM paid
               WHERE payment_date BETWEEN getvariable('start') AND getvariable('pe')))
),
crossings AS (
    SELECT invoice_id, min(payment_date) AS crossed
    FROM (
        SELECT
            d.invoice_id,
            d.payment_date,
            m.amount,
            sum(d.day_amount) OVER (PARTITION BY d.invoice_id ORDER BY d.payment_date)
                AS cum_paid
        FROM (
            SELECT invoice_id, payment_date, sum(amount) AS day_amount
            FROM paid
            WHERE payment_date <= getvariable('pe')
              AND invoice_id IN (SELECT invoice_id FROM may_settle)
            GROUP BY invoice_id, payment_date
        ) AS d
        JOIN may_settle AS m ON m.invoice_id = d.invoice_id
    )
    WHERE cum_paid >= amount
    GROUP BY invoice_id
),
-- repayment_cycle_days = mean over invoices whose settle_date is in
-- [start, PE] of (settle_date − invoice_date) in days: its Σ and count.
cycles AS (
    SELECT
        rep_id,
        sum(settle_date - invoice_date) AS cycle_days_sum,
        count(*) AS cycle_n
    FROM (
        SELECT m.rep_id, m.invoice_date, greatest(x.crossed, m.invoice_date) AS settle_date
        FROM may_settle AS m
        JOIN crossings AS x ON x.invoice_id = m.invoice_id
    )
    WHERE settle_date BETWEEN getvariable('start') AND getvariable('pe')
    GROUP BY rep_id
),
-- Receivables at PE (rule 8): per invoice with amount > 0 dated ≤ PE,
-- outstanding = max(0, amount − Σ its payments dated ≤ PE) (an overpayment
-- never offsets another invoice; a credit note adds nothing);
-- overdue_end = the outstanding of invoices with due_date < PE; aging =
-- outstanding by days past due PE − due_date: ≤ 0, 1–30, 31–60, 61–90, ≥ 91.
paid_pe AS (
    SELECT invoice_id, sum(amount) AS paid
    FROM paid
    WHERE payment_date <= getvariable('pe')
    GROUP BY invoice_id
),
outstanding AS (
    SELECT
        i.rep_id,
        getvariable('pe') - i.due_date AS past_due,
        greatest(i.amount - coalesce(pp.paid, 0), 0) AS outstanding
    FROM invoices_cut AS i
    LEFT JOIN paid_pe AS pp ON pp.invoice_id = i.invoice_id
    WHERE i.amount > 0 AND i.invoice_date <= getvariable('pe')
),
receivables AS (
    SELECT
        rep_id,
        sum(outstanding) AS receivables_end,
        coalesce(sum(outstanding) FILTER (WHERE past_due >= 1), 0) AS overdue_end,
        coalesce(sum(outstanding) FILTER (WHERE past_due <= 0), 0) AS aging_not_due,
        coalesce(sum(outstanding) FILTER (WHERE past_due BETWEEN 1 AND 30), 0) AS aging_1_30,
        coalesce(sum(outstanding) FILTER (WHERE past_due BETWEEN 31 AND 60), 0) AS aging_31_60,
        coalesce(sum(outstanding) FILTER (WHERE past_due BETWEEN 61 AND 90), 0) AS aging_61_90,
        coalesce(sum(outstanding) FILTER (WHERE past_due >= 91), 0) AS aging_91_plus
    FROM outstanding
    GROUP BY rep_id
),
-- One row per rep of the reps table (rule 11), zero-filled; money as
-- DECIMAL, and the ratios' parts as integer cents (or counts, days).
per_rep AS (
    SELECT
        r.rep_id,
        coalesce(v.visits, 0) AS visits,
        wd.workdays,
        coalesce(v.duration_sum, 0) AS duration_sum,
        coalesce(v.duration_n, 0) AS duration_n,
        coalesce(v.visited_customers, 0) AS visited_customers,
        coalesce(oc.orders, 0) AS orders,
        coalesce(s.sales_amount, 0) AS sales_amount,
        CASE WHEN coalesce(s.cost_missing, false) THEN NULL
             ELSE coalesce(s.cost_sum, 0) END AS cost_amount,
        coalesce(s.list_missing, false) AS list_missing,
        CAST(coalesce(s.sales_amount, 0) * 100 AS BIGINT) AS sales_cents,
        CAST(coalesce(s.list_sum, 0) * 100 AS BIGINT) AS list_cents,
        CAST(coalesce(s.legacy_sales, 0) * 100 AS BIGINT) AS legacy_cents,
        coalesce(s.active_customers, 0) AS active_customers,
        coalesce(nc.new_customers, 0) AS new_customers,
        coalesce(lc.lost_customers, 0) AS lost_customers,
        coalesce(iv.invoiced_amount, 0) AS invoiced_amount,
        CAST(coalesce(iv.invoiced_90d, 0) * 100 AS BIGINT) AS invoiced_90d_cents,
        coalesce(co.collected_amount, 0) AS collected_amount,
        coalesce(cy.cycle_days_sum, 0) AS cycle_days_sum,
        coalesce(cy.cycle_n, 0) AS cycle_n,
        coalesce(rc.receivables_end, 0) AS receivables_end,
        coalesce(rc.overdue_end, 0) AS overdue_end,
        CAST(coalesce(rc.receivables_end, 0) * 100 AS BIGINT) AS receivables_cents,
        CAST(coalesce(rc.overdue_end, 0) * 100 AS BIGINT) AS overdue_cents,
        coalesce(rc.aging_not_due, 0) AS aging_not_due,
        coalesce(rc.aging_1_30, 0) AS aging_1_30,
        coalesce(rc.aging_31_60, 0) AS aging_31_60,
        coalesce(rc.aging_61_90, 0) AS aging_61_90,
        coalesce(rc.aging_91_plus, 0) AS aging_91_plus
    FROM reps AS r
    JOIN workday_counts AS wd ON wd.rep_id = r.rep_id
    LEFT JOIN visit_counts AS v ON v.rep_id = r.rep_id
    LEFT JOIN order_counts AS oc ON oc.rep_id = r.rep_id
    LEFT JOIN sales AS s ON s.rep_id = r.rep_id
    LEFT JOIN new_customers AS nc ON nc.rep_id = r.rep_id
    LEFT JOIN lost_customers AS lc ON lc.rep_id = r.rep_id
    LEFT JOIN invoiced AS iv ON iv.rep_id = r.rep_id
    LEFT JOIN collected AS co ON co.rep_id = r.rep_id
    LEFT JOIN cycles AS cy ON cy.rep_id = r.rep_id
    LEFT JOIN receivables AS rc ON rc.rep_id = r.rep_id
)
SELECT
    getvariable('period') AS period,
    rep_id,
    CAST(visits AS BIGINT) AS visits,
    CAST(workdays AS BIGINT) AS workdays,
    CAST(visits AS DOUBLE) / CAST(nullif(workdays, 0) AS DOUBLE) AS visits_per_workday,
    CAST(duration_sum AS DOUBLE) / CAST(nullif(duration_n, 0) AS DOUBLE) AS avg_visit_minutes,
    CAST(visited_customers AS BIGINT) AS visited_customers,
    CAST(orders AS BIGINT) AS orders,
    CAST(sales_amount AS DECIMAL(18, 2)) AS sales_amount,
    CAST(cost_amount AS DECIMAL(18, 2)) AS cost_amount,
    CAST(sales_amount - cost_amount AS DECIMAL(18, 2)) AS gross_margin,
    CAST(CAST((sales_amount - cost_amount) * 100 AS BIGINT) AS DOUBLE)
        / CAST(nullif(sales_cents, 0) AS DOUBLE) AS gross_margin_pct,
    CASE WHEN NOT list_missing THEN
        CAST(1 AS DOUBLE) - CAST(sales_cents AS DOUBLE) / CAST(nullif(list_cents, 0) AS DOUBLE)
    END AS discount_pct,
    -- Cents to currency units: polars divides by a constant as a product with
    -- its reciprocal (polars-compute prim_true_div_scalar), so × (1 / 100).
    CAST(sales_cents AS DOUBLE) / CAST(nullif(orders, 0) AS DOUBLE)
        * (CAST(1 AS DOUBLE) / CAST(100 AS DOUBLE)) AS avg_order_value,
    CAST(orders AS DOUBLE) / CAST(nullif(visits, 0) AS DOUBLE) * CAST(100 AS DOUBLE)
        AS orders_per_100_visits,
    CAST(sales_cents AS DOUBLE) / CAST(nullif(visits, 0) AS DOUBLE)
        * (CAST(1 AS DOUBLE) / CAST(100 AS DOUBLE)) AS sales_per_visit,
    CAST(active_customers AS BIGINT) AS active_customers,
    CAST(new_customers AS BIGINT) AS new_customers,
    CAST(lost_customers AS BIGINT) AS lost_customers,
    CAST(legacy_cents AS DOUBLE) / CAST(nullif(sales_cents, 0) AS DOUBLE) AS legacy_sales_share,
    CAST(invoiced_amount AS DECIMAL(18, 2)) AS invoiced_amount,
    CAST(collected_amount AS DECIMAL(18, 2)) AS collected_amount,
    CAST(CAST(collected_amount * 100 AS BIGINT) AS DOUBLE)
        / CAST(CAST(nullif(invoiced_amount, 0) * 100 AS BIGINT) AS DOUBLE) AS collection_ratio,
    CAST(cycle_days_sum AS DOUBLE) / CAST(nullif(cycle_n, 0) AS DOUBLE) AS repayment_cycle_days,
    CAST(receivables_end AS DECIMAL(18, 2)) AS receivables_end,
    CAST(overdue_end AS DECIMAL(18, 2)) AS overdue_end,
    CAST(overdue_cents AS DOUBLE) / CAST(nullif(receivables_cents, 0) AS DOUBLE) AS overdue_ratio,
    -- DSO is null when the window's invoicing is ≤ 0 (nothing to measure against).
    CAST(receivables_cents AS DOUBLE)
        / CAST(CASE WHEN invoiced_90d_cents > 0 THEN invoiced_90d_cents END AS DOUBLE)
        * CAST(90 AS DOUBLE) AS dso_days,
    CAST(aging_not_due AS DECIMAL(18, 2)) AS aging_not_due,
    CAST(aging_1_30 AS DECIMAL(18, 2)) AS aging_1_30,
    CAST(aging_31_60 AS DECIMAL(18, 2)) AS aging_31_60,
    CAST(aging_61_90 AS DECIMAL(18, 2)) AS aging_61_90,
    CAST(aging_91_plus AS DECIMAL(18, 2)) AS aging_91_plus,
    CAST(aging_not_due + aging_1_30 + aging_31_60 + aging_61_90 + aging_91_plus
        AS DECIMAL(18, 2)) AS aging_total
FROM per_rep
ORDER BY rep_id
