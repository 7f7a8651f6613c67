//! Generated files are committed; these tests fail when a committed file is stale.
//! Run with `UPDATE_SCHEMAS=1` (bundle schema) or `UPDATE_OPENAPI=1` (API) to rewrite them.

use std::path::Path;

fn check_generated(path: &str, fresh: &str, update_var: &str) {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    if std::env::var_os(update_var).is_some() {
        std::fs::write(&full, fresh).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&full)
        .unwrap_or_else(|e| panic!("{path} is missing ({e}); run with {update_var}=1"));
    assert!(
        committed == fresh,
        "{path} is stale: run `{update_var}=1 cargo test --test generated_files` and commit it"
    );
}

#[test]
fn the_committed_bundle_schema_matches_the_rust_types() {
    let fresh = serde_json::to_string_pretty(&qmap::model::bundle_schema()).unwrap() + "\n";
    check_generated("schemas/bundle.schema.json", &fresh, "UPDATE_SCHEMAS");
}

#[test]
fn the_committed_openapi_document_matches_the_routes() {
    let fresh = qmap::api::openapi().to_pretty_json().unwrap() + "\n";
    check_generated("openapi/openapi.json", &fresh, "UPDATE_OPENAPI");
}
