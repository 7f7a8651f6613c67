//! Where each firm and group of a quality map goes: one column per segment, upstream on the
//! left, firms in the order of the map (most important first) from the top of their column, the
//! segment's groups as cards below them, and a lane below every column for the edges that do not
//! join neighbouring columns (skipping a segment, or recycling backwards).
//!
//! A column of up to [`LIST_MAX`] firms is a list (one firm per row, named beside its mark). A
//! longer one is a grid of small marks whose cell shrinks with the number of firms. Labels are
//! placed most important firm first and a label that would overlap one already placed, or leave
//! its column, is dropped ([`place_labels`]): no two labels ever overlap, and a firm without a
//! label keeps its tooltip. Edges leave a column at its right edge and enter at the left edge
//! ([`Layout::route`]), so they run in the gaps and the lane and never across a label. The page
//! (`page/map.js`) lays out with the same rules so the picture and the page look alike.

use crate::map::QualityMap;
use std::collections::HashMap;

/// Width of a segment column.
pub const COLUMN_WIDTH: f64 = 200.0;
/// Gap between columns (where the edges run).
pub const COLUMN_GAP: f64 = 48.0;
/// Firms above which a column turns from a list into a grid.
pub const LIST_MAX: usize = 30;
/// Height of a row in list mode.
pub const ROW_HEIGHT: f64 = 26.0;
/// Height the grid of the fullest column aims at.
const GRID_HEIGHT: f64 = 640.0;
/// Height of a group card, and the space between cards.
pub const GROUP_HEIGHT: f64 = 30.0;
const GROUP_SPACE: f64 = 6.0;
/// Font size of labels, and the label box's extent above and below the mark's centre.
pub const LABEL_SIZE: f64 = 12.0;
const LABEL_ABOVE: f64 = 10.0;
const LABEL_BELOW: f64 = 8.0;
/// Widest label in a list column (twelve CJK characters), and in a grid column (eight).
const LIST_LABEL: f64 = 144.0;
const GRID_LABEL: f64 = 96.0;

/// The position and size of one firm's mark.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Place {
    pub x: f64,
    pub y: f64,
    /// Radius of the mark.
    pub r: f64,
    /// Whether the firm's name is drawn beside the mark (see [`Layout::labels`]).
    pub label: bool,
    /// Index of the firm's column.
    pub column: usize,
}

/// An axis-aligned box.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    /// Whether two boxes share more than a boundary.
    pub fn intersects(&self, o: &Rect) -> bool {
        self.x < o.x + o.w && o.x < self.x + self.w && self.y < o.y + o.h && o.y < self.y + self.h
    }
}

/// A placed label: its text, anchor point (`end`: the text ends at `x`) and estimated box.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    pub text: String,
    pub x: f64,
    /// Baseline.
    pub y: f64,
    pub end: bool,
    pub rect: Rect,
}

/// A group's card.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GroupPlace {
    pub rect: Rect,
    pub column: usize,
}

/// The whole layout: firm places, labels, group cards, column positions and sizes.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Left edge of each segment column, in chain order.
    pub columns: Vec<f64>,
    pub places: HashMap<String, Place>,
    pub labels: HashMap<String, Label>,
    pub groups: HashMap<String, GroupPlace>,
    /// The y of the lane of long edges.
    pub lane: f64,
    /// Height of the area below `top`, lane included.
    pub height: f64,
    pub width: f64,
}

/// Radius of a mark for an importance (0 for an ordinary firm, up to about 4 for a master that
/// is also critical), capped by the cell it must fit in.
pub fn radius(importance: f64, cap: f64) -> f64 {
    (4.0 + 2.6 * importance.max(0.0).sqrt()).min(cap)
}

/// Estimated width of `text` at `size`: a CJK (or other non-ASCII) character is one em, an ASCII
/// one at most 0.62 em (generous, so the real box is never wider).
pub fn text_width(text: &str, size: f64) -> f64 {
    text.chars()
        .map(|c| if c.is_ascii() { 0.62 * size } else { size })
        .sum()
}

/// `name` as it fits in `max` pixels at the label size: whole, or cut with an ellipsis.
pub fn fit(name: &str, max: f64) -> String {
    if text_width(name, LABEL_SIZE) <= max {
        return name.to_string();
    }
    let mut out = String::new();
    let mut w = LABEL_SIZE; // room for the ellipsis
    for c in name.chars() {
        w += if c.is_ascii() { 0.62 } else { 1.0 } * LABEL_SIZE;
        if w > max {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// Lays the firms and groups of `map` out; `top` is the y of the first row.
///
/// # Complexity
/// O(V·L) for V listed firms and L labels placed per column (bounded by the column's height).
pub fn layout(map: &QualityMap, top: f64) -> Layout {
    let segments: Vec<&str> = map.chain.segments.iter().map(|s| s.id.as_str()).collect();
    let column_of: HashMap<&str, usize> =
        segments.iter().enumerate().map(|(i, s)| (*s, i)).collect();
    let n = segments.len().max(1);
    // A firm on a segment the chain does not list goes to the last column rather than vanish.
    let col = |segment: &str| column_of.get(segment).copied().unwrap_or(n - 1);
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, f) in map.firms.iter().enumerate() {
        members[col(&f.segment)].push(i);
    }
    let mut cards: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, g) in map.groups.iter().enumerate() {
        cards[col(&g.segment)].push(i);
    }
    let fullest = members.iter().map(Vec::len).max().unwrap_or(0);
    // One cell size for every grid column, so a mark means the same everywhere.
    let cell = if fullest > LIST_MAX {
        (COLUMN_WIDTH * GRID_HEIGHT / fullest as f64)
            .sqrt()
            .clamp(6.0, 26.0)
    } else {
        ROW_HEIGHT
    };
    let columns: Vec<f64> = (0..n)
        .map(|c| c as f64 * (COLUMN_WIDTH + COLUMN_GAP))
        .collect();
    let mut places = HashMap::with_capacity(map.firms.len());
    let mut groups = HashMap::with_capacity(map.groups.len());
    let mut height: f64 = ROW_HEIGHT;
    for (c, ids) in members.iter().enumerate() {
        let left = columns[c];
        let list = ids.len() <= LIST_MAX;
        let per_row = if list {
            1
        } else {
            ((COLUMN_WIDTH / cell).floor() as usize).max(1)
        };
        for (k, &i) in ids.iter().enumerate() {
            let f = &map.firms[i];
            let place = if list {
                Place {
                    x: left + 16.0,
                    y: top + ROW_HEIGHT * (k as f64 + 0.5),
                    r: radius(f.importance, ROW_HEIGHT / 2.0 - 1.0),
                    label: false,
                    column: c,
                }
            } else {
                let (row, col) = (k / per_row, k % per_row);
                Place {
                    x: left + cell * (col as f64 + 0.5),
                    y: top + cell * (row as f64 + 0.5),
                    r: radius(f.importance, cell / 2.0 - 0.5).max(1.5),
                    label: false,
                    column: c,
                }
            };
            places.insert(f.id.clone(), place);
        }
        let rows = ids.len().div_ceil(per_row);
        let firms_height = if list { ROW_HEIGHT } else { cell } * rows as f64;
        let mut y = top + firms_height + if rows > 0 { 14.0 } else { 0.0 };
        for &g in &cards[c] {
            groups.insert(
                map.groups[g].id.clone(),
                GroupPlace {
                    rect: Rect {
                        x: left + 8.0,
                        y,
                        w: COLUMN_WIDTH - 16.0,
                        h: GROUP_HEIGHT,
                    },
                    column: c,
                },
            );
            y += GROUP_HEIGHT + GROUP_SPACE;
        }
        height = height.max(y - top);
    }
    let width = columns.last().copied().unwrap_or(0.0) + COLUMN_WIDTH;
    let order: Vec<(&str, &str, f64)> = map
        .firms
        .iter()
        .map(|f| (f.id.as_str(), f.name.as_str(), f.importance))
        .collect();
    let list_columns: Vec<bool> = members.iter().map(|m| m.len() <= LIST_MAX).collect();
    let labels = place_labels(&order, &mut places, &columns, &list_columns);
    Layout {
        columns,
        places,
        labels,
        groups,
        lane: top + height + 14.0,
        height: height + 28.0,
        width,
    }
}

/// Places the labels of `firms` (id, name, importance), most important first: beside the mark
/// (right of it, or left when the right would leave the column), dropped when its box would
/// leave the column, overlap a label already placed or, in a grid column, cover another firm's
/// mark. Sets [`Place::label`].
///
/// # Complexity
/// O(V log V + V·L) for V firms and at most L labels placed in a column.
pub fn place_labels(
    firms: &[(&str, &str, f64)],
    places: &mut HashMap<String, Place>,
    columns: &[f64],
    list_columns: &[bool],
) -> HashMap<String, Label> {
    let mut order: Vec<usize> = (0..firms.len()).collect();
    // Stable: equal importance keeps the map's order.
    order.sort_by(|&a, &b| firms[b].2.total_cmp(&firms[a].2));
    let mut placed: Vec<Vec<Rect>> = vec![Vec::new(); columns.len()];
    // Marks of grid columns by y, to keep labels off them.
    let mut marks: Vec<Vec<(f64, f64, f64, &str)>> = vec![Vec::new(); columns.len()];
    for (id, _, _) in firms {
        if let Some(p) = places.get(*id) {
            let c = p.column.min(columns.len().saturating_sub(1));
            if !list_columns.get(c).copied().unwrap_or(true) {
                marks[c].push((p.y, p.x, p.r, id));
            }
        }
    }
    for m in &mut marks {
        m.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    let r_max = marks.iter().flatten().map(|m| m.2).fold(0.0_f64, f64::max);
    let covers_mark = |c: usize, rect: &Rect, own: &str| {
        let m = &marks[c];
        let from = m.partition_point(|x| x.0 < rect.y - r_max);
        m[from..]
            .iter()
            .take_while(|x| x.0 <= rect.y + rect.h + r_max)
            .any(|&(y, x, r, id)| {
                id != own
                    && rect.intersects(&Rect {
                        x: x - r,
                        y: y - r,
                        w: 2.0 * r,
                        h: 2.0 * r,
                    })
            })
    };
    let mut labels = HashMap::new();
    for i in order {
        let (id, name, _) = firms[i];
        let Some(p) = places.get_mut(id) else {
            continue;
        };
        let c = p.column.min(columns.len().saturating_sub(1));
        let (left, right) = (columns[c] + 2.0, columns[c] + COLUMN_WIDTH - 2.0);
        let list = list_columns.get(c).copied().unwrap_or(true);
        let text = fit(name, if list { LIST_LABEL } else { GRID_LABEL });
        let w = text_width(&text, LABEL_SIZE);
        let gap = if list { 16.0 } else { p.r + 4.0 };
        let candidates = [(p.x + gap, false), (p.x - gap, true)];
        for (x, end) in candidates {
            let rect = Rect {
                x: if end { x - w - 1.0 } else { x - 1.0 },
                y: p.y - LABEL_ABOVE,
                w: w + 2.0,
                h: LABEL_ABOVE + LABEL_BELOW,
            };
            if rect.x < left || rect.x + rect.w > right {
                continue;
            }
            if placed[c].iter().any(|r| r.intersects(&rect)) || covers_mark(c, &rect, id) {
                continue;
            }
            placed[c].push(rect);
            p.label = true;
            labels.insert(
                id.to_string(),
                Label {
                    text,
                    x,
                    y: p.y + 4.0,
                    end,
                    rect,
                },
            );
            break;
        }
    }
    labels
}

impl Layout {
    /// Where an edge leaves `id` (a firm or a group): the right edge of its column, at its row.
    fn port(&self, id: &str) -> Option<(usize, f64)> {
        if let Some(p) = self.places.get(id) {
            return Some((p.column, p.y));
        }
        self.groups
            .get(id)
            .map(|g| (g.column, g.rect.y + g.rect.h / 2.0))
    }

    /// The path of an edge from `from` to `to` (firms or groups): between neighbouring columns a
    /// curve across the gap; otherwise down the gap after the source column, along the lane and
    /// up the gap before the target column. Never across a column, so never across a label.
    pub fn route(&self, from: &str, to: &str) -> Option<String> {
        let (a, y1) = self.port(from)?;
        let (b, y2) = self.port(to)?;
        let x1 = self.columns[a] + COLUMN_WIDTH;
        let x2 = self.columns[b];
        if b == a + 1 {
            let m = COLUMN_GAP / 2.0;
            return Some(format!(
                "M{x1:.1} {y1:.1}C{:.1} {y1:.1} {:.1} {y2:.1} {x2:.1} {y2:.1}",
                x1 + m,
                x2 - m
            ));
        }
        let (xo, xi) = (x1 + COLUMN_GAP * 0.35, x2 - COLUMN_GAP * 0.35);
        Some(format!(
            "M{x1:.1} {y1:.1}H{xo:.1}V{lane:.1}H{xi:.1}V{y2:.1}H{x2:.1}",
            lane = self.lane
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column_places(n: usize, grid: bool) -> HashMap<String, Place> {
        (0..n)
            .map(|i| {
                let (x, y) = if grid {
                    (8.0 * (i % 10) as f64 + 4.0, 8.0 * (i / 10) as f64 + 4.0)
                } else {
                    (16.0, ROW_HEIGHT * (i as f64 + 0.5))
                };
                (
                    format!("f{i}"),
                    Place {
                        x,
                        y,
                        r: 3.0,
                        label: false,
                        column: 0,
                    },
                )
            })
            .collect()
    }

    #[test]
    fn placed_labels_never_overlap_and_stay_in_their_column() {
        let names: Vec<String> = (0..400)
            .map(|i| format!("江苏省第{i}精密新材料科技有限公司"))
            .collect();
        let firms: Vec<(&str, &str, f64)> = (0..400)
            .map(|i| {
                let id: &'static str = Box::leak(format!("f{i}").into_boxed_str());
                (id, names[i].as_str(), (i % 7) as f64)
            })
            .collect();
        let mut places = column_places(400, true);
        let labels = place_labels(&firms, &mut places, &[0.0], &[false]);
        assert!(!labels.is_empty() && labels.len() < 400);
        let rects: Vec<Rect> = labels.values().map(|l| l.rect).collect();
        for (i, a) in rects.iter().enumerate() {
            assert!(a.x >= 0.0 && a.x + a.w <= COLUMN_WIDTH, "{a:?}");
            for b in &rects[i + 1..] {
                assert!(!a.intersects(b), "{a:?} overlaps {b:?}");
            }
        }
        // Place::label says which firms kept their label.
        assert_eq!(places.values().filter(|p| p.label).count(), labels.len());
    }

    #[test]
    fn the_most_important_firm_keeps_its_label_when_two_collide() {
        let firms = [("f0", "甲公司", 0.1), ("f1", "乙公司", 3.0)];
        let mut places = column_places(2, true);
        // Both marks on one spot: only one label fits, and it is the important one's.
        places.get_mut("f0").unwrap().x = places["f1"].x;
        places.get_mut("f0").unwrap().y = places["f1"].y;
        let labels = place_labels(&firms, &mut places, &[0.0], &[false]);
        assert_eq!(labels.keys().collect::<Vec<_>>(), vec!["f1"]);
        assert!(!places["f0"].label);
    }

    #[test]
    fn a_list_column_labels_every_firm() {
        let firms: Vec<(&str, &str, f64)> = (0..30)
            .map(|i| {
                let id: &'static str = Box::leak(format!("f{i}").into_boxed_str());
                (id, "宁德时代新能源科技股份有限公司", 0.0)
            })
            .collect();
        let mut places = column_places(30, false);
        let labels = place_labels(&firms, &mut places, &[0.0], &[true]);
        assert_eq!(labels.len(), 30);
        assert!(labels.values().all(|l| l.text.chars().count() == 12));
        assert!(labels
            .values()
            .all(|l| text_width(&l.text, LABEL_SIZE) <= LIST_LABEL));
    }

    #[test]
    fn fit_keeps_what_fits_and_cuts_the_rest_with_an_ellipsis() {
        assert_eq!(fit("电芯", 144.0), "电芯");
        assert_eq!(
            fit("宁德时代新能源科技股份有限公司", 144.0),
            "宁德时代新能源科技股份…"
        );
        // ASCII is narrower: more of a Latin name fits.
        let latin = fit("Setouchi Rare Earth Materials Co., Ltd.", 144.0);
        assert!(
            latin.chars().count() > 12 && latin.ends_with('…'),
            "{latin}"
        );
        assert!(text_width(&latin, LABEL_SIZE) <= 144.0);
    }

    #[test]
    fn text_width_counts_cjk_as_one_em() {
        assert_eq!(text_width("电芯", 12.0), 24.0);
        assert!((text_width("ab", 10.0) - 12.4).abs() < 1e-9);
    }
}
