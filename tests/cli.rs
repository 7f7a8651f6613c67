//! The `qmap` commands as a user runs them: exit codes, stdout and stderr.

use std::process::{Command, Output};

fn qmap(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_qmap"))
        .args(args)
        .env_remove("QMAP_DATA")
        .output()
        .unwrap()
}

fn fixture(name: &str) -> String {
    format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn validate_accepts_a_fixture_and_names_its_counts() {
    let out = qmap(&["validate", &fixture("hydrogen_shaanxi.json")]);
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("is valid"), "{stdout}");
    assert!(stdout.contains("50 firms"), "{stdout}");
}

#[test]
fn validate_json_lists_every_error_with_its_path_and_code_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.json");
    std::fs::write(
        &file,
        r#"{"version": 1,
            "organizations": [{"id": "f1", "name": "某公司", "kind": "enterprise", "region": "3205"},
                              {"id": "f1", "name": "重复", "kind": "enterprise", "region": "320500", "colour": "red"}]}"#,
    )
    .unwrap();
    let out = qmap(&["validate", "--json", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["valid"], false);
    let mut got: Vec<(String, String)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["path"].as_str().unwrap().to_string(),
                e["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            ("/organizations/0/region".into(), "invalid_region".into()),
            ("/organizations/1/colour".into(), "unknown_field".into()),
            ("/organizations/1/id".into(), "duplicate_id".into()),
        ]
    );
}

#[test]
fn validate_json_reports_malformed_json_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.json");
    std::fs::write(&file, "{\"version\": 1,\n \"chains\": [}").unwrap();
    let out = qmap(&["validate", "--json", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let e = &report["errors"][0];
    assert_eq!(e["code"], "malformed_json");
    assert_eq!(
        (e["line"].as_u64(), e["column"].as_u64()),
        (Some(2), Some(13))
    );
}

#[test]
fn a_failed_import_says_why_on_stderr_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let ok = qmap(&["import", &fixture("linear.json"), "--data", data]);
    assert!(ok.status.success());
    let before = qmap(&["export", "--data", data]).stdout;
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"version": 1, "supplies": [{"chain": "nowhere", "from": "a", "to": "a", "part": "x"}]}"#,
    )
    .unwrap();
    let out = qmap(&["import", bad.to_str().unwrap(), "--data", data]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert!(stderr.contains("/supplies/0/chain"), "{stderr}");
    assert!(stderr.contains("unknown_chain"), "{stderr}");
    assert_eq!(qmap(&["export", "--data", data]).stdout, before);
}

/// A bundle of `n` organizations that are each `{}`: three missing fields each.
fn empty_organizations(n: usize) -> String {
    let items = vec!["{}"; n].join(",");
    format!("{{\"version\": 1, \"organizations\": [{items}]}}")
}

#[test]
fn validate_and_import_list_the_first_thousand_errors_and_count_them_all() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("empty-orgs.json");
    std::fs::write(&file, empty_organizations(100_000)).unwrap();
    let file = file.to_str().unwrap();

    let out = qmap(&["validate", "--json", file]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["valid"], false);
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1000);
    assert_eq!(errors[0]["path"], "/organizations/0/id");
    assert_eq!(report["truncated"], true);
    assert_eq!(
        report["counts"],
        serde_json::json!({"missing_field": 300_000})
    );

    // Text, from `validate` and from a failed `import`: a thousand lines and the totals.
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    for args in [vec!["validate", file], vec!["import", file, "--data", data]] {
        let out = qmap(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        let listed = stderr
            .lines()
            .filter(|l| l.starts_with("  /organizations/"))
            .count();
        assert_eq!(listed, 1000, "{args:?}");
        assert!(stderr.contains("(300000 problems)"), "{args:?}");
        assert!(
            stderr.contains("299000 more not listed; in all by code: missing_field 300000"),
            "{args:?}: {}",
            stderr.lines().last().unwrap_or_default()
        );
    }
    let export: serde_json::Value =
        serde_json::from_slice(&qmap(&["export", "--data", data]).stdout).unwrap();
    assert_eq!(export["organizations"], serde_json::json!([]));
}

#[test]
fn a_missing_file_is_a_clear_error() {
    let out = qmap(&["validate", "/nonexistent/bundle.json"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("cannot read /nonexistent/bundle.json"),
        "{stderr}"
    );
}

#[test]
fn help_lists_every_command() {
    let out = qmap(&["--help"]);
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for command in [
        "validate", "import", "export", "generate", "analyze", "serve", "schema",
    ] {
        assert!(help.contains(command), "{command} missing from:\n{help}");
    }
}

/// Every byte under `dir`, to look for a secret that must not be there.
fn all_bytes(dir: &std::path::Path) -> Vec<u8> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(all_bytes(&path));
        } else {
            out.extend(std::fs::read(&path).unwrap());
        }
    }
    out
}

#[test]
fn a_token_is_shown_once_stored_as_a_hash_listed_revoked_and_audited() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let d = data.to_str().unwrap();
    assert!(qmap(&["import", &fixture("linear.json"), "--data", d])
        .status
        .success());
    let created = qmap(&[
        "token",
        "create",
        "--role",
        "admin",
        "--expires",
        "30",
        "--data",
        d,
    ]);
    assert!(created.status.success());
    let secret = String::from_utf8(created.stdout)
        .unwrap()
        .trim()
        .to_string();
    assert!(secret.starts_with("qmap_"), "{secret}");
    let id = secret.split('_').nth(1).unwrap().to_string();

    let stored = all_bytes(&data);
    let secret_part = secret.rsplit('_').next().unwrap();
    assert!(
        !stored
            .windows(secret_part.len())
            .any(|w| w == secret_part.as_bytes()),
        "the secret was written to the store"
    );

    let list = String::from_utf8(qmap(&["token", "list", "--data", d]).stdout).unwrap();
    assert!(
        list.contains(&id) && list.contains("admin") && list.contains("active"),
        "{list}"
    );
    assert!(!list.contains(secret_part), "{list}");

    assert!(qmap(&["token", "revoke", &id, "--data", d])
        .status
        .success());
    let list = String::from_utf8(qmap(&["token", "list", "--data", d]).stdout).unwrap();
    assert!(list.contains("revoked"), "{list}");
    let unknown = qmap(&["token", "revoke", "000000000000", "--data", d]);
    assert_eq!(unknown.status.code(), Some(1));

    let audit: serde_json::Value =
        serde_json::from_slice(&qmap(&["audit", "--json", "--data", d]).stdout).unwrap();
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions.len(), 3, "{actions:?}");
    assert!(actions[0].starts_with("import "), "{actions:?}");
    assert_eq!(actions[1], format!("token create {id} (admin)"));
    assert_eq!(actions[2], format!("token revoke {id}"));
    assert!(audit
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["actor"] == "cli"));
}

#[test]
fn token_scopes_are_checked_against_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let d = data.to_str().unwrap();
    assert!(qmap(&["import", &fixture("linear.json"), "--data", d])
        .status
        .success());
    for (args, message) in [
        (vec!["--role", "enterprise"], "needs --org"),
        (
            vec!["--role", "enterprise", "--org", "nobody"],
            "not an enterprise",
        ),
        (
            vec!["--role", "regulator", "--chain", "nowhere"],
            "not in the store",
        ),
        (vec!["--role", "superuser"], "unknown role"),
    ] {
        let mut full = vec!["token", "create", "--data", d];
        full.extend(args);
        let out = qmap(&full);
        assert!(!out.status.success(), "{full:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.contains(message), "{full:?}: {stderr}");
    }
    let list = String::from_utf8(qmap(&["token", "list", "--data", d]).stdout).unwrap();
    assert!(list.starts_with("no tokens"), "{list}");
}

/// `qmap import` keeps the same status rule as the API: a file that reopens a resolved problem
/// writes nothing, unless `--override-status` says so (and the audit log records it).
#[test]
fn import_refuses_to_reopen_a_resolved_problem_without_override_status() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("store");
    let data = data.to_str().unwrap();
    let fixture = fixture("linear.json");
    assert!(qmap(&["import", &fixture, "--data", data]).status.success());
    let mut bundle: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&fixture).unwrap()).unwrap();
    let problem = bundle["problems"][0].clone();
    let id = problem["id"].as_str().unwrap().to_string();
    let mut write = |status: &str, name: &str| {
        let mut p = problem.clone();
        p["status"] = serde_json::json!(status);
        bundle["problems"] = serde_json::json!([p]);
        let path = dir.path().join(name);
        std::fs::write(&path, bundle.to_string()).unwrap();
        path.to_str().unwrap().to_string()
    };
    let resolved = write("resolved", "resolved.json");
    assert!(qmap(&["import", &resolved, "--data", data])
        .status
        .success());
    let reopened = write("open", "reopened.json");
    let out = qmap(&["import", &reopened, "--data", data]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("/problems/0/status") && stderr.contains("status_regression"),
        "{stderr}"
    );
    let exported = || {
        let out = qmap(&["export", "--data", data]);
        let b: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        b["problems"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id.as_str())
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(exported(), "resolved");
    let out = qmap(&["import", &reopened, "--data", data, "--override-status"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(exported(), "open");
    let audit = qmap(&["audit", "--json", "--data", data]);
    let audit = String::from_utf8(audit.stdout).unwrap();
    assert!(audit.contains("--override-status"), "{audit}");
}

fn survey(name: &str) -> String {
    format!("{}/fixtures/surveys/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// Two surveys of the power-battery chain: 2024's, then today's replacing it.
fn two_surveys() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let first = stdout(&qmap(&[
        "import",
        &survey("power_battery_jiangsu_2024.json"),
        "--data",
        data,
        "--label",
        "2024年度调查",
    ]));
    assert!(first.starts_with("imported "), "{first}");
    assert!(
        first.contains("as survey \"2024年度调查\" (revision 1)"),
        "{first}"
    );
    let second = stdout(&qmap(&[
        "import",
        &fixture("power_battery_jiangsu.json"),
        "--data",
        data,
        "--label",
        "2025年度调查",
        "--replace",
    ]));
    assert!(second.contains("(revision 2)"), "{second}");
    assert!(
        second.contains("pb-power-battery: replaced: 1 memberships"),
        "{second}"
    );
    dir
}

#[test]
fn revisions_list_the_surveys_and_analyze_reads_any_of_them() {
    let dir = two_surveys();
    let data = dir.path().to_str().unwrap();
    let list: serde_json::Value =
        serde_json::from_str(&stdout(&qmap(&["revisions", "--data", data, "--json"]))).unwrap();
    let labels: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["2024年度调查", "2025年度调查"]);
    assert_eq!(list[1]["actor"], "cli");
    let table = stdout(&qmap(&["revisions", "--data", data]));
    assert!(table.contains("2025年度调查"), "{table}");

    // The store as of revision 1 is the 2024 file: the same analysis, byte for byte.
    let then = stdout(&qmap(&[
        "analyze",
        "--data",
        data,
        "--revision",
        "1",
        "--json",
    ]));
    let file = stdout(&qmap(&[
        "analyze",
        &survey("power_battery_jiangsu_2024.json"),
        "--json",
    ]));
    assert_eq!(then, file);
    let now = stdout(&qmap(&["analyze", "--data", data, "--json"]));
    assert_ne!(then, now);

    let out = qmap(&["analyze", "--data", data, "--revision", "9"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("revision 9 does not exist (the latest is 2)"),
        "{err}"
    );
}

#[test]
fn diff_says_what_changed_between_the_two_latest_surveys() {
    let dir = two_surveys();
    let data = dir.path().to_str().unwrap();
    let json: serde_json::Value = serde_json::from_str(&stdout(&qmap(&[
        "diff",
        "--data",
        data,
        "--chain",
        "pb-power-battery",
        "--json",
    ])))
    .unwrap();
    assert_eq!(json["from"]["label"], "2024年度调查");
    assert_eq!(json["to"]["revision"], 2);
    let left: Vec<&str> = json["firms"]["left"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(left, ["pb-jp-separator"]);
    // Backwards, the firm that left joins.
    let back: serde_json::Value = serde_json::from_str(&stdout(&qmap(&[
        "diff",
        "--data",
        data,
        "--from",
        "2",
        "--to",
        "1",
        "--chain",
        "pb-power-battery",
        "--json",
    ])))
    .unwrap();
    assert_eq!(back["firms"]["joined"], json["firms"]["left"]);
    // The readable report names firms and parts in Chinese.
    let text = stdout(&qmap(&["diff", "--data", data]));
    assert!(
        text.starts_with("from 2024年度调查 (revision 1) to 2025年度调查 (revision 2)"),
        "{text}"
    );
    assert!(text.contains("firms left"), "{text}");
    assert!(text.contains("锂电铜箔"), "{text}");

    let out = qmap(&["diff", "--data", data, "--chain", "no-such-chain"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_replacing_import_that_would_leave_a_supply_off_its_chain_is_refused_with_the_path() {
    let dir = two_surveys();
    let data = dir.path().to_str().unwrap();
    // Today's file without one member, but still with a supply of it: replacing would take the
    // firm off the chain under its own supply.
    let mut bundle: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("power_battery_jiangsu.json")).unwrap(),
    )
    .unwrap();
    let supply = bundle["supplies"][0].clone();
    let gone = supply["from"].as_str().unwrap().to_string();
    bundle["organizations"]
        .as_array_mut()
        .unwrap()
        .retain(|o| o["id"] != gone.as_str());
    bundle["problems"]
        .as_array_mut()
        .unwrap()
        .retain(|p| p["org"] != gone.as_str());
    let file = dir.path().join("bad.json");
    std::fs::write(&file, serde_json::to_vec(&bundle).unwrap()).unwrap();
    let out = qmap(&[
        "import",
        file.to_str().unwrap(),
        "--data",
        data,
        "--replace",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("not_a_member"), "{err}");
    assert!(err.contains("/supplies/"), "{err}");
    // Nothing was written.
    let list: serde_json::Value =
        serde_json::from_str(&stdout(&qmap(&["revisions", "--data", data, "--json"]))).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
}

/// A small valid bundle: one provider with two capabilities, a problem with two needs, and the
/// catalogue `catalogue`.
fn catalogued_bundle(catalogue: serde_json::Value) -> String {
    serde_json::json!({
        "version": 1,
        "capabilities": catalogue,
        "chains": [{"id": "c", "name": "链", "segments": [{"id": "s", "name": "环节"}]}],
        "organizations": [
            {"id": "a", "name": "甲公司", "kind": "enterprise", "region": "320500",
             "chains": [{"chain": "c", "role": "chain_master", "segment": "s"}]},
            {"id": "q", "name": "检测院", "kind": "inspection_center", "level": "national",
             "region": "320500",
             "capabilities": [{"code": "testing:cells"}, {"code": "testing:cycle-life"}]}
        ],
        "problems": [
            {"id": "p", "org": "a", "chain": "c", "title": "循环寿命不足", "category": "testing",
             "severity": 3, "status": "open", "needs": ["testing:cycle-life", "rd:bms"]}
        ]
    })
    .to_string()
}

#[test]
fn validate_warns_of_capability_codes_the_catalogue_lacks_and_still_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("catalogued.json");
    std::fs::write(
        &file,
        catalogued_bundle(serde_json::json!([{"code": "testing:cells", "name": "电芯测试"}])),
    )
    .unwrap();
    let file = file.to_str().unwrap();

    let out = qmap(&["validate", file]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("is valid"), "{stdout}");
    assert!(
        stdout.contains(
            "/organizations/1/capabilities/1/code: capability \"testing:cycle-life\" has no \
             catalogue entry (2 uses) [uncatalogued_capability]"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "/problems/0/needs/1: capability \"rd:bms\" has no catalogue entry (1 use) \
             [uncatalogued_capability]"
        ),
        "{stdout}"
    );
    assert!(!stdout.contains("\"testing:cells\""), "{stdout}");

    let out = qmap(&["validate", "--json", file]);
    assert_eq!(out.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["valid"], true);
    assert_eq!(report["catalogue"], true);
    assert_eq!(
        report["warnings"],
        serde_json::json!([
            {"code": "uncatalogued_capability", "capability": "testing:cycle-life",
             "path": "/organizations/1/capabilities/1/code", "uses": 2},
            {"code": "uncatalogued_capability", "capability": "rd:bms",
             "path": "/problems/0/needs/1", "uses": 1}
        ])
    );
}

#[test]
fn validate_without_any_catalogue_says_so_once_and_warns_of_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plain.json");
    std::fs::write(&file, catalogued_bundle(serde_json::json!([]))).unwrap();
    let file = file.to_str().unwrap();
    let out = qmap(&["validate", file]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout
            .matches("no capability catalogue: codes are shown as they are")
            .count(),
        1,
        "{stdout}"
    );
    assert!(!stdout.contains("uncatalogued_capability"), "{stdout}");
    let out = qmap(&["validate", "--json", file]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["catalogue"], false);
    assert_eq!(report["warnings"], serde_json::json!([]));
}

/// With `--data`, the store's catalogue names codes as well as the file's own.
#[test]
fn validate_judges_codes_by_the_stores_catalogue_too() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let catalogue = dir.path().join("catalogue.json");
    std::fs::write(
        &catalogue,
        serde_json::json!({"version": 1, "capabilities": [
            {"code": "testing:cells", "name": "电芯测试"},
            {"code": "testing:cycle-life", "name": "循环寿命测试", "standards": ["GB/T 31484-2015"]}
        ]})
        .to_string(),
    )
    .unwrap();
    assert!(
        qmap(&["import", catalogue.to_str().unwrap(), "--data", data])
            .status
            .success()
    );
    let file = dir.path().join("plain.json");
    std::fs::write(&file, catalogued_bundle(serde_json::json!([]))).unwrap();
    let out = qmap(&["validate", "--json", file.to_str().unwrap(), "--data", data]);
    assert_eq!(out.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["catalogue"], true);
    assert_eq!(
        report["warnings"],
        serde_json::json!([{"code": "uncatalogued_capability", "capability": "rd:bms",
                            "path": "/problems/0/needs/1", "uses": 1}])
    );
}

/// Every fixture and survey carries a catalogue entry for every code it uses (written by
/// `fixtures/catalogue.py`): `qmap validate` warns of nothing.
#[test]
fn every_fixture_names_every_capability_code_it_uses() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut files: Vec<_> = ["", "surveys"]
        .iter()
        .flat_map(|dir| std::fs::read_dir(root.join(dir)).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 10);
    for file in files {
        let out = qmap(&["validate", "--json", file.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{}", file.display());
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["catalogue"], true, "{}", file.display());
        assert_eq!(
            report["warnings"],
            serde_json::json!([]),
            "{}",
            file.display()
        );
    }
}
