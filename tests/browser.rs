//! The HTML report in a real headless browser (Debian's Chromium, which
//! `.ci/run` installs): the page loads without console errors, a table
//! sorts, and screenshots at 1280 and 390 px wide are written to
//! `<target>/tmp/screenshots/` for a person to look at.

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const CHROMIUM: &str = "/usr/bin/chromium";

fn chromium(profile: &Path, args: &[String]) -> Output {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)"
    );
    Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .unwrap()
}

/// The widths in CSS pixels of the chart drawings a browser window
/// `window` pixels wide shows of the page `html` (read by a script added to
/// a copy of it, through the page's own layout).
fn shown_chart_widths(dir: &Path, html: &Path, window: u32) -> Vec<f64> {
    let probe = "<script>addEventListener('load',()=>{const w=[...document.querySelectorAll('figure svg')].filter(s=>s.getClientRects().length).map(s=>s.getBoundingClientRect().width);const p=document.createElement('pre');p.id='WIDTHS';p.textContent=w.join(' ');document.body.appendChild(p);});</script>";
    let text = std::fs::read_to_string(html).unwrap();
    let copy = dir.join(format!("probe_{window}.html"));
    std::fs::write(
        &copy,
        text.replacen("</head>", &format!("{probe}</head>"), 1),
    )
    .unwrap();
    let o = chromium(
        &dir.join("profile"),
        &[
            "--dump-dom".into(),
            format!("--window-size={window},2400"),
            format!("file://{}", copy.display()),
        ],
    );
    let dom = String::from_utf8_lossy(&o.stdout);
    let list = dom
        .split("<pre id=\"WIDTHS\">")
        .nth(1)
        .and_then(|r| r.split("</pre>").next())
        .unwrap_or_else(|| panic!("no probe output: {dom}"));
    list.split_whitespace()
        .map(|w| w.parse().unwrap())
        .collect()
}

fn report(dir: &Path) -> PathBuf {
    let o = run(&[
        "report",
        "--data",
        "sample_data",
        "--period",
        "2026-10",
        "--as-of",
        "2026-10-31",
        "--out",
        dir.to_str().unwrap(),
        "--format",
        "html",
        "--lang",
        "en,zh",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    dir.join("report_2026-10_en.html")
}

/// The text of each cell of column `column` of the first sortable table.
fn column_cells(dom: &str, column: usize) -> Vec<String> {
    let table = dom
        .split("<table class=\"sortable\">")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    table
        .split("<tr>")
        .skip(2)
        .map(|row| {
            let cell = row.split("<td").nth(column + 1).unwrap();
            let text = cell.split_once('>').unwrap().1;
            text.split("</td>").next().unwrap().to_string()
        })
        .collect()
}

fn number(text: &str) -> f64 {
    text.replace([',', '%', ' '], "").parse().unwrap()
}

#[test]
fn the_report_loads_without_errors_and_its_tables_sort() {
    let dir = tempfile::tempdir().unwrap();
    let page = report(dir.path());
    let url = format!("file://{}", page.display());
    // Column 3 of the leaderboard is sales; `#sort=0:3` sorts it ascending.
    let o = chromium(
        &dir.path().join("profile"),
        &["--dump-dom".into(), format!("{url}#sort=0:3")],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let dom = String::from_utf8_lossy(&o.stdout);
    let log = String::from_utf8_lossy(&o.stderr);
    for line in log.lines().filter(|l| l.contains("CONSOLE")) {
        assert!(
            !line.contains("Uncaught") && !line.contains("Error"),
            "console: {line}"
        );
    }
    assert!(dom.contains("aria-sort=\"ascending\""), "no column sorted");
    let sales: Vec<f64> = column_cells(&dom, 3).iter().map(|c| number(c)).collect();
    assert!(sales.len() >= 5, "{sales:?}");
    assert!(
        sales.windows(2).all(|w| w[0] <= w[1]),
        "not ascending: {sales:?}"
    );
    // Descending, through the same script.
    let o = chromium(
        &dir.path().join("profile"),
        &["--dump-dom".into(), format!("{url}#sort=0:3:desc")],
    );
    let dom = String::from_utf8_lossy(&o.stdout);
    let down: Vec<f64> = column_cells(&dom, 3).iter().map(|c| number(c)).collect();
    assert!(
        down.windows(2).all(|w| w[0] >= w[1]),
        "not descending: {down:?}"
    );
    // Unsorted, the page is in attainment order: the script changed it.
    let unsorted = std::fs::read_to_string(&page).unwrap();
    assert_ne!(column_cells(&unsorted, 3), column_cells(&dom, 3));

    // The charts shown fit the screen: on a phone the ones drawn for its
    // width (text as large as on the desktop), on a desktop the full ones.
    for (width, narrow) in [(390, true), (1280, false)] {
        let widths = shown_chart_widths(dir.path(), &page, width);
        assert!(widths.len() >= 5, "{width}: {widths:?}");
        for w in &widths {
            if narrow {
                assert!(*w <= 390.0 && *w >= 300.0, "{width}: {widths:?}");
            } else {
                assert_eq!(*w, 760.0, "{width}: {widths:?}");
            }
        }
    }

    // Screenshots for people, at a desktop and a phone width.
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    for (width, lang) in [(1280, "en"), (390, "en"), (1280, "zh"), (390, "zh")] {
        let file = shots.join(format!("report_{lang}_{width}.png"));
        let _ = std::fs::remove_file(&file);
        let html = dir.path().join(format!("report_2026-10_{lang}.html"));
        let o = chromium(
            &dir.path().join("profile"),
            &[
                format!("--screenshot={}", file.display()),
                format!("--window-size={width},2400"),
                format!("file://{}", html.display()),
            ],
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let png = std::fs::read(&file).unwrap();
        assert!(
            png.starts_with(b"\x89PNG") && png.len() > 10_000,
            "{file:?}"
        );
        eprintln!("screenshot: {}", file.display());
    }
}
