//! Revisions: every write makes one; a labelled one is a survey (年度调查) users pick.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Records of one kind that a revision added, changed and removed. A record written again with
/// the very same content is not counted (and not stored again).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct KindChanges {
    pub added: u64,
    pub changed: u64,
    pub removed: u64,
}

impl KindChanges {
    pub fn total(&self) -> u64 {
        self.added + self.changed + self.removed
    }
}

/// [`KindChanges`] of every record kind. The kinds added after the first release are
/// `#[serde(default)]`, so that revision records stored by older builds still decode.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RevisionCounts {
    pub regions: KindChanges,
    pub chains: KindChanges,
    pub organizations: KindChanges,
    pub supplies: KindChanges,
    pub problems: KindChanges,
    #[serde(default)]
    pub projects: KindChanges,
    #[serde(default)]
    pub consortia: KindChanges,
    #[serde(default)]
    pub policy_tools: KindChanges,
    #[serde(default)]
    pub goals: KindChanges,
    /// Entries of the capability catalogue.
    #[serde(default)]
    pub capabilities: KindChanges,
    /// Quality notices (each acknowledgement rewrites its notice).
    #[serde(default)]
    pub notices: KindChanges,
}

impl RevisionCounts {
    /// The changes of every kind (in bundle order, the catalogue last).
    pub fn kinds(&self) -> [KindChanges; 11] {
        [
            self.regions,
            self.chains,
            self.organizations,
            self.supplies,
            self.problems,
            self.projects,
            self.consortia,
            self.policy_tools,
            self.goals,
            self.capabilities,
            self.notices,
        ]
    }

    /// Records added, changed and removed, over every kind.
    pub fn sum(&self) -> KindChanges {
        self.kinds()
            .iter()
            .fold(KindChanges::default(), |a, k| KindChanges {
                added: a.added + k.added,
                changed: a.changed + k.changed,
                removed: a.removed + k.removed,
            })
    }

    /// Records changed in any way.
    pub fn total(&self) -> u64 {
        self.sum().total()
    }
}

/// One revision of the store: when, by whom, what it is called (surveys only) and how much it
/// changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Revision {
    /// From 1, one per committed write.
    pub revision: u64,
    /// Seconds since the Unix epoch.
    pub at: u64,
    /// The survey's label (e.g. `2025年度调查`); only labelled revisions are surveys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Who wrote it: a token id, `cli` for the command line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    pub counts: RevisionCounts,
}

/// What a write says about itself, for its [`Revision`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteNote {
    pub label: Option<String>,
    pub actor: Option<String>,
}

impl WriteNote {
    /// A write by `actor`, without a label.
    pub fn by(actor: impl Into<String>) -> WriteNote {
        WriteNote {
            label: None,
            actor: Some(actor.into()),
        }
    }

    /// This note with `label` (a survey).
    pub fn labelled(mut self, label: Option<String>) -> WriteNote {
        self.label = label;
        self
    }
}

/// The longest survey label, in characters.
pub const LABEL_CHARS: usize = 100;

/// Why a label is refused: empty after trimming, too long, or holding control characters.
pub fn check_label(label: &str) -> Result<(), &'static str> {
    if label.trim().is_empty() {
        Err("a survey label must not be empty")
    } else if label.chars().count() > LABEL_CHARS {
        Err("a survey label has at most 100 characters")
    } else if label.chars().any(char::is_control) {
        Err("a survey label must not contain control characters")
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The counts of a revision record written before projects, consortia, policy tools and
    /// goals existed.
    #[test]
    fn counts_stored_by_older_builds_still_decode() {
        let old = r#"{"regions":{"added":1,"changed":0,"removed":0},
            "chains":{"added":1,"changed":0,"removed":0},
            "organizations":{"added":3,"changed":0,"removed":0},
            "supplies":{"added":2,"changed":0,"removed":0},
            "problems":{"added":1,"changed":1,"removed":0}}"#;
        let counts: RevisionCounts = serde_json::from_str(old).unwrap();
        assert_eq!(counts.total(), 9);
        assert_eq!(
            counts.sum(),
            KindChanges {
                added: 8,
                changed: 1,
                removed: 0
            }
        );
        assert_eq!(counts.projects, KindChanges::default());
        assert_eq!(counts.goals, KindChanges::default());
    }
}
