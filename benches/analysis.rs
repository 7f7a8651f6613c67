//! Weak-link analysis at three scales: a province (50 chains × 700 firms), one 20,000-firm chain,
//! and (with `QMAP_BENCH_NATIONAL=1`) the nation (50 chains × 20,000 firms).
//!
//! Run: `CARGO_TARGET_DIR=/work/target cargo bench --bench analysis`.

use criterion::{criterion_group, criterion_main, Criterion};
use qmap::analysis::{analyze, critical_nodes, critical_nodes_parallel};
use qmap::graph::Graphs;
use qmap::model::{
    Bundle, Chain, Dataset, Membership, OrgKind, Organization, Role, Segment, Supply,
};
use std::time::{Duration, Instant};

/// A deterministic layered dataset: `chains` chains of `firms` firms in five segments, upstream
/// heavier; every firm past the first segment buys 1–4 parts from the segment before, each from
/// 1–3 suppliers with a preference for the first firms (hubs); two masters in the last segment;
/// a few recycling supplies close cycles.
fn synthetic(chains: usize, firms: usize, seed: u64) -> Bundle {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let mut b = Bundle::new();
    const WEIGHTS: [usize; 5] = [12, 8, 6, 4, 3];
    let total: usize = WEIGHTS.iter().sum();
    for c in 0..chains {
        let chain = format!("chain{c:02}");
        b.chains.push(Chain {
            id: chain.clone(),
            name: format!("产业链{c}"),
            chief: None,
            segments: (0..5)
                .map(|s| Segment {
                    id: format!("s{s}"),
                    name: format!("环节{s}"),
                })
                .collect(),
        });
        let mut bounds = vec![0];
        for (s, w) in WEIGHTS.iter().enumerate() {
            let size = if s == 4 {
                firms - bounds[s]
            } else {
                (firms * w / total).max(1)
            };
            bounds.push(bounds[s] + size);
        }
        let id = |i: usize| format!("c{c:02}f{i:06}");
        for s in 0..5 {
            for i in bounds[s]..bounds[s + 1] {
                let foreign = s == 0 && next(20) == 0;
                b.organizations.push(Organization {
                    id: id(i),
                    name: format!("企业{c}-{i}"),
                    kind: OrgKind::Enterprise,
                    region: (!foreign).then(|| format!("32{:02}{:02}", 1 + next(13), 1 + next(9))),
                    foreign,
                    country: foreign.then(|| "JP".to_string()),
                    chains: Some(vec![Membership {
                        chain: chain.clone(),
                        role: if s == 4 && i < bounds[4] + 2 {
                            Role::ChainMaster
                        } else {
                            Role::Member
                        },
                        segment: format!("s{s}"),
                    }]),
                    level: None,
                    capabilities: None,
                });
            }
        }
        for s in 1..5 {
            let (lo, hi) = (bounds[s - 1], bounds[s]);
            for buyer in bounds[s]..bounds[s + 1] {
                for p in 0..1 + next(4) {
                    let part = format!("part{}-{}", s - 1, (buyer + p) % 8);
                    for _ in 0..1 + next(3) {
                        // Half the draws prefer the first tenth of the segment: hubs.
                        let span = if next(2) == 0 {
                            ((hi - lo) / 10).max(1)
                        } else {
                            hi - lo
                        };
                        b.supplies.push(Supply {
                            chain: chain.clone(),
                            supplier: id(lo + next(span)),
                            customer: id(buyer),
                            part: part.clone(),
                        });
                    }
                }
            }
        }
        for _ in 0..3 {
            b.supplies.push(Supply {
                chain: chain.clone(),
                supplier: id(bounds[4] + next(firms - bounds[4])),
                customer: id(next(bounds[1])),
                part: "recycled".into(),
            });
        }
    }
    b
}

fn dataset(chains: usize, firms: usize) -> Dataset {
    Dataset::from_bundle(synthetic(chains, firms, 42))
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
        b.iter(|| critical_nodes_parallel(graph, 2))
    });
    group.bench_function("analyze", |b| b.iter(|| analyze(&data, &graphs, None)));
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

criterion_group!(benches, province, one_large_chain, national);
criterion_main!(benches);
