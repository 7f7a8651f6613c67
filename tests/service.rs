//! The service layer on its own (no HTTP): readers work on whole snapshots while writes go on.

use qmap::service::{Deadline, How, Service};
use qmap::store::Store;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

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
        let bundle = serde_json::json!({"version": 1, "problems": [a, b]});
        let outcome = service
            .import(
                &serde_json::to_vec(&bundle).unwrap(),
                false,
                How::by(Deadline::never()),
            )
            .unwrap();
        assert!(outcome.revision.is_some());
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
