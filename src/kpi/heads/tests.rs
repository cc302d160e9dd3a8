use std::sync::Arc;

use super::*;

/// Lines of four orders: O1 two lines (the head is line 1), O2 one
/// line with no amount, O3 three lines whose lowest line is dated and
/// credited differently, O4 one line.
fn lines() -> DataFrame {
    df!(
        "order_id" => ["O1", "O1", "O2", "O3", "O3", "O3", "O4"],
        "line_no" => [1i64, 2, 1, 2, 3, 5, 7],
        "order_date" => ["2026-10-01", "2026-10-02", "2026-10-03", "2026-09-30", "2026-10-04", "2026-10-05", "2026-10-06"],
        "rep_id" => ["R1", "R2", "R1", "R3", "R1", "R1", "R2"],
        "customer_id" => ["C1", "C1", "C2", "C3", "C4", "C3", "C5"],
        "line_amount" => [Some(100i64), Some(250), None, Some(-40), Some(1), Some(2), Some(9_000_000_000_000_000)],
    )
    .expect("frame")
}

fn sorted_heads(heads: LazyFrame) -> DataFrame {
    heads
        .sort(["order_id"], SortMultipleOptions::default())
        .collect()
        .expect("heads")
}

#[test]
fn heads_are_the_lowest_line_with_the_order_total() {
    let want = df!(
        "order_id" => ["O1", "O2", "O3", "O4"],
        "order_date" => ["2026-10-01", "2026-10-03", "2026-09-30", "2026-10-06"],
        "rep_id" => ["R1", "R1", "R3", "R2"],
        "customer_id" => ["C1", "C2", "C3", "C5"],
        "order_amount" => [350i64, 0, -37, 9_000_000_000_000_000],
    )
    .expect("frame");
    assert!(runs_by_order(&lines()));
    let by_runs = heads_of_runs(&lines().lazy(), &|l| l, RUNS_BATCH_ROWS).unwrap();
    assert_eq!(sorted_heads(by_runs.expect("runs").heads.lazy()), want);
    // Fed in batches of every size, orders straddling batches (O1 at
    // 1, O3 at 1, 2, 4 and 5 lines) are joined up into the same heads.
    for size in 1..=7 {
        let heads = heads_of_runs(&lines().lazy(), &|l| l, size)
            .unwrap()
            .expect("runs")
            .heads;
        assert_eq!(heads, want, "batches of {size}");
    }
    assert_eq!(sorted_heads(heads_by_group(lines().lazy())), want);
    assert_eq!(sorted_heads(heads_of(lines().lazy(), |l| l)), want);
    // Heads found by runs say they ascend by order_id, through a
    // collect as the memo makes; the group-by's do not.
    let memoized = heads_of(lines().lazy(), |l| l).collect().unwrap();
    assert!(ascend_by_order_id(&memoized.lazy()));
    assert!(!ascend_by_order_id(&heads_by_group(lines().lazy())));
}

#[test]
fn an_order_whose_lines_differ_in_date_or_customer_is_seen_in_any_batches() {
    // Every order's lines of one date and one customer.
    let uniform = lines()
        .lazy()
        .with_columns([
            when(col("order_id").eq(lit("O1")))
                .then(lit("2026-10-01"))
                .when(col("order_id").eq(lit("O3")))
                .then(lit("2026-09-30"))
                .otherwise(col("order_date"))
                .alias("order_date"),
            when(col("order_id").eq(lit("O3")))
                .then(lit("C3"))
                .otherwise(col("customer_id"))
                .alias("customer_id"),
        ])
        .collect()
        .unwrap();
    // O3's last line alone differs: inside a batch, or first in its own.
    let o3_last_differs = |name: &str, value: &str| {
        uniform
            .clone()
            .lazy()
            .with_column(
                when(col("line_no").eq(lit(5i64)))
                    .then(lit(value.to_string()))
                    .otherwise(col(name))
                    .alias(name),
            )
            .collect()
            .unwrap()
    };
    let o3_date_differs = o3_last_differs("order_date", "2026-10-05");
    let o3_customer_differs = o3_last_differs("customer_id", "C9");
    for size in 1..=8 {
        let runs = |lines: &DataFrame| {
            heads_of_runs(&lines.clone().lazy(), &|l| l, size)
                .unwrap()
                .expect("runs")
        };
        assert!(runs(&lines()).lines_vary, "batches of {size}");
        assert!(!runs(&uniform).lines_vary, "batches of {size}");
        assert!(runs(&o3_date_differs).lines_vary, "batches of {size}");
        assert!(runs(&o3_customer_differs).lines_vary, "batches of {size}");
    }
}

#[test]
fn lines_dropped_by_the_live_filter_are_dropped_from_every_slice() {
    // Dropping R1's lines: O1's head becomes its line 2, O2 is gone,
    // and O3's head its line 2 (R3) with only that line's amount.
    let live = |rows: LazyFrame| rows.filter(col("rep_id").neq(lit("R1")));
    let want = sorted_heads(heads_by_group(live(lines().lazy())));
    assert_eq!(want.height(), 3);
    for size in 1..=8 {
        let heads = heads_of_runs(&lines().lazy(), &live, size)
            .unwrap()
            .expect("runs")
            .heads;
        assert_eq!(sorted_heads(heads.lazy()), want, "slices of {size}");
    }
    // Nothing live: no heads by runs, the group-by's empty frame.
    let none = |rows: LazyFrame| rows.filter(lit(false));
    assert!(heads_of_runs(&lines().lazy(), &none, 3).unwrap().is_none());
    assert_eq!(
        heads_of(lines().lazy(), none).collect().unwrap().height(),
        0
    );
}

#[test]
fn a_parquet_scan_read_a_slice_at_a_time_gives_the_same_heads() {
    // Row groups of 3 lines, sliced by 1 to 8 rows: slices inside a
    // row group and across two, with and without a filter after them.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("lines.parquet");
    let mut out = std::fs::File::create(&path).expect("create");
    ParquetWriter::new(&mut out)
        .with_row_group_size(Some(3))
        .finish(&mut lines())
        .expect("write");
    let file = std::fs::File::open(&path).expect("open");
    let scan = LazyFrame::scan_parquet_sources(
        ScanSources::Files(Arc::from(vec![file])),
        // As the validated store scans its files.
        ScanArgsParquet {
            hive_options: HiveOptions::new_disabled(),
            ..ScanArgsParquet::default()
        },
    )
    .expect("scan");
    let drop_r1 = |rows: LazyFrame| rows.filter(col("rep_id").neq(lit("R1")));
    let all = sorted_heads(heads_by_group(lines().lazy()));
    let without_r1 = sorted_heads(heads_by_group(drop_r1(lines().lazy())));
    for size in 1..=8 {
        let heads = heads_of_runs(&scan, &|l| l, size)
            .unwrap()
            .expect("runs")
            .heads;
        assert_eq!(sorted_heads(heads.lazy()), all, "slices of {size}");
        let heads = heads_of_runs(&scan, &drop_r1, size)
            .unwrap()
            .expect("runs")
            .heads;
        assert_eq!(sorted_heads(heads.lazy()), without_r1, "slices of {size}");
    }
}

#[test]
fn lines_out_of_order_take_the_group_by_and_give_the_same_heads() {
    let ordered = sorted_heads(heads_of(lines().lazy(), |l| l));
    // Reversed: every order's lowest line comes last.
    let reversed = lines().reverse();
    assert!(!runs_by_order(&reversed));
    assert_eq!(sorted_heads(heads_of(reversed.lazy(), |l| l)), ordered);
    // O1's lines split by another order's line: O1 is not one run.
    let split = lines()
        .take(&IdxCa::from_vec("i".into(), vec![0, 2, 1, 3, 4, 5, 6]))
        .expect("take");
    assert!(!runs_by_order(&split));
    assert_eq!(sorted_heads(heads_of(split.lazy(), |l| l)), ordered);
    // A repeated (order_id, line_no) is not a run of ascending lines.
    let repeated = lines()
        .take(&IdxCa::from_vec("i".into(), vec![0, 0, 1, 2, 3, 4, 5, 6]))
        .expect("take");
    assert!(!runs_by_order(&repeated));
    assert!(heads_of_runs(&repeated.lazy(), &|l| l, RUNS_BATCH_ROWS)
        .unwrap()
        .is_none());
}

#[test]
fn a_batch_going_back_to_an_earlier_order_breaks_the_runs() {
    // Each batch runs by order on its own; the second goes back to O1.
    let all = lines();
    let add = |runs: &mut Runs, batch: DataFrame| {
        runs.add(slice_heads(batch).unwrap()).unwrap();
    };
    let mut runs = Runs::default();
    add(&mut runs, all.slice(0, 3));
    add(&mut runs, all.slice(0, 2));
    assert!(runs.broken);
    // And a batch repeating the last key of the one before.
    let mut runs = Runs::default();
    add(&mut runs, all.slice(0, 2));
    add(&mut runs, all.slice(1, 2));
    assert!(runs.broken);
    // A batch whose own lines do not run breaks them too.
    let mut runs = Runs::default();
    add(&mut runs, all.slice(0, 2));
    add(&mut runs, all.slice(2, 3).reverse());
    assert!(runs.broken);
}

#[test]
fn a_null_key_is_not_a_run() {
    let mut df = lines();
    df.with_column(Column::new(
        "line_no".into(),
        [
            Some(1i64),
            None,
            Some(1),
            Some(2),
            Some(3),
            Some(5),
            Some(7),
        ],
    ))
    .expect("column");
    assert!(!runs_by_order(&df));
}
