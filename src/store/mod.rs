//! The durable store: the only module that knows sled.
//!
//! It owns one sled tree per record kind (`regions`, `chains`, `organizations`, `supplies`,
//! `problems`; values are compact JSON, supplies live in their keys), the index trees the API
//! queries (`suppliers-of-firm`, `customers-of-firm`, `members-of-chain`, `problems-of-firm`,
//! `providers-by-capability`), a `meta` tree (format version, revision, commit marker) and the
//! `log` tree of the redo log. It does not validate documents beyond what its key encoding needs
//! (`crate::validate` does that), and it never deletes records that refer to a deleted one: it
//! mirrors [`Dataset::apply`] exactly.
//!
//! # Writes: all or nothing, at any size
//!
//! One sled transaction over every tree cannot hold a million-record import, so a write is made
//! atomic by a redo log (see [`log`]):
//!
//! 1. the whole change is written as chunks of idempotent operations under `log/revision/*`,
//!    index removals computed from the old records now; then `flush`;
//! 2. the commit marker `meta/commit = revision` is written and flushed: **the commit point**;
//! 3. the chunks are replayed into the data and index trees (one `apply_batch` per tree and
//!    chunk), `meta/revision` is set and everything flushed;
//! 4. the marker is removed and the log cleared, and flushed before the write returns.
//!
//! [`Store::open`] recovers: a marker means the write committed, so its log is replayed (again)
//! and cleaned up; chunks without a marker belong to a write that never committed and are
//! dropped. Replaying uses the same code as a normal write, so every write exercises recovery.
//! A mutex keeps one writer at a time; readers are never blocked (they may see a write that is
//! being replayed half done, like any reader of sled outside a transaction).

mod keys;
mod log;

use crate::model::{
    Bundle, Chain, ChangeSet, Dataset, Lookup, Organization, Problem, Region, Supply,
    BUNDLE_VERSION,
};
use keys::TreeId;
use serde::de::DeserializeOwned;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// The on-disk format this build reads and writes (`meta/format`).
pub const STORE_FORMAT: u64 = 1;

/// How many records one redo-log chunk covers: big enough that per-chunk costs vanish, small
/// enough that a chunk and its batches stay a few megabytes.
const CHUNK_RECORDS: u64 = 10_000;

/// sled's page cache. The trees of a million-firm store exceed it; sled pages the rest.
const CACHE_BYTES: u64 = 1 << 30;

const META_FORMAT: &[u8] = b"format";
const META_REVISION: &[u8] = b"revision";
const META_COMMIT: &[u8] = b"commit";

/// What can go wrong in the store. Bad input (ids the key encoding cannot hold, another bundle
/// version) is told apart from storage failures and from corruption found on disk.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The directory could not be opened as a store (missing permissions, locked by another
    /// process, not a sled database).
    #[error("cannot open the store at {}: {source}", dir.display())]
    Open { dir: PathBuf, source: sled::Error },
    /// sled failed during an operation.
    #[error("storage failed while {during}: {source}")]
    Storage {
        during: &'static str,
        source: sled::Error,
    },
    /// The store was written by a build with another on-disk format.
    #[error("the store at {} has format {found}; this build reads format {expected}", dir.display())]
    UnsupportedFormat {
        dir: PathBuf,
        found: u64,
        expected: u64,
    },
    /// A bundle of a version this build does not write.
    #[error("bundle version {found} cannot be stored (this build stores version {expected})")]
    UnsupportedBundleVersion { found: u32, expected: u32 },
    /// An id the key encoding cannot hold.
    #[error("{kind} id {id:?} cannot be stored: {reason}")]
    InvalidId {
        kind: &'static str,
        id: String,
        reason: &'static str,
    },
    /// A stored record or index key that does not decode.
    #[error("corrupt entry {key:?} in tree {tree}: {reason}")]
    CorruptRecord {
        tree: &'static str,
        key: String,
        reason: String,
    },
    /// A redo-log chunk or commit marker that does not decode.
    #[error("corrupt redo log of revision {revision}, chunk {chunk}: {reason}")]
    CorruptLog {
        revision: u64,
        chunk: u64,
        reason: String,
    },
}

/// What an import wrote: the number of records of each kind in the bundle, and the revision
/// the import committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    pub regions: usize,
    pub chains: usize,
    pub organizations: usize,
    pub supplies: usize,
    pub problems: usize,
    pub revision: u64,
}

impl ImportSummary {
    /// Records of every kind.
    pub fn records(&self) -> usize {
        self.regions + self.chains + self.organizations + self.supplies + self.problems
    }
}

/// A handle on an open store; cheap to clone (everything inside is shared).
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    dir: PathBuf,
    db: sled::Db,
    /// Indexed by `TreeId as usize`.
    trees: Vec<sled::Tree>,
    meta: sled::Tree,
    log: sled::Tree,
    revision: AtomicU64,
    /// One writer at a time: the redo log holds a single write. A std mutex, because a write
    /// is blocking disk work that async callers must move to a blocking thread anyway.
    writer: Mutex<()>,
}

/// The deletions of a write, borrowed from a [`ChangeSet`].
#[derive(Default)]
struct Deletions<'a> {
    regions: &'a [String],
    chains: &'a [String],
    organizations: &'a [String],
    supplies: &'a [Supply],
    problems: &'a [String],
}

fn storage(during: &'static str) -> impl FnOnce(sled::Error) -> StoreError {
    move |source| StoreError::Storage { during, source }
}

impl Store {
    /// Opens the store in `dir`, creating it if missing, and finishes or drops a write that a
    /// crash interrupted.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        let open_err = |source| StoreError::Open {
            dir: dir.to_path_buf(),
            source,
        };
        let db = sled::Config::new()
            .path(dir)
            .cache_capacity(CACHE_BYTES)
            .mode(sled::Mode::HighThroughput)
            // Durability comes from the explicit flushes of the commit protocol; background
            // flushes would only add writes in the middle of a big import.
            .flush_every_ms(None)
            .open()
            .map_err(open_err)?;
        let trees = TreeId::ALL
            .iter()
            .map(|t| db.open_tree(t.name()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(open_err)?;
        let meta = db.open_tree("meta").map_err(open_err)?;
        let log = db.open_tree("log").map_err(open_err)?;

        match meta.get(META_FORMAT).map_err(storage("reading the format"))? {
            Some(v) => {
                let found = decode_u64(&v).ok_or_else(|| StoreError::CorruptRecord {
                    tree: "meta",
                    key: "format".into(),
                    reason: format!("{} bytes, expected 8", v.len()),
                })?;
                if found != STORE_FORMAT {
                    return Err(StoreError::UnsupportedFormat {
                        dir: dir.to_path_buf(),
                        found,
                        expected: STORE_FORMAT,
                    });
                }
            }
            None => {
                meta.insert(META_FORMAT, &STORE_FORMAT.to_be_bytes())
                    .map_err(storage("writing the format"))?;
            }
        }
        let revision = match meta.get(META_REVISION).map_err(storage("reading the revision"))? {
            Some(v) => decode_u64(&v).ok_or_else(|| StoreError::CorruptRecord {
                tree: "meta",
                key: "revision".into(),
                reason: format!("{} bytes, expected 8", v.len()),
            })?,
            None => 0,
        };
        let store = Store {
            inner: Arc::new(Inner {
                dir: dir.to_path_buf(),
                db,
                trees,
                meta,
                log,
                revision: AtomicU64::new(revision),
                writer: Mutex::new(()),
            }),
        };
        store.recover()?;
        Ok(store)
    }

    /// The directory the store lives in.
    pub fn dir(&self) -> &Path {
        &self.inner.dir
    }

    /// Upserts every record of `bundle` by id, all or nothing; durable when it returns `Ok`.
    pub fn import(&self, bundle: &Bundle) -> Result<ImportSummary, StoreError> {
        self.import_with_progress(bundle, &|_, _| {})
    }

    /// [`Store::import`], calling `progress(done, total)` as it goes. The work counts every
    /// record twice: once written to the redo log, once applied to the trees.
    pub fn import_with_progress(
        &self,
        bundle: &Bundle,
        progress: &dyn Fn(u64, u64),
    ) -> Result<ImportSummary, StoreError> {
        let revision = self.write(bundle, &Deletions::default(), progress)?;
        Ok(ImportSummary {
            regions: bundle.regions.len(),
            chains: bundle.chains.len(),
            organizations: bundle.organizations.len(),
            supplies: bundle.supplies.len(),
            problems: bundle.problems.len(),
            revision,
        })
    }

    /// Applies a change (deletes, then upserts, as [`Dataset::apply`]), all or nothing; durable
    /// when it returns `Ok`. Returns the new revision.
    pub fn apply(&self, change: &ChangeSet) -> Result<u64, StoreError> {
        let deletions = Deletions {
            regions: &change.delete_regions,
            chains: &change.delete_chains,
            organizations: &change.delete_organizations,
            supplies: &change.delete_supplies,
            problems: &change.delete_problems,
        };
        self.write(&change.upsert, &deletions, &|_, _| {})
    }

    /// Every record, for the server and the analyses.
    pub fn load(&self) -> Result<Dataset, StoreError> {
        let mut d = Dataset::new();
        for (k, r) in self.scan::<Region>(TreeId::Regions)? {
            d.regions.insert(k, r);
        }
        for (k, c) in self.scan::<Chain>(TreeId::Chains)? {
            d.chains.insert(k, c);
        }
        for (k, o) in self.scan::<Organization>(TreeId::Organizations)? {
            d.organizations.insert(k, o);
        }
        for entry in self.tree(TreeId::Supplies).iter() {
            let (key, _) = entry.map_err(storage("reading supplies"))?;
            d.supplies.insert(decode_supply_key(TreeId::Supplies, &key)?);
        }
        for (k, p) in self.scan::<Problem>(TreeId::Problems)? {
            d.problems.insert(k, p);
        }
        Ok(d)
    }

    /// Every record as a bundle, every list in key order: `load()?.to_bundle()`.
    pub fn export(&self) -> Result<Bundle, StoreError> {
        Ok(self.load()?.to_bundle())
    }

    /// The revision of the last committed write (0 for a new store); persisted.
    pub fn revision(&self) -> u64 {
        self.inner.revision.load(Ordering::SeqCst)
    }

    /// Whether no record of any kind is stored.
    pub fn is_empty(&self) -> Result<bool, StoreError> {
        for t in [
            TreeId::Regions,
            TreeId::Chains,
            TreeId::Organizations,
            TreeId::Supplies,
            TreeId::Problems,
        ] {
            if !self
                .tree(t)
                .is_empty()
            {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Supplies where `org` is the customer.
    pub fn suppliers_of(&self, org: &str) -> Result<Vec<Supply>, StoreError> {
        self.supplies_in(TreeId::SuppliersOfFirm, org)
    }

    /// Supplies where `org` is the supplier.
    pub fn customers_of(&self, org: &str) -> Result<Vec<Supply>, StoreError> {
        self.supplies_in(TreeId::CustomersOfFirm, org)
    }

    /// Ids of the organizations with a membership on `chain`, in id order.
    pub fn members_of_chain(&self, chain: &str) -> Result<Vec<String>, StoreError> {
        self.ids_in(TreeId::MembersOfChain, chain)
    }

    /// Problems held by `org`, in id order.
    pub fn problems_of_org(&self, org: &str) -> Result<Vec<Problem>, StoreError> {
        self.ids_in(TreeId::ProblemsOfFirm, org)?
            .into_iter()
            .filter_map(|id| self.get::<Problem>(TreeId::Problems, &id).transpose())
            .collect()
    }

    /// Ids of the providers with capability `code`, in id order.
    pub fn providers_with_capability(&self, code: &str) -> Result<Vec<String>, StoreError> {
        self.ids_in(TreeId::ProvidersByCapability, code)
    }

    fn tree(&self, t: TreeId) -> &sled::Tree {
        &self.inner.trees[t as usize]
    }

    fn get<T: DeserializeOwned>(&self, t: TreeId, id: &str) -> Result<Option<T>, StoreError> {
        match self
            .tree(t)
            .get(id.as_bytes())
            .map_err(storage("reading a record"))?
        {
            Some(v) => decode_record(t, id.as_bytes(), &v).map(Some),
            None => Ok(None),
        }
    }

    fn scan<T: DeserializeOwned>(&self, t: TreeId) -> Result<Vec<(String, T)>, StoreError> {
        self.tree(t)
            .iter()
            .map(|entry| {
                let (k, v) = entry.map_err(storage("reading records"))?;
                let record = decode_record(t, &k, &v)?;
                let id = String::from_utf8(k.to_vec()).map_err(|e| corrupt(t, &k, e))?;
                Ok((id, record))
            })
            .collect()
    }

    fn supplies_in(&self, index: TreeId, org: &str) -> Result<Vec<Supply>, StoreError> {
        self.tree(index)
            .scan_prefix(keys::prefix(org))
            .map(|entry| {
                let (k, _) = entry.map_err(storage("reading a supply index"))?;
                let key = keys::supply_of_index_key(&k)
                    .ok_or_else(|| corrupt(index, &k, "no separator"))?;
                decode_supply_key(index, key)
            })
            .collect()
    }

    fn ids_in(&self, index: TreeId, owner: &str) -> Result<Vec<String>, StoreError> {
        self.tree(index)
            .scan_prefix(keys::prefix(owner))
            .map(|entry| {
                let (k, _) = entry.map_err(storage("reading an index"))?;
                keys::second_part(&k).ok_or_else(|| corrupt(index, &k, "no UTF-8 id after the separator"))
            })
            .collect()
    }

    /// Phase 1 of a write: the redo log. Everything that can be refused is checked here, before
    /// the commit point, so a refused write leaves only uncommitted chunks behind.
    fn write(
        &self,
        upsert: &Bundle,
        del: &Deletions<'_>,
        progress: &dyn Fn(u64, u64),
    ) -> Result<u64, StoreError> {
        if upsert.version != BUNDLE_VERSION {
            return Err(StoreError::UnsupportedBundleVersion {
                found: upsert.version,
                expected: BUNDLE_VERSION,
            });
        }
        let _writer = self
            .inner
            .writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let revision = self.revision() + 1;
        let total = 2 * (upsert.record_count()
            + del.regions.len()
            + del.chains.len()
            + del.organizations.len()
            + del.supplies.len()
            + del.problems.len()) as u64;
        let mut log = LogWriter {
            tree: &self.inner.log,
            revision,
            seq: 0,
            chunk: log::ChunkBuilder::default(),
            done: 0,
            total,
            progress,
        };
        let result = self.write_log(upsert, del, &mut log);
        if let Err(e) = result.and_then(|()| log.finish()) {
            // Nothing is committed; drop the partial log so it does not wait for the next open.
            let _ = self.inner.log.clear();
            return Err(e);
        }
        self.inner.db.flush().map_err(storage("flushing the redo log"))?;

        self.inner
            .meta
            .insert(META_COMMIT, &revision.to_be_bytes())
            .map_err(storage("writing the commit marker"))?;
        self.inner
            .db
            .flush()
            .map_err(storage("flushing the commit marker"))?;

        let done = std::cell::Cell::new(log.done);
        self.replay(revision, &|records| {
            done.set(done.get() + records);
            progress(done.get().min(total), total);
        })?;
        Ok(revision)
    }

    fn write_log(
        &self,
        upsert: &Bundle,
        del: &Deletions<'_>,
        log: &mut LogWriter<'_>,
    ) -> Result<(), StoreError> {
        // Regions and chains own no index entries: a put or a remove of the record is all.
        let regions = last_wins(&upsert.regions, |r| &r.code);
        for r in &regions {
            keys::check_id("region", &r.code)?;
        }
        for code in not_upserted(del.regions, &regions, |r| &r.code) {
            log.chunk.remove(TreeId::Regions, code.as_bytes());
            log.record_done()?;
        }
        for r in regions {
            log.chunk
                .put(TreeId::Regions, r.code.as_bytes(), &to_json(r));
            log.record_done()?;
        }

        let chains = last_wins(&upsert.chains, |c| &c.id);
        for c in &chains {
            keys::check_id("chain", &c.id)?;
        }
        for id in not_upserted(del.chains, &chains, |c| &c.id) {
            log.chunk.remove(TreeId::Chains, id.as_bytes());
            log.record_done()?;
        }
        for c in chains {
            log.chunk.put(TreeId::Chains, c.id.as_bytes(), &to_json(c));
            log.record_done()?;
        }

        let orgs = last_wins(&upsert.organizations, |o| &o.id);
        for o in &orgs {
            keys::check_organization(o)?;
        }
        for id in not_upserted(del.organizations, &orgs, |o| &o.id) {
            if let Some(old) = self.get::<Organization>(TreeId::Organizations, id)? {
                for (t, k) in keys::organization_index_keys(&old) {
                    log.chunk.remove(t, &k);
                }
                log.chunk.remove(TreeId::Organizations, id.as_bytes());
            }
            log.record_done()?;
        }
        for o in orgs {
            let new_keys = keys::organization_index_keys(o);
            if let Some(old) = self.get::<Organization>(TreeId::Organizations, &o.id)? {
                for (t, k) in keys::organization_index_keys(&old) {
                    if !new_keys.iter().any(|(nt, nk)| *nt == t && *nk == k) {
                        log.chunk.remove(t, &k);
                    }
                }
            }
            for (t, k) in &new_keys {
                log.chunk.put(*t, k, &[]);
            }
            log.chunk
                .put(TreeId::Organizations, o.id.as_bytes(), &to_json(o));
            log.record_done()?;
        }

        for s in upsert.supplies.iter().chain(del.supplies) {
            keys::check_supply(s)?;
        }
        // A supply's index keys follow from its key, so neither a put nor a remove reads the
        // trees; only a supply both deleted and upserted needs care (the upsert wins).
        let upserted: HashSet<&Supply> = if del.supplies.is_empty() {
            HashSet::new()
        } else {
            upsert.supplies.iter().collect()
        };
        for s in del.supplies {
            if !upserted.contains(s) {
                log.chunk.remove_supply(&keys::supply_key(s));
            }
            log.record_done()?;
        }
        for s in &upsert.supplies {
            log.chunk.put_supply(&keys::supply_key(s));
            log.record_done()?;
        }

        let problems = last_wins(&upsert.problems, |p| &p.id);
        for p in &problems {
            keys::check_problem(p)?;
        }
        for id in not_upserted(del.problems, &problems, |p| &p.id) {
            if let Some(old) = self.get::<Problem>(TreeId::Problems, id)? {
                let (t, k) = keys::problem_index_key(&old);
                log.chunk.remove(t, &k);
                log.chunk.remove(TreeId::Problems, id.as_bytes());
            }
            log.record_done()?;
        }
        for p in problems {
            let (t, k) = keys::problem_index_key(p);
            if let Some(old) = self.get::<Problem>(TreeId::Problems, &p.id)? {
                let (old_t, old_k) = keys::problem_index_key(&old);
                if old_k != k {
                    log.chunk.remove(old_t, &old_k);
                }
            }
            log.chunk.put(t, &k, &[]);
            log.chunk
                .put(TreeId::Problems, p.id.as_bytes(), &to_json(p));
            log.record_done()?;
        }
        Ok(())
    }

    /// Phases 3 and 4: applies the committed log of `revision` and cleans it up. Idempotent, so
    /// recovery can run it again after a crash at any point.
    fn replay(&self, revision: u64, applied: &dyn Fn(u64)) -> Result<(), StoreError> {
        for entry in self.inner.log.scan_prefix(revision.to_be_bytes()) {
            let (key, chunk) = entry.map_err(storage("reading the redo log"))?;
            let seq = key
                .get(8..16)
                .and_then(decode_u64)
                .unwrap_or(u64::MAX);
            let records = self
                .apply_chunk(&chunk)
                .map_err(|reason| StoreError::CorruptLog {
                    revision,
                    chunk: seq,
                    reason,
                })??;
            applied(records);
        }
        self.inner
            .meta
            .insert(META_REVISION, &revision.to_be_bytes())
            .map_err(storage("writing the revision"))?;
        self.inner
            .db
            .flush()
            .map_err(storage("flushing the applied write"))?;
        self.inner.revision.store(revision, Ordering::SeqCst);

        self.inner
            .meta
            .remove(META_COMMIT)
            .map_err(storage("removing the commit marker"))?;
        self.inner
            .log
            .clear()
            .map_err(storage("clearing the redo log"))?;
        self.inner
            .db
            .flush()
            .map_err(storage("flushing the cleared redo log"))?;
        Ok(())
    }

    /// Applies one chunk: one batch per tree it touches. The outer error is a chunk that does
    /// not decode; the inner one a storage failure.
    fn apply_chunk(&self, chunk: &[u8]) -> Result<Result<u64, StoreError>, String> {
        let (records, ops) = log::decode(chunk)?;
        let mut batches: Vec<Option<sled::Batch>> = TreeId::ALL.iter().map(|_| None).collect();
        fn batch(batches: &mut [Option<sled::Batch>], t: TreeId) -> &mut sled::Batch {
            batches[t as usize].get_or_insert_with(sled::Batch::default)
        }
        for op in ops {
            match op? {
                log::Op::Put(t, k, v) => batch(&mut batches, t).insert(k, v),
                log::Op::Remove(t, k) => batch(&mut batches, t).remove(k),
                log::Op::PutSupply(key) => {
                    let (supplier, customer) =
                        keys::supply_ends(key).ok_or("supply key without four parts")?;
                    batch(&mut batches, TreeId::SuppliersOfFirm)
                        .insert(keys::supply_index_key(customer, key), &[]);
                    batch(&mut batches, TreeId::CustomersOfFirm)
                        .insert(keys::supply_index_key(supplier, key), &[]);
                    batch(&mut batches, TreeId::Supplies).insert(key, &[]);
                }
                log::Op::RemoveSupply(key) => {
                    let (supplier, customer) =
                        keys::supply_ends(key).ok_or("supply key without four parts")?;
                    batch(&mut batches, TreeId::SuppliersOfFirm).remove(keys::supply_index_key(customer, key));
                    batch(&mut batches, TreeId::CustomersOfFirm).remove(keys::supply_index_key(supplier, key));
                    batch(&mut batches, TreeId::Supplies).remove(key);
                }
            }
        }
        for (t, b) in TreeId::ALL.iter().zip(batches) {
            if let Some(b) = b {
                if let Err(source) = self.tree(*t).apply_batch(b) {
                    return Ok(Err(StoreError::Storage {
                        during: "applying the redo log",
                        source,
                    }));
                }
            }
        }
        Ok(Ok(records))
    }

    /// Finishes a committed write, or drops an uncommitted one.
    fn recover(&self) -> Result<(), StoreError> {
        let _writer = self
            .inner
            .writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match self
            .inner
            .meta
            .get(META_COMMIT)
            .map_err(storage("reading the commit marker"))?
        {
            Some(v) => {
                let revision = decode_u64(&v).ok_or_else(|| StoreError::CorruptLog {
                    revision: 0,
                    chunk: 0,
                    reason: format!("commit marker of {} bytes, expected 8", v.len()),
                })?;
                tracing::info!(revision, "finishing a write interrupted after its commit");
                self.replay(revision, &|_| {})
            }
            None if !self.inner.log.is_empty() => {
                tracing::info!("dropping the redo log of a write interrupted before its commit");
                self.inner
                    .log
                    .clear()
                    .map_err(storage("clearing an uncommitted redo log"))?;
                self.inner
                    .db
                    .flush()
                    .map_err(storage("flushing the cleared redo log"))?;
                Ok(())
            }
            None => Ok(()),
        }
    }
}

/// Writes chunks of the redo log as they fill.
struct LogWriter<'a> {
    tree: &'a sled::Tree,
    revision: u64,
    seq: u64,
    chunk: log::ChunkBuilder,
    done: u64,
    total: u64,
    progress: &'a dyn Fn(u64, u64),
}

impl LogWriter<'_> {
    fn record_done(&mut self) -> Result<(), StoreError> {
        self.chunk.record_done();
        if self.chunk.records() >= CHUNK_RECORDS {
            self.write_chunk()?;
        }
        Ok(())
    }

    fn write_chunk(&mut self) -> Result<(), StoreError> {
        let records = self.chunk.records();
        let bytes = self.chunk.take();
        self.tree
            .insert(log::chunk_key(self.revision, self.seq), bytes)
            .map_err(storage("writing the redo log"))?;
        self.seq += 1;
        self.done += records;
        (self.progress)(self.done, self.total);
        Ok(())
    }

    fn finish(&mut self) -> Result<(), StoreError> {
        if !self.chunk.is_empty() {
            self.write_chunk()?;
        }
        Ok(())
    }
}

/// The records of `items` that survive "later duplicates win", in their first-seen order of
/// survival (the order does not matter: ids are distinct afterwards).
fn last_wins<T>(items: &[T], id: fn(&T) -> &String) -> Vec<&T> {
    let mut last: HashMap<&str, usize> = HashMap::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        last.insert(id(item), i);
    }
    items
        .iter()
        .enumerate()
        .filter(|(i, item)| last[id(item).as_str()] == *i)
        .map(|(_, item)| item)
        .collect()
}

/// The deleted ids that the same write does not upsert again (deletes come first, so an
/// upsert of a deleted id wins).
fn not_upserted<'a, T>(
    deleted: &'a [String],
    upserted: &[&T],
    id: fn(&T) -> &String,
) -> Vec<&'a String> {
    let upserted: HashSet<&str> = if deleted.is_empty() {
        HashSet::new()
    } else {
        upserted.iter().map(|item| id(item).as_str()).collect()
    };
    deleted
        .iter()
        .filter(|d| !upserted.contains(d.as_str()))
        .collect()
}

fn to_json<T: serde::Serialize>(record: &T) -> Vec<u8> {
    serde_json::to_vec(record).expect("model records serialize to JSON")
}

fn decode_u64(bytes: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(bytes.try_into().ok()?))
}

fn corrupt(t: TreeId, key: &[u8], reason: impl ToString) -> StoreError {
    StoreError::CorruptRecord {
        tree: t.name(),
        key: String::from_utf8_lossy(key).into_owned(),
        reason: reason.to_string(),
    }
}

fn decode_record<T: DeserializeOwned>(t: TreeId, key: &[u8], value: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(value).map_err(|e| corrupt(t, key, e))
}

fn decode_supply_key(t: TreeId, key: &[u8]) -> Result<Supply, StoreError> {
    keys::decode_supply(key).ok_or_else(|| corrupt(t, key, "not a supply key"))
}

/// Lookups cannot return errors: a storage failure is logged and reads as "not stored", which
/// makes validation refuse the reference instead of accepting it blindly.
impl Lookup for Store {
    fn chain(&self, id: &str) -> Option<Chain> {
        logged(self.get(TreeId::Chains, id)).flatten()
    }

    fn organization(&self, id: &str) -> Option<Organization> {
        logged(self.get(TreeId::Organizations, id)).flatten()
    }

    fn problem(&self, id: &str) -> Option<Problem> {
        logged(self.get(TreeId::Problems, id)).flatten()
    }

    fn has_supply(&self, supply: &Supply) -> bool {
        if keys::check_supply(supply).is_err() {
            return false;
        }
        logged(
            self.tree(TreeId::Supplies)
                .contains_key(keys::supply_key(supply))
                .map_err(storage("reading a supply")),
        )
        .unwrap_or(false)
    }

    fn supplies_touching(&self, org: &str) -> Vec<Supply> {
        let mut all = logged(self.suppliers_of(org)).unwrap_or_default();
        // A supply from a firm to itself is in both indexes; report it once.
        all.extend(
            logged(self.customers_of(org))
                .unwrap_or_default()
                .into_iter()
                .filter(|s| s.customer != org),
        );
        all
    }

    fn problems_of(&self, org: &str) -> Vec<Problem> {
        logged(self.problems_of_org(org)).unwrap_or_default()
    }
}

fn logged<T>(result: Result<T, StoreError>) -> Option<T> {
    result
        .map_err(|error| tracing::error!(%error, "store lookup failed"))
        .ok()
}
