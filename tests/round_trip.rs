//! Export → import → export gives the same document, through the real `qmap` commands, on every
//! fixture and on a generated dataset; and what is exported is exactly what was imported.

use qmap::generate::{generate, GenOptions};
use qmap::model::{Bundle, Dataset};
use std::path::{Path, PathBuf};
use std::process::Command;

fn qmap(args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_qmap"))
        .args(args)
        .env_remove("QMAP_DATA")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "qmap {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Imports `file` into a new store, exports it, imports the export into another new store and
/// exports again: both exports are byte-identical and hold exactly the records of `file`.
fn assert_round_trip(file: &Path) {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let (first, second) = (
        dir.path().join("first.json"),
        dir.path().join("second.json"),
    );
    qmap(&["import", path(file), "--data", path(&a)]);
    qmap(&["export", "-o", path(&first), "--data", path(&a)]);
    qmap(&["import", path(&first), "--data", path(&b)]);
    qmap(&["export", "-o", path(&second), "--data", path(&b)]);
    let first_bytes = std::fs::read(&first).unwrap();
    assert_eq!(
        first_bytes,
        std::fs::read(&second).unwrap(),
        "{}: the second export differs from the first",
        file.display()
    );
    let input: Bundle = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    let exported: Bundle = serde_json::from_slice(&first_bytes).unwrap();
    assert_eq!(
        exported,
        Dataset::from_bundle(input).to_bundle(),
        "{}: the export is not what was imported",
        file.display()
    );
}

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_fixture_round_trips_through_import_and_export() {
    let files = fixtures();
    assert_eq!(files.len(), 7, "{files:?}");
    for file in &files {
        assert_round_trip(file);
    }
}

#[test]
fn a_generated_dataset_round_trips_through_import_and_export() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("generated.json");
    let bundle = generate(&GenOptions {
        chains: 3,
        firms: 400,
        seed: 7,
    });
    std::fs::write(&file, serde_json::to_vec(&bundle).unwrap()).unwrap();
    assert_round_trip(&file);
}

#[test]
fn all_fixtures_load_together_into_one_store() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut expected = Dataset::new();
    for file in fixtures() {
        qmap(&["import", path(&file), "--data", path(&data)]);
        let bundle: Bundle = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        expected.upsert(bundle);
    }
    let out = dir.path().join("all.json");
    qmap(&["export", "-o", path(&out), "--data", path(&data)]);
    let exported: Bundle = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(exported, expected.to_bundle());
    assert_eq!(exported.chains.len(), 7);
}
