//! Parts without redundancy: single-source parts (one supplier) and foreign-only parts (every
//! supplier foreign).

use crate::graph::ChainGraph;
use serde::Serialize;
use utoipa::ToSchema;

/// A (buyer, part) with exactly one supplier.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
pub struct SingleSourcePart {
    pub buyer: String,
    pub part: String,
    pub supplier: String,
}

/// A (buyer, part) whose suppliers are all foreign (进口依赖).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
pub struct ForeignOnlyPart {
    pub buyer: String,
    pub part: String,
}

/// Every (buyer, part) of the chain with exactly one supplier, sorted by (buyer, part).
///
/// # Arguments
/// - `graph`: the chain's supply graph.
///
/// # Returns
/// One [`SingleSourcePart`] per (customer, part) group of size one, naming its supplier.
///
/// # Complexity
/// O(E + k log k): one pass over the supply edges, k results.
///
/// # Example
/// ```text
///   a ──cell──▶ M ◀──cell── b        (cell: two suppliers)
///   c ──case──▶ M                    (case: single source c)
/// ```
pub fn single_source_parts(graph: &ChainGraph) -> Vec<SingleSourcePart> {
    let groups = graph.groups();
    let mut out: Vec<SingleSourcePart> = graph
        .graph()
        .raw_edges()
        .iter()
        .filter(|e| groups[e.weight.group as usize].suppliers == 1)
        .map(|e| {
            let g = &groups[e.weight.group as usize];
            SingleSourcePart {
                buyer: graph.firm(g.buyer).id.clone(),
                part: graph.part_name(g.part).to_string(),
                supplier: graph.firm(e.source()).id.clone(),
            }
        })
        .collect();
    out.sort_unstable();
    out
}

/// Every (buyer, part) of the chain whose suppliers are all foreign, sorted by (buyer, part).
///
/// # Arguments
/// - `graph`: the chain's supply graph.
///
/// # Returns
/// One [`ForeignOnlyPart`] per (customer, part) group with no domestic supplier.
///
/// # Complexity
/// O(V + E + k log k): one pass over the supply edges, k results.
///
/// # Example
/// ```text
///   jp1 (foreign) ──resin──▶ M ◀──resin── jp2 (foreign)     resin: foreign-only
///   jp1 (foreign) ──film───▶ M ◀──film─── d (domestic)      film: not
/// ```
pub fn foreign_only_parts(graph: &ChainGraph) -> Vec<ForeignOnlyPart> {
    let groups = graph.groups();
    let mut domestic = vec![false; groups.len()];
    for e in graph.graph().raw_edges() {
        if !graph.firm(e.source()).foreign {
            domestic[e.weight.group as usize] = true;
        }
    }
    let mut out: Vec<ForeignOnlyPart> = groups
        .iter()
        .zip(&domestic)
        .filter(|(_, &d)| !d)
        .map(|(g, _)| ForeignOnlyPart {
            buyer: graph.firm(g.buyer).id.clone(),
            part: graph.part_name(g.part).to_string(),
        })
        .collect();
    out.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testing::chain;

    fn single(buyer: &str, part: &str, supplier: &str) -> SingleSourcePart {
        SingleSourcePart {
            buyer: buyer.into(),
            part: part.into(),
            supplier: supplier.into(),
        }
    }

    fn foreign(buyer: &str, part: &str) -> ForeignOnlyPart {
        ForeignOnlyPart {
            buyer: buyer.into(),
            part: part.into(),
        }
    }

    #[test]
    fn a_part_with_one_supplier_is_single_source_and_alternatives_are_not() {
        //   a ──cell──▶ M ◀──cell── b
        //   c ──case──▶ M ◀──film── a
        let g = chain(
            &["M"],
            &[],
            &[
                ("a", "M", "cell"),
                ("b", "M", "cell"),
                ("c", "M", "case"),
                ("a", "M", "film"),
            ],
        );
        assert_eq!(
            single_source_parts(&g),
            vec![single("M", "case", "c"), single("M", "film", "a")]
        );
        assert!(foreign_only_parts(&g).is_empty());
    }

    #[test]
    fn a_part_is_foreign_only_when_every_supplier_is_foreign() {
        //   jp1 ──resin──▶ M ◀──resin── jp2
        //   jp1 ──film───▶ M ◀──film─── d
        //   jp2 ──chip───▶ d
        let g = chain(
            &["M"],
            &["jp1", "jp2"],
            &[
                ("jp1", "M", "resin"),
                ("jp2", "M", "resin"),
                ("jp1", "M", "film"),
                ("d", "M", "film"),
                ("jp2", "d", "chip"),
            ],
        );
        assert_eq!(
            foreign_only_parts(&g),
            vec![foreign("M", "resin"), foreign("d", "chip")]
        );
        assert_eq!(single_source_parts(&g), vec![single("d", "chip", "jp2")]);
    }
}
