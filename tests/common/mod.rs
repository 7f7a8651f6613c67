//! Bundles and helpers shared by the store, crash and API tests.
#![allow(dead_code)]

use qmap::model::{
    Bundle, Capability, Category, Chain, Level, Membership, OrgKind, Organization, Problem, Region,
    Role, Segment, Status, Supply,
};
use qmap::store::{Store, StoreError};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

/// Opens the store in `dir` again after this process dropped its handle. sled's lock on its
/// files goes only when its background IO threads let go of them, which on a loaded machine
/// can be a moment after the drop returned: until then the open fails with `InUse`. Retries
/// that (any other error fails at once); the minute is a hang guard only.
pub fn reopen(dir: &Path) -> Store {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match Store::open(dir) {
            Err(StoreError::InUse { .. }) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(10));
            }
            opened => return opened.unwrap(),
        }
    }
}

pub fn region(code: &str) -> Region {
    Region {
        code: code.into(),
        name: format!("区{code}"),
    }
}

pub fn chain(id: &str) -> Chain {
    Chain {
        id: id.into(),
        name: format!("链 {id}"),
        chief: Some("江苏省工业和信息化厅".into()),
        segments: vec![
            Segment {
                id: "materials".into(),
                name: "正负极材料".into(),
            },
            Segment {
                id: "cells".into(),
                name: "电芯".into(),
            },
        ],
    }
}

/// An enterprise on `chains` (the first as chain master when `master`).
pub fn firm(id: &str, chains: &[&str], master: bool) -> Organization {
    Organization {
        id: id.into(),
        name: format!("企业 {id}"),
        kind: OrgKind::Enterprise,
        region: Some("320583".into()),
        foreign: false,
        country: None,
        chains: Some(
            chains
                .iter()
                .enumerate()
                .map(|(i, c)| Membership {
                    chain: (*c).into(),
                    role: if master && i == 0 {
                        Role::ChainMaster
                    } else {
                        Role::Member
                    },
                    segment: "cells".into(),
                })
                .collect(),
        ),
        level: None,
        capabilities: None,
    }
}

/// An inspection centre with `codes`.
pub fn provider(id: &str, codes: &[&str]) -> Organization {
    Organization {
        id: id.into(),
        name: format!("质检中心 {id}"),
        kind: OrgKind::InspectionCenter,
        region: Some("320500".into()),
        foreign: false,
        country: None,
        chains: None,
        level: Some(Level::Provincial),
        capabilities: Some(
            codes
                .iter()
                .map(|c| Capability {
                    code: (*c).into(),
                    capacity: Some(20),
                })
                .collect(),
        ),
    }
}

pub fn supply(chain: &str, supplier: &str, customer: &str, part: &str) -> Supply {
    Supply {
        chain: chain.into(),
        supplier: supplier.into(),
        customer: customer.into(),
        part: part.into(),
    }
}

pub fn problem(id: &str, org: &str, chain: &str, needs: &[&str]) -> Problem {
    Problem {
        disclosure: Default::default(),
        id: id.into(),
        org: org.into(),
        chain: chain.into(),
        title: format!("问题 {id}"),
        category: Category::Testing,
        severity: 4,
        status: Status::Open,
        needs: needs.iter().map(|n| (*n).into()).collect(),
    }
}

/// A power-battery chain: f2 (materials) and f3 supply the master f1; q1 tests batteries.
///
/// ```text
///   f2 --separator--> f1 <--electrolyte-- f3
/// ```
pub fn power_battery() -> Bundle {
    Bundle {
        regions: vec![region("320500"), region("320583")],
        chains: vec![chain("power-battery")],
        organizations: vec![
            firm("f1", &["power-battery"], true),
            firm("f2", &["power-battery"], false),
            firm("f3", &["power-battery"], false),
            provider("q1", &["testing:battery-safety"]),
        ],
        supplies: vec![
            supply("power-battery", "f2", "f1", "separator"),
            supply("power-battery", "f3", "f1", "electrolyte"),
        ],
        problems: vec![problem(
            "p1",
            "f1",
            "power-battery",
            &["testing:battery-safety"],
        )],
        ..Bundle::new()
    }
}

/// A synthetic bundle of `orgs` firms on `chains` chains (ids prefixed by `tag`) with
/// `supplies` supplies between firms of the same chain, deterministic.
pub fn synthetic(tag: &str, chains: usize, orgs: usize, supplies: usize) -> Bundle {
    let chain_id = |c: usize| format!("{tag}-chain-{c}");
    let org_id = |o: usize| format!("{tag}-org-{o:07}");
    let is_provider = |o: usize| o % 20 == 19;
    let mut bundle = Bundle::new();
    bundle.chains = (0..chains).map(|c| chain(&chain_id(c))).collect();
    bundle.organizations = (0..orgs)
        .map(|o| {
            if is_provider(o) {
                provider(&org_id(o), &[&format!("testing:t{}", o % 30)])
            } else {
                // A firm keeps its place on the first ten chains whatever the chain count, so a
                // bigger bundle of the same tag adds memberships without stranding supplies.
                let mut on = vec![chain_id(o % chains)];
                if o % chains >= 10 {
                    on.push(chain_id(o % 10));
                }
                let on: Vec<&str> = on.iter().map(String::as_str).collect();
                firm(&org_id(o), &on, o < chains)
            }
        })
        .collect();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x as usize
    };
    let per_chain = orgs / chains;
    let mut seen = std::collections::HashSet::new();
    bundle.supplies = Vec::with_capacity(supplies);
    // Valid supplies only: two distinct member firms of the chain, each supply once.
    while bundle.supplies.len() < supplies {
        let c = next() % chains;
        let a = (next() % per_chain) * chains + c;
        let b = (next() % per_chain) * chains + c;
        let part = format!("part-{}", bundle.supplies.len() % 97);
        if a == b || is_provider(a) || is_provider(b) || !seen.insert((c, a, b, part.clone())) {
            continue;
        }
        bundle
            .supplies
            .push(supply(&chain_id(c), &org_id(a), &org_id(b), &part));
    }
    bundle.problems = (0..orgs / 10)
        .map(|p| {
            let o = (p * 10) % orgs;
            problem(
                &format!("{tag}-problem-{p}"),
                &org_id(o),
                &chain_id(o % chains),
                &["testing:t1"],
            )
        })
        .collect();
    bundle
}

/// The lines of a child's pipe, read on a thread so the test can wait for them with a hang
/// guard (and so the child never blocks on a full pipe).
pub fn lines_of(pipe: impl Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// The bytes of `fixtures/NAME`.
pub fn fixture_bytes(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(name),
    )
    .unwrap()
}

/// The bundle of `fixtures/NAME`.
pub fn fixture_bundle(name: &str) -> Bundle {
    serde_json::from_slice(&fixture_bytes(name)).unwrap()
}

/// The data of the fixture `files` loaded one after the other into nothing.
pub fn loaded(files: &[&str]) -> qmap::model::Dataset {
    let mut d = qmap::model::Dataset::new();
    for name in files {
        d.apply(&qmap::model::ChangeSet::upsert(fixture_bundle(name)));
    }
    d
}

/// Another thread computing a snapshot's dataset-wide scope and holding it until released, so
/// that meanwhile the scope is "being computed" (the demo's is computed too fast to catch).
pub struct HeldScope {
    release: std::sync::mpsc::Sender<()>,
    computing: std::thread::JoinHandle<std::sync::Arc<qmap::analysis::DatasetAnalysis>>,
}

impl HeldScope {
    /// Starts computing `snap`'s scope (its result will be `result`) and returns once started.
    pub fn hold(
        snap: &std::sync::Arc<qmap::service::Snapshot>,
        result: std::sync::Arc<qmap::analysis::DatasetAnalysis>,
    ) -> HeldScope {
        let started = std::sync::Arc::new(std::sync::Barrier::new(2));
        let (release, released) = std::sync::mpsc::channel::<()>();
        let computing = {
            let (snap, started) = (snap.clone(), started.clone());
            std::thread::spawn(move || {
                snap.cache.all.get_or_compute(|| {
                    started.wait();
                    released.recv().unwrap();
                    result
                })
            })
        };
        started.wait();
        HeldScope { release, computing }
    }

    /// Lets the computation finish and returns what it computed.
    pub fn release(self) -> std::sync::Arc<qmap::analysis::DatasetAnalysis> {
        self.release.send(()).unwrap();
        self.computing.join().unwrap()
    }
}
