//! The sled store against the in-memory `Dataset`: round trips, upserts, deletes, indexes,
//! reopening, and a property test under random sequences of writes.

mod common;

use common::*;
use proptest::prelude::*;
use qmap::model::{
    Bundle, ChangeSet, Consortium, Dataset, Element, GapKind, Goal, Lookup, Organization,
    PolicyKind, PolicyTool, Project, ProjectCategory, ProjectLevel, ProjectResults, ProjectStatus,
};
use qmap::store::{Store, StoreError};

fn temp_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    (dir, store)
}

#[test]
fn an_export_imported_into_an_empty_store_exports_the_same_document() {
    let (_a, first) = temp_store();
    let mut bundle = synthetic("rt", 3, 200, 600);
    bundle.regions.push(region("320500"));
    let summary = first.import(&bundle).unwrap();
    assert_eq!(summary.organizations, 200);
    assert_eq!(summary.supplies, 600);
    assert_eq!(summary.revision, 1);
    let exported = first.export().unwrap();
    assert_eq!(exported, Dataset::from_bundle(bundle).to_bundle());

    let (_b, second) = temp_store();
    second.import(&exported).unwrap();
    let again = second.export().unwrap();
    assert_eq!(
        serde_json::to_string(&again).unwrap(),
        serde_json::to_string(&exported).unwrap()
    );
}

#[test]
fn a_new_store_is_empty_at_revision_zero() {
    let (_d, store) = temp_store();
    assert!(store.is_empty().unwrap());
    assert_eq!(store.revision(), 0);
    assert_eq!(store.export().unwrap(), Bundle::new());
    store.import(&power_battery()).unwrap();
    assert!(!store.is_empty().unwrap());
}

#[test]
fn index_queries_answer_from_the_stored_bundle() {
    let (_d, store) = temp_store();
    store.import(&power_battery()).unwrap();

    assert_eq!(
        store.suppliers_of("f1").unwrap(),
        vec![
            supply("power-battery", "f2", "f1", "separator"),
            supply("power-battery", "f3", "f1", "electrolyte"),
        ]
    );
    assert_eq!(
        store.customers_of("f2").unwrap(),
        vec![supply("power-battery", "f2", "f1", "separator")]
    );
    assert!(store.customers_of("f1").unwrap().is_empty());
    assert_eq!(
        store.members_of_chain("power-battery").unwrap(),
        vec!["f1", "f2", "f3"]
    );
    assert!(store.members_of_chain("power").unwrap().is_empty());
    assert_eq!(
        store.problems_of_org("f1").unwrap(),
        vec![problem(
            "p1",
            "f1",
            "power-battery",
            &["testing:battery-safety"]
        )]
    );
    assert_eq!(
        store
            .providers_with_capability("testing:battery-safety")
            .unwrap(),
        vec!["q1"]
    );
    assert!(store
        .providers_with_capability("testing:battery")
        .unwrap()
        .is_empty());

    assert_eq!(store.chain("power-battery").unwrap().segments.len(), 2);
    assert_eq!(
        store.organization("q1"),
        Some(provider("q1", &["testing:battery-safety"]))
    );
    assert_eq!(store.organization("nobody"), None);
    assert!(store.has_supply(&supply("power-battery", "f3", "f1", "electrolyte")));
    assert!(!store.has_supply(&supply("power-battery", "f1", "f3", "electrolyte")));
    assert_eq!(store.supplies_touching("f2").len(), 1);
    assert_eq!(store.supplies_touching("f1").len(), 2);
    assert_eq!(store.problems_of("f1").len(), 1);
    assert_eq!(store.problem("p1").unwrap().org, "f1");
}

#[test]
fn an_upsert_replaces_the_record_and_drops_its_stale_index_entries() {
    let (_d, store) = temp_store();
    store.import(&power_battery()).unwrap();

    let mut moved = Bundle::new();
    moved.chains.push(chain("hydrogen"));
    moved.organizations.push(firm("f2", &["hydrogen"], false));
    moved
        .organizations
        .push(provider("q1", &["metrology:pressure"]));
    moved
        .problems
        .push(problem("p1", "f3", "power-battery", &[]));
    let summary = store.import(&moved).unwrap();
    assert_eq!(summary.revision, 2);

    assert_eq!(
        store.members_of_chain("power-battery").unwrap(),
        vec!["f1", "f3"]
    );
    assert_eq!(store.members_of_chain("hydrogen").unwrap(), vec!["f2"]);
    assert!(store
        .providers_with_capability("testing:battery-safety")
        .unwrap()
        .is_empty());
    assert_eq!(
        store
            .providers_with_capability("metrology:pressure")
            .unwrap(),
        vec!["q1"]
    );
    assert!(store.problems_of_org("f1").unwrap().is_empty());
    assert_eq!(store.problems_of_org("f3").unwrap()[0].id, "p1");
    assert_eq!(
        store.organization("f2"),
        Some(firm("f2", &["hydrogen"], false))
    );

    let mut expected = Dataset::from_bundle(power_battery());
    expected.upsert(moved);
    assert_eq!(store.export().unwrap(), expected.to_bundle());
}

#[test]
fn later_duplicates_in_one_bundle_win_like_the_dataset() {
    let (_d, store) = temp_store();
    let mut bundle = power_battery();
    bundle.organizations.push(firm("f1", &["other"], true));
    bundle
        .supplies
        .push(supply("power-battery", "f2", "f1", "separator"));
    store.import(&bundle).unwrap();
    assert_eq!(store.members_of_chain("other").unwrap(), vec!["f1"]);
    assert_eq!(
        store.members_of_chain("power-battery").unwrap(),
        vec!["f2", "f3"]
    );
    assert_eq!(
        store.export().unwrap(),
        Dataset::from_bundle(bundle).to_bundle()
    );
}

#[test]
fn apply_deletes_records_with_their_index_entries() {
    let (_d, store) = temp_store();
    store.import(&power_battery()).unwrap();
    let change = ChangeSet {
        delete_regions: vec!["320583".into()],
        delete_organizations: vec!["f2".into(), "q1".into(), "absent".into()],
        delete_supplies: vec![supply("power-battery", "f2", "f1", "separator")],
        delete_problems: vec!["p1".into()],
        ..ChangeSet::default()
    };
    assert_eq!(store.apply(&change).unwrap(), 2);
    assert_eq!(store.revision(), 2);

    assert_eq!(store.organization("f2"), None);
    assert_eq!(
        store.members_of_chain("power-battery").unwrap(),
        vec!["f1", "f3"]
    );
    assert!(store
        .providers_with_capability("testing:battery-safety")
        .unwrap()
        .is_empty());
    assert!(store.customers_of("f2").unwrap().is_empty());
    assert_eq!(store.suppliers_of("f1").unwrap().len(), 1);
    assert!(store.problems_of_org("f1").unwrap().is_empty());

    let mut expected = Dataset::from_bundle(power_battery());
    expected.apply(&change);
    assert_eq!(store.export().unwrap(), expected.to_bundle());

    // A record deleted and upserted in one change is kept: deletes come first.
    let mut back = ChangeSet::upsert(power_battery());
    back.delete_organizations.push("f2".into());
    back.delete_supplies
        .push(supply("power-battery", "f2", "f1", "separator"));
    store.apply(&back).unwrap();
    assert_eq!(store.customers_of("f2").unwrap().len(), 1);
    expected.apply(&back);
    assert_eq!(store.export().unwrap(), expected.to_bundle());
}

#[test]
fn a_reopened_store_keeps_its_records_and_revision() {
    let dir = tempfile::tempdir().unwrap();
    let exported = {
        let store = Store::open(dir.path()).unwrap();
        store.import(&power_battery()).unwrap();
        store.import(&synthetic("re", 2, 40, 80)).unwrap();
        assert_eq!(store.revision(), 2);
        store.export().unwrap()
    };
    let store = reopen(dir.path());
    assert_eq!(store.revision(), 2);
    assert_eq!(store.export().unwrap(), exported);
    assert_eq!(store.suppliers_of("f1").unwrap().len(), 2);
}

#[test]
fn ids_that_break_the_key_encoding_are_refused_and_nothing_is_written() {
    let (_d, store) = temp_store();
    let mut bundle = power_battery();
    bundle
        .organizations
        .push(firm("bad\u{0}id", &["power-battery"], false));
    let err = store.import(&bundle).unwrap_err();
    assert!(
        matches!(&err, StoreError::InvalidId { kind: "organization", id, .. } if id == "bad\u{0}id"),
        "{err}"
    );
    assert!(store.is_empty().unwrap());
    assert_eq!(store.revision(), 0);

    let wrong = Bundle {
        version: 2,
        ..Bundle::new()
    };
    assert!(matches!(
        store.import(&wrong),
        Err(StoreError::UnsupportedBundleVersion { found: 2, .. })
    ));
}

/// A handle dropped and the store opened again at once, many times: sled lets go of its lock
/// a moment after the drop (its IO threads hold the file), so a plain `Store::open` here failed
/// now and then with `InUse` on a loaded machine; `reopen` waits for the lock.
#[test]
fn a_store_this_process_just_dropped_opens_again() {
    for i in 0..150 {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            store.import(&power_battery()).unwrap();
        }
        let store = reopen(dir.path());
        assert_eq!(store.revision(), 1, "cycle {i}");
    }
}

#[test]
fn progress_reaches_its_total() {
    let (_d, store) = temp_store();
    let seen = std::cell::RefCell::new(Vec::new());
    store
        .import_with_progress(&synthetic("pg", 2, 100, 300), &|done, total| {
            seen.borrow_mut().push((done, total))
        })
        .unwrap();
    let seen = seen.into_inner();
    let (done, total) = *seen.last().unwrap();
    assert_eq!(done, total);
    assert_eq!(total, 2 * (2 + 100 + 300 + 10));
    assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0));
}

// ---- property test: the store against the in-memory model ----

const ORGS: [&str; 5] = ["o0", "o1", "o2", "o3", "o4"];
const CHAINS: [&str; 3] = ["c0", "c1", "c1x"];
const CODES: [&str; 3] = ["testing:a", "testing:ab", "rd:b"];

fn arb_org() -> impl Strategy<Value = Organization> {
    (
        prop::sample::select(ORGS.to_vec()),
        any::<bool>(),
        prop::sample::subsequence(CHAINS.to_vec(), 0..=2),
        prop::sample::subsequence(CODES.to_vec(), 0..=2),
    )
        .prop_map(|(id, is_firm, chains, codes)| {
            if is_firm {
                firm(id, &chains, false)
            } else {
                provider(id, &codes)
            }
        })
}

fn arb_supply() -> impl Strategy<Value = qmap::model::Supply> {
    (
        prop::sample::select(CHAINS.to_vec()),
        prop::sample::select(ORGS.to_vec()),
        prop::sample::select(ORGS.to_vec()),
        prop::sample::select(vec!["p", "p2"]),
    )
        .prop_map(|(c, a, b, p)| supply(c, a, b, p))
}

fn arb_problem() -> impl Strategy<Value = qmap::model::Problem> {
    (
        prop::sample::select(vec!["x0", "x1", "x2"]),
        prop::sample::select(ORGS.to_vec()),
        prop::sample::select(CHAINS.to_vec()),
    )
        .prop_map(|(id, org, c)| problem(id, org, c, &["testing:a"]))
}

const PROJECTS: [&str; 3] = ["j0", "j1", "j2"];
const CONSORTIA: [&str; 2] = ["k0", "k1"];
const TOOLS: [&str; 2] = ["t0", "t1"];
const GOALS: [&str; 2] = ["g0", "g1"];

fn arb_project() -> impl Strategy<Value = Project> {
    (
        (
            prop::sample::select(PROJECTS.to_vec()),
            prop::sample::select(ProjectCategory::ALL.to_vec()),
            prop::sample::select(CHAINS.to_vec()),
            prop::sample::select(ORGS.to_vec()),
            prop::sample::subsequence(ORGS.to_vec(), 0..=2),
            prop::sample::subsequence(vec!["x0", "x1", "x2"], 0..=2),
        ),
        (
            prop::sample::select(vec![2024u16, 2025]),
            prop::sample::select(ProjectStatus::ALL.to_vec()),
            prop::option::of(prop::sample::select(ProjectLevel::ALL.to_vec())),
            prop::option::of(prop::sample::select(CONSORTIA.to_vec())),
            prop::option::of((0u32..3, prop::option::of(Just("通过验收")))),
        ),
    )
        .prop_map(
            |(
                (id, category, chain, lead, participants, problems),
                (year, status, level, consortium, results),
            )| {
                Project {
                    id: id.into(),
                    title: format!("项目 {id}"),
                    category,
                    chain: chain.into(),
                    lead: lead.into(),
                    participants: participants.into_iter().map(String::from).collect(),
                    problems: problems.into_iter().map(String::from).collect(),
                    year,
                    status,
                    level,
                    consortium: consortium.map(String::from),
                    results: results.map(|(n, summary)| ProjectResults {
                        patents: n,
                        standards: 2 - n.min(2),
                        summary: summary.map(String::from),
                    }),
                }
            },
        )
}

fn arb_consortium() -> impl Strategy<Value = Consortium> {
    (
        prop::sample::select(CONSORTIA.to_vec()),
        prop::sample::select(CHAINS.to_vec()),
        prop::sample::select(ORGS.to_vec()),
        prop::sample::subsequence(ORGS.to_vec(), 0..=3),
        prop::sample::select(vec![2023u16, 2024]),
    )
        .prop_map(|(id, chain, lead, members, founded)| Consortium {
            id: id.into(),
            name: format!("联合体 {id}"),
            chain: chain.into(),
            lead: lead.into(),
            members: members.into_iter().map(String::from).collect(),
            founded,
        })
}

fn arb_policy_tool() -> impl Strategy<Value = PolicyTool> {
    (
        prop::sample::select(TOOLS.to_vec()),
        prop::sample::select(PolicyKind::ALL.to_vec()),
        prop::sample::select(vec!["32", "3205"]),
        prop::sample::subsequence(Element::ALL.to_vec(), 0..=2),
        prop::sample::subsequence(GapKind::ALL.to_vec(), 0..=2),
        prop::sample::subsequence(CHAINS.to_vec(), 0..=1),
    )
        .prop_map(|(id, kind, region, elements, gaps, chains)| PolicyTool {
            id: id.into(),
            title: format!("政策 {id}"),
            kind,
            issuer: "江苏省市场监督管理局".into(),
            region: region.into(),
            year: 2025,
            elements,
            categories: vec![qmap::model::Category::Testing],
            gaps,
            chains: chains.into_iter().map(String::from).collect(),
        })
}

fn arb_goal() -> impl Strategy<Value = Goal> {
    (
        prop::sample::select(GOALS.to_vec()),
        prop::sample::select(vec!["31", "32"]),
        prop::sample::subsequence(ProjectCategory::ALL.to_vec(), 0..=3),
        prop::option::of(prop::sample::select(vec![0.6, 0.25, 1.0])),
    )
        .prop_map(|(id, region, categories, share)| Goal {
            id: id.into(),
            region: region.into(),
            year: 2025,
            targets: categories
                .into_iter()
                .enumerate()
                .map(|(i, c)| (c, 5 * i as u32 + 5))
                .collect(),
            international_share: share,
        })
}

/// Capability codes of the catalogue entries the model tests write.
const CATALOGUED: [&str; 2] = ["testing:cells", "rd:bms"];

fn arb_entry() -> impl Strategy<Value = qmap::model::CatalogueEntry> {
    (
        prop::sample::select(CATALOGUED.to_vec()),
        prop::sample::select(vec!["电芯测试", "电池管理系统研发"]),
        prop::collection::vec(prop::sample::select(vec!["GB/T 31485-2015"]), 0..2),
    )
        .prop_map(|(code, name, standards)| qmap::model::CatalogueEntry {
            code: code.into(),
            name: name.into(),
            standards: standards.into_iter().map(String::from).collect(),
            description: None,
        })
}

fn arb_bundle() -> impl Strategy<Value = Bundle> {
    (
        (
            prop::collection::vec(prop::sample::select(vec!["320500", "320583"]), 0..2),
            prop::collection::vec(prop::sample::select(CHAINS.to_vec()), 0..2),
            prop::collection::vec(arb_org(), 0..5),
            prop::collection::vec(arb_supply(), 0..6),
            prop::collection::vec(arb_problem(), 0..3),
        ),
        (
            prop::collection::vec(arb_project(), 0..3),
            prop::collection::vec(arb_consortium(), 0..2),
            prop::collection::vec(arb_policy_tool(), 0..2),
            prop::collection::vec(arb_goal(), 0..2),
            prop::collection::vec(arb_entry(), 0..2),
        ),
    )
        .prop_map(
            |(
                (regions, chains, organizations, supplies, problems),
                (projects, consortia, policy_tools, goals, capabilities),
            )| Bundle {
                regions: regions.into_iter().map(region).collect(),
                chains: chains.into_iter().map(chain).collect(),
                organizations,
                supplies,
                problems,
                projects,
                consortia,
                policy_tools,
                goals,
                capabilities,
                ..Bundle::new()
            },
        )
}

fn ids(pool: &[&'static str]) -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(
        prop::sample::select(pool.to_vec()).prop_map(String::from),
        0..3,
    )
}

/// A test value: its size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
enum Write {
    Import(Bundle),
    Apply(ChangeSet),
}

fn arb_write() -> impl Strategy<Value = Write> {
    prop_oneof![
        arb_bundle().prop_map(Write::Import),
        (
            arb_bundle(),
            ids(&["320500", "320583"]),
            ids(&CHAINS),
            ids(&ORGS),
            prop::collection::vec(arb_supply(), 0..3),
            ids(&["x0", "x1", "x2"]),
            (
                ids(&PROJECTS),
                ids(&CONSORTIA),
                ids(&TOOLS),
                ids(&GOALS),
                ids(&CATALOGUED),
            ),
        )
            .prop_map(|(upsert, r, c, o, s, p, (j, k, t, g, e))| {
                Write::Apply(ChangeSet {
                    upsert,
                    delete_regions: r,
                    delete_chains: c,
                    delete_organizations: o,
                    delete_supplies: s,
                    delete_problems: p,
                    delete_projects: j,
                    delete_consortia: k,
                    delete_policy_tools: t,
                    delete_goals: g,
                    delete_capabilities: e,
                    delete_notices: Vec::new(),
                })
            }),
    ]
}

/// Every index query of the store equals the same question asked of the model.
fn assert_indexes_match(store: &Store, model: &Dataset) {
    for org in ORGS {
        let suppliers: Vec<_> = model
            .supplies
            .iter()
            .filter(|s| s.customer == org)
            .cloned()
            .collect();
        assert_eq!(
            store.suppliers_of(org).unwrap(),
            suppliers,
            "suppliers of {org}"
        );
        let customers: Vec<_> = model
            .supplies
            .iter()
            .filter(|s| s.supplier == org)
            .cloned()
            .collect();
        assert_eq!(
            store.customers_of(org).unwrap(),
            customers,
            "customers of {org}"
        );
        let problems: Vec<_> = model
            .problems
            .values()
            .filter(|p| p.org == org)
            .cloned()
            .collect();
        assert_eq!(
            store.problems_of_org(org).unwrap(),
            problems,
            "problems of {org}"
        );
        assert_eq!(
            store.organization(org),
            model.organizations.get(org).cloned()
        );
    }
    for c in CHAINS {
        let members: Vec<String> = model.members_of_chain(c).map(|o| o.id.clone()).collect();
        assert_eq!(
            store.members_of_chain(c).unwrap(),
            members,
            "members of {c}"
        );
    }
    for code in CODES {
        let providers: Vec<String> = model
            .organizations
            .values()
            .filter(|o| o.capability_list().iter().any(|cap| cap.code == code))
            .map(|o| o.id.clone())
            .collect();
        assert_eq!(
            store.providers_with_capability(code).unwrap(),
            providers,
            "providers of {code}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn the_store_behaves_like_the_in_memory_dataset(writes in prop::collection::vec(arb_write(), 1..6)) {
        let (dir, store) = temp_store();
        let mut model = Dataset::new();
        for (i, write) in writes.iter().enumerate() {
            let revision = match write {
                Write::Import(b) => {
                    model.upsert(b.clone());
                    store.import(b).unwrap().revision
                }
                Write::Apply(c) => {
                    model.apply(c);
                    store.apply(c).unwrap()
                }
            };
            prop_assert_eq!(revision, i as u64 + 1);
            prop_assert_eq!(store.export().unwrap(), model.to_bundle());
            assert_indexes_match(&store, &model);
        }
        drop(store);
        let reopened = reopen(dir.path());
        prop_assert_eq!(reopened.revision(), writes.len() as u64);
        prop_assert_eq!(reopened.export().unwrap(), model.to_bundle());
    }
}

/// The bytes `qmap export` writes: the streamed export.
fn streamed(store: &Store) -> Vec<u8> {
    let mut out = Vec::new();
    store.export_json(&mut out).unwrap();
    out
}

#[test]
fn a_streamed_export_is_the_whole_export_serialized() {
    let (_d, store) = temp_store();
    assert_eq!(
        streamed(&store),
        serde_json::to_vec(&store.export().unwrap()).unwrap()
    );
    let mut bundle = synthetic("st", 4, 300, 900);
    bundle.regions.push(region("320583"));
    bundle.regions.push(region("320500"));
    bundle.problems.push(problem(
        "x2",
        "st-org-0000001",
        "st-chain-1",
        &["testing:a"],
    ));
    bundle
        .problems
        .push(problem("x10", "st-org-0000002", "st-chain-2", &[]));
    store.import(&bundle).unwrap();
    let whole = serde_json::to_vec(&store.export().unwrap()).unwrap();
    assert_eq!(
        String::from_utf8(streamed(&store)).unwrap(),
        String::from_utf8(whole).unwrap()
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 30, ..ProptestConfig::default() })]

    #[test]
    fn a_streamed_export_matches_the_whole_export_after_any_writes(writes in prop::collection::vec(arb_write(), 1..4)) {
        let (_d, store) = temp_store();
        for write in &writes {
            match write {
                Write::Import(b) => {
                    store.import(b).unwrap();
                }
                Write::Apply(c) => {
                    store.apply(c).unwrap();
                }
            }
            prop_assert_eq!(
                streamed(&store),
                serde_json::to_vec(&store.export().unwrap()).unwrap()
            );
        }
    }
}

/// Records of each kind that differ between `a` and `b`: (added, changed, removed).
fn differences(a: &Dataset, b: &Dataset) -> qmap::model::RevisionCounts {
    use qmap::model::revision::KindChanges;
    fn of<K: Ord, V: PartialEq>(
        a: impl Iterator<Item = (K, V)>,
        b: impl Iterator<Item = (K, V)>,
    ) -> KindChanges {
        let a: std::collections::BTreeMap<K, V> = a.collect();
        let b: std::collections::BTreeMap<K, V> = b.collect();
        KindChanges {
            added: b.keys().filter(|k| !a.contains_key(*k)).count() as u64,
            changed: b
                .iter()
                .filter(|(k, v)| a.get(*k).is_some_and(|old| old != *v))
                .count() as u64,
            removed: a.keys().filter(|k| !b.contains_key(*k)).count() as u64,
        }
    }
    qmap::model::RevisionCounts {
        regions: of(a.regions.iter(), b.regions.iter()),
        chains: of(a.chains.iter(), b.chains.iter()),
        organizations: of(a.organizations.iter(), b.organizations.iter()),
        supplies: of(
            a.supplies.iter().map(|s| (s, ())),
            b.supplies.iter().map(|s| (s, ())),
        ),
        problems: of(a.problems.iter(), b.problems.iter()),
        projects: of(a.projects.iter(), b.projects.iter()),
        consortia: of(a.consortia.iter(), b.consortia.iter()),
        policy_tools: of(a.policy_tools.iter(), b.policy_tools.iter()),
        goals: of(a.goals.iter(), b.goals.iter()),
        capabilities: of(a.capabilities.iter(), b.capabilities.iter()),
        notices: of(a.notices.iter(), b.notices.iter()),
    }
}

/// The data as of `revision`, rebuilt from `latest` (the data at revision `from`) and the
/// store's history.
fn as_of(store: &Store, latest: &Dataset, revision: u64, from: u64) -> Dataset {
    let undo = store.undo(revision, from).unwrap();
    let mut data = if undo.from_empty {
        Dataset::new()
    } else {
        latest.clone()
    };
    data.apply(&undo.change);
    data
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn every_revision_reads_back_as_it_was_with_its_counts(writes in prop::collection::vec(arb_write(), 1..6)) {
        let (dir, store) = temp_store();
        let mut models = vec![Dataset::new()];
        for write in &writes {
            let mut model = models.last().unwrap().clone();
            match write {
                Write::Import(b) => {
                    model.upsert(b.clone());
                    store.import(b).unwrap();
                }
                Write::Apply(c) => {
                    model.apply(c);
                    store.apply(c).unwrap();
                }
            }
            models.push(model);
        }
        let n = writes.len() as u64;
        let latest = models.last().unwrap().clone();
        let check = |store: &Store| -> Result<(), TestCaseError> {
            let revisions = store.revisions().unwrap();
            prop_assert_eq!(revisions.len() as u64, n);
            for (i, r) in revisions.iter().enumerate() {
                prop_assert_eq!(r.revision, i as u64 + 1);
                prop_assert_eq!(r.counts, differences(&models[i], &models[i + 1]));
            }
            for r in 0..=n {
                prop_assert_eq!(
                    as_of(store, &latest, r, n).to_bundle(),
                    models[r as usize].to_bundle(),
                    "as of revision {}", r
                );
                // From any later revision too (what a reader holding an older snapshot asks).
                for from in r..=n {
                    let mut at = as_of(store, &latest, from, n);
                    let undo = store.undo(r, from).unwrap();
                    if undo.from_empty {
                        at = Dataset::new();
                    }
                    at.apply(&undo.change);
                    prop_assert_eq!(at.to_bundle(), models[r as usize].to_bundle());
                }
            }
            Ok(())
        };
        check(&store)?;
        drop(store);
        check(&reopen(dir.path()))?;
    }
}

#[test]
fn a_revision_after_the_latest_is_unknown_and_rewriting_the_same_records_changes_nothing() {
    let (_d, store) = temp_store();
    store.import(&power_battery()).unwrap();
    assert!(matches!(
        store.undo(2, 1),
        Err(StoreError::UnknownRevision {
            asked: 2,
            latest: 1
        })
    ));
    // The same survey again: a revision that changes nothing and stores no undo.
    store.import(&power_battery()).unwrap();
    let revisions = store.revisions().unwrap();
    assert_eq!(revisions.len(), 2);
    assert_eq!(revisions[1].counts.total(), 0);
    let undo = store.undo(1, 2).unwrap();
    assert!(!undo.from_empty);
    assert_eq!(undo.change, {
        let mut c = ChangeSet::default();
        c.upsert.version = qmap::model::BUNDLE_VERSION;
        c
    });
    // Back to before the first import: nothing.
    assert!(store.undo(0, 2).unwrap().from_empty);
}
