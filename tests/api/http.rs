//! HTTP conveniences of every answer: compression as the client accepts it (gzip, br, zstd) and
//! entity tags with 304 for reads.

use crate::helpers::*;
use axum::http::{header, HeaderMap, StatusCode};
use serde_json::Value;
use std::io::Read;

/// The body as sent before `coding` was applied.
fn decode(coding: &str, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match coding {
        "gzip" => {
            flate2::read::GzDecoder::new(body)
                .read_to_end(&mut out)
                .unwrap();
        }
        "br" => {
            brotli::Decompressor::new(body, 4096)
                .read_to_end(&mut out)
                .unwrap();
        }
        "zstd" => out = zstd::stream::decode_all(body).unwrap(),
        other => panic!("no decoder for {other}"),
    }
    out
}

/// Every `Vary` value, split at commas, in lower case.
fn vary(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(header::VARY)
        .iter()
        .flat_map(|v| v.to_str().unwrap().split(','))
        .map(|v| v.trim().to_ascii_lowercase())
        .collect()
}

fn etag(headers: &HeaderMap) -> String {
    headers
        .get(header::ETAG)
        .expect("an ETag")
        .to_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn json_answers_are_compressed_with_the_coding_the_client_accepts() {
    let app = spawn_demo_app();
    for uri in [
        "/api/v1/export",
        "/api/v1/chains/pb-power-battery/weak-links",
        "/api/v1/chains/pb-power-battery/map?limit=5",
    ] {
        let plain = app.get_with(uri, &[]).await;
        assert_eq!(plain.status, StatusCode::OK, "{uri}");
        assert!(plain.headers.get(header::CONTENT_ENCODING).is_none());
        assert!(
            plain.body.len() > 1024,
            "{uri} is too small to be compressed"
        );
        let expected: Value = plain.json();
        for coding in ["gzip", "br", "zstd"] {
            let res = app.get_with(uri, &[("accept-encoding", coding)]).await;
            assert_eq!(res.status, StatusCode::OK, "{uri} {coding}");
            assert_eq!(
                res.headers.get(header::CONTENT_ENCODING).unwrap(),
                coding,
                "{uri}"
            );
            assert_eq!(
                res.headers.get(header::CONTENT_TYPE).unwrap(),
                "application/json",
                "{uri} {coding}"
            );
            assert_eq!(vary(&res.headers), ["accept-encoding"], "{uri} {coding}");
            assert!(res.body.len() < plain.body.len(), "{uri} {coding}");
            let decoded = decode(coding, &res.body);
            let value: Value = serde_json::from_slice(&decoded).unwrap();
            assert_eq!(value, expected, "{uri} {coding}");
        }
    }
}

#[tokio::test]
async fn the_cached_gzip_map_is_not_compressed_again_and_br_gets_its_own() {
    let app = spawn_demo_app();
    let uri = "/api/v1/chains/pb-power-battery/map";
    let plain = app.get_with(uri, &[]).await;
    let expected = plain.json();
    // The handler's own gzip: one layer of it, and one `Vary`.
    for accept in ["gzip", "gzip, br, zstd"] {
        let res = app.get_with(uri, &[("accept-encoding", accept)]).await;
        assert_eq!(res.status, StatusCode::OK);
        assert_eq!(res.headers.get(header::CONTENT_ENCODING).unwrap(), "gzip");
        assert_eq!(vary(&res.headers), ["accept-encoding"], "{accept}");
        let once: Value =
            serde_json::from_slice(&decode("gzip", &res.body)).expect("one gunzip gives the JSON");
        assert_eq!(once, expected, "{accept}");
    }
    // A client that takes only br or zstd gets the map in that coding.
    for coding in ["br", "zstd"] {
        let res = app.get_with(uri, &[("accept-encoding", coding)]).await;
        assert_eq!(res.status, StatusCode::OK);
        assert_eq!(res.headers.get(header::CONTENT_ENCODING).unwrap(), coding);
        assert_eq!(vary(&res.headers), ["accept-encoding"], "{coding}");
        let value: Value = serde_json::from_slice(&decode(coding, &res.body)).unwrap();
        assert_eq!(value, expected, "{coding}");
    }
}

#[tokio::test]
async fn tiny_answers_and_unaccepted_codings_go_out_as_they_are() {
    let app = spawn_demo_app();
    let health = app
        .get_with("/healthz", &[("accept-encoding", "gzip")])
        .await;
    assert_eq!(health.status, StatusCode::OK);
    assert!(health.headers.get(header::CONTENT_ENCODING).is_none());
    assert_eq!(health.json()["status"], "ok");
    let missing = app
        .get_with("/api/v1/chains/no-such-chain", &[("accept-encoding", "br")])
        .await;
    assert!(missing.headers.get(header::CONTENT_ENCODING).is_none());
    missing.error(StatusCode::NOT_FOUND, "not_found");
    for accept in ["identity", "deflate", "gzip;q=0, br;q=0, zstd;q=0"] {
        let res = app
            .get_with("/api/v1/export", &[("accept-encoding", accept)])
            .await;
        assert_eq!(res.status, StatusCode::OK);
        assert!(
            res.headers.get(header::CONTENT_ENCODING).is_none(),
            "{accept}"
        );
        res.json();
    }
}

#[tokio::test]
async fn a_read_carries_an_etag_and_its_tag_gets_304_without_a_body() {
    let app = spawn_demo_app();
    let uri = "/api/v1/chains/pb-power-battery/problems?per_page=3";
    let first = app.get_with(uri, &[]).await;
    assert_eq!(first.status, StatusCode::OK);
    let tag = etag(&first.headers);
    assert!(tag.starts_with("W/\"r") && tag.ends_with('"'), "{tag}");
    assert_eq!(
        first.headers.get(header::CACHE_CONTROL).unwrap(),
        "private, no-cache"
    );
    // The same read again: the same tag.
    assert_eq!(etag(&app.get_with(uri, &[]).await.headers), tag);
    // The tag given back (also strong, and in a list) is answered 304 with no body.
    let strong = tag.trim_start_matches("W/").to_string();
    let listed = format!("\"other\", {tag}");
    for given in [tag.as_str(), strong.as_str(), listed.as_str(), "*"] {
        let again = app.get_with(uri, &[("if-none-match", given)]).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{given}");
        assert!(again.body.is_empty(), "{given}");
        assert_eq!(etag(&again.headers), tag, "{given}");
        assert_eq!(
            again.headers.get(header::CACHE_CONTROL).unwrap(),
            "private, no-cache"
        );
    }
    // Another query is another answer.
    let other = app
        .get_with(
            "/api/v1/chains/pb-power-battery/problems?per_page=4",
            &[("if-none-match", tag.as_str())],
        )
        .await;
    assert_eq!(other.status, StatusCode::OK);
    assert_ne!(etag(&other.headers), tag);
}

#[tokio::test]
async fn a_304_does_not_run_the_handler() {
    let app = spawn_demo_app();
    let uri = "/api/v1/chains/oe-optical-fiber/map";
    // A plain read caches the plain map only; the gzip bytes are made by the first read that
    // asks for gzip, so whether they exist shows whether the handler ran.
    let plain = app.get_with(uri, &[("accept-encoding", "identity")]).await;
    assert_eq!(plain.status, StatusCode::OK);
    let tag = etag(&plain.headers);
    assert!(!app.state.snapshot().default_map_ready(FIBER, true));
    let revalidated = app
        .get_with(
            uri,
            &[("accept-encoding", "gzip"), ("if-none-match", tag.as_str())],
        )
        .await;
    assert_eq!(revalidated.status, StatusCode::NOT_MODIFIED);
    assert!(revalidated.body.is_empty());
    assert!(
        !app.state.snapshot().default_map_ready(FIBER, true),
        "the handler ran for a 304"
    );
    // Without the tag, the same request runs the handler (which makes the gzip bytes).
    let fetched = app.get_with(uri, &[("accept-encoding", "gzip")]).await;
    assert_eq!(fetched.status, StatusCode::OK);
    assert_eq!(etag(&fetched.headers), tag);
    assert!(app.state.snapshot().default_map_ready(FIBER, true));
}

#[tokio::test]
async fn a_write_changes_the_tags_of_reads() {
    let app = spawn_app();
    app.import_fixtures(&["hydrogen_shaanxi.json"]).await;
    let uri = "/api/v1/chains";
    let before = app.get_with(uri, &[]).await;
    assert_eq!(before.status, StatusCode::OK);
    let old = etag(&before.headers);
    app.import_fixtures(&["power_battery_jiangsu.json"]).await;
    let after = app.get_with(uri, &[("if-none-match", old.as_str())]).await;
    assert_eq!(after.status, StatusCode::OK);
    assert_ne!(etag(&after.headers), old);
    assert_ne!(after.json(), before.json());
    assert!(after.text().contains(BATTERY));
}

#[tokio::test]
async fn each_caller_has_its_own_tags() {
    let app = spawn_demo_app();
    let issued = qmap::access::issue(
        qmap::model::access::AccessRole::Regulator,
        None,
        &[],
        None,
        qmap::access::now(),
        app.state.store(),
    )
    .unwrap();
    app.state.store().put_token(&issued.token).unwrap();
    let bearer = format!("Bearer {}", issued.secret);
    let uri = "/api/v1/chains/pb-power-battery";
    let admin = app.get_with(uri, &[]).await;
    assert_eq!(admin.status, StatusCode::OK);
    let admin_tag = etag(&admin.headers);
    let regulator = app.get_with(uri, &[("authorization", &bearer)]).await;
    assert_eq!(regulator.status, StatusCode::OK);
    let regulator_tag = etag(&regulator.headers);
    assert_ne!(regulator_tag, admin_tag);
    // The admin's tag does not open the regulator's answer.
    let crossed = app
        .get_with(
            uri,
            &[("authorization", &bearer), ("if-none-match", &admin_tag)],
        )
        .await;
    assert_eq!(crossed.status, StatusCode::OK);
    assert!(!crossed.body.is_empty());
    let own = app
        .get_with(
            uri,
            &[
                ("authorization", &bearer),
                ("if-none-match", &regulator_tag),
            ],
        )
        .await;
    assert_eq!(own.status, StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn errors_the_token_list_and_the_metrics_carry_no_etag() {
    let app = spawn_demo_app();
    let missing = app.get_with("/api/v1/chains/no-such-chain", &[]).await;
    assert!(missing.headers.get(header::ETAG).is_none());
    missing.error(StatusCode::NOT_FOUND, "not_found");
    // A tag or `*` does not turn an error into a 304.
    for given in ["*", "W/\"r1-0000000000000000\""] {
        let res = app
            .get_with("/api/v1/chains/no-such-chain", &[("if-none-match", given)])
            .await;
        res.error(StatusCode::NOT_FOUND, "not_found");
        assert!(res.headers.get(header::ETAG).is_none());
    }
    let bad = app
        .get_with("/api/v1/chains/pb-power-battery/problems?per_page=x", &[])
        .await;
    assert!(bad.headers.get(header::ETAG).is_none());
    bad.error(StatusCode::BAD_REQUEST, "bad_request");
    // Tokens are made and revoked without a new revision: their list is never tagged.
    let tokens = app.get_with("/api/v1/tokens", &[]).await;
    assert_eq!(tokens.status, StatusCode::OK);
    assert!(tokens.headers.get(header::ETAG).is_none());
    // Counters move without a new revision: the metrics are never tagged either.
    let metrics = app.get_with("/api/v1/metrics", &[]).await;
    assert_eq!(metrics.status, StatusCode::OK);
    assert!(metrics.headers.get(header::ETAG).is_none());
    let unauthorized = app
        .get_with("/api/v1/chains", &[("authorization", "Bearer qmap_nope")])
        .await;
    assert!(unauthorized.headers.get(header::ETAG).is_none());
    unauthorized.error(StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn the_vendored_echarts_is_kept_for_good_under_its_versioned_name_and_compressed() {
    let app = spawn_app();
    let name = qmap::render::assets::ECHARTS;
    assert!(
        name.starts_with("echarts-5.") && name.ends_with(".min.js"),
        "{name}"
    );
    let plain = app.get_with(&format!("/assets/{name}"), &[]).await;
    assert_eq!(plain.status, StatusCode::OK);
    assert_eq!(
        plain.headers.get(header::CONTENT_TYPE).unwrap(),
        "text/javascript; charset=utf-8"
    );
    assert_eq!(
        plain.headers.get(header::CACHE_CONTROL).unwrap(),
        "public, max-age=31536000, immutable"
    );
    assert!(plain.text().contains("Apache Software Foundation"));
    assert!(plain.body.len() > 500_000, "the whole library");
    let gzip = app
        .get_with(&format!("/assets/{name}"), &[("accept-encoding", "gzip")])
        .await;
    assert_eq!(gzip.headers.get(header::CONTENT_ENCODING).unwrap(), "gzip");
    assert!(gzip.body.len() < plain.body.len() / 2);
    assert_eq!(decode("gzip", &gzip.body), plain.body.to_vec());
    // The page's own files are revalidated, so that a new binary shows a new page.
    let app_js = app.get_with("/assets/app.js", &[]).await;
    assert_eq!(app_js.status, StatusCode::OK);
    assert_eq!(
        app_js.headers.get(header::CACHE_CONTROL).unwrap(),
        "no-cache"
    );
}
