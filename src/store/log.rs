//! The redo log: one write (import or apply) encoded as chunks of idempotent operations.
//!
//! A chunk is the value of one key `revision (u64 BE) ++ sequence (u64 BE)` in the `log` tree:
//! a varint count of the records it covers (for progress), then operations. Every operation is a
//! put or a remove of one whole key, so replaying a chunk twice gives the same trees as once. A
//! supply is logged once, by its key, and expands on replay to its record and its two index
//! entries; every other index entry is logged explicitly, removals included, because they are
//! computed from the old records at write time, never from trees that a crash may have left half
//! updated.
//!
//! Encoding: `tag u8`, then for `PUT` a tree tag, key and value; for `REMOVE` a tree tag and key;
//! for `PUT_SUPPLY`/`REMOVE_SUPPLY` the supply key. Lengths are LEB128 varints.

use super::keys::TreeId;

const PUT: u8 = 1;
const REMOVE: u8 = 2;
const PUT_SUPPLY: u8 = 3;
const REMOVE_SUPPLY: u8 = 4;

/// One decoded operation, borrowing from its chunk.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Op<'a> {
    Put(TreeId, &'a [u8], &'a [u8]),
    Remove(TreeId, &'a [u8]),
    PutSupply(&'a [u8]),
    RemoveSupply(&'a [u8]),
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
    ops: Vec<u8>,
    records: u64,
}

impl ChunkBuilder {
    pub(crate) fn put(&mut self, tree: TreeId, key: &[u8], value: &[u8]) {
        self.ops.push(PUT);
        self.ops.push(tree as u8);
        put_bytes(&mut self.ops, key);
        put_bytes(&mut self.ops, value);
    }

    pub(crate) fn remove(&mut self, tree: TreeId, key: &[u8]) {
        self.ops.push(REMOVE);
        self.ops.push(tree as u8);
        put_bytes(&mut self.ops, key);
    }

    pub(crate) fn put_supply(&mut self, key: &[u8]) {
        self.ops.push(PUT_SUPPLY);
        put_bytes(&mut self.ops, key);
    }

    pub(crate) fn remove_supply(&mut self, key: &[u8]) {
        self.ops.push(REMOVE_SUPPLY);
        put_bytes(&mut self.ops, key);
    }

    /// Counts one record (for progress) as covered by this chunk.
    pub(crate) fn record_done(&mut self) {
        self.records += 1;
    }

    pub(crate) fn records(&self) -> u64 {
        self.records
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.ops.is_empty() && self.records == 0
    }

    /// The encoded chunk; the builder is empty again afterwards.
    pub(crate) fn take(&mut self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.ops.len() + 10);
        put_varint(&mut out, self.records);
        out.extend_from_slice(&self.ops);
        self.ops.clear();
        self.records = 0;
        out
    }
}

/// Decodes a chunk: the record count, then an iterator over its operations.
pub(crate) fn decode(chunk: &[u8]) -> Result<(u64, Ops<'_>), String> {
    let mut reader = Reader { rest: chunk };
    let records = reader.varint()?;
    Ok((records, Ops { reader }))
}

pub(crate) struct Ops<'a> {
    reader: Reader<'a>,
}

impl<'a> Iterator for Ops<'a> {
    type Item = Result<Op<'a>, String>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.reader.rest.is_empty() {
            return None;
        }
        Some(self.reader.op())
    }
}

struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn op(&mut self) -> Result<Op<'a>, String> {
        match self.byte()? {
            PUT => {
                let tree = self.tree()?;
                let key = self.bytes()?;
                Ok(Op::Put(tree, key, self.bytes()?))
            }
            REMOVE => {
                let tree = self.tree()?;
                Ok(Op::Remove(tree, self.bytes()?))
            }
            PUT_SUPPLY => Ok(Op::PutSupply(self.bytes()?)),
            REMOVE_SUPPLY => Ok(Op::RemoveSupply(self.bytes()?)),
            tag => Err(format!("unknown operation tag {tag}")),
        }
    }

    fn byte(&mut self) -> Result<u8, String> {
        let (&b, rest) = self.rest.split_first().ok_or("truncated operation")?;
        self.rest = rest;
        Ok(b)
    }

    fn tree(&mut self) -> Result<TreeId, String> {
        let tag = self.byte()?;
        TreeId::from_tag(tag).ok_or_else(|| format!("unknown tree tag {tag}"))
    }

    fn varint(&mut self) -> Result<u64, String> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err("varint longer than 64 bits".into())
    }

    fn bytes(&mut self) -> Result<&'a [u8], String> {
        let len = usize::try_from(self.varint()?).map_err(|_| "length overflows usize")?;
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

fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
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
        chunk.put_supply(b"c\0f2\0f1\0p");
        chunk.remove_supply(b"c\0f3\0f1\0p");
        chunk.record_done();
        chunk.record_done();
        let bytes = chunk.take();
        assert!(chunk.is_empty());

        let (records, ops) = decode(&bytes).unwrap();
        assert_eq!(records, 2);
        let ops: Vec<Op> = ops.collect::<Result<_, _>>().unwrap();
        assert_eq!(
            ops,
            vec![
                Op::Put(TreeId::Organizations, b"f1", &[7u8; 300]),
                Op::Remove(TreeId::MembersOfChain, b"c\0f1"),
                Op::PutSupply(b"c\0f2\0f1\0p"),
                Op::RemoveSupply(b"c\0f3\0f1\0p"),
            ]
        );
    }

    #[test]
    fn a_truncated_chunk_is_an_error_not_a_panic() {
        let mut chunk = ChunkBuilder::default();
        chunk.put(TreeId::Regions, b"320500", b"{}");
        let bytes = chunk.take();
        let (_, mut ops) = decode(&bytes[..bytes.len() - 1]).unwrap();
        assert!(ops.next().unwrap().is_err());
    }

    #[test]
    fn chunk_keys_sort_by_revision_then_sequence() {
        assert!(chunk_key(1, 300) < chunk_key(2, 0));
        assert!(chunk_key(2, 9) < chunk_key(2, 10));
    }
}
