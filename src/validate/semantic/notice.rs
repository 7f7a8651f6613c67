//! The checks of quality notices (see `crate::model::notice`): the chain, the firm (an
//! enterprise), the problem (the firm's, on the chain), the severity, the lengths and the
//! recipients' ids. That the firm is a member of the chain, and the part one it supplies or
//! receives there, are checked only when a notice is sent (`crate::service::notices`): a stored
//! notice is a record of what was said, and keeps its firm and part when a later survey changes
//! the chain's members and supplies (so an export of such a store imports again).

use super::{Checker, OrgFacts};
use crate::model::limits::{ID, PART, TEXT};
use crate::model::Notice;
use crate::validate::ErrorCode;

impl<'a> Checker<'a> {
    pub(super) fn notice(&mut self, i: usize, n: &'a Notice) {
        let at = |field: &str| format!("/notices/{i}/{field}");
        let id = &n.id;
        let chain = self.chain_reference(&n.chain, || at("chain"));
        let firm = &n.about.firm;
        let firm_path = || at("about/firm");
        if self.key(firm, "organization", ID, firm_path) {
            let chain_key = chain.and_then(|c| self.chain_keys.get(c).copied());
            match self.org_facts(firm, chain.unwrap_or(""), chain_key) {
                OrgFacts::Missing => self.push(
                    ErrorCode::UnknownOrganization,
                    firm_path(),
                    format!("unknown organization {firm:?}"),
                ),
                OrgFacts::Provider(kind) => self.push(
                    ErrorCode::NotAnEnterprise,
                    firm_path(),
                    format!(
                        "notice {id:?} is about {firm:?}, a {}; a notice is about an enterprise",
                        kind.as_str()
                    ),
                ),
                // Membership is checked when a notice is sent, like its part: a stored notice
                // stays a record of what was said after a survey takes the firm off the chain.
                OrgFacts::Enterprise { .. } | OrgFacts::Opaque => {}
            }
        }
        if let Some(part) = &n.about.part {
            let path = || at("about/part");
            if part.trim().is_empty() {
                self.push(
                    ErrorCode::EmptyPart,
                    path(),
                    format!("notice {id:?} names an empty part"),
                );
            } else {
                self.key(part, "part", PART, path);
            }
        }
        if let Some(problem) = &n.about.problem {
            let path = || at("about/problem");
            if self.key(problem, "problem", ID, path) {
                let found = match self.problem_ids.get(problem.as_str()) {
                    Some(&index) => self
                        .problem_records
                        .get(index)
                        .map(|p| Some((p.org.clone(), p.chain.clone()))),
                    None if self.problems_unusable => None,
                    None => Some(self.existing.problem(problem).map(|p| (p.org, p.chain))),
                };
                match found {
                    // Opaque: already reported where it is.
                    None => {}
                    Some(None) => self.push(
                        ErrorCode::UnknownProblem,
                        path(),
                        format!("unknown problem {problem:?}"),
                    ),
                    Some(Some((org, _))) if org != *firm => self.push(
                        ErrorCode::ProblemOfOtherFirm,
                        path(),
                        format!("notice {id:?} is about {firm:?}, but problem {problem:?} is held by {org:?}"),
                    ),
                    Some(Some((_, other))) if chain.is_some_and(|c| c != other) => self.push(
                        ErrorCode::ProblemOnOtherChain,
                        path(),
                        format!(
                            "notice {id:?} on chain {:?} is about problem {problem:?}, which is on chain {other:?}",
                            n.chain
                        ),
                    ),
                    Some(Some(_)) => {}
                }
            }
        }
        if !(1..=5).contains(&n.severity) {
            self.push(
                ErrorCode::InvalidSeverity,
                at("severity"),
                format!("severity is {}; it must be from 1 to 5", n.severity),
            );
        }
        self.short(&n.message, "message", TEXT, || at("message"));
        self.short(&n.sender, "sender", ID, || at("sender"));
        for (k, r) in n.recipients.iter().enumerate() {
            self.key(&r.org, "organization", ID, || {
                format!("/notices/{i}/recipients/{k}/org")
            });
        }
        for org in n.acks.keys() {
            if !n.is_recipient(org) {
                self.push(
                    ErrorCode::NotARecipient,
                    crate::validate::pointer_push(&format!("/notices/{i}/acks"), org),
                    format!("notice {id:?} is acknowledged by {org:?}, which is not a recipient"),
                );
            }
        }
    }
}
