//! `ChainIndex`: the members and problems of each chain, so that a question about one chain
//! costs the size of that chain, not of the dataset. Built once per snapshot of the data.

use super::{Dataset, Organization, Problem};
use std::collections::HashMap;

/// Ids of each chain's members and problems, in id order.
#[derive(Debug, Clone, Default)]
pub struct ChainIndex {
    members: HashMap<String, Vec<String>>,
    problems: HashMap<String, Vec<String>>,
}

impl ChainIndex {
    /// Indexes `d`.
    ///
    /// Complexity: O(N·m + P) for N organizations with m memberships each and P problems.
    pub fn build(d: &Dataset) -> ChainIndex {
        let mut index = ChainIndex::default();
        for org in d.organizations.values() {
            for m in org.memberships() {
                index
                    .members
                    .entry(m.chain.clone())
                    .or_default()
                    .push(org.id.clone());
            }
        }
        for p in d.problems.values() {
            index
                .problems
                .entry(p.chain.clone())
                .or_default()
                .push(p.id.clone());
        }
        index
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
}
