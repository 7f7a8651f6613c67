//! What changed on one chain between two surveys (issue 12): firms that joined or left, supplies
//! added or removed, problems opened, resolved or changed, critical nodes and part problems that
//! appeared or disappeared, and the coverage figures at both sides.
//!
//! A pure comparison: it reads the data and the chain's analysis as they stood at two revisions
//! (the caller reads them from the store's history and analyses them) and never recomputes an
//! analysis. Every list is sorted by its key, and every firm carries its name next to its id
//! (`宁德时代`, not only `o17`).
//!
//! # Definitions
//!
//! `from` is side A, `to` is side B. A side without an analysis is a revision at which the chain
//! did not exist: everything of the chain counts as absent there.
//!
//! - **Firms**: the members of the chain (organizations whose `chains` hold a membership of it).
//!   `joined`: a member at B and not at A; `left`: the reverse; `changed`: a member at both whose
//!   role or segment differs.
//! - **Supplies**: the supplies of the chain, identified by all four fields.
//! - **Problems**: the problems of the chain (`chain` is this chain). `opened`: demand (open or in
//!   progress) at B and not demand at A (absent, resolved, or on another chain there).
//!   `resolved`: demand at A and not demand at B, with how: [`Resolution::Resolved`] when B holds
//!   it as resolved, [`Resolution::Removed`] when it is no problem of this chain at B. `changed`:
//!   demand at both, with a different severity or different needs (as multisets: order does not
//!   matter). A problem whose status moves from open to in progress is not a change.
//! - **Critical nodes**: exactly the `critical_nodes` of the two analyses, by firm id.
//!   `appeared`: critical at B and not at A; `disappeared`: the reverse; `changed`: critical at
//!   both with different `disabled_masters`.
//! - **Single-source and foreign-only parts**: exactly the lists of the two analyses, identified
//!   by (buyer, part): "the buyer depends on one supplier (or only on foreign suppliers) for this
//!   part". A single-source part whose one supplier was replaced by another is the same part
//!   problem, so it neither appears nor disappears.
//! - **Coverage**: the chain's coverage and its breakdown by QI element, as each analysis has
//!   them; an absent side has zero figures for each of the five elements.

use super::coverage::{Coverage, ElementCoverage};
use super::quality::ChainAnalysis;
use crate::model::{
    Category, Chain, ChainIndex, Dataset, Element, Membership, Organization, Problem, Role, Status,
    Supply,
};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use utoipa::ToSchema;

/// One side of a comparison: the data as it stood at one revision, and the chain's analysis there.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    pub dataset: &'a Dataset,
    /// The chain's analysis at this revision; `None` when the chain did not exist at that
    /// revision: everything then counts as absent.
    pub analysis: Option<&'a ChainAnalysis>,
    /// The chain index of `dataset`, when the caller has one: the chain's members and problems
    /// are then read in O(size of the chain) instead of scanning every organization and problem.
    /// Either way the result is the same.
    pub index: Option<&'a ChainIndex>,
}

impl<'a> Side<'a> {
    /// A side without a chain index.
    pub fn new(dataset: &'a Dataset, analysis: Option<&'a ChainAnalysis>) -> Side<'a> {
        Side {
            dataset,
            analysis,
            index: None,
        }
    }

    /// A side whose members and problems are read through `index` (the index of `dataset`).
    pub fn indexed(
        dataset: &'a Dataset,
        analysis: Option<&'a ChainAnalysis>,
        index: &'a ChainIndex,
    ) -> Side<'a> {
        Side {
            dataset,
            analysis,
            index: Some(index),
        }
    }
}

/// What changed on one chain from one revision (`from`) to another (`to`).
///
/// Reversing the sides swaps `joined`/`left`, `added`/`removed` and `appeared`/`disappeared`, and
/// swaps `from` and `to` in every `changed` entry and in `coverage`. `problems` is symmetric only
/// in which problems its lists hold: the ids of `opened` and `resolved` swap, and `changed` keeps
/// its ids with `from` and `to` swapped, but the entries are not mirror images: an entry of
/// `resolved` shows the problem as it stands at `to` and says how it stopped being demand, and a
/// problem resolved at `from` that is open at `to` (reopened) is `opened`, while read backwards it
/// is `resolved` with resolution `resolved`.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ChainChanges {
    /// The chain's id.
    pub chain: String,
    /// The chain's name at `to` (at `from` when it no longer exists; the id when neither side has
    /// it).
    pub name: String,
    /// Whether the chain existed at `from`.
    pub from_exists: bool,
    /// Whether the chain existed at `to`.
    pub to_exists: bool,
    /// How many entries each list holds (kept when the lists are emptied for a planner).
    pub summary: ChangeSummary,
    pub firms: FirmChanges,
    pub supplies: SupplyChanges,
    pub problems: ProblemChanges,
    pub critical_nodes: CriticalNodeChanges,
    /// Identified by (buyer, part); each entry names its one supplier.
    pub single_source_parts: PartChanges,
    /// Identified by (buyer, part); each entry names the (foreign) suppliers of the part on that
    /// side.
    pub foreign_only_parts: PartChanges,
    pub coverage: CoverageChanges,
}

/// The number of entries of every list of a [`ChainChanges`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct ChangeSummary {
    pub firms_joined: usize,
    pub firms_left: usize,
    pub firms_changed: usize,
    pub supplies_added: usize,
    pub supplies_removed: usize,
    pub problems_opened: usize,
    /// Resolved and removed together.
    pub problems_resolved: usize,
    pub problems_changed: usize,
    pub critical_nodes_appeared: usize,
    pub critical_nodes_disappeared: usize,
    pub critical_nodes_changed: usize,
    pub single_source_parts_appeared: usize,
    pub single_source_parts_disappeared: usize,
    pub foreign_only_parts_appeared: usize,
    pub foreign_only_parts_disappeared: usize,
}

/// A firm, by id and name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
pub struct FirmRef {
    pub id: String,
    /// The organization's name on the side the entry describes (the id when no side has the
    /// organization).
    pub name: String,
}

/// Membership changes of the chain, each list sorted by firm id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct FirmChanges {
    /// Members at `to` and not at `from`, as they are at `to`.
    pub joined: Vec<FirmEntry>,
    /// Members at `from` and not at `to`, as they were at `from`.
    pub left: Vec<FirmEntry>,
    /// Members at both whose role or segment differs.
    pub changed: Vec<FirmChange>,
}

/// A firm and its place on the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FirmEntry {
    pub id: String,
    pub name: String,
    pub role: Role,
    /// The segment id of the membership.
    pub segment: String,
    /// The segment's name, when the chain (on that side) defines the segment.
    pub segment_name: Option<String>,
}

/// A firm's place on the chain at one side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FirmPlace {
    pub role: Role,
    pub segment: String,
    /// The segment's name, when the chain (on that side) defines the segment.
    pub segment_name: Option<String>,
}

/// A member at both sides whose role or segment (or both) differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FirmChange {
    pub id: String,
    /// The name at `to`.
    pub name: String,
    /// The place at `from`.
    pub from: FirmPlace,
    /// The place at `to`; its role or its segment differs from `from`'s.
    pub to: FirmPlace,
}

/// Supplies of the chain added and removed, each sorted by (supplier, customer, part).
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct SupplyChanges {
    /// At `to` and not at `from`; names as at `to`.
    pub added: Vec<SupplyEntry>,
    /// At `from` and not at `to`; names as at `from`.
    pub removed: Vec<SupplyEntry>,
}

/// A supply with the names of its ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct SupplyEntry {
    pub chain: String,
    pub supplier: String,
    pub supplier_name: String,
    pub customer: String,
    pub customer_name: String,
    pub part: String,
}

/// Problems of the chain that became demand, stopped being demand, or changed while demand; each
/// list sorted by problem id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct ProblemChanges {
    /// Demand at `to` and not demand at `from` (absent there, resolved there, or on another
    /// chain), as at `to`.
    pub opened: Vec<ProblemEntry>,
    /// Demand at `from` and not demand at `to`: as at `to` when resolved there, as at `from` when
    /// removed.
    pub resolved: Vec<ResolvedProblem>,
    /// Demand at both, with a different severity or different needs.
    pub changed: Vec<ProblemChange>,
}

/// A problem with the name of the firm holding it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ProblemEntry {
    pub id: String,
    pub title: String,
    /// The enterprise holding the problem.
    pub org: String,
    pub org_name: String,
    pub category: Category,
    pub severity: u8,
    pub status: Status,
    pub needs: Vec<String>,
}

/// How a problem that was demand stopped being demand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// The problem is still recorded, with status `resolved`.
    Resolved,
    /// The problem is no longer a problem of this chain (deleted, or moved to another chain).
    Removed,
}

/// A problem that was demand at `from` and is not at `to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ResolvedProblem {
    /// The problem as at `to` when it is resolved there, as at `from` when it was removed.
    #[serde(flatten)]
    pub problem: ProblemEntry,
    pub resolution: Resolution,
}

/// What of a problem may change while it stays demand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ProblemFigures {
    pub severity: u8,
    pub needs: Vec<String>,
}

/// A problem that is demand at both sides with a different severity or different needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ProblemChange {
    pub id: String,
    /// Title, holder, category and status as at `to`.
    pub title: String,
    pub org: String,
    pub org_name: String,
    pub category: Category,
    pub status: Status,
    pub from: ProblemFigures,
    pub to: ProblemFigures,
}

/// Critical nodes that appeared, disappeared, or disable other masters; each list sorted by id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct CriticalNodeChanges {
    /// Critical at `to` and not at `from`, as at `to`.
    pub appeared: Vec<CriticalNodeEntry>,
    /// Critical at `from` and not at `to`, as at `from`.
    pub disappeared: Vec<CriticalNodeEntry>,
    /// Critical at both, with different `disabled_masters`.
    pub changed: Vec<CriticalNodeChange>,
}

/// A critical node: a firm whose failure alone disables at least one chain master.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CriticalNodeEntry {
    pub id: String,
    pub name: String,
    /// The chain masters its failure disables, sorted by id.
    pub disabled_masters: Vec<FirmRef>,
    /// Every firm its failure disables, itself excluded.
    pub disabled_count: usize,
}

/// What a critical node's failure disables at one side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CriticalState {
    /// Sorted by id.
    pub disabled_masters: Vec<FirmRef>,
    pub disabled_count: usize,
}

/// A firm critical at both sides whose failure disables other masters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CriticalNodeChange {
    pub id: String,
    /// The name at `to`.
    pub name: String,
    pub from: CriticalState,
    pub to: CriticalState,
}

/// Part problems (single-source or foreign-only) that appeared and disappeared, each sorted by
/// (buyer, part).
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct PartChanges {
    /// In the analysis at `to` and not at `from`, as at `to`.
    pub appeared: Vec<PartEntry>,
    /// In the analysis at `from` and not at `to`, as at `from`.
    pub disappeared: Vec<PartEntry>,
}

/// A (buyer, part) of a part list, with its suppliers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct PartEntry {
    pub buyer: String,
    pub buyer_name: String,
    pub part: String,
    /// The suppliers of the part to the buyer on the entry's side, sorted by id: the one supplier
    /// of a single-source part, the foreign suppliers of a foreign-only part.
    pub suppliers: Vec<FirmRef>,
}

/// The chain's coverage at both sides.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CoverageChanges {
    pub from: CoverageFigures,
    pub to: CoverageFigures,
}

/// The six coverage figures of the chain, overall and by QI element.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CoverageFigures {
    pub coverage: Coverage,
    /// In the order metrology, standard, testing, certification, rd.
    pub by_element: Vec<ElementCoverage>,
}

impl CoverageFigures {
    /// The figures of a chain that does not exist: zero, for each of the five elements.
    fn absent() -> CoverageFigures {
        CoverageFigures {
            coverage: Coverage::default(),
            by_element: Element::ALL
                .iter()
                .map(|e| ElementCoverage {
                    element: e.as_str().to_string(),
                    coverage: Coverage::default(),
                })
                .collect(),
        }
    }

    fn of(analysis: &ChainAnalysis) -> CoverageFigures {
        CoverageFigures {
            coverage: analysis.qi.figures.coverage,
            by_element: analysis.qi.figures.by_element.clone(),
        }
    }
}

impl ChainChanges {
    /// Keeps only the entries about firms for which `keep` is true, and counts again: firms by
    /// the firm; supplies by both ends; problems by the holder; critical nodes by the node (and
    /// their disabled masters are reduced to those kept; a `changed` entry whose kept masters no
    /// longer differ is dropped); parts by the buyer (and their suppliers are reduced to those
    /// kept). Coverage is kept whole.
    ///
    /// An enterprise sees the changes within its upstream this way.
    pub fn retain_firms(&mut self, keep: &dyn Fn(&str) -> bool) {
        let f = &mut self.firms;
        f.joined.retain(|e| keep(&e.id));
        f.left.retain(|e| keep(&e.id));
        f.changed.retain(|e| keep(&e.id));
        let both = |s: &SupplyEntry| keep(&s.supplier) && keep(&s.customer);
        self.supplies.added.retain(both);
        self.supplies.removed.retain(both);
        let p = &mut self.problems;
        p.opened.retain(|e| keep(&e.org));
        p.resolved.retain(|e| keep(&e.problem.org));
        p.changed.retain(|e| keep(&e.org));
        let c = &mut self.critical_nodes;
        for list in [&mut c.appeared, &mut c.disappeared] {
            list.retain(|e| keep(&e.id));
            for e in list.iter_mut() {
                e.disabled_masters.retain(|m| keep(&m.id));
            }
        }
        c.changed.retain(|e| keep(&e.id));
        for e in &mut c.changed {
            e.from.disabled_masters.retain(|m| keep(&m.id));
            e.to.disabled_masters.retain(|m| keep(&m.id));
        }
        c.changed
            .retain(|e| e.from.disabled_masters != e.to.disabled_masters);
        for parts in [&mut self.single_source_parts, &mut self.foreign_only_parts] {
            for list in [&mut parts.appeared, &mut parts.disappeared] {
                list.retain(|e| keep(&e.buyer));
                for e in list.iter_mut() {
                    e.suppliers.retain(|s| keep(&s.id));
                }
            }
        }
        self.summary = self.count();
    }

    /// Keeps only the problems (by id) for which `keep` is true, recounting `summary`. (An
    /// enterprise sees its own problems and those disclosed to it, though the rest of its
    /// upstream's changes.)
    pub fn retain_problems(&mut self, keep: &dyn Fn(&str) -> bool) {
        let p = &mut self.problems;
        p.opened.retain(|e| keep(&e.id));
        p.resolved.retain(|e| keep(&e.problem.id));
        p.changed.retain(|e| keep(&e.id));
        self.summary = self.count();
    }

    /// Empties every list, keeping `summary` and `coverage` (what a planner sees).
    pub fn figures_only(&mut self) {
        self.firms = FirmChanges::default();
        self.supplies = SupplyChanges::default();
        self.problems = ProblemChanges::default();
        self.critical_nodes = CriticalNodeChanges::default();
        self.single_source_parts = PartChanges::default();
        self.foreign_only_parts = PartChanges::default();
    }

    /// The summary of the lists as they are.
    fn count(&self) -> ChangeSummary {
        ChangeSummary {
            firms_joined: self.firms.joined.len(),
            firms_left: self.firms.left.len(),
            firms_changed: self.firms.changed.len(),
            supplies_added: self.supplies.added.len(),
            supplies_removed: self.supplies.removed.len(),
            problems_opened: self.problems.opened.len(),
            problems_resolved: self.problems.resolved.len(),
            problems_changed: self.problems.changed.len(),
            critical_nodes_appeared: self.critical_nodes.appeared.len(),
            critical_nodes_disappeared: self.critical_nodes.disappeared.len(),
            critical_nodes_changed: self.critical_nodes.changed.len(),
            single_source_parts_appeared: self.single_source_parts.appeared.len(),
            single_source_parts_disappeared: self.single_source_parts.disappeared.len(),
            foreign_only_parts_appeared: self.foreign_only_parts.appeared.len(),
            foreign_only_parts_disappeared: self.foreign_only_parts.disappeared.len(),
        }
    }
}

/// What changed on `chain` from `from` to `to` (see the module documentation for the exact
/// definitions).
///
/// # Arguments
/// - `chain`: the chain's id.
/// - `from`, `to`: the data and the chain's analysis at the two revisions; `from` may be the later
///   one (the changes are then read backwards).
///
/// # Returns
/// Every list sorted by its key, with names; `summary` counts them.
///
/// # Complexity
/// O((V + S + P + K) log n) for the chain's V members, S supplies, P problems and K entries of
/// the analyses' lists at both sides, with n the size of the dataset (lookups by id). Without a
/// chain index in a [`Side`], reading that side's members and problems scans every organization
/// and problem of its dataset.
pub fn chain_changes(chain: &str, from: &Side, to: &Side) -> ChainChanges {
    let a = View::of(chain, from);
    let b = View::of(chain, to);
    let (a, b) = (a.as_ref(), b.as_ref());
    let name = b
        .or(a)
        .and_then(|v| v.record)
        .map_or_else(|| chain.to_string(), |c| c.name.clone());
    let mut changes = ChainChanges {
        chain: chain.to_string(),
        name,
        from_exists: a.is_some(),
        to_exists: b.is_some(),
        summary: ChangeSummary::default(),
        firms: firm_changes(a, b),
        supplies: supply_changes(a, b),
        problems: problem_changes(a, b),
        critical_nodes: critical_changes(a, b),
        single_source_parts: single_source_changes(a, b),
        foreign_only_parts: foreign_only_changes(a, b),
        coverage: CoverageChanges {
            from: a.map_or_else(CoverageFigures::absent, |v| CoverageFigures::of(v.analysis)),
            to: b.map_or_else(CoverageFigures::absent, |v| CoverageFigures::of(v.analysis)),
        },
    };
    changes.summary = changes.count();
    changes
}

/// A side at which the chain exists.
struct View<'a> {
    chain: &'a str,
    dataset: &'a Dataset,
    analysis: &'a ChainAnalysis,
    index: Option<&'a ChainIndex>,
    record: Option<&'a Chain>,
}

impl<'a> View<'a> {
    fn of(chain: &'a str, side: &Side<'a>) -> Option<View<'a>> {
        side.analysis.map(|analysis| View {
            chain,
            dataset: side.dataset,
            analysis,
            index: side.index,
            record: side.dataset.chains.get(chain),
        })
    }

    /// The chain's members with their membership, by id.
    fn members(&self) -> BTreeMap<&'a str, (&'a Organization, &'a Membership)> {
        let with = |o: &'a Organization| o.membership(self.chain).map(|m| (o.id.as_str(), (o, m)));
        match self.index {
            Some(index) => index
                .members(self.dataset, self.chain)
                .filter_map(with)
                .collect(),
            None => self
                .dataset
                .organizations
                .values()
                .filter_map(with)
                .collect(),
        }
    }

    /// The chain's problems, by id.
    fn problems(&self) -> BTreeMap<&'a str, &'a Problem> {
        let of_chain: Vec<&'a Problem> = match self.index {
            Some(index) => index.problems(self.dataset, self.chain),
            None => self.dataset.problems_of_chain(self.chain).collect(),
        };
        of_chain
            .into_iter()
            .filter(|p| p.chain == self.chain)
            .map(|p| (p.id.as_str(), p))
            .collect()
    }

    fn firm(&self, id: &str) -> FirmRef {
        FirmRef {
            id: id.to_string(),
            name: self.name(id),
        }
    }

    /// An organization's name on this side (its id when this side does not have it).
    fn name(&self, id: &str) -> String {
        self.dataset
            .organizations
            .get(id)
            .map_or_else(|| id.to_string(), |o| o.name.clone())
    }

    fn segment_name(&self, segment: &str) -> Option<String> {
        self.record?
            .segments
            .iter()
            .find(|s| s.id == segment)
            .map(|s| s.name.clone())
    }

    fn place(&self, m: &Membership) -> FirmPlace {
        FirmPlace {
            role: m.role,
            segment: m.segment.clone(),
            segment_name: self.segment_name(&m.segment),
        }
    }

    fn firm_entry(&self, org: &Organization, m: &Membership) -> FirmEntry {
        let place = self.place(m);
        FirmEntry {
            id: org.id.clone(),
            name: org.name.clone(),
            role: place.role,
            segment: place.segment,
            segment_name: place.segment_name,
        }
    }

    fn supply(&self, s: &Supply) -> SupplyEntry {
        SupplyEntry {
            chain: s.chain.clone(),
            supplier: s.supplier.clone(),
            supplier_name: self.name(&s.supplier),
            customer: s.customer.clone(),
            customer_name: self.name(&s.customer),
            part: s.part.clone(),
        }
    }

    fn problem(&self, p: &Problem) -> ProblemEntry {
        ProblemEntry {
            id: p.id.clone(),
            title: p.title.clone(),
            org: p.org.clone(),
            org_name: self.name(&p.org),
            category: p.category,
            severity: p.severity,
            status: p.status,
            needs: p.needs.clone(),
        }
    }

    fn critical_state(&self, masters: &[String], disabled_count: usize) -> CriticalState {
        CriticalState {
            disabled_masters: masters.iter().map(|m| self.firm(m)).collect(),
            disabled_count,
        }
    }
}

fn firm_changes(a: Option<&View>, b: Option<&View>) -> FirmChanges {
    let at_a = a.map(View::members).unwrap_or_default();
    let at_b = b.map(View::members).unwrap_or_default();
    let mut changes = FirmChanges::default();
    if let Some(b) = b {
        for (id, &(org, m)) in &at_b {
            match at_a.get(id) {
                None => changes.joined.push(b.firm_entry(org, m)),
                Some(&(_, old)) if old.role != m.role || old.segment != m.segment => {
                    // `at_a` is non-empty only when `a` is.
                    let a = a.expect("members at from");
                    changes.changed.push(FirmChange {
                        id: org.id.clone(),
                        name: org.name.clone(),
                        from: a.place(old),
                        to: b.place(m),
                    });
                }
                Some(_) => {}
            }
        }
    }
    if let Some(a) = a {
        for (id, &(org, m)) in &at_a {
            if !at_b.contains_key(id) {
                changes.left.push(a.firm_entry(org, m));
            }
        }
    }
    changes
}

fn supply_changes(a: Option<&View>, b: Option<&View>) -> SupplyChanges {
    /// The supplies of `side` that `other` lacks, in key order.
    fn only_in(side: Option<&View>, other: Option<&View>) -> Vec<SupplyEntry> {
        let Some(side) = side else {
            return Vec::new();
        };
        side.dataset
            .supplies_of_chain(side.chain)
            .filter(|s| other.is_none_or(|o| !o.dataset.supplies.contains(*s)))
            .map(|s| side.supply(s))
            .collect()
    }
    SupplyChanges {
        added: only_in(b, a),
        removed: only_in(a, b),
    }
}

/// Needs compared as multisets.
fn same_needs(x: &[String], y: &[String]) -> bool {
    let mut x: Vec<&String> = x.iter().collect();
    let mut y: Vec<&String> = y.iter().collect();
    x.sort_unstable();
    y.sort_unstable();
    x == y
}

fn problem_changes(a: Option<&View>, b: Option<&View>) -> ProblemChanges {
    let at_a = a.map(View::problems).unwrap_or_default();
    let at_b = b.map(View::problems).unwrap_or_default();
    let mut changes = ProblemChanges::default();
    if let Some(b) = b {
        for (id, p) in &at_b {
            if p.is_demand() && !at_a.get(id).is_some_and(|q| q.is_demand()) {
                changes.opened.push(b.problem(p));
            }
        }
    }
    if let Some(a) = a {
        for (id, old) in &at_a {
            if !old.is_demand() {
                continue;
            }
            match (b, at_b.get(id)) {
                (Some(b), Some(new)) if new.is_demand() => {
                    if old.severity != new.severity || !same_needs(&old.needs, &new.needs) {
                        changes.changed.push(ProblemChange {
                            id: new.id.clone(),
                            title: new.title.clone(),
                            org: new.org.clone(),
                            org_name: b.name(&new.org),
                            category: new.category,
                            status: new.status,
                            from: ProblemFigures {
                                severity: old.severity,
                                needs: old.needs.clone(),
                            },
                            to: ProblemFigures {
                                severity: new.severity,
                                needs: new.needs.clone(),
                            },
                        });
                    }
                }
                (Some(b), Some(new)) => changes.resolved.push(ResolvedProblem {
                    problem: b.problem(new),
                    resolution: Resolution::Resolved,
                }),
                _ => changes.resolved.push(ResolvedProblem {
                    problem: a.problem(old),
                    resolution: Resolution::Removed,
                }),
            }
        }
    }
    changes
}

fn critical_changes(a: Option<&View>, b: Option<&View>) -> CriticalNodeChanges {
    let nodes = |v: Option<&View<'_>>| -> BTreeMap<String, (Vec<String>, usize)> {
        v.map(|v| {
            v.analysis
                .weak
                .critical_nodes
                .iter()
                .map(|c| (c.id.clone(), (c.disabled_masters.clone(), c.disabled_count)))
                .collect()
        })
        .unwrap_or_default()
    };
    let (at_a, at_b) = (nodes(a), nodes(b));
    let entry = |v: &View, id: &str, (masters, count): &(Vec<String>, usize)| {
        let state = v.critical_state(masters, *count);
        CriticalNodeEntry {
            id: id.to_string(),
            name: v.name(id),
            disabled_masters: state.disabled_masters,
            disabled_count: state.disabled_count,
        }
    };
    let mut changes = CriticalNodeChanges::default();
    if let Some(b) = b {
        for (id, new) in &at_b {
            match (a, at_a.get(id)) {
                (Some(a), Some(old)) => {
                    if old.0 != new.0 {
                        changes.changed.push(CriticalNodeChange {
                            id: id.clone(),
                            name: b.name(id),
                            from: a.critical_state(&old.0, old.1),
                            to: b.critical_state(&new.0, new.1),
                        });
                    }
                }
                _ => changes.appeared.push(entry(b, id, new)),
            }
        }
    }
    if let Some(a) = a {
        for (id, old) in &at_a {
            if !at_b.contains_key(id) {
                changes.disappeared.push(entry(a, id, old));
            }
        }
    }
    changes
}

/// The (buyer, part) keys of one side's list, with that side's suppliers of each.
type PartKeys = BTreeMap<(String, String), Vec<String>>;

/// Part entries of the keys of `side` that `other` lacks, in key order.
fn parts_only_in(side: Option<&View>, keys: &PartKeys, other: &PartKeys) -> Vec<PartEntry> {
    let Some(side) = side else {
        return Vec::new();
    };
    keys.iter()
        .filter(|(key, _)| !other.contains_key(*key))
        .map(|((buyer, part), suppliers)| PartEntry {
            buyer: buyer.clone(),
            buyer_name: side.name(buyer),
            part: part.clone(),
            suppliers: suppliers.iter().map(|s| side.firm(s)).collect(),
        })
        .collect()
}

fn single_source_changes(a: Option<&View>, b: Option<&View>) -> PartChanges {
    let keys = |v: Option<&View>| -> PartKeys {
        v.map(|v| {
            v.analysis
                .weak
                .single_source_parts
                .iter()
                .map(|p| ((p.buyer.clone(), p.part.clone()), vec![p.supplier.clone()]))
                .collect()
        })
        .unwrap_or_default()
    };
    let (at_a, at_b) = (keys(a), keys(b));
    PartChanges {
        appeared: parts_only_in(b, &at_b, &at_a),
        disappeared: parts_only_in(a, &at_a, &at_b),
    }
}

fn foreign_only_changes(a: Option<&View>, b: Option<&View>) -> PartChanges {
    let keys = |v: Option<&View>| -> BTreeSet<(String, String)> {
        v.map(|v| {
            v.analysis
                .weak
                .foreign_only_parts
                .iter()
                .map(|p| (p.buyer.clone(), p.part.clone()))
                .collect()
        })
        .unwrap_or_default()
    };
    let (at_a, at_b) = (keys(a), keys(b));
    // Only the entries listed need their suppliers: one pass over that side's supplies.
    let with_suppliers = |v: Option<&View>, keys: BTreeSet<(String, String)>| -> PartKeys {
        let buyers: BTreeSet<String> = keys.iter().map(|(buyer, _)| buyer.clone()).collect();
        let mut out: PartKeys = keys.into_iter().map(|k| (k, Vec::new())).collect();
        if let Some(v) = v {
            for s in v.dataset.supplies_of_chain(v.chain) {
                if !buyers.contains(s.customer.as_str()) {
                    continue;
                }
                if let Some(list) = out.get_mut(&(s.customer.clone(), s.part.clone())) {
                    list.push(s.supplier.clone());
                }
            }
        }
        for list in out.values_mut() {
            list.sort_unstable();
            list.dedup();
        }
        out
    };
    let appeared: BTreeSet<_> = at_b.difference(&at_a).cloned().collect();
    let disappeared: BTreeSet<_> = at_a.difference(&at_b).cloned().collect();
    let none = PartKeys::new();
    PartChanges {
        appeared: parts_only_in(b, &with_suppliers(b, appeared), &none),
        disappeared: parts_only_in(a, &with_suppliers(a, disappeared), &none),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::quality::analyze_full;
    use crate::analysis::testing::{dataset, dataset_with_members, CHAIN};
    use crate::graph::Graphs;
    use crate::model::{Capability, Level, OrgKind};
    use std::sync::Arc;

    // ---- data at one side -------------------------------------------------------------------

    /// The chain's analysis, the real way.
    fn analysed(d: &Dataset) -> Arc<ChainAnalysis> {
        let mut report = analyze_full(d, &Graphs::build(d), Some(CHAIN));
        assert_eq!(report.chains.len(), 1);
        report.chains.remove(0)
    }

    /// The changes from `a` to `b` (`None`: the chain does not exist there). Reading members and
    /// problems through a chain index gives the same result as scanning.
    fn changes_between(a: Option<&Dataset>, b: Option<&Dataset>) -> ChainChanges {
        let empty = Dataset::new();
        let (da, db) = (a.unwrap_or(&empty), b.unwrap_or(&empty));
        let (xa, xb) = (a.map(analysed), b.map(analysed));
        let (ia, ib) = (ChainIndex::build(da), ChainIndex::build(db));
        let scanned = chain_changes(
            CHAIN,
            &Side::new(da, xa.as_deref()),
            &Side::new(db, xb.as_deref()),
        );
        let indexed = chain_changes(
            CHAIN,
            &Side::indexed(da, xa.as_deref(), &ia),
            &Side::indexed(db, xb.as_deref(), &ib),
        );
        assert_eq!(scanned, indexed);
        scanned
    }

    fn changes(a: &Dataset, b: &Dataset) -> ChainChanges {
        changes_between(Some(a), Some(b))
    }

    /// Puts `id` on the chain (replacing any record of it) in 320583.
    fn member(d: &mut Dataset, id: &str, role: Role, segment: &str) {
        d.organizations.insert(
            id.into(),
            Organization {
                id: id.into(),
                name: format!("企业{id}"),
                kind: OrgKind::Enterprise,
                region: Some("320583".into()),
                foreign: false,
                country: None,
                chains: Some(vec![Membership {
                    chain: CHAIN.into(),
                    role,
                    segment: segment.into(),
                }]),
                level: None,
                capabilities: None,
            },
        );
    }

    fn a_supply(from: &str, to: &str, part: &str) -> Supply {
        Supply {
            chain: CHAIN.into(),
            supplier: from.into(),
            customer: to.into(),
            part: part.into(),
        }
    }

    fn add_problem(
        d: &mut Dataset,
        id: &str,
        org: &str,
        severity: u8,
        status: Status,
        needs: &[&str],
    ) {
        d.problems.insert(
            id.into(),
            Problem {
                disclosure: Default::default(),
                id: id.into(),
                org: org.into(),
                chain: CHAIN.into(),
                title: format!("问题{id}"),
                category: Category::Testing,
                severity,
                status,
                needs: needs.iter().map(|n| n.to_string()).collect(),
            },
        );
    }

    /// A national inspection centre in 320583 with unlimited `code`.
    fn add_provider(d: &mut Dataset, id: &str, code: &str) {
        d.organizations.insert(
            id.into(),
            Organization {
                id: id.into(),
                name: format!("质检{id}"),
                kind: OrgKind::InspectionCenter,
                region: Some("320583".into()),
                foreign: false,
                country: None,
                chains: None,
                level: Some(Level::National),
                capabilities: Some(vec![Capability {
                    code: code.into(),
                    capacity: None,
                }]),
            },
        );
    }

    // ---- expected entries -------------------------------------------------------------------

    fn fref(id: &str) -> FirmRef {
        FirmRef {
            id: id.into(),
            name: format!("企业{id}"),
        }
    }

    fn firm(id: &str, role: Role, segment: &str) -> FirmEntry {
        FirmEntry {
            id: id.into(),
            name: format!("企业{id}"),
            role,
            segment: segment.into(),
            segment_name: Some(format!("{segment}段")),
        }
    }

    fn place(role: Role, segment: &str) -> FirmPlace {
        FirmPlace {
            role,
            segment: segment.into(),
            segment_name: Some(format!("{segment}段")),
        }
    }

    fn supply(from: &str, to: &str, part: &str) -> SupplyEntry {
        SupplyEntry {
            chain: CHAIN.into(),
            supplier: from.into(),
            supplier_name: format!("企业{from}"),
            customer: to.into(),
            customer_name: format!("企业{to}"),
            part: part.into(),
        }
    }

    fn critical(id: &str, masters: &[&str], disabled_count: usize) -> CriticalNodeEntry {
        CriticalNodeEntry {
            id: id.into(),
            name: format!("企业{id}"),
            disabled_masters: masters.iter().map(|m| fref(m)).collect(),
            disabled_count,
        }
    }

    fn state(masters: &[&str], disabled_count: usize) -> CriticalState {
        CriticalState {
            disabled_masters: masters.iter().map(|m| fref(m)).collect(),
            disabled_count,
        }
    }

    fn part(buyer: &str, part: &str, suppliers: &[&str]) -> PartEntry {
        PartEntry {
            buyer: buyer.into(),
            buyer_name: format!("企业{buyer}"),
            part: part.into(),
            suppliers: suppliers.iter().map(|s| fref(s)).collect(),
        }
    }

    fn problem(id: &str, org: &str, severity: u8, status: Status, needs: &[&str]) -> ProblemEntry {
        ProblemEntry {
            id: id.into(),
            title: format!("问题{id}"),
            org: org.into(),
            org_name: format!("企业{org}"),
            category: Category::Testing,
            severity,
            status,
            needs: needs.iter().map(|n| n.to_string()).collect(),
        }
    }

    fn figures(total: [u64; 6], by_element: [[u64; 6]; 5]) -> CoverageFigures {
        let cov = |f: [u64; 6]| Coverage {
            needs_total: f[0],
            needs_reachable: f[1],
            needs_assigned: f[2],
            severity_total: f[3],
            severity_assigned: f[4],
            tier_cost: f[5],
        };
        CoverageFigures {
            coverage: cov(total),
            by_element: Element::ALL
                .iter()
                .zip(by_element)
                .map(|(e, f)| ElementCoverage {
                    element: e.as_str().into(),
                    coverage: cov(f),
                })
                .collect(),
        }
    }

    /// Changes with every list empty and no needs at either side, to be filled by a test; the
    /// summary is counted by [`done`].
    fn nothing() -> ChainChanges {
        ChainChanges {
            chain: CHAIN.into(),
            name: "测试链".into(),
            from_exists: true,
            to_exists: true,
            summary: ChangeSummary::default(),
            firms: FirmChanges::default(),
            supplies: SupplyChanges::default(),
            problems: ProblemChanges::default(),
            critical_nodes: CriticalNodeChanges::default(),
            single_source_parts: PartChanges::default(),
            foreign_only_parts: PartChanges::default(),
            coverage: CoverageChanges {
                from: figures([0; 6], [[0; 6]; 5]),
                to: figures([0; 6], [[0; 6]; 5]),
            },
        }
    }

    fn done(mut c: ChainChanges) -> ChainChanges {
        c.summary = c.count();
        c
    }

    fn ids<T>(list: &[T], id: impl Fn(&T) -> &str) -> Vec<String> {
        list.iter().map(|e| id(e).to_string()).collect()
    }

    /// Reading the same two sides backwards swaps joined/left, added/removed and
    /// appeared/disappeared, swaps `from` and `to` of every change and of coverage, and swaps the
    /// ids (only) of opened and resolved problems.
    fn assert_reverses(a: Option<&Dataset>, b: Option<&Dataset>) {
        let fwd = changes_between(a, b);
        let bwd = changes_between(b, a);
        assert_eq!(fwd.firms.joined, bwd.firms.left);
        assert_eq!(fwd.firms.left, bwd.firms.joined);
        let swapped: Vec<(String, FirmPlace, FirmPlace)> = bwd
            .firms
            .changed
            .iter()
            .map(|c| (c.id.clone(), c.to.clone(), c.from.clone()))
            .collect();
        let forward: Vec<(String, FirmPlace, FirmPlace)> = fwd
            .firms
            .changed
            .iter()
            .map(|c| (c.id.clone(), c.from.clone(), c.to.clone()))
            .collect();
        assert_eq!(forward, swapped);
        assert_eq!(fwd.supplies.added, bwd.supplies.removed);
        assert_eq!(fwd.supplies.removed, bwd.supplies.added);
        let c = (&fwd.critical_nodes, &bwd.critical_nodes);
        assert_eq!(c.0.appeared, c.1.disappeared);
        assert_eq!(c.0.disappeared, c.1.appeared);
        let forward: Vec<_> =
            c.0.changed
                .iter()
                .map(|x| (&x.id, &x.from, &x.to))
                .collect();
        let swapped: Vec<_> =
            c.1.changed
                .iter()
                .map(|x| (&x.id, &x.to, &x.from))
                .collect();
        assert_eq!(forward, swapped);
        for (f, b) in [
            (&fwd.single_source_parts, &bwd.single_source_parts),
            (&fwd.foreign_only_parts, &bwd.foreign_only_parts),
        ] {
            assert_eq!(f.appeared, b.disappeared);
            assert_eq!(f.disappeared, b.appeared);
        }
        assert_eq!(fwd.coverage.from, bwd.coverage.to);
        assert_eq!(fwd.coverage.to, bwd.coverage.from);
        assert_eq!(
            (fwd.from_exists, fwd.to_exists),
            (bwd.to_exists, bwd.from_exists)
        );
        // Problems: symmetric in ids only.
        let p = (&fwd.problems, &bwd.problems);
        assert_eq!(
            ids(&p.0.opened, |e| &e.id),
            ids(&p.1.resolved, |e| &e.problem.id)
        );
        assert_eq!(
            ids(&p.0.resolved, |e| &e.problem.id),
            ids(&p.1.opened, |e| &e.id)
        );
        let forward: Vec<_> =
            p.0.changed
                .iter()
                .map(|x| (&x.id, &x.from, &x.to))
                .collect();
        let swapped: Vec<_> =
            p.1.changed
                .iter()
                .map(|x| (&x.id, &x.to, &x.from))
                .collect();
        assert_eq!(forward, swapped);
    }

    // ---- the tests --------------------------------------------------------------------------

    /// M buys p from A; A buys q from B or C. B is not critical while C is an alternative: when
    /// C goes, B (two tiers from M) becomes critical, and when C comes back it is not any more.
    #[test]
    fn a_critical_node_appears_and_disappears_two_tiers_from_the_master() {
        let before = dataset(
            &["M"],
            &[],
            &[("A", "M", "p"), ("B", "A", "q"), ("C", "A", "q")],
        );
        let mut after = before.clone();
        after.supplies.remove(&a_supply("C", "A", "q"));
        after.organizations.remove("C");
        assert_eq!(analysed(&before).weak.critical_nodes.len(), 1);

        let mut expected = nothing();
        expected.firms.left = vec![firm("C", Role::Member, "up")];
        expected.supplies.removed = vec![supply("C", "A", "q")];
        expected.critical_nodes.appeared = vec![critical("B", &["M"], 2)];
        expected.single_source_parts.appeared = vec![part("A", "q", &["B"])];
        assert_eq!(changes(&before, &after), done(expected));

        // The reverse case: C comes back as an alternative to B.
        let mut expected = nothing();
        expected.firms.joined = vec![firm("C", Role::Member, "up")];
        expected.supplies.added = vec![supply("C", "A", "q")];
        expected.critical_nodes.disappeared = vec![critical("B", &["M"], 2)];
        expected.single_source_parts.disappeared = vec![part("A", "q", &["B"])];
        assert_eq!(changes(&after, &before), done(expected));

        assert_reverses(Some(&before), Some(&after));
    }

    /// X alone supplies M1; then it also becomes the one supplier of a part of M2: still critical,
    /// now disabling both masters. Y's failure comes to disable one more firm but the same
    /// master: not a change.
    #[test]
    fn a_critical_node_whose_disabled_masters_change_is_changed() {
        let before = dataset(&["M1", "M2"], &[], &[("X", "M1", "p"), ("Y", "M2", "r")]);
        let mut after = before.clone();
        after.supplies.insert(a_supply("X", "M2", "s"));
        member(&mut after, "Z", Role::Member, "mid");
        after.supplies.insert(a_supply("Y", "Z", "t"));
        after.supplies.insert(a_supply("Z", "M2", "u"));

        let mut expected = nothing();
        expected.firms.joined = vec![firm("Z", Role::Member, "mid")];
        expected.supplies.added = vec![
            supply("X", "M2", "s"),
            supply("Y", "Z", "t"),
            supply("Z", "M2", "u"),
        ];
        expected.critical_nodes.appeared = vec![critical("Z", &["M2"], 1)];
        expected.critical_nodes.changed = vec![CriticalNodeChange {
            id: "X".into(),
            name: "企业X".into(),
            from: state(&["M1"], 1),
            to: state(&["M1", "M2"], 2),
        }];
        expected.single_source_parts.appeared = vec![
            part("M2", "s", &["X"]),
            part("M2", "u", &["Z"]),
            part("Z", "t", &["Y"]),
        ];
        let got = changes(&before, &after);
        assert_eq!(got, done(expected));
        // Y disables M2 at both sides (one firm more at `to`): critical, unchanged.
        let y = analysed(&after);
        let y = y.weak.critical_nodes.iter().find(|c| c.id == "Y").unwrap();
        assert_eq!(
            (y.disabled_masters.clone(), y.disabled_count),
            (vec!["M2".into()], 2)
        );

        assert_reverses(Some(&before), Some(&after));
    }

    /// The resin gets a domestic supplier (localised: no longer foreign-only), the film a second
    /// supplier (no longer single-source), and the glass comes from one new supplier.
    #[test]
    fn part_problems_appear_and_disappear_by_buyer_and_part() {
        let before = dataset(
            &["M"],
            &["J", "J2"],
            &[
                ("J", "M", "resin"),
                ("J2", "M", "resin"),
                ("S", "M", "film"),
            ],
        );
        let mut after = before.clone();
        for (id, p) in [("D", "resin"), ("T", "film"), ("N", "glass")] {
            member(&mut after, id, Role::Member, "up");
            after.supplies.insert(a_supply(id, "M", p));
        }

        let mut expected = nothing();
        expected.firms.joined = vec![
            firm("D", Role::Member, "up"),
            firm("N", Role::Member, "up"),
            firm("T", Role::Member, "up"),
        ];
        expected.supplies.added = vec![
            supply("D", "M", "resin"),
            supply("N", "M", "glass"),
            supply("T", "M", "film"),
        ];
        expected.critical_nodes.appeared = vec![critical("N", &["M"], 1)];
        expected.critical_nodes.disappeared = vec![critical("S", &["M"], 1)];
        expected.single_source_parts.appeared = vec![part("M", "glass", &["N"])];
        expected.single_source_parts.disappeared = vec![part("M", "film", &["S"])];
        expected.foreign_only_parts.disappeared = vec![part("M", "resin", &["J", "J2"])];
        assert_eq!(changes(&before, &after), done(expected));

        assert_reverses(Some(&before), Some(&after));
    }

    /// The survey of a chain without supplies: firms leave, join, change role or segment;
    /// problems open, resolve, disappear and change; coverage at both sides.
    fn survey_pair() -> (Dataset, Dataset) {
        use Status::{InProgress, Open, Resolved};
        let mut before = dataset_with_members(&["a", "b", "c"], &["M"], &[], &[]);
        add_provider(&mut before, "Q", "testing:x");
        let (x, y) = ("testing:x", "metrology:y");
        add_problem(&mut before, "p1", "a", 3, Open, &[x]);
        add_problem(&mut before, "p2", "b", 2, Open, &[]);
        add_problem(&mut before, "p3", "c", 1, InProgress, &[]);
        add_problem(&mut before, "p4", "a", 1, Resolved, &[x]);
        add_problem(&mut before, "p5", "a", 2, Open, &[y]);
        add_problem(&mut before, "p7", "b", 4, Open, &[x]);
        add_problem(&mut before, "p8", "b", 2, Open, &[x, y]);
        add_problem(&mut before, "p9", "b", 3, Open, &[]);
        // Another chain, with a firm and a problem of its own: none of this chain's business.
        let mut other = before.chains[CHAIN].clone();
        other.id = "c2".into();
        other.name = "另一链".into();
        before.chains.insert("c2".into(), other);
        member(&mut before, "e", Role::ChainMaster, "down");
        let e = before.organizations.get_mut("e").unwrap();
        e.chains.as_mut().unwrap()[0].chain = "c2".into();
        add_problem(&mut before, "q1", "e", 5, Open, &[x]);
        before.problems.get_mut("q1").unwrap().chain = "c2".into();

        let mut after = before.clone();
        after.organizations.remove("c");
        after.problems.remove("p3");
        member(&mut after, "d", Role::Member, "mid");
        member(&mut after, "a", Role::ChainMaster, "up");
        member(&mut after, "b", Role::Member, "mid");
        add_problem(&mut after, "p1", "a", 3, Resolved, &[x]);
        add_problem(&mut after, "p2", "b", 4, Open, &[]);
        add_problem(&mut after, "p4", "a", 1, Open, &[x]);
        add_problem(&mut after, "p5", "a", 2, Open, &[y, x]);
        add_problem(&mut after, "p6", "d", 5, Open, &["standard:z"]);
        add_problem(&mut after, "p7", "b", 4, InProgress, &[x]);
        add_problem(&mut after, "p8", "b", 2, Open, &[y, x]);
        // b is renamed and joins the other chain too, taking p9 there: gone from this one.
        let b = after.organizations.get_mut("b").unwrap();
        b.name = "新名b".into();
        b.chains.as_mut().unwrap().push(Membership {
            chain: "c2".into(),
            role: Role::Member,
            segment: "up".into(),
        });
        after.problems.get_mut("p9").unwrap().chain = "c2".into();
        after.problems.get_mut("q1").unwrap().severity = 1;
        (before, after)
    }

    /// [`survey_pair`]'s coverage: from 5 needs (3 testing ones assigned, 2 metrology ones out of
    /// reach) to 7.
    fn survey_coverage() -> CoverageChanges {
        CoverageChanges {
            from: figures(
                [5, 3, 3, 13, 9, 0],
                [
                    [2, 0, 0, 4, 0, 0],
                    [0; 6],
                    [3, 3, 3, 9, 9, 0],
                    [0; 6],
                    [0; 6],
                ],
            ),
            to: figures(
                [7, 4, 4, 18, 9, 0],
                [
                    [2, 0, 0, 4, 0, 0],
                    [1, 0, 0, 5, 0, 0],
                    [4, 4, 4, 9, 9, 0],
                    [0; 6],
                    [0; 6],
                ],
            ),
        }
    }

    #[test]
    fn firms_and_problems_change_and_coverage_is_read_at_both_sides() {
        use Status::{InProgress, Open, Resolved};
        let (before, after) = survey_pair();
        let mut expected = nothing();
        expected.firms.joined = vec![firm("d", Role::Member, "mid")];
        expected.firms.left = vec![firm("c", Role::Member, "up")];
        expected.firms.changed = vec![
            FirmChange {
                id: "a".into(),
                name: "企业a".into(),
                from: place(Role::Member, "up"),
                to: place(Role::ChainMaster, "up"),
            },
            FirmChange {
                id: "b".into(),
                name: "新名b".into(),
                from: place(Role::Member, "up"),
                to: place(Role::Member, "mid"),
            },
        ];
        expected.problems.opened = vec![
            problem("p4", "a", 1, Open, &["testing:x"]),
            problem("p6", "d", 5, Open, &["standard:z"]),
        ];
        expected.problems.resolved = vec![
            ResolvedProblem {
                problem: problem("p1", "a", 3, Resolved, &["testing:x"]),
                resolution: Resolution::Resolved,
            },
            ResolvedProblem {
                problem: problem("p3", "c", 1, InProgress, &[]),
                resolution: Resolution::Removed,
            },
            ResolvedProblem {
                problem: problem("p9", "b", 3, Open, &[]),
                resolution: Resolution::Removed,
            },
        ];
        expected.problems.changed = vec![
            ProblemChange {
                id: "p2".into(),
                title: "问题p2".into(),
                org: "b".into(),
                org_name: "新名b".into(),
                category: Category::Testing,
                status: Open,
                from: ProblemFigures {
                    severity: 2,
                    needs: vec![],
                },
                to: ProblemFigures {
                    severity: 4,
                    needs: vec![],
                },
            },
            ProblemChange {
                id: "p5".into(),
                title: "问题p5".into(),
                org: "a".into(),
                org_name: "企业a".into(),
                category: Category::Testing,
                status: Open,
                from: ProblemFigures {
                    severity: 2,
                    needs: vec!["metrology:y".into()],
                },
                to: ProblemFigures {
                    severity: 2,
                    needs: vec!["metrology:y".into(), "testing:x".into()],
                },
            },
        ];
        expected.coverage = survey_coverage();
        let got = changes(&before, &after);
        assert_eq!(got, done(expected));
        assert_eq!(
            got.summary,
            ChangeSummary {
                firms_joined: 1,
                firms_left: 1,
                firms_changed: 2,
                problems_opened: 2,
                problems_resolved: 3,
                problems_changed: 2,
                ..ChangeSummary::default()
            }
        );
        // The coverage is the analyses' own, overall and by element.
        let (ca, cb) = (analysed(&before), analysed(&after));
        assert_eq!(got.coverage.from, CoverageFigures::of(&ca));
        assert_eq!(got.coverage.to, CoverageFigures::of(&cb));

        // The JSON shape: a resolved problem is the problem's fields plus how it was resolved.
        let json = serde_json::to_value(&got).unwrap();
        let removed = &json["problems"]["resolved"][1];
        assert_eq!(removed["id"], "p3");
        assert_eq!(removed["org_name"], "企业c");
        assert_eq!(removed["resolution"], "removed");
        assert_eq!(json["firms"]["changed"][0]["to"]["role"], "chain_master");
        assert_eq!(json["summary"]["problems_resolved"], 3);

        assert_reverses(Some(&before), Some(&after));
    }

    /// The problem lists backwards: a problem resolved at the later side was demand at the
    /// earlier one, so read backwards it is opened, and one that is new at the later side is
    /// removed.
    #[test]
    fn problems_read_backwards_keep_their_ids_but_not_their_entries() {
        use Status::{InProgress, Open, Resolved};
        let (before, after) = survey_pair();
        let back = changes(&after, &before);
        assert_eq!(
            back.problems.opened,
            vec![
                problem("p1", "a", 3, Open, &["testing:x"]),
                problem("p3", "c", 1, InProgress, &[]),
                problem("p9", "b", 3, Open, &[]),
            ]
        );
        assert_eq!(
            back.problems.resolved,
            vec![
                ResolvedProblem {
                    problem: problem("p4", "a", 1, Resolved, &["testing:x"]),
                    resolution: Resolution::Resolved,
                },
                ResolvedProblem {
                    problem: ProblemEntry {
                        org_name: "企业d".into(),
                        ..problem("p6", "d", 5, Open, &["standard:z"])
                    },
                    resolution: Resolution::Removed,
                },
            ]
        );
        assert_eq!(
            ids(&back.problems.changed, |c| &c.id),
            vec!["p2".to_string(), "p5".to_string()]
        );
        assert_eq!(back.problems.changed[0].org_name, "企业b");
    }

    /// [`part_problems_appear_and_disappear_by_buyer_and_part`]'s later side with a problem.
    fn grown_chain() -> Dataset {
        let mut d = dataset(
            &["M"],
            &["J", "J2"],
            &[
                ("J", "M", "resin"),
                ("J2", "M", "resin"),
                ("D", "M", "resin"),
                ("S", "M", "film"),
                ("T", "M", "film"),
                ("N", "M", "glass"),
            ],
        );
        add_problem(&mut d, "p1", "N", 5, Status::Open, &[]);
        add_problem(&mut d, "p2", "N", 2, Status::Resolved, &[]);
        d
    }

    #[test]
    fn a_chain_absent_at_one_side_is_all_joined_or_all_left() {
        let d = grown_chain();
        // In id order: the master M sits between J2 and N.
        let joined: Vec<FirmEntry> = ["D", "J", "J2", "M", "N", "S", "T"]
            .iter()
            .map(|&id| match id {
                "M" => firm(id, Role::ChainMaster, "down"),
                _ => firm(id, Role::Member, "up"),
            })
            .collect();
        let supplies = vec![
            supply("D", "M", "resin"),
            supply("J", "M", "resin"),
            supply("J2", "M", "resin"),
            supply("N", "M", "glass"),
            supply("S", "M", "film"),
            supply("T", "M", "film"),
        ];
        let critical_nodes = vec![critical("N", &["M"], 1)];
        let single = vec![part("M", "glass", &["N"])];

        let mut expected = nothing();
        expected.from_exists = false;
        expected.firms.joined = joined.clone();
        expected.supplies.added = supplies.clone();
        expected.problems.opened = vec![problem("p1", "N", 5, Status::Open, &[])];
        expected.critical_nodes.appeared = critical_nodes.clone();
        expected.single_source_parts.appeared = single.clone();
        assert_eq!(changes_between(None, Some(&d)), done(expected));

        let mut expected = nothing();
        expected.to_exists = false;
        expected.firms.left = joined;
        expected.supplies.removed = supplies;
        expected.problems.resolved = vec![ResolvedProblem {
            problem: problem("p1", "N", 5, Status::Open, &[]),
            resolution: Resolution::Removed,
        }];
        expected.critical_nodes.disappeared = critical_nodes;
        expected.single_source_parts.disappeared = single;
        assert_eq!(changes_between(Some(&d), None), done(expected));

        // A foreign-only part at the only side is listed with its suppliers.
        let mut only_foreign = d.clone();
        only_foreign.supplies.remove(&a_supply("D", "M", "resin"));
        let got = changes_between(None, Some(&only_foreign));
        assert_eq!(
            got.foreign_only_parts.appeared,
            vec![part("M", "resin", &["J", "J2"])]
        );
        assert_eq!(got.coverage.from, CoverageFigures::absent());

        assert_reverses(None, Some(&d));
        assert_reverses(Some(&d), None);
    }

    #[test]
    fn retain_firms_keeps_what_touches_kept_firms_and_counts_again() {
        let before = dataset(
            &["M"],
            &["J", "J2"],
            &[
                ("J", "M", "resin"),
                ("J2", "M", "resin"),
                ("S", "M", "film"),
            ],
        );
        let after = grown_chain();
        let mut got = changes(&before, &after);
        let keep = |id: &str| ["M", "S", "J", "N"].contains(&id);
        got.retain_firms(&keep);

        let mut expected = nothing();
        expected.firms.joined = vec![firm("N", Role::Member, "up")];
        expected.supplies.added = vec![supply("N", "M", "glass")];
        expected.problems.opened = vec![problem("p1", "N", 5, Status::Open, &[])];
        expected.critical_nodes.appeared = vec![critical("N", &["M"], 1)];
        expected.critical_nodes.disappeared = vec![critical("S", &["M"], 1)];
        expected.single_source_parts.appeared = vec![part("M", "glass", &["N"])];
        expected.single_source_parts.disappeared = vec![part("M", "film", &["S"])];
        expected.foreign_only_parts.disappeared = vec![part("M", "resin", &["J"])];
        let expected = done(expected);
        assert_eq!(got, expected);
        assert_eq!(got.summary.firms_joined, 1);
        assert_eq!(got.summary.supplies_added, 1);

        // Without the buyer, its part problems go; without the masters, so does what a critical
        // node disables, and a change that only other masters saw.
        let mut without_m = changes(&before, &after);
        without_m.retain_firms(&|id: &str| id != "M");
        assert_eq!(without_m.single_source_parts, PartChanges::default());
        assert_eq!(without_m.foreign_only_parts, PartChanges::default());
        assert_eq!(without_m.supplies, SupplyChanges::default());
        assert_eq!(
            without_m.critical_nodes.appeared,
            vec![CriticalNodeEntry {
                disabled_masters: vec![],
                ..critical("N", &[], 1)
            }]
        );
        let two = dataset(&["M1", "M2"], &[], &[("X", "M1", "p")]);
        let mut more = two.clone();
        more.supplies.insert(a_supply("X", "M2", "s"));
        let mut got = changes(&two, &more);
        assert_eq!(got.critical_nodes.changed.len(), 1);
        got.retain_firms(&|id: &str| id != "M2");
        assert_eq!(got.critical_nodes, CriticalNodeChanges::default());
        assert_eq!(got.summary.critical_nodes_changed, 0);
    }

    #[test]
    fn figures_only_keeps_the_summary_and_coverage() {
        let (before, after) = survey_pair();
        let full = changes(&before, &after);
        let mut figures = full.clone();
        figures.figures_only();
        let mut expected = nothing();
        expected.coverage = survey_coverage();
        expected.summary = full.summary;
        assert_eq!(figures, expected);
        assert_eq!(figures.summary.problems_opened, 2);
    }
}
