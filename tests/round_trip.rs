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

/// A small chain with the quality work run on it: projects (one completed with a level and
/// results, one cancelled), a consortium, policy tools (one for every chain) and a goal.
fn with_work() -> serde_json::Value {
    serde_json::json!({
        "version": 1,
        "chains": [{"id": "pb", "name": "动力电池", "segments": [
            {"id": "materials", "name": "正负极材料"}, {"id": "cells", "name": "电芯"}]}],
        "organizations": [
            {"id": "f1", "name": "电芯厂", "kind": "enterprise", "region": "320583",
             "chains": [{"chain": "pb", "role": "chain_master", "segment": "cells"}]},
            {"id": "f2", "name": "隔膜厂", "kind": "enterprise", "region": "320506",
             "chains": [{"chain": "pb", "role": "member", "segment": "materials"}]},
            {"id": "q1", "name": "质检中心", "kind": "inspection_center", "level": "national",
             "region": "320500", "capabilities": [{"code": "testing:battery-safety"}]}],
        "supplies": [{"chain": "pb", "from": "f2", "to": "f1", "part": "隔膜"}],
        "problems": [{"id": "p1", "org": "f1", "chain": "pb", "title": "热失控检测",
                      "category": "testing", "severity": 4, "status": "open",
                      "needs": ["testing:battery-safety"]}],
        "projects": [
            {"id": "j2", "title": "隔膜一致性", "category": "key_product", "chain": "pb",
             "lead": "f2", "year": 2024, "status": "cancelled"},
            {"id": "j1", "title": "热失控检测能力", "category": "common_technology",
             "chain": "pb", "lead": "f1", "participants": ["q1", "f2"], "problems": ["p1"],
             "year": 2025, "status": "completed", "level": "international_leading",
             "consortium": "k1",
             "results": {"patents": 2, "standards": 1, "summary": "建成检测平台"}}],
        "consortia": [{"id": "k1", "name": "动力电池质量创新联合体", "chain": "pb",
                       "lead": "f1", "members": ["f2", "q1"], "founded": 2024}],
        "policy_tools": [
            {"id": "t2", "title": "质量贷", "kind": "finance", "issuer": "苏州市人民政府",
             "region": "3205", "year": 2025, "gaps": ["capacity"]},
            {"id": "t1", "title": "检验检测能力提升专项资金", "kind": "funding",
             "issuer": "江苏省市场监督管理局", "region": "32", "year": 2025,
             "elements": ["testing", "metrology"], "categories": ["testing"],
             "gaps": ["infrastructure"], "chains": ["pb"]}],
        "goals": [{"id": "g-32-2025", "region": "32", "year": 2025,
                   "targets": {"key_product": 150, "chain_collaboration": 5},
                   "international_share": 0.6}]
    })
}

#[test]
fn projects_consortia_policy_tools_and_goals_round_trip_through_import_and_export() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("work.json");
    std::fs::write(&file, serde_json::to_vec(&with_work()).unwrap()).unwrap();
    assert_round_trip(&file);
    let input: Bundle = serde_json::from_value(with_work()).unwrap();
    assert_eq!(
        (
            input.projects.len(),
            input.consortia.len(),
            input.policy_tools.len(),
            input.goals.len()
        ),
        (2, 1, 2, 1)
    );
}

/// A store without projects, consortia, policy tools or goals exports what earlier builds did:
/// no such keys, the arrays in the order of format 1.
#[test]
fn an_export_without_the_quality_work_has_none_of_its_keys() {
    let dir = tempfile::tempdir().unwrap();
    let mut doc = with_work();
    for key in ["projects", "consortia", "policy_tools", "goals"] {
        doc.as_object_mut().unwrap().remove(key);
    }
    let file = dir.path().join("plain.json");
    std::fs::write(&file, serde_json::to_vec(&doc).unwrap()).unwrap();
    let data = dir.path().join("data");
    let out = dir.path().join("out.json");
    qmap(&["import", path(&file), "--data", path(&data)]);
    qmap(&["export", "-o", path(&out), "--data", path(&data)]);
    let exported: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let keys: Vec<&str> = exported
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected = vec![
        "version",
        "regions",
        "chains",
        "organizations",
        "supplies",
        "problems",
    ];
    expected.sort();
    assert_eq!(keys, expected);
    let text = String::from_utf8(std::fs::read(&out).unwrap()).unwrap();
    assert!(
        text.trim_end().ends_with("}]}"),
        "the problems close the document"
    );
}

/// The capability catalogue goes into the store and out again, in the streamed export and in
/// the whole one alike, right after `regions`; entries without standards or description keep
/// leaving them out.
#[test]
fn the_capability_catalogue_round_trips_through_the_store() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/linear.json");
    let mut bundle: Bundle = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    bundle.capabilities = serde_json::from_value(serde_json::json!([
        {"code": "testing:cells", "name": "电芯测试",
         "standards": ["GB/T 31485-2015", "GB 38031-2020"],
         "description": "电芯安全与循环寿命检测"},
        {"code": "rd:bms", "name": "电池管理系统研发"}
    ]))
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = qmap::store::Store::open(dir.path()).unwrap();
    store.import(&bundle).unwrap();
    let mut streamed = Vec::new();
    store.export_json(&mut streamed).unwrap();
    let whole = store.export().unwrap();
    assert_eq!(streamed, serde_json::to_vec(&whole).unwrap());
    assert_eq!(whole, Dataset::from_bundle(bundle.clone()).to_bundle());
    let text = String::from_utf8(streamed).unwrap();
    assert!(
        text.contains(
            r#"],"capabilities":[{"code":"rd:bms","name":"电池管理系统研发"},{"code":"testing:cells","#
        ),
        "{text}"
    );
    let data = store.load().unwrap();
    assert_eq!(data.capability_name("testing:cells"), Some("电芯测试"));
    assert_eq!(data.capability_name("testing:nothing"), None);

    // A change deletes an entry, and the revision counts it.
    let revision = store
        .apply(&qmap::model::ChangeSet {
            delete_capabilities: vec!["rd:bms".into()],
            ..Default::default()
        })
        .unwrap();
    assert_eq!(store.load().unwrap().capabilities.len(), 1);
    let counts = store.revisions().unwrap().last().unwrap().counts;
    assert_eq!(counts.capabilities.removed, 1, "revision {revision}");
}
