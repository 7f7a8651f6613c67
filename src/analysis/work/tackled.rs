//! Tackled-by: which projects tackle each problem of a chain, and the problems of each firm
//! (`docs/analyses.md`, "Tackled by"). The problem list says per problem which projects tackle
//! it; the weak-link lists say per firm.

use crate::model::{Dataset, Project};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use utoipa::ToSchema;

/// The projects tackling one problem, or some problem of one firm.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct ProjectIds {
    /// The live ones (neither `cancelled` nor `completed`), sorted by id.
    pub live: Vec<String>,
    /// All of them, whatever their status, sorted by id.
    pub all: Vec<String>,
}

impl ProjectIds {
    /// Whether a live project is among them: the problem (or some problem of the firm) is
    /// tackled.
    pub fn is_tackled(&self) -> bool {
        !self.live.is_empty()
    }
}

/// Who tackles what on one chain.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct TackledBy {
    /// Problem id → the projects listing it in `problems`. Problems no project lists are absent.
    pub problems: BTreeMap<String, ProjectIds>,
    /// Firm id → the projects listing some problem the firm holds. Firms none of whose problems
    /// a project lists are absent.
    pub firms: BTreeMap<String, ProjectIds>,
}

impl TackledBy {
    /// The projects tackling `problem` (empty lists when none does).
    pub fn problem(&self, problem: &str) -> &ProjectIds {
        self.problems.get(problem).unwrap_or(&NONE)
    }

    /// The projects tackling some problem of `firm` (empty lists when none does).
    pub fn firm(&self, firm: &str) -> &ProjectIds {
        self.firms.get(firm).unwrap_or(&NONE)
    }

    /// Whether a live project lists `problem`.
    pub fn is_tackled(&self, problem: &str) -> bool {
        self.problem(problem).is_tackled()
    }
}

static NONE: ProjectIds = ProjectIds {
    live: Vec::new(),
    all: Vec::new(),
};

/// Who tackles what on `chain`.
///
/// # Arguments
/// - `d`: the dataset, to find the holder of each problem.
/// - `chain`: the chain id.
/// - `projects`: projects to read (for instance `d.projects_of_chain(chain)`); those of other
///   chains are ignored.
///
/// # Returns
/// Per problem listed by some project of the chain, and per firm holding such a problem, the
/// ids of the projects listing it (live ones apart). A problem id that names no problem of the
/// dataset (validation rejects it) is kept under `problems` and counted for no firm.
///
/// # Complexity
/// O(J·k·log P) for J projects listing k problems each, P problems of the dataset.
pub fn tackled_by<'a>(
    d: &Dataset,
    chain: &str,
    projects: impl IntoIterator<Item = &'a Project>,
) -> TackledBy {
    #[derive(Default)]
    struct Acc<'a> {
        live: BTreeSet<&'a str>,
        all: BTreeSet<&'a str>,
    }
    let mut by_problem: BTreeMap<&str, Acc<'_>> = BTreeMap::new();
    let mut by_firm: BTreeMap<&str, Acc<'_>> = BTreeMap::new();
    for j in projects.into_iter().filter(|j| j.chain == chain) {
        for problem in &j.problems {
            let mut accs = vec![by_problem.entry(problem.as_str()).or_default()];
            if let Some(p) = d.problems.get(problem.as_str()) {
                accs.push(by_firm.entry(p.org.as_str()).or_default());
            }
            for acc in accs {
                acc.all.insert(j.id.as_str());
                if j.is_live() {
                    acc.live.insert(j.id.as_str());
                }
            }
        }
    }
    let ids = |map: BTreeMap<&str, Acc<'_>>| {
        map.into_iter()
            .map(|(key, acc)| {
                let list = |set: BTreeSet<&str>| set.into_iter().map(str::to_string).collect();
                (
                    key.to_string(),
                    ProjectIds {
                        live: list(acc.live),
                        all: list(acc.all),
                    },
                )
            })
            .collect()
    };
    TackledBy {
        problems: ids(by_problem),
        firms: ids(by_firm),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::work::untackled::tests::{chain_dataset, project};
    use crate::model::ProjectStatus;

    #[test]
    fn problems_and_firms_list_the_projects_tackling_them_live_ones_apart() {
        let mut d = chain_dataset();
        for j in [
            project("j1", "kp", ProjectStatus::InProgress, &["p-m1", "p-a1"]),
            project("j2", "kp", ProjectStatus::Cancelled, &["p-m1"]),
            project("j3", "kp", ProjectStatus::Completed, &["p-b1"]),
            project("j4", "kp", ProjectStatus::Proposed, &["p-a2"]),
        ] {
            d.projects.insert(j.id.clone(), j);
        }
        // A project of another chain is not read.
        let mut other = project("j9", "kp", ProjectStatus::Approved, &["p-b1"]);
        other.chain = "elsewhere".into();
        d.projects.insert(other.id.clone(), other);

        let t = tackled_by(&d, "c", d.projects.values());
        let ids = |live: &[&str], all: &[&str]| ProjectIds {
            live: live.iter().map(|s| s.to_string()).collect(),
            all: all.iter().map(|s| s.to_string()).collect(),
        };
        let expected = TackledBy {
            problems: [
                ("p-a1".to_string(), ids(&["j1"], &["j1"])),
                ("p-a2".to_string(), ids(&["j4"], &["j4"])),
                ("p-b1".to_string(), ids(&[], &["j3"])),
                ("p-m1".to_string(), ids(&["j1"], &["j1", "j2"])),
            ]
            .into(),
            firms: [
                ("a".to_string(), ids(&["j1", "j4"], &["j1", "j4"])),
                ("b".to_string(), ids(&[], &["j3"])),
                ("m".to_string(), ids(&["j1"], &["j1", "j2"])),
            ]
            .into(),
        };
        assert_eq!(t, expected);
        assert!(t.is_tackled("p-m1") && t.is_tackled("p-a2"));
        assert!(!t.is_tackled("p-b1") && !t.is_tackled("p-k1"));
        assert_eq!(t.firm("k"), &ProjectIds::default());
        assert!(t.firm("b").all == ["j3"] && !t.firm("b").is_tackled());
    }
}
