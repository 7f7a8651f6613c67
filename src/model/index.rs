//! `ChainIndex`: the members and problems of each chain, so that a question about one chain
//! costs the size of that chain, not of the dataset. Built once when data is loaded, then
//! carried from snapshot to snapshot: a write updates it in O(change), sharing the rest
//! (persistent sets, like the dataset's own collections).

use super::{ChangeSet, Dataset, Organization, Problem};
use imbl::OrdSet;
use std::collections::{BTreeMap, BTreeSet};

/// Ids of each chain's members and problems, in id order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChainIndex {
    members: BTreeMap<String, OrdSet<String>>,
    problems: BTreeMap<String, OrdSet<String>>,
}

impl ChainIndex {
    /// Indexes `d`.
    ///
    /// Complexity: O(N·m + P) for N organizations with m memberships each and P problems.
    pub fn build(d: &Dataset) -> ChainIndex {
        let mut members: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for org in d.organizations.values() {
            for m in org.memberships() {
                members
                    .entry(m.chain.as_str())
                    .or_default()
                    .push(org.id.clone());
            }
        }
        let mut problems: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for p in d.problems.values() {
            problems
                .entry(p.chain.as_str())
                .or_default()
                .push(p.id.clone());
        }
        // Ids arrive in id order, so each set is built from a sorted run.
        let sets = |m: BTreeMap<&str, Vec<String>>| {
            m.into_iter()
                .map(|(chain, ids)| (chain.to_string(), ids.into_iter().collect()))
                .collect()
        };
        ChainIndex {
            members: sets(members),
            problems: sets(problems),
        }
    }

    /// The index of `after`, which is `before` with `change` applied, given this index of
    /// `before`.
    ///
    /// Complexity: O(c·log N) for a change of c records (the chains' sets are shared, not
    /// copied).
    pub fn updated(&self, before: &Dataset, after: &Dataset, change: &ChangeSet) -> ChainIndex {
        let mut next = self.clone();
        let orgs: BTreeSet<&str> = change
            .upsert
            .organizations
            .iter()
            .map(|o| o.id.as_str())
            .chain(change.delete_organizations.iter().map(String::as_str))
            .collect();
        for id in orgs {
            for m in before
                .organizations
                .get(id)
                .iter()
                .flat_map(|o| o.memberships())
            {
                if let Some(set) = next.members.get_mut(&m.chain) {
                    set.remove(id);
                }
            }
            for m in after
                .organizations
                .get(id)
                .iter()
                .flat_map(|o| o.memberships())
            {
                next.members
                    .entry(m.chain.clone())
                    .or_default()
                    .insert(id.to_string());
            }
        }
        let problems: BTreeSet<&str> = change
            .upsert
            .problems
            .iter()
            .map(|p| p.id.as_str())
            .chain(change.delete_problems.iter().map(String::as_str))
            .collect();
        for id in problems {
            if let Some(p) = before.problems.get(id) {
                if let Some(set) = next.problems.get_mut(&p.chain) {
                    set.remove(id);
                }
            }
            if let Some(p) = after.problems.get(id) {
                next.problems
                    .entry(p.chain.clone())
                    .or_default()
                    .insert(id.to_string());
            }
        }
        next.members.retain(|_, set| !set.is_empty());
        next.problems.retain(|_, set| !set.is_empty());
        next
    }

    /// The enterprises on `chain`, in id order.
    ///
    /// Complexity: O(M log N) for the chain's M members.
    pub fn members<'a>(
        &'a self,
        d: &'a Dataset,
        chain: &str,
    ) -> impl Iterator<Item = &'a Organization> + 'a {
        self.members
            .get(chain)
            .into_iter()
            .flatten()
            .filter_map(|id| d.organizations.get(id))
    }

    /// The problems on `chain`, in id order.
    ///
    /// Complexity: O(P_c log P) for the chain's P_c problems.
    pub fn problems<'a>(&'a self, d: &'a Dataset, chain: &str) -> Vec<&'a Problem> {
        self.problems
            .get(chain)
            .into_iter()
            .flatten()
            .filter_map(|id| d.problems.get(id))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Bundle;

    #[test]
    fn the_index_agrees_with_scanning_the_dataset() {
        let bundle: Bundle =
            serde_json::from_str(include_str!("../../fixtures/power_battery_jiangsu.json"))
                .unwrap();
        let d = Dataset::from_bundle(bundle);
        let index = ChainIndex::build(&d);
        for chain in d.chains.keys() {
            let members: Vec<&str> = index.members(&d, chain).map(|o| o.id.as_str()).collect();
            let scanned: Vec<&str> = d.members_of_chain(chain).map(|o| o.id.as_str()).collect();
            assert!(!members.is_empty());
            assert_eq!(members, scanned);
            let problems: Vec<&str> = index
                .problems(&d, chain)
                .iter()
                .map(|p| p.id.as_str())
                .collect();
            let scanned: Vec<&str> = d.problems_of_chain(chain).map(|p| p.id.as_str()).collect();
            assert!(!problems.is_empty());
            assert_eq!(problems, scanned);
            let supplies = d.supplies_of_chain(chain).count();
            assert_eq!(
                supplies,
                d.supplies.iter().filter(|s| &s.chain == chain).count()
            );
        }
        assert_eq!(index.members(&d, "no-such-chain").count(), 0);
    }

    /// Applies `change` to `d` and checks that the updated index is the one built from scratch.
    fn check_update(d: &mut Dataset, index: &mut ChainIndex, change: ChangeSet) {
        let before = d.clone();
        d.apply(&change);
        let next = index.updated(&before, d, &change);
        assert_eq!(next, ChainIndex::build(d));
        *index = next;
    }

    #[test]
    fn an_updated_index_is_the_index_of_the_changed_data() {
        let mut d = Dataset::new();
        for (_, text) in crate::cli::DEMO_FIXTURES {
            d.apply(&ChangeSet::upsert(serde_json::from_str(text).unwrap()));
        }
        let mut index = ChainIndex::build(&d);
        let chains: Vec<String> = d.chains.keys().cloned().collect();
        assert!(chains.len() >= 2);

        // A problem moves to another chain (and firm); another is deleted.
        let mut problems = d.problems.values().cloned();
        let mut moved = problems.next().unwrap();
        let gone = problems.next().unwrap().id;
        let elsewhere = d
            .organizations
            .values()
            .find(|o| o.membership(&moved.chain).is_none() && !o.memberships().is_empty())
            .unwrap()
            .clone();
        moved.chain = elsewhere.memberships()[0].chain.clone();
        moved.org = elsewhere.id.clone();
        check_update(
            &mut d,
            &mut index,
            ChangeSet {
                upsert: Bundle {
                    problems: vec![moved.clone()],
                    ..Bundle::new()
                },
                delete_problems: vec![gone],
                ..ChangeSet::default()
            },
        );
        assert!(index
            .problems(&d, &moved.chain)
            .iter()
            .any(|p| p.id == moved.id));

        // A firm joins a second chain; a new firm appears; the same firm is upserted twice.
        let mut firm = elsewhere.clone();
        let other = chains
            .iter()
            .find(|c| firm.membership(c).is_none())
            .unwrap()
            .clone();
        let mut joined = firm.memberships()[0].clone();
        joined.chain = other.clone();
        firm.chains.as_mut().unwrap().push(joined);
        let mut fresh = firm.clone();
        fresh.id = "brand-new-firm".into();
        check_update(
            &mut d,
            &mut index,
            ChangeSet::upsert(Bundle {
                organizations: vec![elsewhere.clone(), firm.clone(), fresh.clone()],
                ..Bundle::new()
            }),
        );
        assert!(index.members(&d, &other).any(|o| o.id == firm.id));

        // Organizations are deleted, with their memberships (the index forgets them).
        check_update(
            &mut d,
            &mut index,
            ChangeSet {
                delete_organizations: vec![fresh.id.clone(), "no-such-firm".into()],
                ..ChangeSet::default()
            },
        );
        assert!(index.members(&d, &other).all(|o| o.id != fresh.id));
    }
}
