use super::*;

/// Flips one bit in the middle of the file at `path`, rewriting it in
/// place (the store itself never does that: the first load's dataset,
/// which scans that very file, would read the damage).
fn flip_a_bit(path: &Path) {
    let mut bytes = std::fs::read(path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    std::fs::write(path, bytes).unwrap();
}

/// The key of an entry just stored.
fn stored_key(used: StoreUse) -> String {
    let StoreUse::Stored { key } = used else {
        panic!("{used:?}");
    };
    key
}

/// [`load_with_store`] storing salesops' own facts.
fn load_storing_facts(
    dir: &Path,
    opts: &LoadOptions,
    store: &Path,
) -> Result<(Dataset, ValidationReport, StoreUse)> {
    load_with_store(dir, opts, store, crate::kpi::stored_facts())
}

/// Copies the files of the repository's folder `from` into `to`.
fn copy_folder(from: &str, to: &Path) {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join(from);
    for e in std::fs::read_dir(from).unwrap().flatten() {
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

fn copy_sample(to: &Path) {
    copy_folder("sample_data", to);
}

/// A data folder holding a copy of the repository's folder `from`, a
/// store, and the first load of the one through the other (a clean load,
/// stored under `key`).
struct Stored {
    data: tempfile::TempDir,
    store: tempfile::TempDir,
    opts: LoadOptions,
    key: String,
}

impl Stored {
    /// The fixture and its first load's dataset and report.
    fn first_load(from: &str) -> (Stored, Dataset, ValidationReport) {
        let data = tempfile::tempdir().unwrap();
        copy_folder(from, data.path());
        let store = tempfile::tempdir().unwrap();
        let opts = LoadOptions::default();
        let (dataset, report, first) =
            load_storing_facts(data.path(), &opts, store.path()).unwrap();
        let fixture = Stored {
            data,
            store,
            opts,
            key: stored_key(first),
        };
        (fixture, dataset, report)
    }

    /// Loads the data folder through the store again.
    fn load_again(&self) -> (Dataset, ValidationReport, StoreUse) {
        load_storing_facts(self.data.path(), &self.opts, self.store.path()).unwrap()
    }

    /// The path of `file` in the stored entry.
    fn entry_file(&self, file: &str) -> std::path::PathBuf {
        self.store.path().join(&self.key).join(file)
    }
}

#[test]
fn unchanged_inputs_are_read_from_the_store_and_equal_a_validation() {
    let (fixture, validated, report) = Stored::first_load("sample_data");
    let (data, store, opts, key) = (&fixture.data, &fixture.store, &fixture.opts, &fixture.key);
    let (stored, stored_report, second) = fixture.load_again();
    assert_eq!(second, StoreUse::Hit { key: key.clone() });
    // Both loads scan the stored files now; each equals a validation
    // held in memory.
    let (in_memory, _) = load(data.path(), opts).unwrap();
    for (table, loaded) in TABLES.iter().flat_map(|t| [(t, &validated), (t, &stored)]) {
        match (
            in_memory.frame(table.name).unwrap(),
            loaded.frame(table.name).unwrap(),
        ) {
            (Some(a), Some(b)) => {
                assert!(a.equals_missing(&b), "{}", table.name);
                assert_eq!(a.schema(), b.schema(), "{}", table.name);
            }
            (None, None) => {}
            _ => panic!("{}: present in one load only", table.name),
        }
    }
    assert_eq!(report.rows_read(), stored_report.rows_read());
    assert_eq!(report.warnings, stored_report.warnings);
    let orders = data.path().join("orders.csv");
    assert_eq!(stored.read_file(&orders), validated.read_file(&orders));

    // One changed name in one file validates everything again.
    let reps = data.path().join("reps.csv");
    let text = std::fs::read_to_string(&reps).unwrap();
    let renamed = text.replacen("张伟", "张玮", 1);
    assert_ne!(renamed, text);
    std::fs::write(&reps, renamed).unwrap();
    let (_, _, third) = fixture.load_again();
    let StoreUse::Stored { key: new_key } = third else {
        panic!("a changed input is validated again, got {third:?}");
    };
    assert_ne!(&new_key, key);
    // The store keeps the newest entry only.
    let entries: Vec<_> = std::fs::read_dir(store.path()).unwrap().flatten().collect();
    assert_eq!(entries.len(), 1);
}

#[test]
fn a_damaged_entry_is_validated_again_with_a_warning() {
    let (stored, _, _) = Stored::first_load("sample_data");
    std::fs::write(stored.entry_file("orders.parquet"), b"not parquet").unwrap();
    let (dataset, report, second) = stored.load_again();
    assert_eq!(second, StoreUse::Stored { key: stored.key });
    assert!(dataset.has("orders"));
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("could not be read")),
        "{:?}",
        report.warnings
    );
}

#[test]
fn facts_are_stored_served_and_checked_like_the_tables() {
    let heads = |d: &Dataset| d.stored_fact("order_heads").unwrap().collect().unwrap();
    let (stored, validated, _) = Stored::first_load("tests/fixtures/tiny");
    // O1, O2, O4, O5, O6: O3's one line is cancelled.
    assert_eq!(heads(&validated).height(), 5);
    let (read, _, second) = stored.load_again();
    assert_eq!(
        second,
        StoreUse::Hit {
            key: stored.key.clone()
        }
    );
    assert!(heads(&read).equals_missing(&heads(&validated)));
    assert!(read.stored_fact("first_orders").is_some());
    // Without the store there is no fact: runs work the heads out.
    let (on_disk, _) = load_on_disk(stored.data.path(), &stored.opts).unwrap();
    assert!(on_disk.stored_fact("order_heads").is_none());
    // A damaged fact is caught like a damaged table.
    flip_a_bit(&stored.entry_file(&fact_file("order_heads")));
    let (again, report, third) = stored.load_again();
    assert_eq!(third, StoreUse::Stored { key: stored.key });
    assert!(heads(&again).equals_missing(&heads(&validated)));
    assert!(
        report.warnings.iter().any(|w| w.contains("BLAKE3")),
        "{:?}",
        report.warnings
    );
}

#[test]
fn a_stored_file_damaged_yet_readable_is_never_served() {
    let (stored, _, _) = Stored::first_load("sample_data");
    // One flipped bit inside the stored orders: the digest catches it on
    // the next load.
    flip_a_bit(&stored.entry_file("orders.parquet"));
    let (dataset, report, second) = stored.load_again();
    assert_eq!(second, StoreUse::Stored { key: stored.key });
    let orders = |d: &Dataset| d.frame("orders").unwrap().unwrap();
    let (validated, _) = load(stored.data.path(), &stored.opts).unwrap();
    assert!(orders(&dataset).equals_missing(&orders(&validated)));
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.starts_with("validated store:") && w.contains("BLAKE3")),
        "{:?}",
        report.warnings
    );
}

#[test]
fn a_damaged_record_of_row_counts_is_never_served() {
    let (stored, _, report) = Stored::first_load("sample_data");
    let meta = stored.entry_file(META);
    let text = std::fs::read_to_string(&meta).unwrap();
    let rows = report.counts["calendar"].rows;
    let damaged = text.replacen(
        &format!("\"rows\": {rows}"),
        &format!("\"rows\": {}", rows + 1),
        1,
    );
    assert_ne!(damaged, text);
    std::fs::write(&meta, damaged).unwrap();
    let (_, again, second) = stored.load_again();
    assert_eq!(second, StoreUse::Stored { key: stored.key });
    assert_eq!(again.counts["calendar"].rows, rows);
    assert!(
        again.warnings.iter().any(|w| w.contains("digest")),
        "{:?}",
        again.warnings
    );
}

#[test]
fn only_the_stores_own_entries_are_replaced_and_a_store_over_the_data_is_refused() {
    let data = tempfile::tempdir().unwrap();
    copy_sample(data.path());
    let store = tempfile::tempdir().unwrap();
    // A user's folders in the store folder stay.
    std::fs::create_dir_all(store.path().join("reports/q3")).unwrap();
    std::fs::write(store.path().join("reports/q3/a.xlsx"), "x").unwrap();
    let opts = LoadOptions::default();
    load_storing_facts(data.path(), &opts, store.path()).unwrap();
    assert!(store.path().join("reports/q3/a.xlsx").is_file());
    assert!(is_store_entry(&"ab".repeat(32)));
    assert!(is_store_entry(&format!(".tmp-{}-123", "0f".repeat(32))));
    assert!(!is_store_entry("reports"));
    // The data folder itself, or a folder holding it, is refused, however
    // it is spelled.
    let dotdot = data.path().join("..");
    for over in [data.path(), data.path().parent().unwrap(), dotdot.as_path()] {
        let err = load_storing_facts(data.path(), &opts, over).unwrap_err();
        assert!(
            err.to_string()
                .contains("give the store a folder of its own"),
            "{err}"
        );
    }
}

#[test]
fn a_moved_data_folder_is_validated_again_and_reads_its_own_files() {
    let parent = tempfile::tempdir().unwrap();
    let (a, b) = (parent.path().join("a"), parent.path().join("b"));
    std::fs::create_dir(&a).unwrap();
    copy_sample(&a);
    let store = tempfile::tempdir().unwrap();
    let opts = LoadOptions::default();
    load_storing_facts(&a, &opts, store.path()).unwrap();
    std::fs::rename(&a, &b).unwrap();
    let (dataset, _, used) = load_storing_facts(&b, &opts, store.path()).unwrap();
    assert!(matches!(used, StoreUse::Stored { .. }), "{used:?}");
    let (dataset2, _, used) = load_storing_facts(&b, &opts, store.path()).unwrap();
    assert!(matches!(used, StoreUse::Hit { .. }), "{used:?}");
    let orders = b.join("orders.csv");
    assert_eq!(dataset2.sources()["orders"].path, orders);
    assert_eq!(dataset2.read_file(&orders), dataset.read_file(&orders));
}

#[test]
fn a_load_with_quarantined_rows_is_not_stored() {
    let data = tempfile::tempdir().unwrap();
    copy_sample(data.path());
    let visits = data.path().join("visits.csv");
    let text = std::fs::read_to_string(&visits).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    // A visit of a rep that does not exist: quarantined, not stored.
    let fields: Vec<&str> = lines[1].split(',').collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let rep = header.iter().position(|h| *h == "rep_id").unwrap();
    let mut bad: Vec<String> = fields.iter().map(|s| s.to_string()).collect();
    bad[rep] = "R_NOBODY".into();
    bad[0] = format!("{}X", bad[0]);
    lines.push(bad.join(","));
    std::fs::write(&visits, lines.join("\n") + "\n").unwrap();
    let store = tempfile::tempdir().unwrap();
    let opts = LoadOptions {
        max_reject_share: Some(0.5),
    };
    let (dataset, report, outcome) = load_storing_facts(data.path(), &opts, store.path()).unwrap();
    assert!(report.rejects.values().any(|r| r.height() == 1));
    assert_eq!(outcome, StoreUse::NotClean);
    assert_eq!(std::fs::read_dir(store.path()).unwrap().count(), 0);
    // The staging folder is gone; the dataset still reads the files it
    // scans (kept open), and holds the good rows only.
    let good = report.counts["visits"].rows - report.counts["visits"].bad_rows;
    let visits = dataset.frame("visits").unwrap().unwrap();
    assert_eq!(visits.height(), good);
    let (in_memory, _) = load(data.path(), &opts).unwrap();
    assert!(visits.equals_missing(&in_memory.frame("visits").unwrap().unwrap()));

    // Strict, the same rows fail the load: nothing is left behind either.
    let strict = load_storing_facts(data.path(), &LoadOptions::default(), store.path());
    assert!(strict.is_err());
    assert_eq!(std::fs::read_dir(store.path()).unwrap().count(), 0);
}

#[test]
fn a_load_on_disk_scans_its_tables_and_equals_a_load_in_memory() {
    let data = tempfile::tempdir().unwrap();
    copy_sample(data.path());
    let opts = LoadOptions::default();
    let (on_disk, report) = load_on_disk(data.path(), &opts).unwrap();
    let (in_memory, memory_report) = load(data.path(), &opts).unwrap();
    assert_eq!(report.rows_read(), memory_report.rows_read());
    assert_same_tables(&in_memory, &on_disk);
    for table in TABLES {
        let stored = on_disk
            .tables
            .get(table.name)
            .is_none_or(|t| matches!(t, TypedTable::Stored(_)));
        assert!(stored, "{} is held in memory", table.name);
    }
}

#[test]
fn a_store_that_cannot_be_written_leaves_the_load_in_memory() {
    let data = tempfile::tempdir().unwrap();
    copy_sample(data.path());
    let dir = tempfile::tempdir().unwrap();
    // A file where the store's folder should be.
    let store = dir.path().join("store");
    std::fs::write(&store, "not a folder").unwrap();
    let opts = LoadOptions::default();
    let (dataset, report, outcome) = load_storing_facts(data.path(), &opts, &store).unwrap();
    let StoreUse::NotStored { reason } = &outcome else {
        panic!("{outcome:?}");
    };
    assert!(reason.contains("could not be written"), "{reason}");
    assert!(outcome.warning().is_some());
    assert!(report.problems.is_empty());
    let (in_memory, _) = load(data.path(), &opts).unwrap();
    assert_same_tables(&in_memory, &dataset);
}

/// Every table of the contract present in both or neither, with the
/// same rows and types.
fn assert_same_tables(expected: &Dataset, got: &Dataset) {
    for table in TABLES {
        let (a, b) = (
            expected.frame(table.name).unwrap(),
            got.frame(table.name).unwrap(),
        );
        assert_eq!(a.is_some(), b.is_some(), "{}", table.name);
        if let (Some(a), Some(b)) = (a, b) {
            assert!(a.equals_missing(&b), "{}", table.name);
            assert_eq!(a.schema(), b.schema(), "{}", table.name);
        }
    }
}
