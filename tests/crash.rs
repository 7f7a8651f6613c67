//! Crash safety of `qmap import`, proven by killing a real child process with SIGKILL.
//!
//! Every test starts from a store holding state A, imports a big bundle B in a child
//! `qmap import`, kills it, then opens the store (which runs recovery) and compares the whole
//! export with the two states the import may leave: exactly A, or exactly A + B.

mod common;

use common::synthetic;
use qmap::model::{Bundle, Dataset};
use qmap::store::Store;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

struct Scenario {
    _files: tempfile::TempDir,
    a_file: PathBuf,
    big_file: PathBuf,
    before: Bundle,
    after: Bundle,
}

/// A: 10 chains, 2,000 firms; B: 20 chains, 10,000 firms (B re-files A's firms on other
/// chains, so the import also rewrites index entries), 50,000 supplies.
fn scenario() -> Scenario {
    let files = tempfile::tempdir().unwrap();
    let state_a = synthetic("s", 10, 2_000, 5_000);
    let big = synthetic("s", 20, 10_000, 50_000);
    let a_file = files.path().join("a.json");
    std::fs::write(&a_file, serde_json::to_vec(&state_a).unwrap()).unwrap();
    let big_file = files.path().join("big.json");
    std::fs::write(&big_file, serde_json::to_vec(&big).unwrap()).unwrap();
    let before = Dataset::from_bundle(state_a.clone());
    let mut after = before.clone();
    after.upsert(big);
    Scenario {
        _files: files,
        a_file,
        before: before.to_bundle(),
        after: after.to_bundle(),
        big_file,
    }
}

/// A fresh store directory holding state A. Written by a child too: a process that exits
/// releases sled's file lock at once, a dropped in-process `Db` only when its IO threads end.
fn store_with_a(s: &Scenario) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let status = import_command(&s.a_file, dir.path())
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    dir
}

fn import_command(file: &Path, data: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_qmap"));
    cmd.arg("import")
        .arg(file)
        .arg("--data")
        .arg(data)
        .env_remove("QMAP_DATA")
        .stdin(Stdio::null());
    cmd
}

#[derive(Debug, PartialEq)]
enum Outcome {
    Before,
    After,
}

/// Opens the store (recovering) and says which of the two allowed states it holds.
fn outcome(s: &Scenario, data: &Path) -> Outcome {
    let store = Store::open(data).unwrap();
    let exported = store.export().unwrap();
    if exported == s.before {
        assert_eq!(store.revision(), 1);
        Outcome::Before
    } else if exported == s.after {
        assert_eq!(store.revision(), 2);
        Outcome::After
    } else {
        panic!(
            "store is neither A nor A+B: {} organizations, {} supplies (A has {}/{}, A+B {}/{})",
            exported.organizations.len(),
            exported.supplies.len(),
            s.before.organizations.len(),
            s.before.supplies.len(),
            s.after.organizations.len(),
            s.after.supplies.len()
        );
    }
}

#[test]
fn an_import_killed_at_any_moment_leaves_the_old_state_or_the_new_one() {
    let s = scenario();

    // How long an uninterrupted import takes here, to spread the kills over all of it.
    let data = store_with_a(&s);
    let started = Instant::now();
    let status = import_command(&s.big_file, data.path())
        .stdout(Stdio::null())
        .status()
        .unwrap();
    let full = started.elapsed();
    assert!(status.success());
    assert_eq!(outcome(&s, data.path()), Outcome::After);

    const KILLS: u32 = 24;
    let mut outcomes = Vec::new();
    for i in 0..KILLS {
        let data = store_with_a(&s);
        // From 0 to 110% of the import, so both ends of the timeline are hit.
        let delay = full.mul_f64(1.1 * f64::from(i) / f64::from(KILLS - 1));
        let mut child = import_command(&s.big_file, data.path())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        child.kill().unwrap(); // SIGKILL on unix
        child.wait().unwrap();
        outcomes.push((delay, outcome(&s, data.path())));
    }
    eprintln!("full import {full:?}; kills: {outcomes:?}");
    assert!(
        outcomes.iter().any(|(_, o)| *o == Outcome::Before),
        "no kill landed before the commit point"
    );
    assert!(
        outcomes.iter().any(|(_, o)| *o == Outcome::After),
        "no kill landed after the commit point"
    );
}

#[test]
fn an_import_that_reported_success_survives_a_kill_right_after() {
    let s = scenario();
    const KILLS: usize = 10;
    for _ in 0..KILLS {
        let data = store_with_a(&s);
        let mut child = import_command(&s.big_file, data.path())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        loop {
            line.clear();
            assert_ne!(
                stdout.read_line(&mut line).unwrap(),
                0,
                "import ended silently"
            );
            if line.starts_with("imported ") {
                break;
            }
        }
        child.kill().unwrap();
        child.wait().unwrap();
        assert_eq!(line.trim_end(), "imported 61020 records (revision 2)");
        assert_eq!(outcome(&s, data.path()), Outcome::After);
    }
}
