//! "Find anything": `GET /api/v1/organizations` by Chinese substring, pinyin initials and full
//! pinyin, with the kind, region and chain filters and its pages. What each role may find is
//! checked in tests/access.rs.

use crate::helpers::*;
use axum::http::StatusCode;
use serde_json::Value;

fn ids(page: &Value) -> Vec<String> {
    page["organizations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_string())
        .collect()
}

async fn find(app: &TestApp, query: &str) -> Value {
    app.get(&format!("/api/v1/organizations?{query}"))
        .await
        .ok(StatusCode::OK)
}

#[tokio::test]
async fn a_firm_is_found_by_part_of_its_name_its_pinyin_initials_and_its_full_pinyin() {
    let app = spawn_demo_app();
    // 宁德锂能动力科技有限公司: 宁德 (substring), ndln (initials), ningdeli (full pinyin).
    for q in [
        "%E5%AE%81%E5%BE%B7",
        "ndln",
        "NDLN",
        "ningdeli",
        "ningde%20",
    ] {
        let page = find(&app, &format!("q={q}")).await;
        assert_eq!(
            ids(&page).first().map(String::as_str),
            Some("pb-nd-cell"),
            "{q}: {page}"
        );
        let hit = &page["organizations"][0];
        assert_eq!(hit["name"], "宁德锂能动力科技有限公司");
        assert_eq!(hit["kind"], "enterprise");
        assert_eq!(hit["region"], "350902");
        assert_eq!(hit["region_name"], "福建省宁德市蕉城区");
        assert_eq!(hit["chains"][0]["id"], BATTERY);
        assert_eq!(hit["chains"][0]["name"], "动力电池");
    }
    // Initials from inside the name (动力 = dl) and pinyin from inside it (dongli).
    let inside = find(&app, "q=dongli").await;
    assert!(ids(&inside).contains(&"pb-nd-cell".to_string()), "{inside}");
    // What matches nothing finds nothing.
    let none = find(&app, "q=zzzzqx").await;
    assert_eq!(none["total"], 0);
    assert!(ids(&none).is_empty());
}

#[tokio::test]
async fn kind_region_and_chain_filter_and_pages_keep_the_total() {
    let app = spawn_demo_app();
    // 锂 (li) is in 15 battery firms' names and 2 inspection centres'.
    let li = find(&app, "q=%E9%94%82&limit=200").await;
    assert_eq!(li["total"], 17, "{li}");
    let centres = find(&app, "q=%E9%94%82&kind=inspection_center").await;
    assert_eq!(ids(&centres).len(), 2);
    assert!(ids(&centres).iter().all(|id| id.starts_with("pb-q-")));
    // Region prefix 36 (江西): the two 宜春 firms and the two centres.
    let jiangxi = find(&app, "q=%E9%94%82&region=36").await;
    assert_eq!(jiangxi["total"], 4, "{jiangxi}");
    // On the battery chain: the 15 firms; QI bodies sit on no chain.
    let chain = find(&app, &format!("q=%E9%94%82&chain={BATTERY}")).await;
    assert_eq!(chain["total"], 15);
    // Pages of 5: the same total, different rows, together all of them.
    let mut seen = Vec::new();
    for offset in [0, 5, 10] {
        let page = find(
            &app,
            &format!("q=li&kind=enterprise&limit=5&offset={offset}"),
        )
        .await;
        assert_eq!(page["limit"], 5);
        assert_eq!(page["offset"], offset);
        seen.extend(ids(&page));
        if offset == 0 {
            assert!(page["total"].as_u64().unwrap() > 10, "{page}");
        }
    }
    let unique: std::collections::BTreeSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "pages overlap: {seen:?}");
    // Without q: every organization the filters keep, in the same shape.
    let all = find(&app, &format!("chain={BATTERY}&limit=200")).await;
    assert_eq!(all["total"], 57);
}

#[tokio::test]
async fn bad_search_parameters_are_a_400_and_an_unknown_chain_a_404() {
    let app = spawn_demo_app();
    for q in ["limit=0", "limit=201", "kind=factory", "offset=-1"] {
        app.get(&format!("/api/v1/organizations?{q}"))
            .await
            .error(StatusCode::BAD_REQUEST, "bad_request");
    }
    app.get("/api/v1/organizations?chain=nope")
        .await
        .error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn the_problem_list_filters_demand_problems_and_text() {
    let app = spawn_demo_app();
    let d = fixtures_dataset(&DEMO);
    let on_chain: Vec<_> = d.problems.values().filter(|p| p.chain == BATTERY).collect();
    let demand = on_chain.iter().filter(|p| p.is_demand()).count();
    assert!(demand > 0 && demand < on_chain.len(), "the demo has both");
    let url = |q: &str| format!("/api/v1/chains/{BATTERY}/problems?per_page=1000&{q}");
    let page = app.get(&url("demand=true")).await.ok(StatusCode::OK);
    assert_eq!(page["total"], demand);
    for p in page["problems"].as_array().unwrap() {
        assert!(
            ["open", "in_progress"].contains(&p["status"].as_str().unwrap()),
            "{p}"
        );
    }
    let rest = app.get(&url("demand=false")).await.ok(StatusCode::OK);
    assert_eq!(rest["total"], on_chain.len() - demand);
    // Text: a firm's name (宁德) keeps its problems only; an id part matches too.
    let nd = on_chain.iter().filter(|p| p.org == "pb-nd-cell").count();
    assert!(nd > 0);
    let by_name = app
        .get(&url("q=%E5%AE%81%E5%BE%B7"))
        .await
        .ok(StatusCode::OK);
    assert_eq!(by_name["total"], nd, "{by_name}");
    let first = on_chain[0];
    let by_id = app
        .get(&url(&format!("q={}", first.id.to_uppercase())))
        .await
        .ok(StatusCode::OK);
    assert!(by_id["problems"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["id"] == first.id.as_str()));
}
