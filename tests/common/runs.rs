//! Helpers for tests of `salesops run`: a small data folder and config in a
//! temporary folder, and a verifier of an output root's published runs.

use std::path::{Path, PathBuf};
use std::process::Output;

use sha2::{Digest, Sha256};

/// A copy of the `hostile` fixture (every table, small) as `data/`, and a
/// config `nightly.toml` publishing to `out/` with the example plan.
pub(crate) struct RunSetup {
    pub dir: tempfile::TempDir,
}

impl RunSetup {
    /// `extra` is appended to the config (e.g. a `[quality]` override is
    /// written instead of the default one when it starts with `[quality]`).
    pub(crate) fn new(quality: &str) -> RunSetup {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir(&data).unwrap();
        for entry in std::fs::read_dir(super::fixture("hostile")).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), data.join(entry.file_name())).unwrap();
        }
        let plan = Path::new(env!("CARGO_MANIFEST_DIR")).join("pipelines/commission.toml");
        let config = format!(
            "[input]\ndata = \"data\"\n\
[periods]\nrules = [\"month_to_date\"]\n\
[commission]\nplan = {plan:?}\nperiods = [\"month_to_date\"]\nformats = [\"csv\"]\n\
[output]\ndir = \"out\"\nkpi_formats = [\"csv\"]\nreport_languages = [\"en\"]\nreport_formats = [\"html\"]\n\
{quality}\n",
            plan = plan.to_str().unwrap()
        );
        std::fs::write(dir.path().join("nightly.toml"), config).unwrap();
        RunSetup { dir }
    }

    pub(crate) fn config(&self) -> PathBuf {
        self.dir.path().join("nightly.toml")
    }

    pub(crate) fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub(crate) fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    /// The command of a run for `as_of`, not started.
    pub(crate) fn command(&self, as_of: &str) -> std::process::Command {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_salesops"));
        c.args(["run", self.config().to_str().unwrap(), "--as-of", as_of])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        c
    }

    /// Runs for `as_of` with these environment variables set.
    pub(crate) fn run(&self, as_of: &str, env: &[(&str, &str)]) -> Output {
        let mut c = self.command(as_of);
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().unwrap()
    }

    /// Starts a run for `as_of` that pauses `secs` seconds at the test hook
    /// `point`, and returns once it is there.
    pub(crate) fn start_paused(&self, as_of: &str, point: &str, secs: u32) -> std::process::Child {
        let pause = self.dir.path().join(format!("pause-{point}"));
        std::fs::create_dir_all(&pause).unwrap();
        let mut child = self
            .command(as_of)
            .env("SALESOPS_TEST_PAUSE", point)
            .env("SALESOPS_TEST_PAUSE_DIR", &pause)
            .env("SALESOPS_TEST_PAUSE_SECS", secs.to_string())
            .spawn()
            .unwrap();
        let marker = pause.join(format!("{point}.paused"));
        for _ in 0..1200 {
            if marker.exists() {
                return child;
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("the run never reached the point {point}");
    }

    /// The manifest of the run published for `as_of`.
    pub(crate) fn manifest(&self, as_of: &str) -> serde_json::Value {
        let text = std::fs::read_to_string(self.out().join(as_of).join("manifest.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// Checks an output root: `latest` (if any) resolves, and every published
/// date resolves to a folder whose files match its manifest (same set, same
/// bytes). Returns the published dates.
pub(crate) fn verify_published(root: &Path) -> Vec<String> {
    let mut dates = Vec::new();
    let Ok(entries) = std::fs::read_dir(root) else {
        return dates;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if chrono::NaiveDate::parse_from_str(&name, "%Y-%m-%d").is_err() {
            continue;
        }
        let folder = entry.path();
        let text = std::fs::read_to_string(folder.join("manifest.json"))
            .unwrap_or_else(|e| panic!("{name}: no manifest ({e})"));
        let manifest: serde_json::Value = serde_json::from_str(&text).unwrap();
        let mut listed = Vec::new();
        for output in manifest["outputs"].as_array().unwrap() {
            let path = output["path"].as_str().unwrap();
            let bytes =
                std::fs::read(folder.join(path)).unwrap_or_else(|e| panic!("{name}/{path}: {e}"));
            assert_eq!(sha256_hex(&bytes), output["sha256"], "{name}/{path}");
            listed.push(path.to_string());
        }
        let mut found = Vec::new();
        collect_files(&folder, &folder, &mut found);
        found.retain(|f| f != "manifest.json");
        found.sort();
        listed.sort();
        assert_eq!(found, listed, "{name}: files differ from the manifest");
        dates.push(name);
    }
    let latest = root.join("latest");
    if latest.symlink_metadata().is_ok() {
        assert!(
            latest.join("manifest.json").is_file(),
            "latest does not resolve to a run"
        );
    }
    dates.sort();
    dates
}

fn collect_files(base: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_files(base, &path, out);
        } else {
            out.push(path.strip_prefix(base).unwrap().display().to_string());
        }
    }
}

/// Entries of the output root that no finished run should leave: staging
/// folders, half-made links, run folders no date links to.
pub(crate) fn debris(root: &Path) -> Vec<String> {
    let mut left = Vec::new();
    let mut linked = Vec::new();
    for entry in std::fs::read_dir(root).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(".staging-") || name.starts_with(".link-") || name.starts_with(".old-")
        {
            left.push(name);
        } else if let Ok(target) = std::fs::read_link(entry.path()) {
            linked.push(target.display().to_string());
        }
    }
    if let Ok(runs) = std::fs::read_dir(root.join(".runs")) {
        for entry in runs.flatten() {
            let name = format!(".runs/{}", entry.file_name().to_string_lossy());
            if !linked.contains(&name) {
                left.push(name);
            }
        }
    }
    left.sort();
    left
}
