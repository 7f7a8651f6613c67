//! Phase 2: the supplies of one chain.
//!
//! Every firm outside the first segment buys 1–4 distinct parts, each a product of the previous
//! segment (sometimes of the one before), each from 1–3 distinct firms that make it; 30% of parts
//! are single-source. Suppliers are drawn with a preference for the first firms of a product
//! (hubs), which makes some upstream firms critical to the masters while most are not: a firm is
//! the only supplier of about 0.6 (buyer, part) pairs on average, so failures die out within a few
//! tiers (subcritical). Buyers of the chain's chokepoint part often buy it from foreign firms
//! only. Finally a few first-segment firms buy recycled material from the last segment, which
//! closes cycles; one of them always buys from master 0 and lies upstream of it, so every chain
//! has a cycle.

use super::rng::Rng;
use super::{shape, stream, Layout};
use crate::model::{Organization, Supply};

/// Appends the supplies of `layout` (the `index`th chain) to `out`.
pub(super) fn generate(
    seed: u64,
    index: usize,
    layout: &Layout,
    orgs: &[Organization],
    out: &mut Vec<Supply>,
) {
    let mut rng = Rng::new(seed, (stream::SUPPLIES << 32) | index as u64);
    let k = layout.segments.len();
    let sellers = Sellers::new(layout, orgs);
    let slots = layout.members.len();
    let supply = |supplier: u32, customer: u32, part: &str| Supply {
        chain: layout.id.clone(),
        supplier: orgs[layout.members[supplier as usize] as usize].id.clone(),
        customer: orgs[layout.members[customer as usize] as usize].id.clone(),
        part: part.to_string(),
    };

    // The first supplier each buyer got, to walk upstream from a master.
    let mut first_supplier = vec![u32::MAX; slots];
    let mut parts: Vec<(usize, usize)> = Vec::with_capacity(4);
    let mut picked: Vec<u32> = Vec::with_capacity(3);
    for s in 1..k {
        for buyer in layout.segment_slots(s) {
            let wanted = 1 + rng.weighted(&shape::PARTS_WEIGHTS);
            parts.clear();
            for _ in 0..wanted * 3 {
                if parts.len() == wanted {
                    break;
                }
                let source = if s >= 2 && rng.chance(shape::SKIP_SEGMENT) {
                    s - 2
                } else {
                    s - 1
                };
                let product = rng.below(sellers.all[source].len());
                if !sellers.all[source][product].is_empty() && !parts.contains(&(source, product)) {
                    parts.push((source, product));
                }
            }
            if parts.is_empty() {
                // Product 0 of every segment has a seller: the segment's first slot makes it.
                parts.push((s - 1, 0));
            }
            for &(source, product) in &parts {
                let foreign_pool = &sellers.foreign[source][product];
                let pool = if source == 0
                    && product == 0
                    && !foreign_pool.is_empty()
                    && rng.chance(shape::CHOKEPOINT_FOREIGN_ONLY)
                {
                    foreign_pool
                } else {
                    &sellers.all[source][product]
                };
                let n = (1 + rng.weighted(&shape::SUPPLIERS_WEIGHTS)).min(pool.len());
                pick_distinct(&mut rng, pool, n, &mut picked);
                let part = layout.segments[source].products[product];
                for &supplier in &picked {
                    out.push(supply(supplier, buyer, part));
                }
                if first_supplier[buyer as usize] == u32::MAX {
                    first_supplier[buyer as usize] = picked[0];
                }
            }
        }
    }

    // Recycling: master 0 closes a cycle through a first-segment firm it depends on.
    let last = layout.last_segment();
    let master = layout.bounds[last];
    let mut upstream = master;
    while layout.segment_of(upstream) > 0 {
        upstream = first_supplier[upstream as usize];
    }
    let mut buyers = vec![upstream];
    buyers.extend(
        layout
            .segment_slots(0)
            .filter(|&slot| slot != upstream && rng.chance(shape::RECYCLING_BUYER)),
    );
    let recyclers = layout.segment_slots(last);
    let recycler_count = recyclers.len();
    for (i, &buyer) in buyers.iter().enumerate() {
        picked.clear();
        if i == 0 {
            picked.push(master);
        }
        let wanted = if rng.chance(600) { 2 } else { 1 };
        while picked.len() < wanted.min(recycler_count) {
            let recycler = recyclers.start + rng.below(recycler_count) as u32;
            if !picked.contains(&recycler) {
                picked.push(recycler);
            }
        }
        for &recycler in &picked {
            out.push(supply(recycler, buyer, layout.theme.recycled_part));
        }
    }
}

/// The slots selling each product, by segment and product: `all[s][p]`, and the foreign ones
/// among them `foreign[s][p]`, both in slot order.
struct Sellers {
    all: Vec<Vec<Vec<u32>>>,
    foreign: Vec<Vec<Vec<u32>>>,
}

impl Sellers {
    fn new(layout: &Layout, orgs: &[Organization]) -> Sellers {
        let k = layout.segments.len();
        let mut all = Vec::with_capacity(k);
        let mut foreign = Vec::with_capacity(k);
        for s in 0..k {
            let products = layout.segments[s].products.len();
            let mut by_product = vec![Vec::new(); products];
            let mut foreign_by_product = vec![Vec::new(); products];
            if products > 0 {
                for slot in layout.segment_slots(s) {
                    let p = layout.product[slot as usize] as usize;
                    by_product[p].push(slot);
                    if orgs[layout.members[slot as usize] as usize].foreign {
                        foreign_by_product[p].push(slot);
                    }
                }
            }
            all.push(by_product);
            foreign.push(foreign_by_product);
        }
        Sellers { all, foreign }
    }
}

/// Fills `picked` with `n` distinct slots of `pool` (`n <= pool.len()`), half the draws
/// preferring the pool's first slots.
fn pick_distinct(rng: &mut Rng, pool: &[u32], n: usize, picked: &mut Vec<u32>) {
    picked.clear();
    while picked.len() < n {
        let i = if rng.chance(shape::HUB_PREFERENCE) {
            rng.skewed(pool.len())
        } else {
            rng.below(pool.len())
        };
        if !picked.contains(&pool[i]) {
            picked.push(pool[i]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pick_distinct_takes_the_whole_pool_when_asked() {
        let mut rng = Rng::new(2, 0);
        let mut picked = Vec::new();
        pick_distinct(&mut rng, &[4, 8, 15], 3, &mut picked);
        picked.sort_unstable();
        assert_eq!(picked, vec![4, 8, 15]);
        pick_distinct(&mut rng, &[4, 8, 15], 1, &mut picked);
        assert_eq!(picked.len(), 1);
    }
}
