//! Pages: how logical keys are packed into sled keys.
//!
//! sled spends microseconds and kilobytes of memory per key, far too much for the five million
//! supplies of a big survey, so every tree of the store holds a fixed number of pages (sled
//! keys `page number u16 BE`), each a sorted list of logical entries (key, value). An entry
//! lives on the page chosen by a stable hash (FNV-1a) of its *owner*: the part of its key
//! before the first separator, i.e. the record id in a record tree and the owning id in an
//! index. So all entries of one owner share a page, and a prefix query reads one page.
//!
//! Page encoding: entries in key order, each `varint key length, key, varint value length,
//! value`. Decoding borrows from the page.

use super::keys::SEP;
use super::log::{put_bytes, read_varint};

/// Pages per tree. With 5,000,000 supplies a page holds about 1,200 entries (80 KB), below
/// sled's blob threshold (a quarter of its 512 KB segment), so pages stay inline in sled's log.
pub(crate) const PAGES: u16 = 4096;

/// The sled key of the page holding logical `key`.
pub(crate) fn page_of(key: &[u8]) -> [u8; 2] {
    let owner = match key.iter().position(|b| *b == SEP) {
        Some(at) => &key[..at],
        None => key,
    };
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in owner {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    ((hash % u64::from(PAGES)) as u16).to_be_bytes()
}

/// One logical entry of a page: `(key, value)`, borrowed from the page.
pub(crate) type Entry<'a> = (&'a [u8], &'a [u8]);

/// The entries of a page, in key order.
pub(crate) fn decode(page: &[u8]) -> Result<Vec<Entry<'_>>, String> {
    let mut rest = page;
    let mut entries = Vec::new();
    while !rest.is_empty() {
        let key = take(&mut rest)?;
        let value = take(&mut rest)?;
        entries.push((key, value));
    }
    Ok(entries)
}

fn take<'a>(rest: &mut &'a [u8]) -> Result<&'a [u8], String> {
    let len = usize::try_from(read_varint(rest)?).map_err(|_| "length overflows usize")?;
    if len > rest.len() {
        return Err(format!(
            "entry of {len} bytes runs past the end of the page"
        ));
    }
    let (bytes, tail) = rest.split_at(len);
    *rest = tail;
    Ok(bytes)
}

/// The value of `key` on a decoded page.
pub(crate) fn find<'a>(entries: &[(&'a [u8], &'a [u8])], key: &[u8]) -> Option<&'a [u8]> {
    entries
        .binary_search_by(|(k, _)| (*k).cmp(key))
        .ok()
        .map(|i| entries[i].1)
}

/// The entries of a decoded page whose key starts with `prefix`.
pub(crate) fn with_prefix<'p, 'a>(
    entries: &'p [(&'a [u8], &'a [u8])],
    prefix: &[u8],
) -> &'p [(&'a [u8], &'a [u8])] {
    let start = entries.partition_point(|(k, _)| *k < prefix);
    let len = entries[start..].partition_point(|(k, _)| k.starts_with(prefix));
    &entries[start..start + len]
}

/// Merges `changes` (sorted by key, each key once; `None` removes) into the decoded `old`
/// entries and encodes the result. Applying the same changes again gives the same page.
pub(crate) fn merge(old: &[(&[u8], &[u8])], changes: &[(&[u8], Option<&[u8]>)]) -> Vec<u8> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < old.len() || j < changes.len() {
        let take_change = match (old.get(i), changes.get(j)) {
            (Some((ok, _)), Some((ck, _))) => match ok.cmp(ck) {
                std::cmp::Ordering::Less => false,
                std::cmp::Ordering::Equal => {
                    i += 1;
                    true
                }
                std::cmp::Ordering::Greater => true,
            },
            (Some(_), None) => false,
            (None, _) => true,
        };
        if take_change {
            let (k, v) = changes[j];
            if let Some(v) = v {
                put_bytes(&mut out, k);
                put_bytes(&mut out, v);
            }
            j += 1;
        } else {
            let (k, v) = old[i];
            put_bytes(&mut out, k);
            put_bytes(&mut out, v);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_puts_replaces_and_removes_in_key_order() {
        let old = merge(
            &[],
            &[(b"a", Some(b"1")), (b"c", Some(b"3")), (b"e", Some(b"5"))],
        );
        let old_entries = decode(&old).unwrap();
        let changes: Vec<(&[u8], Option<&[u8]>)> = vec![
            (b"b", Some(b"2")),
            (b"c", Some(b"33")),
            (b"e", None),
            (b"f", None),
        ];
        let new = merge(&old_entries, &changes);
        let entries = decode(&new).unwrap();
        let expected: Vec<(&[u8], &[u8])> = vec![(b"a", b"1"), (b"b", b"2"), (b"c", b"33")];
        assert_eq!(entries, expected);
        // Idempotent: a replay after a crash merges the same changes again.
        assert_eq!(merge(&entries, &changes), new);
        assert_eq!(find(&entries, b"c"), Some(b"33".as_slice()));
        assert_eq!(find(&entries, b"e"), None);
    }

    #[test]
    fn a_prefix_selects_exactly_its_owner() {
        let page = merge(
            &[],
            &[
                (b"c\0f1", Some(b"")),
                (b"c\0f2", Some(b"")),
                (b"c1\0f3", Some(b"")),
            ],
        );
        let entries = decode(&page).unwrap();
        let owned: Vec<&[u8]> = with_prefix(&entries, b"c\0").iter().map(|e| e.0).collect();
        assert_eq!(owned, vec![b"c\0f1".as_slice(), b"c\0f2".as_slice()]);
    }

    #[test]
    fn entries_of_one_owner_share_a_page() {
        assert_eq!(page_of(b"f1\0c\0f2\0f1\0p"), page_of(b"f1"));
        assert_eq!(page_of(b"f1\0x"), page_of(b"f1\0y"));
        assert!(u16::from_be_bytes(page_of(b"anything")) < PAGES);
    }
}
