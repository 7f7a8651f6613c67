//! Where each firm of a quality map goes: one column per segment, upstream on the left, firms in
//! the order of the map (most important first) from the top of their column.
//!
//! A column of up to [`LIST_MAX`] firms is a list (one firm per row, named beside its mark). A
//! longer one is a grid of small marks whose cell shrinks with the number of firms, so 20,000
//! firms still fit on one screen; only the firms the map ranks first keep a label. The page
//! (`page/map.js`) lays out with the same rules so the picture and the page look alike.

use crate::map::QualityMap;
use std::collections::HashMap;

/// Width of a segment column.
pub const COLUMN_WIDTH: f64 = 200.0;
/// Gap between columns.
pub const COLUMN_GAP: f64 = 22.0;
/// Firms above which a column turns from a list into a grid.
pub const LIST_MAX: usize = 30;
/// Height of a row in list mode.
pub const ROW_HEIGHT: f64 = 26.0;
/// Height the grid of the fullest column aims at.
const GRID_HEIGHT: f64 = 640.0;

/// The position and size of one firm's mark.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Place {
    pub x: f64,
    pub y: f64,
    /// Radius of the mark.
    pub r: f64,
    /// Whether the firm's name is drawn beside the mark.
    pub label: bool,
}

/// The whole layout: firm places, column positions and the height of the tallest column.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Left edge of each segment column, in chain order.
    pub columns: Vec<f64>,
    pub places: HashMap<String, Place>,
    /// Height of the firm area below the column headers.
    pub height: f64,
    pub width: f64,
}

/// Radius of a mark for an importance (0 for an ordinary firm, up to about 4 for a master that
/// is also critical), capped by the cell it must fit in.
pub fn radius(importance: f64, cap: f64) -> f64 {
    (4.0 + 2.6 * importance.max(0.0).sqrt()).min(cap)
}

/// Lays the firms of `map` out; `top` is the y of the first row.
///
/// # Complexity
/// O(V) for V listed firms.
pub fn layout(map: &QualityMap, top: f64) -> Layout {
    let segments: Vec<&str> = map.chain.segments.iter().map(|s| s.id.as_str()).collect();
    let column_of: HashMap<&str, usize> =
        segments.iter().enumerate().map(|(i, s)| (*s, i)).collect();
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); segments.len().max(1)];
    for (i, f) in map.firms.iter().enumerate() {
        // A firm on a segment the chain does not list goes to the last column rather than vanish.
        let c = column_of
            .get(f.segment.as_str())
            .copied()
            .unwrap_or(members.len() - 1);
        members[c].push(i);
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
    let columns: Vec<f64> = (0..members.len())
        .map(|c| c as f64 * (COLUMN_WIDTH + COLUMN_GAP))
        .collect();
    let mut places = HashMap::with_capacity(map.firms.len());
    let mut height: f64 = ROW_HEIGHT;
    for (c, ids) in members.iter().enumerate() {
        let left = columns[c];
        if ids.len() <= LIST_MAX {
            for (row, &i) in ids.iter().enumerate() {
                let f = &map.firms[i];
                places.insert(
                    f.id.clone(),
                    Place {
                        x: left + 16.0,
                        y: top + ROW_HEIGHT * (row as f64 + 0.5),
                        r: radius(f.importance, ROW_HEIGHT / 2.0 - 1.0),
                        label: true,
                    },
                );
            }
            height = height.max(ROW_HEIGHT * ids.len() as f64);
        } else {
            let per_row = ((COLUMN_WIDTH / cell).floor() as usize).max(1);
            for (k, &i) in ids.iter().enumerate() {
                let f = &map.firms[i];
                let (row, col) = (k / per_row, k % per_row);
                places.insert(
                    f.id.clone(),
                    Place {
                        x: left + cell * (col as f64 + 0.5),
                        y: top + cell * (row as f64 + 0.5),
                        r: radius(f.importance, cell / 2.0 - 0.5).max(1.5),
                        label: false,
                    },
                );
            }
            height = height.max(cell * ids.len().div_ceil(per_row) as f64);
        }
    }
    let width = columns.last().copied().unwrap_or(0.0) + COLUMN_WIDTH;
    Layout {
        columns,
        places,
        height,
        width,
    }
}
