//! The demo's two surveys (issue 12): `load_demo` writes the 2024 survey of the three real chains
//! and then today's (2025) one as two labelled revisions, and what changed on each chain between
//! them is exactly what fixtures/README.md ("Surveys") states, list by list.

mod common;

use common::{fixture_bundle as fixture, fixture_bytes, loaded};
use qmap::analysis::changes::{ChainChanges, Resolution};
use qmap::analysis::coverage::Coverage;
use qmap::analysis::{analyze_full, chain_changes, ChainAnalysis, Side};
use qmap::graph::Graphs;
use qmap::model::{Bundle, ChangeSet, Dataset};
use qmap::store::Store;
use std::sync::Arc;

const TODAY: [&str; 3] = [
    "power_battery_jiangsu.json",
    "hydrogen_shaanxi.json",
    "optoelectronics_suzhou.json",
];

const EARLIER: [&str; 3] = [
    "surveys/power_battery_jiangsu_2024.json",
    "surveys/hydrogen_shaanxi_2024.json",
    "surveys/optoelectronics_suzhou_2024.json",
];

/// A store holding the demo, and the data at its two revisions.
struct Demo {
    _dir: tempfile::TempDir,
    store: Store,
    then: Dataset,
    now: Dataset,
}

fn demo() -> Demo {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    assert!(qmap::cli::load_demo(&store).unwrap());
    let now = store.load().unwrap();
    let undo = store.undo(1, 2).unwrap();
    let mut then = if undo.from_empty {
        Dataset::new()
    } else {
        now.clone()
    };
    then.apply(&undo.change);
    Demo {
        _dir: dir,
        store,
        then,
        now,
    }
}

fn analysed(d: &Dataset, chain: &str) -> Arc<ChainAnalysis> {
    let mut report = analyze_full(d, &Graphs::build(d), Some(chain));
    assert_eq!(report.chains.len(), 1, "{chain}");
    report.chains.remove(0)
}

/// What changed on `chain` from the 2024 survey to the 2025 one, with the analyses of both.
fn changes(demo: &Demo, chain: &str) -> (ChainChanges, Arc<ChainAnalysis>, Arc<ChainAnalysis>) {
    let (a, b) = (analysed(&demo.then, chain), analysed(&demo.now, chain));
    let changes = chain_changes(
        chain,
        &Side::new(&demo.then, Some(&a)),
        &Side::new(&demo.now, Some(&b)),
    );
    (changes, a, b)
}

/// Every list of a [`ChainChanges`] by its keys, one line per entry, in the lists' own order.
#[derive(Debug, Default, PartialEq)]
struct Listed {
    joined: Vec<String>,
    left: Vec<String>,
    firms_changed: Vec<String>,
    supplies_added: Vec<String>,
    supplies_removed: Vec<String>,
    opened: Vec<String>,
    resolved: Vec<String>,
    problems_changed: Vec<String>,
    critical_appeared: Vec<String>,
    critical_disappeared: Vec<String>,
    critical_changed: Vec<String>,
    single_source_appeared: Vec<String>,
    single_source_disappeared: Vec<String>,
    foreign_only_appeared: Vec<String>,
    foreign_only_disappeared: Vec<String>,
}

fn names(ids: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    ids.into_iter()
        .map(|s| s.as_ref().to_string())
        .collect::<Vec<_>>()
        .join(",")
}

fn listed(c: &ChainChanges) -> Listed {
    let supply = |s: &qmap::analysis::changes::SupplyEntry| {
        format!("{} → {}: {}", s.supplier, s.customer, s.part)
    };
    let critical = |e: &qmap::analysis::changes::CriticalNodeEntry| {
        format!(
            "{} disables [{}], {} firms",
            e.id,
            names(e.disabled_masters.iter().map(|m| &m.id)),
            e.disabled_count
        )
    };
    let part = |e: &qmap::analysis::changes::PartEntry| {
        format!(
            "({}, {}) from [{}]",
            e.buyer,
            e.part,
            names(e.suppliers.iter().map(|s| &s.id))
        )
    };
    Listed {
        joined: c.firms.joined.iter().map(|e| e.id.clone()).collect(),
        left: c.firms.left.iter().map(|e| e.id.clone()).collect(),
        firms_changed: c.firms.changed.iter().map(|e| e.id.clone()).collect(),
        supplies_added: c.supplies.added.iter().map(supply).collect(),
        supplies_removed: c.supplies.removed.iter().map(supply).collect(),
        opened: c
            .problems
            .opened
            .iter()
            .map(|p| format!("{} at {}, {:?}", p.id, p.org, p.status))
            .collect(),
        resolved: c
            .problems
            .resolved
            .iter()
            .map(|p| match p.resolution {
                Resolution::Resolved => format!("{} resolved", p.problem.id),
                Resolution::Removed => format!("{} removed", p.problem.id),
            })
            .collect(),
        problems_changed: c
            .problems
            .changed
            .iter()
            .map(|p| {
                format!(
                    "{}: severity {} → {}, needs [{}] → [{}]",
                    p.id,
                    p.from.severity,
                    p.to.severity,
                    names(&p.from.needs),
                    names(&p.to.needs)
                )
            })
            .collect(),
        critical_appeared: c.critical_nodes.appeared.iter().map(critical).collect(),
        critical_disappeared: c.critical_nodes.disappeared.iter().map(critical).collect(),
        critical_changed: c
            .critical_nodes
            .changed
            .iter()
            .map(|e| {
                format!(
                    "{} disables [{}], {} firms → [{}], {} firms",
                    e.id,
                    names(e.from.disabled_masters.iter().map(|m| &m.id)),
                    e.from.disabled_count,
                    names(e.to.disabled_masters.iter().map(|m| &m.id)),
                    e.to.disabled_count
                )
            })
            .collect(),
        single_source_appeared: c.single_source_parts.appeared.iter().map(part).collect(),
        single_source_disappeared: c.single_source_parts.disappeared.iter().map(part).collect(),
        foreign_only_appeared: c.foreign_only_parts.appeared.iter().map(part).collect(),
        foreign_only_disappeared: c.foreign_only_parts.disappeared.iter().map(part).collect(),
    }
}

fn lines(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// The six coverage figures, in the README's order: needs, reachable, assigned, severity,
/// severity assigned, tier cost.
fn cov(figures: [u64; 6]) -> Coverage {
    let [needs_total, needs_reachable, needs_assigned, severity_total, severity_assigned, tier_cost] =
        figures;
    Coverage {
        needs_total,
        needs_reachable,
        needs_assigned,
        severity_total,
        severity_assigned,
        tier_cost,
    }
}

/// The coverage of one QI element at both sides.
fn element(c: &ChainChanges, name: &str) -> (Coverage, Coverage) {
    let of = |list: &[qmap::analysis::coverage::ElementCoverage]| {
        list.iter().find(|e| e.element == name).unwrap().coverage
    };
    (
        of(&c.coverage.from.by_element),
        of(&c.coverage.to.by_element),
    )
}

fn critical_count(a: &ChainAnalysis, id: &str) -> usize {
    a.weak
        .critical_nodes
        .iter()
        .find(|n| n.id == id)
        .unwrap_or_else(|| panic!("{id} is not critical"))
        .disabled_count
}

#[test]
fn the_demo_is_two_labelled_surveys_by_demo() {
    let demo = demo();
    let revisions = demo.store.revisions().unwrap();
    let labelled: Vec<(u64, Option<&str>, Option<&str>)> = revisions
        .iter()
        .map(|r| (r.revision, r.label.as_deref(), r.actor.as_deref()))
        .collect();
    assert_eq!(
        labelled,
        vec![
            (1, Some("2024年度调查"), Some("demo")),
            (2, Some("2025年度调查"), Some("demo")),
        ]
    );
    assert_eq!(demo.store.revision(), 2);
    // The second survey removes, on top of its records: one membership (rewritten organization),
    // one supply and one problem, all of `pb-jp-separator`.
    let second = revisions[1].counts;
    assert_eq!(second.supplies.removed, 1);
    assert_eq!(second.problems.removed, 1);
    assert_eq!(second.organizations.removed, 0);
    // A store with data gets no demo over it.
    assert!(!qmap::cli::load_demo(&demo.store).unwrap());
    assert_eq!(demo.store.revisions().unwrap().len(), 2);
}

/// Each 2024 file is valid on its own, and revision 1 is exactly the three of them.
#[test]
fn the_first_survey_is_the_2024_files() {
    for name in EARLIER {
        let empty = Dataset::new();
        if let Err(report) = qmap::validate::parse_bundle(&fixture_bytes(name), &empty) {
            panic!("{name} is invalid: {report:?}");
        }
    }
    assert_eq!(demo().then, loaded(&EARLIER));
}

/// Today's data is the three fixtures as before, except for what the replace removed on purpose:
/// `pb-jp-separator` (only in 2024) keeps its record, without a membership. So every fixture fact
/// still holds after the demo.
#[test]
fn the_second_survey_leaves_todays_fixtures_and_a_chainless_firm() {
    let mut expected = loaded(&TODAY);
    let mut gone = fixture(EARLIER[0])
        .organizations
        .into_iter()
        .find(|o| o.id == "pb-jp-separator")
        .unwrap();
    assert!(!expected.organizations.contains_key(&gone.id));
    gone.chains = Some(Vec::new());
    expected.organizations.insert(gone.id.clone(), gone);
    assert_eq!(demo().now, expected);
}

#[test]
fn power_battery_changes_as_the_readme_states() {
    let demo = demo();
    let (c, _, _) = changes(&demo, "pb-power-battery");
    let expected = Listed {
        joined: lines(&["pb-jt-cascade"]),
        left: lines(&["pb-jp-separator"]),
        supplies_added: lines(&[
            "pb-cz-ev → pb-jt-cascade: 退役动力电池",
            "pb-jt-cascade → pb-yc-ess: 储能电芯",
            "pb-nj-copperfoil → pb-ly-cell: 锂电铜箔",
        ]),
        supplies_removed: lines(&["pb-jp-separator → pb-ly-cell: 湿法隔膜"]),
        opened: lines(&[
            "pb-p062 at pb-nt-recycle, Open",
            "pb-p063 at pb-jt-cascade, Open",
            "pb-p064 at pb-jt-cascade, Open",
        ]),
        resolved: lines(&["pb-p040 resolved", "pb-p048 resolved", "pb-p901 removed"]),
        critical_appeared: lines(&[
            "pb-cz-separator disables [pb-ly-cell], 1 firms",
            "pb-jp-uhmwpe disables [pb-ly-cell], 2 firms",
        ]),
        critical_disappeared: lines(&["pb-kr-copperfoil disables [pb-ly-cell], 3 firms"]),
        critical_changed: lines(&[
            "pb-jy-alfoil disables [pb-ly-cell,pb-yc-ess], 3 firms → [pb-ly-cell], 2 firms",
        ]),
        single_source_appeared: lines(&[
            "(pb-jt-cascade, 退役动力电池) from [pb-cz-ev]",
            "(pb-ly-cell, 湿法隔膜) from [pb-cz-separator]",
        ]),
        single_source_disappeared: lines(&["(pb-ly-cell, 锂电铜箔) from [pb-kr-copperfoil]"]),
        foreign_only_disappeared: lines(&["(pb-ly-cell, 锂电铜箔) from [pb-kr-copperfoil]"]),
        ..Listed::default()
    };
    assert_eq!(listed(&c), expected);
    // The statuses the resolved problems had in 2024.
    assert_eq!(
        demo.then.problems["pb-p040"].status,
        qmap::model::Status::InProgress
    );
    assert_eq!(
        demo.then.problems["pb-p048"].status,
        qmap::model::Status::Open
    );

    assert_eq!(c.coverage.from.coverage, cov([57, 46, 43, 206, 152, 72]));
    assert_eq!(c.coverage.to.coverage, cov([58, 47, 44, 210, 157, 73]));
    assert_eq!(
        element(&c, "standard"),
        (cov([8, 4, 4, 31, 14, 8]), cov([10, 5, 5, 38, 18, 9]))
    );
    assert_eq!(
        element(&c, "testing"),
        (cov([26, 23, 21, 94, 75, 29]), cov([25, 23, 21, 91, 76, 29]))
    );
    for same in ["metrology", "certification", "rd"] {
        let (from, to) = element(&c, same);
        assert_eq!(from, to, "{same}");
    }
}

#[test]
fn hydrogen_changes_as_the_readme_states() {
    let demo = demo();
    let (c, _, _) = changes(&demo, "h2-hydrogen");
    let expected = Listed {
        joined: lines(&["h2-xa-graphiteplate"]),
        supplies_added: lines(&["h2-xa-graphiteplate → h2-xa-stack: 双极板"]),
        opened: lines(&[
            "h2-p055 at h2-hc-steel, Open",
            "h2-p056 at h2-hc-steel, InProgress",
        ]),
        resolved: lines(&["h2-p015 resolved", "h2-p047 resolved"]),
        problems_changed: lines(&[
            "h2-p026: severity 3 → 4, needs [metrology:hydrogen-flow] → [metrology:hydrogen-flow]",
        ]),
        critical_disappeared: lines(&[
            "h2-bj-bipolar disables [h2-xa-fcs], 5 firms",
            "h2-bj-titanium disables [h2-xa-fcs], 6 firms",
        ]),
        single_source_disappeared: lines(&["(h2-xa-stack, 双极板) from [h2-bj-bipolar]"]),
        ..Listed::default()
    };
    assert_eq!(listed(&c), expected);
    assert_eq!(
        demo.then.problems["h2-p015"].status,
        qmap::model::Status::Open
    );
    assert_eq!(
        demo.then.problems["h2-p047"].status,
        qmap::model::Status::InProgress
    );
    // The joined firm's own problem is resolved in 2025, so it is in no list.
    assert_eq!(
        demo.now.problems["h2-p039"].status,
        qmap::model::Status::Resolved
    );

    assert_eq!(c.coverage.from.coverage, cov([51, 40, 35, 179, 127, 46]));
    assert_eq!(c.coverage.to.coverage, cov([51, 40, 36, 179, 132, 50]));
    let durability = |a: &ChainAnalysis| {
        a.qi.gaps
            .capacity
            .iter()
            .find(|g| g.code == "testing:stack-durability")
            .map_or(0, |g| g.needs)
    };
    let (a, b) = (
        analysed(&demo.then, "h2-hydrogen"),
        analysed(&demo.now, "h2-hydrogen"),
    );
    assert_eq!((durability(&a), durability(&b)), (3, 2));
}

#[test]
fn optoelectronics_changes_as_the_readme_states() {
    let demo = demo();
    let (c, a, b) = changes(&demo, "oe-optical-fiber");
    let expected = Listed {
        joined: lines(&["oe-lyg-quartz"]),
        supplies_added: lines(&["oe-lyg-quartz → oe-cs-preform: 大尺寸石英套管"]),
        opened: lines(&[
            "oe-p010 at oe-lyg-quartz, Open",
            "oe-p050 at oe-ks-5g, Open",
        ]),
        resolved: lines(&["oe-p007 resolved", "oe-p026 resolved"]),
        single_source_disappeared: lines(&["(oe-cs-preform, 大尺寸石英套管) from [oe-de-quartz]"]),
        foreign_only_disappeared: lines(&["(oe-cs-preform, 大尺寸石英套管) from [oe-de-quartz]"]),
        ..Listed::default()
    };
    assert_eq!(listed(&c), expected);
    assert_eq!(
        demo.then.problems["oe-p007"].status,
        qmap::model::Status::Open
    );
    assert_eq!(
        demo.then.problems["oe-p026"].status,
        qmap::model::Status::InProgress
    );
    // The German quartz stays critical for the same master, with one firm less behind it.
    assert_eq!(
        (
            critical_count(&a, "oe-de-quartz"),
            critical_count(&b, "oe-de-quartz")
        ),
        (8, 7)
    );

    assert_eq!(c.coverage.from.coverage, cov([46, 37, 34, 161, 117, 46]));
    assert_eq!(c.coverage.to.coverage, cov([46, 38, 35, 163, 122, 48]));
    assert_eq!(
        element(&c, "metrology"),
        (cov([12, 10, 8, 40, 28, 13]), cov([12, 12, 10, 40, 35, 16]))
    );
}

/// A generated pair: a generated survey, and the next one made from it with known edits (a firm
/// leaves, a supply is added and another removed, a problem resolved, one opened), imported as
/// two labelled revisions, the second replacing. The firm, supply and problem lists must be
/// exactly the edits; the critical nodes and part lists exactly the differences of the analyses
/// run on each survey on its own.
#[test]
fn a_generated_pair_of_surveys_differs_exactly_by_its_edits() {
    use qmap::analysis::{critical_nodes, foreign_only_parts, single_source_parts};
    use qmap::model::{Status, SupplyList, WriteNote};
    use qmap::service::{survey, Principal, Service};
    use std::collections::BTreeSet;

    let first = qmap::generate::generate(&qmap::generate::GenOptions {
        chains: 2,
        firms: 150,
        seed: 7,
    });
    let chain = first.chains[0].id.clone();
    let mut next = first.clone();
    // The firm that leaves: a plain member that supplies something on the chain.
    let leaving = next
        .supplies
        .iter()
        .filter(|s| s.chain == chain)
        .map(|s| s.supplier.clone())
        .find(|id| {
            next.organizations.iter().any(|o| {
                &o.id == id
                    && o.memberships()
                        .iter()
                        .all(|m| m.chain == chain && m.role == qmap::model::Role::Member)
            })
        })
        .unwrap();
    next.organizations.retain(|o| o.id != leaving);
    let gone_supplies: Vec<_> = next
        .supplies
        .iter()
        .filter(|s| s.supplier == leaving || s.customer == leaving)
        .cloned()
        .collect();
    next.supplies
        .retain(|s| s.supplier != leaving && s.customer != leaving);
    let gone_problems: Vec<String> = next
        .problems
        .iter()
        .filter(|p| p.org == leaving && p.status != Status::Resolved)
        .map(|p| p.id.clone())
        .collect();
    next.problems.retain(|p| p.org != leaving);
    // A supply removed, and a second supplier of another part.
    let removed = next.supplies.iter().position(|s| s.chain == chain).unwrap();
    let removed = next.supplies.remove(removed);
    let (added, _) = next
        .supplies
        .iter()
        .filter(|s| s.chain == chain)
        .flat_map(|s| {
            next.supplies
                .iter()
                .filter(move |t| t.chain == s.chain && t.part == s.part && t.supplier != s.customer)
                .map(move |t| {
                    let mut n = s.clone();
                    n.supplier = t.supplier.clone();
                    (n, ())
                })
        })
        .find(|(n, _)| !next.supplies.contains(n) && *n != removed)
        .unwrap();
    next.supplies.push(added.clone());
    // A problem resolved, and a new one.
    let resolved = next
        .problems
        .iter_mut()
        .find(|p| p.chain == chain && p.status == Status::Open)
        .unwrap();
    resolved.status = Status::Resolved;
    let resolved = resolved.id.clone();
    let mut opened = next
        .problems
        .iter()
        .find(|p| p.chain == chain && p.id != resolved)
        .unwrap()
        .clone();
    opened.id = "new-problem".into();
    opened.status = Status::Open;
    next.problems.push(opened);

    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    store
        .commit(
            &ChangeSet::upsert(first.clone()),
            &SupplyList::new(),
            &WriteNote::by("test").labelled(Some("first".into())),
            &|_, _| {},
        )
        .unwrap();
    let chains: Vec<&str> = next.chains.iter().map(|c| c.id.as_str()).collect();
    let now = survey::Holdings::of_store(&store, &chains).unwrap();
    let (change, _) = survey::replacing(next.clone(), &SupplyList::new(), &now).unwrap();
    // The change is consistent: the full validation of a change finds nothing.
    assert!(qmap::validate::check_change(&change, &store).is_empty());
    store
        .commit(
            &change,
            &SupplyList::new(),
            &WriteNote::by("test").labelled(Some("next".into())),
            &|_, _| {},
        )
        .unwrap();
    let service = Service::open(store).unwrap();
    let report = service
        .chain_changes(&Principal::Anonymous, &chain, None, None)
        .unwrap();
    let c = &report.changes;
    let ids = |v: Vec<&String>| v.into_iter().cloned().collect::<BTreeSet<String>>();

    assert_eq!(
        ids(c.firms.left.iter().map(|f| &f.id).collect()),
        BTreeSet::from([leaving.clone()])
    );
    assert!(c.firms.joined.is_empty() && c.firms.changed.is_empty());
    let key = |chain: &str, from: &str, to: &str, part: &str| {
        (
            chain.to_string(),
            from.to_string(),
            to.to_string(),
            part.to_string(),
        )
    };
    let mut expected_removed: BTreeSet<_> = gone_supplies
        .iter()
        .filter(|s| s.chain == chain)
        .map(|s| key(&s.chain, &s.supplier, &s.customer, &s.part))
        .collect();
    expected_removed.insert(key(
        &removed.chain,
        &removed.supplier,
        &removed.customer,
        &removed.part,
    ));
    let got_removed: BTreeSet<_> = c
        .supplies
        .removed
        .iter()
        .map(|s| key(&s.chain, &s.supplier, &s.customer, &s.part))
        .collect();
    assert_eq!(got_removed, expected_removed);
    let got_added: Vec<_> = c
        .supplies
        .added
        .iter()
        .map(|s| key(&s.chain, &s.supplier, &s.customer, &s.part))
        .collect();
    assert_eq!(
        got_added,
        [key(
            &added.chain,
            &added.supplier,
            &added.customer,
            &added.part
        )]
    );
    assert_eq!(
        ids(c.problems.opened.iter().map(|p| &p.id).collect()),
        BTreeSet::from(["new-problem".to_string()])
    );
    let mut expected_resolved: BTreeSet<String> = gone_problems
        .iter()
        .filter(|id| {
            first
                .problems
                .iter()
                .any(|p| &p.id == *id && p.chain == chain)
        })
        .cloned()
        .collect();
    expected_resolved.insert(resolved);
    assert_eq!(
        ids(c.problems.resolved.iter().map(|p| &p.problem.id).collect()),
        expected_resolved
    );
    assert!(c.problems.changed.is_empty());

    // The weak links: the set differences of each survey's own analysis.
    let graphs = |b: &Bundle| Graphs::build(&Dataset::from_bundle(b.clone()));
    let (ga, gb) = (graphs(&first), graphs(&next));
    let (ga, gb) = (ga.chain(&chain).unwrap(), gb.chain(&chain).unwrap());
    let critical =
        |g| -> BTreeSet<String> { critical_nodes(g).into_iter().map(|n| n.id).collect() };
    let (ca, cb) = (critical(ga), critical(gb));
    assert_eq!(
        ids(c.critical_nodes.appeared.iter().map(|n| &n.id).collect()),
        cb.difference(&ca).cloned().collect()
    );
    assert_eq!(
        ids(c.critical_nodes.disappeared.iter().map(|n| &n.id).collect()),
        ca.difference(&cb).cloned().collect()
    );
    let single = |g| -> BTreeSet<(String, String)> {
        single_source_parts(g)
            .into_iter()
            .map(|p| (p.buyer, p.part))
            .collect()
    };
    let foreign = |g| -> BTreeSet<(String, String)> {
        foreign_only_parts(g)
            .into_iter()
            .map(|p| (p.buyer, p.part))
            .collect()
    };
    let parts = |v: &Vec<qmap::analysis::changes::PartEntry>| -> BTreeSet<(String, String)> {
        v.iter()
            .map(|p| (p.buyer.clone(), p.part.clone()))
            .collect()
    };
    for (got, a, b) in [
        (&c.single_source_parts, single(ga), single(gb)),
        (&c.foreign_only_parts, foreign(ga), foreign(gb)),
    ] {
        assert_eq!(parts(&got.appeared), b.difference(&a).cloned().collect());
        assert_eq!(parts(&got.disappeared), a.difference(&b).cloned().collect());
    }
    // Something did change in the weak links (else this test would check little).
    assert!(
        c.summary.single_source_parts_appeared
            + c.summary.single_source_parts_disappeared
            + c.summary.critical_nodes_appeared
            + c.summary.critical_nodes_disappeared
            > 0,
        "{:?}",
        c.summary
    );
}

/// The two ways of reading what chains hold (a snapshot's indexes, one pass over the store)
/// agree, so an import replaces the same things through the API and the command line.
#[test]
fn a_store_and_its_snapshot_hold_the_same_on_every_chain() {
    use qmap::service::{survey::Holdings, Service};
    let d = demo();
    let chains: Vec<String> = d.now.chains.keys().cloned().collect();
    let chains: Vec<&str> = chains
        .iter()
        .map(String::as_str)
        .chain(["no-such-chain"])
        .collect();
    let from_store = Holdings::of_store(&d.store, &chains).unwrap();
    let service = Service::open(d.store.clone()).unwrap();
    let from_snapshot = Holdings::of_snapshot(&service.snapshot(), &chains);
    assert!(
        from_store == from_snapshot,
        "the store and the snapshot hold differently"
    );
    assert!(from_store != Holdings::default());
}

/// A chain's slice of an earlier revision answers that chain's reads exactly as the whole data
/// as of that revision does: analysis, map, chain row.
#[test]
fn a_chains_slice_of_an_earlier_survey_answers_as_the_whole_survey() {
    use qmap::service::Service;
    let d = demo();
    let service = Service::open(d.store.clone()).unwrap();
    let chains: Vec<String> = d.then.chains.keys().cloned().collect();
    assert!(chains.len() >= 3);
    // Slices first (so that no whole snapshot is kept yet), then the whole one.
    let slices: Vec<_> = chains
        .iter()
        .map(|c| service.chain_snapshot_at(Some(1), c).unwrap())
        .collect();
    let whole = service.snapshot_at(Some(1)).unwrap();
    assert_eq!(whole.dataset.to_bundle(), d.then.to_bundle());
    for (chain, slice) in chains.iter().zip(&slices) {
        assert_eq!(
            slice.chain_analysis(chain).unwrap(),
            whole.chain_analysis(chain).unwrap(),
            "{chain}"
        );
        assert_eq!(
            serde_json::to_value(slice.quality_map(chain, None).unwrap()).unwrap(),
            serde_json::to_value(whole.quality_map(chain, None).unwrap()).unwrap(),
            "{chain}"
        );
        assert_eq!(
            slice.chain_row(chain).unwrap(),
            whole.chain_row(chain).unwrap()
        );
    }
}
