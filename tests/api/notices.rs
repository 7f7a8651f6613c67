//! Quality notices on a hand-drawn chain: who is told (downstream through the failure cascade,
//! upstream to direct suppliers), who may speak for a firm, bad input, the rate limit, what
//! each role reads, acknowledgements, and the round trip through export and import.

use crate::errors::{details, pair};
use crate::helpers::*;
use axum::http::{Method, StatusCode};
use qmap::api::ApiConfig;
use qmap::model::access::AccessRole;
use serde_json::{json, Value};

/// ```text
///   r ──resin─▶ s2 ──cell──▶ s1 ──module──▶ M (master)    M needs module AND case
///   q ──foil──▶ s2           x  ──case────▶ M
///               s2 ──cell──▶ t  ──pack────▶ N (master)    t also has u for cells (OR)
///               u  ──cell──▶ t
///   o: a member of the chain on no supply; s2 also sits on chain hc2 with problem hp-3.
/// ```
fn hand_drawn() -> Value {
    let firm = |id: &str, master: bool| {
        let mut chains = vec![
            json!({"chain": "hc", "role": if master {"chain_master"} else {"member"}, "segment": if master {"down"} else {"up"}}),
        ];
        if id == "s2" {
            chains.push(json!({"chain": "hc2", "role": "member", "segment": "up"}));
        }
        json!({"id": id, "name": format!("企业{id}"), "kind": "enterprise", "region": "320583", "chains": chains})
    };
    let supply = |from: &str, to: &str, part: &str| json!({"chain": "hc", "from": from, "to": to, "part": part});
    let segments = json!([{"id": "up", "name": "上游"}, {"id": "down", "name": "下游"}]);
    json!({
        "version": 1,
        "chains": [
            {"id": "hc", "name": "手绘链", "segments": segments},
            {"id": "hc2", "name": "另一条链", "segments": segments}
        ],
        "organizations": [
            firm("r", false), firm("q", false), firm("s2", false), firm("s1", false),
            firm("x", false), firm("t", false), firm("u", false), firm("o", false),
            firm("M", true), firm("N", true)
        ],
        "supplies": [
            supply("r", "s2", "resin"), supply("q", "s2", "foil"),
            supply("s2", "s1", "cell"), supply("s1", "M", "module"), supply("x", "M", "case"),
            supply("s2", "t", "cell"), supply("u", "t", "cell"), supply("t", "N", "pack")
        ],
        "problems": [
            {"id": "hp-1", "org": "s2", "chain": "hc", "title": "电芯一致性", "category": "process", "severity": 4, "status": "open"},
            {"id": "hp-2", "org": "s1", "chain": "hc", "title": "模组焊接", "category": "process", "severity": 3, "status": "open"},
            {"id": "hp-3", "org": "s2", "chain": "hc2", "title": "另一条链的问题", "category": "testing", "severity": 2, "status": "open"}
        ]
    })
}

async fn hand_drawn_app(config: ApiConfig) -> TestApp {
    let app = spawn_app_with(config, false);
    app.post("/api/v1/import", &hand_drawn())
        .await
        .ok(StatusCode::OK);
    app
}

fn bearer(app: &TestApp, role: AccessRole, org: Option<&str>, chains: &[&str]) -> String {
    app.bearer(role, org, chains)
}

async fn send(app: &TestApp, token: &str, body: Value) -> TestResponse {
    app.send_with(
        Method::POST,
        "/api/v1/notices",
        &[("authorization", token)],
        Some(serde_json::to_vec(&body).unwrap().into()),
    )
    .await
}

async fn get(app: &TestApp, token: &str, uri: &str) -> Value {
    app.get_with(uri, &[("authorization", token)])
        .await
        .ok(StatusCode::OK)
}

fn notice(firm: &str, direction: &str) -> Value {
    json!({"chain": "hc", "about": {"firm": firm}, "kind": "defect", "severity": 4,
           "message": "批次 B-17 电芯内阻超差", "direction": direction})
}

fn recipients(n: &Value) -> Vec<(String, String, bool)> {
    n["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["org"].as_str().unwrap().to_string(),
                r["relation"].as_str().unwrap().to_string(),
                r["master"].as_bool().unwrap(),
            )
        })
        .collect()
}

fn row(org: &str, relation: &str, master: bool) -> (String, String, bool) {
    (org.into(), relation.into(), master)
}

#[tokio::test]
async fn downstream_and_upstream_notices_reach_exactly_the_firms_concerned() {
    let app = hand_drawn_app(ApiConfig::default()).await;
    let s2 = bearer(&app, AccessRole::Enterprise, Some("s2"), &[]);
    let down = send(&app, &s2, notice("s2", "downstream"))
        .await
        .ok(StatusCode::CREATED);
    // s1 and t are customers; M is disabled two tiers down (it needs module AND case, and s1
    // is its only module supplier); N is not told: t still gets cells from u (OR).
    assert_eq!(
        recipients(&down),
        [
            row("M", "disabled", true),
            row("s1", "customer", false),
            row("t", "customer", false)
        ]
    );
    assert_eq!(down["sender"], "s2");
    assert_eq!(down["id"], "nt-1");
    let up = send(
        &app,
        &s2,
        json!({"chain": "hc", "about": {"firm": "s2", "part": "foil"},
        "kind": "capacity", "severity": 2, "message": "铝箔产能不足", "direction": "upstream"}),
    )
    .await
    .ok(StatusCode::CREATED);
    assert_eq!(recipients(&up), [row("q", "supplier", false)]);
    // A regulator of the chain speaks for any firm of it, in both directions; the firm
    // itself is never told.
    let regulator = bearer(&app, AccessRole::Regulator, None, &["hc"]);
    let both = send(&app, &regulator, notice("s1", "both"))
        .await
        .ok(StatusCode::CREATED);
    assert_eq!(
        recipients(&both),
        [row("M", "customer", true), row("s2", "supplier", false)]
    );
    assert_ne!(both["sender"], "s1");
}

#[tokio::test]
async fn who_may_speak_for_a_firm_and_bad_input_changes_nothing() {
    let app = hand_drawn_app(ApiConfig::default()).await;
    let before = app.fingerprint().await;
    let s2 = bearer(&app, AccessRole::Enterprise, Some("s2"), &[]);
    // An enterprise speaks only for itself.
    send(&app, &s2, notice("s1", "downstream"))
        .await
        .error(StatusCode::FORBIDDEN, "forbidden");
    // Planners never; a regulator of another chain neither.
    let planner = bearer(&app, AccessRole::Planner, None, &[]);
    send(&app, &planner, notice("s2", "downstream"))
        .await
        .error(StatusCode::FORBIDDEN, "forbidden");
    let other = bearer(&app, AccessRole::Regulator, None, &["hc2"]);
    send(&app, &other, notice("s2", "downstream"))
        .await
        .error(StatusCode::FORBIDDEN, "forbidden");
    // An unknown part: 422 with its path.
    let mut body = notice("s2", "downstream");
    body["about"]["part"] = json!("gearbox");
    let e = send(&app, &s2, body)
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(e["details"][0]["code"], "unknown_part", "{e}");
    assert_eq!(e["details"][0]["path"], "/about/part", "{e}");
    // A problem of another firm, a problem of another chain, an unknown problem, a severity
    // out of range: each at its path.
    for (problem, code) in [
        ("hp-2", "problem_of_other_firm"),
        ("hp-3", "problem_on_other_chain"),
        ("hp-404", "unknown_problem"),
    ] {
        let mut body = notice("s2", "downstream");
        body["about"]["problem"] = json!(problem);
        let e = send(&app, &s2, body)
            .await
            .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        assert_eq!(e["details"][0]["code"], code, "{e}");
        assert_eq!(e["details"][0]["path"], "/about/problem", "{e}");
    }
    let mut body = notice("s2", "downstream");
    body["severity"] = json!(9);
    let e = send(&app, &s2, body)
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(e["details"][0]["code"], "invalid_severity", "{e}");
    assert_eq!(e["details"][0]["path"], "/severity", "{e}");
    // An admin about an unknown chain: 422 at /chain.
    let mut body = notice("s2", "downstream");
    body["chain"] = json!("nowhere");
    let e = app
        .post("/api/v1/notices", &body)
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert!(
        e["details"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["path"] == "/chain" && d["code"] == "unknown_chain"),
        "{e}"
    );
    app.assert_unchanged(&before).await;
}

#[tokio::test]
async fn a_token_that_floods_is_refused_with_retry_after() {
    let app = hand_drawn_app(ApiConfig {
        notices_per_minute: 3,
        ..ApiConfig::default()
    })
    .await;
    let s2 = bearer(&app, AccessRole::Enterprise, Some("s2"), &[]);
    for _ in 0..3 {
        send(&app, &s2, notice("s2", "downstream"))
            .await
            .ok(StatusCode::CREATED);
    }
    let refused = send(&app, &s2, notice("s2", "downstream")).await;
    let retry: u64 = refused.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    refused.error(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    // Another token is untouched.
    let t = bearer(&app, AccessRole::Enterprise, Some("t"), &[]);
    send(&app, &t, notice("t", "upstream"))
        .await
        .ok(StatusCode::CREATED);
}

#[tokio::test]
async fn each_role_reads_what_it_may_and_recipients_acknowledge() {
    let app = hand_drawn_app(ApiConfig::default()).await;
    let s2 = bearer(&app, AccessRole::Enterprise, Some("s2"), &[]);
    let master = bearer(&app, AccessRole::Enterprise, Some("M"), &[]);
    let n_master = bearer(&app, AccessRole::Enterprise, Some("N"), &[]);
    let sent = send(&app, &s2, notice("s2", "downstream"))
        .await
        .ok(StatusCode::CREATED);
    let id = sent["id"].as_str().unwrap().to_string();
    let regulator = bearer(&app, AccessRole::Regulator, None, &["hc"]);
    send(
        &app,
        &regulator,
        json!({"chain": "hc", "about": {"firm": "t"}, "kind": "alert",
        "severity": 3, "message": "pack 预警", "direction": "upstream"}),
    )
    .await
    .ok(StatusCode::CREATED);

    // The master's inbox: the notice, unread, how it was told, but not the list.
    let inbox = get(&app, &master, "/api/v1/notices").await;
    assert_eq!(
        (inbox["total"].as_u64(), inbox["unread"].as_u64()),
        (Some(1), Some(1)),
        "{inbox}"
    );
    let seen = &inbox["notices"][0];
    assert_eq!(seen["id"], id.as_str());
    assert_eq!(seen["relation"], "disabled");
    assert_eq!(seen["firm_name"], "企业s2");
    assert!(
        seen.get("recipients").is_none() && seen.get("acks").is_none(),
        "{seen}"
    );
    assert!(seen.get("acknowledged").is_none());
    // N was told nothing.
    let none = get(&app, &n_master, "/api/v1/notices").await;
    assert_eq!(none["total"], 0);
    // A non-recipient may not acknowledge (nor may the sender, nor an admin); the answer is
    // the same for a notice that does not exist.
    for token in [&n_master, &s2] {
        app.send_with(
            Method::POST,
            &format!("/api/v1/notices/{id}/ack"),
            &[("authorization", token)],
            None,
        )
        .await
        .error(StatusCode::FORBIDDEN, "forbidden");
    }
    app.post(&format!("/api/v1/notices/{id}/ack"), &json!({}))
        .await
        .error(StatusCode::FORBIDDEN, "forbidden");
    app.send_with(
        Method::POST,
        "/api/v1/notices/nt-404/ack",
        &[("authorization", &master)],
        None,
    )
    .await
    .error(StatusCode::FORBIDDEN, "forbidden");
    // The recipient acknowledges; twice is fine and writes nothing more.
    let first = app
        .send_with(
            Method::POST,
            &format!("/api/v1/notices/{id}/ack"),
            &[("authorization", &master)],
            None,
        )
        .await
        .ok(StatusCode::OK);
    assert!(first["revision"].is_u64(), "{first}");
    let revision = app.revision().await;
    let again = app
        .send_with(
            Method::POST,
            &format!("/api/v1/notices/{id}/ack"),
            &[("authorization", &master)],
            None,
        )
        .await
        .ok(StatusCode::OK);
    assert_eq!(again["at"], first["at"]);
    assert!(again.get("revision").is_none());
    assert_eq!(app.revision().await, revision);
    let inbox = get(&app, &master, "/api/v1/notices").await;
    assert_eq!(inbox["unread"], 0);
    assert_eq!(inbox["notices"][0]["acknowledged"], first["at"]);

    // The sender's outbox: recipients and who acknowledged.
    let outbox = get(&app, &s2, "/api/v1/notices?box=out").await;
    assert_eq!(outbox["total"], 1);
    assert_eq!(
        outbox["notices"][0]["recipients"].as_array().unwrap().len(),
        3
    );
    assert_eq!(outbox["notices"][0]["acks"]["M"], first["at"]);
    // s2's inbox holds the regulator's upstream notice about t? No: s2 supplies t, so yes.
    let s2_in = get(&app, &s2, "/api/v1/notices").await;
    assert_eq!(s2_in["total"], 1, "{s2_in}");
    assert_eq!(s2_in["notices"][0]["relation"], "supplier");

    // Regulators of the chain: every notice with acknowledgement status; of another chain: none.
    let all = get(&app, &regulator, "/api/v1/notices").await;
    assert_eq!(all["total"], 2);
    assert!(all["notices"]
        .as_array()
        .unwrap()
        .iter()
        .all(|n| n["recipients"].is_array() && n["acks"].is_object()));
    let other = bearer(&app, AccessRole::Regulator, None, &["hc2"]);
    assert_eq!(get(&app, &other, "/api/v1/notices").await["total"], 0);
    // Admins: everything; filters by chain and firm.
    let admin = app.get("/api/v1/notices?firm=t").await.ok(StatusCode::OK);
    assert_eq!(admin["total"], 1);
    // Planners: counts only.
    let planner = bearer(&app, AccessRole::Planner, None, &[]);
    let counts = get(&app, &planner, "/api/v1/notices").await;
    assert_eq!(counts["notices"], json!([]));
    assert_eq!(
        counts["counts"],
        json!([{"chain": "hc", "kind": "defect", "count": 1}, {"chain": "hc", "kind": "alert", "count": 1}])
    );
    assert!(!counts.to_string().contains("电芯内阻"));
    // Paging.
    app.get("/api/v1/notices?per_page=0")
        .await
        .error(StatusCode::BAD_REQUEST, "bad_request");
    let one = app
        .get("/api/v1/notices?per_page=1&page=2")
        .await
        .ok(StatusCode::OK);
    assert_eq!(
        (
            one["total"].as_u64(),
            one["notices"].as_array().unwrap().len()
        ),
        (Some(2), 1)
    );
}

#[tokio::test]
async fn notices_round_trip_through_export_and_import_with_their_recipients_and_acks() {
    let app = hand_drawn_app(ApiConfig::default()).await;
    let s2 = bearer(&app, AccessRole::Enterprise, Some("s2"), &[]);
    let master = bearer(&app, AccessRole::Enterprise, Some("M"), &[]);
    let sent = send(&app, &s2, notice("s2", "downstream"))
        .await
        .ok(StatusCode::CREATED);
    app.send_with(
        Method::POST,
        &format!("/api/v1/notices/{}/ack", sent["id"].as_str().unwrap()),
        &[("authorization", &master)],
        None,
    )
    .await
    .ok(StatusCode::OK);
    let exported = app.export().await;
    let doc: Value = serde_json::from_slice(&exported).unwrap();
    assert_eq!(
        doc["notices"][0]["recipients"].as_array().unwrap().len(),
        3,
        "{}",
        doc["notices"]
    );
    assert!(doc["notices"][0]["acks"]["M"].is_u64());
    let other = spawn_app();
    other
        .post_bytes("/api/v1/import", exported.clone())
        .await
        .ok(StatusCode::OK);
    assert!(
        other.export().await == exported,
        "the export of the import differs"
    );
    // An imported notice is validated like any record.
    let mut bad = hand_drawn();
    bad["notices"] = json!([{"id": "nt-9", "chain": "hc", "about": {"firm": "ghost"}, "kind": "defect",
        "severity": 0, "message": "", "direction": "sideways", "sender": "s2", "sent_at": 1}]);
    let e = other
        .post("/api/v1/import", &bad)
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    let paths = details(&e);
    assert!(
        paths.contains(&pair("/notices/0/severity", "invalid_severity")),
        "{paths:?}"
    );
    assert!(
        paths.contains(&pair("/notices/0/direction", "unknown_direction")),
        "{paths:?}"
    );
    bad["notices"][0]["severity"] = json!(2);
    bad["notices"][0]["direction"] = json!("both");
    bad["notices"][0]["acks"] = json!({"o": 5});
    let e = other
        .post("/api/v1/import", &bad)
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    let paths = details(&e);
    assert_eq!(
        paths,
        [
            pair("/notices/0/about/firm", "unknown_organization"),
            pair("/notices/0/acks/o", "not_a_recipient")
        ]
    );
}

#[tokio::test]
async fn a_recipient_is_not_told_the_id_of_a_problem_it_may_not_read() {
    let app = hand_drawn_app(ApiConfig::default()).await;
    let s2 = bearer(&app, AccessRole::Enterprise, Some("s2"), &[]);
    let master = bearer(&app, AccessRole::Enterprise, Some("M"), &[]);
    let mut body = notice("s2", "downstream");
    body["about"]["problem"] = json!("hp-1");
    send(&app, &s2, body).await.ok(StatusCode::CREATED);
    let inbox = get(&app, &master, "/api/v1/notices").await;
    assert_eq!(inbox["total"], 1);
    assert!(!inbox.to_string().contains("hp-1"), "{inbox}");
    // The sender, and once disclosed to customers the recipient, read it.
    let outbox = get(&app, &s2, "/api/v1/notices?box=out").await;
    assert_eq!(outbox["notices"][0]["about"]["problem"], "hp-1");
    app.send_with(
        Method::PUT,
        "/api/v1/problems/hp-1/disclosure",
        &[("authorization", &s2)],
        Some(
            serde_json::to_vec(&json!({"disclosure": "customers"}))
                .unwrap()
                .into(),
        ),
    )
    .await
    .ok(StatusCode::OK);
    let inbox = get(&app, &master, "/api/v1/notices").await;
    assert_eq!(inbox["notices"][0]["about"]["problem"], "hp-1");
}

#[tokio::test]
async fn what_a_stored_notice_names_cannot_be_deleted_from_under_it() {
    let app = hand_drawn_app(ApiConfig::default()).await;
    let s2 = bearer(&app, AccessRole::Enterprise, Some("s2"), &[]);
    let mut body = notice("s2", "downstream");
    body["about"]["problem"] = json!("hp-1");
    send(&app, &s2, body).await.ok(StatusCode::CREATED);
    let before = app.export().await;
    // The problem it names, and a recipient (s1, with its supplies and problem too): refused,
    // each saying a notice still refers to it, and nothing changes.
    for uri in ["/api/v1/problems/hp-1", "/api/v1/organizations/s1"] {
        let e = app
            .delete(uri)
            .await
            .error(StatusCode::CONFLICT, "still_referenced");
        assert!(e.to_string().contains("notice"), "{uri}: {e}");
    }
    assert!(app.export().await == before);
}

#[tokio::test]
async fn a_notice_is_sent_about_a_member_and_stays_when_a_survey_takes_the_firm_off() {
    let app = hand_drawn_app(ApiConfig::default()).await;
    let admin = bearer(&app, AccessRole::Admin, None, &[]);
    // s1 is on hc only: a notice about it on hc2 is refused at its path, and nothing is written.
    let before = app.export().await;
    let mut body = notice("s1", "downstream");
    body["chain"] = json!("hc2");
    let e = send(&app, &admin, body)
        .await
        .error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(e["details"][0]["code"], "not_a_member", "{e}");
    assert_eq!(e["details"][0]["path"], "/about/firm", "{e}");
    assert!(app.export().await == before);

    // A stored notice is a record of what was said: a survey that takes its firm (o) off the
    // chain keeps it, and the export still imports into an empty store.
    let o = bearer(&app, AccessRole::Enterprise, Some("o"), &[]);
    send(&app, &o, notice("o", "both"))
        .await
        .ok(StatusCode::CREATED);
    let mut survey = hand_drawn();
    survey["organizations"]
        .as_array_mut()
        .unwrap()
        .retain(|f| f["id"] != "o");
    survey["chains"]
        .as_array_mut()
        .unwrap()
        .retain(|c| c["id"] == "hc");
    survey["problems"]
        .as_array_mut()
        .unwrap()
        .retain(|p| p["chain"] == "hc");
    app.post("/api/v1/import?replace=true", &survey)
        .await
        .ok(StatusCode::OK);
    let exported = app.export().await;
    let bundle: Value = serde_json::from_slice(&exported).unwrap();
    assert_eq!(bundle["notices"].as_array().unwrap().len(), 1, "{bundle}");
    let empty = spawn_app();
    empty
        .post_bytes("/api/v1/import", exported.clone())
        .await
        .ok(StatusCode::OK);
    assert!(empty.export().await == exported);
}

#[tokio::test]
async fn a_bad_notice_list_query_is_a_400_in_the_api_error_shape() {
    let app = hand_drawn_app(ApiConfig::default()).await;
    for uri in [
        "/api/v1/notices?per_page=null",
        "/api/v1/notices?box=sideways",
    ] {
        let e = app
            .get(uri)
            .await
            .error(StatusCode::BAD_REQUEST, "bad_request");
        assert!(e["message"].as_str().is_some(), "{uri}: {e}");
    }
}
