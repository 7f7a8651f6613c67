//! The map picture (`render::svg`) for every fixture chain: a well-formed XML document with one
//! mark per listed firm, segment headers in Chinese, supplies as edges and the chain in its title.

use qmap::model::{Bundle, Dataset};
use std::collections::BTreeSet;
use std::path::Path;

fn fixture_datasets() -> Vec<(String, Dataset)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut out: Vec<(String, Dataset)> = std::fs::read_dir(&dir)
        .expect("fixtures directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let bytes = std::fs::read(&p).expect("fixture readable");
            let bundle: Bundle = serde_json::from_slice(&bytes).expect("fixture is a bundle");
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                Dataset::from_bundle(bundle),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The quality map of one chain, as the service draws it.
fn chain_map(
    dataset: &qmap::model::Dataset,
    chain: &str,
    limit: Option<usize>,
) -> Result<qmap::map::QualityMap, qmap::service::Error> {
    qmap::service::Snapshot::of(dataset.clone(), 0).quality_map(chain, limit)
}

#[test]
fn every_fixture_chain_draws_as_well_formed_svg_with_one_mark_per_firm() {
    let mut chains = 0;
    for (file, dataset) in fixture_datasets() {
        for chain in dataset.chains.keys() {
            let map = chain_map(&dataset, chain, None).expect("chain exists");
            let svg = qmap::render::svg::chain_map_svg(&map);
            let doc = roxmltree::Document::parse(&svg)
                .unwrap_or_else(|e| panic!("{file} {chain}: not well-formed XML: {e}"));
            let root = doc.root_element();
            assert_eq!(root.tag_name().name(), "svg", "{file} {chain}");
            assert_eq!(
                root.tag_name().namespace(),
                Some("http://www.w3.org/2000/svg")
            );

            let marks: Vec<&str> = doc
                .descendants()
                .filter_map(|n| n.attribute("data-firm"))
                .collect();
            let expected: BTreeSet<&str> = map.firms.iter().map(|f| f.id.as_str()).collect();
            assert_eq!(
                marks.len(),
                map.firms.len(),
                "{file} {chain}: one mark per firm"
            );
            assert_eq!(
                marks.iter().copied().collect::<BTreeSet<_>>(),
                expected,
                "{file} {chain}"
            );
            assert_eq!(map.firms.len(), map.firms_total, "no limit: every firm");

            // Every mark names its firm in a <title>.
            for f in &map.firms {
                let g = doc
                    .descendants()
                    .find(|n| n.attribute("data-firm") == Some(f.id.as_str()))
                    .expect("mark");
                let title = g
                    .children()
                    .find(|n| n.has_tag_name("title"))
                    .and_then(|t| t.text())
                    .unwrap_or_default();
                assert!(title.starts_with(&f.name), "{file}: title {title:?}");
            }

            // Segment headers, in chain order.
            let headers: Vec<&str> = doc
                .descendants()
                .filter_map(|n| n.attribute("data-segment"))
                .collect();
            let segments: Vec<&str> = map.chain.segments.iter().map(|s| s.id.as_str()).collect();
            assert_eq!(headers, segments, "{file} {chain}");
            let text: String = doc
                .descendants()
                .filter(|n| n.is_text())
                .filter_map(|n| n.text())
                .collect();
            for s in &map.chain.segments {
                assert!(text.contains(&s.name), "{file}: header {}", s.name);
            }
            assert!(text.contains(&map.chain.name));
            assert!(text.contains("QI 覆盖率"));

            // One line (one "M") per pair of drawn ends: parallel supplies are bundled.
            let lines: usize = doc
                .descendants()
                .filter(|n| {
                    n.attribute("class")
                        .is_some_and(|c| c.starts_with("supply"))
                })
                .filter_map(|n| n.attribute("d"))
                .map(|d| d.matches('M').count())
                .sum();
            let pairs: std::collections::BTreeSet<(&str, &str)> = map
                .supplies
                .iter()
                .map(|s| (s.from.as_str(), s.to.as_str()))
                .chain(map.bundles.iter().map(|b| (b.from.as_str(), b.to.as_str())))
                .collect();
            assert_eq!(lines, pairs.len(), "{file} {chain}");
            // Placed labels never overlap (their boxes as the layout estimates them).
            let lay = qmap::render::layout::layout(&map, 0.0);
            let boxes: Vec<_> = lay.labels.values().map(|l| l.rect).collect();
            for (i, a) in boxes.iter().enumerate() {
                for b in &boxes[i + 1..] {
                    assert!(!a.intersects(b), "{file} {chain}: {a:?} {b:?}");
                }
            }
            chains += 1;
        }
    }
    assert!(chains >= 7, "every fixture has a chain ({chains})");
}

#[test]
fn the_power_battery_picture_marks_masters_critical_and_foreign_firms() {
    let dataset = fixture_datasets()
        .into_iter()
        .find(|(f, _)| f == "power_battery_jiangsu.json")
        .expect("fixture")
        .1;
    let map = chain_map(&dataset, "pb-power-battery", None).unwrap();
    let svg = qmap::render::svg::chain_map_svg(&map);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let with_class = |class: &str| {
        doc.descendants()
            .filter(|n| n.attribute("data-firm").is_some())
            .filter(|n| {
                n.attribute("class")
                    .is_some_and(|c| c.split(' ').any(|x| x == class))
            })
            .count()
    };
    assert_eq!(with_class("firm"), 57);
    assert_eq!(with_class("master"), 3);
    assert_eq!(with_class("critical"), 15);
    assert_eq!(with_class("foreign"), 14);
}

#[test]
fn a_limited_map_draws_the_other_firms_as_group_cards_per_segment() {
    let dataset = fixture_datasets()
        .into_iter()
        .find(|(f, _)| f == "power_battery_jiangsu.json")
        .expect("fixture")
        .1;
    let map = chain_map(&dataset, "pb-power-battery", Some(10)).unwrap();
    let svg = qmap::render::svg::chain_map_svg(&map);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let marks = doc
        .descendants()
        .filter(|n| n.attribute("data-firm").is_some())
        .count();
    assert_eq!(marks, 10);
    let cards: Vec<_> = doc
        .descendants()
        .filter(|n| n.attribute("data-group").is_some())
        .collect();
    assert_eq!(cards.len(), map.groups.len());
    assert!(!cards.is_empty());
    // Each card names its risk class and count.
    for (card, group) in cards.iter().zip(&map.groups) {
        assert_eq!(card.attribute("data-group"), Some(group.id.as_str()));
        let text: String = card
            .descendants()
            .filter_map(|n| n.text())
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            text.contains(&format!("{} {} 家", group.risk_class.label(), group.firms)),
            "{text}"
        );
    }
    assert!(
        svg.contains("按风险分组"),
        "the headers count the grouped firms"
    );
    assert!(svg.contains("图中 10 家"));
}

/// The gaps band and the providers' hover text name capabilities by the catalogue (热失控测试,
/// not `testing:thermal-runaway`), the code on hover; a code without an entry is shown as it is.
#[test]
fn the_picture_names_capabilities_by_the_catalogue_and_falls_back_to_the_code() {
    let mut dataset = fixture_datasets()
        .into_iter()
        .find(|(f, _)| f == "power_battery_jiangsu.json")
        .expect("fixture")
        .1;
    let gap_labels = |dataset: &Dataset| {
        let map = chain_map(dataset, "pb-power-battery", None).unwrap();
        let svg = qmap::render::svg::chain_map_svg(&map);
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let gaps: Vec<(String, String, String)> = doc
            .descendants()
            .filter(|n| n.attribute("data-code").is_some())
            .map(|g| {
                let text = |tag: &str| {
                    g.children()
                        .find(|c| c.has_tag_name(tag))
                        .and_then(|c| c.text())
                        .unwrap_or_default()
                        .to_string()
                };
                (
                    g.attribute("data-code").unwrap().to_string(),
                    text("text"),
                    text("title"),
                )
            })
            .collect();
        let providers: Vec<String> = doc
            .descendants()
            .filter(|n| n.attribute("data-provider").is_some())
            .filter_map(|g| g.children().find(|c| c.has_tag_name("title")))
            .filter_map(|t| t.text().map(str::to_string))
            .collect();
        (gaps, providers)
    };
    let (gaps, providers) = gap_labels(&dataset);
    assert!(!gaps.is_empty(), "the battery chain has gaps");
    for (code, label, title) in &gaps {
        let name = dataset
            .capability_name(code)
            .expect("every fixture code is catalogued");
        assert!(
            name.starts_with(label.trim_end_matches('…')),
            "{code}: {label}"
        );
        assert!(
            !label.contains(':'),
            "{code}: the label is not a code: {label}"
        );
        assert!(title.starts_with(&format!("{code}：")), "{title}");
    }
    assert!(
        providers.iter().any(|t| t.contains("能力：热失控测试")),
        "{providers:?}"
    );
    assert!(
        providers.iter().all(|t| !t.contains("testing:")),
        "{providers:?}"
    );

    // Without the entry of the first gap's code, the code itself is shown.
    let (first, _, _) = gaps[0].clone();
    dataset.capabilities.remove(&first);
    let (gaps, _) = gap_labels(&dataset);
    let (_, label, _) = gaps.iter().find(|(c, _, _)| *c == first).unwrap();
    assert!(
        first.starts_with(label.trim_end_matches('…')),
        "{first}: {label}"
    );
    assert!(label.contains(':'), "{label}");
}

#[test]
fn a_big_chain_summarises_its_qi_providers_by_kind_and_level_and_names_the_busiest() {
    let bundle = qmap::generate::generate(&qmap::generate::GenOptions {
        chains: 1,
        firms: 8000,
        seed: 42,
    });
    let chain = bundle.chains[0].id.clone();
    let dataset = Dataset::from_bundle(bundle);
    let map = chain_map(&dataset, &chain, None).unwrap();
    assert!(map.providers.len() > qmap::render::svg::PROVIDER_CHIPS);
    let svg = qmap::render::svg::chain_map_svg(&map);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let count = |attr: &str| {
        doc.descendants()
            .filter(|n| n.attribute(attr).is_some())
            .count()
    };
    // One row per kind, a handful of providers named, not one chip each.
    let kinds: std::collections::BTreeSet<_> = map.providers.iter().map(|p| p.kind).collect();
    assert_eq!(count("data-kind"), kinds.len());
    assert_eq!(count("data-provider"), 6);
    assert!(svg.contains("国家级"));
    // Groups, not thousands of marks: at most 30 firms per segment are drawn.
    assert!(count("data-firm") <= 30 * map.chain.segments.len());
    assert_eq!(count("data-group"), map.groups.len());
}
