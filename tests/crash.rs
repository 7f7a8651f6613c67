//! Crash safety of `qmap import`, proven by killing a real child process with SIGKILL.
//!
//! Every test starts from a store holding state A (a survey labelled `2024年度调查`), imports a
//! big bundle B in a child `qmap import --label 2025年度调查 --replace`, kills it, then opens the
//! store (which runs recovery) and compares the whole export with the two states the import may
//! leave: exactly A, or exactly B replacing A (the state an uninterrupted import leaves). The
//! revision records must match the data (no label without its data, nor data without its
//! label), and revision 1 must still read back as A.
//!
//! Nothing here depends on how fast the machine is: the kill moments are placed on the
//! child's own progress lines (`--timings`) and adapt to how long the import takes in this
//! run, and every wait is bounded only by a generous hang guard.

mod common;

use common::{lines_of, synthetic};
use qmap::model::{Bundle, Dataset};
use qmap::store::Store;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// How long any one wait on a child may last before the test calls it hung. An import takes
/// a second or two on an idle machine; this is only there so a hang fails instead of blocking.
const HANG_GUARD: Duration = Duration::from_secs(180);

const SIGKILL: i32 = 9;

struct Scenario {
    _files: tempfile::TempDir,
    a_file: PathBuf,
    big_file: PathBuf,
    before: Bundle,
    after: Bundle,
}

const LABEL_A: &str = "2024年度调查";
const LABEL_B: &str = "2025年度调查";

/// A: 10 chains, 2,000 firms; B: 20 chains, 10,000 firms (B re-files A's firms on other
/// chains, so the import also rewrites index entries, and replaces what A's chains held),
/// 50,000 supplies.
fn scenario() -> Scenario {
    let files = tempfile::tempdir().unwrap();
    let state_a = synthetic("s", 10, 2_000, 5_000);
    let mut big = synthetic("s", 20, 10_000, 50_000);
    // The quality work's records go through the same redo log.
    let work: Bundle = serde_json::from_value(serde_json::json!({"version": 1,
        "policy_tools": (0..300).map(|i| serde_json::json!({
            "id": format!("s-tool-{i:04}"), "title": "检验检测能力提升补助", "kind": "testing",
            "issuer": "江苏省市场监督管理局", "region": "32", "year": 2025,
            "elements": ["testing"], "gaps": ["infrastructure"]})).collect::<Vec<_>>(),
        "goals": (0..50).map(|i| serde_json::json!({
            "id": format!("s-goal-{i:03}"), "region": "32", "year": 2000 + i,
            "targets": {"key_product": 150}, "international_share": 0.6})).collect::<Vec<_>>()}))
    .unwrap();
    big.policy_tools = work.policy_tools;
    big.goals = work.goals;
    let a_file = files.path().join("a.json");
    std::fs::write(&a_file, serde_json::to_vec(&state_a).unwrap()).unwrap();
    let big_file = files.path().join("big.json");
    std::fs::write(&big_file, serde_json::to_vec(&big).unwrap()).unwrap();
    let before = Dataset::from_bundle(state_a.clone()).to_bundle();
    let mut s = Scenario {
        _files: files,
        a_file,
        before,
        after: Bundle::new(),
        big_file,
    };
    // The state B replacing A: what an uninterrupted import leaves.
    let data = store_with_a(&s);
    let status = wait(
        &mut import_command(&s.big_file, data.path())
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    assert!(status.success(), "importing B failed: {status}");
    s.after = Store::open(data.path()).unwrap().export().unwrap();
    assert_ne!(s.after, s.before);
    s
}

/// A fresh store directory holding state A. Written by a child too: a process that exits
/// releases sled's file lock at once, a dropped in-process `Db` only when its IO threads end.
fn store_with_a(s: &Scenario) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut child = import_command(&s.a_file, dir.path())
        .args(["--label", LABEL_A])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let status = wait(&mut child);
    assert!(status.success(), "importing A failed: {status}");
    dir
}

/// `qmap import FILE`; B (any file but A's) as a labelled, replacing survey.
fn import_command(file: &Path, data: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_qmap"));
    cmd.arg("import")
        .arg(file)
        .arg("--data")
        .arg(data)
        .env_remove("QMAP_DATA")
        .stdin(Stdio::null());
    if !file.ends_with("a.json") {
        cmd.args(["--label", LABEL_B, "--replace"]);
    }
    cmd
}

/// Waits for `child` to end, killing it and failing the test if it outlives [`HANG_GUARD`].
fn wait(child: &mut Child) -> ExitStatus {
    let deadline = Instant::now() + HANG_GUARD;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("qmap import still running after {HANG_GUARD:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The next line starting with `prefix` (skipping others), or `None` once the pipe is closed.
fn line_starting(lines: &Receiver<String>, prefix: &str) -> Option<String> {
    let deadline = Instant::now() + HANG_GUARD;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) if line.trim_start().starts_with(prefix) => return Some(line),
            Ok(_) => {}
            Err(RecvTimeoutError::Disconnected) => return None,
            Err(RecvTimeoutError::Timeout) => {
                panic!("no line starting with {prefix:?} from qmap import in {HANG_GUARD:?}")
            }
        }
    }
}

#[derive(Debug, PartialEq)]
enum Outcome {
    Before,
    After,
}

/// The survey labels of the store's revisions, oldest first.
fn labels(store: &Store) -> Vec<Option<String>> {
    store
        .revisions()
        .unwrap()
        .into_iter()
        .map(|r| r.label)
        .collect()
}

/// Opens the store (recovering) and says which of the two allowed states it holds; checks
/// that the revision records go with the data and that revision 1 still reads back as A.
fn outcome(s: &Scenario, data: &Path) -> Outcome {
    let store = Store::open(data).unwrap();
    let exported = store.export().unwrap();
    if exported == s.before {
        assert_eq!(store.revision(), 1);
        assert_eq!(labels(&store), [Some(LABEL_A.to_string())]);
        Outcome::Before
    } else if exported == s.after {
        assert_eq!(store.revision(), 2);
        assert_eq!(
            labels(&store),
            [Some(LABEL_A.to_string()), Some(LABEL_B.to_string())]
        );
        let undo = store.undo(1, 2).unwrap();
        assert!(!undo.from_empty);
        let mut at_a = Dataset::from_bundle(exported);
        at_a.apply(&undo.change);
        assert!(
            at_a.to_bundle() == s.before,
            "revision 1 does not read back as A after the crash"
        );
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

/// A child `qmap import --timings` of B into a store holding A. With `--timings` the child
/// prints `validate: …` to stderr the moment validation ends and the write (redo log, commit
/// marker, apply) begins: the anchor for kills aimed at the write.
struct Import {
    child: Child,
    stderr: Receiver<String>,
    started: Instant,
}

impl Import {
    fn spawn(s: &Scenario, data: &Path) -> Import {
        let mut child = import_command(&s.big_file, data)
            .arg("--timings")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let started = Instant::now();
        let stderr = lines_of(child.stderr.take().unwrap());
        Import {
            child,
            stderr,
            started,
        }
    }

    /// Waits for the write to begin; `None` if the child ended first (it cannot succeed
    /// without validating, so that is a failure the caller reports).
    fn write_begins(&mut self) -> Option<Instant> {
        line_starting(&self.stderr, "validate:").map(|_| Instant::now())
    }
}

/// Where a kill is aimed: `at` after the child was spawned, or `at` after it began the write.
#[derive(Clone, Copy, Debug)]
enum Aim {
    FromSpawn(Duration),
    IntoWrite(Duration),
}

/// What one kill did.
#[derive(Debug)]
struct Kill {
    aim: Aim,
    /// Whether SIGKILL ended the child (rather than the child having exited by itself first).
    killed: bool,
    outcome: Outcome,
}

/// Imports B into a fresh store holding A, kills the child as `aim` says, and checks the
/// store holds exactly A or exactly A + B.
fn kill_at(s: &Scenario, aim: Aim) -> Kill {
    let data = store_with_a(s);
    let mut import = Import::spawn(s, data.path());
    match aim {
        Aim::FromSpawn(at) => {
            std::thread::sleep(at.saturating_sub(import.started.elapsed()));
        }
        Aim::IntoWrite(at) => {
            if let Some(began) = import.write_begins() {
                std::thread::sleep(at.saturating_sub(began.elapsed()));
            }
        }
    }
    import.child.kill().unwrap(); // SIGKILL; a no-op on a child that already exited
    let status = wait(&mut import.child);
    let killed = status.signal() == Some(SIGKILL);
    assert!(
        killed || status.success(),
        "the import failed by itself ({status}) when aimed at {aim:?}"
    );
    let outcome = outcome(s, data.path());
    if !killed {
        assert_eq!(outcome, Outcome::After, "a finished import left A");
    }
    Kill {
        aim,
        killed,
        outcome,
    }
}

#[test]
fn an_import_killed_at_any_moment_leaves_the_old_state_or_the_new_one() {
    let s = scenario();

    // How long an uninterrupted import takes here, before and during its write, to spread the
    // kills over all of it. Only a first guess: the kills below adapt if the machine's pace
    // changes.
    let data = store_with_a(&s);
    let mut import = Import::spawn(&s, data.path());
    let began = import
        .write_begins()
        .expect("the import ended before validating");
    let status = wait(&mut import.child);
    let write = began.elapsed();
    let before_write = began - import.started;
    assert!(
        status.success(),
        "the uninterrupted import failed: {status}"
    );
    assert_eq!(outcome(&s, data.path()), Outcome::After);

    // A spread over the whole import: a quarter before the write begins (reading, parsing,
    // validating), the rest over the write itself (redo log, commit marker, apply) and a
    // little past its end, timed from the child's own `validate:` line.
    const SPREAD: u32 = 24;
    const EARLY: u32 = 6;
    let mut kills = Vec::new();
    for i in 0..EARLY {
        let at = before_write.mul_f64(f64::from(i) / f64::from(EARLY));
        kills.push(kill_at(&s, Aim::FromSpawn(at)));
    }
    for i in 0..SPREAD - EARLY {
        let at = write.mul_f64(1.1 * f64::from(i) / f64::from(SPREAD - EARLY - 1));
        kills.push(kill_at(&s, Aim::IntoWrite(at)));
    }

    // Both outcomes must come from a child that SIGKILL actually ended: A from a kill before
    // the commit point, A + B from a kill after it while the child was still applying. A
    // loaded machine can shift every kill of the spread to one side of the commit point, so
    // search for the other side: bisect between the latest kill into the write that left A
    // and the earliest one that found the child finished (doubling while there is none).
    let seen = |kills: &[Kill], o: Outcome| kills.iter().any(|k| k.killed && k.outcome == o);
    let mut early = Duration::ZERO;
    let mut late: Option<Duration> = None;
    for k in &kills {
        if let Aim::IntoWrite(at) = k.aim {
            match (k.killed, &k.outcome) {
                (true, Outcome::Before) => early = early.max(at),
                (false, _) => late = Some(late.map_or(at, |l| l.min(at))),
                (true, Outcome::After) => {}
            }
        }
    }
    const SEARCH: usize = 60;
    for _ in 0..SEARCH {
        if seen(&kills, Outcome::Before) && seen(&kills, Outcome::After) {
            break;
        }
        // A bracket narrower than a fiftieth of the write (or upside down) means the
        // machine's pace changed under the search: forget the late side and widen again.
        let at = match late {
            Some(late) if late.saturating_sub(early) >= write / 50 => (early + late) / 2,
            _ => {
                late = None;
                early * 2 + write / 10
            }
        };
        let kill = kill_at(&s, Aim::IntoWrite(at));
        match (kill.killed, &kill.outcome) {
            (true, Outcome::Before) => early = at,
            (false, _) => late = Some(at),
            (true, Outcome::After) => {}
        }
        kills.push(kill);
    }
    eprintln!("uninterrupted import: {before_write:?} before the write, {write:?} writing");
    for k in &kills {
        let how = if k.killed { "killed" } else { "had ended" };
        eprintln!("  {:?}: {how}, {:?}", k.aim, k.outcome);
    }
    assert!(
        seen(&kills, Outcome::Before),
        "no kill landed before the commit point in {} kills",
        kills.len()
    );
    assert!(
        seen(&kills, Outcome::After),
        "no kill landed between the commit point and the end of the import in {} kills",
        kills.len()
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
        let stdout = lines_of(child.stdout.take().unwrap());
        let line = line_starting(&stdout, "imported ");
        child.kill().unwrap();
        wait(&mut child);
        let line = line.expect("import ended silently");
        assert!(
            line.starts_with("imported 61370 records as survey \"2025年度调查\" (revision 2)"),
            "{line}"
        );
        assert_eq!(outcome(&s, data.path()), Outcome::After);
    }
}
