//! Semantic checks: the rules of docs/domain.md over typed records, and the consistency of a document
//! with the records already stored.
//!
//! Indexes borrow the strings of the document (no per-record cloning), so a valid document of
//! millions of records is checked with a few hash tables of pointers. Records of the store are
//! fetched through `Lookup` only for references the document does not resolve, and each is
//! fetched once.

mod notice;
mod work;

use super::{ErrorCode, Report, ValidationError};
use crate::model::limits::{ID, PART, SUMMARY, TEXT};
use crate::model::{
    divisions, region, Bundle, CatalogueEntry, Chain, Consortium, Element, Goal, Lookup, Notice,
    OrgKind, Organization, PolicyTool, Problem, Project, Region, Supply, SupplyList, SupplyRef,
    BUNDLE_VERSION,
};
use std::collections::{hash_map, BTreeMap, HashMap, HashSet};

/// The hasher of the tables indexed per supply. foldhash is several times cheaper than SipHash on
/// short keys, which lets the processor overlap the cache misses of consecutive lookups, and its
/// per-process random seed keeps it resistant enough to crafted collisions for documents.
type FastHash = foldhash::fast::RandomState;

/// Semantic checks of an already-typed bundle against itself and `existing`.
///
/// Returns the errors found, in document order within each kind (regions, chains,
/// organizations, supplies, problems; then the ids of consortia and of projects, projects,
/// consortia, policy tools, goals), then the consistency errors against `existing`.
pub fn check_bundle(bundle: &Bundle, existing: &dyn Lookup) -> Report {
    check_records(bundle, Some(bundle.version), existing)
}

/// The checks of [`check_bundle`]; `version` is `None` where the bundle is not a document (the
/// upserts of a `ChangeSet`, often built with `ChangeSet::default()`).
pub(super) fn check_records(
    bundle: &Bundle,
    version: Option<u32>,
    existing: &dyn Lookup,
) -> Report {
    check_doc(&Doc::of(bundle, version), existing)
}

/// One record of a document that failed typed parsing: either typed, or known only by its id
/// (when the id itself is a string) because the record has structural errors.
pub(super) enum Slot<T> {
    Sound(T),
    Opaque(Option<String>),
}

/// The records of one kind.
pub(super) enum Column<'a, T> {
    Typed(&'a [T]),
    Mixed(&'a [Slot<T>]),
    /// The whole array was unusable (not an array): references to this kind cannot be judged.
    Unusable,
}

#[derive(Clone, Copy)]
enum Entry<'a, T> {
    Sound(&'a T),
    Opaque(Option<&'a str>),
}

impl<T> Clone for Column<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Column<'_, T> {}

impl<'a, T> Column<'a, T> {
    /// The record at `index`, unless it is opaque.
    fn get(&self, index: usize) -> Option<&'a T> {
        match *self {
            Column::Typed(records) => records.get(index),
            Column::Mixed(slots) => match slots.get(index) {
                Some(Slot::Sound(t)) => Some(t),
                _ => None,
            },
            Column::Unusable => None,
        }
    }

    fn entries(&self) -> Box<dyn Iterator<Item = (usize, Entry<'a, T>)> + 'a> {
        match *self {
            Column::Typed(records) => Box::new(records.iter().map(Entry::Sound).enumerate()),
            Column::Mixed(slots) => Box::new(slots.iter().enumerate().map(|(i, s)| {
                let entry = match s {
                    Slot::Sound(t) => Entry::Sound(t),
                    Slot::Opaque(id) => Entry::Opaque(id.as_deref()),
                };
                (i, entry)
            })),
            Column::Unusable => Box::new(std::iter::empty()),
        }
    }

    fn sound(&self) -> impl Iterator<Item = (usize, &'a T)> + 'a {
        self.entries().filter_map(|(i, e)| match e {
            Entry::Sound(t) => Some((i, t)),
            Entry::Opaque(_) => None,
        })
    }

    fn len(&self) -> usize {
        match self {
            Column::Typed(r) => r.len(),
            Column::Mixed(s) => s.len(),
            Column::Unusable => 0,
        }
    }
}

/// A document as the checks see it; `version` is `None` when the structural walk already judged it.
pub(super) struct Doc<'a> {
    pub version: Option<u32>,
    pub regions: Column<'a, Region>,
    pub capabilities: Column<'a, CatalogueEntry>,
    pub chains: Column<'a, Chain>,
    pub organizations: Column<'a, Organization>,
    pub supplies: Column<'a, Supply>,
    /// The supplies, when the document's supplies were packed while parsing (then `supplies`
    /// is empty).
    pub packed_supplies: Option<&'a SupplyList>,
    pub problems: Column<'a, Problem>,
    pub projects: Column<'a, Project>,
    pub consortia: Column<'a, Consortium>,
    pub policy_tools: Column<'a, PolicyTool>,
    pub goals: Column<'a, Goal>,
    pub notices: Column<'a, Notice>,
}

impl<'a> Doc<'a> {
    /// The records of a typed bundle.
    pub fn of(bundle: &'a Bundle, version: Option<u32>) -> Doc<'a> {
        Doc {
            version,
            regions: Column::Typed(&bundle.regions),
            capabilities: Column::Typed(&bundle.capabilities),
            chains: Column::Typed(&bundle.chains),
            organizations: Column::Typed(&bundle.organizations),
            supplies: Column::Typed(&bundle.supplies),
            packed_supplies: None,
            problems: Column::Typed(&bundle.problems),
            projects: Column::Typed(&bundle.projects),
            consortia: Column::Typed(&bundle.consortia),
            policy_tools: Column::Typed(&bundle.policy_tools),
            goals: Column::Typed(&bundle.goals),
            notices: Column::Typed(&bundle.notices),
        }
    }
}

/// A supply as the checks read it: a typed record, or one of a [`SupplyList`]. `Seen` is what
/// tells duplicates apart: the record itself, or its packed bytes (all four fields).
trait SupplyFields<'s>: Copy {
    type Seen: std::hash::Hash + Eq;
    fn fields(&self) -> SupplyRef<'s>;
    fn seen(&self) -> Self::Seen;
}

impl<'s> SupplyFields<'s> for &'s Supply {
    type Seen = &'s Supply;

    fn fields(&self) -> SupplyRef<'s> {
        SupplyRef {
            chain: &self.chain,
            supplier: &self.supplier,
            customer: &self.customer,
            part: &self.part,
        }
    }

    fn seen(&self) -> &'s Supply {
        self
    }
}

#[derive(Clone, Copy)]
struct Packed<'s> {
    list: &'s SupplyList,
    i: usize,
}

impl<'s> SupplyFields<'s> for Packed<'s> {
    type Seen = &'s [u8];

    fn fields(&self) -> SupplyRef<'s> {
        self.list.get(self.i)
    }

    fn seen(&self) -> &'s [u8] {
        self.list.joined(self.i)
    }
}

/// A record of the document found by id: its index, and the record unless it is opaque.
#[derive(Clone, Copy)]
struct Indexed<'a, T> {
    index: usize,
    record: Option<&'a T>,
}

/// An id as a hash-map key, held inline when short (as most ids are), so that a lookup compares
/// bytes inside the table instead of following a pointer to the record's string: at millions of
/// random supply ends that pointer is a cache miss per lookup.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum IdKey<'a> {
    Inline { len: u8, bytes: [u8; INLINE_ID] },
    Heap(&'a str),
}

/// Long enough for an 18-character unified social credit code (统一社会信用代码).
const INLINE_ID: usize = 22;

impl<'a> IdKey<'a> {
    fn new(id: &'a str) -> Self {
        match u8::try_from(id.len()) {
            Ok(len) if id.len() <= INLINE_ID => {
                let mut bytes = [0; INLINE_ID];
                bytes[..id.len()].copy_from_slice(id.as_bytes());
                IdKey::Inline { len, bytes }
            }
            _ => IdKey::Heap(id),
        }
    }
}

/// An organization of the document as references see it, precomputed when indexing so that
/// checking a supply end touches only the index entry, not the record, its memberships and their
/// strings (each a likely cache miss at millions of supplies).
#[derive(Clone, Copy)]
struct OrgEntry {
    index: u32,
    shape: Shape,
}

#[derive(Clone, Copy)]
enum Shape {
    Opaque,
    Provider(OrgKind),
    /// `chains` holds the interned ids of the first `count` chains (at most two); an enterprise
    /// on more chains is looked up on its record.
    Enterprise {
        count: u8,
        chains: [u32; 2],
    },
}

/// What the checks need to know about a referenced organization.
enum OrgFacts {
    Missing,
    /// In the document, but not sound: nothing more is known.
    Opaque,
    Provider(OrgKind),
    Enterprise {
        member: bool,
    },
}

/// What the checks need to know about a referenced chain (and optionally one of its segments).
enum ChainFacts {
    Missing,
    Opaque,
    Known { has_segment: bool },
}

struct Checker<'a> {
    existing: &'a dyn Lookup,
    errors: Report,
    chains: HashMap<&'a str, Indexed<'a, Chain>>,
    organizations: HashMap<IdKey<'a>, OrgEntry, FastHash>,
    organization_records: Column<'a, Organization>,
    /// Organizations left out of the index (empty or duplicate ids): few, usually none.
    unindexed_organizations: HashSet<usize>,
    /// Every chain id named by a chain or a membership of the document, as a small integer.
    chain_keys: HashMap<&'a str, u32>,
    problem_ids: HashMap<&'a str, usize>,
    problem_records: Column<'a, Problem>,
    /// Ids of the document's projects and consortia (see [`work`]).
    project_ids: HashMap<&'a str, usize>,
    consortium_ids: HashMap<&'a str, usize>,
    consortium_records: Column<'a, Consortium>,
    /// The region codes the document's `regions` name (any code, sound or not).
    region_codes: HashSet<&'a str>,
    /// The document's `regions` were unusable: codes it may name cannot be judged unknown.
    regions_unusable: bool,
    chains_unusable: bool,
    organizations_unusable: bool,
    problems_unusable: bool,
    consortia_unusable: bool,
    projects_unusable: bool,
    /// Records of `existing` fetched so far (`None`: not there), so each is fetched once.
    stored_chains: HashMap<String, Option<Chain>>,
    stored_organizations: BTreeMap<String, Option<Organization>>,
    /// The chain of each stored problem and consortium fetched so far (`None`: not stored).
    stored_problem_chains: HashMap<String, Option<String>>,
    stored_consortium_chains: HashMap<String, Option<String>>,
    /// Every stored project and consortium, fetched at most once, when a replaced record
    /// could break one.
    stored_projects: Option<Vec<Project>>,
    stored_consortia: Option<Vec<Consortium>>,
}

pub(super) fn check_doc<'a>(doc: &Doc<'a>, existing: &'a dyn Lookup) -> Report {
    let mut c = Checker {
        existing,
        errors: Report::new(),
        chains: HashMap::with_capacity(doc.chains.len()),
        organizations: HashMap::with_capacity_and_hasher(
            doc.organizations.len(),
            FastHash::default(),
        ),
        organization_records: doc.organizations,
        unindexed_organizations: HashSet::new(),
        chain_keys: HashMap::new(),
        problem_ids: HashMap::with_capacity(doc.problems.len()),
        problem_records: doc.problems,
        project_ids: HashMap::with_capacity(doc.projects.len()),
        consortium_ids: HashMap::with_capacity(doc.consortia.len()),
        consortium_records: doc.consortia,
        region_codes: HashSet::with_capacity(doc.regions.len()),
        regions_unusable: matches!(doc.regions, Column::Unusable),
        chains_unusable: matches!(doc.chains, Column::Unusable),
        organizations_unusable: matches!(doc.organizations, Column::Unusable),
        problems_unusable: matches!(doc.problems, Column::Unusable),
        consortia_unusable: matches!(doc.consortia, Column::Unusable),
        projects_unusable: matches!(doc.projects, Column::Unusable),
        stored_chains: HashMap::new(),
        stored_organizations: BTreeMap::new(),
        stored_problem_chains: HashMap::new(),
        stored_consortium_chains: HashMap::new(),
        stored_projects: None,
        stored_consortia: None,
    };
    if let Some(version) = doc.version {
        if version != BUNDLE_VERSION {
            c.push(
                ErrorCode::UnsupportedVersion,
                "/version".into(),
                format!("unsupported version {version}; this build reads version {BUNDLE_VERSION}"),
            );
        }
    }
    c.regions(&doc.regions);
    c.catalogue(&doc.capabilities);
    c.index_chains(&doc.chains);
    c.index_organizations(&doc.organizations);
    for (i, org) in doc.organizations.sound() {
        c.organization(i, org);
    }
    match doc.packed_supplies {
        Some(list) => c.supplies((0..list.len()).map(|i| (i, Packed { list, i })), list.len()),
        None => c.supplies(doc.supplies.sound(), doc.supplies.len()),
    }
    c.problems(&doc.problems);
    c.consortium_ids = c.index_ids(&doc.consortia, "consortia", "consortium", |r| &r.id);
    c.project_ids = c.index_ids(&doc.projects, "projects", "project", |r| &r.id);
    for (i, p) in doc.projects.sound() {
        c.project(i, p);
    }
    for (i, r) in doc.consortia.sound() {
        c.consortium(i, r);
    }
    c.index_ids(&doc.policy_tools, "policy_tools", "policy tool", |r| &r.id);
    for (i, t) in doc.policy_tools.sound() {
        c.policy_tool(i, t);
    }
    c.index_ids(&doc.goals, "goals", "goal", |r| &r.id);
    for (i, g) in doc.goals.sound() {
        c.goal(i, g);
    }
    c.index_ids(&doc.notices, "notices", "notice", |r| &r.id);
    for (i, n) in doc.notices.sound() {
        c.notice(i, n);
    }
    c.replaced_organizations(&doc.organizations);
    c.replaced_chains(&doc.chains);
    c.replaced_problems(&doc.problems);
    c.replaced_consortia(&doc.consortia);
    c.errors
}

impl<'a> Checker<'a> {
    fn push(&mut self, code: ErrorCode, path: String, message: String) {
        self.errors.push(ValidationError::new(code, path, message));
    }

    /// Whether `value` (an id, a reference to one, a supply part or a capability code) can be
    /// part of a key of the store and is at most `max` characters long (see [`key`]).
    fn key(&mut self, value: &str, what: &str, max: usize, path: impl FnOnce() -> String) -> bool {
        key(&mut self.errors, value, what, max, path)
    }

    /// Whether `value` is at most `max` characters long (see [`short`]).
    fn short(
        &mut self,
        value: &str,
        what: &str,
        max: usize,
        path: impl FnOnce() -> String,
    ) -> bool {
        short(&mut self.errors, value, what, max, path)
    }

    fn regions(&mut self, regions: &Column<'a, Region>) {
        for (_, entry) in regions.entries() {
            match entry {
                Entry::Sound(r) => self.region_codes.insert(r.code.as_str()),
                Entry::Opaque(Some(code)) => self.region_codes.insert(code),
                Entry::Opaque(None) => false,
            };
        }
        let mut seen: HashMap<&str, usize> = HashMap::with_capacity(regions.len());
        for (i, r) in regions.sound() {
            self.short(&r.name, "region name", TEXT, || {
                format!("/regions/{i}/name")
            });
            let path = || format!("/regions/{i}/code");
            if !region::is_valid(&r.code) {
                self.push(
                    ErrorCode::InvalidRegion,
                    path(),
                    format!("region code {:?} is not six digits", r.code),
                );
            } else if let Some(&first) = seen.get(r.code.as_str()) {
                self.push(
                    ErrorCode::DuplicateId,
                    path(),
                    format!(
                        "duplicate region code {:?} (first at /regions/{first})",
                        r.code
                    ),
                );
            } else {
                seen.insert(&r.code, i);
            }
        }
    }

    /// The capability catalogue: each code sound and given once, each name and standard not
    /// blank and not too long.
    fn catalogue(&mut self, entries: &Column<'a, CatalogueEntry>) {
        let mut seen: HashMap<&str, usize> = HashMap::with_capacity(entries.len());
        for (i, e) in entries.sound() {
            let at = |field: &str| format!("/capabilities/{i}/{field}");
            if check_capability_code(&mut self.errors, &e.code, || at("code")) {
                if let Some(&first) = seen.get(e.code.as_str()) {
                    self.push(
                        ErrorCode::DuplicateId,
                        at("code"),
                        format!(
                            "capability {:?} is catalogued twice (first at /capabilities/{first})",
                            e.code
                        ),
                    );
                } else {
                    seen.insert(&e.code, i);
                }
            }
            if e.name.trim().is_empty() {
                self.push(
                    ErrorCode::EmptyName,
                    at("name"),
                    format!("capability {:?} has an empty name", e.code),
                );
            } else {
                self.short(&e.name, "capability name", TEXT, || at("name"));
            }
            for (k, standard) in e.standards.iter().enumerate() {
                let path = || format!("/capabilities/{i}/standards/{k}");
                if standard.trim().is_empty() {
                    self.push(
                        ErrorCode::EmptyStandard,
                        path(),
                        format!("capability {:?} lists an empty standard", e.code),
                    );
                } else {
                    self.short(standard, "standard", TEXT, path);
                }
            }
            if let Some(description) = &e.description {
                self.short(description, "description", SUMMARY, || at("description"));
            }
        }
    }

    /// Reports the six-digit region `code` of `owner` at `path` as `unknown_region` unless it is
    /// a GB/T 2260 division or a region the document or the store names.
    fn known_region(&mut self, code: &str, owner: &str, path: impl FnOnce() -> String) {
        if divisions::is_division(code)
            || self.regions_unusable
            || self.region_codes.contains(code)
            || self.existing.has_region(code)
        {
            return;
        }
        self.push(
            ErrorCode::UnknownRegion,
            path(),
            format!(
                "region code {code:?} of {owner} is not a GB/T 2260 division; \
                 name it in `regions` if it is a new one"
            ),
        );
    }

    fn index_chains(&mut self, chains: &Column<'a, Chain>) {
        for (i, entry) in chains.entries() {
            let (id, record) = match entry {
                Entry::Sound(chain) => (chain.id.as_str(), Some(chain)),
                Entry::Opaque(Some(id)) => (id, None),
                Entry::Opaque(None) => continue,
            };
            let path = || format!("/chains/{i}/id");
            if id.is_empty() {
                self.push(ErrorCode::EmptyId, path(), "chain id is empty".into());
            } else if !self.key(id, "chain id", ID, path) {
                // Reported; like an empty id, left out of the index.
            } else if let Some(first) = self.chains.get(id) {
                let message = format!(
                    "duplicate chain id {id:?} (first at /chains/{})",
                    first.index
                );
                self.push(ErrorCode::DuplicateId, path(), message);
            } else {
                self.chains.insert(id, Indexed { index: i, record });
                self.chain_key(id);
            }
            if let Some(chain) = record {
                let at = |field: &str| format!("/chains/{i}/{field}");
                self.short(&chain.name, "chain name", TEXT, || at("name"));
                if let Some(chief) = &chain.chief {
                    self.short(chief, "chain chief", TEXT, || at("chief"));
                }
                self.segments(i, chain);
            }
        }
    }

    fn segments(&mut self, i: usize, chain: &'a Chain) {
        let mut seen: HashMap<&str, usize> = HashMap::with_capacity(chain.segments.len());
        for (j, s) in chain.segments.iter().enumerate() {
            self.short(&s.name, "segment name", TEXT, || {
                format!("/chains/{i}/segments/{j}/name")
            });
            let path = || format!("/chains/{i}/segments/{j}/id");
            if s.id.is_empty() {
                self.push(ErrorCode::EmptyId, path(), "segment id is empty".into());
            } else if !self.key(&s.id, "segment id", ID, path) {
                // Reported; not compared with the other segments.
            } else if let Some(&first) = seen.get(s.id.as_str()) {
                let message = format!(
                    "duplicate segment id {:?} in chain {:?} (first at /chains/{i}/segments/{first})",
                    s.id, chain.id
                );
                self.push(ErrorCode::DuplicateId, path(), message);
            } else {
                seen.insert(&s.id, j);
            }
        }
    }

    fn index_organizations(&mut self, organizations: &Column<'a, Organization>) {
        for (i, entry) in organizations.entries() {
            let (id, shape) = match entry {
                Entry::Sound(org) => (org.id.as_str(), self.shape(org)),
                Entry::Opaque(Some(id)) => (id, Shape::Opaque),
                Entry::Opaque(None) => continue,
            };
            let path = || format!("/organizations/{i}/id");
            if id.is_empty() {
                self.unindexed_organizations.insert(i);
                self.push(
                    ErrorCode::EmptyId,
                    path(),
                    "organization id is empty".into(),
                );
                continue;
            }
            if !self.key(id, "organization id", ID, path) {
                self.unindexed_organizations.insert(i);
                continue;
            }
            let index = u32::try_from(i).expect("fewer than 2^32 organizations");
            match self.organizations.entry(IdKey::new(id)) {
                hash_map::Entry::Occupied(first) => {
                    let message = format!(
                        "duplicate organization id {id:?} (first at /organizations/{})",
                        first.get().index
                    );
                    self.unindexed_organizations.insert(i);
                    self.push(ErrorCode::DuplicateId, path(), message);
                }
                hash_map::Entry::Vacant(slot) => {
                    slot.insert(OrgEntry { index, shape });
                }
            }
        }
    }

    fn shape(&mut self, org: &'a Organization) -> Shape {
        if org.is_provider() {
            return Shape::Provider(org.kind);
        }
        let memberships = org.memberships();
        let mut chains = [0; 2];
        for (slot, m) in chains.iter_mut().zip(memberships) {
            *slot = self.chain_key(&m.chain);
        }
        Shape::Enterprise {
            count: u8::try_from(memberships.len()).unwrap_or(u8::MAX),
            chains,
        }
    }

    fn chain_key(&mut self, chain: &'a str) -> u32 {
        let next = u32::try_from(self.chain_keys.len()).expect("fewer than 2^32 chains");
        *self.chain_keys.entry(chain).or_insert(next)
    }

    /// The fields an organization carries for its kind, its region and its capabilities or
    /// memberships.
    fn organization(&mut self, i: usize, org: &'a Organization) {
        let at = |field: &str| format!("/organizations/{i}/{field}");
        let id = &org.id;
        let kind = org.kind.as_str();
        self.short(&org.name, "organization name", TEXT, || at("name"));
        if let Some(country) = &org.country {
            self.short(country, "country", TEXT, || at("country"));
        }
        match &org.region {
            Some(code) => {
                let six_digits =
                    check_region(&mut self.errors, code, "organization", id, || at("region"));
                if six_digits {
                    self.known_region(code, &format!("organization {id:?}"), || at("region"));
                }
            }
            None if org.is_provider() || !org.foreign => self.push(
                ErrorCode::MissingRegion,
                at("region"),
                if org.is_provider() {
                    format!("{kind} {id:?} has no region; providers are domestic")
                } else {
                    format!("domestic organization {id:?} has no region")
                },
            ),
            None => {}
        }
        if org.is_provider() {
            if org.chains.is_some() {
                self.push(
                    ErrorCode::EnterpriseFieldOnProvider,
                    at("chains"),
                    format!("{kind} {id:?} is a provider and cannot sit on chains"),
                );
            }
            if org.foreign {
                self.push(
                    ErrorCode::ForeignProvider,
                    at("foreign"),
                    format!("{kind} {id:?} is marked foreign; providers are domestic"),
                );
            }
            if org.level.is_none() {
                self.push(
                    ErrorCode::MissingField,
                    at("level"),
                    format!("{kind} {id:?} has no level"),
                );
            }
            match &org.capabilities {
                None => self.push(
                    ErrorCode::MissingField,
                    at("capabilities"),
                    format!("{kind} {id:?} has no capabilities"),
                ),
                Some(caps) => self.capabilities(i, org, caps),
            }
        } else {
            for (field, present) in [
                ("level", org.level.is_some()),
                ("capabilities", org.capabilities.is_some()),
            ] {
                if present {
                    self.push(
                        ErrorCode::ProviderFieldOnEnterprise,
                        at(field),
                        format!("enterprise {id:?} cannot have {field}; only providers do"),
                    );
                }
            }
            self.memberships(i, org);
        }
    }

    fn capabilities(&mut self, i: usize, org: &Organization, caps: &'a [crate::model::Capability]) {
        let mut seen: HashMap<&str, usize> = HashMap::with_capacity(caps.len());
        for (k, cap) in caps.iter().enumerate() {
            let at = |field: &str| format!("/organizations/{i}/capabilities/{k}/{field}");
            if !check_capability_code(&mut self.errors, &cap.code, || at("code")) {
                // Reported; not compared with the other codes.
            } else if let Some(&first) = seen.get(cap.code.as_str()) {
                let message = format!(
                    "{:?} lists capability {:?} twice (first at /organizations/{i}/capabilities/{first})",
                    org.id, cap.code
                );
                self.push(ErrorCode::DuplicateCapability, at("code"), message);
            } else {
                seen.insert(&cap.code, k);
            }
            check_capacity(&mut self.errors, cap.capacity, &cap.code, &org.id, || {
                at("capacity")
            });
        }
    }

    fn memberships(&mut self, i: usize, org: &'a Organization) {
        let memberships = org.memberships();
        let mut seen: HashMap<&str, usize> = HashMap::with_capacity(memberships.len());
        for (j, m) in memberships.iter().enumerate() {
            let at = |field: &str| format!("/organizations/{i}/chains/{j}/{field}");
            if !self.key(&m.chain, "chain", ID, || at("chain")) {
                continue;
            }
            let segment = self
                .key(&m.segment, "segment", ID, || at("segment"))
                .then_some(m.segment.as_str());
            if let Some(&first) = seen.get(m.chain.as_str()) {
                let message = format!(
                    "{:?} sits on chain {:?} twice (first at /organizations/{i}/chains/{first})",
                    org.id, m.chain
                );
                self.push(ErrorCode::DuplicateMembership, at("chain"), message);
                continue;
            }
            seen.insert(&m.chain, j);
            let Some(segment) = segment else {
                if let ChainFacts::Missing = self.chain_facts(&m.chain, None) {
                    self.push(
                        ErrorCode::UnknownChain,
                        at("chain"),
                        format!("unknown chain {:?}", m.chain),
                    );
                }
                continue;
            };
            match self.chain_facts(&m.chain, Some(segment)) {
                ChainFacts::Missing => self.push(
                    ErrorCode::UnknownChain,
                    at("chain"),
                    format!("unknown chain {:?}", m.chain),
                ),
                ChainFacts::Known { has_segment: false } => self.push(
                    ErrorCode::UnknownSegment,
                    at("segment"),
                    format!("chain {:?} has no segment {:?}", m.chain, m.segment),
                ),
                ChainFacts::Known { has_segment: true } | ChainFacts::Opaque => {}
            }
        }
    }

    fn supplies<'s, S: SupplyFields<'s>>(
        &mut self,
        supplies: impl Iterator<Item = (usize, S)>,
        len: usize,
    ) {
        let mut seen: HashSet<S::Seen, FastHash> =
            HashSet::with_capacity_and_hasher(len, FastHash::default());
        // Supplies usually come grouped by chain: remember what the last chain resolved to.
        let mut last: Option<(&str, bool, Option<u32>)> = None;
        for (i, record) in supplies {
            let s = record.fields();
            let at = |field: &str| format!("/supplies/{i}/{field}");
            let chain_ok = self.key(s.chain, "chain", ID, || at("chain"));
            let (chain_known, chain_key) = match last {
                _ if !chain_ok => (false, None),
                Some((name, known, key)) if name == s.chain => (known, key),
                _ => {
                    let known = !matches!(self.chain_facts(s.chain, None), ChainFacts::Missing);
                    let key = self.chain_keys.get(s.chain).copied();
                    last = Some((s.chain, known, key));
                    (known, key)
                }
            };
            if chain_ok && !chain_known {
                self.push(
                    ErrorCode::UnknownChain,
                    at("chain"),
                    format!("unknown chain {:?}", s.chain),
                );
            }
            if self.key(s.supplier, "supplier", ID, || at("from")) {
                self.supply_end(i, "from", s.supplier, (s.chain, chain_key), chain_known);
            }
            if s.supplier == s.customer {
                self.push(
                    ErrorCode::SelfSupply,
                    at("to"),
                    format!("{:?} supplies itself", s.supplier),
                );
            } else if self.key(s.customer, "customer", ID, || at("to")) {
                self.supply_end(i, "to", s.customer, (s.chain, chain_key), chain_known);
            }
            if !self.key(s.part, "part", PART, || at("part")) {
                // Reported; not judged blank as well.
            } else if s.part.trim().is_empty() {
                self.push(
                    ErrorCode::EmptyPart,
                    at("part"),
                    format!(
                        "supply {:?} → {:?} on chain {:?} has an empty part",
                        s.supplier, s.customer, s.chain
                    ),
                );
            }
            if !seen.insert(record.seen()) {
                self.push(
                    ErrorCode::DuplicateSupply,
                    format!("/supplies/{i}"),
                    format!(
                        "duplicate supply {:?} → {:?} of {:?} on chain {:?}",
                        s.supplier, s.customer, s.part, s.chain
                    ),
                );
            }
        }
    }

    fn supply_end(
        &mut self,
        i: usize,
        field: &str,
        org: &str,
        (chain, chain_key): (&str, Option<u32>),
        chain_known: bool,
    ) {
        let path = || format!("/supplies/{i}/{field}");
        let end = if field == "from" {
            "supplier"
        } else {
            "customer"
        };
        match self.org_facts(org, chain, chain_key) {
            OrgFacts::Missing => self.push(
                ErrorCode::UnknownOrganization,
                path(),
                format!("unknown organization {org:?}"),
            ),
            OrgFacts::Provider(kind) => self.push(
                ErrorCode::NotAnEnterprise,
                path(),
                format!("{end} {org:?} is a {}, not an enterprise", kind.as_str()),
            ),
            OrgFacts::Enterprise { member: false } if chain_known => self.push(
                ErrorCode::NotAMember,
                path(),
                format!("{end} {org:?} is not a member of chain {chain:?}"),
            ),
            OrgFacts::Enterprise { .. } | OrgFacts::Opaque => {}
        }
    }

    fn problems(&mut self, problems: &Column<'a, Problem>) {
        for (i, entry) in problems.entries() {
            let id = match entry {
                Entry::Sound(p) => p.id.as_str(),
                Entry::Opaque(Some(id)) => id,
                Entry::Opaque(None) => continue,
            };
            let at = |field: &str| format!("/problems/{i}/{field}");
            if id.is_empty() {
                self.push(ErrorCode::EmptyId, at("id"), "problem id is empty".into());
            } else if !self.key(id, "problem id", ID, || at("id")) {
                // Reported; like an empty id, left out of the index.
            } else if let Some(&first) = self.problem_ids.get(id) {
                self.push(
                    ErrorCode::DuplicateId,
                    at("id"),
                    format!("duplicate problem id {id:?} (first at /problems/{first})"),
                );
            } else {
                self.problem_ids.insert(id, i);
            }
            let Entry::Sound(p) = entry else { continue };
            self.short(&p.title, "problem title", TEXT, || at("title"));
            if !(1..=5).contains(&p.severity) {
                self.push(
                    ErrorCode::InvalidSeverity,
                    at("severity"),
                    format!(
                        "severity of problem {id:?} is {}; it must be from 1 to 5",
                        p.severity
                    ),
                );
            }
            let chain_ok = self.key(&p.chain, "chain", ID, || at("chain"));
            let chain_known = chain_ok
                && match self.chain_facts(&p.chain, None) {
                    ChainFacts::Missing => {
                        self.push(
                            ErrorCode::UnknownChain,
                            at("chain"),
                            format!("unknown chain {:?}", p.chain),
                        );
                        false
                    }
                    ChainFacts::Opaque | ChainFacts::Known { .. } => true,
                };
            let chain_key = self.chain_keys.get(p.chain.as_str()).copied();
            let org = if self.key(&p.org, "organization", ID, || at("org")) {
                self.org_facts(&p.org, &p.chain, chain_key)
            } else {
                OrgFacts::Opaque
            };
            match org {
                OrgFacts::Missing => self.push(
                    ErrorCode::UnknownOrganization,
                    at("org"),
                    format!("unknown organization {:?}", p.org),
                ),
                OrgFacts::Provider(kind) => self.push(
                    ErrorCode::NotAnEnterprise,
                    at("org"),
                    format!(
                        "problem {id:?} is held by {:?}, a {}; only enterprises hold problems",
                        p.org,
                        kind.as_str()
                    ),
                ),
                OrgFacts::Enterprise { member: false } if chain_known => self.push(
                    ErrorCode::NotAMember,
                    at("org"),
                    format!(
                        "problem {id:?}: {:?} is not a member of chain {:?}",
                        p.org, p.chain
                    ),
                ),
                OrgFacts::Enterprise { .. } | OrgFacts::Opaque => {}
            }
            for (k, need) in p.needs.iter().enumerate() {
                let path = || format!("/problems/{i}/needs/{k}");
                if !self.key(need, "need", ID, path) {
                    // Reported; its form is not judged further.
                } else if Element::of_code(need).is_none() {
                    self.push(
                        ErrorCode::InvalidCapability,
                        format!("/problems/{i}/needs/{k}"),
                        invalid_code_message(need),
                    );
                }
            }
        }
    }

    /// `chain_key` is the interned id of `chain`, if the document names it anywhere.
    fn org_facts(&mut self, id: &str, chain: &str, chain_key: Option<u32>) -> OrgFacts {
        let facts = |org: &Organization| {
            if org.is_provider() {
                OrgFacts::Provider(org.kind)
            } else {
                OrgFacts::Enterprise {
                    member: org.membership(chain).is_some(),
                }
            }
        };
        if let Some(entry) = self.organizations.get(&IdKey::new(id)) {
            return match entry.shape {
                Shape::Opaque => OrgFacts::Opaque,
                Shape::Provider(kind) => OrgFacts::Provider(kind),
                Shape::Enterprise { count, chains } if count <= 2 => OrgFacts::Enterprise {
                    member: chain_key.is_some_and(|k| chains[..usize::from(count)].contains(&k)),
                },
                Shape::Enterprise { .. } => self
                    .organization_records
                    .get(entry.index as usize)
                    .map_or(OrgFacts::Opaque, facts),
            };
        }
        if self.organizations_unusable {
            return OrgFacts::Opaque;
        }
        if !self.stored_organizations.contains_key(id) {
            let stored = self.existing.organization(id);
            self.stored_organizations.insert(id.to_string(), stored);
        }
        self.stored_organizations[id]
            .as_ref()
            .map_or(OrgFacts::Missing, facts)
    }

    fn chain_facts(&mut self, id: &str, segment: Option<&str>) -> ChainFacts {
        let facts = |chain: &Chain| ChainFacts::Known {
            has_segment: segment.is_none_or(|s| chain.segment_index(s).is_some()),
        };
        if let Some(found) = self.chains.get(id) {
            return found.record.map_or(ChainFacts::Opaque, facts);
        }
        if self.chains_unusable {
            return ChainFacts::Opaque;
        }
        if !self.stored_chains.contains_key(id) {
            let stored = self.existing.chain(id);
            self.stored_chains.insert(id.to_string(), stored);
        }
        self.stored_chains[id]
            .as_ref()
            .map_or(ChainFacts::Missing, facts)
    }

    /// Stored supplies and problems of an organization that the document replaces, and the
    /// stored projects and consortia it leads, must stay valid against its new version.
    ///
    /// Only a version that loses chains can break them, so the (possibly costly)
    /// `supplies_touching` and `problems_of` are asked only then: re-importing the same data
    /// costs one `organization` lookup per organization.
    fn replaced_organizations(&mut self, organizations: &Column<'a, Organization>) {
        for (i, org) in organizations.sound() {
            if self.unindexed_organizations.contains(&i) {
                continue;
            }
            let Some(old) = self.existing.organization(&org.id) else {
                continue;
            };
            let lost: Vec<&str> = old
                .memberships()
                .iter()
                .map(|m| m.chain.as_str())
                .filter(|chain| org.is_provider() || org.membership(chain).is_none())
                .collect();
            if lost.is_empty() {
                continue;
            }
            let supplies = self.existing.supplies_touching(&org.id);
            let stored_problems = self.existing.problems_of(&org.id);
            let led = self.stored_work_led_by(&org.id);
            for chain in lost {
                let on_chain: Vec<&Supply> = supplies.iter().filter(|s| s.chain == chain).collect();
                // A problem the document replaces is checked in its new version instead.
                let held: Vec<&Problem> = stored_problems
                    .iter()
                    .filter(|p| p.chain == chain && !self.problem_ids.contains_key(p.id.as_str()))
                    .collect();
                // So are projects and consortia the document replaces.
                let led_here: Vec<&(String, &str, String)> =
                    led.iter().filter(|(c, _, _)| c == chain).collect();
                if on_chain.is_empty() && held.is_empty() && led_here.is_empty() {
                    continue;
                }
                let mut refs = Vec::new();
                if let Some(s) = on_chain.first() {
                    refs.push(format!(
                        "{} stored suppl{} (e.g. {:?} → {:?} of {:?})",
                        on_chain.len(),
                        if on_chain.len() == 1 { "y" } else { "ies" },
                        s.supplier,
                        s.customer,
                        s.part
                    ));
                }
                if let Some(p) = held.first() {
                    refs.push(format!(
                        "{} stored problem{} (e.g. {:?})",
                        held.len(),
                        if held.len() == 1 { "" } else { "s" },
                        p.id
                    ));
                }
                for kind in ["project", "consortium"] {
                    let of_kind: Vec<&str> = led_here
                        .iter()
                        .filter(|(_, k, _)| *k == kind)
                        .map(|(_, _, id)| id.as_str())
                        .collect();
                    if let Some(id) = of_kind.first() {
                        let plural = if kind == "project" {
                            "projects"
                        } else {
                            "consortia"
                        };
                        refs.push(format!(
                            "{} stored {} it leads (e.g. {id:?})",
                            of_kind.len(),
                            if of_kind.len() == 1 { kind } else { plural },
                        ));
                    }
                }
                let (code, what) = if org.is_provider() {
                    (
                        ErrorCode::NotAnEnterprise,
                        format!("would become a {}", org.kind.as_str()),
                    )
                } else {
                    (
                        ErrorCode::NotAMember,
                        format!("would no longer be a member of chain {chain:?}"),
                    )
                };
                self.push(
                    code,
                    format!("/organizations/{i}"),
                    format!(
                        "organization {:?} {what}, but {} on that chain still refer to it",
                        org.id,
                        refs.join(" and ")
                    ),
                );
            }
        }
    }

    /// A chain that the document replaces with fewer segments must not strand stored
    /// organizations on a removed segment. Only the stored organizations the document refers to
    /// (and so were fetched) can be seen through `Lookup`; the document's own organizations were
    /// checked against the new segments already.
    fn replaced_chains(&mut self, chains: &Column<'a, Chain>) {
        let fetched: Vec<&Organization> = self
            .stored_organizations
            .values()
            .flatten()
            .filter(|o| !self.organizations.contains_key(&IdKey::new(&o.id)))
            .collect();
        if fetched.is_empty() {
            return;
        }
        let mut errors = Report::new();
        for (i, chain) in chains.sound() {
            if self.chains.get(chain.id.as_str()).map(|f| f.index) != Some(i) {
                continue;
            }
            let Some(old) = self.existing.chain(&chain.id) else {
                continue;
            };
            for (j, removed) in old.segments.iter().enumerate() {
                if chain.segment_index(&removed.id).is_some() {
                    continue;
                }
                for org in &fetched {
                    if org
                        .membership(&chain.id)
                        .is_some_and(|m| m.segment == removed.id)
                    {
                        errors.push(ValidationError::new(
                            ErrorCode::StillReferenced,
                            format!("/chains/{i}/segments"),
                            format!(
                                "segment {:?} (stored position {j}) of chain {:?} is removed, but stored organization {:?} still sits on it",
                                removed.id, chain.id, org.id
                            ),
                        ));
                    }
                }
            }
        }
        self.errors.extend(errors);
    }
}

/// The fields of a provider that is not a record, such as a hypothetical provider of a
/// what-if (which has one capability).
#[derive(Debug, Clone, Copy)]
pub struct ProviderFields<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub region: &'a str,
    pub code: &'a str,
    pub capacity: Option<u32>,
}

/// Checks `provider` by the rules the same fields of a provider record follow, with the same
/// codes: `empty_id`, `invalid_id` or `too_long` for the id; `too_long` for the name;
/// `invalid_region`; `invalid_id`, `too_long` or `invalid_capability` for the capability code;
/// `invalid_capacity`. `at(field)` is the JSON Pointer of a field (`id`, `name`, `region`, `code`
/// or `capacity`).
///
/// Returns whether the id is sound (not empty, without control characters, not too long).
/// Whether it is unique is left to the caller, which knows among what; an unsound id is best
/// left out of that comparison, as a bundle leaves it out of its index.
pub fn check_provider_fields(
    provider: &ProviderFields<'_>,
    at: impl Fn(&str) -> String,
    errors: &mut Report,
) -> bool {
    let id = provider.id;
    let sound_id = if id.is_empty() {
        errors.push(ValidationError::new(
            ErrorCode::EmptyId,
            at("id"),
            "provider id is empty",
        ));
        false
    } else {
        key(errors, id, "provider id", ID, || at("id"))
    };
    short(errors, provider.name, "provider name", TEXT, || at("name"));
    check_region(errors, provider.region, "provider", id, || at("region"));
    check_capability_code(errors, provider.code, || at("code"));
    check_capacity(errors, provider.capacity, provider.code, id, || {
        at("capacity")
    });
    sound_id
}

/// Whether `value` (an id, a reference to one, a supply part or a capability code) can be part
/// of a key of the store and is at most `max` characters long; when it is not, reports it at
/// `path` and returns false.
fn key(
    errors: &mut Report,
    value: &str,
    what: &str,
    max: usize,
    path: impl FnOnce() -> String,
) -> bool {
    if has_control(value) {
        errors.add(ErrorCode::InvalidId, path, || {
            format!(
                "{what} {} holds a control character (such as NUL), which ids cannot hold",
                shown(value)
            )
        });
        return false;
    }
    short(errors, value, what, max, path)
}

/// Whether `value` is at most `max` characters long; when it is not, reports it at `path`.
fn short(
    errors: &mut Report,
    value: &str,
    what: &str,
    max: usize,
    path: impl FnOnce() -> String,
) -> bool {
    // A string has at least as many bytes as characters: most need no counting.
    if value.len() <= max {
        return true;
    }
    let n = value.chars().count();
    if n <= max {
        return true;
    }
    errors.add(ErrorCode::TooLong, path, || {
        format!(
            "{what} {} is {n} characters long; at most {max} are allowed",
            shown(value)
        )
    });
    false
}

/// Reports the region `code` of the `kind` (organization, provider) `id` at `path` unless it is
/// six ASCII digits; returns whether it is. (Whether it names a division is judged against the
/// document and the store, by `Checker::known_region`.)
fn check_region(
    errors: &mut Report,
    code: &str,
    kind: &str,
    id: &str,
    path: impl FnOnce() -> String,
) -> bool {
    if !region::is_valid(code) {
        errors.add(ErrorCode::InvalidRegion, path, || {
            format!("region code {code:?} of {kind} {id:?} is not six digits")
        });
        return false;
    }
    true
}

/// Whether `code` is a capability code that can be part of a key, at most [`ID`] characters
/// long and `element:subject`; when it is not, reports it at `path` and returns false.
fn check_capability_code(errors: &mut Report, code: &str, path: impl Fn() -> String) -> bool {
    if !key(errors, code, "capability code", ID, &path) {
        // Reported; its form is not judged further.
        return false;
    }
    if Element::of_code(code).is_none() {
        errors.add(ErrorCode::InvalidCapability, path, || {
            invalid_code_message(code)
        });
        return false;
    }
    true
}

/// Reports a capacity of 0 (of capability `code` at provider `id`) at `path`.
fn check_capacity(
    errors: &mut Report,
    capacity: Option<u32>,
    code: &str,
    id: &str,
    path: impl FnOnce() -> String,
) {
    if capacity == Some(0) {
        errors.add(ErrorCode::InvalidCapacity, path, || {
            format!(
                "capacity of {code:?} at {id:?} is 0; it must be at least 1 (omit it for no limit)"
            )
        });
    }
}

/// Whether `s` holds a control character (Unicode category Cc: U+0000–U+001F, U+007F–U+009F),
/// NUL among them.
fn has_control(s: &str) -> bool {
    if s.is_ascii() {
        s.bytes().any(|b| b < 0x20 || b == 0x7f)
    } else {
        s.chars().any(char::is_control)
    }
}

/// A value for a message: quoted and escaped, and cut after 40 characters.
fn shown(value: &str) -> String {
    const SHOWN: usize = 40;
    match value.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!("{:?}…", &value[..cut]),
        None => format!("{value:?}"),
    }
}

fn invalid_code_message(code: &str) -> String {
    format!(
        "capability code {code:?} is not element:subject with element one of metrology, testing, standard, certification, rd and a subject without whitespace"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Dataset;
    use serde_json::json;

    fn base() -> serde_json::Value {
        json!({
            "version": 1,
            "chains": [{"id": "c", "name": "C", "segments": [
                {"id": "up", "name": "Up"}, {"id": "down", "name": "Down"}]}],
            "organizations": [
                {"id": "a", "name": "A", "kind": "enterprise", "region": "320583",
                 "chains": [{"chain": "c", "role": "chain_master", "segment": "down"}]},
                {"id": "b", "name": "B", "kind": "enterprise", "foreign": true, "country": "JP",
                 "chains": [{"chain": "c", "role": "member", "segment": "up"}]},
                {"id": "q", "name": "Q", "kind": "inspection_center", "level": "national",
                 "region": "320500", "capabilities": [{"code": "testing:cells", "capacity": 2}]}
            ],
            "supplies": [{"chain": "c", "from": "b", "to": "a", "part": "separator"}],
            "problems": [{"id": "p", "org": "a", "chain": "c", "title": "T", "category": "testing",
                          "severity": 3, "status": "open", "needs": ["testing:cells"]}]
        })
    }

    fn check_with(doc: serde_json::Value, existing: &Dataset) -> Vec<(String, ErrorCode)> {
        let bundle: Bundle = serde_json::from_value(doc).expect("typed document");
        check_bundle(&bundle, existing)
            .into_errors()
            .into_iter()
            .map(|e| (e.path, e.code))
            .collect()
    }

    fn check(doc: serde_json::Value) -> Vec<(String, ErrorCode)> {
        check_with(doc, &Dataset::new())
    }

    fn one(path: &str, code: ErrorCode) -> Vec<(String, ErrorCode)> {
        vec![(path.to_string(), code)]
    }

    #[test]
    fn the_base_document_is_valid() {
        assert_eq!(check(base()), vec![]);
    }

    #[test]
    fn version_other_than_one_is_unsupported() {
        let mut d = base();
        d["version"] = json!(2);
        assert_eq!(check(d), one("/version", ErrorCode::UnsupportedVersion));
    }

    #[test]
    fn empty_ids_are_reported_for_every_kind() {
        let mut d = base();
        d["chains"][0]["segments"][0]["id"] = json!("");
        d["problems"][0]["id"] = json!("");
        d["organizations"]
            .as_array_mut()
            .unwrap()
            .push(json!({"id": "", "name": "E", "kind": "enterprise", "region": "320583"}));
        assert_eq!(
            check(d),
            vec![
                ("/chains/0/segments/0/id".into(), ErrorCode::EmptyId),
                ("/organizations/3/id".into(), ErrorCode::EmptyId),
                // "b" no longer sits on an existing segment "up".
                (
                    "/organizations/1/chains/0/segment".into(),
                    ErrorCode::UnknownSegment
                ),
                ("/problems/0/id".into(), ErrorCode::EmptyId),
            ]
        );
    }

    #[test]
    fn duplicate_ids_are_reported_at_the_later_record() {
        let mut d = base();
        let chain = d["chains"][0].clone();
        d["chains"].as_array_mut().unwrap().push(chain);
        let org = d["organizations"][2].clone();
        d["organizations"].as_array_mut().unwrap().push(org);
        let problem = d["problems"][0].clone();
        d["problems"].as_array_mut().unwrap().push(problem);
        d["regions"] = json!([{"code": "320500", "name": "苏州"}, {"code": "320500", "name": "x"}]);
        assert_eq!(
            check(d),
            vec![
                ("/regions/1/code".into(), ErrorCode::DuplicateId),
                ("/chains/1/id".into(), ErrorCode::DuplicateId),
                ("/organizations/3/id".into(), ErrorCode::DuplicateId),
                ("/problems/1/id".into(), ErrorCode::DuplicateId),
            ]
        );
    }

    #[test]
    fn duplicate_segments_of_one_chain_are_reported() {
        let mut d = base();
        d["chains"][0]["segments"][1]["id"] = json!("up");
        // "a" sat on "down", which is gone now.
        assert_eq!(
            check(d),
            vec![
                ("/chains/0/segments/1/id".into(), ErrorCode::DuplicateId),
                (
                    "/organizations/0/chains/0/segment".into(),
                    ErrorCode::UnknownSegment
                ),
            ]
        );
    }

    #[test]
    fn memberships_must_name_a_known_chain_and_segment_once() {
        let mut d = base();
        d["organizations"][0]["chains"] = json!([
            {"chain": "c", "role": "chain_master", "segment": "down"},
            {"chain": "c", "role": "member", "segment": "up"},
            {"chain": "nope", "role": "member", "segment": "up"},
            {"chain": "c2", "role": "member", "segment": "x"}
        ]);
        d["chains"]
            .as_array_mut()
            .unwrap()
            .push(json!({"id": "c2", "name": "C2", "segments": [{"id": "y", "name": "Y"}]}));
        assert_eq!(
            check(d),
            vec![
                (
                    "/organizations/0/chains/1/chain".into(),
                    ErrorCode::DuplicateMembership
                ),
                (
                    "/organizations/0/chains/2/chain".into(),
                    ErrorCode::UnknownChain
                ),
                (
                    "/organizations/0/chains/3/segment".into(),
                    ErrorCode::UnknownSegment
                ),
            ]
        );
    }

    #[test]
    fn supply_references_must_resolve() {
        let mut d = base();
        d["supplies"] = json!([
            {"chain": "zz", "from": "b", "to": "a", "part": "x"},
            {"chain": "c", "from": "f9", "to": "a", "part": "x"},
            {"chain": "c", "from": "b", "to": "f8", "part": "x"}
        ]);
        assert_eq!(
            check(d),
            vec![
                ("/supplies/0/chain".into(), ErrorCode::UnknownChain),
                ("/supplies/1/from".into(), ErrorCode::UnknownOrganization),
                ("/supplies/2/to".into(), ErrorCode::UnknownOrganization),
            ]
        );
    }

    #[test]
    fn supply_ends_must_be_member_enterprises() {
        let mut d = base();
        d["chains"]
            .as_array_mut()
            .unwrap()
            .push(json!({"id": "other", "name": "O"}));
        d["supplies"] = json!([
            {"chain": "other", "from": "b", "to": "a", "part": "x"},
            {"chain": "c", "from": "q", "to": "a", "part": "x"}
        ]);
        assert_eq!(
            check(d),
            vec![
                ("/supplies/0/from".into(), ErrorCode::NotAMember),
                ("/supplies/0/to".into(), ErrorCode::NotAMember),
                ("/supplies/1/from".into(), ErrorCode::NotAnEnterprise),
            ]
        );
    }

    #[test]
    fn membership_is_found_for_long_ids_and_firms_on_many_chains() {
        let mut d = base();
        let long = "91320500MA1XXXXXXX-with-a-long-suffix";
        let chains = d["chains"].as_array_mut().unwrap();
        for id in ["c2", "c3", "c4"] {
            chains.push(json!({"id": id, "name": id, "segments": [{"id": "s", "name": "S"}]}));
        }
        d["organizations"][0]["id"] = json!(long);
        d["organizations"][0]["chains"] = json!([
            {"chain": "c", "role": "chain_master", "segment": "down"},
            {"chain": "c2", "role": "member", "segment": "s"},
            {"chain": "c3", "role": "member", "segment": "s"}
        ]);
        d["organizations"][1]["chains"]
            .as_array_mut()
            .unwrap()
            .extend([
                json!({"chain": "c3", "role": "member", "segment": "s"}),
                json!({"chain": "c4", "role": "member", "segment": "s"}),
            ]);
        d["problems"][0]["org"] = json!(long);
        d["supplies"] = json!([
            {"chain": "c", "from": "b", "to": long, "part": "x"},
            {"chain": "c3", "from": "b", "to": long, "part": "x"},
            {"chain": "c4", "from": "b", "to": long, "part": "x"},
            {"chain": "c2", "from": long, "to": "b", "part": "x"}
        ]);
        assert_eq!(
            check(d),
            vec![
                ("/supplies/2/to".into(), ErrorCode::NotAMember),
                ("/supplies/3/to".into(), ErrorCode::NotAMember),
            ]
        );
    }

    #[test]
    fn self_duplicate_and_empty_part_supplies_are_reported() {
        let mut d = base();
        d["supplies"] = json!([
            {"chain": "c", "from": "b", "to": "a", "part": "separator"},
            {"chain": "c", "from": "a", "to": "a", "part": "cell"},
            {"chain": "c", "from": "b", "to": "a", "part": " "},
            {"chain": "c", "from": "b", "to": "a", "part": "separator"}
        ]);
        assert_eq!(
            check(d),
            vec![
                ("/supplies/1/to".into(), ErrorCode::SelfSupply),
                ("/supplies/2/part".into(), ErrorCode::EmptyPart),
                ("/supplies/3".into(), ErrorCode::DuplicateSupply),
            ]
        );
    }

    #[test]
    fn fields_must_match_the_kind() {
        let mut d = base();
        d["organizations"][0]["level"] = json!("national");
        d["organizations"][0]["capabilities"] = json!([]);
        d["organizations"][2]["chains"] = json!([]);
        assert_eq!(
            check(d),
            vec![
                (
                    "/organizations/0/level".into(),
                    ErrorCode::ProviderFieldOnEnterprise
                ),
                (
                    "/organizations/0/capabilities".into(),
                    ErrorCode::ProviderFieldOnEnterprise
                ),
                (
                    "/organizations/2/chains".into(),
                    ErrorCode::EnterpriseFieldOnProvider
                ),
            ]
        );
    }

    #[test]
    fn providers_need_level_capabilities_and_a_domestic_region() {
        let mut d = base();
        let q = d["organizations"][2].as_object_mut().unwrap();
        q.remove("level");
        q.remove("capabilities");
        q.remove("region");
        q.insert("foreign".into(), json!(true));
        assert_eq!(
            check(d),
            vec![
                ("/organizations/2/region".into(), ErrorCode::MissingRegion),
                (
                    "/organizations/2/foreign".into(),
                    ErrorCode::ForeignProvider
                ),
                ("/organizations/2/level".into(), ErrorCode::MissingField),
                (
                    "/organizations/2/capabilities".into(),
                    ErrorCode::MissingField
                ),
            ]
        );
    }

    #[test]
    fn regions_must_be_six_digits_and_present_for_domestic_firms() {
        let mut d = base();
        d["regions"] = json!([{"code": "3205", "name": "x"}]);
        d["organizations"][0]["region"] = json!("32058a");
        d["organizations"][2]["region"] = json!("３２０５００");
        d["organizations"]
            .as_array_mut()
            .unwrap()
            .push(json!({"id": "d", "name": "D", "kind": "enterprise"}));
        assert_eq!(
            check(d),
            vec![
                ("/regions/0/code".into(), ErrorCode::InvalidRegion),
                ("/organizations/0/region".into(), ErrorCode::InvalidRegion),
                ("/organizations/2/region".into(), ErrorCode::InvalidRegion),
                ("/organizations/3/region".into(), ErrorCode::MissingRegion),
            ]
        );
    }

    #[test]
    fn catalogue_entries_need_a_sound_code_given_once_and_a_name() {
        let mut d = base();
        d["capabilities"] = json!([
            {"code": "testing:cells", "name": "电芯测试", "standards": ["GB/T 31485-2015"]},
            {"code": "cooking:rice", "name": "煮饭"},
            {"code": "testing:cells", "name": "又一个"},
            {"code": "rd:bms", "name": "  "},
            {"code": "rd:x\u{0}y", "name": "x"},
            {"code": "rd:long", "name": "长".repeat(501), "standards": ["", "GB 38031-2020"]},
            {"code": "rd:desc", "name": "说明", "description": "字".repeat(2001)},
            {"code": "rd:uncatalogued-elsewhere", "name": "没有人用的能力"}
        ]);
        assert_eq!(
            check(d),
            vec![
                ("/capabilities/1/code".into(), ErrorCode::InvalidCapability),
                ("/capabilities/2/code".into(), ErrorCode::DuplicateId),
                ("/capabilities/3/name".into(), ErrorCode::EmptyName),
                ("/capabilities/4/code".into(), ErrorCode::InvalidId),
                ("/capabilities/5/name".into(), ErrorCode::TooLong),
                (
                    "/capabilities/5/standards/0".into(),
                    ErrorCode::EmptyStandard
                ),
                ("/capabilities/6/description".into(), ErrorCode::TooLong),
            ]
        );
    }

    #[test]
    fn capability_codes_capacities_and_needs_are_checked() {
        let mut d = base();
        d["organizations"][2]["capabilities"] = json!([
            {"code": "testing:cells"},
            {"code": "cooking:rice"},
            {"code": "testing:cells"},
            {"code": "rd:氢气", "capacity": 0}
        ]);
        d["problems"][0]["needs"] = json!(["testing:", "metrology:a b", "rd:ok"]);
        assert_eq!(
            check(d),
            vec![
                (
                    "/organizations/2/capabilities/1/code".into(),
                    ErrorCode::InvalidCapability
                ),
                (
                    "/organizations/2/capabilities/2/code".into(),
                    ErrorCode::DuplicateCapability
                ),
                (
                    "/organizations/2/capabilities/3/capacity".into(),
                    ErrorCode::InvalidCapacity
                ),
                ("/problems/0/needs/0".into(), ErrorCode::InvalidCapability),
                ("/problems/0/needs/1".into(), ErrorCode::InvalidCapability),
            ]
        );
    }

    #[test]
    fn problems_need_a_member_enterprise_and_a_valid_severity() {
        let mut d = base();
        d["chains"]
            .as_array_mut()
            .unwrap()
            .push(json!({"id": "other", "name": "O"}));
        d["problems"] = json!([
            {"id": "p1", "org": "zz", "chain": "c", "title": "", "category": "other", "severity": 0, "status": "open"},
            {"id": "p2", "org": "q", "chain": "c", "title": "", "category": "other", "severity": 6, "status": "open"},
            {"id": "p3", "org": "a", "chain": "other", "title": "", "category": "other", "severity": 5, "status": "open"},
            {"id": "p4", "org": "a", "chain": "gone", "title": "", "category": "other", "severity": 1, "status": "open"}
        ]);
        assert_eq!(
            check(d),
            vec![
                ("/problems/0/severity".into(), ErrorCode::InvalidSeverity),
                ("/problems/0/org".into(), ErrorCode::UnknownOrganization),
                ("/problems/1/severity".into(), ErrorCode::InvalidSeverity),
                ("/problems/1/org".into(), ErrorCode::NotAnEnterprise),
                ("/problems/2/org".into(), ErrorCode::NotAMember),
                ("/problems/3/chain".into(), ErrorCode::UnknownChain),
            ]
        );
    }

    #[test]
    fn references_resolve_against_the_store_after_the_document() {
        let store = Dataset::from_bundle(serde_json::from_value(base()).unwrap());
        let d = json!({
            "version": 1,
            "organizations": [{"id": "n", "name": "N", "kind": "enterprise", "region": "320583",
                               "chains": [{"chain": "c", "role": "member", "segment": "up"}]}],
            "supplies": [{"chain": "c", "from": "n", "to": "a", "part": "foil"},
                         {"chain": "c", "from": "q", "to": "n", "part": "foil"}],
            "problems": [{"id": "p9", "org": "b", "chain": "c", "title": "", "category": "design",
                          "severity": 2, "status": "resolved"}]
        });
        assert_eq!(
            check_with(d, &store),
            one("/supplies/1/from", ErrorCode::NotAnEnterprise)
        );
    }

    #[test]
    fn the_document_version_of_a_record_wins_over_the_stored_one() {
        let store = Dataset::from_bundle(serde_json::from_value(base()).unwrap());
        // The document moves "b" off chain "c" and then supplies on "c" from it.
        let d = json!({
            "version": 1,
            "chains": [{"id": "d", "name": "D", "segments": [{"id": "s", "name": "S"}]}],
            "organizations": [{"id": "b", "name": "B", "kind": "enterprise", "foreign": true,
                               "chains": [{"chain": "d", "role": "member", "segment": "s"},
                                          {"chain": "c", "role": "member", "segment": "up"}]}],
            "supplies": [{"chain": "d", "from": "b", "to": "a", "part": "x"}]
        });
        assert_eq!(
            check_with(d, &store),
            one("/supplies/0/to", ErrorCode::NotAMember)
        );
    }

    #[test]
    fn replacing_an_organization_keeps_its_stored_supplies_and_problems_valid() {
        let store = Dataset::from_bundle(serde_json::from_value(base()).unwrap());
        let moved = json!({
            "version": 1,
            "organizations": [{"id": "a", "name": "A", "kind": "enterprise", "region": "320583"},
                              {"id": "b", "name": "B", "kind": "institute", "region": "320583",
                               "level": "municipal", "capabilities": []}]
        });
        let errors: Vec<_> = {
            let bundle: Bundle = serde_json::from_value(moved).unwrap();
            check_bundle(&bundle, &store).into_errors()
        };
        let pairs: Vec<_> = errors.iter().map(|e| (e.path.as_str(), e.code)).collect();
        assert_eq!(
            pairs,
            vec![
                ("/organizations/0", ErrorCode::NotAMember),
                ("/organizations/1", ErrorCode::NotAnEnterprise),
            ]
        );
        assert!(
            errors[0].message.contains("1 stored supply"),
            "{}",
            errors[0].message
        );
        assert!(
            errors[0].message.contains("1 stored problem"),
            "{}",
            errors[0].message
        );

        // Re-importing the same records, or a version that keeps its chains, is fine.
        assert_eq!(check_with(base(), &store), vec![]);
        // A problem the document moves to the new chain replaces the stored one.
        let d = json!({
            "version": 1,
            "chains": [{"id": "d", "name": "D", "segments": [{"id": "s", "name": "S"}]}],
            "organizations": [{"id": "a", "name": "A", "kind": "enterprise", "region": "320583",
                               "chains": [{"chain": "d", "role": "member", "segment": "s"}]}],
            "problems": [{"id": "p", "org": "a", "chain": "d", "title": "T", "category": "testing",
                          "severity": 3, "status": "open"}]
        });
        let errors = check_with(d, &store);
        assert_eq!(errors, one("/organizations/0", ErrorCode::NotAMember));
    }

    #[test]
    fn shrinking_a_chain_must_not_strand_referenced_stored_members() {
        let store = Dataset::from_bundle(serde_json::from_value(base()).unwrap());
        let d = json!({
            "version": 1,
            "chains": [{"id": "c", "name": "C", "segments": [{"id": "down", "name": "Down"}]}],
            "problems": [{"id": "p2", "org": "b", "chain": "c", "title": "", "category": "design",
                          "severity": 2, "status": "open"}]
        });
        assert_eq!(
            check_with(d, &store),
            one("/chains/0/segments", ErrorCode::StillReferenced)
        );
    }

    #[test]
    fn messages_name_the_offending_value() {
        let mut d = base();
        d["supplies"][0]["to"] = json!("f9");
        let bundle: Bundle = serde_json::from_value(d).unwrap();
        let errors = check_bundle(&bundle, &Dataset::new());
        assert_eq!(errors.errors()[0].message, "unknown organization \"f9\"");
    }
}
