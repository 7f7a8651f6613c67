//! The service layer on its own (no HTTP): readers work on whole snapshots while writes go on.

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
