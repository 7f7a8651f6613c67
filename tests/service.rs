//! The service layer on its own (no HTTP): readers work on whole snapshots while writes go on.

#[path = "common/mod.rs"]
mod common;

use common::HeldScope;
use qmap::service::{Deadline, How, ImportOptions, Service};
use qmap::store::Store;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

/// Imports `problems` in one write (all or nothing) and returns the new revision.
fn import_problems(service: &Service, problems: &[qmap::model::Problem]) -> u64 {
    let bundle = serde_json::json!({"version": 1, "problems": problems});
    service
        .import(
            &serde_json::to_vec(&bundle).unwrap(),
            ImportOptions::default(),
            How::by(Deadline::never()),
        )
        .unwrap()
        .revision
        .expect("not a dry run")
}

/// Two problems on two chains, written together by one import per round: every snapshot a reader
/// takes shows both from the same round (never one written and the other not), and revisions
/// only grow.
#[test]
fn readers_never_see_a_half_applied_write() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    assert!(qmap::cli::load_demo(&store).unwrap());
    let service = Service::open(store).unwrap();
    let first = service.snapshot();
    let battery = first.dataset.problems["pb-p001"].clone();
    let hydrogen = first
        .dataset
        .problems
        .values()
        .find(|p| p.chain == "h2-hydrogen")
        .unwrap()
        .clone();
    assert_ne!(battery.chain, hydrogen.chain);
    drop(first);

    let write_round = |round: i64| {
        let title = format!("第{round}轮：两个问题同时改名");
        let mut a = battery.clone();
        let mut b = hydrogen.clone();
        a.title = title.clone();
        b.title = title;
        import_problems(&service, &[a, b]);
    };
    // Both titles equal before any reader looks.
    write_round(-1);
    let done = Arc::new(AtomicBool::new(false));
    let started = Arc::new(AtomicUsize::new(0));
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let service = service.clone();
            let done = done.clone();
            let started = started.clone();
            let (a, b) = (battery.id.clone(), hydrogen.id.clone());
            std::thread::spawn(move || {
                let mut seen = 0u64;
                let mut last = 0;
                while !done.load(Ordering::Acquire) {
                    let snap = service.snapshot();
                    assert!(snap.revision >= last, "revisions only grow");
                    last = snap.revision;
                    let (ta, tb) = (
                        &snap.dataset.problems[&a].title,
                        &snap.dataset.problems[&b].title,
                    );
                    assert_eq!(ta, tb, "a reader saw half a write at revision {last}");
                    if seen == 0 {
                        started.fetch_add(1, Ordering::AcqRel);
                    }
                    seen += 1;
                }
            })
        })
        .collect();
    // The writes start once both readers read, so that they overlap the writes however the
    // threads are scheduled (hang guard only).
    let waiting = std::time::Instant::now();
    while started.load(Ordering::Acquire) < 2 {
        assert!(
            waiting.elapsed() < std::time::Duration::from_secs(120),
            "the readers did not start"
        );
        std::thread::yield_now();
    }
    let rounds = 40;
    for round in 0..rounds {
        write_round(round);
    }
    done.store(true, Ordering::Release);
    for r in readers {
        r.join().expect("a reader saw an inconsistent snapshot");
    }
    let last = service.snapshot();
    assert_eq!(
        last.dataset.problems[&battery.id].title,
        format!("第{}轮：两个问题同时改名", rounds - 1)
    );
}

/// Polls `done` until it holds; 120 s is only a guard against hanging (never a measure of speed).
fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while !done() {
        assert!(
            std::time::Instant::now() < deadline,
            "never happened: {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

fn demo_service() -> (tempfile::TempDir, Store, Service) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    assert!(qmap::cli::load_demo(&store).unwrap());
    let service = Service::open(store.clone()).unwrap();
    (dir, store, service)
}

/// A serving process analyses every chain in the background, stores the chain list's figures
/// with their revision, and the next start lists the chains from them without analysing any.
#[test]
fn the_chain_list_is_stored_for_the_next_start() {
    use qmap::service::precompute::CHAIN_ROWS;
    let (_dir, store, service) = demo_service();
    assert!(store.derived(CHAIN_ROWS).unwrap().is_none());
    service.start_precomputing();
    wait_until("the chain figures are stored", || {
        store
            .derived(CHAIN_ROWS)
            .unwrap()
            .is_some_and(|(revision, _)| revision == store.revision())
    });
    let computed = service.snapshot().chain_rows().unwrap();
    assert_eq!(computed.len(), 3);

    let next = Service::open(store.clone()).unwrap();
    let snap = next.snapshot();
    for row in &computed {
        let entry = snap.cache.chain(&row.id).unwrap();
        assert!(!entry.analysis.is_done(), "{}", row.id);
        assert_eq!(&snap.chain_row(&row.id).unwrap(), row);
    }
    assert_eq!(snap.chain_rows().unwrap(), computed);
    // Listing the chains analysed nothing.
    assert!(!snap.all_chains_analysed());

    // A write makes the stored figures stale: a start after it does not take them.
    let mut p = snap.dataset.problems["pb-p001"].clone();
    p.title = "改过的标题".into();
    import_problems(&next, &[p]);
    let third = Service::open(store.clone()).unwrap();
    let snap = third.snapshot();
    assert!(snap
        .dataset
        .chains
        .keys()
        .all(|id| snap.cache.chain(id).unwrap().row.get().is_none()));

    // Serving again, only the written chain is analysed: the rows of the others were stored
    // and no write touched them since, so the figures are stored again at once.
    next.start_precomputing();
    wait_until("the chain figures are stored again", || {
        store
            .derived(CHAIN_ROWS)
            .unwrap()
            .is_some_and(|(revision, _)| revision == store.revision())
    });
    let snap = next.snapshot();
    let analysed: Vec<&String> = snap
        .dataset
        .chains
        .keys()
        .filter(|id| snap.cache.chain(id).unwrap().analysis.is_done())
        .collect();
    assert_eq!(analysed, ["pb-power-battery"]);
    let fourth = Service::open(store.clone()).unwrap();
    assert_eq!(
        fourth.snapshot().chain_rows().unwrap(),
        snap.chain_rows().unwrap()
    );
    assert!(!fourth.snapshot().all_chains_analysed());
}

/// After a write, the chains it touched are analysed again in the background, without any
/// reader asking, and the analyses of the other chains are the very ones computed before.
#[test]
fn a_write_reanalyses_only_its_chains_in_the_background() {
    let (_dir, _store, service) = demo_service();
    service.start_precomputing();
    wait_until("every chain is analysed", || {
        service.snapshot().all_chains_analysed()
    });
    let before = service.snapshot();
    let mut p = before.dataset.problems["pb-p001"].clone();
    p.title = "后台重算".into();
    let touched = p.chain.clone();
    import_problems(&service, &[p]);
    let after = service.snapshot();
    assert!(after.revision > before.revision);
    wait_until("the touched chain is analysed again", || {
        after.cache.chain(&touched).unwrap().analysis.is_done()
    });
    for id in after.dataset.chains.keys() {
        let old = before.cache.chain(id).unwrap().analysis.get().unwrap();
        let new = after.cache.chain(id).unwrap().analysis.get().unwrap();
        assert_eq!(Arc::ptr_eq(&old, &new), *id != touched, "{id}");
    }
}

/// The dataset scope after a write reuses the solutions of the codes the write did not change
/// (the memo kept beside the provider index), and is what a computation from scratch gives.
#[test]
fn the_dataset_scope_after_a_write_solves_only_the_changed_codes_and_is_exact() {
    let (_dir, _store, service) = demo_service();
    let before = service.snapshot();
    before.dataset_analysis().unwrap();
    let solved = before.cache.solves.solved();
    assert!(solved > 0);
    let mut p = before
        .dataset
        .problems
        .values()
        .find(|p| p.is_demand() && !p.needs.is_empty())
        .unwrap()
        .clone();
    p.severity = if p.severity == 5 { 1 } else { 5 };
    let codes: std::collections::BTreeSet<String> = p.needs.iter().cloned().collect();
    import_problems(&service, &[p]);
    let after = service.snapshot();
    let incremental = after.dataset_analysis().unwrap();
    assert!(after.cache.solves.solved() - solved <= codes.len());
    let fresh = qmap::service::Snapshot::of((*after.dataset).clone(), after.revision);
    assert_eq!(*incremental, *fresh.dataset_analysis().unwrap());
    assert_ne!(
        before.dataset_analysis().unwrap().qi.figures,
        incremental.qi.figures
    );
}

/// Before any chain is analysed (nothing stored, the background not started) and with no wait,
/// the chain list answers at once: every row pending with the figures that need no analysis,
/// which are those of the full row, and listing starts no analysis. Once the chains are
/// analysed, the same list is the full rows.
#[test]
fn the_chain_list_is_pending_until_the_chains_are_analysed() {
    use qmap::service::chains::{ListedChain, RowWait};
    use qmap::service::Principal;
    let (_dir, _store, service) = demo_service();
    service.set_row_wait(RowWait::AtMost(std::time::Duration::ZERO));
    let snap = service.snapshot();
    let who = Principal::Anonymous;
    let pending = service.chain_list(&snap, &who).unwrap();
    assert_eq!(pending.len(), 3);
    for id in snap.dataset.chains.keys() {
        let entry = snap.cache.chain(id).unwrap();
        assert!(
            !entry.analysis.is_done() && entry.row.get().is_none(),
            "{id}"
        );
    }

    let full = snap.chain_rows().unwrap();
    for (listed, row) in pending.iter().zip(&full) {
        let ListedChain::Pending(p) = listed else {
            panic!("not pending: {listed:?}");
        };
        assert!(p.pending);
        assert_eq!(
            (&p.id, &p.name, &p.chief, p.segments),
            (&row.id, &row.name, &row.chief, row.segments)
        );
        assert_eq!(
            (p.firms, p.masters, p.supplies, p.demand_problems),
            (row.firms, row.masters, row.supplies, row.demand_problems),
            "{}",
            row.id
        );
        assert!(row.firms > 0 && row.supplies > 0 && row.demand_problems > 0);
    }
    let listed = service.chain_list(&snap, &who).unwrap();
    let expected: Vec<ListedChain> = full.into_iter().map(ListedChain::Ready).collect();
    assert_eq!(listed, expected);
    // The full rows serialize exactly as the rows of the list always did.
    assert_eq!(
        serde_json::to_value(&listed).unwrap(),
        serde_json::to_value(snap.chain_rows().unwrap()).unwrap()
    );

    // A write resolving a demand problem: its chain is pending again (counted from the chain
    // index, which the analyses built), with one demand problem less; the others stay full.
    let mut p = snap
        .dataset
        .problems
        .values()
        .find(|p| p.is_demand())
        .unwrap()
        .clone();
    p.status = qmap::model::Status::Resolved;
    let written = p.chain.clone();
    import_problems(&service, &[p]);
    let after = service.snapshot();
    let listed = service.chain_list(&after, &who).unwrap();
    for (row, before) in listed.iter().zip(&full_rows(&snap)) {
        match row {
            ListedChain::Pending(p) => {
                assert_eq!(p.id, written);
                assert_eq!(p.demand_problems + 1, before.demand_problems);
                let now = after.chain_row(&written).unwrap();
                assert_eq!(
                    (p.firms, p.masters, p.supplies, p.demand_problems),
                    (now.firms, now.masters, now.supplies, now.demand_problems)
                );
            }
            ListedChain::Ready(r) => assert_eq!(r, before),
        }
    }
    assert_eq!(listed.iter().filter(|r| r.is_pending()).count(), 1);
}

fn full_rows(snap: &qmap::service::Snapshot) -> Vec<qmap::analysis::quality::ChainRow> {
    snap.chain_rows().unwrap()
}

/// With the background analyses running, the pending rows get ready without any reader
/// computing them: a client asking again (as the page does) finally gets every row full; and
/// a list that may wait (here as long as it takes) waits for them.
#[test]
fn pending_rows_get_ready_by_the_background_analyses() {
    use qmap::service::chains::{ListedChain, RowWait};
    use qmap::service::Principal;
    let (_dir, _store, service) = demo_service();
    let who = Principal::Anonymous;
    service.set_row_wait(RowWait::AtMost(std::time::Duration::ZERO));
    service.start_precomputing();
    wait_until("no row is pending", || {
        let snap = service.snapshot();
        let rows = service.chain_list(&snap, &who).unwrap();
        rows.iter().all(|r| matches!(r, ListedChain::Ready(_)))
    });

    // After a write, the written chain is analysed again in the background; a list waiting
    // (120 s: a guard against hanging only) answers it full.
    let mut p = service.snapshot().dataset.problems["pb-p001"].clone();
    p.title = "等待后台".into();
    import_problems(&service, &[p]);
    service.set_row_wait(RowWait::AtMost(std::time::Duration::from_secs(120)));
    let snap = service.snapshot();
    let rows = service.chain_list(&snap, &who).unwrap();
    assert!(rows.iter().all(|r| !r.is_pending()));
    assert_eq!(
        serde_json::to_value(&rows).unwrap(),
        serde_json::to_value(snap.chain_rows().unwrap()).unwrap()
    );
}

/// A write that changes a demand problem's severity (so the dataset's figures change).
fn reweigh_a_need(service: &Service) -> u64 {
    let snap = service.snapshot();
    let mut p = snap
        .dataset
        .problems
        .values()
        .find(|p| p.is_demand() && !p.needs.is_empty())
        .unwrap()
        .clone();
    p.severity = if p.severity == 5 { 1 } else { 5 };
    import_problems(service, &[p])
}

/// The dataset-wide scope of `snap`'s data computed from scratch.
fn fresh_scope(snap: &qmap::service::Snapshot) -> Arc<qmap::analysis::DatasetAnalysis> {
    qmap::service::Snapshot::of((*snap.dataset).clone(), snap.revision)
        .dataset_analysis()
        .unwrap()
}

/// With no wait, a dataset-wide read right after a write, while the new scope is being computed
/// (here held by another thread, as the background would), answers the previous revision's
/// figures marked with that revision, and starts nothing; once the new scope is computed, it
/// answers that one, and the previous one is dropped.
#[test]
fn a_dataset_read_that_may_not_wait_answers_the_previous_revision_marked() {
    use qmap::service::chains::{self, RowWait};
    use qmap::service::Principal;
    let (_dir, _store, service) = demo_service();
    service.set_scope_wait(RowWait::AtMost(std::time::Duration::ZERO));
    let first = service.snapshot();
    // Once computed, the current scope is answered as it is.
    let previous = first.dataset_analysis().unwrap();
    let scope = service.dataset_scope(&first).unwrap();
    assert_eq!(scope.as_of_revision, None);
    assert!(Arc::ptr_eq(&scope.analysis, &previous));

    let revision = reweigh_a_need(&service);
    let snap = service.snapshot();
    assert_eq!(snap.revision, revision);
    let fresh = fresh_scope(&snap);
    assert_ne!(fresh.qi.figures, previous.qi.figures);
    let (kept, held) = snap.previous_scope().unwrap();
    assert_eq!(kept, first.revision);
    assert!(Arc::ptr_eq(&held, &previous));
    drop(held);

    // Another thread is computing the new scope and holds it until released.
    let held = HeldScope::hold(&snap, fresh.clone());
    let who = Principal::Anonymous;
    let answer = chains::comparison(&snap, &who, |s| service.dataset_scope(s)).unwrap();
    assert_eq!(answer.as_of_revision, Some(first.revision));
    assert_eq!(answer.chains, previous.comparison);
    assert_eq!(answer.dataset, previous.qi.figures.coverage);
    let coverage = chains::dataset_coverage(&snap, &who, |s| service.dataset_scope(s)).unwrap();
    assert_eq!(coverage.as_of_revision, Some(first.revision));
    assert_eq!(coverage.report, previous.qi);
    let geojson = chains::regions_geojson_from(
        &snap,
        &who,
        None,
        qmap::render::boundaries::RegionLevel::Province,
        None,
        |s| service.dataset_scope(s),
    )
    .unwrap();
    let geojson: serde_json::Value = serde_json::from_str(&geojson).unwrap();
    assert_eq!(geojson["as_of_revision"], first.revision);
    assert_eq!(geojson["type"], "FeatureCollection");
    assert!(!snap.dataset_analysis_ready());

    held.release();
    let answer = chains::comparison(&snap, &who, |s| service.dataset_scope(s)).unwrap();
    assert_eq!(answer.as_of_revision, None);
    assert_eq!(answer.chains, fresh.comparison);
    assert!(snap.previous_scope().is_none());
    assert!(snap.cache.previous_all.lock().unwrap().is_none());
}

/// Waiting until ready, a dataset-wide read after a write answers the new figures, exactly
/// those of a computation from scratch, and the previous scope is dropped. With a wait and no
/// background worker, the reader starts the computation on a thread of its own and gets it
/// within the wait (120 s: a guard against hanging only).
#[test]
fn a_dataset_read_that_waits_answers_the_new_figures_exactly() {
    use qmap::service::chains::RowWait;
    let (_dir, _store, service) = demo_service();
    let first = service.snapshot();
    service.dataset_scope(&first).unwrap();
    // Two writes, the scope not computed in between: the one held is still the first's.
    reweigh_a_need(&service);
    reweigh_a_need(&service);
    let snap = service.snapshot();
    assert_eq!(snap.previous_scope().unwrap().0, first.revision);
    let scope = service.dataset_scope(&snap).unwrap();
    assert_eq!(scope.as_of_revision, None);
    assert_eq!(*scope.analysis, *fresh_scope(&snap));
    assert!(snap.cache.previous_all.lock().unwrap().is_none());

    service.set_scope_wait(RowWait::AtMost(std::time::Duration::from_secs(120)));
    reweigh_a_need(&service);
    let snap = service.snapshot();
    assert!(snap.cache.all.is_idle() && snap.previous_scope().is_some());
    let scope = service.dataset_scope(&snap).unwrap();
    assert_eq!(scope.as_of_revision, None);
    assert_eq!(*scope.analysis, *fresh_scope(&snap));
    assert!(snap.cache.previous_all.lock().unwrap().is_none());
}

/// The background worker computes the dataset-wide scope after a write only when the snapshot
/// before it had one (somebody reads it): never otherwise (on a national store that would
/// analyse every chain). Only one earlier scope is held across writes, and it goes once the
/// new one is computed.
#[test]
fn the_background_recomputes_the_dataset_scope_only_when_it_is_read() {
    use qmap::service::precompute::CHAIN_ROWS;
    let (_dir, store, service) = demo_service();
    service.start_precomputing();
    wait_until("every chain is analysed", || {
        service.snapshot().all_chains_analysed()
    });
    // Nobody read the scope: after a write the worker analyses the chain, stores the rows (the
    // end of its round) and leaves the scope alone.
    let unread = reweigh_a_need(&service);
    let snap = service.snapshot();
    assert!(!snap.dataset_analysis_wanted());
    wait_until("the round of the write ends", || {
        store
            .derived(CHAIN_ROWS)
            .unwrap()
            .is_some_and(|(revision, _)| revision == unread)
    });
    assert!(snap.cache.all.is_idle());

    // Read now: the next write's scope is computed by the worker, without any reader.
    let read = snap.dataset_analysis().unwrap();
    reweigh_a_need(&service);
    let next = service.snapshot();
    assert_eq!(next.previous_scope().unwrap().0, unread);
    wait_until("the worker computes the scope", || {
        next.dataset_analysis_ready()
    });
    assert!(next.cache.previous_all.lock().unwrap().is_none());
    assert_eq!(*next.cache.all.get().unwrap(), *fresh_scope(&next));
    assert_ne!(next.cache.all.get().unwrap().qi.figures, read.qi.figures);
}

/// With no wait and nothing earlier to show (the first dataset-wide read after a start), a read
/// while the scope is being computed answers `Computing` (ask again later) instead of waiting,
/// and starts no second computation; once computed, the same read answers it.
#[test]
fn the_first_dataset_read_that_may_not_wait_says_computing_and_the_work_goes_on() {
    use qmap::service::chains::{self, RowWait};
    use qmap::service::{Error, Principal, COMPUTING_RETRY_SECS};
    let (_dir, _store, service) = demo_service();
    service.set_scope_wait(RowWait::AtMost(std::time::Duration::ZERO));
    let snap = service.snapshot();
    assert!(snap.previous_scope().is_none());
    let fresh = fresh_scope(&snap);
    // Another thread is computing the scope and holds it until released.
    let held = HeldScope::hold(&snap, fresh.clone());
    let who = Principal::Anonymous;
    match chains::comparison(&snap, &who, |s| service.dataset_scope(s)) {
        Err(Error::Computing { retry_after }) => assert_eq!(retry_after, COMPUTING_RETRY_SECS),
        other => panic!("expected Computing, got {other:?}"),
    }
    assert!(matches!(
        chains::dataset_coverage(&snap, &who, |s| service.dataset_scope(s)),
        Err(Error::Computing { .. })
    ));
    assert!(!snap.dataset_analysis_ready());
    let computed = held.release();
    let answer = chains::comparison(&snap, &who, |s| service.dataset_scope(s)).unwrap();
    assert_eq!(answer.as_of_revision, None);
    assert_eq!(answer.chains, computed.comparison);
    assert_eq!(answer.dataset, fresh.qi.figures.coverage);
}
