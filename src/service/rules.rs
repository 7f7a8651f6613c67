//! Domain rules of writes, in one place for every write path (single-record writes, status
//! changes, imports from the API and from the command line).
//!
//! A problem's status only moves forward: `open → in_progress → resolved` (or `open → resolved`).
//! A write that would move a stored problem backward (`resolved → open`, `in_progress → open`,
//! …) is refused, and so is deleting a resolved problem: resolved problems are the record of the
//! year's work, and deleting one and creating it again would be a backward move by another road.
//! A new survey that finds a solved problem again records it as a new problem (a new id); where
//! the old record really must be reopened or removed, an admin or a regulator of the chain says
//! so explicitly with `override_status` (`?override_status=true`, `qmap import
//! --override-status`), and the audit log keeps that request.

use crate::model::{ChangeSet, Lookup, Problem, Status};
use crate::validate::{ErrorCode, ValidationError};

/// Whether a status-change request may move a problem from `from` to `to`: strictly forward.
pub fn transition_allowed(from: Status, to: Status) -> bool {
    rank(to) > rank(from)
}

/// Whether a write may store `to` over a stored `from`: the same status, or a forward move.
pub fn status_write_allowed(from: Status, to: Status) -> bool {
    rank(to) >= rank(from)
}

fn rank(s: Status) -> u8 {
    match s {
        Status::Open => 0,
        Status::InProgress => 1,
        Status::Resolved => 2,
    }
}

/// What a change does against the rules, given the stored records: one error per problem whose
/// status it moves backward (at `/problems/<i>/status` of the change's upserts) and per resolved
/// problem it deletes (at `/delete_problems/<i>`). Empty when `override_status` is set.
///
/// Complexity: one lookup per problem the change touches.
pub fn check_change(
    change: &ChangeSet,
    stored: &dyn Lookup,
    override_status: bool,
) -> Vec<ValidationError> {
    if override_status {
        return Vec::new();
    }
    let mut errors = check_problems(&change.upsert.problems, stored);
    for (i, id) in change.delete_problems.iter().enumerate() {
        if stored
            .problem(id)
            .is_some_and(|p| p.status == Status::Resolved)
        {
            errors.push(ValidationError::new(
                ErrorCode::ResolvedKept,
                format!("/delete_problems/{i}"),
                format!(
                    "problem {id:?} is resolved; resolved problems are kept \
                     (override_status=true removes it anyway)"
                ),
            ));
        }
    }
    errors
}

/// The status rule over problems to upsert (an import's `problems`), at `/problems/<i>/status`.
pub fn check_problems(problems: &[Problem], stored: &dyn Lookup) -> Vec<ValidationError> {
    let mut errors = Vec::new();
    for (i, p) in problems.iter().enumerate() {
        let Some(old) = stored.problem(&p.id) else {
            continue;
        };
        if !status_write_allowed(old.status, p.status) {
            errors.push(ValidationError::new(
                ErrorCode::StatusRegression,
                format!("/problems/{i}/status"),
                format!(
                    "problem {:?} is {} and cannot go back to {}; record a problem found again \
                     as a new problem, or reopen it with override_status=true",
                    p.id,
                    old.status.as_str(),
                    p.status.as_str()
                ),
            ));
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Bundle, Dataset};

    fn stored() -> Dataset {
        let bundle: Bundle =
            serde_json::from_str(include_str!("../../fixtures/linear.json")).unwrap();
        Dataset::from_bundle(bundle)
    }

    #[test]
    fn statuses_move_forward_only() {
        use Status::*;
        assert!(transition_allowed(Open, InProgress) && transition_allowed(Open, Resolved));
        assert!(transition_allowed(InProgress, Resolved));
        assert!(!transition_allowed(Open, Open) && !transition_allowed(Resolved, Open));
        assert!(status_write_allowed(Resolved, Resolved) && status_write_allowed(Open, Open));
        assert!(!status_write_allowed(Resolved, InProgress));
        assert!(!status_write_allowed(InProgress, Open));
    }

    #[test]
    fn a_change_that_reopens_or_deletes_a_resolved_problem_is_refused_unless_overridden() {
        let mut d = stored();
        let id = d.problems.keys().next().unwrap().clone();
        d.problems.get_mut(&id).unwrap().status = Status::Resolved;
        let mut reopened = d.problems[&id].clone();
        reopened.status = Status::Open;
        let change = ChangeSet {
            upsert: Bundle {
                problems: vec![reopened],
                ..Bundle::new()
            },
            delete_problems: vec![id.clone()],
            ..ChangeSet::default()
        };
        let errors = check_change(&change, &d, false);
        let found: Vec<(&str, ErrorCode)> =
            errors.iter().map(|e| (e.path.as_str(), e.code)).collect();
        assert_eq!(
            found,
            [
                ("/problems/0/status", ErrorCode::StatusRegression),
                ("/delete_problems/0", ErrorCode::ResolvedKept)
            ]
        );
        assert!(check_change(&change, &d, true).is_empty());
    }
}
