//! `qmap serve`: the HTTP API and the map page, and the demo chains it can load.

use super::*;
use crate::model::{ChangeSet, SupplyList, WriteNote};
use crate::service::survey;

/// The demo chains that `serve --demo` loads, embedded so the binary needs no files: today's
/// survey (2025) of each.
pub const DEMO_FIXTURES: [(&str, &str); 3] = [
    (
        "power_battery_jiangsu.json",
        include_str!("../../fixtures/power_battery_jiangsu.json"),
    ),
    (
        "hydrogen_shaanxi.json",
        include_str!("../../fixtures/hydrogen_shaanxi.json"),
    ),
    (
        "optoelectronics_suzhou.json",
        include_str!("../../fixtures/optoelectronics_suzhou.json"),
    ),
];

/// The same chains one year earlier (`fixtures/surveys/`, made from today's files by
/// `make_2024.py`; the differences are listed in `fixtures/README.md`).
const DEMO_FIXTURES_2024: [(&str, &str); 3] = [
    (
        "surveys/power_battery_jiangsu_2024.json",
        include_str!("../../fixtures/surveys/power_battery_jiangsu_2024.json"),
    ),
    (
        "surveys/hydrogen_shaanxi_2024.json",
        include_str!("../../fixtures/surveys/hydrogen_shaanxi_2024.json"),
    ),
    (
        "surveys/optoelectronics_suzhou_2024.json",
        include_str!("../../fixtures/surveys/optoelectronics_suzhou_2024.json"),
    ),
];

/// The demo's surveys, oldest first: each is one labelled revision holding its files.
const DEMO_SURVEYS: [(&str, &[(&str, &str)]); 2] = [
    ("2024年度调查", &DEMO_FIXTURES_2024),
    ("2025年度调查", &DEMO_FIXTURES),
];

/// Who writes the demo's revisions.
const DEMO_ACTOR: &str = "demo";

/// Imports the demo chains into `store` when it is empty; returns whether it did.
///
/// The demo is two surveys, each one labelled revision by `demo`: `2024年度调查` (the chains one
/// year earlier), then `2025年度调查` (today's fixtures) imported with replace, as a yearly survey
/// is: what the 2024 survey holds on a chain and the 2025 one lacks (the memberships of firms that
/// left, their supplies, open problems no longer found) is removed in the same revision, and
/// resolved problems are kept. Each survey is checked as `Service::import` checks an import: the
/// bundle, the problem status rules, and the change with its removals.
pub fn load_demo(store: &Store) -> Result<bool, CliError> {
    if !store.is_empty()? {
        return Ok(false);
    }
    for (index, (label, files)) in DEMO_SURVEYS.iter().enumerate() {
        let text = combined(files)?;
        let bundle =
            crate::validate::parse_bundle(text.as_bytes(), store).map_err(CliError::Demo)?;
        let broken = crate::service::rules::check_problems(&bundle.problems, store);
        if !broken.is_empty() {
            return Err(CliError::Demo(broken.into()));
        }
        let records = bundle.record_count();
        // The first survey goes into an empty store: there is nothing for it to replace.
        let change = if index == 0 {
            ChangeSet::upsert(bundle)
        } else {
            let chains: Vec<&str> = bundle.chains.iter().map(|c| c.id.as_str()).collect();
            let now = survey::Holdings::of_store(store, &chains)?;
            survey::replacing(bundle, &SupplyList::new(), &now)
                .map_err(|errors| CliError::Demo(errors.into()))?
                .0
        };
        let note = WriteNote::by(DEMO_ACTOR).labelled(Some(label.to_string()));
        let revision = store.commit(&change, &SupplyList::new(), &note, &|_, _| {})?;
        tracing::info!(
            survey = label,
            revision = revision.revision,
            records,
            "demo survey loaded"
        );
    }
    Ok(true)
}

/// The demo files of one survey as one bundle: their records one after the other, each region
/// once (a region code shared by two files has the same name in both; a clash is left for the
/// validation to report).
fn combined(files: &[(&str, &str)]) -> Result<String, CliError> {
    let mut all = Bundle::new();
    for (name, text) in files {
        let bundle: Bundle = serde_json::from_str(text).map_err(|source| CliError::NotABundle {
            path: PathBuf::from(format!("fixtures/{name}")),
            source,
        })?;
        for region in bundle.regions {
            if !all.regions.contains(&region) {
                all.regions.push(region);
            }
        }
        for entry in bundle.capabilities {
            if !all.capabilities.iter().any(|e| e.code == entry.code) {
                all.capabilities.push(entry);
            }
        }
        all.chains.extend(bundle.chains);
        all.organizations.extend(bundle.organizations);
        all.supplies.extend(bundle.supplies);
        all.problems.extend(bundle.problems);
        all.projects.extend(bundle.projects);
        all.consortia.extend(bundle.consortia);
        all.policy_tools.extend(bundle.policy_tools);
        all.goals.extend(bundle.goals);
        all.notices.extend(bundle.notices);
    }
    Ok(serde_json::to_string(&all).expect("a bundle serializes"))
}

pub(super) fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr);
    // A second initialisation (tests running several servers) keeps the first subscriber.
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

pub(super) fn serve(
    dir: &Path,
    addr: &str,
    demo: bool,
    log_json: bool,
    mut config: crate::api::ApiConfig,
    options: crate::api::ServeOptions,
) -> Result<(), CliError> {
    init_logging(log_json);
    let store = Store::open(dir)?;
    // Secure by default: only the demo, and only while no token exists, opens reads to all.
    config.anonymous_read = demo && !store.has_tokens();
    if demo {
        if load_demo(&store)? {
            tracing::info!("loaded the demo chains into {}", dir.display());
        } else {
            tracing::info!(
                "{} already holds data: --demo loads nothing over it",
                dir.display()
            );
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|source| CliError::Serve {
            addr: addr.to_string(),
            source,
        })?;
    // Kept past the server's end and never dropped: freeing a national dataset piece by piece
    // takes seconds, and the process is about to exit anyway (after a last flush).
    let mut kept = None;
    let served = runtime.block_on(async {
        let state =
            crate::api::AppState::new(store, config).map_err(|e| CliError::Api(e.to_string()))?;
        kept = Some(std::mem::ManuallyDrop::new(state.service().clone()));
        // Every chain's analysis starts now, in the background, and each write's chains right
        // after it (see `service::precompute`).
        state.service().start_precomputing();
        // Meanwhile the chain list answers at once: rows not ready within a quarter second are
        // listed pending (the page asks again until none is).
        state
            .service()
            .set_row_wait(crate::service::chains::RowWait::AtMost(
                std::time::Duration::from_millis(250),
            ));
        // Dataset-wide reads (the comparison, the dataset's coverage and regions) wait at most
        // 1.5 s for the scope being computed after a write, and meanwhile answer the earlier
        // revision's, marked (the pages ask again until it is current).
        state
            .service()
            .set_scope_wait(crate::service::chains::RowWait::AtMost(
                std::time::Duration::from_millis(1500),
            ));
        let serve_err = |source| CliError::Serve {
            addr: addr.to_string(),
            source,
        };
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(serve_err)?;
        let local = listener.local_addr().map_err(serve_err)?;
        let snap = state.snapshot();
        tracing::info!(
            chains = snap.dataset.chains.len(),
            organizations = snap.dataset.organizations.len(),
            revision = snap.revision,
            "serving {}",
            dir.display()
        );
        let access = if state.config().anonymous_read {
            "no API token is configured: anyone who can reach this address may READ the demo \
             data without a token; writes need one (qmap token create --role admin)"
        } else {
            "every /api/v1 request needs a token (qmap token create --role ROLE)"
        };
        // One write, and no panic if whoever started us stopped reading stdout.
        let _ = writeln!(
            io::stdout(),
            "qmap is serving on http://{local}/  (API: /api/v1, docs: /docs; Ctrl-C stops)\n{access}"
        );
        crate::api::serve(listener, state, options)
            .await
            .map_err(serve_err)
    });
    // Reads whose client has gone (or timed out) may still be computing on blocking threads;
    // their results are of no use now, so the process does not wait for them to stop.
    runtime.shutdown_timeout(std::time::Duration::from_millis(500));
    if let Some(service) = &kept {
        if let Err(e) = service.store().flush() {
            tracing::error!(error = %e, "the last flush failed");
        }
    }
    served
}
