//! Generated datasets: deterministic, valid under every rule of bundle format 1
//! (`docs/domain.md`), and shaped like real chain surveys.

use clap::Parser;
use qmap::cli::{run, Cli};
use qmap::generate::{generate, GenOptions};
use qmap::model::{region, Bundle, Category, Element, Level, OrgKind, Role, Status};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::process::ExitCode;
use std::sync::OnceLock;

fn opts(chains: usize, firms: usize, seed: u64) -> GenOptions {
    GenOptions {
        chains,
        firms,
        seed,
    }
}

/// 8 chains × 3,000 firms, generated once for all tests.
fn medium() -> &'static Bundle {
    static MEDIUM: OnceLock<Bundle> = OnceLock::new();
    MEDIUM.get_or_init(|| generate(&opts(8, 3000, 42)))
}

/// Checks every rule of bundle format 1 in `docs/domain.md` (and the generator's own promises:
/// regions listed, ASCII ids, unique firm names), panicking with the offending record.
fn assert_valid(b: &Bundle) {
    assert_eq!(b.version, 1);

    let mut regions = HashSet::new();
    for r in &b.regions {
        assert!(region::is_valid(&r.code), "region code {}", r.code);
        assert!(!r.name.is_empty(), "region {} has a name", r.code);
        assert!(regions.insert(r.code.as_str()), "region {} repeats", r.code);
    }

    let mut chains = HashMap::new();
    for c in &b.chains {
        assert!(!c.id.is_empty() && c.id.is_ascii(), "chain id {:?}", c.id);
        assert!(!c.name.is_empty());
        assert!((4..=7).contains(&c.segments.len()), "{} segments", c.id);
        let segments: HashSet<&str> = c.segments.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            segments.len(),
            c.segments.len(),
            "segment ids of {} repeat",
            c.id
        );
        assert!(segments.iter().all(|s| !s.is_empty()));
        assert!(
            chains.insert(c.id.as_str(), segments).is_none(),
            "chain {} repeats",
            c.id
        );
    }

    let mut orgs = HashMap::new();
    let mut names = HashSet::new();
    for o in &b.organizations {
        assert!(!o.id.is_empty() && o.id.is_ascii(), "org id {:?}", o.id);
        assert!(
            orgs.insert(o.id.as_str(), o).is_none(),
            "org {} repeats",
            o.id
        );
        assert!(!o.name.is_empty());
        assert!(names.insert(o.name.as_str()), "name {} repeats", o.name);
        if o.foreign {
            assert_eq!(
                o.kind,
                OrgKind::Enterprise,
                "{}: only firms are foreign",
                o.id
            );
            assert!(o.region.is_none(), "{}: a foreign firm has no region", o.id);
            let country = o.country.as_deref().expect("foreign firms name a country");
            assert!(["JP", "KR", "DE", "US", "FR", "CL", "AU"].contains(&country));
        } else {
            let code = o
                .region
                .as_deref()
                .expect("domestic organizations have a region");
            assert!(region::is_valid(code), "{}: region {code}", o.id);
            let province = format!("{}0000", region::province(code));
            let city = format!("{}00", region::city(code));
            assert!(
                regions.contains(province.as_str()),
                "{}: {province} listed",
                o.id
            );
            assert!(regions.contains(city.as_str()), "{}: {city} listed", o.id);
            assert!(o.country.is_none());
        }
        if o.is_provider() {
            assert!(o.level.is_some(), "{} has a level", o.id);
            assert!(o.chains.is_none(), "{} sits on no chain", o.id);
            let caps = o
                .capabilities
                .as_deref()
                .expect("providers have capabilities");
            assert!(
                (1..=4).contains(&caps.len()),
                "{}: {} capabilities",
                o.id,
                caps.len()
            );
            let codes: HashSet<&str> = caps.iter().map(|c| c.code.as_str()).collect();
            assert_eq!(codes.len(), caps.len(), "{}: capability codes repeat", o.id);
            for c in caps {
                assert!(
                    Element::of_code(&c.code).is_some(),
                    "{}: code {}",
                    o.id,
                    c.code
                );
                assert!(c.capacity.is_none_or(|n| (1..=50).contains(&n)), "{}", o.id);
            }
        } else {
            assert!(o.level.is_none() && o.capabilities.is_none(), "{}", o.id);
            let memberships = o.chains.as_deref().expect("firms have memberships");
            assert!(!memberships.is_empty(), "{} sits on a chain", o.id);
            let on: HashSet<&str> = memberships.iter().map(|m| m.chain.as_str()).collect();
            assert_eq!(
                on.len(),
                memberships.len(),
                "{}: one membership per chain",
                o.id
            );
            for m in memberships {
                let segments = chains
                    .get(m.chain.as_str())
                    .expect("membership chain exists");
                assert!(
                    segments.contains(m.segment.as_str()),
                    "{}: segment {}",
                    o.id,
                    m.segment
                );
            }
        }
    }

    let member =
        |org: &str, chain: &str| orgs.get(org).is_some_and(|o| o.membership(chain).is_some());
    let mut supplies = HashSet::new();
    for s in &b.supplies {
        assert!(
            chains.contains_key(s.chain.as_str()),
            "supply chain {}",
            s.chain
        );
        assert!(member(&s.supplier, &s.chain), "{s:?}: supplier is a member");
        assert!(member(&s.customer, &s.chain), "{s:?}: customer is a member");
        assert_ne!(s.supplier, s.customer, "{s:?}: no self-supply");
        assert!(!s.part.is_empty(), "{s:?}: part");
        assert!(supplies.insert(s), "{s:?} repeats");
    }

    let mut problems = HashSet::new();
    for p in &b.problems {
        assert!(!p.id.is_empty() && p.id.is_ascii(), "problem id {:?}", p.id);
        assert!(problems.insert(p.id.as_str()), "problem {} repeats", p.id);
        let org = orgs.get(p.org.as_str()).expect("problem org exists");
        assert_eq!(org.kind, OrgKind::Enterprise, "{}: held by a firm", p.id);
        assert!(
            org.membership(&p.chain).is_some(),
            "{}: org on the chain",
            p.id
        );
        assert!(
            (1..=5).contains(&p.severity),
            "{}: severity {}",
            p.id,
            p.severity
        );
        assert!(!p.title.is_empty());
        assert!((1..=2).contains(&p.needs.len()), "{}: needs", p.id);
        for n in &p.needs {
            assert!(Element::of_code(n).is_some(), "{}: need {n}", p.id);
        }
    }

    // The bundle survives its own JSON (deny_unknown_fields, renames).
    let json = serde_json::to_string(b).unwrap();
    assert_eq!(&serde_json::from_str::<Bundle>(&json).unwrap(), b);
}

#[test]
fn the_same_options_give_the_same_bytes_and_another_seed_other_bytes() {
    let a = serde_json::to_string(&generate(&opts(3, 200, 7))).unwrap();
    let b = serde_json::to_string(&generate(&opts(3, 200, 7))).unwrap();
    let c = serde_json::to_string(&generate(&opts(3, 200, 8))).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn small_datasets_obey_every_rule_of_bundle_format_1() {
    for (chains, firms, seed) in [(0, 10, 1), (1, 0, 2), (1, 3, 3), (2, 12, 4), (6, 60, 5)] {
        let b = generate(&opts(chains, firms, seed));
        assert_eq!(b.chains.len(), chains);
        assert_valid(&b);
    }
}

#[test]
fn a_medium_dataset_obeys_every_rule_of_bundle_format_1() {
    assert_valid(medium());
}

#[test]
fn the_counts_scale_with_the_options() {
    let b = medium();
    let firms = b.organizations.iter().filter(|o| !o.is_provider()).count();
    let providers = b.organizations.len() - firms;
    // Slots on two chains are held by one firm, so a little under 8 × 3000.
    assert!((23_000..=24_000).contains(&firms), "{firms} firms");
    assert!(
        (4.5..5.5).contains(&(b.supplies.len() as f64 / firms as f64)),
        "supplies per firm"
    );
    assert!(
        (0.85..1.15).contains(&(b.problems.len() as f64 / firms as f64)),
        "problems per firm"
    );
    assert_eq!(providers, firms / 20, "providers are 5% of the firms");
}

#[test]
fn every_chain_has_1_to_3_masters_in_its_last_segment_and_more_firms_upstream() {
    let b = medium();
    for c in &b.chains {
        let mut per_segment = vec![0usize; c.segments.len()];
        let mut masters = 0;
        for o in &b.organizations {
            if let Some(m) = o.membership(&c.id) {
                let s = c.segment_index(&m.segment).unwrap();
                per_segment[s] += 1;
                if m.role == Role::ChainMaster {
                    assert_eq!(s, c.segments.len() - 1, "{}: masters are last", o.id);
                    masters += 1;
                }
            }
        }
        assert!((1..=3).contains(&masters), "{}: {masters} masters", c.id);
        assert!(
            per_segment.windows(2).all(|w| w[0] > w[1]),
            "{}: {per_segment:?}",
            c.id
        );
    }
}

/// (chain, customer, part) → suppliers.
fn parts(b: &Bundle) -> BTreeMap<(&str, &str, &str), Vec<&str>> {
    let mut parts: BTreeMap<_, Vec<&str>> = BTreeMap::new();
    for s in &b.supplies {
        parts
            .entry((s.chain.as_str(), s.customer.as_str(), s.part.as_str()))
            .or_default()
            .push(s.supplier.as_str());
    }
    parts
}

#[test]
fn about_30_percent_of_parts_are_single_source_and_some_are_foreign_only() {
    let b = medium();
    let foreign: HashSet<&str> = b
        .organizations
        .iter()
        .filter(|o| o.foreign)
        .map(|o| o.id.as_str())
        .collect();
    let firms = b.organizations.iter().filter(|o| !o.is_provider()).count();
    let share = foreign.len() as f64 / firms as f64;
    assert!((0.01..0.08).contains(&share), "foreign share {share}");

    let parts = parts(b);
    let single = parts.values().filter(|s| s.len() == 1).count();
    let share = single as f64 / parts.len() as f64;
    assert!((0.25..0.40).contains(&share), "single-source share {share}");
    let foreign_only = parts
        .values()
        .filter(|s| s.iter().all(|id| foreign.contains(id)))
        .count();
    assert!(foreign_only > 50, "{foreign_only} foreign-only parts");
    assert!(parts.values().all(|s| s.len() <= 3));
}

#[test]
fn every_chain_has_a_recycling_cycle() {
    let b = medium();
    for c in &b.chains {
        // Kahn's algorithm leaves the firms on or behind a cycle unremoved.
        let mut out: HashMap<&str, Vec<&str>> = HashMap::new();
        let mut indegree: HashMap<&str, usize> = HashMap::new();
        let mut edges = HashSet::new();
        for s in b.supplies.iter().filter(|s| s.chain == c.id) {
            if edges.insert((s.supplier.as_str(), s.customer.as_str())) {
                out.entry(&s.supplier).or_default().push(&s.customer);
                *indegree.entry(&s.customer).or_default() += 1;
                indegree.entry(&s.supplier).or_default();
            }
        }
        let mut ready: Vec<&str> = indegree
            .iter()
            .filter(|(_, &d)| d == 0)
            .map(|(&n, _)| n)
            .collect();
        let mut removed = 0;
        while let Some(n) = ready.pop() {
            removed += 1;
            for &m in out.get(n).map(Vec::as_slice).unwrap_or(&[]) {
                let d = indegree.get_mut(m).unwrap();
                *d -= 1;
                if *d == 0 {
                    ready.push(m);
                }
            }
        }
        assert!(removed < indegree.len(), "{} has no cycle", c.id);
    }
}

/// Disabled sets of one chain under the AND/OR rule of `docs/analyses.md` (least fixpoint).
struct Cascade<'a> {
    index: HashMap<&'a str, usize>,
    /// (customer, part) groups: the customer and the number of suppliers.
    groups: Vec<(usize, usize)>,
    /// The groups each firm supplies.
    supplies: Vec<Vec<usize>>,
}

impl<'a> Cascade<'a> {
    fn new(b: &'a Bundle, chain: &str) -> Cascade<'a> {
        let mut index = HashMap::new();
        for o in &b.organizations {
            if o.membership(chain).is_some() {
                let n = index.len();
                index.insert(o.id.as_str(), n);
            }
        }
        let mut group_of = HashMap::new();
        let mut groups = Vec::new();
        let mut supplies = vec![Vec::new(); index.len()];
        for s in b.supplies.iter().filter(|s| s.chain == chain) {
            let customer = index[s.customer.as_str()];
            let g = *group_of
                .entry((customer, s.part.as_str()))
                .or_insert_with(|| {
                    groups.push((customer, 0));
                    groups.len() - 1
                });
            groups[g].1 += 1;
            supplies[index[s.supplier.as_str()]].push(g);
        }
        Cascade {
            index,
            groups,
            supplies,
        }
    }

    fn disabled(&self, failed: &str) -> Vec<bool> {
        let start = self.index[failed];
        let mut live: Vec<usize> = self.groups.iter().map(|g| g.1).collect();
        let mut disabled = vec![false; self.index.len()];
        disabled[start] = true;
        let mut queue = vec![start];
        while let Some(x) = queue.pop() {
            for &g in &self.supplies[x] {
                live[g] -= 1;
                let customer = self.groups[g].0;
                if live[g] == 0 && !disabled[customer] {
                    disabled[customer] = true;
                    queue.push(customer);
                }
            }
        }
        disabled[start] = false;
        disabled
    }
}

#[test]
fn failures_are_subcritical_some_upstream_firms_disable_a_master_but_most_do_not() {
    let b = medium();
    let (mut critical, mut upstream) = (0, 0);
    for c in &b.chains {
        let cascade = Cascade::new(b, &c.id);
        let masters: Vec<usize> = b
            .organizations
            .iter()
            .filter(|o| {
                o.membership(&c.id)
                    .is_some_and(|m| m.role == Role::ChainMaster)
            })
            .map(|o| cascade.index[o.id.as_str()])
            .collect();
        for o in &b.organizations {
            let on_first = o
                .membership(&c.id)
                .is_some_and(|m| m.segment == c.segments[0].id);
            if on_first {
                upstream += 1;
                let disabled = cascade.disabled(&o.id);
                if masters.iter().any(|&m| disabled[m]) {
                    critical += 1;
                }
            }
        }
    }
    assert!(critical > 0, "no first-segment firm disables a master");
    assert!(
        critical * 10 < upstream,
        "{critical} of {upstream} first-segment firms disable a master"
    );
}

#[test]
fn providers_cover_every_kind_and_level_mostly_municipal_and_limited() {
    let b = medium();
    let providers: Vec<_> = b.organizations.iter().filter(|o| o.is_provider()).collect();
    let kinds: BTreeSet<OrgKind> = providers.iter().map(|o| o.kind).collect();
    assert_eq!(kinds.len(), 6, "{kinds:?}");
    let count = |level| providers.iter().filter(|o| o.level == Some(level)).count();
    let (national, provincial, municipal) = (
        count(Level::National),
        count(Level::Provincial),
        count(Level::Municipal),
    );
    assert!(0 < national && national < provincial && provincial < municipal);
    let caps: Vec<_> = providers.iter().flat_map(|o| o.capability_list()).collect();
    let unlimited = caps.iter().filter(|c| c.capacity.is_none()).count();
    assert!(
        unlimited > 0 && unlimited * 4 < caps.len(),
        "{unlimited} unlimited"
    );
    // Tiny datasets still have every kind and level.
    let tiny = generate(&opts(1, 3, 9));
    let kinds: BTreeSet<OrgKind> = tiny.organizations.iter().map(|o| o.kind).collect();
    assert_eq!(kinds.len(), 7);
    let levels: BTreeSet<Level> = tiny.organizations.iter().filter_map(|o| o.level).collect();
    assert_eq!(levels.len(), 3);
}

#[test]
fn problems_span_all_categories_and_statuses_with_common_needs_and_gaps() {
    let b = medium();
    let categories: BTreeSet<Category> = b.problems.iter().map(|p| p.category).collect();
    assert_eq!(categories.len(), Category::ALL.len());
    let statuses: BTreeSet<Status> = b.problems.iter().map(|p| p.status).collect();
    assert_eq!(statuses.len(), 3);
    let open = b
        .problems
        .iter()
        .filter(|p| p.status == Status::Open)
        .count();
    assert!(open * 2 > b.problems.len(), "mostly open");
    let severe = b.problems.iter().filter(|p| p.severity == 5).count();
    let middling = b.problems.iter().filter(|p| p.severity == 3).count();
    assert!(0 < severe && severe < middling, "severity is skewed");

    let offered: HashSet<&str> = b
        .organizations
        .iter()
        .flat_map(|o| o.capability_list())
        .map(|c| c.code.as_str())
        .collect();
    let mut firms_needing: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for p in &b.problems {
        for n in &p.needs {
            firms_needing.entry(n).or_default().insert(&p.org);
        }
    }
    let unserved: Vec<&&str> = firms_needing
        .keys()
        .filter(|n| !offered.contains(**n))
        .collect();
    assert!(!unserved.is_empty(), "some needs no provider offers");
    let widest = firms_needing.values().map(BTreeSet::len).max().unwrap();
    assert!(widest > 500, "a common need is shared by {widest} firms");
    let rarest = firms_needing.values().map(BTreeSet::len).min().unwrap();
    assert!(rarest * 20 < widest, "some needs are rare");
}

#[test]
fn a_few_firms_sit_on_two_chains() {
    let b = medium();
    let shared = b
        .organizations
        .iter()
        .filter(|o| o.memberships().len() > 1)
        .count();
    assert!(
        (20..=1000).contains(&shared),
        "{shared} firms on several chains"
    );
}

#[test]
fn the_command_writes_the_same_bundle_as_the_library() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bundle.json");
    // Through `cli::run` rather than the binary: the build directory is shared, so the binary
    // at CARGO_BIN_EXE_qmap may be another checkout's.
    let args = [
        "qmap", "generate", "--chains", "2", "--firms", "50", "--seed", "11", "-o",
    ];
    let cli = Cli::try_parse_from(args.iter().copied().chain([path.to_str().unwrap()])).unwrap();
    assert_eq!(run(cli), ExitCode::SUCCESS);
    let written: Bundle = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(written, generate(&opts(2, 50, 11)));
}

/// The generator names every capability code it uses in its catalogue, and no other.
#[test]
fn the_catalogue_names_every_code_used_and_only_those() {
    let b = medium();
    let used: std::collections::BTreeSet<&str> = b
        .organizations
        .iter()
        .flat_map(|o| o.capability_list().iter().map(|c| c.code.as_str()))
        .chain(
            b.problems
                .iter()
                .flat_map(|p| p.needs.iter().map(String::as_str)),
        )
        .collect();
    let catalogued: Vec<&str> = b.capabilities.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(catalogued, used.into_iter().collect::<Vec<_>>());
    for e in &b.capabilities {
        assert!(!e.name.trim().is_empty(), "{}", e.code);
        let subject = e.code.split_once(':').unwrap().1;
        assert!(e.name.starts_with(subject), "{}: {}", e.code, e.name);
    }
    let warnings = qmap::validate::catalogue::uncatalogued(b, false, &|_| false).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
}
