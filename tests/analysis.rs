//! The weak-link analyses on the committed fixtures, against the facts fixtures/README.md states,
//! and `qmap analyze` run as a process.

use qmap::analysis::{analyze, run_scenario, supplier_view, ChainReport, Failure};
use qmap::graph::Graphs;
use qmap::model::{Bundle, Dataset};
use std::path::Path;
use std::process::Command;

fn fixture(name: &str) -> Dataset {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name);
    let bytes = std::fs::read(&path).unwrap();
    Dataset::from_bundle(serde_json::from_slice::<Bundle>(&bytes).unwrap())
}

fn report(name: &str) -> (Dataset, Graphs, ChainReport) {
    let d = fixture(name);
    let graphs = Graphs::build(&d);
    let mut r = analyze(&d, &graphs, None);
    assert_eq!(r.chains.len(), 1, "{name} has one chain");
    let chain = r.chains.remove(0);
    (d, graphs, chain)
}

fn critical_ids(c: &ChainReport) -> Vec<&str> {
    c.critical_nodes.iter().map(|n| n.id.as_str()).collect()
}

fn disabled_by_all_foreign(d: &Dataset, graphs: &Graphs) -> (Vec<String>, Vec<String>) {
    let s = run_scenario(d, graphs, &[Failure::AllForeign]);
    let chain = &s.chains[0];
    let domestic = chain
        .disabled
        .iter()
        .filter(|f| !f.failed)
        .map(|f| f.id.clone())
        .collect();
    (domestic, chain.disabled_masters.clone())
}

#[test]
fn on_the_linear_fixture_every_upstream_firm_is_critical() {
    let (_, _, c) = report("linear.json");
    assert_eq!(critical_ids(&c), ["lin-a", "lin-b", "lin-c"]);
    let a = &c.critical_nodes[0];
    assert_eq!(a.disabled_count, 3);
    assert_eq!(a.disabled_masters, ["lin-master"]);
    let path: Vec<_> = a
        .evidence
        .iter()
        .map(|s| (s.buyer.as_str(), s.part.as_str()))
        .collect();
    assert_eq!(path[0].0, "lin-b");
    assert_eq!(path[1], ("lin-c", "精密齿轮"));
    assert_eq!(path[2], ("lin-master", "减速器部件"));
}

#[test]
fn on_the_diamond_fixture_the_shared_upstream_and_the_merge_point_are_critical() {
    let (d, graphs, c) = report("diamond.json");
    assert_eq!(critical_ids(&c), ["dia-m1", "dia-s"]);
    assert_eq!(c.critical_nodes[1].disabled_count, 4);
    let single: Vec<_> = c
        .single_source_parts
        .iter()
        .map(|p| (p.buyer.as_str(), p.part.as_str()))
        .collect();
    assert_eq!(
        single,
        [
            ("dia-master", "传动部件"),
            ("dia-x1", "轴承钢"),
            ("dia-x2", "轴承钢")
        ]
    );
    let both = run_scenario(
        &d,
        &graphs,
        &[Failure::Firms(vec!["dia-x1".into(), "dia-x2".into()])],
    );
    let down: Vec<_> = both.chains[0]
        .disabled
        .iter()
        .map(|f| f.id.as_str())
        .collect();
    assert_eq!(down, ["dia-m1", "dia-master", "dia-x1", "dia-x2"]);
}

#[test]
fn on_the_cycle_fixture_the_recycler_keeps_the_loop_alive_until_forced() {
    let (d, graphs, c) = report("cycle.json");
    assert_eq!(critical_ids(&c), ["cyc-cell", "cyc-material"]);
    let material = &c.critical_nodes[1];
    assert_eq!(material.disabled_count, 3);
    for alone in ["cyc-mine", "cyc-recycler"] {
        let s = run_scenario(&d, &graphs, &[Failure::Firms(vec![alone.into()])]);
        assert_eq!(
            s.chains[0].disabled.len(),
            1,
            "{alone} alone disables nobody"
        );
    }
    let s = run_scenario(
        &d,
        &graphs,
        &[Failure::Firms(vec![
            "cyc-mine".into(),
            "cyc-recycler".into(),
        ])],
    );
    assert_eq!(s.chains[0].disabled.len(), 5);
}

#[test]
fn on_the_foreign_only_fixture_no_single_foreign_firm_is_critical() {
    let (d, graphs, c) = report("foreign_only.json");
    assert_eq!(critical_ids(&c), ["fo-nj-casing"]);
    let fo: Vec<_> = c
        .foreign_only_parts
        .iter()
        .map(|p| (p.buyer.as_str(), p.part.as_str()))
        .collect();
    assert_eq!(fo, [("fo-master", "运动控制芯片")]);
    let (_, masters) = disabled_by_all_foreign(&d, &graphs);
    assert_eq!(masters, ["fo-master"]);
}

#[test]
fn on_the_power_battery_fixture_the_additive_maker_stops_all_three_masters() {
    let (d, graphs, c) = report("power_battery_jiangsu.json");
    assert_eq!(c.critical_nodes.len(), 15);
    let additive = c
        .critical_nodes
        .iter()
        .find(|n| n.id == "pb-zjg-additive")
        .unwrap();
    assert_eq!(additive.disabled_count, 13);
    assert_eq!(
        additive.disabled_masters,
        ["pb-cz-ev", "pb-ly-cell", "pb-yc-ess"]
    );
    assert_eq!(additive.evidence.last().unwrap().buyer, "pb-cz-ev");
    assert_eq!(c.foreign_only_parts.len(), 6);
    let (domestic, masters) = disabled_by_all_foreign(&d, &graphs);
    assert_eq!(domestic.len(), 12);
    assert_eq!(masters, ["pb-cz-ev", "pb-ly-cell"]);
    let load = |id: &str| c.problem_load.iter().find(|l| l.id == id).unwrap().load;
    assert_eq!(
        (load("pb-ly-cell"), load("pb-yc-ess"), load("pb-cz-ev")),
        (18, 16, 9)
    );
    // The foreign UHMWPE maker is a tier-2 critical supplier of the cell master.
    let view = supplier_view(&d, graphs.chain("pb-power-battery").unwrap(), "pb-ly-cell").unwrap();
    let uhmwpe = view
        .suppliers
        .iter()
        .find(|s| s.id == "pb-jp-uhmwpe")
        .unwrap();
    assert_eq!((uhmwpe.tier, uhmwpe.critical), (2, true));
    assert!(view.suppliers.iter().take_while(|s| s.critical).count() > 0);
}

#[test]
fn on_the_hydrogen_fixture_a_foreign_platinum_loss_is_absorbed_by_the_recycler() {
    let (d, graphs, c) = report("hydrogen_shaanxi.json");
    assert_eq!(c.critical_nodes.len(), 9);
    assert!(!critical_ids(&c).contains(&"h2-za-platinum"));
    let valve = c
        .critical_nodes
        .iter()
        .find(|n| n.id == "h2-it-valve")
        .unwrap();
    assert_eq!(valve.disabled_count, 6);
    assert_eq!(valve.disabled_masters, ["h2-xa-truck"]);
    let sensor = c
        .critical_nodes
        .iter()
        .find(|n| n.id == "h2-xa-sensor")
        .unwrap();
    assert_eq!(
        (sensor.disabled_count, sensor.disabled_masters.len()),
        (7, 2)
    );
    assert_eq!(c.foreign_only_parts.len(), 8);
    let (domestic, masters) = disabled_by_all_foreign(&d, &graphs);
    assert_eq!((domestic.len(), masters.len()), (14, 2));
    let s = run_scenario(
        &d,
        &graphs,
        &[Failure::Firms(vec!["h2-za-platinum".into()])],
    );
    assert_eq!(s.chains[0].disabled.len(), 1);
}

#[test]
fn on_the_optoelectronics_fixture_the_quartz_path_reaches_the_cable_master() {
    let (d, graphs, c) = report("optoelectronics_suzhou.json");
    assert_eq!(c.critical_nodes.len(), 13);
    let quartz = c
        .critical_nodes
        .iter()
        .find(|n| n.id == "oe-de-quartz")
        .unwrap();
    assert_eq!(quartz.disabled_count, 7);
    let path: Vec<_> = quartz.evidence.iter().map(|s| s.buyer.as_str()).collect();
    assert_eq!(path, ["oe-wj-preform", "oe-wj-fiber", "oe-wj-cable"]);
    assert_eq!(c.foreign_only_parts.len(), 8);
    let (domestic, masters) = disabled_by_all_foreign(&d, &graphs);
    assert_eq!((domestic.len(), masters.len()), (13, 2));
}

fn qmap(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_qmap"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

#[test]
fn qmap_analyze_prints_the_json_report_of_a_bundle_file() {
    let out = qmap(&["analyze", "fixtures/diamond.json", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let chain = &json["chains"][0];
    assert_eq!(chain["id"], "dia-chain");
    let ids: Vec<_> = chain["critical_nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["dia-m1", "dia-s"]);
    for key in [
        "single_source_parts",
        "foreign_only_parts",
        "segments",
        "risk",
        "problem_load",
    ] {
        assert!(chain[key].is_array(), "{key} is a list");
    }
}

#[test]
fn qmap_analyze_prints_a_table_with_chinese_names_and_rejects_an_unknown_chain() {
    let out = qmap(&[
        "analyze",
        "fixtures/power_battery_jiangsu.json",
        "--chain",
        "pb-power-battery",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("动力电池 (pb-power-battery)"), "{text}");
    assert!(text.contains("critical nodes 15"));
    assert!(text.contains("锂矿与原材料"));
    assert!(text.contains("pb-zjg-additive"));

    let out = qmap(&["analyze", "fixtures/linear.json", "--chain", "nope"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("chain nope is not in the data"));
}

#[test]
fn qmap_analyze_reads_a_store_as_well_as_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("store");
    let data = data.to_str().unwrap();
    let out = qmap(&["import", "fixtures/cycle.json", "--data", data]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let from_store = qmap(&["analyze", "--data", data, "--json"]);
    assert!(
        from_store.status.success(),
        "{}",
        String::from_utf8_lossy(&from_store.stderr)
    );
    let from_file = qmap(&["analyze", "fixtures/cycle.json", "--json"]);
    assert_eq!(from_store.stdout, from_file.stdout);

    let neither = qmap(&["analyze"]);
    assert!(!neither.status.success());
}
