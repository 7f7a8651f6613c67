//! Reading a bundle document straight into a [`Dataset`] on every core.
//!
//! Parsing a national bundle (750 MB of JSON: a million organizations, five million supplies, a
//! million problems) and filling the dataset's ordered collections are each a few seconds of one
//! core. The three big arrays are independent, so each is parsed and collected on its own, side
//! by side: the document is first split into its top-level members (a syntax-only pass that
//! allocates nothing), the small members are parsed as a [`Bundle`] with the big arrays left
//! empty, and the big ones are parsed and collected in parallel.
//!
//! This path only ever accepts what `serde_json::from_slice::<Bundle>` accepts, and gives the
//! same dataset: any failure on it (a syntax error, an unknown or repeated member, a bad record)
//! makes [`dataset_from_json`] parse the whole document again the plain way, so that the error
//! reported is exactly the one of the plain path.

use super::{Bundle, Dataset};
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::fmt;

/// The members parsed apart from the rest (each a large array of records).
const BIG: [&str; 3] = ["organizations", "supplies", "problems"];

/// The dataset of a bundle document: the same as
/// `Dataset::from_bundle(serde_json::from_slice(bytes)?)`, in about half the time on two cores.
pub fn dataset_from_json(bytes: &[u8]) -> Result<Dataset, serde_json::Error> {
    match split_parse(bytes) {
        Some(dataset) => Ok(dataset),
        None => serde_json::from_slice::<Bundle>(bytes).map(Dataset::from_bundle),
    }
}

/// The parallel path; `None` on any failure (the caller then takes the plain path).
fn split_parse(bytes: &[u8]) -> Option<Dataset> {
    let members = top_level_members(bytes)?;
    // The small members as one document, the big arrays left empty: parsing it applies every
    // rule of `Bundle` (its version, unknown and repeated members) to the whole member list.
    let mut shell = String::with_capacity(4096);
    shell.push('{');
    let mut big: [Option<&RawValue>; 3] = [None; 3];
    for (k, (key, value)) in members.iter().enumerate() {
        if k > 0 {
            shell.push(',');
        }
        // Keys are plain (borrowed without escapes), so they can be written back as they are.
        shell.push('"');
        shell.push_str(key);
        shell.push_str("\":");
        match BIG.iter().position(|b| b == key) {
            Some(b) => {
                big[b] = Some(value);
                shell.push_str("[]");
            }
            None => shell.push_str(value.get()),
        }
    }
    shell.push('}');
    let small: Bundle = serde_json::from_str(&shell).ok()?;
    let text = |b: usize| big[b].map_or("[]", |v| v.get());

    let (organizations, (supplies, problems)) = rayon::join(
        || {
            serde_json::from_str::<Vec<super::Organization>>(text(0))
                .ok()
                .map(|v| {
                    v.into_iter()
                        .map(|o| (o.id.clone(), o))
                        .collect::<imbl::OrdMap<_, _>>()
                })
        },
        || {
            rayon::join(
                || {
                    serde_json::from_str::<Vec<super::Supply>>(text(1))
                        .ok()
                        .map(|v| v.into_iter().collect::<imbl::OrdSet<_>>())
                },
                || {
                    serde_json::from_str::<Vec<super::Problem>>(text(2))
                        .ok()
                        .map(|v| {
                            v.into_iter()
                                .map(|p| (p.id.clone(), p))
                                .collect::<imbl::OrdMap<_, _>>()
                        })
                },
            )
        },
    );
    let mut dataset = Dataset::from_bundle(small);
    dataset.organizations = organizations?;
    dataset.supplies = supplies?;
    dataset.problems = problems?;
    Some(dataset)
}

/// The members of the top-level object in document order, keys borrowed (so without escapes)
/// and values as raw text; `None` when the document is not such an object.
fn top_level_members(bytes: &[u8]) -> Option<Vec<(&str, &RawValue)>> {
    struct Members;
    impl<'de> Visitor<'de> for Members {
        type Value = Vec<(&'de str, &'de RawValue)>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut members = Vec::new();
            while let Some(member) = map.next_entry::<&'de str, &'de RawValue>()? {
                members.push(member);
            }
            Ok(members)
        }
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let members = (&mut de).deserialize_map(Members).ok()?;
    de.end().ok()?;
    Some(members)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(bytes: &[u8]) -> Result<Dataset, String> {
        serde_json::from_slice::<Bundle>(bytes)
            .map(Dataset::from_bundle)
            .map_err(|e| e.to_string())
    }

    fn both(text: &str) -> (Result<Dataset, String>, Result<Dataset, String>) {
        (
            dataset_from_json(text.as_bytes()).map_err(|e| e.to_string()),
            plain(text.as_bytes()),
        )
    }

    #[test]
    fn every_fixture_reads_as_the_plain_parse_reads_it() {
        let dir = format!("{}/fixtures", env!("CARGO_MANIFEST_DIR"));
        let mut read = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            let Ok(expected) = plain(&bytes) else {
                continue;
            };
            assert!(
                split_parse(&bytes).is_some(),
                "{} took the plain path",
                path.display()
            );
            assert_eq!(
                dataset_from_json(&bytes).unwrap(),
                expected,
                "{}",
                path.display()
            );
            read += 1;
        }
        assert!(read >= 3, "only {read} fixtures read");
    }

    #[test]
    fn later_duplicates_win_as_in_the_plain_parse() {
        let text = r#"{"version": 1,
            "problems": [],
            "organizations": [
              {"id": "a", "name": "甲", "kind": "enterprise", "region": "320100",
               "chains": []},
              {"id": "a", "name": "乙", "kind": "enterprise", "region": "320100",
               "chains": []}]}"#;
        assert!(split_parse(text.as_bytes()).is_some());
        let (fast, plain) = both(text);
        let fast = fast.unwrap();
        assert_eq!(fast, plain.unwrap());
        assert_eq!(fast.organizations.get("a").unwrap().name, "乙");
    }

    #[test]
    fn what_the_plain_parse_refuses_is_refused_with_the_same_error() {
        for text in [
            // a repeated big member: serde's own "duplicate field"
            r#"{"version": 1, "supplies": [], "supplies": []}"#,
            // an unknown member
            r#"{"version": 1, "suppliers": []}"#,
            // a wrong version type
            r#"{"version": "1", "supplies": []}"#,
            // a bad record inside a big array
            r#"{"version": 1, "supplies": [{"chain": "c", "from": "a", "to": "b"}]}"#,
            // trailing garbage, not an object, truncated
            r#"{"version": 1} x"#,
            r#"[1, 2]"#,
            r#"{"version": 1, "problems": ["#,
            // an escaped key (the plain parse reads it as "supplies")
            r#"{"version": 1, "suppl\u0069es": [{"chain": 1}]}"#,
        ] {
            let (fast, plain) = both(text);
            assert!(plain.is_err(), "{text}");
            assert_eq!(fast, plain, "{text}");
        }
    }

    #[test]
    fn an_escaped_key_takes_the_plain_path_and_reads_the_same() {
        let text = r#"{"version": 1, "suppl\u0069es": [{"chain": "c", "from": "a", "to": "b", "part": "电芯"}]}"#;
        assert!(split_parse(text.as_bytes()).is_none());
        let (fast, plain) = both(text);
        assert_eq!(fast.unwrap().supplies.len(), 1);
        assert!(plain.is_ok());
    }
}
