//! Who a quality notice reaches (see `crate::model::notice`), computed from one chain's supply
//! graph when the notice is sent.
//!
//! - **downstream**: the firm's direct customers on the chain (of the notice's part, when it
//!   names one), then every firm that would be disabled if the firm failed (the scenario cascade
//!   of [`chain_scenario`] with [`Failure::Firms`]: a firm goes down when some part it needs has
//!   lost every supplier — parts are an AND, suppliers of one part an OR);
//! - **upstream**: the firm's direct suppliers on the chain (of the part, when one is named);
//! - **both**: the union; a firm that is both a customer and a supplier is told once, as a
//!   customer.
//!
//! The firm itself is never a recipient; chain masters are marked.

use super::weak::scenario::{chain_scenario, Failure};
use crate::graph::ChainGraph;
use crate::model::notice::{NoticeDirection, NoticeRecipient, RecipientRelation};
use crate::model::Dataset;
use std::collections::BTreeMap;

/// The recipients of a notice about `firm` (and `part`, if any) on the chain of `graph`, sent
/// in `direction`, sorted by organization id.
///
/// Complexity: O(S) over the chain's supplies plus one scenario propagation, O(V + E).
pub fn recipients(
    dataset: &Dataset,
    graph: &ChainGraph,
    firm: &str,
    part: Option<&str>,
    direction: NoticeDirection,
) -> Vec<NoticeRecipient> {
    let chain = graph.id();
    let of_part = |p: &str| part.is_none_or(|want| want == p);
    let mut found: BTreeMap<String, RecipientRelation> = BTreeMap::new();
    let down = matches!(
        direction,
        NoticeDirection::Downstream | NoticeDirection::Both
    );
    let up = matches!(direction, NoticeDirection::Upstream | NoticeDirection::Both);
    for s in dataset.supplies_of_chain(chain) {
        if down && s.supplier == firm && of_part(&s.part) {
            found.insert(s.customer.clone(), RecipientRelation::Customer);
        }
    }
    if down {
        let outcome = chain_scenario(graph, String::new(), &[Failure::Firms(vec![firm.into()])]);
        for d in outcome.disabled.into_iter().filter(|d| !d.failed) {
            found.entry(d.id).or_insert(RecipientRelation::Disabled);
        }
    }
    if up {
        for s in dataset.supplies_of_chain(chain) {
            if s.customer == firm && of_part(&s.part) {
                found
                    .entry(s.supplier.clone())
                    .or_insert(RecipientRelation::Supplier);
            }
        }
    }
    found.remove(firm);
    found
        .into_iter()
        .map(|(org, relation)| NoticeRecipient {
            master: graph.is_master(&org),
            org,
            relation,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testing::dataset;
    use crate::graph::Graphs;
    use RecipientRelation::*;

    /// ```text
    ///   s2 ──cell──▶ s1 ──module──▶ M (master)     M needs module AND case
    ///                x  ──case────▶ M
    ///   s2 ──cell──▶ t  ──pack────▶ N              t has a second cell supplier (OR)
    ///   u  ──cell──▶ t
    ///   r  ──resin─▶ s2     q ──foil──▶ s2
    /// ```
    fn chain() -> Dataset {
        dataset(
            &["M"],
            &[],
            &[
                ("s2", "s1", "cell"),
                ("s1", "M", "module"),
                ("x", "M", "case"),
                ("s2", "t", "cell"),
                ("u", "t", "cell"),
                ("t", "N", "pack"),
                ("r", "s2", "resin"),
                ("q", "s2", "foil"),
            ],
        )
    }

    fn told(
        d: &Dataset,
        firm: &str,
        part: Option<&str>,
        dir: NoticeDirection,
    ) -> Vec<(String, RecipientRelation, bool)> {
        let graphs = Graphs::build(d);
        let g = graphs.chain(crate::analysis::testing::CHAIN).unwrap();
        recipients(d, g, firm, part, dir)
            .into_iter()
            .map(|r| (r.org, r.relation, r.master))
            .collect()
    }

    fn row(
        org: &str,
        relation: RecipientRelation,
        master: bool,
    ) -> (String, RecipientRelation, bool) {
        (org.to_string(), relation, master)
    }

    #[test]
    fn downstream_reaches_customers_and_a_master_two_tiers_down_through_an_and_of_parts() {
        let d = chain();
        // M is disabled (its only module supplier s1 goes down); N is not, because t still
        // has u for cells.
        assert_eq!(
            told(&d, "s2", None, NoticeDirection::Downstream),
            [
                row("M", Disabled, true),
                row("s1", Customer, false),
                row("t", Customer, false)
            ]
        );
        assert_eq!(
            told(&d, "s2", Some("cell"), NoticeDirection::Downstream),
            told(&d, "s2", None, NoticeDirection::Downstream)
        );
        // A part s2 does not supply: no customers, but the cascade still runs.
        assert_eq!(
            told(&d, "s1", Some("cell"), NoticeDirection::Downstream),
            [row("M", Disabled, true)]
        );
    }

    #[test]
    fn upstream_reaches_direct_suppliers_of_the_part_and_both_is_the_union() {
        let d = chain();
        assert_eq!(
            told(&d, "s2", None, NoticeDirection::Upstream),
            [row("q", Supplier, false), row("r", Supplier, false)]
        );
        assert_eq!(
            told(&d, "s2", Some("foil"), NoticeDirection::Upstream),
            [row("q", Supplier, false)]
        );
        assert_eq!(
            told(&d, "M", None, NoticeDirection::Upstream),
            [row("s1", Supplier, false), row("x", Supplier, false)]
        );
        assert_eq!(
            told(&d, "s2", None, NoticeDirection::Both),
            [
                row("M", Disabled, true),
                row("q", Supplier, false),
                row("r", Supplier, false),
                row("s1", Customer, false),
                row("t", Customer, false)
            ]
        );
        // A master's downstream notice reaches no one: it has no customers.
        assert_eq!(told(&d, "M", None, NoticeDirection::Downstream), []);
    }
}
