//! `Dataset`: every record of a store held in memory, keyed by id, with upsert-by-id semantics.
//!
//! It is what the graph and the analyses read, what the server keeps between writes, and what an
//! export serializes. Iteration order is by id (supplies by chain, supplier, customer, part), so an
//! export is deterministic.

use super::{
    Bundle, CatalogueEntry, Chain, ChangeSet, Consortium, Goal, Lookup, Notice, Organization,
    PolicyTool, Problem, Project, Region, Supply, BUNDLE_VERSION,
};
use imbl::{OrdMap, OrdSet};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dataset {
    pub regions: OrdMap<String, Region>,
    /// The capability catalogue, by code.
    pub capabilities: OrdMap<String, CatalogueEntry>,
    pub chains: OrdMap<String, Chain>,
    pub organizations: OrdMap<String, Organization>,
    pub supplies: OrdSet<Supply>,
    pub problems: OrdMap<String, Problem>,
    pub projects: OrdMap<String, Project>,
    pub consortia: OrdMap<String, Consortium>,
    pub policy_tools: OrdMap<String, PolicyTool>,
    pub goals: OrdMap<String, Goal>,
    /// Quality notices, by id.
    pub notices: OrdMap<String, Notice>,
}

impl Dataset {
    pub fn new() -> Dataset {
        Dataset::default()
    }

    /// A dataset holding exactly the records of `bundle` (later duplicates win).
    pub fn from_bundle(bundle: Bundle) -> Dataset {
        let mut d = Dataset::new();
        d.upsert(bundle);
        d
    }

    /// Upserts every record of `bundle` by id; supplies are identified by all four fields.
    pub fn upsert(&mut self, bundle: Bundle) {
        for r in bundle.regions {
            self.regions.insert(r.code.clone(), r);
        }
        for e in bundle.capabilities {
            self.capabilities.insert(e.code.clone(), e);
        }
        for c in bundle.chains {
            self.chains.insert(c.id.clone(), c);
        }
        for o in bundle.organizations {
            self.organizations.insert(o.id.clone(), o);
        }
        self.supplies.extend(bundle.supplies);
        for p in bundle.problems {
            self.problems.insert(p.id.clone(), p);
        }
        for p in bundle.projects {
            self.projects.insert(p.id.clone(), p);
        }
        for c in bundle.consortia {
            self.consortia.insert(c.id.clone(), c);
        }
        for t in bundle.policy_tools {
            self.policy_tools.insert(t.id.clone(), t);
        }
        for g in bundle.goals {
            self.goals.insert(g.id.clone(), g);
        }
        for n in bundle.notices {
            self.notices.insert(n.id.clone(), n);
        }
    }

    /// Applies a change: deletes first, then upserts.
    pub fn apply(&mut self, change: &ChangeSet) {
        for code in &change.delete_regions {
            self.regions.remove(code);
        }
        for code in &change.delete_capabilities {
            self.capabilities.remove(code);
        }
        for id in &change.delete_chains {
            self.chains.remove(id);
        }
        for id in &change.delete_organizations {
            self.organizations.remove(id);
        }
        for s in &change.delete_supplies {
            self.supplies.remove(s);
        }
        for id in &change.delete_problems {
            self.problems.remove(id);
        }
        for id in &change.delete_projects {
            self.projects.remove(id);
        }
        for id in &change.delete_consortia {
            self.consortia.remove(id);
        }
        for id in &change.delete_policy_tools {
            self.policy_tools.remove(id);
        }
        for id in &change.delete_goals {
            self.goals.remove(id);
        }
        for id in &change.delete_notices {
            self.notices.remove(id);
        }
        self.upsert(change.upsert.clone());
    }

    /// The whole dataset as a bundle, every list in key order.
    pub fn to_bundle(&self) -> Bundle {
        Bundle {
            version: BUNDLE_VERSION,
            regions: self.regions.values().cloned().collect(),
            capabilities: self.capabilities.values().cloned().collect(),
            chains: self.chains.values().cloned().collect(),
            organizations: self.organizations.values().cloned().collect(),
            supplies: self.supplies.iter().cloned().collect(),
            problems: self.problems.values().cloned().collect(),
            projects: self.projects.values().cloned().collect(),
            consortia: self.consortia.values().cloned().collect(),
            policy_tools: self.policy_tools.values().cloned().collect(),
            goals: self.goals.values().cloned().collect(),
            notices: self.notices.values().cloned().collect(),
        }
    }

    /// Supplies of one chain, in key order. Supplies are ordered by chain first, so this is one
    /// range of the set: O(log S + S_c). Both ends are found by search, so the scan itself
    /// compares nothing (it need not read each supply's chain id).
    pub fn supplies_of_chain<'a>(&'a self, chain: &'a str) -> impl Iterator<Item = &'a Supply> {
        let bound = |chain: String| Supply {
            chain,
            supplier: String::new(),
            customer: String::new(),
            part: String::new(),
        };
        // Supplies of this chain sort before the bound (`chain` < `chain` + NUL); those of any
        // greater chain id sort at or after it (NUL is the least character).
        self.supplies
            .range(bound(chain.to_string())..bound(format!("{chain}\0")))
    }

    /// Enterprises that are members of `chain`, in id order.
    pub fn members_of_chain<'a>(
        &'a self,
        chain: &'a str,
    ) -> impl Iterator<Item = &'a Organization> {
        self.organizations
            .values()
            .filter(move |o| o.membership(chain).is_some())
    }

    /// Problems on `chain`, in id order.
    pub fn problems_of_chain<'a>(&'a self, chain: &'a str) -> impl Iterator<Item = &'a Problem> {
        self.problems.values().filter(move |p| p.chain == chain)
    }

    /// Projects on `chain`, in id order.
    pub fn projects_of_chain<'a>(&'a self, chain: &'a str) -> impl Iterator<Item = &'a Project> {
        self.projects.values().filter(move |p| p.chain == chain)
    }

    /// Consortia on `chain`, in id order.
    pub fn consortia_of_chain<'a>(
        &'a self,
        chain: &'a str,
    ) -> impl Iterator<Item = &'a Consortium> {
        self.consortia.values().filter(move |c| c.chain == chain)
    }

    /// The name of the region `code`: the dataset's own (its `regions`) when it has one, else
    /// the GB/T 2260 table's ([`divisions::label_of`](super::divisions::label_of)).
    pub fn region_name(&self, code: &str) -> Option<&str> {
        match self.regions.get(code) {
            Some(r) => Some(r.name.as_str()),
            None => super::divisions::label_of(code),
        }
    }

    /// The catalogue's Chinese name of the capability code `code`, when the catalogue has it
    /// (a code without an entry is shown as it is).
    pub fn capability_name(&self, code: &str) -> Option<&str> {
        self.capabilities.get(code).map(|e| e.name.as_str())
    }

    /// The name of the capability code `code`, or the code itself when the catalogue lacks it.
    pub fn capability_label<'a>(&'a self, code: &'a str) -> &'a str {
        self.capability_name(code).unwrap_or(code)
    }

    /// Providers (every non-enterprise organization), in id order.
    pub fn providers(&self) -> impl Iterator<Item = &Organization> {
        self.organizations.values().filter(|o| o.is_provider())
    }
}

impl Lookup for Dataset {
    fn has_region(&self, code: &str) -> bool {
        self.regions.contains_key(code)
    }
    fn chain(&self, id: &str) -> Option<Chain> {
        self.chains.get(id).cloned()
    }
    fn organization(&self, id: &str) -> Option<Organization> {
        self.organizations.get(id).cloned()
    }
    fn problem(&self, id: &str) -> Option<Problem> {
        self.problems.get(id).cloned()
    }
    fn consortium(&self, id: &str) -> Option<Consortium> {
        self.consortia.get(id).cloned()
    }
    fn has_supply(&self, supply: &Supply) -> bool {
        self.supplies.contains(supply)
    }
    fn supplies_touching(&self, org: &str) -> Vec<Supply> {
        self.supplies
            .iter()
            .filter(|s| s.supplier == org || s.customer == org)
            .cloned()
            .collect()
    }
    fn problems_of(&self, org: &str) -> Vec<Problem> {
        self.problems
            .values()
            .filter(|p| p.org == org)
            .cloned()
            .collect()
    }
    fn projects(&self) -> Vec<Project> {
        self.projects.values().cloned().collect()
    }
    fn consortia(&self) -> Vec<Consortium> {
        self.consortia.values().cloned().collect()
    }
    fn notices(&self) -> Vec<super::Notice> {
        self.notices.values().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_supplies_of_a_chain_are_exactly_those_naming_it() {
        let mut d = Dataset::new();
        for chain in ["a", "a\u{0}", "a\u{0}b", "a-b", "ab", "", "b"] {
            for (from, to) in [("x", "y"), ("", "z")] {
                d.supplies.insert(Supply {
                    chain: chain.into(),
                    supplier: from.into(),
                    customer: to.into(),
                    part: "p".into(),
                });
            }
        }
        for chain in [
            "a",
            "a\u{0}",
            "a\u{0}b",
            "a-b",
            "ab",
            "",
            "b",
            "c",
            "a\u{0}\u{0}",
        ] {
            let ranged: Vec<&Supply> = d.supplies_of_chain(chain).collect();
            let scanned: Vec<&Supply> = d.supplies.iter().filter(|s| s.chain == chain).collect();
            assert_eq!(ranged, scanned, "{chain:?}");
        }
        assert_eq!(d.supplies_of_chain("a").count(), 2);
    }
}
