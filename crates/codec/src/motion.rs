//! Copy detection: finds by how much content moved between the viewer's
//! picture and the new one, so scrolled text and dragged windows become copy
//! operations instead of pixels.
//!
//! Two cheap searches give candidate vectors (`dest = source + vector`):
//! - vertical scrolling, any distance: hashes of each changed tile column's
//!   row segments, new against old; a row that appears exactly once in the old
//!   picture votes for its displacement;
//! - any direction within [`REACH`] pixels (a dragged window): short row
//!   blocks ("anchors", 32×8) from changed tiles are looked for in the old picture
//!   around where they are now; each of a few matches votes for its displacement.
//!
//! The encoder then checks each tile against the winning vectors pixel by
//! pixel; a vote never makes a copy by itself.

use std::collections::HashMap;

use crate::{Area, Pixels, TILE};

/// Fewer changed tiles than this are cheaper to send than to search.
pub(crate) const MIN_TILES: usize = 4;
/// How far (pixels, each axis) the anchor search looks.
const REACH: i32 = 64;
const ANCHOR_PX: u32 = 32;
const ANCHOR_ROWS: u32 = 8;
const MAX_ANCHORS: usize = 16;
/// The row search looks at this many tile columns at most.
const MAX_BANDS: usize = 3;
/// A vertical displacement needs this many rows voting for it.
const MIN_ROW_VOTES: u32 = 8;
const MAX_VECTORS: usize = 4;
/// A row or anchor found in more places than this is too common to vote.
const MAX_HITS: usize = 4;

/// Reused buffers of the searches.
#[derive(Debug, Default)]
pub(crate) struct Motion {
    old_rows: Vec<(u64, u32)>,
    /// The same hashes by row, for telling unchanged rows.
    old_by_row: Vec<u64>,
    hits: Vec<(i32, i32)>,
    votes: HashMap<(i32, i32), u32>,
}

impl Motion {
    /// The likeliest displacements of the content of `changed` (tile areas),
    /// best first.
    pub(crate) fn candidates(
        &mut self,
        new: &Pixels<'_>,
        old: &[u8],
        width: u32,
        changed: &[Area],
    ) -> Vec<(i32, i32)> {
        self.votes.clear();
        let moved_rows = self.vertical(new, old, width, changed);
        let mut rows: Vec<((i32, i32), u32)> = self
            .votes
            .drain()
            .filter(|&(_, n)| n >= MIN_ROW_VOTES)
            .collect();
        // A scroll that explains most changed rows needs no block search.
        if !rows.iter().any(|&(_, n)| n * 2 >= moved_rows) {
            self.anchors(new, old, width, changed);
        }
        let mut blocks: Vec<((i32, i32), u32)> =
            self.votes.drain().filter(|&(_, n)| n >= 2).collect();
        let best_first =
            |a: &((i32, i32), u32), b: &((i32, i32), u32)| b.1.cmp(&a.1).then(a.0.cmp(&b.0));
        rows.sort_by(best_first);
        blocks.sort_by(best_first);
        // The best of each search first: repeated rows (blank lines, stripes)
        // can outvote a moved window in the row search.
        let mut out: Vec<(i32, i32)> = Vec::new();
        let (mut r, mut b) = (rows.into_iter(), blocks.into_iter());
        loop {
            let next = [r.next(), b.next()];
            if next.iter().all(Option::is_none) {
                break;
            }
            for (v, _) in next.into_iter().flatten() {
                if !out.contains(&v) && out.len() < MAX_VECTORS {
                    out.push(v);
                }
            }
        }
        out
    }

    /// Votes for vertical displacements; returns how many changed rows it looked at.
    fn vertical(&mut self, new: &Pixels<'_>, old: &[u8], width: u32, changed: &[Area]) -> u32 {
        let mut looked = 0;
        // One band per tile column: the rows spanned by its changed tiles.
        let mut bands: Vec<(u32, u32, u32, u32)> = Vec::new(); // x, w, y0, y1
        for a in changed {
            match bands.iter_mut().find(|b| b.0 == a.x) {
                Some(b) => {
                    b.2 = b.2.min(a.y);
                    b.3 = b.3.max(a.y + a.height);
                }
                None => bands.push((a.x, a.width, a.y, a.y + a.height)),
            }
        }
        let stride = width as usize * 4;
        // A few bands spread over the area find a scroll as well as all of them.
        let step = bands.len().div_ceil(MAX_BANDS).max(1);
        for &(x, w, y0, y1) in bands.iter().step_by(step) {
            if y1 - y0 < TILE * 2 {
                continue;
            }
            self.old_rows.clear();
            let old_row = |y: u32| {
                let at = y as usize * stride + x as usize * 4;
                &old[at..at + w as usize * 4]
            };
            self.old_by_row.clear();
            self.old_by_row.extend((y0..y1).map(|y| hash(old_row(y))));
            self.old_rows
                .extend(self.old_by_row.iter().zip(y0..y1).map(|(&h, y)| (h, y)));
            self.old_rows.sort_unstable();
            for y in y0..y1 {
                let row = new.row(y, x, w);
                let h = hash(row);
                if h == self.old_by_row[(y - y0) as usize] {
                    // Unchanged (or a collision, which costs only a vote).
                    continue;
                }
                looked += 1;
                let start = self.old_rows.partition_point(|&(k, _)| k < h);
                let same = self.old_rows[start..].iter().take_while(|&&(k, _)| k == h);
                // A row found in a few places votes for each; a blank line,
                // found everywhere, for none.
                if same.clone().count() > MAX_HITS {
                    continue;
                }
                for &(_, from) in same {
                    *self.votes.entry((0, y as i32 - from as i32)).or_default() += 1;
                }
            }
        }
        looked
    }

    fn anchors(&mut self, new: &Pixels<'_>, old: &[u8], width: u32, changed: &[Area]) {
        let height = (old.len() / (width as usize * 4)) as i32;
        let stride = width as usize * 4;
        let step = changed.len().div_ceil(MAX_ANCHORS).max(1);
        for a in changed.iter().step_by(step) {
            if a.width < ANCHOR_PX * 2 {
                continue;
            }
            let ax = a.x + a.width / 2 - ANCHOR_PX / 2;
            // A row of the tile whose anchor is not a flat colour.
            if a.height < ANCHOR_ROWS {
                continue;
            }
            let Some(ay) = (0..=a.height - ANCHOR_ROWS)
                .step_by(7)
                .map(|dy| a.y + dy)
                .find(|&y| {
                    let seg = new.row(y, ax, ANCHOR_PX);
                    seg.chunks_exact(4).any(|p| p != &seg[..4])
                })
            else {
                continue;
            };
            let anchor = new.row(ay, ax, ANCHOR_PX);
            let first = u64::from_le_bytes(anchor[..8].try_into().unwrap_or_default());
            self.hits.clear();
            let x_lo = (ax as i32 - REACH).max(0);
            let x_hi = (ax as i32 + REACH).min(width as i32 - ANCHOR_PX as i32);
            let rows_below = ANCHOR_ROWS as i32 - 1;
            for y in (ay as i32 - REACH).max(0)..(ay as i32 + REACH + 1).min(height - rows_below) {
                let row = &old[y as usize * stride..(y as usize + 1) * stride];
                for x in x_lo..=x_hi {
                    let at = x as usize * 4;
                    let word = u64::from_le_bytes(row[at..at + 8].try_into().unwrap_or_default());
                    let len = ANCHOR_PX as usize * 4;
                    if word == first
                        && &row[at..at + len] == anchor
                        && (1..ANCHOR_ROWS as usize).all(|r| {
                            let o = (y as usize + r) * stride + at;
                            &old[o..o + len] == new.row(ay + r as u32, ax, ANCHOR_PX)
                        })
                    {
                        self.hits.push((ax as i32 - x, ay as i32 - y));
                    }
                }
            }
            if self.hits.len() <= MAX_HITS {
                for &v in &self.hits {
                    if v != (0, 0) {
                        *self.votes.entry(v).or_default() += 1;
                    }
                }
            }
        }
    }
}

/// Whether `dst` of the new picture equals the old picture at `dst − v`.
/// The caller checks that the source lies inside the picture.
pub(crate) fn matches(
    new: &Pixels<'_>,
    old: &[u8],
    width: u32,
    dst: Area,
    (dx, dy): (i32, i32),
) -> bool {
    let stride = width as usize * 4;
    let sx = (i64::from(dst.x) - i64::from(dx)) as usize;
    let sy = (i64::from(dst.y) - i64::from(dy)) as usize;
    let len = dst.width as usize * 4;
    (0..dst.height).all(|r| {
        let at = (sy + r as usize) * stride + sx * 4;
        new.row(dst.y + r, dst.x, dst.width) == &old[at..at + len]
    })
}

/// A fast non-cryptographic hash of a row segment, from every other pixel
/// pair: it only proposes votes, and every copy is checked pixel by pixel.
fn hash(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut words = bytes.chunks_exact(8);
    for w in words.by_ref().step_by(2) {
        let v = u64::from_le_bytes(w.try_into().unwrap_or_default());
        h = (h ^ v).wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29);
    }
    for &b in words.remainder() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3);
    }
    h ^ (h >> 31)
}
