//! The checks of the quality work run on chains: projects, consortia, policy tools and goals
//! (see `crate::model::work`), against the document and the store, and what replacing a
//! problem, a consortium or an organization must keep valid of the stored projects and
//! consortia that refer to it.

use super::{Checker, Column, Entry, OrgFacts};
use crate::model::limits::{ID, SUMMARY, TEXT};
use crate::model::{
    divisions, region, Consortium, Goal, PolicyTool, Problem, Project, ProjectStatus, FIRST_YEAR,
    LAST_YEAR,
};
use crate::validate::ErrorCode;
use std::collections::HashMap;

/// What the checks know of a referenced problem or consortium: its chain, when it is sound.
enum Facts {
    Missing,
    Opaque,
    OnChain(String),
}

impl<'a> Checker<'a> {
    /// Indexes the ids of one kind of the document (`array` is its bundle array, `what` how a
    /// message names one), reporting empty, malformed and duplicate ids; those are left out.
    pub(super) fn index_ids<T>(
        &mut self,
        records: &Column<'a, T>,
        array: &str,
        what: &str,
        id: fn(&'a T) -> &'a String,
    ) -> HashMap<&'a str, usize> {
        let mut ids = HashMap::with_capacity(records.len());
        for (i, entry) in records.entries() {
            let id = match entry {
                Entry::Sound(r) => id(r).as_str(),
                Entry::Opaque(Some(id)) => id,
                Entry::Opaque(None) => continue,
            };
            let path = || format!("/{array}/{i}/id");
            if id.is_empty() {
                self.push(ErrorCode::EmptyId, path(), format!("{what} id is empty"));
            } else if !self.key(id, &format!("{what} id"), ID, path) {
                // Reported; like an empty id, left out of the index.
            } else if let Some(&first) = ids.get(id) {
                self.push(
                    ErrorCode::DuplicateId,
                    path(),
                    format!("duplicate {what} id {id:?} (first at /{array}/{first})"),
                );
            } else {
                ids.insert(id, i);
            }
        }
        ids
    }

    pub(super) fn project(&mut self, i: usize, p: &'a Project) {
        let at = |field: &str| format!("/projects/{i}/{field}");
        let id = &p.id;
        self.short(&p.title, "project title", TEXT, || at("title"));
        let chain = self.chain_reference(&p.chain, || at("chain"));
        self.lead(&p.lead, chain, &format!("project {id:?}"), || at("lead"));
        for (k, org) in p.participants.iter().enumerate() {
            self.organization_reference(org, || format!("/projects/{i}/participants/{k}"));
        }
        for (k, problem) in p.problems.iter().enumerate() {
            let path = || format!("/projects/{i}/problems/{k}");
            if !self.key(problem, "problem", ID, path) {
                continue;
            }
            match self.problem_facts(problem) {
                Facts::Missing => self.push(
                    ErrorCode::UnknownProblem,
                    path(),
                    format!("unknown problem {problem:?}"),
                ),
                Facts::OnChain(other) if chain.is_some_and(|c| c != other) => self.push(
                    ErrorCode::ProblemOnOtherChain,
                    path(),
                    format!(
                        "project {id:?} on chain {:?} tackles problem {problem:?}, which is on chain {other:?}",
                        p.chain
                    ),
                ),
                Facts::OnChain(_) | Facts::Opaque => {}
            }
        }
        self.year(p.year, &format!("year of project {id:?}"), || at("year"));
        if p.level.is_some() && p.status != ProjectStatus::Completed {
            self.push(
                ErrorCode::LevelBeforeCompletion,
                at("level"),
                format!(
                    "project {id:?} is {}; only a completed project has a level",
                    p.status.as_str()
                ),
            );
        }
        if let Some(consortium) = &p.consortium {
            let path = || at("consortium");
            if self.key(consortium, "consortium", ID, path) {
                match self.consortium_facts(consortium) {
                    Facts::Missing => self.push(
                        ErrorCode::UnknownConsortium,
                        path(),
                        format!("unknown consortium {consortium:?}"),
                    ),
                    Facts::OnChain(other) if chain.is_some_and(|c| c != other) => self.push(
                        ErrorCode::ConsortiumOnOtherChain,
                        path(),
                        format!(
                            "project {id:?} on chain {:?} is run by consortium {consortium:?}, which is on chain {other:?}",
                            p.chain
                        ),
                    ),
                    Facts::OnChain(_) | Facts::Opaque => {}
                }
            }
        }
        if let Some(summary) = p.results.as_ref().and_then(|r| r.summary.as_ref()) {
            self.short(summary, "results summary", SUMMARY, || {
                format!("/projects/{i}/results/summary")
            });
        }
    }

    pub(super) fn consortium(&mut self, i: usize, c: &'a Consortium) {
        let at = |field: &str| format!("/consortia/{i}/{field}");
        let id = &c.id;
        self.short(&c.name, "consortium name", TEXT, || at("name"));
        let chain = self.chain_reference(&c.chain, || at("chain"));
        self.lead(&c.lead, chain, &format!("consortium {id:?}"), || at("lead"));
        for (k, org) in c.members.iter().enumerate() {
            self.organization_reference(org, || format!("/consortia/{i}/members/{k}"));
        }
        self.year(
            c.founded,
            &format!("founding year of consortium {id:?}"),
            || at("founded"),
        );
    }

    pub(super) fn policy_tool(&mut self, i: usize, t: &'a PolicyTool) {
        let at = |field: &str| format!("/policy_tools/{i}/{field}");
        let id = &t.id;
        self.short(&t.title, "policy tool title", TEXT, || at("title"));
        self.short(&t.issuer, "issuer", TEXT, || at("issuer"));
        self.region_prefix(&t.region, &format!("policy tool {id:?}"), || at("region"));
        self.year(t.year, &format!("year of policy tool {id:?}"), || {
            at("year")
        });
        for (k, chain) in t.chains.iter().enumerate() {
            self.chain_reference(chain, || format!("/policy_tools/{i}/chains/{k}"));
        }
    }

    pub(super) fn goal(&mut self, i: usize, g: &'a Goal) {
        let at = |field: &str| format!("/goals/{i}/{field}");
        let id = &g.id;
        self.region_prefix(&g.region, &format!("goal {id:?}"), || at("region"));
        self.year(g.year, &format!("year of goal {id:?}"), || at("year"));
        if let Some(share) = g.international_share {
            if !(0.0..=1.0).contains(&share) {
                self.push(
                    ErrorCode::InvalidShare,
                    at("international_share"),
                    format!(
                        "international_share of goal {id:?} is {share}; it must be from 0 to 1"
                    ),
                );
            }
        }
    }

    /// Checks a reference to a chain; returns the chain when it can be part of a key and is
    /// known (or in the document, sound or not).
    pub(super) fn chain_reference(
        &mut self,
        chain: &'a str,
        path: impl Fn() -> String,
    ) -> Option<&'a str> {
        if !self.key(chain, "chain", ID, &path) {
            return None;
        }
        match self.chain_facts(chain, None) {
            super::ChainFacts::Missing => {
                self.push(
                    ErrorCode::UnknownChain,
                    path(),
                    format!("unknown chain {chain:?}"),
                );
                None
            }
            super::ChainFacts::Opaque | super::ChainFacts::Known { .. } => Some(chain),
        }
    }

    /// Checks a reference to an organization of any kind.
    fn organization_reference(&mut self, org: &str, path: impl Fn() -> String) {
        if self.key(org, "organization", ID, &path) {
            if let OrgFacts::Missing = self.org_facts(org, "", None) {
                self.push(
                    ErrorCode::UnknownOrganization,
                    path(),
                    format!("unknown organization {org:?}"),
                );
            }
        }
    }

    /// Checks the lead of `owner` (a project or consortium): a known enterprise that is a
    /// member of `chain` (when the chain is known).
    fn lead(&mut self, lead: &str, chain: Option<&str>, owner: &str, path: impl Fn() -> String) {
        if !self.key(lead, "organization", ID, &path) {
            return;
        }
        let chain_key = chain.and_then(|c| self.chain_keys.get(c).copied());
        match self.org_facts(lead, chain.unwrap_or(""), chain_key) {
            OrgFacts::Missing => self.push(
                ErrorCode::UnknownOrganization,
                path(),
                format!("unknown organization {lead:?}"),
            ),
            OrgFacts::Provider(kind) => self.push(
                ErrorCode::NotAnEnterprise,
                path(),
                format!(
                    "{owner} is led by {lead:?}, a {}; only an enterprise of the chain leads",
                    kind.as_str()
                ),
            ),
            OrgFacts::Enterprise { member: false } if chain.is_some() => self.push(
                ErrorCode::NotAMember,
                path(),
                format!(
                    "{owner}: lead {lead:?} is not a member of chain {:?}",
                    chain.unwrap_or_default()
                ),
            ),
            OrgFacts::Enterprise { .. } | OrgFacts::Opaque => {}
        }
    }

    fn year(&mut self, year: u16, what: &str, path: impl FnOnce() -> String) {
        if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
            self.push(
                ErrorCode::InvalidYear,
                path(),
                format!("{what} is {year}; it must be from {FIRST_YEAR} to {LAST_YEAR}"),
            );
        }
    }

    fn region_prefix(&mut self, prefix: &str, owner: &str, path: impl FnOnce() -> String) {
        if !region::is_prefix(prefix) {
            self.push(
                ErrorCode::InvalidRegion,
                path(),
                format!(
                    "region {:?} of {owner} is not a region-code prefix of 2, 4 or 6 digits",
                    prefix.chars().take(40).collect::<String>()
                ),
            );
        } else if prefix.len() == 6 {
            self.known_region(prefix, owner, path);
        } else if !divisions::is_known_prefix(prefix)
            && !self.regions_unusable
            && !self.region_codes.iter().any(|c| c.starts_with(prefix))
        {
            self.push(
                ErrorCode::UnknownRegion,
                path(),
                format!(
                    "region {prefix:?} of {owner} is the prefix of no GB/T 2260 division \
                     and of no region in `regions`"
                ),
            );
        }
    }

    /// The problem `id` as the document (first) or the store has it.
    fn problem_facts(&mut self, id: &str) -> Facts {
        if let Some(&index) = self.problem_ids.get(id) {
            return self
                .problem_records
                .get(index)
                .map_or(Facts::Opaque, |p| Facts::OnChain(p.chain.clone()));
        }
        if self.problems_unusable {
            return Facts::Opaque;
        }
        if !self.stored_problem_chains.contains_key(id) {
            let stored = self.existing.problem(id).map(|p| p.chain);
            self.stored_problem_chains.insert(id.to_string(), stored);
        }
        match &self.stored_problem_chains[id] {
            Some(chain) => Facts::OnChain(chain.clone()),
            None => Facts::Missing,
        }
    }

    /// The consortium `id` as the document (first) or the store has it.
    fn consortium_facts(&mut self, id: &str) -> Facts {
        if let Some(&index) = self.consortium_ids.get(id) {
            return self
                .consortium_records
                .get(index)
                .map_or(Facts::Opaque, |c| Facts::OnChain(c.chain.clone()));
        }
        if self.consortia_unusable {
            return Facts::Opaque;
        }
        if !self.stored_consortium_chains.contains_key(id) {
            let stored = self.existing.consortium(id).map(|c| c.chain);
            self.stored_consortium_chains.insert(id.to_string(), stored);
        }
        match &self.stored_consortium_chains[id] {
            Some(chain) => Facts::OnChain(chain.clone()),
            None => Facts::Missing,
        }
    }

    /// The stored projects that the document does not replace (fetched once).
    fn stored_projects(&mut self) -> Vec<Project> {
        if self.projects_unusable {
            return Vec::new();
        }
        let all = self
            .stored_projects
            .get_or_insert_with(|| self.existing.projects());
        all.iter()
            .filter(|p| !self.project_ids.contains_key(p.id.as_str()))
            .cloned()
            .collect()
    }

    /// The stored consortia that the document does not replace (fetched once).
    fn stored_consortia(&mut self) -> Vec<Consortium> {
        if self.consortia_unusable {
            return Vec::new();
        }
        let all = self
            .stored_consortia
            .get_or_insert_with(|| self.existing.consortia());
        all.iter()
            .filter(|c| !self.consortium_ids.contains_key(c.id.as_str()))
            .cloned()
            .collect()
    }

    /// `(chain, "project" or "consortium", id)` of every stored project and consortium that
    /// `org` leads and the document does not replace.
    pub(super) fn stored_work_led_by(&mut self, org: &str) -> Vec<(String, &'static str, String)> {
        let mut led: Vec<(String, &'static str, String)> = self
            .stored_projects()
            .into_iter()
            .filter(|p| p.lead == org)
            .map(|p| (p.chain, "project", p.id))
            .collect();
        led.extend(
            self.stored_consortia()
                .into_iter()
                .filter(|c| c.lead == org)
                .map(|c| (c.chain, "consortium", c.id)),
        );
        led
    }

    /// A problem the document moves to another chain must not leave a stored project (that
    /// the document does not replace) tackling it from the old chain.
    pub(super) fn replaced_problems(&mut self, problems: &Column<'a, Problem>) {
        if self.problem_ids.is_empty() {
            return;
        }
        for project in self.stored_projects() {
            for id in &project.problems {
                let Some(&i) = self.problem_ids.get(id.as_str()) else {
                    continue;
                };
                let Some(problem) = problems.get(i) else {
                    continue;
                };
                if problem.chain != project.chain {
                    self.push(
                        ErrorCode::ProblemOnOtherChain,
                        format!("/problems/{i}/chain"),
                        format!(
                            "problem {id:?} would move to chain {:?}, but stored project {:?} on chain {:?} tackles it",
                            problem.chain, project.id, project.chain
                        ),
                    );
                }
            }
        }
    }

    /// A consortium the document moves to another chain must not leave a stored project (that
    /// the document does not replace) run by it on the old chain.
    pub(super) fn replaced_consortia(&mut self, consortia: &Column<'a, Consortium>) {
        if self.consortium_ids.is_empty() {
            return;
        }
        for project in self.stored_projects() {
            let Some(id) = &project.consortium else {
                continue;
            };
            let Some(&i) = self.consortium_ids.get(id.as_str()) else {
                continue;
            };
            let Some(consortium) = consortia.get(i) else {
                continue;
            };
            if consortium.chain != project.chain {
                self.push(
                    ErrorCode::ConsortiumOnOtherChain,
                    format!("/consortia/{i}/chain"),
                    format!(
                        "consortium {id:?} would move to chain {:?}, but stored project {:?} on chain {:?} is run by it",
                        consortium.chain, project.id, project.chain
                    ),
                );
            }
        }
    }
}
