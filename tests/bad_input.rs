//! Every kind of bad input, one case each, against `qmap::validate::parse_bundle`: each case
//! mutates a small valid document and lists the exact (path, code) pairs it must report.
//!
//! `run` is the one place that feeds a case to the code under test: it checks the report of
//! `parse_bundle`, then imports the case the way `qmap import` does into a store that already
//! holds other data, and checks the import fails and the store is exactly as before.

use qmap::model::{Bundle, Dataset};
use qmap::validate::{check_bundle, parse_bundle, ErrorCode, Report};
use serde_json::{json, Value};

/// A valid document of every kind of record:
///
/// ```text
/// chain power-battery: materials → cells
///   f2 (foreign, materials) ──separator──▶ f1 (chain master, cells)     problem p1 held by f1
/// provider q1 (national inspection centre, testing:battery-safety)
/// ```
fn base() -> Value {
    json!({
        "version": 1,
        "regions": [{"code": "320500", "name": "苏州市"}],
        "chains": [{"id": "power-battery", "name": "动力电池", "chief": "江苏省工业和信息化厅",
                    "segments": [{"id": "materials", "name": "正负极材料"},
                                 {"id": "cells", "name": "电芯"}]}],
        "organizations": [
            {"id": "f1", "name": "电芯厂", "kind": "enterprise", "region": "320583",
             "chains": [{"chain": "power-battery", "role": "chain_master", "segment": "cells"}]},
            {"id": "f2", "name": "隔膜厂", "kind": "enterprise", "foreign": true, "country": "JP",
             "chains": [{"chain": "power-battery", "role": "member", "segment": "materials"}]},
            {"id": "q1", "name": "质检中心", "kind": "inspection_center", "level": "national",
             "region": "320500",
             "capabilities": [{"code": "testing:battery-safety", "capacity": 20}]}
        ],
        "supplies": [{"chain": "power-battery", "from": "f2", "to": "f1", "part": "separator"}],
        "problems": [{"id": "p1", "org": "f1", "chain": "power-battery", "title": "热失控检测",
                      "category": "testing", "severity": 4, "status": "open",
                      "needs": ["testing:battery-safety"]}]
    })
}

/// The base document after `change`.
fn with(change: impl FnOnce(&mut Value)) -> Doc {
    let mut doc = base();
    change(&mut doc);
    Doc::Json(doc)
}

/// `base()` with the quality work run on its chain: a completed project tackling p1, run by a
/// consortium led by the chain master, a policy tool of the province and its goal.
fn base_with_work() -> Value {
    let mut doc = base();
    doc["projects"] = json!([{
        "id": "j1", "title": "电芯热失控检测能力提升", "category": "common_technology",
        "chain": "power-battery", "lead": "f1", "participants": ["q1", "f2"],
        "problems": ["p1"], "year": 2025, "status": "completed",
        "level": "international_advanced", "consortium": "k1",
        "results": {"patents": 3, "standards": 1, "summary": "建成热失控检测平台"}}]);
    doc["consortia"] = json!([{
        "id": "k1", "name": "动力电池质量创新联合体", "chain": "power-battery", "lead": "f1",
        "members": ["f2", "q1"], "founded": 2024}]);
    doc["policy_tools"] = json!([{
        "id": "t1", "title": "检验检测能力提升专项资金", "kind": "funding",
        "issuer": "江苏省市场监督管理局", "region": "32", "year": 2025,
        "elements": ["testing"], "categories": ["testing"],
        "gaps": ["infrastructure", "capacity"], "chains": ["power-battery"]}]);
    doc["goals"] = json!([{
        "id": "g1", "region": "32", "year": 2025,
        "targets": {"chain_collaboration": 5, "common_technology": 10, "key_product": 150},
        "international_share": 0.6}]);
    doc
}

/// `base_with_work()` after `change`.
fn with_work(change: impl FnOnce(&mut Value)) -> Doc {
    let mut doc = base_with_work();
    change(&mut doc);
    Doc::Json(doc)
}

/// Adds chain `hydrogen` (one segment `s`) with `f1` on it too.
fn add_hydrogen(doc: &mut Value) {
    doc["chains"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": "hydrogen", "name": "氢能", "segments": [{"id": "s", "name": "S"}]}));
    doc["organizations"][0]["chains"]
        .as_array_mut()
        .unwrap()
        .push(json!({"chain": "hydrogen", "role": "member", "segment": "s"}));
}

enum Doc {
    Json(Value),
    Text(&'static str),
}

struct Case {
    name: &'static str,
    doc: Doc,
    expected: &'static [(&'static str, &'static str)],
    /// For errors of the text itself: the expected (line, column) of the first error.
    position: Option<(usize, usize)>,
}

fn case(name: &'static str, doc: Doc, expected: &'static [(&'static str, &'static str)]) -> Case {
    Case {
        name,
        doc,
        expected,
        position: None,
    }
}

fn organizations(doc: &mut Value) -> &mut Vec<Value> {
    doc["organizations"].as_array_mut().unwrap()
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            position: Some((3, 1)),
            ..case(
                "malformed JSON",
                Doc::Text("{\"version\": 1,\n  \"chains\": [\n}"),
                &[("", "malformed_json")],
            )
        },
        Case {
            position: Some((1, 24)),
            ..case(
                "a field given twice",
                Doc::Text(r#"{"version": 1, "version": 1}"#),
                &[("", "duplicate_field")],
            )
        },
        case(
            "unsupported version",
            with(|d| d["version"] = json!(2)),
            &[("/version", "unsupported_version")],
        ),
        case(
            "unknown field, with JSON Pointer escaping",
            with(|d| {
                d["organizations"][0]["regoin"] = json!("320583");
                d["supplies"][0]["a/b~c"] = json!(1);
            }),
            &[
                ("/organizations/0/regoin", "unknown_field"),
                ("/supplies/0/a~1b~0c", "unknown_field"),
            ],
        ),
        case(
            "missing required field",
            with(|d| {
                d["problems"][0].as_object_mut().unwrap().remove("title");
            }),
            &[("/problems/0/title", "missing_field")],
        ),
        case(
            "wrong types",
            with(|d| {
                d["supplies"][0]["part"] = json!(3);
                d["organizations"][1]["foreign"] = json!("yes");
                d["problems"][0]["severity"] = json!("4");
            }),
            &[
                ("/organizations/1/foreign", "wrong_type"),
                ("/supplies/0/part", "wrong_type"),
                ("/problems/0/severity", "wrong_type"),
            ],
        ),
        case(
            "empty id",
            with(|d| d["problems"][0]["id"] = json!("")),
            &[("/problems/0/id", "empty_id")],
        ),
        case(
            "a NUL in record ids",
            with(|d| {
                d["chains"].as_array_mut().unwrap().push(json!({
                    "id": "c\u{0}", "name": "链", "segments": [{"id": "s\u{0}1", "name": "S"}]}));
                organizations(d).push(json!({
                    "id": "f\u{0}x", "name": "外资企业", "kind": "enterprise", "foreign": true}));
                d["problems"][0]["id"] = json!("p\u{0}1");
            }),
            &[
                ("/chains/1/id", "invalid_id"),
                ("/chains/1/segments/0/id", "invalid_id"),
                ("/organizations/3/id", "invalid_id"),
                ("/problems/0/id", "invalid_id"),
            ],
        ),
        case(
            "a NUL in a supply part (the reported 500)",
            with(|d| d["supplies"][0]["part"] = json!("a\u{0}b")),
            &[("/supplies/0/part", "invalid_id")],
        ),
        case(
            "a NUL in references",
            with(|d| {
                d["organizations"][0]["chains"][0]["segment"] = json!("cells\u{0}");
                d["organizations"][0]["chains"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!({"chain": "x\u{0}", "role": "member", "segment": "s"}));
                d["supplies"].as_array_mut().unwrap().push(
                    json!({"chain": "power-battery\u{0}", "from": "f2\u{0}", "to": "f1\u{0}",
                           "part": "cathode"}),
                );
                d["problems"][0]["org"] = json!("f1\u{0}");
                d["problems"][0]["chain"] = json!("\u{0}");
            }),
            &[
                ("/organizations/0/chains/0/segment", "invalid_id"),
                ("/organizations/0/chains/1/chain", "invalid_id"),
                ("/supplies/1/chain", "invalid_id"),
                ("/supplies/1/from", "invalid_id"),
                ("/supplies/1/to", "invalid_id"),
                ("/problems/0/org", "invalid_id"),
                ("/problems/0/chain", "invalid_id"),
            ],
        ),
        case(
            "control characters in codes, needs and region codes",
            with(|d| {
                d["organizations"][2]["capabilities"][0]["code"] = json!("testing:a\u{0}b");
                d["problems"][0]["needs"] = json!(["testing:a\u{7f}", "rd:\u{85}x", "rd:a\nb"]);
                d["regions"][0]["code"] = json!("32050\u{0}");
                d["organizations"][0]["region"] = json!("\u{0}20583");
            }),
            &[
                ("/organizations/2/capabilities/0/code", "invalid_id"),
                ("/problems/0/needs/0", "invalid_id"),
                ("/problems/0/needs/1", "invalid_id"),
                ("/problems/0/needs/2", "invalid_id"),
                ("/regions/0/code", "invalid_region"),
                ("/organizations/0/region", "invalid_region"),
            ],
        ),
        case(
            "a NUL id in a record that has a typo too",
            with(|d| {
                d["problems"][0]["id"] = json!("p\u{0}");
                d["problems"][0]["colour"] = json!("red");
            }),
            &[
                ("/problems/0/colour", "unknown_field"),
                ("/problems/0/id", "invalid_id"),
            ],
        ),
        case(
            "ids, references, codes and needs longer than 128 characters",
            with(|d| {
                let long = "f".repeat(129);
                organizations(d).push(json!({
                    "id": "x".repeat(100_000), "name": "超长", "kind": "enterprise",
                    "foreign": true}));
                d["chains"][0]["segments"][0]["id"] = json!(long);
                d["supplies"][0]["from"] = json!(long);
                d["problems"][0]["chain"] = json!(long);
                d["organizations"][2]["capabilities"][0]["code"] =
                    json!(format!("testing:{}", "测".repeat(121)));
                d["problems"][0]["needs"] = json!([format!("rd:{}", "x".repeat(126))]);
            }),
            &[
                ("/chains/0/segments/0/id", "too_long"),
                // f2 sat on the segment that was renamed.
                ("/organizations/1/chains/0/segment", "unknown_segment"),
                ("/organizations/3/id", "too_long"),
                ("/supplies/0/from", "too_long"),
                ("/problems/0/chain", "too_long"),
                ("/organizations/2/capabilities/0/code", "too_long"),
                ("/problems/0/needs/0", "too_long"),
            ],
        ),
        case(
            "names, titles and parts over their limits",
            with(|d| {
                d["regions"][0]["name"] = json!("市".repeat(501));
                d["chains"][0]["name"] = json!("n".repeat(501));
                d["chains"][0]["chief"] = json!("n".repeat(501));
                d["chains"][0]["segments"][1]["name"] = json!("n".repeat(501));
                d["organizations"][0]["name"] = json!("厂".repeat(501));
                d["organizations"][1]["country"] = json!("J".repeat(501));
                d["problems"][0]["title"] = json!("题".repeat(501));
                d["supplies"][0]["part"] = json!("膜".repeat(201));
            }),
            &[
                ("/regions/0/name", "too_long"),
                ("/chains/0/name", "too_long"),
                ("/chains/0/chief", "too_long"),
                ("/chains/0/segments/1/name", "too_long"),
                ("/organizations/0/name", "too_long"),
                ("/organizations/1/country", "too_long"),
                ("/supplies/0/part", "too_long"),
                ("/problems/0/title", "too_long"),
            ],
        ),
        case(
            "duplicate id",
            with(|d| {
                let again = d["organizations"][2].clone();
                organizations(d).push(again);
            }),
            &[("/organizations/3/id", "duplicate_id")],
        ),
        case(
            "unknown chain",
            with(|d| d["problems"][0]["chain"] = json!("hydrogen")),
            &[("/problems/0/chain", "unknown_chain")],
        ),
        case(
            "unknown segment",
            with(|d| d["organizations"][0]["chains"][0]["segment"] = json!("packs")),
            &[("/organizations/0/chains/0/segment", "unknown_segment")],
        ),
        case(
            "unknown organization",
            with(|d| d["supplies"][0]["to"] = json!("f9")),
            &[("/supplies/0/to", "unknown_organization")],
        ),
        case(
            "supply end that is not a member of the chain",
            with(|d| {
                d["chains"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!({"id": "hydrogen", "name": "氢能"}));
                d["supplies"][0]["chain"] = json!("hydrogen");
            }),
            &[
                ("/supplies/0/from", "not_a_member"),
                ("/supplies/0/to", "not_a_member"),
            ],
        ),
        case(
            "supply end that is a provider",
            with(|d| d["supplies"][0]["from"] = json!("q1")),
            &[("/supplies/0/from", "not_an_enterprise")],
        ),
        case(
            "self-supply",
            with(|d| d["supplies"][0]["from"] = json!("f1")),
            &[("/supplies/0/to", "self_supply")],
        ),
        case(
            "duplicate supply",
            with(|d| {
                let again = d["supplies"][0].clone();
                d["supplies"].as_array_mut().unwrap().push(again);
            }),
            &[("/supplies/1", "duplicate_supply")],
        ),
        case(
            "empty part",
            with(|d| d["supplies"][0]["part"] = json!("")),
            &[("/supplies/0/part", "empty_part")],
        ),
        case(
            "a capability catalogue entry with a blank name, a blank standard and a bad code, \
             given twice",
            with(|d| {
                d["capabilities"] = json!([
                    {"code": "testing:cells", "name": "  ", "standards": ["GB/T 31485-2015", " "]},
                    {"code": "testing:cells", "name": "电芯测试"},
                    {"code": "testing cells", "name": "电芯测试"}
                ])
            }),
            &[
                ("/capabilities/0/name", "empty_name"),
                ("/capabilities/0/standards/1", "empty_standard"),
                ("/capabilities/1/code", "duplicate_id"),
                ("/capabilities/2/code", "invalid_capability"),
            ],
        ),
        case(
            "enterprise field on a provider",
            with(|d| {
                d["organizations"][2]["chains"] =
                    json!([{"chain": "power-battery", "role": "member", "segment": "cells"}]);
            }),
            &[("/organizations/2/chains", "enterprise_field_on_provider")],
        ),
        case(
            "provider fields on an enterprise",
            with(|d| {
                d["organizations"][0]["level"] = json!("national");
                d["organizations"][0]["capabilities"] = json!([]);
            }),
            &[
                ("/organizations/0/level", "provider_field_on_enterprise"),
                (
                    "/organizations/0/capabilities",
                    "provider_field_on_enterprise",
                ),
            ],
        ),
        case(
            "provider without level",
            with(|d| {
                d["organizations"][2]
                    .as_object_mut()
                    .unwrap()
                    .remove("level");
            }),
            &[("/organizations/2/level", "missing_field")],
        ),
        case(
            "bad region codes",
            with(|d| {
                d["regions"][0]["code"] = json!("3205");
                d["organizations"][0]["region"] = json!("32O583");
            }),
            &[
                ("/regions/0/code", "invalid_region"),
                ("/organizations/0/region", "invalid_region"),
            ],
        ),
        case(
            "domestic organization without region",
            with(|d| {
                d["organizations"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("region");
            }),
            &[("/organizations/0/region", "missing_region")],
        ),
        case(
            "foreign provider",
            with(|d| d["organizations"][2]["foreign"] = json!(true)),
            &[("/organizations/2/foreign", "foreign_provider")],
        ),
        case(
            "bad capability codes",
            with(|d| {
                d["organizations"][2]["capabilities"][0]["code"] = json!("cooking:rice");
                d["problems"][0]["needs"] = json!(["testing:battery safety", "testing:"]);
            }),
            &[
                ("/organizations/2/capabilities/0/code", "invalid_capability"),
                ("/problems/0/needs/0", "invalid_capability"),
                ("/problems/0/needs/1", "invalid_capability"),
            ],
        ),
        case(
            "capacity 0",
            with(|d| d["organizations"][2]["capabilities"][0]["capacity"] = json!(0)),
            &[(
                "/organizations/2/capabilities/0/capacity",
                "invalid_capacity",
            )],
        ),
        case(
            "negative capacity",
            with(|d| d["organizations"][2]["capabilities"][0]["capacity"] = json!(-3)),
            &[(
                "/organizations/2/capabilities/0/capacity",
                "invalid_capacity",
            )],
        ),
        case(
            "severity 0",
            with(|d| d["problems"][0]["severity"] = json!(0)),
            &[("/problems/0/severity", "invalid_severity")],
        ),
        case(
            "severity 6",
            with(|d| d["problems"][0]["severity"] = json!(6)),
            &[("/problems/0/severity", "invalid_severity")],
        ),
        case(
            "severity beyond a byte",
            with(|d| d["problems"][0]["severity"] = json!(300)),
            &[("/problems/0/severity", "invalid_severity")],
        ),
        case(
            "unknown status",
            with(|d| d["problems"][0]["status"] = json!("closed")),
            &[("/problems/0/status", "unknown_status")],
        ),
        case(
            "unknown category",
            with(|d| d["problems"][0]["category"] = json!("safety")),
            &[("/problems/0/category", "unknown_category")],
        ),
        case(
            "unknown disclosure",
            with(|d| d["problems"][0]["disclosure"] = json!("public")),
            &[("/problems/0/disclosure", "unknown_disclosure")],
        ),
        case(
            "unknown kind",
            with(|d| d["organizations"][2]["kind"] = json!("laboratory")),
            &[("/organizations/2/kind", "unknown_kind")],
        ),
        case(
            "unknown role",
            with(|d| d["organizations"][1]["chains"][0]["role"] = json!("supplier")),
            &[("/organizations/1/chains/0/role", "unknown_role")],
        ),
        case(
            "unknown level",
            with(|d| d["organizations"][2]["level"] = json!("county")),
            &[("/organizations/2/level", "unknown_level")],
        ),
        case(
            "problem held by a provider",
            with(|d| d["problems"][0]["org"] = json!("q1")),
            &[("/problems/0/org", "not_an_enterprise")],
        ),
        case(
            "duplicate membership of one chain",
            with(|d| {
                let again = d["organizations"][0]["chains"][0].clone();
                d["organizations"][0]["chains"]
                    .as_array_mut()
                    .unwrap()
                    .push(again);
            }),
            &[("/organizations/0/chains/1/chain", "duplicate_membership")],
        ),
        case(
            "duplicate capability of one provider",
            with(|d| {
                let again = d["organizations"][2]["capabilities"][0].clone();
                d["organizations"][2]["capabilities"]
                    .as_array_mut()
                    .unwrap()
                    .push(again);
            }),
            &[(
                "/organizations/2/capabilities/1/code",
                "duplicate_capability",
            )],
        ),
        // ---- projects, consortia, policy tools and goals ----
        case(
            "a project tackling a problem that does not exist",
            with_work(|d| d["projects"][0]["problems"] = json!(["p1", "p9"])),
            &[("/projects/0/problems/1", "unknown_problem")],
        ),
        case(
            "a notice about the chain master naming the other firm's problem, acknowledged by a non-recipient",
            with(|d| {
                d["problems"].as_array_mut().unwrap().push(json!({
                    "id": "p2", "org": "f2", "chain": "power-battery", "title": "隔膜厚度",
                    "category": "process", "severity": 2, "status": "open"}));
                d["notices"] = json!([{
                    "id": "n1", "chain": "power-battery", "about": {"firm": "f1", "problem": "p2"},
                    "kind": "defect", "severity": 3, "message": "", "direction": "upstream",
                    "sender": "f1", "sent_at": 1,
                    "recipients": [{"org": "f2", "relation": "supplier"}], "acks": {"q1": 2}}]);
            }),
            &[
                ("/notices/0/about/problem", "problem_of_other_firm"),
                ("/notices/0/acks/q1", "not_a_recipient"),
            ],
        ),
        case(
            "a notice going sideways to a recipient related somehow",
            with(|d| {
                d["notices"] = json!([{
                    "id": "n1", "chain": "power-battery", "about": {"firm": "f2"},
                    "kind": "delay", "severity": 3, "message": "", "direction": "sideways",
                    "sender": "f2", "sent_at": 1,
                    "recipients": [{"org": "f1", "relation": "friend", "master": true}]}]);
            }),
            &[
                ("/notices/0/direction", "unknown_direction"),
                ("/notices/0/recipients/0/relation", "unknown_relation"),
            ],
        ),
        case(
            "a project tackling a problem of another chain",
            with_work(|d| {
                add_hydrogen(d);
                d["problems"].as_array_mut().unwrap().push(json!({
                    "id": "p2", "org": "f1", "chain": "hydrogen", "title": "氢气纯度检测",
                    "category": "testing", "severity": 3, "status": "open"}));
                d["projects"][0]["problems"] = json!(["p1", "p2"]);
            }),
            &[("/projects/0/problems/1", "problem_on_other_chain")],
        ),
        case(
            "an unknown project category and status",
            with_work(|d| {
                d["projects"][0]["category"] = json!("flagship");
                d["projects"][0]["status"] = json!("done");
            }),
            &[
                ("/projects/0/category", "unknown_category"),
                ("/projects/0/status", "unknown_status"),
            ],
        ),
        case(
            "a level on an unfinished project, and an unknown level",
            with_work(|d| {
                d["projects"][0]["status"] = json!("in_progress");
                let mut other = d["projects"][0].clone();
                other["id"] = json!("j2");
                other["status"] = json!("completed");
                other["level"] = json!("world_class");
                d["projects"].as_array_mut().unwrap().push(other);
            }),
            &[
                ("/projects/0/level", "level_before_completion"),
                ("/projects/1/level", "unknown_level"),
            ],
        ),
        case(
            "a project run by a consortium that does not exist",
            with_work(|d| d["projects"][0]["consortium"] = json!("k9")),
            &[("/projects/0/consortium", "unknown_consortium")],
        ),
        case(
            "a project run by a consortium of another chain",
            with_work(|d| {
                add_hydrogen(d);
                d["consortia"][0]["chain"] = json!("hydrogen");
            }),
            &[("/projects/0/consortium", "consortium_on_other_chain")],
        ),
        case(
            "leads that are unknown, providers or not on the chain; unknown participants",
            with_work(|d| {
                add_hydrogen(d);
                d["projects"][0]["lead"] = json!("q1");
                d["projects"][0]["participants"] = json!(["q1", "nobody"]);
                let mut other = d["consortia"][0].clone();
                other["id"] = json!("k2");
                other["chain"] = json!("hydrogen");
                other["lead"] = json!("f2");
                other["members"] = json!(["f1", "zz"]);
                d["consortia"].as_array_mut().unwrap().push(other);
                let mut third = d["consortia"][0].clone();
                third["id"] = json!("k3");
                third["lead"] = json!("f9");
                third["chain"] = json!("nowhere");
                d["consortia"].as_array_mut().unwrap().push(third);
            }),
            &[
                ("/projects/0/lead", "not_an_enterprise"),
                ("/projects/0/participants/1", "unknown_organization"),
                ("/consortia/1/lead", "not_a_member"),
                ("/consortia/1/members/1", "unknown_organization"),
                ("/consortia/2/chain", "unknown_chain"),
                ("/consortia/2/lead", "unknown_organization"),
            ],
        ),
        case(
            "years out of range",
            with_work(|d| {
                d["projects"][0]["year"] = json!(1989);
                d["consortia"][0]["founded"] = json!(2101);
                d["policy_tools"][0]["year"] = json!(20250);
                d["goals"][0]["year"] = json!(-1);
            }),
            &[
                ("/projects/0/year", "invalid_year"),
                ("/consortia/0/founded", "invalid_year"),
                ("/policy_tools/0/year", "invalid_year"),
                ("/goals/0/year", "invalid_year"),
            ],
        ),
        case(
            "counts that are not whole numbers from 0",
            with_work(|d| {
                d["projects"][0]["results"]["patents"] = json!(-1);
                d["goals"][0]["targets"]["key_product"] = json!(1.5);
            }),
            &[
                ("/projects/0/results/patents", "invalid_count"),
                ("/goals/0/targets/key_product", "invalid_count"),
            ],
        ),
        case(
            "an international share over 1, and a target of an unknown category",
            with_work(|d| {
                d["goals"][0]["international_share"] = json!(60);
                d["goals"][0]["targets"]["flagship"] = json!(5);
            }),
            &[
                ("/goals/0/targets/flagship", "unknown_category"),
                ("/goals/0/international_share", "invalid_share"),
            ],
        ),
        case(
            "an international share below 0 in an otherwise valid document",
            with_work(|d| d["goals"][0]["international_share"] = json!(-0.1)),
            &[("/goals/0/international_share", "invalid_share")],
        ),
        case(
            "a policy tool's unknown kind, element, category and gap",
            with_work(|d| {
                d["policy_tools"][0]["kind"] = json!("grant");
                d["policy_tools"][0]["elements"] = json!(["testing", "quality"]);
                d["policy_tools"][0]["categories"] = json!(["safety"]);
                d["policy_tools"][0]["gaps"] = json!(["money"]);
            }),
            &[
                ("/policy_tools/0/kind", "unknown_kind"),
                ("/policy_tools/0/elements/1", "unknown_element"),
                ("/policy_tools/0/categories/0", "unknown_category"),
                ("/policy_tools/0/gaps/0", "unknown_gap"),
            ],
        ),
        case(
            "region prefixes that are not 2, 4 or 6 digits, and an unknown chain of a tool",
            with_work(|d| {
                d["policy_tools"][0]["region"] = json!("3");
                d["policy_tools"][0]["chains"] = json!(["power-battery", "hydrogen"]);
                d["goals"][0]["region"] = json!("32A");
            }),
            &[
                ("/policy_tools/0/region", "invalid_region"),
                ("/policy_tools/0/chains/1", "unknown_chain"),
                ("/goals/0/region", "invalid_region"),
            ],
        ),
        case(
            "region codes that are no GB/T 2260 division and that no region record names",
            with_work(|d| {
                d["organizations"][0]["region"] = json!("999999");
                d["organizations"][2]["region"] = json!("320599");
                d["policy_tools"][0]["region"] = json!("99");
                d["goals"][0]["region"] = json!("999999");
            }),
            &[
                ("/organizations/0/region", "unknown_region"),
                ("/organizations/2/region", "unknown_region"),
                ("/policy_tools/0/region", "unknown_region"),
                ("/goals/0/region", "unknown_region"),
            ],
        ),
        case(
            "duplicate and empty ids of projects, consortia, policy tools and goals",
            with_work(|d| {
                for array in ["projects", "consortia", "policy_tools", "goals"] {
                    let again = d[array][0].clone();
                    d[array].as_array_mut().unwrap().push(again);
                }
                let mut empty = d["goals"][0].clone();
                empty["id"] = json!("");
                d["goals"].as_array_mut().unwrap().push(empty);
            }),
            &[
                ("/projects/1/id", "duplicate_id"),
                ("/consortia/1/id", "duplicate_id"),
                ("/policy_tools/1/id", "duplicate_id"),
                ("/goals/1/id", "duplicate_id"),
                ("/goals/2/id", "empty_id"),
            ],
        ),
        case(
            "unknown fields, missing fields and wrong types in the new records",
            with_work(|d| {
                d["projects"][0]["budget"] = json!(100);
                d["projects"][0]["results"]["awards"] = json!(1);
                d["consortia"][0].as_object_mut().unwrap().remove("lead");
                d["policy_tools"][0]["chains"] = json!("power-battery");
                d["goals"][0]["targets"] = json!([5, 10, 150]);
            }),
            &[
                ("/projects/0/budget", "unknown_field"),
                ("/projects/0/results/awards", "unknown_field"),
                ("/consortia/0/lead", "missing_field"),
                ("/policy_tools/0/chains", "wrong_type"),
                ("/goals/0/targets", "wrong_type"),
            ],
        ),
        case(
            "ids, references and texts of the new records over their limits",
            with_work(|d| {
                d["projects"][0]["title"] = json!("题".repeat(501));
                d["projects"][0]["results"]["summary"] = json!("结".repeat(2001));
                d["consortia"][0]["members"] = json!(["f".repeat(129)]);
                d["policy_tools"][0]["issuer"] = json!("局".repeat(501));
                d["goals"][0]["id"] = json!("g\u{0}");
            }),
            &[
                ("/projects/0/title", "too_long"),
                ("/projects/0/results/summary", "too_long"),
                ("/consortia/0/members/0", "too_long"),
                ("/policy_tools/0/issuer", "too_long"),
                ("/goals/0/id", "invalid_id"),
            ],
        ),
    ]
}

/// Feeds one case to `parse_bundle` over an empty store and checks exactly what it reports.
fn run(case: &Case) {
    let bytes = match &case.doc {
        Doc::Json(v) => serde_json::to_vec_pretty(v).unwrap(),
        Doc::Text(t) => t.as_bytes().to_vec(),
    };
    let store = Dataset::new();
    let report: Report = match parse_bundle(&bytes, &store) {
        Ok(_) => panic!("case {:?}: accepted", case.name),
        Err(report) => report,
    };
    let mut got: Vec<(&str, &str)> = report
        .errors()
        .iter()
        .map(|e| (e.path.as_str(), e.code.as_str()))
        .collect();
    got.sort();
    let mut expected = case.expected.to_vec();
    expected.sort();
    assert_eq!(got, expected, "case {:?}: {report}", case.name);
    for e in report.errors() {
        assert!(!e.message.is_empty(), "case {:?}: empty message", case.name);
    }
    if let Some(position) = case.position {
        let e = &report.errors()[0];
        assert_eq!(
            (e.line.unwrap(), e.column.unwrap()),
            position,
            "case {:?}",
            case.name
        );
    }
    assert_import_changes_nothing(case.name, &bytes);
}

/// Imports `bytes` as `qmap import` does into a store holding other data; the import must fail
/// with the validation report and leave the store (records and revision) exactly as before.
fn assert_import_changes_nothing(name: &str, bytes: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let store = qmap::store::Store::open(&dir.path().join("data")).unwrap();
    let other = other_chain();
    store.import(&other).unwrap();
    let before = (store.export().unwrap(), store.revision());
    let file = dir.path().join("bad.json");
    std::fs::write(&file, bytes).unwrap();
    match qmap::cli::import_file(&store, &file) {
        Err(qmap::cli::CliError::Invalid { .. }) => {}
        Err(e) => panic!("case {name:?}: import failed for another reason: {e}"),
        Ok(_) => panic!("case {name:?}: import succeeded"),
    }
    let after = (store.export().unwrap(), store.revision());
    assert_eq!(before, after, "case {name:?}: the store changed");
    assert_eq!(after.0, other, "case {name:?}");
}

/// Valid data with ids disjoint from `base()`, so no case can lean on it.
fn other_chain() -> Bundle {
    let text = serde_json::to_string(&base())
        .unwrap()
        .replace("\"power-battery\"", "\"x-chain\"")
        .replace("\"f1\"", "\"x1\"")
        .replace("\"f2\"", "\"x2\"")
        .replace("\"q1\"", "\"xq\"")
        .replace("\"p1\"", "\"xp\"");
    let bundle: Bundle = serde_json::from_str(&text).unwrap();
    qmap::model::Dataset::from_bundle(bundle).to_bundle()
}

#[test]
fn the_base_document_is_valid() {
    let bytes = serde_json::to_vec(&base()).unwrap();
    let bundle = parse_bundle(&bytes, &Dataset::new()).unwrap();
    assert_eq!(bundle.record_count(), 7);
    let bytes = serde_json::to_vec(&base_with_work()).unwrap();
    let bundle = parse_bundle(&bytes, &Dataset::new()).unwrap();
    assert_eq!(bundle.record_count(), 11);
    assert_eq!(bundle.projects[0].problems, ["p1"]);
}

#[test]
fn every_kind_of_bad_input_is_reported_at_its_path() {
    let cases = cases();
    for case in &cases {
        run(case);
    }
    // One case per code that a document can produce on its own (without a store). Codes that
    // need stored records are covered elsewhere: still_referenced by the delete tests,
    // id_mismatch by the API's record tests, and the status rules (status_regression,
    // resolved_kept) by `tests/api/writes.rs` and `tests/cli.rs`; not_upstream, of disclosure
    // requests, by `tests/access.rs`; unknown_part, of a notice being sent, by
    // `tests/api/notices.rs`.
    const NEED_A_STORE: [&str; 6] = [
        "still_referenced",
        "id_mismatch",
        "status_regression",
        "resolved_kept",
        "not_upstream",
        "unknown_part",
    ];
    // The codes of spreadsheet imports only: tests/sheet.rs covers them.
    const SHEETS: [&str; 7] = [
        "missing_sheet",
        "missing_column",
        "merged_cell",
        "wrong_cell_type",
        "formula_without_value",
        "unreadable_workbook",
        "invalid_encoding",
    ];
    let covered: std::collections::BTreeSet<&str> = cases
        .iter()
        .flat_map(|c| c.expected.iter().map(|&(_, code)| code))
        .collect();
    let uncovered: Vec<&str> = ErrorCode::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !covered.contains(c) && !NEED_A_STORE.contains(c) && !SHEETS.contains(c))
        .collect();
    assert_eq!(uncovered, Vec::<&str>::new());
}

#[test]
fn three_different_errors_in_one_document_are_all_reported() {
    run(&case(
        "a typo, a dangling reference and a bad severity",
        with(|d| {
            d["chains"][0]["sgements"] = json!([]);
            d["supplies"][0]["from"] = json!("f9");
            d["problems"][0]["severity"] = json!(6);
        }),
        &[
            ("/chains/0/sgements", "unknown_field"),
            ("/supplies/0/from", "unknown_organization"),
            ("/problems/0/severity", "invalid_severity"),
        ],
    ));
}

#[test]
fn values_at_their_limits_are_valid() {
    let mut doc = base();
    let id = "企".repeat(qmap::model::limits::ID);
    doc["organizations"][0]["id"] = json!(id);
    doc["supplies"][0]["to"] = json!(id);
    doc["problems"][0]["org"] = json!(id);
    doc["supplies"][0]["part"] = json!("膜".repeat(qmap::model::limits::PART));
    doc["organizations"][0]["name"] = json!("厂".repeat(qmap::model::limits::TEXT));
    doc["problems"][0]["title"] = json!("t".repeat(qmap::model::limits::TEXT));
    let code = format!("testing:{}", "x".repeat(qmap::model::limits::ID - 8));
    doc["organizations"][2]["capabilities"][0]["code"] = json!(code);
    doc["problems"][0]["needs"] = json!([code]);
    let bytes = serde_json::to_vec(&doc).unwrap();
    let bundle = parse_bundle(&bytes, &Dataset::new()).unwrap();
    assert_eq!(bundle.organizations[0].id.chars().count(), 128);
}

/// A code GB/T 2260 lacks (a district created after the table) is valid once a region record
/// names it: in the document, or already in the store. Names come from the table otherwise.
#[test]
fn a_code_the_table_lacks_is_accepted_when_a_region_record_names_it() {
    let mut doc = base_with_work();
    doc["regions"] = json!([{"code": "999999", "name": "新区"}]);
    doc["organizations"][0]["region"] = json!("999999");
    doc["policy_tools"][0]["region"] = json!("9999");
    doc["goals"][0]["region"] = json!("999999");
    let bytes = serde_json::to_vec(&doc).unwrap();
    parse_bundle(&bytes, &Dataset::new()).unwrap();

    let mut stored = base();
    stored["regions"] = json!([{"code": "999999", "name": "新区"}]);
    let stored = Dataset::from_bundle(serde_json::from_value(stored).unwrap());
    let doc = json!({
        "version": 1,
        "organizations": [{"id": "q2", "name": "新区质检所", "kind": "inspection_center",
                           "level": "municipal", "region": "999999",
                           "capabilities": [{"code": "testing:battery-safety"}]}]
    });
    let bytes = serde_json::to_vec(&doc).unwrap();
    parse_bundle(&bytes, &stored).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = qmap::store::Store::open(&dir.path().join("data")).unwrap();
    store.import(&stored.to_bundle()).unwrap();
    parse_bundle(&bytes, &store).unwrap();
    let report = parse_bundle(&bytes, &Dataset::new()).unwrap_err();
    assert_eq!(
        pairs(&report),
        vec![("/organizations/0/region", ErrorCode::UnknownRegion)]
    );

    // Without a region record, a real division is named by the table; a record's name wins.
    let mut no_names = base();
    no_names["regions"] = json!([{"code": "320583", "name": "昆山"}]);
    let dataset = Dataset::from_bundle(serde_json::from_value(no_names).unwrap());
    assert_eq!(dataset.region_name("320500"), Some("苏州市"));
    assert_eq!(dataset.region_name("320000"), Some("江苏省"));
    assert_eq!(dataset.region_name("320583"), Some("昆山"));
    assert_eq!(dataset.region_name("999999"), None);
}

fn stored_base() -> Dataset {
    Dataset::from_bundle(serde_json::from_value(base()).unwrap())
}

#[test]
fn references_to_stored_records_are_accepted() {
    let doc = json!({
        "version": 1,
        "organizations": [{"id": "f3", "name": "正极厂", "kind": "enterprise", "region": "320505",
                           "chains": [{"chain": "power-battery", "role": "member",
                                       "segment": "materials"}]}],
        "supplies": [{"chain": "power-battery", "from": "f3", "to": "f1", "part": "cathode"}],
        "problems": [{"id": "p2", "org": "f2", "chain": "power-battery", "title": "涂层一致性",
                      "category": "process", "severity": 2, "status": "in_progress"}]
    });
    let bytes = serde_json::to_vec(&doc).unwrap();
    let bundle = parse_bundle(&bytes, &stored_base()).unwrap();
    assert_eq!(bundle.record_count(), 3);
    // The same document against an empty store dangles exactly where it refers to the store.
    let report = parse_bundle(&bytes, &Dataset::new()).unwrap_err();
    let got: Vec<_> = report
        .errors()
        .iter()
        .map(|e| (e.path.as_str(), e.code))
        .collect();
    assert_eq!(
        got,
        vec![
            ("/organizations/0/chains/0/chain", ErrorCode::UnknownChain),
            ("/supplies/0/chain", ErrorCode::UnknownChain),
            ("/supplies/0/to", ErrorCode::UnknownOrganization),
            ("/problems/0/chain", ErrorCode::UnknownChain),
            ("/problems/0/org", ErrorCode::UnknownOrganization),
        ]
    );
}

#[test]
fn replacing_a_stored_organization_must_keep_its_stored_supplies_valid() {
    // f2 leaves the chain on which it supplies f1 in the store.
    let doc = json!({
        "version": 1,
        "organizations": [{"id": "f2", "name": "隔膜厂", "kind": "enterprise", "foreign": true,
                           "chains": []}]
    });
    let bytes = serde_json::to_vec(&doc).unwrap();
    let report = parse_bundle(&bytes, &stored_base()).unwrap_err();
    assert_eq!(report.total(), 1, "{report}");
    let e = &report.errors()[0];
    assert_eq!(
        (e.path.as_str(), e.code),
        ("/organizations/0", ErrorCode::NotAMember)
    );
    assert!(e.message.contains("\"f2\""), "{}", e.message);
    assert!(e.message.contains("power-battery"), "{}", e.message);
}

/// The `n`th county-level division (cycling) of Jiangsu's city `city` (1 → 3201 南京市).
fn county(city: usize, n: usize) -> String {
    let counties: Vec<_> = qmap::model::divisions::within(&format!("32{city:02}"))
        .iter()
        .filter(|d| !d.code.ends_with("00"))
        .collect();
    counties[n % counties.len()].code.to_string()
}

/// A deterministic document of `chains` chains, each with `per_chain` member firms in a line
/// of supplies, a provider per chain and a problem per firm.
fn medium_document(chains: usize, per_chain: usize) -> Value {
    let mut doc = json!({"version": 1, "chains": [], "organizations": [], "supplies": [],
                         "problems": []});
    for c in 0..chains {
        let chain = format!("chain-{c}");
        doc["chains"].as_array_mut().unwrap().push(json!({
            "id": chain, "name": format!("产业链{c}"),
            "segments": [{"id": "up", "name": "上游"}, {"id": "down", "name": "下游"}]}));
        organizations(&mut doc).push(json!({
            "id": format!("qi-{c}"), "name": "检测中心", "kind": "inspection_center",
            "level": "provincial", "region": format!("32{:02}00", c % 13 + 1),
            "capabilities": [{"code": format!("testing:subject-{c}")}]}));
        for f in 0..per_chain {
            let id = format!("firm-{c}-{f}");
            let role = if f + 1 == per_chain {
                "chain_master"
            } else {
                "member"
            };
            let segment = if f < per_chain / 2 { "up" } else { "down" };
            organizations(&mut doc).push(json!({
                "id": id, "name": id, "kind": "enterprise",
                "region": county(c % 13 + 1, f),
                "chains": [{"chain": chain, "role": role, "segment": segment}]}));
            if f > 0 {
                doc["supplies"].as_array_mut().unwrap().push(json!({
                    "chain": chain, "from": format!("firm-{c}-{}", f - 1), "to": id,
                    "part": format!("part-{f}")}));
            }
            doc["problems"].as_array_mut().unwrap().push(json!({
                "id": format!("p-{c}-{f}"), "org": id, "chain": chain, "title": "问题",
                "category": "testing", "severity": f % 5 + 1, "status": "open",
                "needs": [format!("testing:subject-{c}")]}));
        }
    }
    doc
}

#[test]
fn a_valid_medium_document_parses_on_the_fast_path() {
    let doc = medium_document(20, 250);
    let bytes = serde_json::to_vec(&doc).unwrap();
    let typed: Bundle = serde_json::from_slice(&bytes).expect("the typed parse accepts it");
    assert_eq!(check_bundle(&typed, &Dataset::new()), Report::new());
    let parsed = parse_bundle(&bytes, &Dataset::new()).unwrap();
    assert_eq!(parsed, typed);
    assert_eq!(parsed.organizations.len(), 20 * 251);
    assert_eq!(parsed.supplies.len(), 20 * 249);
}

/// A store holding `base_with_work()`.
fn stored_work() -> (tempfile::TempDir, qmap::store::Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = qmap::store::Store::open(&dir.path().join("data")).unwrap();
    let bundle: Bundle = serde_json::from_value(base_with_work()).unwrap();
    store.import(&bundle).unwrap();
    (dir, store)
}

fn pairs(report: &Report) -> Vec<(&str, ErrorCode)> {
    report
        .errors()
        .iter()
        .map(|e| (e.path.as_str(), e.code))
        .collect()
}

#[test]
fn projects_may_refer_to_stored_problems_consortia_and_organizations() {
    let (_dir, store) = stored_work();
    let doc = json!({
        "version": 1,
        "projects": [{"id": "j2", "title": "隔膜一致性", "category": "key_product",
                      "chain": "power-battery", "lead": "f1", "participants": ["f2"],
                      "problems": ["p1"], "year": 2026, "status": "approved",
                      "consortium": "k1"}]
    });
    let bytes = serde_json::to_vec(&doc).unwrap();
    let bundle = parse_bundle(&bytes, &store).unwrap();
    assert_eq!(bundle.projects.len(), 1);
    // Against an empty store every reference dangles, each at its path.
    let report = parse_bundle(&bytes, &Dataset::new()).unwrap_err();
    assert_eq!(
        pairs(&report),
        vec![
            ("/projects/0/chain", ErrorCode::UnknownChain),
            ("/projects/0/lead", ErrorCode::UnknownOrganization),
            ("/projects/0/participants/0", ErrorCode::UnknownOrganization),
            ("/projects/0/problems/0", ErrorCode::UnknownProblem),
            ("/projects/0/consortium", ErrorCode::UnknownConsortium),
        ]
    );
}

/// Imports `doc` into `store` the way `qmap import` does: it must be refused with exactly
/// `expected`, and the store (records and revision) must be as before.
fn assert_refused(store: &qmap::store::Store, doc: Value, expected: &[(&str, ErrorCode)]) {
    let before = (store.export().unwrap(), store.revision());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.json");
    std::fs::write(&file, serde_json::to_vec(&doc).unwrap()).unwrap();
    match qmap::cli::import_file(store, &file) {
        Err(qmap::cli::CliError::Invalid { report, .. }) => {
            assert_eq!(pairs(&report), expected, "{report}");
        }
        Err(e) => panic!("refused for another reason: {e}"),
        Ok(_) => panic!("accepted: {doc}"),
    }
    assert_eq!((store.export().unwrap(), store.revision()), before);
}

#[test]
fn replacing_stored_records_must_keep_the_stored_projects_and_consortia_valid() {
    let (_dir, store) = stored_work();
    // f2 also leads a project and a consortium on power-battery.
    let mut more = Bundle::new();
    let mut project: qmap::model::Project =
        serde_json::from_value(base_with_work()["projects"][0].clone()).unwrap();
    project.id = "j2".into();
    project.lead = "f2".into();
    project.consortium = None;
    let mut consortium: qmap::model::Consortium =
        serde_json::from_value(base_with_work()["consortia"][0].clone()).unwrap();
    consortium.id = "k2".into();
    consortium.lead = "f2".into();
    more.projects.push(project);
    more.consortia.push(consortium);
    store.import(&more).unwrap();

    // f2 leaves the chain: its stored supply, project and consortium there would point at a
    // non-member. One error at the organization, naming them.
    let doc = json!({"version": 1, "organizations": [
        {"id": "f2", "name": "隔膜厂", "kind": "enterprise", "foreign": true, "chains": []}]});
    let bytes = serde_json::to_vec(&doc).unwrap();
    let report = parse_bundle(&bytes, &store).unwrap_err();
    let message = &report.errors()[0].message;
    for what in [
        "1 stored supply",
        "1 stored project it leads",
        "1 stored consortium it leads",
    ] {
        assert!(message.contains(what), "{what}: {message}");
    }
    assert_refused(&store, doc, &[("/organizations/0", ErrorCode::NotAMember)]);

    // The same, with the project and the consortium handed to f1 in the same document: only
    // the supply is left.
    let mut doc: Value = serde_json::from_slice(&bytes).unwrap();
    let mut project = base_with_work()["projects"][0].clone();
    project["id"] = json!("j2");
    doc["projects"] = json!([project]);
    let mut consortium = base_with_work()["consortia"][0].clone();
    consortium["id"] = json!("k2");
    doc["consortia"] = json!([consortium]);
    let report = parse_bundle(&serde_json::to_vec(&doc).unwrap(), &store).unwrap_err();
    assert_eq!(
        pairs(&report),
        [("/organizations/0", ErrorCode::NotAMember)]
    );
    let message = &report.errors()[0].message;
    assert!(!message.contains("project"), "{message}");

    let hydrogen = json!({"id": "hydrogen", "name": "氢能",
                          "segments": [{"id": "s", "name": "S"}]});
    let f1 = json!({"id": "f1", "name": "电芯厂", "kind": "enterprise", "region": "320583",
        "chains": [{"chain": "power-battery", "role": "chain_master", "segment": "cells"},
                   {"chain": "hydrogen", "role": "member", "segment": "s"}]});
    // p1 moves to another chain while the stored j1 and j2 on power-battery tackle it.
    let doc = json!({"version": 1, "chains": [hydrogen], "organizations": [f1],
        "problems": [{"id": "p1", "org": "f1", "chain": "hydrogen", "title": "热失控检测",
                      "category": "testing", "severity": 4, "status": "open"}]});
    assert_refused(
        &store,
        doc,
        &[
            ("/problems/0/chain", ErrorCode::ProblemOnOtherChain),
            ("/problems/0/chain", ErrorCode::ProblemOnOtherChain),
        ],
    );

    // k1 moves to another chain while the stored j1 on power-battery is run by it.
    let doc = json!({"version": 1, "chains": [hydrogen], "organizations": [f1],
        "consortia": [{"id": "k1", "name": "联合体", "chain": "hydrogen", "lead": "f1",
                       "founded": 2024}]});
    assert_refused(
        &store,
        doc,
        &[("/consortia/0/chain", ErrorCode::ConsortiumOnOtherChain)],
    );
}

#[test]
fn deleting_what_a_stored_project_or_consortium_refers_to_is_refused() {
    use qmap::model::ChangeSet;
    use qmap::validate::check_change;
    let (_dir, store) = stored_work();
    let before = (store.export().unwrap(), store.revision());
    let change = ChangeSet {
        delete_problems: vec!["p1".into()],
        delete_consortia: vec!["k1".into()],
        delete_organizations: vec!["q1".into()],
        ..ChangeSet::default()
    };
    let report = check_change(&change, &store);
    assert_eq!(
        pairs(&report),
        vec![
            ("/delete_organizations/0", ErrorCode::StillReferenced),
            ("/delete_problems/0", ErrorCode::StillReferenced),
            ("/delete_consortia/0", ErrorCode::StillReferenced),
        ],
        "{report}"
    );
    // k1 goes in the same change: only j1 still refers to q1.
    let message = &report.errors()[0].message;
    assert!(message.contains("1 project (e.g. \"j1\")"), "{message}");
    assert!(!message.contains("consorti"), "{message}");
    let alone = ChangeSet {
        delete_organizations: vec!["q1".into()],
        ..ChangeSet::default()
    };
    let report = check_change(&alone, &store);
    assert_eq!(
        pairs(&report),
        [("/delete_organizations/0", ErrorCode::StillReferenced)]
    );
    let message = &report.errors()[0].message;
    assert!(message.contains("1 project (e.g. \"j1\")"), "{message}");
    assert!(message.contains("1 consortium (e.g. \"k1\")"), "{message}");
    assert_eq!((store.export().unwrap(), store.revision()), before);

    // With the project and the consortium deleted too, the change is sound (q1 has no
    // supplies or problems).
    let change = ChangeSet {
        delete_projects: vec!["j1".into()],
        delete_consortia: vec!["k1".into()],
        delete_organizations: vec!["q1".into()],
        ..change
    };
    assert_eq!(pairs(&check_change(&change, &store)), vec![]);
    store.apply(&change).unwrap();
    let after = store.export().unwrap();
    assert!(after.projects.is_empty() && after.consortia.is_empty());
    assert_eq!(after.problems.len(), 0);
    assert_eq!(after.policy_tools.len(), 1);
}
