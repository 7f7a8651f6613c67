//! The redo log: one write (import or apply) encoded as chunks of idempotent operations.
//!
//! A chunk is the value of one key `revision (u64 BE) ++ sequence (u64 BE)` in the `log` tree.
//! Every operation puts or removes one logical key of one tree (a record or an index entry), so
//! replaying the log twice gives the same trees as once. Index removals are logged explicitly:
//! they are computed from the old records at write time, never from trees that a crash may have
//! left half updated. Within a write, operations are sorted by tree, page and key, so that the
//! replay rewrites every touched page once.
//!
//! Encoding: `tag u8`, tree tag `u8`, key, and for a put the value; lengths are LEB128 varints.

use super::keys::TreeId;

const PUT: u8 = 1;
const REMOVE: u8 = 2;

/// One decoded operation, borrowing from its chunk.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Op<'a> {
    Put(TreeId, &'a [u8], &'a [u8]),
    Remove(TreeId, &'a [u8]),
}

impl<'a> Op<'a> {
    pub(crate) fn tree(&self) -> TreeId {
        match self {
            Op::Put(t, _, _) | Op::Remove(t, _) => *t,
        }
    }

    pub(crate) fn key(&self) -> &'a [u8] {
        match self {
            Op::Put(_, k, _) | Op::Remove(_, k) => k,
        }
    }

    /// The value a put writes; `None` for a remove.
    pub(crate) fn value(&self) -> Option<&'a [u8]> {
        match self {
            Op::Put(_, _, v) => Some(v),
            Op::Remove(_, _) => None,
        }
    }
}

/// The key of chunk `seq` of the write that commits `revision`.
pub(crate) fn chunk_key(revision: u64, seq: u64) -> [u8; 16] {
    let mut key = [0u8; 16];
    key[..8].copy_from_slice(&revision.to_be_bytes());
    key[8..].copy_from_slice(&seq.to_be_bytes());
    key
}

/// Accumulates the operations of one chunk.
#[derive(Default)]
pub(crate) struct ChunkBuilder {
    bytes: Vec<u8>,
}

impl ChunkBuilder {
    pub(crate) fn put(&mut self, tree: TreeId, key: &[u8], value: &[u8]) {
        self.bytes.push(PUT);
        self.bytes.push(tree as u8);
        put_bytes(&mut self.bytes, key);
        put_bytes(&mut self.bytes, value);
    }

    pub(crate) fn remove(&mut self, tree: TreeId, key: &[u8]) {
        self.bytes.push(REMOVE);
        self.bytes.push(tree as u8);
        put_bytes(&mut self.bytes, key);
    }

    pub(crate) fn len(&self) -> usize {
        self.bytes.len()
    }

    /// The encoded chunk; the builder is empty again afterwards.
    pub(crate) fn take(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.bytes)
    }
}

/// The operations of a chunk, in order.
pub(crate) fn decode(chunk: &[u8]) -> Ops<'_> {
    Ops { rest: chunk }
}

pub(crate) struct Ops<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Ops<'a> {
    type Item = Result<Op<'a>, String>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let op = self.op();
        if op.is_err() {
            // Stop after the first error: what follows cannot be framed.
            self.rest = &[];
        }
        Some(op)
    }
}

impl<'a> Ops<'a> {
    fn op(&mut self) -> Result<Op<'a>, String> {
        let tag = self.byte()?;
        let tree_tag = self.byte()?;
        let tree =
            TreeId::from_tag(tree_tag).ok_or_else(|| format!("unknown tree tag {tree_tag}"))?;
        let key = self.bytes()?;
        match tag {
            PUT => Ok(Op::Put(tree, key, self.bytes()?)),
            REMOVE => Ok(Op::Remove(tree, key)),
            _ => Err(format!("unknown operation tag {tag}")),
        }
    }

    fn byte(&mut self) -> Result<u8, String> {
        let (&b, rest) = self.rest.split_first().ok_or("truncated operation")?;
        self.rest = rest;
        Ok(b)
    }

    fn bytes(&mut self) -> Result<&'a [u8], String> {
        let len =
            usize::try_from(read_varint(&mut self.rest)?).map_err(|_| "length overflows usize")?;
        if len > self.rest.len() {
            return Err(format!(
                "length {len} runs past the end of the chunk ({} bytes left)",
                self.rest.len()
            ));
        }
        let (bytes, rest) = self.rest.split_at(len);
        self.rest = rest;
        Ok(bytes)
    }
}

pub(crate) fn read_varint(rest: &mut &[u8]) -> Result<u64, String> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let (&b, tail) = rest.split_first().ok_or("truncated varint")?;
        *rest = tail;
        value |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err("varint longer than 64 bits".into())
}

pub(crate) fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

pub(crate) fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    put_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chunk_decodes_to_the_operations_written() {
        let mut chunk = ChunkBuilder::default();
        chunk.put(TreeId::Organizations, b"f1", &[7u8; 300]);
        chunk.remove(TreeId::MembersOfChain, b"c\0f1");
        chunk.put(TreeId::Supplies, b"f1\0c\0f2\0f1\0p", b"");
        let bytes = chunk.take();
        assert_eq!(chunk.len(), 0);

        let ops: Vec<Op> = decode(&bytes).collect::<Result<_, _>>().unwrap();
        assert_eq!(
            ops,
            vec![
                Op::Put(TreeId::Organizations, b"f1", &[7u8; 300]),
                Op::Remove(TreeId::MembersOfChain, b"c\0f1"),
                Op::Put(TreeId::Supplies, b"f1\0c\0f2\0f1\0p", b""),
            ]
        );
        assert_eq!(ops[1].value(), None);
        assert_eq!(ops[2].key(), b"f1\0c\0f2\0f1\0p");
    }

    #[test]
    fn a_truncated_chunk_is_an_error_not_a_panic() {
        let mut chunk = ChunkBuilder::default();
        chunk.put(TreeId::Regions, b"320500", b"{}");
        let bytes = chunk.take();
        let mut ops = decode(&bytes[..bytes.len() - 1]);
        assert!(ops.next().unwrap().is_err());
        assert!(ops.next().is_none());
    }

    #[test]
    fn chunk_keys_sort_by_revision_then_sequence() {
        assert!(chunk_key(1, 300) < chunk_key(2, 0));
        assert!(chunk_key(2, 9) < chunk_key(2, 10));
    }
}
