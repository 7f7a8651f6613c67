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
use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};

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

/// The file that holds the redo log of a write too big for one chunk, beside sled's files.
///
/// sled keeps values inside its tree nodes and rewrites a node when it splits, so a log of
/// thousands of one-megabyte chunks in a sled tree costs several times its size in copies and
/// blob files. A big log is written to this file instead, and synced (with its directory)
/// before the commit marker is written; a write whose log is one chunk keeps it in the `log`
/// tree as before. Layout: magic, revision (u64 BE), then chunks, each `length (u32 BE)` and
/// the chunk.
pub(crate) const FILE_NAME: &str = "redo.log";

const MAGIC: &[u8; 8] = b"qmaplog1";

pub(crate) fn file_path(dir: &Path) -> PathBuf {
    dir.join(FILE_NAME)
}

/// Writes a redo-log file.
pub(crate) struct FileWriter {
    file: std::io::BufWriter<File>,
    path: PathBuf,
}

impl FileWriter {
    pub(crate) fn create(dir: &Path, revision: u64) -> std::io::Result<FileWriter> {
        let path = file_path(dir);
        let mut file = std::io::BufWriter::with_capacity(1 << 20, File::create(&path)?);
        file.write_all(MAGIC)?;
        file.write_all(&revision.to_be_bytes())?;
        Ok(FileWriter { file, path })
    }

    pub(crate) fn chunk(&mut self, chunk: &[u8]) -> std::io::Result<()> {
        let len = u32::try_from(chunk.len()).map_err(std::io::Error::other)?;
        self.file.write_all(&len.to_be_bytes())?;
        self.file.write_all(chunk)
    }

    /// Makes the file and its directory entry durable.
    pub(crate) fn sync(self) -> std::io::Result<()> {
        let file = self.file.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        if let Some(dir) = self.path.parent() {
            File::open(dir)?.sync_all()?;
        }
        Ok(())
    }
}

/// Reads the chunks of a redo-log file, if there is one for `revision`.
pub(crate) struct FileReader {
    file: BufReader<File>,
}

impl FileReader {
    /// `Ok(None)` when there is no file, or it belongs to another revision (a write whose
    /// commit marker was never written).
    pub(crate) fn open(dir: &Path, revision: u64) -> std::io::Result<Option<FileReader>> {
        let file = match File::open(file_path(dir)) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let mut file = BufReader::with_capacity(1 << 20, file);
        let mut header = [0u8; 16];
        match file.read_exact(&mut header) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(e),
        }
        if &header[..8] != MAGIC || header[8..] != revision.to_be_bytes() {
            return Ok(None);
        }
        Ok(Some(FileReader { file }))
    }

    /// The next chunk, or `None` at the end of the file. A chunk cut short is an error: the
    /// file was synced whole before the commit.
    pub(crate) fn next_chunk(&mut self, buf: &mut Vec<u8>) -> Result<bool, String> {
        let mut len = [0u8; 4];
        match self.file.read_exact(&mut len) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(false),
            Err(e) => return Err(e.to_string()),
        }
        buf.clear();
        buf.resize(u32::from_be_bytes(len) as usize, 0);
        self.file
            .read_exact(buf)
            .map_err(|e| format!("a chunk of the redo-log file cannot be read: {e}"))?;
        Ok(true)
    }
}

/// Removes the redo-log file, if any.
pub(crate) fn remove_file(dir: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(file_path(dir)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
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
