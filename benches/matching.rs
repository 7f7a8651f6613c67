//! QI matching benchmarks: assignment + coverage at province scale (50 chains × 700 firms) and
//! national scale (≈1,000,000 needs, 50,000 providers).
//!
//! Run: `cargo bench --bench matching` (or `-- province` / `-- national` for one group).
//! The data come from a deterministic generator in this file, shaped like the surveys of
//! `docs/domain.md`: firms spread over provinces/cities/counties, chain-specific capability codes,
//! QI bodies at three levels (most of them municipal), capacities from 5 to 100 or unlimited.

use criterion::{criterion_group, criterion_main, Criterion};
use qmap::analysis::assignment::assign;
use qmap::analysis::coverage::coverage;
use qmap::analysis::eligibility::Scope;
use qmap::model::{
    Capability, Category, Chain, Dataset, Level, Membership, OrgKind, Organization, Problem, Role,
    Segment, Status,
};
use std::hint::black_box;
use std::time::Duration;

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

struct Shape {
    chains: usize,
    firms_per_chain: usize,
    providers: usize,
    /// Provinces the firms sit in (1 for a provincial survey).
    provinces: u64,
    /// Capability subjects per element; every chain draws from its own window of them.
    subjects: u64,
    codes_per_chain: u64,
    seed: u64,
}

const ELEMENTS: [&str; 5] = ["metrology", "standard", "testing", "certification", "rd"];

fn region(rng: &mut Rng, provinces: u64) -> String {
    let p = 11 + rng.below(provinces);
    let c = 1 + rng.below(12);
    let k = 1 + rng.below(8);
    format!("{p:02}{c:02}{k:02}")
}

fn code(chain: usize, rng: &mut Rng, shape: &Shape) -> String {
    let e = ELEMENTS[rng.below(5) as usize];
    let window = shape.codes_per_chain / 5;
    let s = (chain as u64 * window / 2 + rng.below(window)) % shape.subjects;
    format!("{e}:s{s}")
}

fn generate(shape: &Shape) -> Dataset {
    let mut rng = Rng(shape.seed | 1);
    let mut d = Dataset::new();
    for c in 0..shape.chains {
        let id = format!("c{c:03}");
        d.chains.insert(
            id.clone(),
            Chain {
                id: id.clone(),
                name: format!("chain {c}"),
                chief: None,
                segments: (0..4)
                    .map(|s| Segment {
                        id: format!("s{s}"),
                        name: format!("segment {s}"),
                    })
                    .collect(),
            },
        );
        for f in 0..shape.firms_per_chain {
            let fid = format!("c{c:03}f{f:05}");
            let foreign = rng.chance(3);
            let role = if f < 3 {
                Role::ChainMaster
            } else {
                Role::Member
            };
            d.organizations.insert(
                fid.clone(),
                Organization {
                    id: fid.clone(),
                    name: fid.clone(),
                    kind: OrgKind::Enterprise,
                    region: (!foreign).then(|| region(&mut rng, shape.provinces)),
                    foreign,
                    country: foreign.then(|| "JP".to_string()),
                    chains: Some(vec![Membership {
                        chain: id.clone(),
                        role,
                        segment: format!("s{}", rng.below(4)),
                    }]),
                    level: None,
                    capabilities: None,
                },
            );
            // ~1.4 problems per firm, ~1.5 needs per problem.
            let problems = 1 + rng.below(2);
            for p in 0..problems {
                let pid = format!("{fid}p{p}");
                let needs = (0..1 + rng.below(2))
                    .map(|_| code(c, &mut rng, shape))
                    .collect();
                let status = match rng.below(10) {
                    0..=5 => Status::Open,
                    6..=8 => Status::InProgress,
                    _ => Status::Resolved,
                };
                d.problems.insert(
                    pid.clone(),
                    Problem {
                        disclosure: Default::default(),
                        id: pid,
                        org: fid.clone(),
                        chain: id.clone(),
                        title: String::new(),
                        category: Category::Testing,
                        severity: 1 + rng.below(5) as u8,
                        status,
                        needs,
                    },
                );
            }
        }
    }
    for q in 0..shape.providers {
        let id = format!("q{q:06}");
        let level = match rng.below(100) {
            0..=4 => Level::National,
            5..=34 => Level::Provincial,
            _ => Level::Municipal,
        };
        // National bodies sit anywhere in the country; the others where the firms are.
        let provinces = if level == Level::National {
            31
        } else {
            shape.provinces
        };
        let chain = rng.below(shape.chains as u64) as usize;
        let capabilities = (0..1 + rng.below(4))
            .map(|_| Capability {
                code: code(chain, &mut rng, shape),
                capacity: (!rng.chance(30)).then(|| 5 + rng.below(96) as u32),
            })
            .collect();
        d.organizations.insert(
            id.clone(),
            Organization {
                id,
                name: format!("QI body {q}"),
                kind: OrgKind::InspectionCenter,
                region: Some(region(&mut rng, provinces)),
                foreign: false,
                country: None,
                chains: None,
                level: Some(level),
                capabilities: Some(capabilities),
            },
        );
    }
    d
}

fn province() -> Shape {
    Shape {
        chains: 50,
        firms_per_chain: 700,
        providers: 1_500,
        provinces: 1,
        subjects: 200,
        codes_per_chain: 60,
        seed: 20_240_601,
    }
}

fn national() -> Shape {
    Shape {
        chains: 500,
        firms_per_chain: 1_000,
        providers: 50_000,
        provinces: 31,
        subjects: 400,
        codes_per_chain: 80,
        seed: 20_240_602,
    }
}

fn describe(name: &str, d: &Dataset) {
    let needs: usize = d
        .problems
        .values()
        .filter(|p| p.is_demand())
        .map(|p| p.needs.len())
        .sum();
    let providers = d.providers().count();
    eprintln!(
        "{name}: {} chains, {} organizations, {} problems, {needs} needs, {providers} providers",
        d.chains.len(),
        d.organizations.len(),
        d.problems.len()
    );
}

fn bench_scale(c: &mut Criterion, name: &str, shape: Shape, samples: usize, secs: u64) {
    let d = generate(&shape);
    describe(name, &d);
    let a = assign(&d, &Scope::All);
    eprintln!("{name}: totals {:?}", a.totals);
    let mut group = c.benchmark_group(name);
    group.sample_size(samples);
    group.measurement_time(Duration::from_secs(secs));
    group.bench_function("assign_all", |b| {
        b.iter(|| black_box(assign(&d, &Scope::All)))
    });
    group.bench_function("assign_and_coverage_all", |b| {
        b.iter(|| {
            let a = assign(&d, &Scope::All);
            black_box(coverage(&d, &a))
        })
    });
    group.finish();
}

/// `QMAP_BENCH_ONCE=1` (or `=province`, `=national`): time one run of each scale with a wall clock and skip criterion's
/// repetitions (a quick look while tuning).
fn once(name: &str, shape: Shape) {
    let d = generate(&shape);
    describe(name, &d);
    let t = std::time::Instant::now();
    let a = assign(&d, &Scope::All);
    let assigned = t.elapsed();
    let r = coverage(&d, &a);
    eprintln!(
        "{name}: assign {assigned:?}, assign + coverage {:?}; {:?}",
        t.elapsed(),
        r.coverage
    );
}

fn matching(c: &mut Criterion) {
    if let Ok(which) = std::env::var("QMAP_BENCH_ONCE") {
        if which != "national" {
            once("province", province());
        }
        if which != "province" {
            // `QMAP_BENCH_CHAINS=N`: the national shape with N chains (1,000 firms each) and
            // 100 providers per chain, to see how the cost grows with size.
            let mut shape = national();
            if let Some(n) = std::env::var("QMAP_BENCH_CHAINS")
                .ok()
                .and_then(|n| n.parse().ok())
            {
                shape.chains = n;
                shape.providers = 100 * n;
            }
            once("national", shape);
        }
        return;
    }
    bench_scale(c, "province", province(), 20, 10);
    bench_scale(c, "national", national(), 10, 60);
}

criterion_group!(benches, matching);
criterion_main!(benches);
