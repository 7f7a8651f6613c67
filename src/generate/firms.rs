//! Phase 1: chains, their segments, and the firms on them.
//!
//! Each chain takes a theme, keeps 4–7 of its segments (always the first and the last), a home
//! province whose industry department chiefs it, and `firms` slots spread over the segments by
//! `shape::SEGMENT_WEIGHT_FROM_LAST`. The first 1–3 slots of the last segment are chain masters.
//! Slot 0 of the first segment is always foreign: it makes the chain's chokepoint part (product 0
//! of the first segment) importable from abroad only.

use super::names::NameRegistry;
use super::rng::Rng;
use super::vocab::{Atlas, Theme, PROVINCES, THEMES};
use super::{shape, stream, GenOptions, Layout};
use crate::model::{Bundle, Chain, Membership, OrgKind, Organization, Role, Segment};

/// Adds the chains and their firms to `bundle`; returns the chains' layouts.
pub(super) fn generate(opts: &GenOptions, bundle: &mut Bundle) -> Vec<Layout> {
    let mut rng = Rng::new(opts.seed, stream::FIRMS);
    let atlas = Atlas::new();
    let mut names = NameRegistry::with_capacity(opts.chains * opts.firms);
    let mut layouts = Vec::with_capacity(opts.chains);
    for c in 0..opts.chains {
        let number = c + 1;
        let theme = &THEMES[rng.below(THEMES.len())];
        let segments = pick_segments(&mut rng, theme);
        let home = rng.below(PROVINCES.len());
        let masters = 1 + rng.below(3);
        let counts = segment_counts(opts.firms, segments.len(), masters);
        let id = format!("c{number}");
        bundle.chains.push(Chain {
            id: id.clone(),
            name: format!("{}产业链 #{number}", theme.name),
            chief: Some(PROVINCES[home].chief.to_string()),
            segments: segments
                .iter()
                .map(|&s| Segment {
                    id: theme.segments[s].id.to_string(),
                    name: theme.segments[s].name.to_string(),
                })
                .collect(),
        });

        // Firms of earlier chains are the organizations so far: providers come after all firms.
        let earlier_firms = bundle.organizations.len();
        let total: usize = counts.iter().sum();
        let mut layout = Layout {
            id,
            theme,
            segments: segments.iter().map(|&s| &theme.segments[s]).collect(),
            bounds: Vec::with_capacity(counts.len() + 1),
            members: Vec::with_capacity(total),
            product: Vec::with_capacity(total),
        };
        layout.bounds.push(0);
        for (s, &count) in counts.iter().enumerate() {
            let spec = layout.segments[s];
            let last = s + 1 == counts.len();
            let products = spec.products.len().max(1);
            for i in 0..count {
                let slot = layout.members.len();
                // The first slots cover every product, so that each part has a supplier.
                let product = if i < products { i } else { rng.below(products) };
                layout.product.push(product as u8);
                let master = last && i < masters;
                let membership = Membership {
                    chain: layout.id.clone(),
                    role: if master {
                        Role::ChainMaster
                    } else {
                        Role::Member
                    },
                    segment: spec.id.to_string(),
                };
                if !master && i >= products && c > 0 && rng.chance(shape::SHARED_FIRM) {
                    if let Some(g) =
                        shared_firm(&mut rng, &bundle.organizations[..earlier_firms], &layout.id)
                    {
                        let org = &mut bundle.organizations[g];
                        org.chains.get_or_insert_with(Vec::new).push(membership);
                        layout.members.push(g as u32);
                        continue;
                    }
                }
                let foreign = !master
                    && ((s == 0 && i == 0) || rng.chance(shape::FOREIGN_BY_POSITION[s.min(3)]));
                let firm = new_firm(
                    &mut rng,
                    &atlas,
                    &mut names,
                    FirmSpec {
                        id: format!("{}-f{slot:05}", layout.id),
                        theme,
                        home,
                        foreign,
                        master,
                    },
                    membership,
                );
                layout.members.push(bundle.organizations.len() as u32);
                bundle.organizations.push(firm);
            }
            layout.bounds.push(layout.members.len() as u32);
        }
        layouts.push(layout);
    }
    layouts
}

/// Indices into `theme.segments` of a chain's 4–7 segments: the first, the last, and a random
/// ordered subset of the five in between.
fn pick_segments(rng: &mut Rng, theme: &Theme) -> Vec<usize> {
    let n = theme.segments.len();
    let k = 4 + rng.below(4);
    let mut picked = Vec::with_capacity(k);
    picked.push(0);
    let mut wanted = k - 2;
    // Selection sampling: each middle segment is kept with probability wanted / remaining.
    for m in 1..n - 1 {
        let remaining = n - 1 - m;
        if rng.below(remaining) < wanted {
            picked.push(m);
            wanted -= 1;
        }
    }
    picked.push(n - 1);
    picked
}

/// Slots per segment: `firms` split by the segment weights, at least one per segment and
/// `masters` in the last.
fn segment_counts(firms: usize, k: usize, masters: usize) -> Vec<usize> {
    let weights: Vec<usize> = (0..k)
        .map(|s| shape::SEGMENT_WEIGHT_FROM_LAST[k - 1 - s] as usize)
        .collect();
    let total: usize = weights.iter().sum();
    let mut counts: Vec<usize> = weights.iter().map(|w| firms * w / total).collect();
    counts[0] += firms - counts.iter().sum::<usize>();
    let least = |s: usize| if s + 1 == k { masters } else { 1 };
    for s in 0..k {
        while counts[s] < least(s) {
            let donor = (0..k)
                .filter(|&j| j != s && counts[j] > least(j))
                .max_by_key(|&j| counts[j]);
            if let Some(j) = donor {
                counts[j] -= 1;
            }
            counts[s] += 1;
        }
    }
    counts
}

/// A domestic firm of an earlier chain that is not yet on `chain`, if a few draws find one.
fn shared_firm(rng: &mut Rng, earlier: &[Organization], chain: &str) -> Option<usize> {
    if earlier.is_empty() {
        return None;
    }
    (0..3).find_map(|_| {
        let g = rng.below(earlier.len());
        let org = &earlier[g];
        (!org.foreign && org.membership(chain).is_none()).then_some(g)
    })
}

struct FirmSpec {
    id: String,
    theme: &'static Theme,
    /// Index into `PROVINCES` of the chain's home.
    home: usize,
    foreign: bool,
    master: bool,
}

fn new_firm(
    rng: &mut Rng,
    atlas: &Atlas,
    names: &mut NameRegistry,
    spec: FirmSpec,
    membership: Membership,
) -> Organization {
    let trade = atlas.trade_name(rng);
    let word = rng.pick(spec.theme.trade_words);
    let (name, region, country) = if spec.foreign {
        let country = atlas.random_country(rng);
        let name = format!("{}{trade}{word}{}", country.name, country.legal_form);
        (name, None, Some(country.code.to_string()))
    } else {
        let city = if rng.chance(shape::HOME_PROVINCE) {
            atlas.city_in_province(rng, spec.home)
        } else {
            atlas.random_city(rng)
        };
        let legal_form = if spec.master {
            "集团股份有限公司"
        } else if rng.chance(200) {
            "股份有限公司"
        } else {
            "有限公司"
        };
        let name = format!("{}{trade}{word}{legal_form}", city.short);
        (name, Some(atlas.county(rng, city)), None)
    };
    Organization {
        id: spec.id,
        name: names.unique(name),
        kind: OrgKind::Enterprise,
        region,
        foreign: spec.foreign,
        country,
        chains: Some(vec![membership]),
        level: None,
        capabilities: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_counts_are_upstream_heavy_and_sum_to_the_firms() {
        let counts = segment_counts(20_000, 6, 3);
        assert_eq!(counts.iter().sum::<usize>(), 20_000);
        assert!(counts.windows(2).all(|w| w[0] > w[1]), "{counts:?}");
    }

    #[test]
    fn tiny_chains_still_fill_every_segment_and_the_masters() {
        assert_eq!(segment_counts(0, 4, 3), vec![1, 1, 1, 3]);
        let counts = segment_counts(7, 7, 3);
        assert!(counts.iter().all(|&c| c >= 1));
        assert!(counts[6] >= 3);
    }

    #[test]
    fn segments_keep_both_ends_in_order() {
        let mut rng = Rng::new(11, 0);
        for _ in 0..200 {
            let s = pick_segments(&mut rng, &THEMES[0]);
            assert!((4..=7).contains(&s.len()), "{s:?}");
            assert_eq!(s[0], 0);
            assert_eq!(*s.last().unwrap(), 6);
            assert!(s.windows(2).all(|w| w[0] < w[1]));
        }
    }
}
