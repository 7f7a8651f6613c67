//! Deterministic synthetic datasets shaped like real chain surveys, at any scale.
//!
//! `generate` builds a whole [`Bundle`] from [`GenOptions`]: the same options give the same bundle
//! (and so byte-identical JSON) on every machine, because every draw comes from the crate's own
//! PRNG ([`rng`]) and nothing iterates a hash map into the output. The data obeys every rule of
//! bundle format 1, so it can drive benchmarks (50 chains × 20,000 firms ≈ 1,000,000 firms and
//! 5,000,000 supplies) and tests of the analyses alike. This module must not depend on the store,
//! the graph or the API.
//!
//! Generation runs in phases, one file each, each with its own PRNG stream:
//!
//! - [`firms`]: chains and their segments, and the firms that fill them (upstream-heavy, 1–3
//!   chain masters in the last segment, a few foreign firms upstream, a few firms on two chains);
//! - [`supplies`]: who buys which part from whom (AND over parts, OR over suppliers of a part),
//!   including single-source and foreign-only parts and recycling cycles;
//! - [`providers`]: quality-infrastructure bodies and institutes with levels, regions and
//!   capacity-limited capabilities;
//! - [`problems`]: the firms' quality problems and the capability codes that would solve them.

mod firms;
mod names;
mod problems;
mod providers;
pub mod rng;
mod supplies;
pub mod vocab;

use crate::model::{Bundle, CatalogueEntry, Element, Region};
use vocab::{SegmentSpec, Theme, CITIES, PROVINCES};

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenOptions {
    /// Number of chains.
    pub chains: usize,
    /// Firms per chain (a chain always has at least one firm per segment).
    pub firms: usize,
    /// Seed of every random draw.
    pub seed: u64,
}

/// The shape parameters of generation, in one place so that the documentation and the tests can
/// name them. Probabilities are in per mille.
pub mod shape {
    /// Firm-count weight of a segment by its distance from the last segment (0 = last): upstream
    /// segments hold more firms.
    pub const SEGMENT_WEIGHT_FROM_LAST: [u32; 7] = [3, 4, 5, 6, 8, 10, 12];
    /// Weights of buying 1, 2, 3 or 4 distinct parts (firms outside the first segment).
    pub const PARTS_WEIGHTS: [u32; 4] = [5, 15, 35, 45];
    /// Weights of 1, 2 or 3 suppliers for one part: 30% of parts are single-source.
    pub const SUPPLIERS_WEIGHTS: [u32; 3] = [300, 150, 550];
    /// Chance that a part comes from two segments back instead of the previous one.
    pub const SKIP_SEGMENT: u32 = 150;
    /// Chance that a supplier is drawn with a preference for the group's first firms (hubs).
    pub const HUB_PREFERENCE: u32 = 500;
    /// Chance that a firm is foreign, by segment position (first, second, third, later).
    pub const FOREIGN_BY_POSITION: [u32; 4] = [80, 50, 30, 10];
    /// Chance that a buyer of the chain's chokepoint part buys it from foreign firms only.
    pub const CHOKEPOINT_FOREIGN_ONLY: u32 = 400;
    /// Chance that a first-segment firm buys recycled material from the last segment.
    pub const RECYCLING_BUYER: u32 = 30;
    /// Chance that a member slot (outside the first chain) is taken by a firm of an earlier chain.
    pub const SHARED_FIRM: u32 = 10;
    /// Chance that a domestic firm sits in its chain's home province.
    pub const HOME_PROVINCE: u32 = 450;
    /// Weights of 0, 1, 2, 3 or 4 problems per firm (mean ≈ 0.98).
    pub const PROBLEMS_WEIGHTS: [u32; 5] = [400, 350, 150, 70, 30];
    /// Providers per 1,000 firms, and the least number of providers of a dataset.
    pub const PROVIDERS_PER_MILLE_FIRMS: usize = 50;
    pub const MIN_PROVIDERS: usize = 18;
}

/// One chain as the phases see it: slots (positions on the chain) grouped by segment, each slot
/// held by one firm (an index into `Bundle::organizations`). The chain masters hold the first
/// slots of the last segment.
struct Layout {
    id: String,
    theme: &'static Theme,
    segments: Vec<&'static SegmentSpec>,
    /// Slot range of segment `s`: `bounds[s]..bounds[s + 1]`.
    bounds: Vec<u32>,
    /// Organization index of each slot.
    members: Vec<u32>,
    /// Index into the segment's products of what each slot sells.
    product: Vec<u8>,
}

impl Layout {
    fn segment_slots(&self, s: usize) -> std::ops::Range<u32> {
        self.bounds[s]..self.bounds[s + 1]
    }

    fn last_segment(&self) -> usize {
        self.segments.len() - 1
    }

    fn segment_of(&self, slot: u32) -> usize {
        self.bounds.partition_point(|&b| b <= slot) - 1
    }
}

/// Generates the dataset described by `opts`.
///
/// Returns a bundle of version 1 with every province and city code used listed in `regions`, a
/// catalogue entry for every capability code used in `capabilities`, the
/// chains, the firms followed by the providers in `organizations`, the supplies chain by chain,
/// and the problems firm by firm.
///
/// Complexity: linear in `chains × firms`; about 5 supplies and 1 problem per firm.
pub fn generate(opts: &GenOptions) -> Bundle {
    let mut bundle = Bundle::new();
    bundle.regions = regions();
    let expected_firms = opts.chains * opts.firms;
    bundle
        .organizations
        .reserve(expected_firms + expected_firms / 19 + shape::MIN_PROVIDERS);
    bundle
        .supplies
        .reserve(expected_firms * 5 + expected_firms / 10);
    bundle
        .problems
        .reserve(expected_firms + expected_firms / 10);

    let layouts = firms::generate(opts, &mut bundle);
    let firm_count = bundle.organizations.len();
    for (i, layout) in layouts.iter().enumerate() {
        supplies::generate(
            opts.seed,
            i,
            layout,
            &bundle.organizations,
            &mut bundle.supplies,
        );
    }
    providers::generate(opts.seed, &layouts, &mut bundle.organizations);
    problems::generate(
        opts.seed,
        &layouts,
        &bundle.organizations[..firm_count],
        &mut bundle.problems,
    );
    bundle.capabilities = catalogue(&bundle);
    bundle
}

/// A catalogue entry for every capability code `bundle` uses, in code order: the subject with
/// its element's word (`testing:热失控` is 热失控检测), so that `qmap validate` warns of none.
fn catalogue(bundle: &Bundle) -> Vec<CatalogueEntry> {
    let offered = bundle
        .organizations
        .iter()
        .flat_map(|o| o.capability_list().iter().map(|c| c.code.as_str()));
    let needed = bundle
        .problems
        .iter()
        .flat_map(|p| p.needs.iter().map(String::as_str));
    let codes: std::collections::BTreeSet<&str> = offered.chain(needed).collect();
    codes
        .into_iter()
        .filter_map(|code| {
            let (element, subject) = code.split_once(':')?;
            let element = Element::parse(element)?;
            Some(CatalogueEntry {
                code: code.to_string(),
                name: format!("{subject}{}", vocab::element_suffix(element)),
                standards: Vec::new(),
                description: None,
            })
        })
        .collect()
}

/// Every province and city of the vocabulary, by code.
fn regions() -> Vec<Region> {
    let mut regions: Vec<Region> = PROVINCES
        .iter()
        .map(|p| Region {
            code: format!("{}0000", p.code),
            name: p.name.to_string(),
        })
        .chain(CITIES.iter().map(|c| Region {
            code: format!("{}00", c.code),
            name: c.name.to_string(),
        }))
        .collect();
    regions.sort_by(|a, b| a.code.cmp(&b.code));
    regions
}

/// PRNG stream numbers of the phases.
mod stream {
    pub const FIRMS: u64 = 1;
    pub const SUPPLIES: u64 = 2;
    pub const PROVIDERS: u64 = 3;
    pub const PROBLEMS: u64 = 4;
}
