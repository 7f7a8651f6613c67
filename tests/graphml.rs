//! The GraphML of a chain (`render::graphml`, `GET /api/v1/chains/{id}/graph.graphml`,
//! `qmap export --format graphml`): parsed back with roxmltree and checked against the data and
//! the analyses, for every fixture chain.

#[path = "common/mod.rs"]
mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use qmap::analysis::ChainAnalysis;
use qmap::model::access::AccessRole;
use qmap::model::{Bundle, Dataset};
use qmap::service::Snapshot;
use qmap::store::Store;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use tower::ServiceExt;

const NS: &str = "http://graphml.graphdrawing.org/xmlns";
const PB: &str = "pb-power-battery";

/// One parsed document: keys (id → (for, attr.name, attr.type)), nodes (id → data), edges
/// ((source, target) and data, in document order).
struct Parsed {
    keys: BTreeMap<String, (String, String, String)>,
    nodes: BTreeMap<String, BTreeMap<String, String>>,
    edges: Vec<(String, String, BTreeMap<String, String>)>,
}

fn data_of(node: roxmltree::Node) -> BTreeMap<String, String> {
    node.children()
        .filter(|c| c.has_tag_name((NS, "data")))
        .map(|c| {
            (
                c.attribute("key").unwrap().to_string(),
                c.text().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// Parses `text`, checking the shape GraphML requires on the way: the namespace, keys declared
/// once each before the graph, one directed graph, unique node ids, data only with declared keys
/// of the right domain.
fn parse(text: &str) -> Parsed {
    let doc = roxmltree::Document::parse(text).expect("well-formed XML");
    let root = doc.root_element();
    assert!(root.has_tag_name((NS, "graphml")), "root is graphml");
    let mut keys = BTreeMap::new();
    for k in root.children().filter(|c| c.has_tag_name((NS, "key"))) {
        let id = k.attribute("id").unwrap().to_string();
        let entry = (
            k.attribute("for").unwrap().to_string(),
            k.attribute("attr.name").unwrap().to_string(),
            k.attribute("attr.type").unwrap().to_string(),
        );
        assert!(keys.insert(id.clone(), entry).is_none(), "key {id} twice");
    }
    let graphs: Vec<_> = root
        .children()
        .filter(|c| c.has_tag_name((NS, "graph")))
        .collect();
    assert_eq!(graphs.len(), 1);
    let graph = graphs[0];
    assert_eq!(graph.attribute("edgedefault"), Some("directed"));
    let mut nodes = BTreeMap::new();
    let mut order = Vec::new();
    let mut edges = Vec::new();
    for child in graph.children().filter(|c| c.is_element()) {
        let data = data_of(child);
        let domain = child.tag_name().name();
        for key in data.keys() {
            let (on, _, _) = keys
                .get(key)
                .unwrap_or_else(|| panic!("undeclared key {key}"));
            assert_eq!(on, domain, "key {key} used on a {domain}");
        }
        match domain {
            "node" => {
                let id = child.attribute("id").unwrap().to_string();
                order.push(id.clone());
                assert!(nodes.insert(id.clone(), data).is_none(), "node {id} twice");
            }
            "edge" => edges.push((
                child.attribute("source").unwrap().to_string(),
                child.attribute("target").unwrap().to_string(),
                data,
            )),
            other => panic!("unexpected <{other}> in the graph"),
        }
    }
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted, "nodes in id order");
    Parsed { keys, nodes, edges }
}

fn fixture_datasets() -> Vec<(String, Dataset)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut out: Vec<(String, Dataset)> = std::fs::read_dir(&dir)
        .expect("fixtures directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let bytes = std::fs::read(&p).expect("fixture readable");
            let bundle: Bundle = serde_json::from_slice(&bytes).expect("fixture is a bundle");
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                Dataset::from_bundle(bundle),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The document of `chain` and its analysis, as the service computes them.
fn graphml_of(dataset: &Dataset, chain: &str) -> (String, Arc<ChainAnalysis>) {
    let snap = Snapshot::of(dataset.clone(), 0);
    let analysis = snap.chain_analysis(chain).unwrap();
    let record = snap.dataset.chains.get(chain).unwrap();
    (
        qmap::render::graphml::chain_graphml(&snap.dataset, record, &analysis),
        analysis,
    )
}

#[test]
fn every_fixture_chain_is_a_graphml_graph_of_its_firms_serving_providers_and_supplies() {
    let expected_keys: BTreeMap<&str, (&str, &str)> = [
        ("name", ("node", "string")),
        ("kind", ("node", "string")),
        ("role", ("node", "string")),
        ("segment", ("node", "string")),
        ("segment_name", ("node", "string")),
        ("region", ("node", "string")),
        ("region_name", ("node", "string")),
        ("foreign", ("node", "boolean")),
        ("risk", ("node", "double")),
        ("critical", ("node", "boolean")),
        ("problem_load", ("node", "int")),
        ("part", ("edge", "string")),
        ("single_source", ("edge", "boolean")),
        ("foreign_only", ("edge", "boolean")),
    ]
    .into_iter()
    .collect();
    let mut chains = 0;
    for (file, dataset) in fixture_datasets() {
        for chain in dataset.chains.keys() {
            let (text, analysis) = graphml_of(&dataset, chain);
            let g = parse(&text);
            let keys: BTreeMap<&str, (&str, &str)> = g
                .keys
                .iter()
                .map(|(id, (on, name, ty))| {
                    assert_eq!(id, name, "{file}: attr.name is the key id");
                    (id.as_str(), (on.as_str(), ty.as_str()))
                })
                .collect();
            assert_eq!(keys, expected_keys, "{file} {chain}");

            let members: BTreeSet<String> = dataset
                .members_of_chain(chain)
                .map(|o| o.id.clone())
                .collect();
            let providers: BTreeSet<String> = analysis
                .assignment
                .assigned
                .iter()
                .map(|a| a.provider.clone())
                .collect();
            assert_eq!(members.len(), analysis.weak.firms, "{file} {chain}");
            assert_eq!(
                g.nodes.len(),
                members.len() + providers.len(),
                "{file} {chain}: members + serving providers"
            );
            for id in &members {
                let node = &g.nodes[id];
                assert!(
                    ["chain_master", "member"].contains(&node["role"].as_str()),
                    "{file} {id}"
                );
                for key in ["risk", "critical", "problem_load", "segment", "foreign"] {
                    assert!(node.contains_key(key), "{file} {id}: {key}");
                }
            }
            for id in &providers {
                assert_eq!(g.nodes[id]["role"], "provider", "{file} {id}");
                assert_ne!(g.nodes[id]["kind"], "enterprise", "{file} {id}");
            }
            let masters: BTreeSet<&String> = g
                .nodes
                .iter()
                .filter(|(_, d)| d["role"] == "chain_master")
                .map(|(id, _)| id)
                .collect();
            assert_eq!(
                masters,
                analysis.weak.masters.iter().collect(),
                "{file} {chain}"
            );
            let critical: BTreeSet<&String> = g
                .nodes
                .iter()
                .filter(|(_, d)| d.get("critical").is_some_and(|c| c == "true"))
                .map(|(id, _)| id)
                .collect();
            assert_eq!(
                critical,
                analysis.weak.critical_nodes.iter().map(|c| &c.id).collect(),
                "{file} {chain}"
            );

            assert_eq!(
                g.edges.len(),
                dataset.supplies_of_chain(chain).count(),
                "{file} {chain}: one edge per supply"
            );
            assert_eq!(g.edges.len(), analysis.weak.supplies, "{file} {chain}");
            for (source, target, data) in &g.edges {
                assert!(members.contains(source), "{file}: edge from {source}");
                assert!(members.contains(target), "{file}: edge to {target}");
                assert!(!data["part"].is_empty());
            }
            let single = g
                .edges
                .iter()
                .filter(|e| e.2["single_source"] == "true")
                .map(|e| (e.1.as_str(), e.2["part"].as_str()))
                .collect::<BTreeSet<_>>();
            let expected: BTreeSet<(&str, &str)> = analysis
                .weak
                .single_source_parts
                .iter()
                .map(|p| (p.buyer.as_str(), p.part.as_str()))
                .collect();
            assert_eq!(single, expected, "{file} {chain}: single-source supplies");
            chains += 1;
        }
    }
    assert!(chains >= 6, "every fixture chain checked ({chains})");
}

#[test]
fn the_battery_chain_has_the_documented_critical_node_and_weak_supplies() {
    let dataset = common::loaded(&["power_battery_jiangsu.json"]);
    let (text, analysis) = graphml_of(&dataset, PB);
    let g = parse(&text);

    // fixtures/README.md: pb-zjg-additive (电解液添加剂, 张家港) is critical on the chain.
    let additive = &g.nodes["pb-zjg-additive"];
    assert_eq!(additive["name"], "张家港添锂化学有限公司");
    assert_eq!(additive["kind"], "enterprise");
    assert_eq!(additive["role"], "member");
    assert_eq!(additive["segment"], "sep-elyte");
    assert_eq!(additive["segment_name"], "隔膜与电解液");
    assert_eq!(additive["region"], "320582");
    assert_eq!(additive["foreign"], "false");
    assert_eq!(additive["critical"], "true");
    let risk = analysis
        .weak
        .risk
        .iter()
        .find(|r| r.id == "pb-zjg-additive")
        .unwrap();
    assert_eq!(additive["risk"].parse::<f64>().unwrap(), risk.score);
    assert!(risk.score > 0.0);
    let load = analysis
        .weak
        .problem_load
        .iter()
        .find(|p| p.id == "pb-zjg-additive")
        .unwrap();
    assert_eq!(additive["problem_load"], load.load.to_string());
    // A foreign member has no region, and says so.
    assert_eq!(g.nodes["pb-jp-uhmwpe"]["foreign"], "true");
    assert!(!g.nodes["pb-jp-uhmwpe"].contains_key("region"));
    assert_eq!(g.nodes["pb-ly-cell"]["role"], "chain_master");

    let edge = |from: &str, to: &str, part: &str| {
        g.edges
            .iter()
            .find(|(s, t, d)| s == from && t == to && d["part"] == part)
            .unwrap_or_else(|| panic!("no edge {from} → {to} ({part})"))
            .2
            .clone()
    };
    // pb-cz-separator is the single source of 湿法隔膜 to the master pb-ly-cell; domestic.
    let separator = edge("pb-cz-separator", "pb-ly-cell", "湿法隔膜");
    assert_eq!(separator["single_source"], "true");
    assert_eq!(separator["foreign_only"], "false");
    // pb-jp-uhmwpe is the only (and foreign) source of 超高分子量聚乙烯 to pb-cz-separator.
    let uhmwpe = edge("pb-jp-uhmwpe", "pb-cz-separator", "超高分子量聚乙烯");
    assert_eq!(uhmwpe["single_source"], "true");
    assert_eq!(uhmwpe["foreign_only"], "true");
    // PVDF粘结剂 to pb-ly-ncm comes from JP and FR: foreign-only, not single-source.
    let pvdf: Vec<_> = g
        .edges
        .iter()
        .filter(|(_, t, d)| t == "pb-ly-ncm" && d["part"] == "PVDF粘结剂")
        .collect();
    assert_eq!(pvdf.len(), 2);
    for (_, _, d) in pvdf {
        assert_eq!(d["single_source"], "false");
        assert_eq!(d["foreign_only"], "true");
    }
}

#[test]
fn names_with_markup_characters_are_escaped_and_read_back_unchanged() {
    let mut bundle = common::power_battery();
    let tricky = "A&B <电池> \"引号\" 'x' & 宁德";
    let part = "正极<材料>&\"隔膜\"";
    bundle
        .organizations
        .iter_mut()
        .find(|o| o.id == "f2")
        .unwrap()
        .name = tricky.to_string();
    let supply = bundle
        .supplies
        .iter_mut()
        .find(|s| s.supplier == "f2")
        .unwrap();
    supply.part = part.to_string();
    let customer = supply.customer.clone();
    let chain = supply.chain.clone();
    let dataset = Dataset::from_bundle(bundle);
    let (text, _) = graphml_of(&dataset, &chain);
    assert!(text.contains("A&amp;B &lt;电池&gt; &quot;引号&quot; &apos;x&apos; &amp; 宁德"));
    let g = parse(&text);
    assert_eq!(g.nodes["f2"]["name"], tricky);
    let edge = g
        .edges
        .iter()
        .find(|(s, t, _)| s == "f2" && *t == customer)
        .unwrap();
    assert_eq!(edge.2["part"], part);
    // The same data gives the same bytes.
    assert_eq!(graphml_of(&dataset, &chain).0, text);
}

/// `GET /api/v1/chains/{id}/graph.graphml` over `store` as a token of `role`.
async fn get_graphml(
    store: Store,
    role: AccessRole,
    chain: &str,
) -> (StatusCode, Option<String>, String) {
    let issued =
        qmap::access::issue(role, None, &[], Some(30), qmap::access::now(), &store).unwrap();
    store.put_token(&issued.token).unwrap();
    let state = qmap::api::AppState::new(store, qmap::api::ApiConfig::default()).unwrap();
    let router = qmap::api::router(state);
    let req = Request::builder()
        .uri(format!("/api/v1/chains/{chain}/graph.graphml"))
        .header(header::AUTHORIZATION, format!("Bearer {}", issued.secret))
        .body(Body::empty())
        .unwrap();
    let res = router.oneshot(req).await.unwrap();
    let status = res.status();
    let content_type = res
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string());
    let body = res.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        content_type,
        String::from_utf8(body.to_vec()).unwrap(),
    )
}

#[tokio::test]
async fn the_cli_export_writes_the_same_document_as_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("store");
    let qmap = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_qmap"))
            .args(args)
            .env_remove("QMAP_DATA")
            .output()
            .unwrap()
    };
    let fixture = format!(
        "{}/fixtures/power_battery_jiangsu.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let data_arg = data.to_str().unwrap();
    let out = qmap(&["import", &fixture, "--data", data_arg]);
    assert!(out.status.success(), "{out:?}");
    let file = dir.path().join("pb.graphml");
    let out = qmap(&[
        "export",
        "--format",
        "graphml",
        "--chain",
        PB,
        "--data",
        data_arg,
        "-o",
        file.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{out:?}");
    let written = std::fs::read_to_string(&file).unwrap();

    // Without --chain, and --chain with json: clear errors, nothing written.
    let out = qmap(&["export", "--format", "graphml", "--data", data_arg]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--chain"));
    let out = qmap(&["export", "--chain", PB, "--data", data_arg]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--format graphml"));
    assert!(out.stdout.is_empty());
    let out = qmap(&[
        "export", "--format", "graphml", "--chain", "no-such", "--data", data_arg,
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such"));

    let (status, content_type, body) =
        get_graphml(common::reopen(&data), AccessRole::Admin, PB).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type.as_deref(), Some("application/graphml+xml"));
    assert_eq!(body, written, "the CLI and the API write the same document");
    assert_eq!(parse(&body).edges.len(), 86);
}

#[tokio::test]
async fn a_planner_may_not_read_the_graphml_of_a_chain() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    assert!(qmap::cli::load_demo(&store).unwrap());
    let (status, _, body) = get_graphml(store, AccessRole::Planner, PB).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(!body.contains("<graphml"));
}
