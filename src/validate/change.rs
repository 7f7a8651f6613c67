//! Checks of a `ChangeSet` (an API write): its upserts as a bundle, against the store as it
//! will be once the deletes are applied, and its deletes, which must not leave stored records
//! referring to what they remove.
//!
//! Deleting and upserting the same id in one change is a replacement (deletes apply first), so
//! such a delete is judged as the upsert of a new version, never as a removal.

use super::semantic::check_records;
use super::{ErrorCode, Report, ValidationError};
use crate::model::{
    Chain, ChangeSet, Consortium, Lookup, Notice, Organization, Problem, Project, Supply,
};
use std::collections::HashSet;

/// Checks a change: the upserts as [`check_bundle`](super::check_bundle) does (except their
/// `version`, which only a document carries), resolved against `existing` without
/// the deleted records, plus every delete that would leave a stored record dangling
/// ([`ErrorCode::StillReferenced`] at `/delete_organizations/<i>`, `/delete_problems/<i>`,
/// `/delete_consortia/<i>`).
///
/// Checked: stored supplies, problems, projects (as lead or participant) and consortia (as
/// lead or member) of a deleted organization, stored projects tackling a deleted problem or run
/// by a deleted consortium (unless the same change deletes or replaces them), and records of
/// the change that refer to any deleted record. Not checked: stored members, supplies,
/// problems, projects, consortia and policy tools of a deleted chain, which `Lookup` cannot
/// enumerate (or, for the few projects, consortia and tools, are left like the rest). Deleting
/// a record that does not exist is not an error.
pub fn check_change(change: &ChangeSet, existing: &dyn Lookup) -> Report {
    let after = AfterDeletes::new(change, existing);
    let mut errors = check_records(&change.upsert, None, &after);
    let upserted_problems: HashSet<&str> = change
        .upsert
        .problems
        .iter()
        .map(|p| p.id.as_str())
        .collect();
    // The stored projects and consortia that stay as they are: those the change upserts are
    // checked in their new version, those it deletes are gone. Read only when something they
    // may refer to is deleted.
    let work_may_refer = [
        &change.delete_organizations,
        &change.delete_problems,
        &change.delete_consortia,
    ]
    .iter()
    .any(|deleted| !deleted.is_empty());
    let (projects, consortia) = if work_may_refer {
        let upserted: HashSet<&str> = change
            .upsert
            .projects
            .iter()
            .map(|p| p.id.as_str())
            .collect();
        let projects: Vec<Project> = after
            .projects()
            .into_iter()
            .filter(|p| !upserted.contains(p.id.as_str()))
            .collect();
        let upserted: HashSet<&str> = change
            .upsert
            .consortia
            .iter()
            .map(|c| c.id.as_str())
            .collect();
        let consortia: Vec<Consortium> = after
            .consortia()
            .into_iter()
            .filter(|c| !upserted.contains(c.id.as_str()))
            .collect();
        (projects, consortia)
    } else {
        (Vec::new(), Vec::new())
    };
    // The stored notices that stay as they are: a notice keeps the firm it is about, its sender,
    // its recipients and the problem it names, so none of them may go while it stays.
    let notices: Vec<Notice> =
        if change.delete_organizations.is_empty() && change.delete_problems.is_empty() {
            Vec::new()
        } else {
            let upserted: HashSet<&str> = change
                .upsert
                .notices
                .iter()
                .map(|n| n.id.as_str())
                .collect();
            after
                .notices()
                .into_iter()
                .filter(|n| !upserted.contains(n.id.as_str()))
                .collect()
        };
    for (i, id) in change.delete_organizations.iter().enumerate() {
        if !after.organizations.contains(id.as_str()) || existing.organization(id).is_none() {
            continue;
        }
        let supplies = after.supplies_touching(id);
        let problems: Vec<Problem> = after
            .problems_of(id)
            .into_iter()
            .filter(|p| !upserted_problems.contains(p.id.as_str()))
            .collect();
        let mut refs = Vec::new();
        if let Some(s) = supplies.first() {
            refs.push(format!(
                "{} suppl{} (e.g. {:?} → {:?} of {:?} on chain {:?})",
                supplies.len(),
                if supplies.len() == 1 { "y" } else { "ies" },
                s.supplier,
                s.customer,
                s.part,
                s.chain
            ));
        }
        if let Some(p) = problems.first() {
            refs.push(format!(
                "{} problem{} (e.g. {:?})",
                problems.len(),
                if problems.len() == 1 { "" } else { "s" },
                p.id
            ));
        }
        let in_projects: Vec<&Project> = projects
            .iter()
            .filter(|p| p.organizations().any(|o| o == id))
            .collect();
        if let Some(p) = in_projects.first() {
            refs.push(format!(
                "{} project{} (e.g. {:?})",
                in_projects.len(),
                if in_projects.len() == 1 { "" } else { "s" },
                p.id
            ));
        }
        let in_consortia: Vec<&Consortium> = consortia
            .iter()
            .filter(|c| c.organizations().any(|o| o == id))
            .collect();
        if let Some(c) = in_consortia.first() {
            refs.push(format!(
                "{} consorti{} (e.g. {:?})",
                in_consortia.len(),
                if in_consortia.len() == 1 { "um" } else { "a" },
                c.id
            ));
        }
        let in_notices: Vec<&Notice> = notices
            .iter()
            .filter(|n| {
                n.about.firm == *id || n.sender == *id || n.recipients.iter().any(|r| r.org == *id)
            })
            .collect();
        if let Some(n) = in_notices.first() {
            refs.push(format!(
                "{} notice{} (e.g. {:?})",
                in_notices.len(),
                if in_notices.len() == 1 { "" } else { "s" },
                n.id
            ));
        }
        if !refs.is_empty() {
            errors.push(ValidationError::new(
                ErrorCode::StillReferenced,
                format!("/delete_organizations/{i}"),
                format!(
                    "cannot delete organization {id:?}: {} still refer to it; delete them in the same change",
                    refs.join(" and ")
                ),
            ));
        }
    }
    for (i, id) in change.delete_problems.iter().enumerate() {
        if !after.problems.contains(id.as_str()) || existing.problem(id).is_none() {
            continue;
        }
        let tackling: Vec<&Project> = projects
            .iter()
            .filter(|p| p.problems.contains(id))
            .collect();
        if let Some(p) = tackling.first() {
            errors.push(ValidationError::new(
                ErrorCode::StillReferenced,
                format!("/delete_problems/{i}"),
                format!(
                    "cannot delete problem {id:?}: {} project{} (e.g. {:?}) still tackle{} it; change or delete them in the same change",
                    tackling.len(),
                    if tackling.len() == 1 { "" } else { "s" },
                    p.id,
                    if tackling.len() == 1 { "s" } else { "" },
                ),
            ));
        }
    }
    for (i, id) in change.delete_problems.iter().enumerate() {
        if !after.problems.contains(id.as_str()) || existing.problem(id).is_none() {
            continue;
        }
        let naming: Vec<&Notice> = notices
            .iter()
            .filter(|n| n.about.problem.as_ref() == Some(id))
            .collect();
        if let Some(n) = naming.first() {
            errors.push(ValidationError::new(
                ErrorCode::StillReferenced,
                format!("/delete_problems/{i}"),
                format!(
                    "cannot delete problem {id:?}: {} notice{} (e.g. {:?}) still name{} it; delete them in the same change",
                    naming.len(),
                    if naming.len() == 1 { "" } else { "s" },
                    n.id,
                    if naming.len() == 1 { "s" } else { "" },
                ),
            ));
        }
    }
    for (i, id) in change.delete_consortia.iter().enumerate() {
        if !after.consortia.contains(id.as_str()) || existing.consortium(id).is_none() {
            continue;
        }
        let run: Vec<&Project> = projects
            .iter()
            .filter(|p| p.consortium.as_ref() == Some(id))
            .collect();
        if let Some(p) = run.first() {
            errors.push(ValidationError::new(
                ErrorCode::StillReferenced,
                format!("/delete_consortia/{i}"),
                format!(
                    "cannot delete consortium {id:?}: {} project{} (e.g. {:?}) it runs still refer to it; change or delete them in the same change",
                    run.len(),
                    if run.len() == 1 { "" } else { "s" },
                    p.id
                ),
            ));
        }
    }
    errors
}

/// The store as the upserts of a change will see it: the records the change deletes (and does
/// not upsert again) are gone.
struct AfterDeletes<'a> {
    inner: &'a dyn Lookup,
    regions: HashSet<&'a str>,
    chains: HashSet<&'a str>,
    organizations: HashSet<&'a str>,
    problems: HashSet<&'a str>,
    supplies: HashSet<&'a Supply>,
    consortia: HashSet<&'a str>,
    projects: HashSet<&'a str>,
    notices: HashSet<&'a str>,
}

impl<'a> AfterDeletes<'a> {
    fn new(change: &'a ChangeSet, inner: &'a dyn Lookup) -> Self {
        let up = &change.upsert;
        let regions_up: HashSet<&str> = up.regions.iter().map(|r| r.code.as_str()).collect();
        let chains_up: HashSet<&str> = up.chains.iter().map(|c| c.id.as_str()).collect();
        let orgs_up: HashSet<&str> = up.organizations.iter().map(|o| o.id.as_str()).collect();
        let problems_up: HashSet<&str> = up.problems.iter().map(|p| p.id.as_str()).collect();
        let supplies_up: HashSet<&Supply> = up.supplies.iter().collect();
        let consortia_up: HashSet<&str> = up.consortia.iter().map(|c| c.id.as_str()).collect();
        let projects_up: HashSet<&str> = up.projects.iter().map(|p| p.id.as_str()).collect();
        let notices_up: HashSet<&str> = up.notices.iter().map(|n| n.id.as_str()).collect();
        let gone = |deleted: &'a [String], upserted: &HashSet<&str>| -> HashSet<&'a str> {
            deleted
                .iter()
                .map(String::as_str)
                .filter(|id| !upserted.contains(id))
                .collect()
        };
        AfterDeletes {
            inner,
            regions: gone(&change.delete_regions, &regions_up),
            chains: gone(&change.delete_chains, &chains_up),
            organizations: gone(&change.delete_organizations, &orgs_up),
            problems: gone(&change.delete_problems, &problems_up),
            supplies: change
                .delete_supplies
                .iter()
                .filter(|s| !supplies_up.contains(s))
                .collect(),
            consortia: gone(&change.delete_consortia, &consortia_up),
            projects: gone(&change.delete_projects, &projects_up),
            notices: gone(&change.delete_notices, &notices_up),
        }
    }
}

impl Lookup for AfterDeletes<'_> {
    fn has_region(&self, code: &str) -> bool {
        !self.regions.contains(code) && self.inner.has_region(code)
    }

    fn chain(&self, id: &str) -> Option<Chain> {
        if self.chains.contains(id) {
            return None;
        }
        self.inner.chain(id)
    }

    fn organization(&self, id: &str) -> Option<Organization> {
        if self.organizations.contains(id) {
            return None;
        }
        self.inner.organization(id)
    }

    fn problem(&self, id: &str) -> Option<Problem> {
        if self.problems.contains(id) {
            return None;
        }
        self.inner.problem(id)
    }

    fn consortium(&self, id: &str) -> Option<Consortium> {
        if self.consortia.contains(id) {
            return None;
        }
        self.inner.consortium(id)
    }

    fn has_supply(&self, supply: &Supply) -> bool {
        !self.supplies.contains(supply) && self.inner.has_supply(supply)
    }

    fn supplies_touching(&self, org: &str) -> Vec<Supply> {
        let mut supplies = self.inner.supplies_touching(org);
        supplies.retain(|s| !self.supplies.contains(s));
        supplies
    }

    fn problems_of(&self, org: &str) -> Vec<Problem> {
        let mut problems = self.inner.problems_of(org);
        problems.retain(|p| !self.problems.contains(p.id.as_str()));
        problems
    }

    fn projects(&self) -> Vec<Project> {
        let mut projects = self.inner.projects();
        projects.retain(|p| !self.projects.contains(p.id.as_str()));
        projects
    }

    fn consortia(&self) -> Vec<Consortium> {
        let mut consortia = self.inner.consortia();
        consortia.retain(|c| !self.consortia.contains(c.id.as_str()));
        consortia
    }

    fn notices(&self) -> Vec<Notice> {
        let mut notices = self.inner.notices();
        notices.retain(|n| !self.notices.contains(n.id.as_str()));
        notices
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Bundle, Dataset};
    use serde_json::json;

    /// ```text
    /// chain c:  b ──separator──▶ a      problem p held by a
    /// provider q
    /// ```
    fn store() -> Dataset {
        let bundle: Bundle = serde_json::from_value(json!({
            "version": 1,
            "chains": [{"id": "c", "name": "C", "segments": [{"id": "s", "name": "S"}]}],
            "organizations": [
                {"id": "a", "name": "A", "kind": "enterprise", "region": "320583",
                 "chains": [{"chain": "c", "role": "chain_master", "segment": "s"}]},
                {"id": "b", "name": "B", "kind": "enterprise", "region": "320583",
                 "chains": [{"chain": "c", "role": "member", "segment": "s"}]},
                {"id": "q", "name": "Q", "kind": "institute", "level": "national",
                 "region": "320500", "capabilities": []}],
            "supplies": [{"chain": "c", "from": "b", "to": "a", "part": "separator"}],
            "problems": [{"id": "p", "org": "a", "chain": "c", "title": "T",
                          "category": "testing", "severity": 3, "status": "open"}]
        }))
        .unwrap();
        Dataset::from_bundle(bundle)
    }

    fn supply() -> Supply {
        Supply {
            chain: "c".into(),
            supplier: "b".into(),
            customer: "a".into(),
            part: "separator".into(),
        }
    }

    fn pairs(report: Report) -> Vec<(String, ErrorCode)> {
        report
            .into_errors()
            .into_iter()
            .map(|e| (e.path, e.code))
            .collect()
    }

    #[test]
    fn deleting_an_organization_with_supplies_or_problems_is_refused() {
        let change = ChangeSet {
            delete_organizations: vec!["q".into(), "a".into(), "nobody".into()],
            ..ChangeSet::default()
        };
        let report = check_change(&change, &store());
        let errors = report.errors();
        assert_eq!(report.total(), 1);
        assert_eq!(errors[0].path, "/delete_organizations/1");
        assert_eq!(errors[0].code, ErrorCode::StillReferenced);
        assert!(
            errors[0].message.contains("1 supply"),
            "{}",
            errors[0].message
        );
        assert!(
            errors[0].message.contains("1 problem"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn deleting_an_organization_with_its_references_is_accepted() {
        let change = ChangeSet {
            delete_organizations: vec!["a".into()],
            delete_supplies: vec![supply()],
            delete_problems: vec!["p".into()],
            ..ChangeSet::default()
        };
        assert_eq!(pairs(check_change(&change, &store())), vec![]);
    }

    #[test]
    fn deleting_and_upserting_an_organization_replaces_it() {
        let store = store();
        let mut change = ChangeSet {
            delete_organizations: vec!["b".into()],
            ..ChangeSet::default()
        };
        change.upsert.version = 1;
        let mut b = store.organizations["b"].clone();
        change.upsert.organizations.push(b.clone());
        assert_eq!(pairs(check_change(&change, &store)), vec![]);

        // The new version leaves chain c, where its stored supply is.
        b.chains = Some(vec![]);
        change.upsert.organizations = vec![b];
        assert_eq!(
            pairs(check_change(&change, &store)),
            vec![("/organizations/0".into(), ErrorCode::NotAMember)]
        );
    }

    #[test]
    fn a_region_the_change_deletes_no_longer_names_a_code_the_table_lacks() {
        let mut store = store();
        store.regions.insert(
            "999999".into(),
            crate::model::Region {
                code: "999999".into(),
                name: "新区".into(),
            },
        );
        let mut moved = store.organizations["b"].clone();
        moved.region = Some("999999".into());
        let mut change = ChangeSet::upsert(Bundle::new());
        change.upsert.organizations.push(moved);
        assert!(check_change(&change, &store).is_empty());
        change.delete_regions = vec!["999999".into()];
        assert_eq!(
            pairs(check_change(&change, &store)),
            vec![("/organizations/0/region".into(), ErrorCode::UnknownRegion)]
        );
        // Deleted and upserted again in the same change: a replacement, still named.
        change.upsert.regions.push(store.regions["999999"].clone());
        assert!(check_change(&change, &store).is_empty());
    }

    #[test]
    fn upserts_cannot_refer_to_records_the_change_deletes() {
        let mut change = ChangeSet::upsert(Bundle::new());
        change.delete_chains = vec!["c".into()];
        change.delete_organizations = vec!["q".into()];
        change.upsert.supplies.push(Supply {
            supplier: "q".into(),
            ..supply()
        });
        change.upsert.supplies.push(Supply {
            part: "foil".into(),
            ..supply()
        });
        assert_eq!(
            pairs(check_change(&change, &store())),
            vec![
                ("/supplies/0/chain".into(), ErrorCode::UnknownChain),
                ("/supplies/0/from".into(), ErrorCode::UnknownOrganization),
                ("/supplies/1/chain".into(), ErrorCode::UnknownChain),
            ]
        );
    }

    /// The store with a project tackling `p`, led by `a` with `q` taking part, run by
    /// consortium `k` (led by `a`, with `b`).
    fn store_with_work() -> Dataset {
        let mut d = store();
        let work: Bundle = serde_json::from_value(json!({
            "version": 1,
            "consortia": [{"id": "k", "name": "K", "chain": "c", "lead": "a", "members": ["b"],
                           "founded": 2024}],
            "projects": [{"id": "j", "title": "J", "category": "key_product", "chain": "c",
                          "lead": "a", "participants": ["q"], "problems": ["p"], "year": 2025,
                          "status": "in_progress", "consortium": "k"}]
        }))
        .unwrap();
        d.upsert(work);
        d
    }

    #[test]
    fn deleting_what_a_project_or_consortium_refers_to_is_refused() {
        let store = store_with_work();
        // b's supply goes too: what is left of b is its place in consortium k.
        let change = ChangeSet {
            delete_organizations: vec!["b".into(), "q".into()],
            delete_problems: vec!["p".into()],
            delete_supplies: vec![supply()],
            ..ChangeSet::default()
        };
        let report = check_change(&change, &store);
        assert!(report.errors()[0]
            .message
            .contains("1 consortium (e.g. \"k\")"));
        assert!(report.errors()[1]
            .message
            .contains("1 project (e.g. \"j\")"));
        assert_eq!(
            pairs(report),
            vec![
                ("/delete_organizations/0".into(), ErrorCode::StillReferenced),
                ("/delete_organizations/1".into(), ErrorCode::StillReferenced),
                ("/delete_problems/0".into(), ErrorCode::StillReferenced),
            ]
        );
        let consortia = ChangeSet {
            delete_consortia: vec!["none".into(), "k".into()],
            ..ChangeSet::default()
        };
        assert_eq!(
            pairs(check_change(&consortia, &store)),
            vec![("/delete_consortia/1".into(), ErrorCode::StillReferenced)]
        );
        // Deleting the project and the consortium too makes it sound.
        let change = ChangeSet {
            delete_projects: vec!["j".into()],
            delete_consortia: vec!["k".into()],
            ..change
        };
        assert_eq!(pairs(check_change(&change, &store)), vec![]);
    }

    #[test]
    fn a_project_upserted_with_the_deletes_is_judged_in_its_new_version() {
        let store = store_with_work();
        let mut project = store.projects["j"].clone();
        project.problems.clear();
        project.participants.clear();
        let mut change = ChangeSet {
            delete_problems: vec!["p".into()],
            delete_organizations: vec!["q".into()],
            ..ChangeSet::default()
        };
        change.upsert.projects.push(project.clone());
        assert_eq!(pairs(check_change(&change, &store)), vec![]);

        // A new version that still names what the change deletes dangles, at its own paths.
        project.problems = vec!["p".into()];
        project.participants = vec!["q".into()];
        change.upsert.projects = vec![project];
        change.delete_consortia = vec!["k".into()];
        assert_eq!(
            pairs(check_change(&change, &store)),
            vec![
                (
                    "/projects/0/participants/0".into(),
                    ErrorCode::UnknownOrganization
                ),
                ("/projects/0/problems/0".into(), ErrorCode::UnknownProblem),
                (
                    "/projects/0/consortium".into(),
                    ErrorCode::UnknownConsortium
                ),
            ]
        );
    }

    #[test]
    fn upserts_are_checked_like_a_bundle() {
        let mut change = ChangeSet::upsert(Bundle::new());
        change.upsert.supplies.push(Supply {
            customer: "b".into(),
            ..supply()
        });
        assert_eq!(
            pairs(check_change(&change, &store())),
            vec![("/supplies/0/to".into(), ErrorCode::SelfSupply)]
        );
    }
}
