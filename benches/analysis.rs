//! Weak-link analysis at three scales: a province (50 chains × 700 firms), one 20,000-firm chain,
//! and (with `QMAP_BENCH_NATIONAL=1`) the nation (50 chains × 20,000 firms); and one chain's
//! whole analysis alone and among 49 others.
//!
//! Datasets come from the deterministic generator (`qmap::generate`, seed 42).
//!
//! Run: `cargo bench --bench analysis` (add `QMAP_BENCH_NATIONAL=1` for the national scale).

use criterion::{criterion_group, criterion_main, Criterion};
use qmap::analysis::eligibility::ProviderIndex;
use qmap::analysis::quality::analyze_chain;
use qmap::analysis::{analyze, analyze_full, critical_nodes, critical_nodes_parallel};
use qmap::generate::{generate, GenOptions};
use qmap::graph::Graphs;
use qmap::model::{ChainIndex, Dataset};
use std::time::{Duration, Instant};

fn dataset(chains: usize, firms: usize) -> Dataset {
    Dataset::from_bundle(generate(&GenOptions {
        chains,
        firms,
        seed: 42,
    }))
}

fn province(c: &mut Criterion) {
    let data = dataset(50, 700);
    let mut group = c.benchmark_group("province 50×700");
    group.sample_size(10);
    group.bench_function("build graphs", |b| b.iter(|| Graphs::build(&data)));
    let graphs = Graphs::build(&data);
    group.bench_function("analyze all chains", |b| {
        b.iter(|| analyze(&data, &graphs, None))
    });
    group.finish();
}

fn one_large_chain(c: &mut Criterion) {
    let data = dataset(1, 20_000);
    let graphs = Graphs::build(&data);
    let graph = graphs.iter().next().expect("one chain");
    let mut group = c.benchmark_group("chain 20000");
    group.sample_size(10);
    group.bench_function("critical nodes, 1 thread", |b| {
        b.iter(|| critical_nodes(graph))
    });
    group.bench_function("critical nodes, 2 threads", |b| {
        b.iter(|| critical_nodes_parallel(graph))
    });
    group.bench_function("analyze", |b| b.iter(|| analyze(&data, &graphs, None)));
    group.finish();
}

/// The same chain's analysis (weak links and QI, what the service computes per chain) alone in
/// its dataset and among 49 others: `analyze_chain` should cost the same in both (it touches
/// only that chain), where the whole-dataset pipeline it replaced (`analyze_full` with one
/// chain id) grows with the dataset.
fn one_chain_among_many(c: &mut Criterion) {
    let many = dataset(50, 700);
    let id = many.chains.keys().next().expect("a chain").clone();
    let mut alone = Dataset::new();
    alone.regions = many.regions.clone();
    alone.chains.insert(id.clone(), many.chains[&id].clone());
    for o in many.organizations.values() {
        if o.is_provider() || o.membership(&id).is_some() {
            alone.organizations.insert(o.id.clone(), o.clone());
        }
    }
    alone.supplies = many.supplies_of_chain(&id).cloned().collect();
    for p in many.problems_of_chain(&id) {
        alone.problems.insert(p.id.clone(), p.clone());
    }
    let mut group = c.benchmark_group("one chain of 700 firms");
    group.sample_size(20);
    for (label, data) in [("alone", &alone), ("among 50", &many)] {
        let index = ChainIndex::build(data);
        let providers = ProviderIndex::from_dataset(data);
        let graphs = Graphs::one_chain(data, &id, index.members(data, &id));
        let graph = graphs.chain(&id).expect("the chain");
        let problems = index.problems(data, &id);
        group.bench_function(format!("analyze_chain, {label}"), |b| {
            b.iter(|| analyze_chain(data, graph, &problems, &providers))
        });
        group.bench_function(format!("analyze_full(Some(chain)), {label}"), |b| {
            b.iter(|| analyze_full(data, &graphs, Some(&id)))
        });
    }
    group.finish();
}

/// Too slow for criterion's repetitions: timed once, when asked for.
fn national(_: &mut Criterion) {
    if std::env::var_os("QMAP_BENCH_NATIONAL").is_none() {
        return;
    }
    let t = Instant::now();
    let data = dataset(50, 20_000);
    let made = t.elapsed();
    let t = Instant::now();
    let graphs = Graphs::build(&data);
    let built = t.elapsed();
    let t = Instant::now();
    let report = analyze(&data, &graphs, None);
    let analysed = t.elapsed();
    let critical: usize = report.chains.iter().map(|c| c.critical_nodes.len()).sum();
    println!(
        "national 50×20000: {} firms, {} supplies; dataset {:.2?}, graphs {:.2?}, analysis {:.2?}; {} critical nodes",
        data.organizations.len(),
        data.supplies.len(),
        made,
        built,
        analysed,
        critical
    );
    assert!(
        analysed < Duration::from_secs(10),
        "national analysis took {analysed:?}"
    );
}

criterion_group!(
    benches,
    province,
    one_large_chain,
    one_chain_among_many,
    national
);
criterion_main!(benches);
