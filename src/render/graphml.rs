//! A chain as a GraphML document (http://graphml.graphdrawing.org/xmlns), for Gephi, yEd,
//! networkx and the like: `GET /api/v1/chains/{id}/graph.graphml` and
//! `qmap export --format graphml --chain ID`.
//!
//! Nodes are the chain's member firms and the providers its optimal assignment gives at least
//! one of its needs (the providers that actually serve the chain, not every provider that could).
//! Edges are the chain's supplies, supplier → customer. Every attribute is declared once by a
//! `<key>` with its type:
//!
//! | key | on | type | value |
//! |---|---|---|---|
//! | `name` | node | string | the organization's name |
//! | `kind` | node | string | `enterprise`, `institute`, `inspection_center`, … |
//! | `role` | node | string | `chain_master`, `member`, or `provider` |
//! | `segment` | node | string | the firm's segment id (firms only) |
//! | `segment_name` | node | string | that segment's name (firms only) |
//! | `region` | node | string | six-digit GB/T 2260 code (absent for foreign firms) |
//! | `region_name` | node | string | the region's name, when the data has it |
//! | `foreign` | node | boolean | a foreign firm |
//! | `risk` | node | double | the firm's risk score in [0, 1] (firms only) |
//! | `critical` | node | boolean | a critical node of the chain (firms only) |
//! | `problem_load` | node | int | severity points of the firm's open problems (firms only) |
//! | `part` | edge | string | what is supplied |
//! | `single_source` | edge | boolean | (customer, part) has this one supplier only |
//! | `foreign_only` | edge | boolean | every supplier of (customer, part) is foreign |
//!
//! Nodes are in id order, edges in (supplier, customer, part) order, so the same data always
//! gives the same bytes. Like the rest of `render`, this only reads what the analyses computed.

use crate::analysis::ChainAnalysis;
use crate::model::{Chain, Dataset, Organization, Role};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::Write;

/// The GraphML namespace.
pub const NAMESPACE: &str = "http://graphml.graphdrawing.org/xmlns";

/// The content type of a GraphML document.
pub const CONTENT_TYPE: &str = "application/graphml+xml";

/// Every `<key>`: id (also its `attr.name`), what it is for, and its type.
pub const KEYS: [(&str, &str, &str); 14] = [
    ("name", "node", "string"),
    ("kind", "node", "string"),
    ("role", "node", "string"),
    ("segment", "node", "string"),
    ("segment_name", "node", "string"),
    ("region", "node", "string"),
    ("region_name", "node", "string"),
    ("foreign", "node", "boolean"),
    ("risk", "node", "double"),
    ("critical", "node", "boolean"),
    ("problem_load", "node", "int"),
    ("part", "edge", "string"),
    ("single_source", "edge", "boolean"),
    ("foreign_only", "edge", "boolean"),
];

/// The GraphML document of `chain`.
///
/// # Arguments
/// - `dataset`: the data the analysis was computed from (names, regions, memberships, supplies).
/// - `chain`: the chain drawn.
/// - `analysis`: its analysis (critical nodes, single-source and foreign-only parts, risk,
///   problem load, and the assignment that names the providers serving it).
///
/// # Returns
/// The whole document, UTF-8, every string XML-escaped.
///
/// # Complexity
/// O((V + P) log V + E log E) for V member firms, P serving providers and E supplies.
pub fn chain_graphml(dataset: &Dataset, chain: &Chain, analysis: &ChainAnalysis) -> String {
    let weak = &analysis.weak;
    let critical: HashSet<&str> = weak.critical_nodes.iter().map(|c| c.id.as_str()).collect();
    let risk: HashMap<&str, f64> = weak.risk.iter().map(|r| (r.id.as_str(), r.score)).collect();
    let load: HashMap<&str, u32> = weak
        .problem_load
        .iter()
        .map(|p| (p.id.as_str(), p.load))
        .collect();
    let single: HashSet<(&str, &str)> = weak
        .single_source_parts
        .iter()
        .map(|p| (p.buyer.as_str(), p.part.as_str()))
        .collect();
    let foreign_only: HashSet<(&str, &str)> = weak
        .foreign_only_parts
        .iter()
        .map(|p| (p.buyer.as_str(), p.part.as_str()))
        .collect();
    let segment_names: HashMap<&str, &str> = chain
        .segments
        .iter()
        .map(|s| (s.id.as_str(), s.name.as_str()))
        .collect();

    // Every node by id: members first, then the serving providers (an id is one organization).
    let mut nodes: BTreeMap<&str, &Organization> = dataset
        .members_of_chain(&chain.id)
        .map(|o| (o.id.as_str(), o))
        .collect();
    let providers: BTreeSet<&str> = analysis
        .assignment
        .assigned
        .iter()
        .map(|a| a.provider.as_str())
        .collect();
    for id in providers {
        if let Some(org) = dataset.organizations.get(id) {
            nodes.insert(org.id.as_str(), org);
        }
    }

    let mut out = String::with_capacity(256 * (nodes.len() + 1));
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<graphml xmlns=\"{NAMESPACE}\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"{NAMESPACE} {NAMESPACE}/1.0/graphml.xsd\">"
    );
    for (id, on, ty) in KEYS {
        let _ = writeln!(
            out,
            "  <key id=\"{id}\" for=\"{on}\" attr.name=\"{id}\" attr.type=\"{ty}\"/>"
        );
    }
    let _ = writeln!(
        out,
        "  <graph id=\"{}\" edgedefault=\"directed\">",
        escape(&chain.id)
    );
    for (id, org) in &nodes {
        let _ = writeln!(out, "    <node id=\"{}\">", escape(id));
        data(&mut out, "name", &org.name);
        data(&mut out, "kind", org.kind.as_str());
        let membership = org.membership(&chain.id);
        let role = match membership.map(|m| m.role) {
            Some(Role::ChainMaster) => "chain_master",
            Some(Role::Member) => "member",
            None => "provider",
        };
        data(&mut out, "role", role);
        if let Some(m) = membership {
            data(&mut out, "segment", &m.segment);
            if let Some(name) = segment_names.get(m.segment.as_str()) {
                data(&mut out, "segment_name", name);
            }
        }
        if let Some(code) = &org.region {
            data(&mut out, "region", code);
            if let Some(name) = dataset.region_name(code) {
                data(&mut out, "region_name", name);
            }
        }
        data(&mut out, "foreign", bool_text(org.foreign));
        if membership.is_some() {
            let score = risk.get(id).copied().unwrap_or(0.0);
            data(&mut out, "risk", &double_text(score));
            data(&mut out, "critical", bool_text(critical.contains(id)));
            let load = load.get(id).copied().unwrap_or(0);
            data(&mut out, "problem_load", &load.to_string());
        }
        out.push_str("    </node>\n");
    }
    // Supplies are kept in (chain, supplier, customer, part) order; one whose end is no member
    // (not on the chain's graph) is left out, so every edge's ends are nodes.
    let edges = dataset.supplies_of_chain(&chain.id).filter(|s| {
        [&s.supplier, &s.customer]
            .iter()
            .all(|id| nodes.get(id.as_str()).is_some_and(|o| !o.is_provider()))
    });
    for (n, s) in edges.enumerate() {
        let _ = writeln!(
            out,
            "    <edge id=\"e{n}\" source=\"{}\" target=\"{}\">",
            escape(&s.supplier),
            escape(&s.customer)
        );
        let key = (s.customer.as_str(), s.part.as_str());
        data(&mut out, "part", &s.part);
        data(&mut out, "single_source", bool_text(single.contains(&key)));
        data(
            &mut out,
            "foreign_only",
            bool_text(foreign_only.contains(&key)),
        );
        out.push_str("    </edge>\n");
    }
    out.push_str("  </graph>\n</graphml>\n");
    out
}

/// One `<data>` line.
fn data(out: &mut String, key: &str, value: &str) {
    let _ = writeln!(out, "      <data key=\"{key}\">{}</data>", escape(value));
}

fn bool_text(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

/// A double as XML Schema writes it (Rust's shortest round-trip form; finite scores only).
fn double_text(x: f64) -> String {
    if x.is_finite() {
        format!("{x:?}")
    } else {
        "0.0".to_string()
    }
}

/// `s` escaped for XML text and attribute values: `&`, `<`, `>`, `"` and `'` as entities, and a
/// character XML 1.0 cannot hold (a control character other than tab, newline, carriage return)
/// as U+FFFD.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escape_covers_markup_and_control_characters() {
        assert_eq!(
            escape("A&B <\"x\"> 'y' 宁德"),
            "A&amp;B &lt;&quot;x&quot;&gt; &apos;y&apos; 宁德"
        );
        assert_eq!(escape("a\u{1}b\tc"), "a\u{FFFD}b\tc");
    }
}
