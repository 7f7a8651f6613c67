//! The slow path: a document that typed parsing rejected, walked as a `serde_json::Value` to
//! report every structural error (unknown, missing and mistyped fields, bad enum values, numbers
//! out of range) with its JSON Pointer.
//!
//! The walk mirrors the serde attributes of `crate::model` (which fields are required, which
//! accept `null`). Each record with no structural error is then converted to its type and goes
//! through the semantic checks; a record with errors takes part only by its id.

use super::semantic::{check_doc, Column, Doc, Slot};
use super::{pointer_push, ErrorCode, Report, ValidationError};
use crate::model::{Lookup, BUNDLE_VERSION};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// Every structural error of `value`, then the semantic errors of its sound records.
pub(super) fn check_value(value: &Value, existing: &dyn Lookup) -> Report {
    let mut w = Walker {
        errors: Report::new(),
    };
    let Some(top) = w.object(value, "", TOP_FIELDS) else {
        return w.errors;
    };
    w.version(top);
    let regions = w.records(top, "regions", REGION_FIELDS, Walker::region);
    let capabilities = w.records(
        top,
        "capabilities",
        CATALOGUE_FIELDS,
        Walker::catalogue_entry,
    );
    let chains = w.records(top, "chains", CHAIN_FIELDS, Walker::chain);
    let organizations = w.records(
        top,
        "organizations",
        ORGANIZATION_FIELDS,
        Walker::organization,
    );
    let supplies = w.records(top, "supplies", SUPPLY_FIELDS, Walker::supply);
    let problems = w.records(top, "problems", PROBLEM_FIELDS, Walker::problem);
    let projects = w.records(top, "projects", PROJECT_FIELDS, Walker::project);
    let consortia = w.records(top, "consortia", CONSORTIUM_FIELDS, Walker::consortium);
    let policy_tools = w.records(top, "policy_tools", POLICY_TOOL_FIELDS, Walker::policy_tool);
    let goals = w.records(top, "goals", GOAL_FIELDS, Walker::goal);
    let notices = w.records(top, "notices", NOTICE_FIELDS, Walker::notice);
    let doc = Doc {
        version: None,
        regions: column(&regions),
        capabilities: column(&capabilities),
        chains: column(&chains),
        organizations: column(&organizations),
        supplies: column(&supplies),
        packed_supplies: None,
        problems: column(&problems),
        projects: column(&projects),
        consortia: column(&consortia),
        policy_tools: column(&policy_tools),
        goals: column(&goals),
        notices: column(&notices),
    };
    let semantic = check_doc(&doc, existing);
    w.errors.extend(semantic);
    w.errors
}

fn column<T>(slots: &Option<Vec<Slot<T>>>) -> Column<'_, T> {
    match slots {
        Some(slots) => Column::Mixed(slots),
        None => Column::Unusable,
    }
}

const TOP_FIELDS: &[&str] = &[
    "version",
    "regions",
    "capabilities",
    "chains",
    "organizations",
    "supplies",
    "problems",
    "projects",
    "consortia",
    "policy_tools",
    "goals",
    "notices",
];
const REGION_FIELDS: &[&str] = &["code", "name"];
const CATALOGUE_FIELDS: &[&str] = &["code", "name", "standards", "description"];
const CHAIN_FIELDS: &[&str] = &["id", "name", "chief", "segments"];
const SEGMENT_FIELDS: &[&str] = &["id", "name"];
const ORGANIZATION_FIELDS: &[&str] = &[
    "id",
    "name",
    "kind",
    "region",
    "foreign",
    "country",
    "chains",
    "level",
    "capabilities",
];
const MEMBERSHIP_FIELDS: &[&str] = &["chain", "role", "segment"];
const CAPABILITY_FIELDS: &[&str] = &["code", "capacity"];
const SUPPLY_FIELDS: &[&str] = &["chain", "from", "to", "part"];
const PROBLEM_FIELDS: &[&str] = &[
    "id",
    "org",
    "chain",
    "title",
    "category",
    "severity",
    "status",
    "needs",
    "disclosure",
];
const PROJECT_FIELDS: &[&str] = &[
    "id",
    "title",
    "category",
    "chain",
    "lead",
    "participants",
    "problems",
    "year",
    "status",
    "level",
    "consortium",
    "results",
];
const RESULTS_FIELDS: &[&str] = &["patents", "standards", "summary"];
const CONSORTIUM_FIELDS: &[&str] = &["id", "name", "chain", "lead", "members", "founded"];
const POLICY_TOOL_FIELDS: &[&str] = &[
    "id",
    "title",
    "kind",
    "issuer",
    "region",
    "year",
    "elements",
    "categories",
    "gaps",
    "chains",
];
const GOAL_FIELDS: &[&str] = &["id", "region", "year", "targets", "international_share"];
const NOTICE_FIELDS: &[&str] = &[
    "id",
    "chain",
    "about",
    "kind",
    "severity",
    "message",
    "direction",
    "sender",
    "sent_at",
    "recipients",
    "acks",
];
const ABOUT_FIELDS: &[&str] = &["firm", "part", "problem"];
const RECIPIENT_FIELDS: &[&str] = &["org", "relation", "master"];
const NOTICE_KINDS: &[&str] = &["defect", "delay", "capacity", "change", "alert"];
const DIRECTIONS: &[&str] = &["downstream", "upstream", "both"];
const RELATIONS: &[&str] = &["customer", "disabled", "supplier"];

const KINDS: &[&str] = &[
    "enterprise",
    "institute",
    "inspection_center",
    "metrology_center",
    "standards_body",
    "certification_body",
    "service_station",
];
const ROLES: &[&str] = &["chain_master", "member"];
const LEVELS: &[&str] = &["national", "provincial", "municipal"];
const CATEGORIES: &[&str] = &[
    "measurement",
    "testing",
    "standard",
    "certification",
    "process",
    "material",
    "design",
    "other",
];
const STATUSES: &[&str] = &["open", "in_progress", "resolved"];
const DISCLOSURES: &[&str] = &["private", "customers", "chain"];
const PROJECT_CATEGORIES: &[&str] = &["chain_collaboration", "common_technology", "key_product"];
const PROJECT_STATUSES: &[&str] = &[
    "proposed",
    "approved",
    "in_progress",
    "completed",
    "cancelled",
];
const PROJECT_LEVELS: &[&str] = &[
    "international_leading",
    "international_advanced",
    "domestic_leading",
    "domestic_advanced",
];
const POLICY_KINDS: &[&str] = &[
    "funding",
    "standardization",
    "metrology",
    "testing",
    "certification",
    "talent",
    "platform",
    "finance",
    "other",
];
const ELEMENTS: &[&str] = &["metrology", "standard", "testing", "certification", "rd"];
const GAP_KINDS: &[&str] = &["infrastructure", "capacity"];
/// The years a record may carry (`crate::model::FIRST_YEAR` to `LAST_YEAR`).
const YEARS: std::ops::RangeInclusive<u64> =
    crate::model::FIRST_YEAR as u64..=crate::model::LAST_YEAR as u64;
/// A count: a `u32`.
const COUNTS: std::ops::RangeInclusive<u64> = 0..=u32::MAX as u64;

/// How a field is declared in the model.
#[derive(Clone, Copy, PartialEq)]
enum Presence {
    /// Must be present and not null.
    Required,
    /// `Option<T>`: may be absent or null.
    Optional,
    /// `#[serde(default)]` on a non-`Option`: may be absent, but not null.
    Defaulted,
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

struct Walker {
    errors: Report,
}

impl Walker {
    fn push(&mut self, code: ErrorCode, path: String, message: String) {
        self.errors.push(ValidationError::new(code, path, message));
    }

    fn wrong_type(&mut self, path: String, expected: &str, found: &Value) {
        let message = format!("expected {expected}, found {}", type_name(found));
        self.push(ErrorCode::WrongType, path, message);
    }

    /// The object at `path`, after reporting each of its fields not in `fields`.
    fn object<'v>(
        &mut self,
        v: &'v Value,
        path: &str,
        fields: &[&str],
    ) -> Option<&'v Map<String, Value>> {
        let Value::Object(map) = v else {
            self.wrong_type(path.to_string(), "an object", v);
            return None;
        };
        for key in map.keys() {
            if !fields.contains(&key.as_str()) {
                let message = format!(
                    "unknown field {key:?}; expected one of {}",
                    fields.join(", ")
                );
                self.push(ErrorCode::UnknownField, pointer_push(path, key), message);
            }
        }
        Some(map)
    }

    /// The field `name`, or `None` when it is absent, or null where that means absent. Reports a
    /// missing required field and a null that is not allowed.
    fn field<'v>(
        &mut self,
        map: &'v Map<String, Value>,
        path: &str,
        name: &str,
        presence: Presence,
    ) -> Option<&'v Value> {
        match map.get(name) {
            None if presence == Presence::Required => {
                self.errors.add(
                    ErrorCode::MissingField,
                    || pointer_push(path, name),
                    || format!("missing field {name:?}"),
                );
                None
            }
            None => None,
            Some(Value::Null) if presence == Presence::Optional => None,
            Some(v) => Some(v),
        }
    }

    fn string<'v>(
        &mut self,
        map: &'v Map<String, Value>,
        path: &str,
        name: &str,
        presence: Presence,
    ) -> Option<&'v str> {
        let v = self.field(map, path, name, presence)?;
        match v {
            Value::String(s) => Some(s),
            _ => {
                self.wrong_type(pointer_push(path, name), "a string", v);
                None
            }
        }
    }

    fn enumeration(
        &mut self,
        map: &Map<String, Value>,
        path: &str,
        name: &str,
        presence: Presence,
        allowed: &[&str],
        code: ErrorCode,
    ) {
        if let Some(s) = self.string(map, path, name, presence) {
            if !allowed.contains(&s) {
                let message = format!(
                    "unknown {name} {s:?}; expected one of {}",
                    allowed.join(", ")
                );
                self.push(code, pointer_push(path, name), message);
            }
        }
    }

    /// An array of strings (default `[]`).
    fn strings(&mut self, map: &Map<String, Value>, path: &str, name: &str) {
        if let Some(items) = self.array(map, path, name, Presence::Defaulted) {
            for (k, item) in items.iter().enumerate() {
                if !item.is_string() {
                    self.wrong_type(format!("{path}/{name}/{k}"), "a string", item);
                }
            }
        }
    }

    /// An array (default `[]`) of values of an enumeration.
    fn enumerations(
        &mut self,
        map: &Map<String, Value>,
        path: &str,
        name: &str,
        allowed: &[&str],
        code: ErrorCode,
    ) {
        let Some(items) = self.array(map, path, name, Presence::Defaulted) else {
            return;
        };
        for (k, item) in items.iter().enumerate() {
            let at = format!("{path}/{name}/{k}");
            match item {
                Value::String(s) if allowed.contains(&s.as_str()) => {}
                Value::String(s) => {
                    let message = format!(
                        "unknown {name} value {s:?}; expected one of {}",
                        allowed.join(", ")
                    );
                    self.push(code, at, message);
                }
                _ => self.wrong_type(at, "a string", item),
            }
        }
    }

    fn boolean(&mut self, map: &Map<String, Value>, path: &str, name: &str, presence: Presence) {
        if let Some(v) = self.field(map, path, name, presence) {
            if !v.is_boolean() {
                self.wrong_type(pointer_push(path, name), "a boolean", v);
            }
        }
    }

    /// An integer field within `range`; any other number is reported with `code`.
    fn integer(
        &mut self,
        map: &Map<String, Value>,
        path: &str,
        name: &str,
        presence: Presence,
        range: std::ops::RangeInclusive<u64>,
        code: ErrorCode,
    ) {
        let Some(v) = self.field(map, path, name, presence) else {
            return;
        };
        let Value::Number(n) = v else {
            self.wrong_type(pointer_push(path, name), "an integer", v);
            return;
        };
        if !n.as_u64().is_some_and(|n| range.contains(&n)) {
            let message = format!(
                "{name} is {n}; it must be an integer from {} to {}",
                range.start(),
                range.end()
            );
            self.push(code, pointer_push(path, name), message);
        }
    }

    fn array<'v>(
        &mut self,
        map: &'v Map<String, Value>,
        path: &str,
        name: &str,
        presence: Presence,
    ) -> Option<&'v [Value]> {
        let v = self.field(map, path, name, presence)?;
        match v {
            Value::Array(items) => Some(items),
            _ => {
                self.wrong_type(pointer_push(path, name), "an array", v);
                None
            }
        }
    }

    fn version(&mut self, top: &Map<String, Value>) {
        let Some(v) = self.field(top, "", "version", Presence::Required) else {
            return;
        };
        match v {
            Value::Number(n) if n.as_u64() == Some(u64::from(BUNDLE_VERSION)) => {}
            Value::Number(n) => self.push(
                ErrorCode::UnsupportedVersion,
                "/version".into(),
                format!("unsupported version {n}; this build reads version {BUNDLE_VERSION}"),
            ),
            _ => self.wrong_type("/version".into(), "the integer 1", v),
        }
    }

    /// The records of one top-level array; `None` when the array itself is unusable.
    fn records<T>(
        &mut self,
        top: &Map<String, Value>,
        name: &str,
        fields: &[&str],
        walk: fn(&mut Walker, &Map<String, Value>, &str) -> Option<String>,
    ) -> Option<Vec<Slot<T>>>
    where
        T: DeserializeOwned,
    {
        let path = pointer_push("", name);
        let Some(v) = self.field(top, "", name, Presence::Defaulted) else {
            return Some(Vec::new());
        };
        let Value::Array(items) = v else {
            self.wrong_type(path, "an array", v);
            return None;
        };
        let slots = items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let path = format!("{path}/{i}");
                let before = self.errors.total();
                let Some(map) = self.object(item, &path, fields) else {
                    return Slot::Opaque(None);
                };
                let id = walk(self, map, &path);
                if self.errors.total() > before {
                    return Slot::Opaque(id);
                }
                match T::deserialize(item) {
                    Ok(record) => Slot::Sound(record),
                    Err(e) => {
                        // The walk missed something serde rejects: still an error, never a pass.
                        self.push(ErrorCode::WrongType, path, e.to_string());
                        Slot::Opaque(id)
                    }
                }
            })
            .collect();
        Some(slots)
    }

    /// Each walker checks the fields of one record (unknown fields are already reported) and
    /// returns its id when it has a string one.
    fn region(&mut self, map: &Map<String, Value>, path: &str) -> Option<String> {
        self.string(map, path, "code", Presence::Required);
        self.string(map, path, "name", Presence::Required);
        None
    }

    fn catalogue_entry(&mut self, map: &Map<String, Value>, path: &str) -> Option<String> {
        let code = self.string(map, path, "code", Presence::Required);
        self.string(map, path, "name", Presence::Required);
        self.strings(map, path, "standards");
        self.string(map, path, "description", Presence::Optional);
        code.map(String::from)
    }

    fn chain(&mut self, map: &Map<String, Value>, path: &str) -> Option<String> {
        let id = self.string(map, path, "id", Presence::Required);
        self.string(map, path, "name", Presence::Required);
        self.string(map, path, "chief", Presence::Optional);
        if let Some(segments) = self.array(map, path, "segments", Presence::Defaulted) {
            for (j, s) in segments.iter().enumerate() {
                let path = format!("{path}/segments/{j}");
                if let Some(seg) = self.object(s, &path, SEGMENT_FIELDS) {
                    self.string(seg, &path, "id", Presence::Required);
                    self.string(seg, &path, "name", Presence::Required);
                }
            }
        }
        id.map(String::from)
    }

    fn organization(&mut self, map: &Map<String, Value>, path: &str) -> Option<String> {
        use Presence::*;
        let id = self.string(map, path, "id", Required);
        self.string(map, path, "name", Required);
        self.enumeration(map, path, "kind", Required, KINDS, ErrorCode::UnknownKind);
        self.string(map, path, "region", Optional);
        self.boolean(map, path, "foreign", Defaulted);
        self.string(map, path, "country", Optional);
        if let Some(memberships) = self.array(map, path, "chains", Optional) {
            for (j, m) in memberships.iter().enumerate() {
                let path = format!("{path}/chains/{j}");
                if let Some(m) = self.object(m, &path, MEMBERSHIP_FIELDS) {
                    self.string(m, &path, "chain", Required);
                    self.enumeration(m, &path, "role", Required, ROLES, ErrorCode::UnknownRole);
                    self.string(m, &path, "segment", Required);
                }
            }
        }
        self.enumeration(
            map,
            path,
            "level",
            Optional,
            LEVELS,
            ErrorCode::UnknownLevel,
        );
        if let Some(caps) = self.array(map, path, "capabilities", Optional) {
            for (k, c) in caps.iter().enumerate() {
                let path = format!("{path}/capabilities/{k}");
                if let Some(c) = self.object(c, &path, CAPABILITY_FIELDS) {
                    self.string(c, &path, "code", Required);
                    let range = 1..=u64::from(u32::MAX);
                    self.integer(
                        c,
                        &path,
                        "capacity",
                        Optional,
                        range,
                        ErrorCode::InvalidCapacity,
                    );
                }
            }
        }
        id.map(String::from)
    }

    fn supply(&mut self, map: &Map<String, Value>, path: &str) -> Option<String> {
        for field in SUPPLY_FIELDS {
            self.string(map, path, field, Presence::Required);
        }
        None
    }

    fn problem(&mut self, map: &Map<String, Value>, path: &str) -> Option<String> {
        use Presence::*;
        let id = self.string(map, path, "id", Required);
        self.string(map, path, "org", Required);
        self.string(map, path, "chain", Required);
        self.string(map, path, "title", Required);
        let categories = CATEGORIES;
        self.enumeration(
            map,
            path,
            "category",
            Required,
            categories,
            ErrorCode::UnknownCategory,
        );
        self.integer(
            map,
            path,
            "severity",
            Required,
            1..=5,
            ErrorCode::InvalidSeverity,
        );
        self.enumeration(
            map,
            path,
            "status",
            Required,
            STATUSES,
            ErrorCode::UnknownStatus,
        );
        if let Some(needs) = self.array(map, path, "needs", Defaulted) {
            for (k, need) in needs.iter().enumerate() {
                if !need.is_string() {
                    self.wrong_type(format!("{path}/needs/{k}"), "a string", need);
                }
            }
        }
        self.enumeration(
            map,
            path,
            "disclosure",
            Defaulted,
            DISCLOSURES,
            ErrorCode::UnknownDisclosure,
        );
        id.map(String::from)
    }

    fn project(&mut self, map: &Map<String, Value>, path: &str) -> Option<String> {
        use Presence::*;
        let id = self.string(map, path, "id", Required);
        self.string(map, path, "title", Required);
        self.enumeration(
            map,
            path,
            "category",
            Required,
            PROJECT_CATEGORIES,
            ErrorCode::UnknownCategory,
        );
        self.string(map, path, "chain", Required);
        self.string(map, path, "lead", Required);
        self.strings(map, path, "participants");
        self.strings(map, path, "problems");
        self.integer(map, path, "year", Required, YEARS, ErrorCode::InvalidYear);
        self.enumeration(
            map,
            path,
            "status",
            Required,
            PROJECT_STATUSES,
            ErrorCode::UnknownStatus,
        );
        self.enumeration(
            map,
            path,
            "level",
            Optional,
            PROJECT_LEVELS,
            ErrorCode::UnknownLevel,
        );
        self.string(map, path, "consortium", Optional);
        if let Some(results) = self.field(map, path, "results", Optional) {
            let path = format!("{path}/results");
            if let Some(r) = self.object(results, &path, RESULTS_FIELDS) {
                for name in ["patents", "standards"] {
                    self.integer(r, &path, name, Defaulted, COUNTS, ErrorCode::InvalidCount);
                }
                self.string(r, &path, "summary", Optional);
            }
        }
        id.map(String::from)
    }

    fn consortium(&mut self, map: &Map<String, Value>, path: &str) -> Option<String> {
        use Presence::*;
        let id = self.string(map, path, "id", Required);
        for field in ["name", "chain", "lead"] {
            self.string(map, path, field, Required);
        }
        self.strings(map, path, "members");
        self.integer(
            map,
            path,
            "founded",
            Required,
            YEARS,
            ErrorCode::InvalidYear,
        );
        id.map(String::from)
    }

    fn policy_tool(&mut self, map: &Map<String, Value>, path: &str) -> Option<String> {
        use Presence::*;
        let id = self.string(map, path, "id", Required);
        self.string(map, path, "title", Required);
        self.enumeration(
            map,
            path,
            "kind",
            Required,
            POLICY_KINDS,
            ErrorCode::UnknownKind,
        );
        self.string(map, path, "issuer", Required);
        self.string(map, path, "region", Required);
        self.integer(map, path, "year", Required, YEARS, ErrorCode::InvalidYear);
        self.enumerations(map, path, "elements", ELEMENTS, ErrorCode::UnknownElement);
        self.enumerations(
            map,
            path,
            "categories",
            CATEGORIES,
            ErrorCode::UnknownCategory,
        );
        self.enumerations(map, path, "gaps", GAP_KINDS, ErrorCode::UnknownGap);
        self.strings(map, path, "chains");
        id.map(String::from)
    }

    fn goal(&mut self, map: &Map<String, Value>, path: &str) -> Option<String> {
        use Presence::*;
        let id = self.string(map, path, "id", Required);
        self.string(map, path, "region", Required);
        self.integer(map, path, "year", Required, YEARS, ErrorCode::InvalidYear);
        if let Some(targets) = self.field(map, path, "targets", Defaulted) {
            let path = format!("{path}/targets");
            match targets {
                Value::Object(targets) => {
                    for key in targets.keys() {
                        if !PROJECT_CATEGORIES.contains(&key.as_str()) {
                            let message = format!(
                                "unknown project category {key:?}; expected one of {}",
                                PROJECT_CATEGORIES.join(", ")
                            );
                            self.push(
                                ErrorCode::UnknownCategory,
                                pointer_push(&path, key),
                                message,
                            );
                        }
                        self.integer(
                            targets,
                            &path,
                            key,
                            Required,
                            COUNTS,
                            ErrorCode::InvalidCount,
                        );
                    }
                }
                other => self.wrong_type(path, "an object", other),
            }
        }
        if let Some(share) = self.field(map, path, "international_share", Optional) {
            let at = pointer_push(path, "international_share");
            match share.as_f64() {
                Some(x) if (0.0..=1.0).contains(&x) => {}
                Some(x) => self.push(
                    ErrorCode::InvalidShare,
                    at,
                    format!("international_share is {x}; it must be a number from 0 to 1"),
                ),
                None => self.wrong_type(at, "a number", share),
            }
        }
        id.map(String::from)
    }

    fn notice(&mut self, map: &Map<String, Value>, path: &str) -> Option<String> {
        use Presence::*;
        let id = self.string(map, path, "id", Required);
        self.string(map, path, "chain", Required);
        if let Some(about) = self.field(map, path, "about", Required) {
            let at = pointer_push(path, "about");
            if let Some(about) = self.object(about, &at, ABOUT_FIELDS) {
                self.string(about, &at, "firm", Required);
                self.string(about, &at, "part", Optional);
                self.string(about, &at, "problem", Optional);
            }
        }
        self.enumeration(
            map,
            path,
            "kind",
            Required,
            NOTICE_KINDS,
            ErrorCode::UnknownKind,
        );
        self.integer(
            map,
            path,
            "severity",
            Required,
            1..=5,
            ErrorCode::InvalidSeverity,
        );
        self.string(map, path, "message", Required);
        self.enumeration(
            map,
            path,
            "direction",
            Required,
            DIRECTIONS,
            ErrorCode::UnknownDirection,
        );
        self.string(map, path, "sender", Required);
        self.integer(
            map,
            path,
            "sent_at",
            Required,
            0..=u64::MAX,
            ErrorCode::WrongType,
        );
        if let Some(recipients) = self.array(map, path, "recipients", Defaulted) {
            for (k, r) in recipients.iter().enumerate() {
                let at = format!("{path}/recipients/{k}");
                if let Some(r) = self.object(r, &at, RECIPIENT_FIELDS) {
                    self.string(r, &at, "org", Required);
                    self.enumeration(
                        r,
                        &at,
                        "relation",
                        Required,
                        RELATIONS,
                        ErrorCode::UnknownRelation,
                    );
                    self.boolean(r, &at, "master", Defaulted);
                }
            }
        }
        if let Some(acks) = self.field(map, path, "acks", Defaulted) {
            let at = pointer_push(path, "acks");
            match acks {
                Value::Object(acks) => {
                    for key in acks.keys() {
                        self.integer(acks, &at, key, Required, 0..=u64::MAX, ErrorCode::WrongType);
                    }
                }
                other => self.wrong_type(at, "an object", other),
            }
        }
        id.map(String::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Category, Dataset, Element, Level, OrgKind, Role, Status};
    use serde_json::json;

    fn walk(doc: Value) -> Vec<(String, ErrorCode)> {
        check_value(&doc, &Dataset::new())
            .into_errors()
            .into_iter()
            .map(|e| (e.path, e.code))
            .collect()
    }

    fn pairs(expected: &[(&str, ErrorCode)]) -> Vec<(String, ErrorCode)> {
        expected.iter().map(|&(p, c)| (p.to_string(), c)).collect()
    }

    #[test]
    fn the_enum_lists_match_the_model() {
        let names = |v: Vec<Value>| -> Vec<String> {
            v.into_iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect()
        };
        let kinds = OrgKind::ALL.map(|k| serde_json::to_value(k).unwrap());
        assert_eq!(names(kinds.to_vec()), KINDS);
        let levels = Level::ALL.map(|l| serde_json::to_value(l).unwrap());
        assert_eq!(names(levels.to_vec()), LEVELS);
        let categories = Category::ALL.map(|c| serde_json::to_value(c).unwrap());
        assert_eq!(names(categories.to_vec()), CATEGORIES);
        let statuses = [Status::Open, Status::InProgress, Status::Resolved]
            .map(|s| serde_json::to_value(s).unwrap());
        assert_eq!(names(statuses.to_vec()), STATUSES);
        let disclosures = crate::model::Disclosure::ALL.map(|d| serde_json::to_value(d).unwrap());
        assert_eq!(names(disclosures.to_vec()), DISCLOSURES);
        let roles = [Role::ChainMaster, Role::Member].map(|r| serde_json::to_value(r).unwrap());
        assert_eq!(names(roles.to_vec()), ROLES);
        use crate::model::{
            GapKind, PolicyKind, ProjectCategory, ProjectLevel, ProjectStatus, FIRST_YEAR,
            LAST_YEAR,
        };
        fn serialized<T: serde::Serialize>(values: &[T]) -> Vec<String> {
            values
                .iter()
                .map(|v| {
                    serde_json::to_value(v)
                        .unwrap()
                        .as_str()
                        .unwrap()
                        .to_string()
                })
                .collect()
        }
        assert_eq!(serialized(&ProjectCategory::ALL), PROJECT_CATEGORIES);
        assert_eq!(serialized(&ProjectStatus::ALL), PROJECT_STATUSES);
        assert_eq!(serialized(&ProjectLevel::ALL), PROJECT_LEVELS);
        assert_eq!(serialized(&PolicyKind::ALL), POLICY_KINDS);
        assert_eq!(serialized(&GapKind::ALL), GAP_KINDS);
        let mut elements = serialized(&Element::ALL);
        elements.sort();
        let mut expected = ELEMENTS.to_vec();
        expected.sort();
        assert_eq!(elements, expected);
        assert_eq!(YEARS, u64::from(FIRST_YEAR)..=u64::from(LAST_YEAR));
    }

    #[test]
    fn the_field_lists_match_the_model() {
        use crate::model::*;
        fn keys<T: serde::Serialize>(record: &T) -> Vec<String> {
            let Value::Object(map) = serde_json::to_value(record).unwrap() else {
                panic!("records serialize as objects")
            };
            let mut keys: Vec<String> = map.keys().cloned().collect();
            keys.sort();
            keys
        }
        fn sorted(fields: &[&str]) -> Vec<String> {
            let mut fields: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
            fields.sort();
            fields
        }
        let s = String::from;
        let segment = Segment {
            id: s("s"),
            name: s("S"),
        };
        let membership = Membership {
            chain: s("c"),
            role: Role::Member,
            segment: s("s"),
        };
        let capability = Capability {
            code: s("rd:x"),
            capacity: Some(1),
        };
        let chain = Chain {
            id: s("c"),
            name: s("C"),
            chief: Some(s("x")),
            segments: vec![],
        };
        let org = Organization {
            id: s("o"),
            name: s("O"),
            kind: OrgKind::Enterprise,
            region: Some(s("320500")),
            foreign: true,
            country: Some(s("JP")),
            chains: Some(vec![]),
            level: Some(Level::National),
            capabilities: Some(vec![]),
        };
        let supply = Supply {
            chain: s("c"),
            supplier: s("a"),
            customer: s("b"),
            part: s("p"),
        };
        let problem = Problem {
            disclosure: crate::model::Disclosure::Chain,
            id: s("p"),
            org: s("o"),
            chain: s("c"),
            title: s("t"),
            category: Category::Other,
            severity: 1,
            status: Status::Open,
            needs: vec![],
        };
        let region = Region {
            code: s("320500"),
            name: s("x"),
        };
        let project = Project {
            id: s("j"),
            title: s("t"),
            category: ProjectCategory::KeyProduct,
            chain: s("c"),
            lead: s("o"),
            participants: vec![],
            problems: vec![],
            year: 2025,
            status: ProjectStatus::Completed,
            level: Some(ProjectLevel::DomesticLeading),
            consortium: Some(s("k")),
            results: Some(ProjectResults {
                patents: 1,
                standards: 1,
                summary: Some(s("x")),
            }),
        };
        let consortium = Consortium {
            id: s("k"),
            name: s("K"),
            chain: s("c"),
            lead: s("o"),
            members: vec![],
            founded: 2024,
        };
        let tool = PolicyTool {
            id: s("t"),
            title: s("T"),
            kind: PolicyKind::Funding,
            issuer: s("i"),
            region: s("32"),
            year: 2025,
            elements: vec![],
            categories: vec![],
            gaps: vec![],
            chains: vec![s("c")],
        };
        let goal = Goal {
            id: s("g"),
            region: s("32"),
            year: 2025,
            targets: Default::default(),
            international_share: Some(0.6),
        };
        let entry = CatalogueEntry {
            code: s("rd:x"),
            name: s("某能力"),
            standards: vec![s("GB/T 1")],
            description: Some(s("d")),
        };
        let recipient = notice::NoticeRecipient {
            org: s("b"),
            relation: notice::RecipientRelation::Customer,
            master: true,
        };
        let notice = Notice {
            id: s("n"),
            chain: s("c"),
            about: notice::NoticeAbout {
                firm: s("a"),
                part: Some(s("p")),
                problem: Some(s("pr")),
            },
            kind: notice::NoticeKind::Defect,
            severity: 3,
            message: s("m"),
            direction: notice::NoticeDirection::Downstream,
            sender: s("a"),
            sent_at: 1,
            recipients: vec![recipient.clone()],
            acks: [(s("b"), 2)].into_iter().collect(),
        };
        let bundle = Bundle {
            capabilities: vec![entry.clone()],
            projects: vec![project.clone()],
            consortia: vec![consortium.clone()],
            policy_tools: vec![tool.clone()],
            goals: vec![goal.clone()],
            notices: vec![notice.clone()],
            ..Bundle::new()
        };
        assert_eq!(keys(&notice), sorted(NOTICE_FIELDS));
        assert_eq!(keys(&notice.about), sorted(ABOUT_FIELDS));
        assert_eq!(keys(&recipient), sorted(RECIPIENT_FIELDS));
        assert_eq!(keys(&bundle), sorted(TOP_FIELDS));
        assert_eq!(keys(&project), sorted(PROJECT_FIELDS));
        assert_eq!(keys(&entry), sorted(CATALOGUE_FIELDS));
        assert_eq!(
            keys(project.results.as_ref().unwrap()),
            sorted(RESULTS_FIELDS)
        );
        assert_eq!(keys(&consortium), sorted(CONSORTIUM_FIELDS));
        assert_eq!(keys(&tool), sorted(POLICY_TOOL_FIELDS));
        assert_eq!(keys(&goal), sorted(GOAL_FIELDS));
        assert_eq!(keys(&region), sorted(REGION_FIELDS));
        assert_eq!(keys(&chain), sorted(CHAIN_FIELDS));
        assert_eq!(keys(&segment), sorted(SEGMENT_FIELDS));
        assert_eq!(keys(&org), sorted(ORGANIZATION_FIELDS));
        assert_eq!(keys(&membership), sorted(MEMBERSHIP_FIELDS));
        assert_eq!(keys(&capability), sorted(CAPABILITY_FIELDS));
        assert_eq!(keys(&supply), sorted(SUPPLY_FIELDS));
        assert_eq!(keys(&problem), sorted(PROBLEM_FIELDS));
    }

    #[test]
    fn the_document_must_be_an_object_with_version_one() {
        assert_eq!(walk(json!([])), pairs(&[("", ErrorCode::WrongType)]));
        assert_eq!(
            walk(json!({})),
            pairs(&[("/version", ErrorCode::MissingField)])
        );
        assert_eq!(
            walk(json!({"version": "1"})),
            pairs(&[("/version", ErrorCode::WrongType)])
        );
        assert_eq!(
            walk(json!({"version": 1.5})),
            pairs(&[("/version", ErrorCode::UnsupportedVersion)])
        );
    }

    #[test]
    fn unknown_fields_are_reported_with_escaped_pointers() {
        let doc = json!({"version": 1, "a/b": 1, "chains": [
            {"id": "c", "name": "C", "segments": [{"id": "s", "name": "S", "x~y": 0}]}]});
        assert_eq!(
            walk(doc),
            pairs(&[
                ("/a~1b", ErrorCode::UnknownField),
                ("/chains/0/segments/0/x~0y", ErrorCode::UnknownField),
            ])
        );
    }

    #[test]
    fn nulls_are_accepted_exactly_where_serde_accepts_them() {
        let doc = json!({"version": 1,
            "chains": [{"id": "c", "name": "C", "chief": null, "segments": null}],
            "organizations": [{"id": "f", "name": "F", "kind": "enterprise", "region": null,
                               "foreign": null, "chains": null, "level": null}]});
        assert_eq!(
            walk(doc),
            pairs(&[
                ("/chains/0/segments", ErrorCode::WrongType),
                ("/organizations/0/foreign", ErrorCode::WrongType),
            ])
        );
    }

    #[test]
    fn numbers_out_of_range_get_their_own_codes() {
        let doc = json!({"version": 1,
            "organizations": [{"id": "q", "name": "Q", "kind": "institute", "region": "320500",
                "level": "national", "capabilities": [
                    {"code": "rd:a", "capacity": -1}, {"code": "rd:b", "capacity": 4294967296u64},
                    {"code": "rd:c", "capacity": "5"}]}],
            "problems": [{"id": "p", "org": "f", "chain": "c", "title": "", "category": "other",
                          "severity": 2.5, "status": "open"}]});
        assert_eq!(
            walk(doc),
            pairs(&[
                (
                    "/organizations/0/capabilities/0/capacity",
                    ErrorCode::InvalidCapacity
                ),
                (
                    "/organizations/0/capabilities/1/capacity",
                    ErrorCode::InvalidCapacity
                ),
                (
                    "/organizations/0/capabilities/2/capacity",
                    ErrorCode::WrongType
                ),
                ("/problems/0/severity", ErrorCode::InvalidSeverity),
            ])
        );
    }

    #[test]
    fn enum_values_get_specific_codes() {
        let doc = json!({"version": 1,
            "chains": [{"id": "c", "name": "C", "segments": [{"id": "s", "name": "S"}]}],
            "organizations": [
                {"id": "f", "name": "F", "kind": "firm", "region": "320500"},
                {"id": "g", "name": "G", "kind": "enterprise", "region": "320500",
                 "chains": [{"chain": "c", "role": "boss", "segment": "s"}]},
                {"id": "q", "name": "Q", "kind": "institute", "region": "320500",
                 "level": "global", "capabilities": []}],
            "problems": [{"id": "p", "org": "g", "chain": "c", "title": "", "category": "bad",
                          "severity": 2, "status": "done", "needs": [3],
                          "disclosure": "public"}]});
        assert_eq!(
            walk(doc),
            pairs(&[
                ("/organizations/0/kind", ErrorCode::UnknownKind),
                ("/organizations/1/chains/0/role", ErrorCode::UnknownRole),
                ("/organizations/2/level", ErrorCode::UnknownLevel),
                ("/problems/0/category", ErrorCode::UnknownCategory),
                ("/problems/0/status", ErrorCode::UnknownStatus),
                ("/problems/0/needs/0", ErrorCode::WrongType),
                ("/problems/0/disclosure", ErrorCode::UnknownDisclosure),
            ])
        );
    }

    #[test]
    fn broken_records_still_resolve_references_by_id() {
        // "f" has a typo'd field, so it is opaque; the supply naming it is not reported, the one
        // naming "zz" is, and so is the sound organization "g" with its own semantic error.
        let doc = json!({"version": 1,
            "chains": [{"id": "c", "name": "C", "segments": [{"id": "s", "name": "S"}]}],
            "organizations": [
                {"id": "f", "name": "F", "kind": "enterprise", "regoin": "320500"},
                {"id": "g", "name": "G", "kind": "enterprise", "region": "32",
                 "chains": [{"chain": "c", "role": "member", "segment": "s"}]}],
            "supplies": [{"chain": "c", "from": "f", "to": "g", "part": "x"},
                         {"chain": "c", "from": "zz", "to": "g", "part": "x"}]});
        assert_eq!(
            walk(doc),
            pairs(&[
                ("/organizations/0/regoin", ErrorCode::UnknownField),
                ("/organizations/1/region", ErrorCode::InvalidRegion),
                ("/supplies/1/from", ErrorCode::UnknownOrganization),
            ])
        );
    }

    #[test]
    fn broken_problems_and_consortia_still_resolve_the_references_of_projects() {
        // "p" and "k" have typo'd fields, so they are opaque: the project naming them is not
        // reported for them, only for the problem "zz" nobody has.
        let doc = json!({"version": 1,
            "chains": [{"id": "c", "name": "C", "segments": [{"id": "s", "name": "S"}]}],
            "organizations": [{"id": "f", "name": "F", "kind": "enterprise", "region": "320500",
                               "chains": [{"chain": "c", "role": "chain_master", "segment": "s"}]}],
            "problems": [{"id": "p", "org": "f", "chain": "c", "title": "", "category": "other",
                          "severity": 2, "status": "open", "neds": []}],
            "consortia": [{"id": "k", "name": "K", "chain": "c", "lead": "f", "founded": 2024,
                           "memebrs": []}],
            "projects": [{"id": "j", "title": "J", "category": "key_product", "chain": "c",
                          "lead": "f", "problems": ["p", "zz"], "year": 2025,
                          "status": "approved", "consortium": "k"}]});
        assert_eq!(
            walk(doc),
            pairs(&[
                ("/problems/0/neds", ErrorCode::UnknownField),
                ("/consortia/0/memebrs", ErrorCode::UnknownField),
                ("/projects/0/problems/1", ErrorCode::UnknownProblem),
            ])
        );
    }

    #[test]
    fn an_unusable_array_of_problems_or_consortia_leaves_the_projects_references_unjudged() {
        let doc = json!({"version": 1, "problems": {"id": "p"}, "consortia": 3,
            "chains": [{"id": "c", "name": "C", "segments": [{"id": "s", "name": "S"}]}],
            "organizations": [{"id": "f", "name": "F", "kind": "enterprise", "region": "320500",
                               "chains": [{"chain": "c", "role": "chain_master", "segment": "s"}]}],
            "projects": [{"id": "j", "title": "J", "category": "key_product", "chain": "c",
                          "lead": "f", "problems": ["p"], "year": 2025,
                          "status": "approved", "consortium": "k"}]});
        assert_eq!(
            walk(doc),
            pairs(&[
                ("/problems", ErrorCode::WrongType),
                ("/consortia", ErrorCode::WrongType),
            ])
        );
    }

    #[test]
    fn an_unusable_array_does_not_make_every_reference_dangle() {
        let doc = json!({"version": 1, "chains": {"id": "c"},
            "organizations": [{"id": "f", "name": "F", "kind": "enterprise", "region": "320500",
                               "chains": [{"chain": "c", "role": "member", "segment": "s"}]}]});
        assert_eq!(walk(doc), pairs(&[("/chains", ErrorCode::WrongType)]));
    }

    #[test]
    fn non_object_records_are_wrong_types() {
        let doc = json!({"version": 1, "supplies": ["a->b"], "regions": [{"code": 320500}]});
        assert_eq!(
            walk(doc),
            pairs(&[
                ("/regions/0/code", ErrorCode::WrongType),
                ("/regions/0/name", ErrorCode::MissingField),
                ("/supplies/0", ErrorCode::WrongType),
            ])
        );
    }

    #[test]
    fn mistyped_catalogue_entries_are_reported_with_their_paths() {
        let doc = json!({"version": 1, "capabilities": [
            {"code": "testing:cells", "name": "电芯测试", "standards": "GB/T 31485-2015"},
            {"name": 3, "standards": [31485], "description": false, "colour": "red"},
            {"code": "testing:cells", "name": "电芯测试"}
        ]});
        assert_eq!(
            walk(doc),
            pairs(&[
                ("/capabilities/0/standards", ErrorCode::WrongType),
                ("/capabilities/1/colour", ErrorCode::UnknownField),
                ("/capabilities/1/code", ErrorCode::MissingField),
                ("/capabilities/1/name", ErrorCode::WrongType),
                ("/capabilities/1/standards/0", ErrorCode::WrongType),
                ("/capabilities/1/description", ErrorCode::WrongType),
            ])
        );
    }
}
