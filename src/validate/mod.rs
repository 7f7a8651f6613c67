//! Validation of bundle format 1 documents and of API writes: every problem of a document is
//! reported in one pass, each with a stable code and the JSON Pointer of the offending field.
//!
//! This module owns the rules of docs/domain.md that the types in `crate::model` cannot express
//! (which fields each kind of organization carries, references between records, ranges, code
//! formats) and the consistency of a write with the records already stored. It reads the store
//! only through `Lookup` and never writes anything.
//!
//! A document goes through two paths:
//!
//! - **fast path**: `serde_json::from_slice::<Bundle>` succeeds, and [`check_bundle`] runs the
//!   semantic checks over the typed bundle with indexes that borrow its strings. This is the path
//!   of every valid document, so it is the one that must stay fast at millions of records.
//! - **slow path**: typed parsing failed. The document is parsed again as a `serde_json::Value`
//!   (or reported as [`ErrorCode::MalformedJson`] with line and column), walked to collect every
//!   structural error, and the records that are structurally sound still go through the semantic
//!   checks. Records that are not sound take part only by their id, so that references to them
//!   are not reported a second time as dangling.
//!
//! # What is checked against `existing`
//!
//! - References (chain, segment, organization) that the document does not resolve are looked up
//!   in `existing`, and the found record is used for the membership and enterprise checks.
//! - An organization the document replaces: when the old version was an enterprise and the new
//!   one dropped a chain (or is no longer an enterprise), the supplies
//!   (`Lookup::supplies_touching`) and problems (`Lookup::problems_of`) already stored on that
//!   chain must still be valid; otherwise one error per (organization, chain) at the
//!   organization's path.
//! - A chain the document replaces with fewer segments: the stored organizations that the
//!   document refers to (and so were looked up) must not sit on a removed segment.
//! - The stored projects and consortia (`Lookup::projects`, `Lookup::consortia`: few, read
//!   whole and at most once, only when the document could break one) that the document does not
//!   replace: an organization that drops a chain must not lead one there (reported with its
//!   supplies and problems), a problem moved to another chain must not be tackled by a project
//!   of the old chain, a consortium moved to another chain must not run a project of the old
//!   chain.
//!
//! Not checked, because `Lookup` cannot enumerate them: stored organizations sitting on a removed
//! segment that the document does not refer to, and the stored members, supplies and problems of
//! a chain that a [`ChangeSet`](crate::model::ChangeSet) deletes (records of the same change that refer to a deleted
//! chain are reported).

pub mod catalogue;
mod change;
mod semantic;
mod structure;

use crate::model::{Bundle, Lookup, SupplyList, BUNDLE_VERSION};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

pub use change::check_change;
pub use semantic::{check_bundle, check_provider_fields, ProviderFields};

/// How many errors a [`Report`] keeps with their path and message. Past it errors are only
/// counted, so that a document with millions of errors costs no more memory (and no longer an
/// answer) than one with a thousand.
pub const MAX_DETAILS: usize = 1000;

/// The codes of errors about what *other* stored records refer to (a delete still referenced, a
/// problem or consortium moved off the chain of a project naming it): told only to those who may
/// make the write (see `Service::write`).
pub const STORED_REFERENCES: [ErrorCode; 3] = [
    ErrorCode::StillReferenced,
    ErrorCode::ProblemOnOtherChain,
    ErrorCode::ConsortiumOnOtherChain,
];

/// The problems found in a document: the first [`MAX_DETAILS`] in the order they were found,
/// with their path and message, and how many of each code were found in all.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    errors: Vec<ValidationError>,
    counts: BTreeMap<ErrorCode, usize>,
    total: usize,
}

impl Report {
    pub fn new() -> Report {
        Report::default()
    }

    /// Counts `error`, and keeps it while fewer than [`MAX_DETAILS`] are kept.
    pub fn push(&mut self, error: ValidationError) {
        self.count(error.code);
        if self.errors.len() < MAX_DETAILS {
            self.errors.push(error);
        }
    }

    /// Counts an error of `code`, and builds its path and message only when it is kept.
    pub(crate) fn add(
        &mut self,
        code: ErrorCode,
        path: impl FnOnce() -> String,
        message: impl FnOnce() -> String,
    ) {
        self.count(code);
        if self.errors.len() < MAX_DETAILS {
            self.errors
                .push(ValidationError::new(code, path(), message()));
        }
    }

    fn count(&mut self, code: ErrorCode) {
        *self.counts.entry(code).or_default() += 1;
        self.total += 1;
    }

    /// Appends the errors of `other`, as if they had been pushed one by one.
    pub fn extend(&mut self, other: Report) {
        let room = MAX_DETAILS.saturating_sub(self.errors.len());
        self.errors.extend(other.errors.into_iter().take(room));
        for (code, n) in other.counts {
            *self.counts.entry(code).or_default() += n;
        }
        self.total += other.total;
    }

    /// Whether no error was found.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The number of errors found, kept or not.
    pub fn total(&self) -> usize {
        self.total
    }

    /// Whether errors were found beyond those kept.
    pub fn truncated(&self) -> bool {
        self.total > self.errors.len()
    }

    /// The errors kept: the first [`MAX_DETAILS`] found.
    pub fn errors(&self) -> &[ValidationError] {
        &self.errors
    }

    /// The errors kept, to rewrite their paths (to make them relative to a request body).
    pub fn errors_mut(&mut self) -> &mut [ValidationError] {
        &mut self.errors
    }

    pub fn into_errors(self) -> Vec<ValidationError> {
        self.errors
    }

    /// How many errors of each code were found in all (kept or not); codes not found are absent.
    pub fn counts(&self) -> &BTreeMap<ErrorCode, usize> {
        &self.counts
    }

    /// Whether every error found has this code (and there is at least one).
    pub fn all_of(&self, code: ErrorCode) -> bool {
        !self.is_empty() && self.counts.keys().all(|&c| c == code)
    }

    /// This report without the errors of `codes`, counted or kept.
    pub(crate) fn without(self, codes: &[ErrorCode]) -> Report {
        let mut rest = Report {
            errors: Vec::with_capacity(self.errors.len()),
            ..Report::default()
        };
        for (&code, &n) in &self.counts {
            if !codes.contains(&code) {
                rest.counts.insert(code, n);
                rest.total += n;
            }
        }
        rest.errors = self
            .errors
            .into_iter()
            .filter(|e| !codes.contains(&e.code))
            .collect();
        rest
    }

    /// Whether an error with this code was reported at this path (among those kept).
    pub fn has(&self, path: &str, code: ErrorCode) -> bool {
        self.errors.iter().any(|e| e.path == path && e.code == code)
    }

    /// `code n, code n, …` over every code found, for a line under a cut list.
    pub fn counts_line(&self) -> String {
        let counts: Vec<String> = self
            .counts
            .iter()
            .map(|(code, n)| format!("{code} {n}"))
            .collect();
        counts.join(", ")
    }
}

impl From<Vec<ValidationError>> for Report {
    fn from(errors: Vec<ValidationError>) -> Report {
        errors.into_iter().collect()
    }
}

impl From<ValidationError> for Report {
    fn from(error: ValidationError) -> Report {
        let mut report = Report::new();
        report.push(error);
        report
    }
}

impl FromIterator<ValidationError> for Report {
    fn from_iter<I: IntoIterator<Item = ValidationError>>(iter: I) -> Report {
        let mut report = Report::new();
        for e in iter {
            report.push(e);
        }
        report
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.total;
        write!(
            f,
            "the document has {n} error{}",
            if n == 1 { "" } else { "s" }
        )?;
        for e in &self.errors {
            write!(f, "\n  {e}")?;
        }
        if self.truncated() {
            write!(
                f,
                "\n  … and {} more not listed (by code: {})",
                self.total - self.errors.len(),
                self.counts_line()
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for Report {}

/// One problem of a document: what (`code`, `message`) and where (`path`, and for errors of the
/// JSON text itself `line` and `column`).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ValidationError {
    pub code: ErrorCode,
    /// JSON Pointer (RFC 6901) of the offending value; `""` is the whole document.
    pub path: String,
    pub message: String,
    /// 1-based line in the document text, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// 1-based column in the document text, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// For a spreadsheet (or CSV) import: the cell the error is about, `问题!F17` (sheet,
    /// column letter, 1-based row), or the sheet or file alone when no cell is to blame. `path`
    /// is then the JSON Pointer in the bundle built from the workbook.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<String>,
}

impl ValidationError {
    pub fn new(code: ErrorCode, path: impl Into<String>, message: impl Into<String>) -> Self {
        ValidationError {
            code,
            path: path.into(),
            message: message.into(),
            line: None,
            column: None,
            cell: None,
        }
    }

    /// An error located in the document text. serde_json's lines and columns are 1-based, except
    /// that an unexpected end right after a newline is column 0: that is reported as column 1.
    fn at_text(code: ErrorCode, message: String, e: &serde_json::Error) -> Self {
        ValidationError {
            line: Some(e.line()),
            column: Some(e.column().max(1)),
            ..ValidationError::new(code, "", message)
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() {
            "(document)"
        } else {
            &self.path
        };
        match &self.cell {
            Some(cell) => write!(f, "{cell}: {} [{}]", self.message, self.code)?,
            None => write!(f, "{path}: {} [{}]", self.message, self.code)?,
        }
        if let (Some(line), Some(column)) = (self.line, self.column) {
            write!(f, " at line {line}, column {column}")?;
        }
        Ok(())
    }
}

macro_rules! error_codes {
    ($($(#[doc = $doc:literal])* $variant:ident => $name:literal,)*) => {
        /// What is wrong; the snake_case string of each code is stable API.
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, utoipa::ToSchema,
        )]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $($(#[doc = $doc])* $variant,)*
        }

        impl ErrorCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The stable snake_case name, as serialized.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $name,)*
                }
            }
        }
    };
}

error_codes! {
    /// The text is not JSON (or not UTF-8); `line` and `column` locate it.
    MalformedJson => "malformed_json",
    /// `version` is not 1.
    UnsupportedVersion => "unsupported_version",
    /// A required field is absent (also a provider without `level` or `capabilities`).
    MissingField => "missing_field",
    /// A field that the format does not have (usually a typo).
    UnknownField => "unknown_field",
    /// A field occurs twice in one object; `line` and `column` locate it.
    DuplicateField => "duplicate_field",
    /// A value of the wrong JSON type (a number where a string is expected, ...).
    WrongType => "wrong_type",
    /// An id (chain, segment, organization, problem, project, consortium, policy tool, goal) is
    /// the empty string.
    EmptyId => "empty_id",
    /// An id, a reference to one, a supply part or a capability code (or need) holds a control
    /// character such as NUL, which ids cannot hold (the store's keys are joined by NUL).
    InvalidId => "invalid_id",
    /// A value longer than its limit (`crate::model::limits`): 128 characters for ids,
    /// references, capability codes and needs, 200 for parts, 500 for names and titles.
    TooLong => "too_long",
    /// An id occurs twice within its kind (reported at the later one); region codes too.
    DuplicateId => "duplicate_id",
    /// A reference to a chain that is neither in the document nor in the store.
    UnknownChain => "unknown_chain",
    /// A reference to a segment that its chain does not have.
    UnknownSegment => "unknown_segment",
    /// A reference to an organization that is neither in the document nor in the store.
    UnknownOrganization => "unknown_organization",
    /// A supply end, problem holder, or project or consortium lead that is not a member of the
    /// record's chain.
    NotAMember => "not_a_member",
    /// A supply whose supplier is its customer.
    SelfSupply => "self_supply",
    /// The same supply (chain, from, to, part) twice in the document.
    DuplicateSupply => "duplicate_supply",
    /// A supply with an empty or blank `part`.
    EmptyPart => "empty_part",
    /// A capability catalogue entry with an empty or blank `name`.
    EmptyName => "empty_name",
    /// A capability catalogue entry with an empty or blank standard in `standards`.
    EmptyStandard => "empty_standard",
    /// An enterprise sits on the same chain twice.
    DuplicateMembership => "duplicate_membership",
    /// A provider carries `chains`.
    EnterpriseFieldOnProvider => "enterprise_field_on_provider",
    /// An enterprise carries `level` or `capabilities`.
    ProviderFieldOnEnterprise => "provider_field_on_enterprise",
    /// A region code that is not six ASCII digits (a policy tool's or goal's region: not a
    /// prefix of 2, 4 or 6 digits).
    InvalidRegion => "invalid_region",
    /// A six-digit region code that is not a GB/T 2260 division and is not named by a `regions`
    /// record of the document or the store (a policy tool's or goal's prefix: not a division's
    /// code, or of 2 or 4 digits, not the prefix of one).
    UnknownRegion => "unknown_region",
    /// A domestic organization (or any provider) without `region`.
    MissingRegion => "missing_region",
    /// A provider marked `foreign: true`; providers are domestic.
    ForeignProvider => "foreign_provider",
    /// A capability code (or problem need) that is not `element:subject`.
    InvalidCapability => "invalid_capability",
    /// A provider lists the same capability code twice.
    DuplicateCapability => "duplicate_capability",
    /// A capacity that is not an integer of at least 1.
    InvalidCapacity => "invalid_capacity",
    /// A severity that is not an integer from 1 to 5.
    InvalidSeverity => "invalid_severity",
    /// A problem status other than open, in_progress, resolved (a project status other than
    /// proposed, approved, in_progress, completed, cancelled).
    UnknownStatus => "unknown_status",
    /// A problem category not in the list of docs/domain.md (also a project category, and a
    /// key of a goal's targets, other than chain_collaboration, common_technology, key_product).
    UnknownCategory => "unknown_category",
    /// An organization kind (or a policy tool's kind) not in the list of docs/domain.md.
    UnknownKind => "unknown_kind",
    /// A membership role other than chain_master, member.
    UnknownRole => "unknown_role",
    /// A disclosure request to a firm that is not upstream of the asking firm on the chain
    /// (or is no firm at all: the answer is the same, so that it says nothing about firms
    /// outside the asker's supply base).
    NotUpstream => "not_upstream",
    /// A problem's disclosure other than private, customers, chain.
    UnknownDisclosure => "unknown_disclosure",
    /// A provider level other than national, provincial, municipal (a project level other than
    /// international_leading, international_advanced, domestic_leading, domestic_advanced).
    UnknownLevel => "unknown_level",
    /// A supply end, problem holder, or project or consortium lead that is a provider, not an
    /// enterprise.
    NotAnEnterprise => "not_an_enterprise",
    /// A write would leave stored records referring to something it removes.
    StillReferenced => "still_referenced",
    /// A single record sent to the API whose id differs from the id in the request path.
    IdMismatch => "id_mismatch",
    /// A write would move a stored problem's status backward (resolved → open, …) without
    /// `override_status` (see `service::rules`).
    StatusRegression => "status_regression",
    /// A delete of a resolved problem without `override_status`: resolved problems are the
    /// record of work done (see `service::rules`).
    ResolvedKept => "resolved_kept",
    /// A notice about a firm names a problem another firm holds.
    ProblemOfOtherFirm => "problem_of_other_firm",
    /// A notice names a part the firm does not supply on the chain.
    UnknownPart => "unknown_part",
    /// A notice is acknowledged by an organization that is not one of its recipients.
    NotARecipient => "not_a_recipient",
    /// A notice's `direction` is not downstream, upstream or both.
    UnknownDirection => "unknown_direction",
    /// A notice recipient's `relation` is not customer, disabled or supplier.
    UnknownRelation => "unknown_relation",
    /// A project's problem that is neither in the document nor in the store.
    UnknownProblem => "unknown_problem",
    /// A project's consortium that is neither in the document nor in the store.
    UnknownConsortium => "unknown_consortium",
    /// A project tackles a problem of another chain than its own.
    ProblemOnOtherChain => "problem_on_other_chain",
    /// A project is run by a consortium of another chain than its own.
    ConsortiumOnOtherChain => "consortium_on_other_chain",
    /// A project carries `level` but is not `completed`.
    LevelBeforeCompletion => "level_before_completion",
    /// A year (of a project, a consortium's founding, a policy tool, a goal) that is not an
    /// integer from 1990 to 2100.
    InvalidYear => "invalid_year",
    /// A count (a project's patents or standards, a goal's target) that is not an integer from
    /// 0 to 4,294,967,295.
    InvalidCount => "invalid_count",
    /// A goal's `international_share` that is not a number from 0 to 1.
    InvalidShare => "invalid_share",
    /// A policy tool's element other than metrology, standard, testing, certification, rd.
    UnknownElement => "unknown_element",
    /// A policy tool's gap kind other than infrastructure, capacity.
    UnknownGap => "unknown_gap",
    /// A spreadsheet import: a sheet of the template (a CSV file `<sheet>.csv`) is missing.
    MissingSheet => "missing_sheet",
    /// A spreadsheet import: a column of the template is missing from a sheet's header row (the
    /// message names the expected header).
    MissingColumn => "missing_column",
    /// A spreadsheet import: merged cells in a data sheet (each value needs a cell of its own).
    MergedCell => "merged_cell",
    /// A spreadsheet import: a cell of the wrong type, such as a date, a boolean or a number
    /// where text is expected.
    WrongCellType => "wrong_cell_type",
    /// A spreadsheet import: a formula whose value the file does not hold (it was never
    /// calculated: open and save the workbook in a spreadsheet program).
    FormulaWithoutValue => "formula_without_value",
    /// A spreadsheet import: the file is not a workbook (or zip) that can be read.
    UnreadableWorkbook => "unreadable_workbook",
    /// A CSV file that is neither UTF-8 nor GB18030 (the message names the file and line).
    InvalidEncoding => "invalid_encoding",
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Parses and validates a whole bundle format 1 document.
///
/// `existing` holds the records already stored, which the document may refer to and whose
/// consistency it must keep (see the module documentation for what exactly is checked).
///
/// Returns the bundle when there is no error, otherwise the errors found (see [`Report`] for how
/// many are kept).
pub fn parse_bundle(bytes: &[u8], existing: &dyn Lookup) -> Result<Bundle, Report> {
    let typed_error = match serde_json::from_slice::<Bundle>(bytes) {
        Ok(bundle) => {
            let report = check_bundle(&bundle, existing);
            return if report.is_empty() {
                Ok(bundle)
            } else {
                Err(report)
            };
        }
        Err(e) => e,
    };
    let value: serde_json::Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => {
            let message = format!("the document is not valid JSON: {}", strip_position(&e));
            return Err(ValidationError::at_text(ErrorCode::MalformedJson, message, &e).into());
        }
    };
    let mut report = structure::check_value(&value, existing);
    if report.is_empty() {
        // The walk mirrors the serde attributes of the model; whatever it does not see (such as
        // a field given twice, which a `Value` silently collapses) still must not pass.
        let text = strip_position(&typed_error);
        let code = if text.starts_with("duplicate field") {
            ErrorCode::DuplicateField
        } else {
            ErrorCode::WrongType
        };
        report.push(ValidationError::at_text(code, text, &typed_error));
    }
    Err(report)
}

/// A valid document parsed for an import of any size: its supplies packed (see
/// [`SupplyList`]), the other records typed in `bundle`, whose `supplies` is empty.
#[derive(Debug, Clone, PartialEq)]
pub struct PackedBundle {
    pub bundle: Bundle,
    pub supplies: SupplyList,
}

impl PackedBundle {
    /// Records of every kind.
    pub fn record_count(&self) -> usize {
        self.bundle.record_count() + self.supplies.len()
    }
}

/// The fields of [`Bundle`], with the same serde rules, the supplies packed as they are parsed.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PackedDoc {
    version: u32,
    #[serde(default)]
    regions: Vec<crate::model::Region>,
    #[serde(default)]
    capabilities: Vec<crate::model::CatalogueEntry>,
    #[serde(default)]
    chains: Vec<crate::model::Chain>,
    #[serde(default)]
    organizations: Vec<crate::model::Organization>,
    #[serde(default)]
    supplies: SupplyList,
    #[serde(default)]
    problems: Vec<crate::model::Problem>,
    #[serde(default)]
    projects: Vec<crate::model::Project>,
    #[serde(default)]
    consortia: Vec<crate::model::Consortium>,
    #[serde(default)]
    policy_tools: Vec<crate::model::PolicyTool>,
    #[serde(default)]
    goals: Vec<crate::model::Goal>,
    #[serde(default)]
    notices: Vec<crate::model::Notice>,
}

/// [`parse_bundle`] for a document of any size read from `reader`: neither its text nor its
/// supplies as records are held, only the supplies packed. Returns the bundle when the
/// document is valid. `None` when it is not, or cannot be judged this way (a supply field with
/// a NUL character): [`parse_bundle`] over the whole text then gives the report, with the same
/// codes and paths as ever, so this path only ever decides that a document is valid.
pub fn parse_packed_bundle(
    reader: impl std::io::Read,
    existing: &dyn Lookup,
) -> Option<PackedBundle> {
    let doc: PackedDoc = serde_json::from_reader(reader).ok()?;
    let bundle = Bundle {
        version: doc.version,
        regions: doc.regions,
        capabilities: doc.capabilities,
        chains: doc.chains,
        organizations: doc.organizations,
        supplies: Vec::new(),
        problems: doc.problems,
        projects: doc.projects,
        consortia: doc.consortia,
        policy_tools: doc.policy_tools,
        goals: doc.goals,
        notices: doc.notices,
    };
    let report = semantic::check_doc(
        &semantic::Doc {
            packed_supplies: Some(&doc.supplies),
            ..semantic::Doc::of(&bundle, Some(bundle.version))
        },
        existing,
    );
    report.is_empty().then_some(PackedBundle {
        bundle,
        supplies: doc.supplies,
    })
}

/// A record kind that can be sent on its own (to the HTTP API): the name of its bundle array.
pub trait Record: serde::de::DeserializeOwned {
    const ARRAY: &'static str;
}

impl Record for crate::model::Region {
    const ARRAY: &'static str = "regions";
}
impl Record for crate::model::CatalogueEntry {
    const ARRAY: &'static str = "capabilities";
}
impl Record for crate::model::Chain {
    const ARRAY: &'static str = "chains";
}
impl Record for crate::model::Organization {
    const ARRAY: &'static str = "organizations";
}
impl Record for crate::model::Supply {
    const ARRAY: &'static str = "supplies";
}
impl Record for crate::model::Problem {
    const ARRAY: &'static str = "problems";
}
impl Record for crate::model::Project {
    const ARRAY: &'static str = "projects";
}
impl Record for crate::model::Consortium {
    const ARRAY: &'static str = "consortia";
}
impl Record for crate::model::PolicyTool {
    const ARRAY: &'static str = "policy_tools";
}
impl Record for crate::model::Goal {
    const ARRAY: &'static str = "goals";
}
impl Record for crate::model::Notice {
    const ARRAY: &'static str = "notices";
}

/// Parses one record (not a bundle) with the same structural checks and codes as a bundle's
/// records; paths are relative to the record (`/region`, not `/organizations/0/region`).
///
/// Only the record's shape is checked here; its references and rules are checked with the rest
/// of the write by [`check_change`].
pub fn parse_record<T: Record>(bytes: &[u8]) -> Result<T, Report> {
    let value = parse_value(bytes)?;
    let typed_error = match serde_json::from_value::<T>(value.clone()) {
        Ok(record) => return Ok(record),
        Err(e) => e,
    };
    let doc = serde_json::json!({ "version": BUNDLE_VERSION, T::ARRAY: [value] });
    let prefix = format!("/{}/0", T::ARRAY);
    // Only the shape: references are resolved later against the live data.
    let mut report = structure::check_value(&doc, &crate::model::Dataset::new()).without(&[
        ErrorCode::UnknownChain,
        ErrorCode::UnknownSegment,
        ErrorCode::UnknownOrganization,
        ErrorCode::NotAMember,
        ErrorCode::NotAnEnterprise,
        ErrorCode::UnknownProblem,
        ErrorCode::UnknownConsortium,
        ErrorCode::ProblemOnOtherChain,
        ErrorCode::ConsortiumOnOtherChain,
    ]);
    // Every path of a one-record document is under the record.
    for e in report.errors_mut() {
        if let Some(rest) = e.path.strip_prefix(&prefix) {
            if rest.is_empty() || rest.starts_with('/') {
                e.path = rest.to_string();
            }
        }
    }
    if report.is_empty() {
        report.push(ValidationError::new(
            ErrorCode::WrongType,
            "",
            strip_position(&typed_error),
        ));
    }
    Err(report)
}

/// Parses any JSON document into `T`: malformed JSON is reported with line and column; a wrong
/// shape as one `wrong_type` (or `unknown_field`) error at the JSON Pointer where parsing stopped.
pub fn parse_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, Vec<ValidationError>> {
    let value = parse_value(bytes)?;
    let mut track = serde_path_to_error::Track::new();
    let de = serde_path_to_error::Deserializer::new(&value, &mut track);
    T::deserialize(de).map_err(|e| {
        let path = track.path();
        let message = e.to_string();
        let code = if message.starts_with("unknown field") {
            ErrorCode::UnknownField
        } else if message.starts_with("missing field") {
            ErrorCode::MissingField
        } else if message.starts_with("unknown variant")
            && path
                .iter()
                .next_back()
                .is_some_and(|s| s.to_string() == "disclosure")
        {
            ErrorCode::UnknownDisclosure
        } else {
            ErrorCode::WrongType
        };
        let mut pointer = String::new();
        for segment in path.iter() {
            match segment {
                serde_path_to_error::Segment::Seq { index } => {
                    pointer = pointer_push(&pointer, &index.to_string())
                }
                serde_path_to_error::Segment::Map { key } => pointer = pointer_push(&pointer, key),
                serde_path_to_error::Segment::Enum { variant } => {
                    pointer = pointer_push(&pointer, variant)
                }
                serde_path_to_error::Segment::Unknown => {}
            }
        }
        vec![ValidationError::new(code, pointer, message)]
    })
}

/// The JSON tree of a request body, or its one `malformed_json` error with line and column.
fn parse_value(bytes: &[u8]) -> Result<serde_json::Value, Vec<ValidationError>> {
    serde_json::from_slice(bytes).map_err(|e| {
        let message = format!("the body is not valid JSON: {}", strip_position(&e));
        vec![ValidationError::at_text(
            ErrorCode::MalformedJson,
            message,
            &e,
        )]
    })
}

/// serde_json's message without its trailing " at line L column C", which is reported apart.
fn strip_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// Appends `key` to a JSON Pointer, escaping `~` and `/` (RFC 6901).
pub(crate) fn pointer_push(path: &str, key: &str) -> String {
    let mut p = String::with_capacity(path.len() + key.len() + 1);
    p.push_str(path);
    p.push('/');
    for c in key.chars() {
        match c {
            '~' => p.push_str("~0"),
            '/' => p.push_str("~1"),
            c => p.push(c),
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Dataset;

    #[test]
    fn the_packed_path_accepts_what_the_whole_text_path_accepts_with_the_same_records() {
        let text = include_bytes!("../../fixtures/power_battery_jiangsu.json");
        let mut typed = parse_bundle(text, &Dataset::new()).unwrap();
        let packed = parse_packed_bundle(&text[..], &Dataset::new()).unwrap();
        assert!(!typed.supplies.is_empty());
        let supplies: Vec<_> = packed.supplies.iter().map(|s| s.to_supply()).collect();
        assert_eq!(supplies, typed.supplies);
        assert_eq!(packed.record_count(), typed.record_count());
        typed.supplies.clear();
        assert_eq!(packed.bundle, typed);
    }

    #[test]
    fn the_packed_path_leaves_every_invalid_document_to_the_whole_text_path() {
        let text = include_str!("../../fixtures/power_battery_jiangsu.json");
        let mut doc: serde_json::Value = serde_json::from_str(text).unwrap();
        let first = doc["supplies"][0].clone();
        let mut broken = Vec::new();
        // A duplicate supply, a supply with an unknown field, a supply of an unknown firm, a
        // NUL in a part, and text that is not JSON.
        let mut d = doc.clone();
        d["supplies"].as_array_mut().unwrap().push(first.clone());
        broken.push(serde_json::to_vec(&d).unwrap());
        let mut d = doc.clone();
        d["supplies"][0]["note"] = "x".into();
        broken.push(serde_json::to_vec(&d).unwrap());
        let mut d = doc.clone();
        d["supplies"][0]["from"] = "nobody".into();
        broken.push(serde_json::to_vec(&d).unwrap());
        doc["supplies"][0]["part"] = "a\u{0}b".into();
        broken.push(serde_json::to_vec(&doc).unwrap());
        broken.push(text.as_bytes()[..text.len() / 2].to_vec());
        for bytes in broken {
            assert!(parse_packed_bundle(&bytes[..], &Dataset::new()).is_none());
            assert!(parse_bundle(&bytes, &Dataset::new()).is_err());
        }
    }

    #[test]
    fn every_code_serializes_as_its_name() {
        for &code in ErrorCode::ALL {
            assert_eq!(
                serde_json::to_value(code).unwrap(),
                serde_json::Value::String(code.as_str().into())
            );
        }
        let mut names: Vec<_> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ErrorCode::ALL.len());
    }

    #[test]
    fn a_record_of_the_quality_work_parses_alone_with_paths_relative_to_it() {
        let goal: crate::model::Goal = parse_record(
            br#"{"id": "g", "region": "31", "year": 2025,
                 "targets": {"key_product": 150}, "international_share": 0.6}"#,
        )
        .unwrap();
        assert_eq!(goal.targets.len(), 1);
        let report = parse_record::<crate::model::Project>(
            br#"{"id": "j", "title": "T", "category": "flagship", "chain": "c", "lead": "f",
                 "problems": ["nowhere"], "year": 1900, "status": "approved"}"#,
        )
        .unwrap_err();
        let got: Vec<_> = report
            .errors()
            .iter()
            .map(|e| (e.path.as_str(), e.code))
            .collect();
        // References are left to the write's check against the live data.
        assert_eq!(
            got,
            [
                ("/category", ErrorCode::UnknownCategory),
                ("/year", ErrorCode::InvalidYear)
            ]
        );
    }

    #[test]
    fn pointers_escape_tilde_and_slash() {
        assert_eq!(pointer_push("", "a/b~c"), "/a~1b~0c");
        assert_eq!(pointer_push("/x/0", "名称"), "/x/0/名称");
    }

    #[test]
    fn malformed_json_is_located_by_line_and_column() {
        let err = parse_bundle(b"{\n  \"version\": 1,\n  ]", &Dataset::new()).unwrap_err();
        assert_eq!(err.errors().len(), 1);
        let e = &err.errors()[0];
        assert_eq!(e.code, ErrorCode::MalformedJson);
        assert_eq!(e.path, "");
        assert_eq!((e.line, e.column), (Some(3), Some(3)));
        assert!(!e.message.contains(" at line "), "{}", e.message);
    }

    #[test]
    fn a_document_cut_off_after_a_newline_is_located_at_column_one() {
        let err = parse_bundle(b"[1, 2,\n\n", &Dataset::new()).unwrap_err();
        let e = &err.errors()[0];
        assert_eq!(e.code, ErrorCode::MalformedJson);
        assert_eq!((e.line, e.column), (Some(3), Some(1)));
    }

    #[test]
    fn a_field_given_twice_is_reported() {
        let err = parse_bundle(br#"{"version": 1, "version": 1}"#, &Dataset::new()).unwrap_err();
        assert_eq!(err.errors().len(), 1);
        assert_eq!(err.errors()[0].code, ErrorCode::DuplicateField);
        assert_eq!(err.errors()[0].line, Some(1));
    }

    #[test]
    fn a_report_keeps_the_first_errors_and_counts_them_all_without_collecting_the_rest() {
        let items = vec!["{}"; 5000].join(",");
        let doc = format!(r#"{{"version": 1, "organizations": [{items}], "supplies": [1]}}"#);
        let report = parse_bundle(doc.as_bytes(), &Dataset::new()).unwrap_err();
        assert_eq!(report.errors().len(), MAX_DETAILS);
        // Never more than the cap was held: a list cut after the fact keeps its capacity.
        assert!(report.errors.capacity() < 2 * MAX_DETAILS);
        assert_eq!(report.total(), 15001);
        assert!(report.truncated());
        let counts: Vec<_> = report.counts().iter().map(|(c, n)| (*c, *n)).collect();
        assert_eq!(
            counts,
            vec![(ErrorCode::MissingField, 15000), (ErrorCode::WrongType, 1)]
        );
        assert_eq!(report.counts_line(), "missing_field 15000, wrong_type 1");
        assert!(report
            .to_string()
            .ends_with("… and 14001 more not listed (by code: missing_field 15000, wrong_type 1)"));

        let mut merged = Report::from(ValidationError::new(ErrorCode::EmptyId, "/a", "x"));
        merged.extend(report);
        assert_eq!(merged.errors().len(), MAX_DETAILS);
        assert_eq!(merged.total(), 15002);
        assert_eq!(merged.errors()[0].code, ErrorCode::EmptyId);
        let rest = merged.without(&[ErrorCode::MissingField]);
        assert_eq!((rest.total(), rest.errors().len()), (2, 1));
        assert!(!rest.all_of(ErrorCode::WrongType));
        assert!(rest
            .without(&[ErrorCode::EmptyId])
            .all_of(ErrorCode::WrongType));
    }

    #[test]
    fn a_report_lists_every_error_with_code_and_path() {
        let report = Report::from(vec![
            ValidationError::new(ErrorCode::EmptyPart, "/supplies/0/part", "empty part"),
            ValidationError::new(ErrorCode::MalformedJson, "", "bad"),
        ]);
        let text = report.to_string();
        assert!(text.starts_with("the document has 2 errors"));
        assert!(text.contains("/supplies/0/part: empty part [empty_part]"));
        assert!(text.contains("(document): bad [malformed_json]"));
        let json = serde_json::to_value(&report.errors()[0]).unwrap();
        assert!(json.get("line").is_none());
        assert_eq!(json["code"], "empty_part");
    }
}
