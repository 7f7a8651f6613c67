//! Key projects (重点项目清单) alone: every chain's lists and the dataset scope's, over the
//! inputs a full analysis hands them (each chain's assignment and weak links; the dataset-wide
//! assignment and every chain's weak links).
//!
//! Run: `cargo bench --bench projects` (the generated province, 50 chains × 700 firms), or
//! `QMAP_BENCH_FILE=/tmp/prov.json cargo bench --bench projects` for a bundle file. Prints the
//! best of a few rounds for the chains together and for the dataset scope.

use qmap::analysis::analyze_full;
use qmap::analysis::assignment::assign_needs;
use qmap::analysis::eligibility::{needs, needs_of, ProviderIndex, Scope};
use qmap::analysis::projects::key_projects_with;
use qmap::analysis::quality::weak_links;
use qmap::generate::{generate, GenOptions};
use qmap::graph::Graphs;
use qmap::model::{Bundle, Dataset, Problem};
use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

const ROUNDS: usize = 5;

fn main() {
    let bundle: Bundle = match std::env::var("QMAP_BENCH_FILE") {
        Ok(path) => serde_json::from_slice(&std::fs::read(&path).expect("read the bundle"))
            .expect("a format-1 bundle"),
        Err(_) => generate(&GenOptions {
            chains: 50,
            firms: 700,
            seed: 42,
        }),
    };
    let d = Dataset::from_bundle(bundle);
    let graphs = Graphs::build(&d);
    let report = analyze_full(&d, &graphs, None);
    let index = ProviderIndex::from_dataset(&d);
    let mut by_chain: HashMap<&str, Vec<&Problem>> = HashMap::new();
    for p in d.problems.values() {
        by_chain.entry(p.chain.as_str()).or_default().push(p);
    }
    let chains: Vec<_> = report
        .chains
        .iter()
        .map(|c| {
            let problems = by_chain
                .get(c.weak.id.as_str())
                .cloned()
                .unwrap_or_default();
            let own = needs_of(&d, problems.iter().copied());
            (c, weak_links([&c.weak]), problems, own)
        })
        .collect();
    let all_needs = needs(&d, &Scope::All);
    let all = assign_needs(&all_needs, &index, Scope::All);
    let every_link = weak_links(report.chains.iter().map(|c| &c.weak));
    let problems: Vec<&Problem> = d.problems.values().collect();

    let best = |f: &dyn Fn()| {
        (0..ROUNDS)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed()
            })
            .min()
            .unwrap_or(Duration::ZERO)
    };
    let chain_time = best(&|| {
        for (c, links, problems, own) in &chains {
            black_box(key_projects_with(
                &d,
                &c.assignment,
                links,
                &index,
                problems,
                own,
            ));
        }
    });
    let dataset_time = best(&|| {
        black_box(key_projects_with(
            &d,
            &all,
            &every_link,
            &index,
            &problems,
            &all_needs,
        ));
    });
    println!(
        "key projects, best of {ROUNDS}: {} chains {:.1} ms, dataset scope {:.1} ms",
        chains.len(),
        chain_time.as_secs_f64() * 1e3,
        dataset_time.as_secs_f64() * 1e3
    );
}
