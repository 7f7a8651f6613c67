//! Chains, the quality map, the three lists, weak links, coverage, the assignment and the
//! supplier view, checked against the fixture facts (fixtures/README.md) and against
//! `qmap::analysis` called directly.

use crate::helpers::*;
use axum::http::{header, StatusCode};
use qmap::analysis::{analyze_full, supplier_view, ChainAnalysis};
use qmap::graph::Graphs;
use qmap::model::Dataset;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// One chain of the demo, analysed directly.
fn direct(chain: &str) -> (Dataset, std::sync::Arc<ChainAnalysis>) {
    let d = fixtures_dataset(&DEMO);
    let graphs = Graphs::build(&d);
    let mut report = analyze_full(&d, &graphs, Some(chain));
    let analysis = report.chains.remove(0);
    (d, analysis)
}

fn ids(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| v[key].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_chain_list_has_every_chain_in_id_order_with_its_key_figures() {
    let app = spawn_demo_app();
    let chains = app.get("/api/v1/chains").await.ok(StatusCode::OK);
    assert_eq!(ids(&chains, "id"), [HYDROGEN, FIBER, BATTERY]);
    let pb = &chains[2];
    assert_eq!(pb["name"], "动力电池");
    assert_eq!(pb["chief"], "江苏省工业和信息化厅");
    assert_eq!(pb["segments"], 7);
    assert_eq!(pb["firms"], 57);
    assert_eq!(pb["masters"], 3);
    assert_eq!(pb["supplies"], 86);
    assert_eq!(pb["critical_nodes"], 15);
    assert_eq!(pb["foreign_only_parts"], 6);
    assert_eq!(
        pb["coverage"],
        json!({"needs_total": 58, "needs_reachable": 47, "needs_assigned": 44,
               "severity_total": 210, "severity_assigned": 157, "tier_cost": 73})
    );
    assert_eq!(chains[0]["critical_nodes"], 9);
    assert_eq!(chains[1]["critical_nodes"], 13);
}

/// The figures of a chain-list row that its analysis gives (absent from a pending row).
const ANALYSIS_FIGURES: [&str; 7] = [
    "critical_nodes",
    "single_source_parts",
    "foreign_only_parts",
    "coverage",
    "by_element",
    "infrastructure_gaps",
    "capacity_gaps",
];

/// A serving process that has not analysed the chains yet (nothing stored, the background not
/// started, no wait) lists every chain at once with the figures that need no analysis and
/// `pending: true`, its analysis figures absent, and says the answer is not to be kept; once
/// the chains are analysed the same request answers today's full rows, tagged as before.
#[tokio::test]
async fn the_chain_list_lists_chains_not_analysed_yet_as_pending() {
    use qmap::service::chains::RowWait;
    let app = spawn_demo_app();
    app.state
        .service()
        .set_row_wait(RowWait::AtMost(std::time::Duration::ZERO));
    let partial = app.get_with("/api/v1/chains", &[]).await;
    assert_eq!(partial.status, StatusCode::OK);
    assert!(partial.headers.get(header::ETAG).is_none());
    assert_eq!(partial.headers[header::CACHE_CONTROL], "no-store");
    let rows = partial.json();
    assert_eq!(ids(&rows, "id"), [HYDROGEN, FIBER, BATTERY]);
    let pb = &rows[2];
    assert_eq!(pb["name"], "动力电池");
    assert_eq!(pb["chief"], "江苏省工业和信息化厅");
    assert_eq!(
        (
            &pb["segments"],
            &pb["firms"],
            &pb["masters"],
            &pb["supplies"]
        ),
        (&json!(7), &json!(57), &json!(3), &json!(86))
    );
    for row in rows.as_array().unwrap() {
        assert_eq!(row["pending"], true, "{row}");
        for key in ANALYSIS_FIGURES {
            assert!(row.get(key).is_none(), "{key} of {row}");
        }
    }
    // Listing started no analysis.
    let snap = app.state.snapshot();
    for id in [HYDROGEN, FIBER, BATTERY] {
        assert!(!snap.cache.chain(id).unwrap().analysis.is_done(), "{id}");
    }

    // Analysed (as the background analyses do): the full rows, as the list always gave them.
    let full_rows = snap.chain_rows().unwrap();
    let full = app.get_with("/api/v1/chains", &[]).await;
    assert_eq!(full.status, StatusCode::OK);
    assert_eq!(full.headers[header::CACHE_CONTROL], "private, no-cache");
    let listed = full.json();
    assert_eq!(listed, to_value(&full_rows));
    for (pending, row) in rows
        .as_array()
        .unwrap()
        .iter()
        .zip(listed.as_array().unwrap())
    {
        assert!(row.get("pending").is_none(), "{row}");
        let mut cheap = row.clone();
        for key in ANALYSIS_FIGURES {
            cheap.as_object_mut().unwrap().remove(key);
        }
        cheap["pending"] = json!(true);
        assert_eq!(&cheap, pending);
    }
    // The complete answer is tagged and revalidates.
    let tag = full.headers[header::ETAG].to_str().unwrap().to_string();
    let again = app
        .get_with("/api/v1/chains", &[("if-none-match", tag.as_str())])
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);

    // A new process over the same store (nothing stored: the background never ran) lists the
    // chains pending again at the same revision. A cache holding the complete answer is told
    // it is current; one asking for any answer (`*`) gets the pending one, untagged, not a 304
    // that would let it keep whatever it holds.
    let app = app.restarted();
    app.state
        .service()
        .set_row_wait(RowWait::AtMost(std::time::Duration::ZERO));
    let kept = app
        .get_with("/api/v1/chains", &[("if-none-match", tag.as_str())])
        .await;
    assert_eq!(kept.status, StatusCode::NOT_MODIFIED);
    let any = app
        .get_with("/api/v1/chains", &[("if-none-match", "*")])
        .await;
    assert_eq!(any.status, StatusCode::OK);
    assert!(any.headers.get(header::ETAG).is_none());
    assert_eq!(any.headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(any.json(), rows);
    // As of a revision, the list is complete (whatever the wait).
    let revision = app.revision().await;
    let at = app
        .get(&format!("/api/v1/chains?revision={revision}"))
        .await
        .ok(StatusCode::OK);
    assert_eq!(at, listed);
}

#[tokio::test]
async fn a_chain_is_its_record_with_the_same_figures_as_the_list() {
    let app = spawn_demo_app();
    let list = app.get("/api/v1/chains").await.ok(StatusCode::OK);
    for row in list.as_array().unwrap() {
        let id = row["id"].as_str().unwrap();
        let detail = app
            .get(&format!("/api/v1/chains/{id}"))
            .await
            .ok(StatusCode::OK);
        assert_eq!(&detail["summary"], row);
        let d = fixtures_dataset(&DEMO);
        assert_eq!(detail["chain"], to_value(&d.chains[id]));
    }
}

#[tokio::test]
async fn the_quality_map_lists_at_most_limit_firms_and_only_their_supplies() {
    let app = spawn_demo_app();
    let full = app.get("/api/v1/chains/pb-power-battery/map").await;
    assert_eq!(
        full.headers.get(header::CONTENT_TYPE).unwrap(),
        "application/json"
    );
    let full = full.ok(StatusCode::OK);
    assert_eq!(full["chain"]["id"], BATTERY);
    assert_eq!(full["firms_total"], 57);
    assert_eq!(full["firms_shown"], 57);
    assert_eq!(full["supplies_total"], 86);
    assert_eq!(full["supplies"].as_array().unwrap().len(), 86);
    // The default limit (400) and an explicit one give the same document; 0 means all.
    let explicit = app
        .get("/api/v1/chains/pb-power-battery/map?limit=400")
        .await;
    assert_eq!(explicit.ok(StatusCode::OK), full);
    let all = app.get("/api/v1/chains/pb-power-battery/map?limit=0").await;
    assert_eq!(all.ok(StatusCode::OK), full);

    let small = app
        .get("/api/v1/chains/pb-power-battery/map?limit=5")
        .await
        .ok(StatusCode::OK);
    assert_eq!(small["firms_total"], 57);
    assert_eq!(small["firms_shown"], 5);
    let shown: BTreeSet<String> = ids(&small["firms"], "id").into_iter().collect();
    assert_eq!(shown.len(), 5);
    // The most important firms, in the order of the full map; the masters are among them.
    assert_eq!(
        ids(&small["firms"], "id"),
        ids(&full["firms"], "id")[..5].to_vec()
    );
    for master in ["pb-cz-ev", "pb-ly-cell", "pb-yc-ess"] {
        assert!(shown.contains(master), "{master}");
    }
    let importance: Vec<f64> = full["firms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["importance"].as_f64().unwrap())
        .collect();
    assert!(importance.windows(2).all(|w| w[0] >= w[1]));
    let supplies = small["supplies"].as_array().unwrap();
    assert!(supplies.len() < 86);
    for s in supplies {
        assert!(shown.contains(s["from"].as_str().unwrap()), "{s}");
        assert!(shown.contains(s["to"].as_str().unwrap()), "{s}");
    }
    // Whole-chain figures do not depend on the limit.
    assert_eq!(small["coverage"], full["coverage"]);
    assert_eq!(small["counts"], full["counts"]);
}

#[tokio::test]
async fn the_graphml_of_a_chain_is_the_rendered_document_with_its_content_type() {
    let app = spawn_demo_app();
    let res = app
        .get("/api/v1/chains/pb-power-battery/graph.graphml")
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(
        res.headers.get(header::CONTENT_TYPE).unwrap(),
        "application/graphml+xml"
    );
    let text = res.text();
    let doc = roxmltree::Document::parse(&text).expect("well-formed XML");
    assert!(doc
        .root_element()
        .has_tag_name(("http://graphml.graphdrawing.org/xmlns", "graphml")));
    let (d, analysis) = direct(BATTERY);
    let expected = qmap::render::graphml::chain_graphml(&d, &d.chains[BATTERY], &analysis);
    assert_eq!(text, expected);
    assert_eq!(
        doc.descendants().filter(|n| n.has_tag_name("edge")).count(),
        86
    );

    app.get("/api/v1/chains/no-such-chain/graph.graphml")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
}

/// The problem ids of the battery chain that `keep` selects, most severe first, then by id.
fn expected_problems(keep: impl Fn(&qmap::model::Problem, &str) -> bool) -> Vec<String> {
    let d = fixtures_dataset(&DEMO);
    let mut rows: Vec<(u8, String)> = d
        .problems_of_chain(BATTERY)
        .filter(|p| {
            let segment = &d.organizations[&p.org].membership(BATTERY).unwrap().segment;
            keep(p, segment)
        })
        .map(|p| (p.severity, p.id.clone()))
        .collect();
    rows.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    rows.into_iter().map(|(_, id)| id).collect()
}

#[tokio::test]
async fn the_problem_list_filters_by_segment_category_severity_status_and_firm() {
    use qmap::model::{Category, Status};
    let app = spawn_demo_app();
    let list = |query: &'static str| {
        let app = &app;
        async move {
            let page = app
                .get(&format!(
                    "/api/v1/chains/pb-power-battery/problems?per_page=1000&{query}"
                ))
                .await
                .ok(StatusCode::OK);
            let ids = ids(&page["problems"], "id");
            assert_eq!(page["total"], ids.len(), "{query}");
            ids
        }
    };
    assert_eq!(list("").await.len(), 64);
    assert_eq!(list("").await, expected_problems(|_, _| true));
    assert_eq!(
        list("segment=cell").await,
        expected_problems(|_, s| s == "cell")
    );
    assert_eq!(
        list("category=testing").await,
        expected_problems(|p, _| p.category == Category::Testing)
    );
    assert_eq!(
        list("severity=4").await,
        expected_problems(|p, _| p.severity >= 4)
    );
    assert_eq!(
        list("status=in_progress").await,
        expected_problems(|p, _| p.status == Status::InProgress)
    );
    assert_eq!(
        list("firm=pb-ly-cell").await,
        expected_problems(|p, _| p.org == "pb-ly-cell")
    );
    let combined = list("segment=cell&category=testing&severity=4&status=open").await;
    assert!(!combined.is_empty());
    assert_eq!(
        combined,
        expected_problems(|p, s| s == "cell"
            && p.category == Category::Testing
            && p.severity >= 4
            && p.status == Status::Open)
    );
    assert!(list("firm=nobody").await.is_empty());

    let row = app
        .get("/api/v1/chains/pb-power-battery/problems?firm=pb-zjg-additive&per_page=1")
        .await
        .ok(StatusCode::OK);
    let first = &row["problems"][0];
    assert_eq!(first["org"], "pb-zjg-additive");
    assert_eq!(first["firm_name"], "张家港添锂化学有限公司");
    assert_eq!(first["segment"], "sep-elyte");
}

#[tokio::test]
async fn problem_pages_add_up_to_the_whole_list_with_the_same_total() {
    let app = spawn_demo_app();
    let all = expected_problems(|_, _| true);
    let mut paged = Vec::new();
    for page in 1..=10 {
        let body = app
            .get(&format!(
                "/api/v1/chains/pb-power-battery/problems?page={page}&per_page=7"
            ))
            .await
            .ok(StatusCode::OK);
        assert_eq!(body["total"], 64);
        assert_eq!(body["page"], page);
        assert_eq!(body["per_page"], 7);
        let ids = ids(&body["problems"], "id");
        assert_eq!(ids.len(), if page <= 9 { 7 } else { 1 }, "page {page}");
        paged.extend(ids);
    }
    assert_eq!(paged, all);
    let beyond = app
        .get("/api/v1/chains/pb-power-battery/problems?page=11&per_page=7")
        .await
        .ok(StatusCode::OK);
    assert_eq!(beyond["total"], 64);
    assert_eq!(beyond["problems"], json!([]));
    let default = app
        .get("/api/v1/chains/pb-power-battery/problems")
        .await
        .ok(StatusCode::OK);
    assert_eq!(
        (default["page"].clone(), default["per_page"].clone()),
        (json!(1), json!(50))
    );
    assert_eq!(ids(&default["problems"], "id"), all[..50]);
}

#[tokio::test]
async fn weak_links_coverage_assignment_projects_and_gaps_agree_with_the_analysis() {
    let app = spawn_demo_app();
    for chain in [BATTERY, HYDROGEN, FIBER] {
        let (d, a) = direct(chain);
        let get = |what: &'static str| {
            let app = &app;
            async move {
                app.get(&format!("/api/v1/chains/{chain}/{what}"))
                    .await
                    .ok(StatusCode::OK)
            }
        };
        // The report as the analysis made it, and for each weak firm the projects tackling its
        // problems (any status).
        let mut weak = get("weak-links").await;
        let by_firm = weak.as_object_mut().unwrap().remove("projects_by_firm");
        let tackled = qmap::analysis::work::tackled_by(&d, chain, d.projects_of_chain(chain));
        let by_firm = by_firm.unwrap();
        assert!(!by_firm.as_object().unwrap().is_empty(), "{chain}");
        for (firm, projects) in by_firm.as_object().unwrap() {
            let mut got = ids(projects, "id");
            got.sort();
            let mut all = tackled.firm(firm).all.clone();
            all.sort();
            assert_eq!(got, all, "{chain} {firm}");
        }
        assert_eq!(weak, to_value(&a.weak), "{chain}");
        assert_eq!(get("assignment").await, to_value(&a.assignment), "{chain}");
        // The candidates, with the drafts an admin is given.
        let mut candidates = a.qi.projects.clone();
        candidates.add_drafts(&d, qmap::access::this_year());
        assert_eq!(get("projects").await, to_value(&candidates), "{chain}");
        let gaps = get("gaps").await;
        assert_eq!(gaps["gaps"], to_value(&a.qi.gaps), "{chain}");
        assert_eq!(gaps["recommendations"], to_value(&a.qi.recommendations));
        let coverage = get("coverage").await;
        assert_eq!(coverage["scope"], to_value(&a.qi.figures.scope));
        assert_eq!(coverage["coverage"], to_value(&a.qi.figures.coverage));
        for key in ["by_segment", "by_element", "by_province", "by_city"] {
            assert!(
                coverage[key].as_array().is_some_and(|v| !v.is_empty()),
                "{key}"
            );
        }
        assert_eq!(coverage["by_element"], to_value(&a.qi.figures.by_element));
    }
}

#[tokio::test]
async fn the_battery_chain_shows_the_documented_weak_links_and_gaps() {
    let app = spawn_demo_app();
    let weak = app
        .get("/api/v1/chains/pb-power-battery/weak-links")
        .await
        .ok(StatusCode::OK);
    let additive = weak["critical_nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == "pb-zjg-additive")
        .expect("pb-zjg-additive is critical");
    assert_eq!(additive["disabled_count"], 13);
    assert_eq!(
        additive["disabled_masters"],
        json!(["pb-cz-ev", "pb-ly-cell", "pb-yc-ess"])
    );
    let gaps = app
        .get("/api/v1/chains/pb-power-battery/gaps")
        .await
        .ok(StatusCode::OK);
    let text = gaps.to_string();
    for code in [
        "standard:battery-passport",
        "rd:dry-electrode",
        "metrology:areal-density",
    ] {
        assert!(text.contains(code), "{code} is a gap");
    }
    // Every gap and recommendation code is named by the demo's catalogue.
    assert_eq!(
        gaps["capability_names"]["rd:dry-electrode"],
        "干法电极工艺研发"
    );
    for g in gaps["gaps"]["infrastructure"]
        .as_array()
        .unwrap()
        .iter()
        .chain(gaps["recommendations"].as_array().unwrap())
    {
        let code = g["code"].as_str().unwrap();
        assert!(gaps["capability_names"][code].is_string(), "{code} named");
    }
    let map = app
        .get("/api/v1/chains/pb-power-battery/map")
        .await
        .ok(StatusCode::OK);
    assert_eq!(
        map["capability_names"]["testing:thermal-runaway"],
        "热失控测试"
    );
    let assignment = app
        .get("/api/v1/chains/pb-power-battery/assignment")
        .await
        .ok(StatusCode::OK);
    assert!(assignment.to_string().contains("pb-q-nat-battery"));
}

#[tokio::test]
async fn the_supplier_view_of_a_chain_master_agrees_with_the_analysis() {
    let app = spawn_demo_app();
    let (d, _) = direct(BATTERY);
    let graphs = Graphs::build(&d);
    for master in ["pb-ly-cell", "pb-cz-ev", "pb-yc-ess"] {
        let view = app
            .get(&format!(
                "/api/v1/chains/pb-power-battery/masters/{master}/suppliers"
            ))
            .await
            .ok(StatusCode::OK);
        let expected = supplier_view(&d, graphs.chain(BATTERY).unwrap(), master).unwrap();
        // The API adds the providers the chain's assignment gives each problem's needs.
        let mut view = view;
        let mut providers = 0;
        for s in view["suppliers"].as_array_mut().unwrap() {
            for p in s["problems"].as_array_mut().unwrap() {
                providers += p["providers"].as_array().unwrap().len();
                p["providers"] = serde_json::json!([]);
            }
        }
        assert!(providers > 0, "{master}");
        assert_eq!(view, to_value(&expected), "{master}");
    }
    let view = app
        .get("/api/v1/chains/pb-power-battery/masters/pb-ly-cell/suppliers")
        .await
        .ok(StatusCode::OK);
    let text = view.to_string();
    // The JP resin maker is a tier-2 critical supplier of the cell master.
    assert!(text.contains("pb-jp-uhmwpe") && text.contains("pb-cz-separator"));
}

#[tokio::test]
async fn the_default_map_is_sent_gzip_compressed_to_clients_that_accept_it() {
    use std::io::Read;
    let app = spawn_demo_app();
    let uri = "/api/v1/chains/pb-power-battery/map";
    let plain = app.get_with(uri, &[]).await;
    assert!(plain.headers.get(header::CONTENT_ENCODING).is_none());
    assert_eq!(plain.headers.get(header::VARY).unwrap(), "accept-encoding");
    for accept in ["gzip", "br, gzip;q=0.8, deflate", "*"] {
        let gzip = app.get_with(uri, &[("accept-encoding", accept)]).await;
        assert_eq!(gzip.status, StatusCode::OK);
        assert_eq!(gzip.headers.get(header::CONTENT_ENCODING).unwrap(), "gzip");
        assert_eq!(gzip.headers.get(header::VARY).unwrap(), "accept-encoding");
        assert!(gzip.body.len() * 3 < plain.body.len(), "{accept}");
        let mut text = Vec::new();
        flate2::read::GzDecoder::new(&gzip.body[..])
            .read_to_end(&mut text)
            .unwrap();
        assert!(text == plain.body, "{accept}");
    }
    // Clients that refuse gzip get the plain bytes from the handler (which the compression
    // layer may then encode as they ask: see `http::the_cached_gzip_map_is_not_compressed_again…`).
    for accept in ["gzip;q=0", "deflate", "identity"] {
        let res = app.get_with(uri, &[("accept-encoding", accept)]).await;
        assert!(
            res.headers.get(header::CONTENT_ENCODING).is_none(),
            "{accept}"
        );
        assert!(res.body == plain.body, "{accept}");
    }
    // Maps with an explicit limit are not cached: the handler sends them plain (and the
    // compression layer compresses them when asked, see `http`).
    let limited = app.get_with(&format!("{uri}?limit=5"), &[]).await;
    assert!(limited.headers.get(header::CONTENT_ENCODING).is_none());
    assert_eq!(limited.json()["firms_shown"], 5);
}

#[tokio::test]
async fn firms_not_listed_are_in_groups_with_bundled_supplies_and_a_group_pages_its_firms() {
    let app = spawn_demo_app();
    let map = app
        .get("/api/v1/chains/pb-power-battery/map?limit=5")
        .await
        .ok(StatusCode::OK);
    let groups = map["groups"].as_array().unwrap();
    let grouped: u64 = groups.iter().map(|g| g["firms"].as_u64().unwrap()).sum();
    assert_eq!(grouped, 57 - 5, "every firm not listed is in a group");
    // Every supply is drawn: between listed firms, or in a bundle.
    let bundled: u64 = map["bundles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["supplies"].as_u64().unwrap())
        .sum();
    assert_eq!(
        bundled + map["supplies"].as_array().unwrap().len() as u64,
        86
    );
    let listed: BTreeSet<String> = ids(&map["firms"], "id").into_iter().collect();

    // The biggest group, paged two firms at a time.
    let group = groups.iter().max_by_key(|g| g["firms"].as_u64()).unwrap();
    let gid = group["id"].as_str().unwrap();
    assert!(gid.starts_with(&format!("{}~", group["segment"].as_str().unwrap())));
    let mut seen: Vec<String> = Vec::new();
    let mut offset = 0;
    loop {
        let page = app
            .get(&format!(
                "/api/v1/chains/pb-power-battery/map/groups/{gid}?limit=5&offset={offset}&page_size=2"
            ))
            .await
            .ok(StatusCode::OK);
        assert_eq!(page["total"], group["firms"]);
        assert_eq!(page["group"]["id"], gid);
        let firms = ids(&page["firms"], "id");
        if firms.is_empty() {
            break;
        }
        assert!(firms.len() <= 2);
        for f in page["firms"].as_array().unwrap() {
            assert_eq!(f["segment"], group["segment"]);
            assert!(!listed.contains(f["id"].as_str().unwrap()));
        }
        // Supplies touch the page and end at firms that are drawn (listed or on the page).
        for s in page["supplies"].as_array().unwrap() {
            let (from, to) = (s["from"].as_str().unwrap(), s["to"].as_str().unwrap());
            assert!(firms.iter().any(|f| f == from || f == to), "{s}");
            for end in [from, to] {
                assert!(
                    listed.contains(end) || firms.iter().any(|f| f == end),
                    "{s}"
                );
            }
        }
        for p in page["problems"].as_array().unwrap() {
            assert!(firms.iter().any(|f| f == p["org"].as_str().unwrap()));
        }
        seen.extend(firms);
        offset += 2;
    }
    let distinct: BTreeSet<&String> = seen.iter().collect();
    assert_eq!(distinct.len(), seen.len(), "pages do not repeat firms");
    assert_eq!(seen.len() as u64, group["firms"].as_u64().unwrap());

    // Unknown groups are 404s, bad page sizes 400s, both in the API's error shape.
    let missing = app
        .get("/api/v1/chains/pb-power-battery/map/groups/nope~high")
        .await
        .ok(StatusCode::NOT_FOUND);
    assert_eq!(missing["code"], "not_found");
    let bad = app
        .get(&format!(
            "/api/v1/chains/pb-power-battery/map/groups/{gid}?limit=5&page_size=0"
        ))
        .await
        .ok(StatusCode::BAD_REQUEST);
    assert!(bad["message"].as_str().unwrap().contains("page_size"));
    // The full demo map has no groups: its segments are small enough to list.
    let full = app
        .get("/api/v1/chains/pb-power-battery/map")
        .await
        .ok(StatusCode::OK);
    assert_eq!(full["groups"], json!([]));
    assert_eq!(full["bundles"], json!([]));
}

/// The gaps report of the demo chains as an admin and as a regulator of one chain: one
/// recommendation per capability and city (larger levels folded into `alternatives`), kept inside
/// `within` (or the regulator's home province), and advice for the capacity gaps.
#[tokio::test]
async fn gap_recommendations_are_folded_kept_within_a_jurisdiction_and_advise_capacity() {
    let app = spawn_demo_app();
    let d: Dataset = app.state.service().snapshot().dataset.as_ref().clone();
    let (mut advised, mut folded, mut inside) = (0, 0, 0);
    for chain in [BATTERY, HYDROGEN, FIBER] {
        let all = app
            .get(&format!("/api/v1/chains/{chain}/gaps"))
            .await
            .ok(StatusCode::OK);
        assert!(all.get("within").is_none(), "{chain}");
        let recs = all["recommendations"].as_array().unwrap();
        let mut places = BTreeSet::new();
        for r in recs {
            assert!(
                places.insert((r["code"].to_string(), r["city"].to_string())),
                "{chain}: {r} twice"
            );
            let rank = |l: &Value| {
                ["municipal", "provincial", "national"]
                    .iter()
                    .position(|x| l == *x)
                    .unwrap()
            };
            let mut last = rank(&r["level"]);
            folded += r["alternatives"].as_array().unwrap().len();
            for alt in r["alternatives"].as_array().unwrap() {
                assert_eq!(alt["city"], r["city"], "{chain}: {r}");
                assert!(rank(&alt["level"]) > last, "{chain}: {r}");
                assert!(alt["severity"].as_u64() >= r["severity"].as_u64(), "{r}");
                last = rank(&alt["level"]);
            }
        }
        // The capacity advice covers every capacity-gap need once.
        let advice = all["capacity_advice"].as_array().unwrap();
        let gap_needs: u64 = all["gaps"]["capacity"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["needs"].as_u64().unwrap())
            .sum();
        let advised_needs: u64 = advice
            .iter()
            .map(|a| a["expand_by"].as_u64().unwrap())
            .sum();
        assert_eq!(advised_needs, gap_needs, "{chain}");
        for a in advice {
            assert!(
                d.organizations
                    .get(a["provider"].as_str().unwrap())
                    .is_some_and(|o| o.is_provider()),
                "{a}"
            );
            assert!(a["severity"].as_u64().unwrap() > 0, "{a}");
        }
        advised += advice.len();

        // Inside Jiangsu: every placement and every provider to expand is there.
        let js = app
            .get(&format!("/api/v1/chains/{chain}/gaps?within=32"))
            .await
            .ok(StatusCode::OK);
        assert_eq!(js["within"], "32");
        inside += js["recommendations"].as_array().unwrap().len();
        for r in js["recommendations"].as_array().unwrap() {
            assert!(
                r["city"].as_str().is_some_and(|c| c.starts_with("32")),
                "{chain}: {r}"
            );
            for alt in r["alternatives"].as_array().unwrap() {
                assert!(
                    alt["city"].as_str().is_some_and(|c| c.starts_with("32")),
                    "{alt}"
                );
            }
        }
        for a in js["capacity_advice"].as_array().unwrap() {
            assert!(a["region"].as_str().unwrap().starts_with("32"), "{a}");
        }
        // The gaps themselves do not depend on the jurisdiction.
        assert_eq!(js["gaps"], all["gaps"], "{chain}");

        // A regulator of this chain alone is kept inside its home province by default, and
        // `within=all` lifts it.
        let made = app
            .post(
                "/api/v1/tokens",
                &json!({"role": "regulator", "chains": [chain]}),
            )
            .await
            .ok(StatusCode::CREATED);
        let bearer = format!("Bearer {}", made["secret"].as_str().unwrap());
        let auth = [("authorization", bearer.as_str())];
        let mut provinces: std::collections::BTreeMap<&str, usize> = Default::default();
        for o in d.members_of_chain(chain).filter(|o| !o.foreign) {
            *provinces
                .entry(&o.region.as_deref().unwrap()[..2])
                .or_default() += 1;
        }
        let max = *provinces.values().max().unwrap();
        let home = provinces
            .iter()
            .find(|(_, n)| **n == max)
            .unwrap()
            .0
            .to_string();
        let local = app
            .get_with(&format!("/api/v1/chains/{chain}/gaps"), &auth)
            .await
            .ok(StatusCode::OK);
        assert_eq!(local["within"], home.as_str(), "{chain}");
        for r in local["recommendations"].as_array().unwrap() {
            assert!(
                r["city"].as_str().is_some_and(|c| c.starts_with(&home)),
                "{r}"
            );
        }
        let lifted = app
            .get_with(&format!("/api/v1/chains/{chain}/gaps?within=all"), &auth)
            .await
            .ok(StatusCode::OK);
        assert_eq!(lifted, all, "{chain}");
    }
    assert!(advised > 0, "the demo has capacity gaps to advise on");
    assert!(folded > 0, "some recommendation has alternatives");
    assert!(inside > 0, "some recommendation lies in Jiangsu");
    for bad in ["3", "320", "320506", "js", ""] {
        let body = app
            .get(&format!("/api/v1/chains/{BATTERY}/gaps?within={bad}"))
            .await
            .error(StatusCode::BAD_REQUEST, "bad_request");
        assert!(
            body["message"].as_str().unwrap().contains("within"),
            "{body}"
        );
    }
}

/// `/me` names the organization of an enterprise token, not only its id (the page's header
/// shows the name).
#[tokio::test]
async fn me_names_the_organization_of_an_enterprise_token() {
    let app = spawn_demo_app();
    let d: Dataset = app.state.service().snapshot().dataset.as_ref().clone();
    let firm = d.members_of_chain(BATTERY).next().unwrap();
    let made = app
        .post(
            "/api/v1/tokens",
            &json!({"role": "enterprise", "org": firm.id}),
        )
        .await
        .ok(StatusCode::CREATED);
    let bearer = format!("Bearer {}", made["secret"].as_str().unwrap());
    let me = app
        .get_with("/api/v1/me", &[("authorization", bearer.as_str())])
        .await
        .ok(StatusCode::OK);
    assert_eq!(me["org"], firm.id.as_str());
    assert_eq!(me["org_name"], firm.name.as_str());
}
