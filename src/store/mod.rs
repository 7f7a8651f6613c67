//! The durable store: the only module that knows sled.
//!
//! It owns one sled tree per record kind (`regions`, `chains`, `organizations`, `supplies`,
//! `problems`, `projects`, `consortia`, `policy-tools`, `goals`; values are compact JSON, a
//! supply lives in its key), the index trees the API
//! queries (`customers-of-firm`, `members-of-chain`, `problems-of-firm`,
//! `providers-by-capability`; the `supplies` tree, keyed by customer first, is the
//! suppliers-of-firm index), a `meta` tree (format version, revision, commit marker) and the
//! `log` tree of the redo log. Logical entries are packed into pages (see [`page`]), because
//! sled cannot hold millions of small keys in time and memory. The store does not validate
//! documents beyond what its key encoding needs (`crate::validate` does that), and it never
//! deletes records that refer to a deleted one: it mirrors [`Dataset::apply`] exactly.
//!
//! # Writes: all or nothing, at any size
//!
//! One sled transaction over every tree cannot hold a million-record import, so a write is made
//! atomic by a redo log (see [`log`]):
//!
//! 1. the whole change is written as chunks of idempotent operations under `log/revision/*`,
//!    sorted by tree, page and key, with index removals computed from the old records; `flush`;
//! 2. the commit marker `meta/commit = revision` is written and flushed: **the commit point**;
//! 3. the log is replayed: every touched page is read, merged with its operations and written
//!    back once; `meta/revision` is set and everything flushed;
//! 4. the marker is removed and the log cleared, and flushed before the write returns.
//!
//! [`Store::open`] recovers: a marker means the write committed, so its log is replayed (again:
//! merging is idempotent) and cleaned up; chunks without a marker belong to a write that never
//! committed and are dropped. Replaying is the same code as a normal write, so every write
//! exercises recovery. A mutex keeps one writer at a time; readers are never blocked (they may
//! see a write that is being replayed half done, like any reader of sled outside a
//! transaction).

mod disclosure;
mod history;
mod keys;
mod log;
mod page;
mod tokens;

pub use history::Undo;
pub use tokens::{PendingAudit, TokenFile};

use crate::model::access::{AccessRole, AuditEntry, Token};
use crate::model::{
    Bundle, Chain, ChangeSet, Consortium, Dataset, Goal, Lookup, Organization, PolicyTool, Problem,
    Project, Revision, Supply, SupplyList, WriteNote, BUNDLE_VERSION,
};
use keys::TreeId;
use rayon::prelude::*;
use serde::de::DeserializeOwned;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// The on-disk format this build reads and writes (`meta/format`).
pub const STORE_FORMAT: u64 = 1;

/// Records decoded in parallel at a time by [`Store::load`].
const LOAD_BATCH: usize = 1 << 16;

/// The size of one redo-log chunk: big enough that per-chunk costs vanish, small enough to stay
/// a trifle in memory.
const CHUNK_BYTES: usize = 1 << 20;

/// sled's page cache. The trees of a million-firm store exceed it; sled pages the rest. The
/// server answers reads from its `Dataset`, and a write reads only the pages it changes, so
/// a bigger cache mostly holds the pages `load` read once.
const CACHE_BYTES: u64 = 256 << 20;

/// The most characters an audit entry keeps of its actor, action or outcome.
pub const AUDIT_TEXT_CHARS: usize = 300;

/// `text`, or its first `max` characters followed by `…[cut: N chars in all]` when it is longer.
pub fn capped(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((end, _)) => format!(
            "{}…[cut: {} chars in all]",
            &text[..end],
            text.chars().count()
        ),
    }
}

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
    /// Another process holds the store (sled lets one process open it): usually a running
    /// `qmap serve`.
    #[error("the store at {} is in use by another qmap process (a running `qmap serve`?)", dir.display())]
    InUse { dir: PathBuf },
    /// A file beside the sled store (the token file) could not be read or written.
    #[error("{during} ({}) failed: {source}", path.display())]
    File {
        path: PathBuf,
        during: &'static str,
        source: std::io::Error,
    },
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
    /// A revision after the latest was asked for.
    #[error("revision {asked} does not exist (the latest is {latest})")]
    UnknownRevision { asked: u64, latest: u64 },
    /// The data as of a revision cannot be rebuilt: a later revision has no history.
    #[error(
        "revision {asked} can no longer be read: revision {missing} has no history (written \
         before this build kept history)"
    )]
    NotKept { asked: u64, missing: u64 },
    /// A redo-log chunk or commit marker that does not decode.
    #[error("corrupt redo log of revision {revision}, chunk {chunk}: {reason}")]
    CorruptLog {
        revision: u64,
        chunk: u64,
        reason: String,
    },
}

/// Why [`Store::export_json`] failed: reading the store, or writing the output.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Write(#[from] std::io::Error),
}

/// Key and value byte strings packed in two buffers, a few bytes of bookkeeping per entry
/// instead of two allocations: how an export holds millions of entries to sort them.
#[derive(Default)]
struct Arena {
    bytes: Vec<u8>,
    /// `(start, key length, value length)` of each entry in `bytes`.
    entries: Vec<(usize, u32, u32)>,
}

impl Arena {
    fn push(&mut self, key: &[u8], value: &[u8]) {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(key);
        self.bytes.extend_from_slice(value);
        self.entries
            .push((start, key.len() as u32, value.len() as u32));
    }

    fn entry(&self, (start, k, v): (usize, u32, u32)) -> (&[u8], &[u8]) {
        let key_end = start + k as usize;
        (
            &self.bytes[start..key_end],
            &self.bytes[key_end..key_end + v as usize],
        )
    }

    /// The entries in key order. They are pushed page by page, each page in key order: the
    /// stable sort finds those runs and merges them.
    fn sorted(&mut self) -> impl Iterator<Item = (&[u8], &[u8])> {
        let mut entries = std::mem::take(&mut self.entries);
        entries.sort_by(|a, b| self.entry(*a).0.cmp(self.entry(*b).0));
        self.entries = entries;
        self.entries.iter().map(|e| self.entry(*e))
    }
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
    pub projects: usize,
    pub consortia: usize,
    pub policy_tools: usize,
    pub goals: usize,
    pub capabilities: usize,
    pub notices: usize,
    pub revision: u64,
}

impl ImportSummary {
    /// The counts of `bundle`, with `packed` more supplies, written as `revision`.
    pub fn of(bundle: &Bundle, packed: usize, revision: u64) -> ImportSummary {
        ImportSummary {
            regions: bundle.regions.len(),
            chains: bundle.chains.len(),
            organizations: bundle.organizations.len(),
            supplies: bundle.supplies.len() + packed,
            problems: bundle.problems.len(),
            projects: bundle.projects.len(),
            consortia: bundle.consortia.len(),
            policy_tools: bundle.policy_tools.len(),
            goals: bundle.goals.len(),
            capabilities: bundle.capabilities.len(),
            notices: bundle.notices.len(),
            revision,
        }
    }

    /// Records of every kind.
    pub fn records(&self) -> usize {
        self.regions
            + self.chains
            + self.organizations
            + self.supplies
            + self.problems
            + self.projects
            + self.consortia
            + self.policy_tools
            + self.goals
            + self.capabilities
            + self.notices
    }
}

/// The members', supplies' and problems' records of some chains (see
/// [`Store::chain_holdings`]).
pub type ChainRecords = (Vec<Organization>, Vec<Supply>, Vec<Problem>);

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
    /// API tokens, in a file beside sled so that other processes can change them while this
    /// one holds the store (see [`tokens`]).
    tokens: TokenFile,
    /// The audit log: big-endian sequence number → JSON entry.
    audit: sled::Tree,
    /// Every revision's record (see [`history`]): `revision u64 BE` → JSON.
    revisions: sled::Tree,
    /// Every revision's undo: `revision ++ chunk number` → redo-log chunk.
    history: sled::Tree,
    /// Results derived from the records (e.g. the chain list's figures), each stored with the
    /// revision it reflects; never part of a write's commit (see [`Store::put_derived`]).
    derived: sled::Tree,
    /// Disclosure requests: id → JSON (see [`disclosure`]).
    disclosure_requests: sled::Tree,
    /// Serializes audit appends so sequence numbers are dense.
    audit_lock: Mutex<()>,
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
    projects: &'a [String],
    consortia: &'a [String],
    policy_tools: &'a [String],
    goals: &'a [String],
    capabilities: &'a [String],
    notices: &'a [String],
}

impl<'a> Deletions<'a> {
    fn of(change: &'a ChangeSet) -> Deletions<'a> {
        Deletions {
            regions: &change.delete_regions,
            chains: &change.delete_chains,
            organizations: &change.delete_organizations,
            supplies: &change.delete_supplies,
            problems: &change.delete_problems,
            projects: &change.delete_projects,
            consortia: &change.delete_consortia,
            policy_tools: &change.delete_policy_tools,
            goals: &change.delete_goals,
            capabilities: &change.delete_capabilities,
            notices: &change.delete_notices,
        }
    }

    /// Records of every kind.
    fn len(&self) -> usize {
        self.regions.len()
            + self.chains.len()
            + self.organizations.len()
            + self.supplies.len()
            + self.problems.len()
            + self.projects.len()
            + self.consortia.len()
            + self.policy_tools.len()
            + self.goals.len()
            + self.capabilities.len()
            + self.notices.len()
    }
}

fn storage(during: &'static str) -> impl FnOnce(sled::Error) -> StoreError {
    move |source| StoreError::Storage { during, source }
}

impl Store {
    /// Opens the store in `dir`, creating it if missing, and finishes or drops a write that a
    /// crash interrupted.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        Store::open_with_cache(dir, CACHE_BYTES)
    }

    /// [`Store::open`] with a page cache of `cache_bytes` (the default is 256 MiB): a smaller
    /// one for a command that reads or writes every page once (an export, a bulk import),
    /// where a cache only adds resident memory.
    pub fn open_with_cache(dir: &Path, cache_bytes: u64) -> Result<Store, StoreError> {
        let open_err = |source: sled::Error| match &source {
            // sled's words when another process holds the lock on its files.
            sled::Error::Io(e) if e.to_string().contains("could not acquire lock") => {
                StoreError::InUse {
                    dir: dir.to_path_buf(),
                }
            }
            _ => StoreError::Open {
                dir: dir.to_path_buf(),
                source,
            },
        };
        let db = sled::Config::new()
            .path(dir)
            .cache_capacity(cache_bytes)
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
        // Tokens lived in this tree before they moved to the token file; it is emptied into
        // the file below.
        let old_tokens = db.open_tree("tokens").map_err(open_err)?;
        let audit = db.open_tree("audit").map_err(open_err)?;
        let derived = db.open_tree("derived").map_err(open_err)?;
        let revisions = db.open_tree("revisions").map_err(open_err)?;
        let history = db.open_tree("history").map_err(open_err)?;
        let disclosure_requests = db
            .open_tree(TreeId::DisclosureRequests.name())
            .map_err(open_err)?;

        match meta
            .get(META_FORMAT)
            .map_err(storage("reading the format"))?
        {
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
        let revision = match meta
            .get(META_REVISION)
            .map_err(storage("reading the revision"))?
        {
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
                tokens: TokenFile::open(dir)?,
                audit,
                revisions,
                history,
                derived,
                disclosure_requests,
                audit_lock: Mutex::new(()),
                revision: AtomicU64::new(revision),
                writer: Mutex::new(()),
            }),
        };
        store.recover()?;
        store.migrate_tokens(&old_tokens)?;
        store.move_pending_audit()?;
        Ok(store)
    }

    /// Moves the tokens of the `tokens` tree (where earlier builds kept them) into the token
    /// file, then empties the tree. A token already in the file keeps its version there. Safe to
    /// repeat after a crash at any point.
    fn migrate_tokens(&self, tree: &sled::Tree) -> Result<(), StoreError> {
        if tree.is_empty() {
            return Ok(());
        }
        let mut old = Vec::new();
        for entry in tree.iter() {
            let (key, value) = entry.map_err(storage("reading tokens"))?;
            old.push(decode_json::<Token>(
                "tokens",
                &String::from_utf8_lossy(&key),
                &value,
            )?);
        }
        self.inner.tokens.update(|tokens| {
            for token in old {
                tokens.by_id.entry(token.id.clone()).or_insert(token);
            }
            Ok(())
        })?;
        tree.clear().map_err(storage("clearing the old tokens"))?;
        self.flush_all("flushing the cleared tokens")?;
        tracing::info!(
            "moved the API tokens into {}",
            self.dir().join("tokens.json").display()
        );
        Ok(())
    }

    /// Moves the audit entries that waited in the token file into the audit log. An entry is
    /// removed from the file only after the audit log holds it, so a crash in between may record
    /// it twice but never loses it.
    fn move_pending_audit(&self) -> Result<(), StoreError> {
        if self.inner.tokens.current()?.0.pending_audit.is_empty() {
            return Ok(());
        }
        self.inner.tokens.update(|tokens| {
            for p in &tokens.pending_audit {
                self.append_audit(p.at, &p.actor, p.role, &p.action, &p.outcome)?;
            }
            tokens.pending_audit.clear();
            Ok(())
        })
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
        self.import_packed(bundle, &SupplyList::new(), progress)
    }

    /// [`Store::import_with_progress`] of `bundle` and of the supplies of `packed` (upserted
    /// with the bundle's own): how an import of millions of supplies avoids holding them as
    /// records.
    pub fn import_packed(
        &self,
        bundle: &Bundle,
        packed: &SupplyList,
        progress: &dyn Fn(u64, u64),
    ) -> Result<ImportSummary, StoreError> {
        let deletions = Deletions::default();
        if bundle.version != BUNDLE_VERSION {
            return Err(StoreError::UnsupportedBundleVersion {
                found: bundle.version,
                expected: BUNDLE_VERSION,
            });
        }
        let revision = self
            .write(bundle, packed, &deletions, &WriteNote::default(), progress)?
            .revision;
        Ok(ImportSummary::of(bundle, packed.len(), revision))
    }

    /// Applies a change (deletes, then upserts, as [`Dataset::apply`]), all or nothing; durable
    /// when it returns `Ok`. Returns the new revision. The version of `change.upsert` is not
    /// checked: `ChangeSet::default()` (version 0) is the usual start of a delete-only change.
    pub fn apply(&self, change: &ChangeSet) -> Result<u64, StoreError> {
        let deletions = Deletions::of(change);
        self.write(
            &change.upsert,
            &SupplyList::new(),
            &deletions,
            &WriteNote::default(),
            &|_, _| {},
        )
        .map(|r| r.revision)
    }

    /// The general write: `change` (deletes, then upserts, as [`Dataset::apply`]) plus the
    /// supplies of `packed` upserted with it, all or nothing, recorded as a revision described
    /// by `note`; durable when it returns `Ok`. Returns the new revision's record.
    pub fn commit(
        &self,
        change: &ChangeSet,
        packed: &SupplyList,
        note: &WriteNote,
        progress: &dyn Fn(u64, u64),
    ) -> Result<Revision, StoreError> {
        if change.upsert.record_count() > 0 && change.upsert.version != BUNDLE_VERSION {
            return Err(StoreError::UnsupportedBundleVersion {
                found: change.upsert.version,
                expected: BUNDLE_VERSION,
            });
        }
        let deletions = Deletions::of(change);
        self.write(&change.upsert, packed, &deletions, note, progress)
    }

    /// The record of every revision that has one (every revision written by a build that keeps
    /// history), oldest first.
    pub fn revisions(&self) -> Result<Vec<Revision>, StoreError> {
        Ok(history::revisions(self)?
            .into_iter()
            .map(|s| s.revision)
            .collect())
    }

    /// What turns the data at revision `from` (at most the current one) back into the data right
    /// after revision `target`: `UnknownRevision` when `target` is after `from`, `NotKept` when
    /// a revision in between has no history. O(records changed in between).
    ///
    /// Needs no lock: the history of committed revisions never changes (only that of a write
    /// still in progress, after the current revision, may be dropped).
    pub fn undo(&self, target: u64, from: u64) -> Result<Undo, StoreError> {
        let latest = from.min(self.revision());
        if target > latest {
            return Err(StoreError::UnknownRevision {
                asked: target,
                latest,
            });
        }
        history::undo(self, target, latest)
    }

    /// Every record, for the server and the analyses.
    ///
    /// Pages hold records in hash order; inserting millions of them in that order into ordered
    /// collections is a cache miss per comparison. So each kind is first gathered as stored
    /// bytes, sorted by key, decoded in parallel a batch at a time, and inserted in key order.
    pub fn load(&self) -> Result<Dataset, StoreError> {
        let mut d = Dataset::new();
        // Collected from records in key order: an ordered collection builds from sorted input
        // without searching for each record's place.
        d.regions = self.load_records(TreeId::Regions)?.into_iter().collect();
        d.chains = self.load_records(TreeId::Chains)?.into_iter().collect();
        d.organizations = self
            .load_records(TreeId::Organizations)?
            .into_iter()
            .collect();
        let mut keys = Arena::default();
        self.for_each_entry(TreeId::Supplies, |k, _| {
            let supply_key = keys::supply_of_index_key(k)
                .ok_or_else(|| corrupt(TreeId::Supplies, k, "not a supply key"))?;
            keys.push(supply_key, &[]);
            Ok(())
        })?;
        // The byte order of supply keys is the order of supplies (see `export_json`).
        let sorted: Vec<&[u8]> = keys.sorted().map(|(k, _)| k).collect();
        let mut supplies = Vec::with_capacity(sorted.len());
        for batch in sorted.chunks(LOAD_BATCH) {
            let decoded: Vec<Option<Supply>> =
                batch.par_iter().map(|k| keys::decode_supply(k)).collect();
            for (k, supply) in batch.iter().zip(decoded) {
                supplies
                    .push(supply.ok_or_else(|| corrupt(TreeId::Supplies, k, "not a supply key"))?);
            }
        }
        drop(sorted);
        drop(keys);
        d.supplies = supplies.into_iter().collect();
        d.problems = self.load_records(TreeId::Problems)?.into_iter().collect();
        d.projects = self.load_records(TreeId::Projects)?.into_iter().collect();
        d.consortia = self.load_records(TreeId::Consortia)?.into_iter().collect();
        d.policy_tools = self
            .load_records(TreeId::PolicyTools)?
            .into_iter()
            .collect();
        d.goals = self.load_records(TreeId::Goals)?.into_iter().collect();
        d.capabilities = self
            .load_records(TreeId::Capabilities)?
            .into_iter()
            .collect();
        d.notices = self.load_records(TreeId::Notices)?.into_iter().collect();
        Ok(d)
    }

    /// What the chains `chains` hold: their members' records, their supplies and their problems,
    /// in one pass over each tree (what a replacing import compares the file with).
    ///
    /// Complexity: O(N) page reads and key decodes over the whole store, decoding only the
    /// records of those chains: cheaper than a lookup per member once a chain has more than a
    /// few hundred members.
    pub fn chain_holdings(&self, chains: &HashSet<&str>) -> Result<ChainRecords, StoreError> {
        let mut member_ids: HashSet<Vec<u8>> = HashSet::new();
        for chain in chains {
            for id in self.members_of_chain(chain)? {
                member_ids.insert(id.into_bytes());
            }
        }
        let mut members = Vec::new();
        self.for_each_entry(TreeId::Organizations, |k, v| {
            if member_ids.contains(k) {
                members.push(decode_record(TreeId::Organizations, k, v)?);
            }
            Ok(())
        })?;
        let mut supplies = Vec::new();
        self.for_each_entry(TreeId::Supplies, |k, _| {
            // Only supplies whose customer is a member can be on those chains.
            let customer = k.split(|b| *b == keys::SEP).next().unwrap_or_default();
            if member_ids.contains(customer) {
                let s = decode_supply_entry(TreeId::Supplies, k)?;
                if chains.contains(s.chain.as_str()) {
                    supplies.push(s);
                }
            }
            Ok(())
        })?;
        let mut problems = Vec::new();
        self.for_each_entry(TreeId::Problems, |k, v| {
            let p: Problem = decode_record(TreeId::Problems, k, v)?;
            if chains.contains(p.chain.as_str()) {
                problems.push(p);
            }
            Ok(())
        })?;
        Ok((members, supplies, problems))
    }

    /// The capability catalogue, in code order: one small tree, read without the rest.
    pub fn catalogue(&self) -> Result<Vec<crate::model::CatalogueEntry>, StoreError> {
        Ok(self
            .load_records(TreeId::Capabilities)?
            .into_iter()
            .map(|(_, e)| e)
            .collect())
    }

    /// The records of one record tree with their ids, in id order (see [`Store::load`]).
    fn load_records<T: DeserializeOwned + Send>(
        &self,
        t: TreeId,
    ) -> Result<Vec<(String, T)>, StoreError> {
        let mut records = Arena::default();
        self.for_each_entry(t, |k, v| {
            records.push(k, v);
            Ok(())
        })?;
        let sorted: Vec<(&[u8], &[u8])> = records.sorted().collect();
        let mut all = Vec::with_capacity(sorted.len());
        for batch in sorted.chunks(LOAD_BATCH) {
            let decoded: Vec<Result<(String, T), StoreError>> = batch
                .par_iter()
                .map(|(k, v)| Ok((id_of(t, k)?, decode_record(t, k, v)?)))
                .collect();
            for record in decoded {
                all.push(record?);
            }
        }
        Ok(all)
    }

    /// Every record as a bundle, every list in key order: `load()?.to_bundle()`.
    pub fn export(&self) -> Result<Bundle, StoreError> {
        Ok(self.load()?.to_bundle())
    }

    /// Writes what [`Store::export`] returns, serialized as compact JSON (the bytes of
    /// `serde_json::to_writer(out, &store.export()?)`), without holding the records: one kind
    /// at a time, its keys and stored values gathered compactly, sorted, and each record decoded
    /// and written in turn. Memory is bounded by the stored bytes of the largest kind.
    pub fn export_json<W: std::io::Write>(&self, out: &mut W) -> Result<(), ExportError> {
        out.write_all(format!("{{\"version\":{BUNDLE_VERSION}").as_bytes())?;
        self.export_records::<crate::model::Region, W>(TreeId::Regions, "regions", out)?;
        // Left out when empty, as serde does (a store without a catalogue exports what
        // earlier builds did).
        self.export_records_if_any::<crate::model::CatalogueEntry, W>(
            TreeId::Capabilities,
            "capabilities",
            out,
        )?;
        self.export_records::<Chain, W>(TreeId::Chains, "chains", out)?;
        self.export_records::<Organization, W>(TreeId::Organizations, "organizations", out)?;

        // Supplies: the key order of the supplies tree is the customer first; a bundle lists
        // them by (chain, supplier, customer, part), which is the byte order of the supply key
        // (its parts joined by 0x00, a byte no id holds).
        let mut keys = Arena::default();
        self.for_each_entry(TreeId::Supplies, |k, _| {
            let supply_key = keys::supply_of_index_key(k)
                .ok_or_else(|| corrupt(TreeId::Supplies, k, "not a supply key"))?;
            keys.push(supply_key, &[]);
            Ok(())
        })?;
        out.write_all(b",\"supplies\":[")?;
        for (i, (key, _)) in keys.sorted().enumerate() {
            let supply = keys::decode_supply(key)
                .ok_or_else(|| corrupt(TreeId::Supplies, key, "not a supply key"))?;
            if i > 0 {
                out.write_all(b",")?;
            }
            serde_json::to_writer(&mut *out, &supply).map_err(std::io::Error::from)?;
        }
        out.write_all(b"]")?;
        drop(keys);

        self.export_records::<Problem, W>(TreeId::Problems, "problems", out)?;
        // The arrays a bundle leaves out when they are empty (as serde does, so that a store
        // without them exports what earlier builds did).
        self.export_records_if_any::<Project, W>(TreeId::Projects, "projects", out)?;
        self.export_records_if_any::<Consortium, W>(TreeId::Consortia, "consortia", out)?;
        self.export_records_if_any::<PolicyTool, W>(TreeId::PolicyTools, "policy_tools", out)?;
        self.export_records_if_any::<Goal, W>(TreeId::Goals, "goals", out)?;
        self.export_records_if_any::<crate::model::Notice, W>(TreeId::Notices, "notices", out)?;
        out.write_all(b"}")?;
        Ok(())
    }

    /// `,"name":[…]`: the records of one record tree in id order.
    fn export_records<T: DeserializeOwned + serde::Serialize, W: std::io::Write>(
        &self,
        t: TreeId,
        name: &str,
        out: &mut W,
    ) -> Result<(), ExportError> {
        self.write_records::<T, W>(t, name, out, true)
    }

    /// [`Store::export_records`], writing nothing when the tree is empty.
    fn export_records_if_any<T: DeserializeOwned + serde::Serialize, W: std::io::Write>(
        &self,
        t: TreeId,
        name: &str,
        out: &mut W,
    ) -> Result<(), ExportError> {
        self.write_records::<T, W>(t, name, out, false)
    }

    fn write_records<T: DeserializeOwned + serde::Serialize, W: std::io::Write>(
        &self,
        t: TreeId,
        name: &str,
        out: &mut W,
        even_empty: bool,
    ) -> Result<(), ExportError> {
        let mut records = Arena::default();
        self.for_each_entry(t, |k, v| {
            records.push(k, v);
            Ok(())
        })?;
        if records.entries.is_empty() && !even_empty {
            return Ok(());
        }
        out.write_all(format!(",\"{name}\":[").as_bytes())?;
        for (i, (key, value)) in records.sorted().enumerate() {
            id_of(t, key)?;
            let record: T = decode_record(t, key, value)?;
            if i > 0 {
                out.write_all(b",")?;
            }
            serde_json::to_writer(&mut *out, &record).map_err(std::io::Error::from)?;
        }
        out.write_all(b"]")?;
        Ok(())
    }

    /// The revision of the last committed write (0 for a new store); persisted.
    pub fn revision(&self) -> u64 {
        self.inner.revision.load(Ordering::SeqCst)
    }

    /// The size of sled's files on disk, in bytes (not counting the token file beside them).
    pub fn size_on_disk(&self) -> Result<u64, StoreError> {
        self.inner
            .db
            .size_on_disk()
            .map_err(storage("measuring the size on disk"))
    }

    /// Whether no record of any kind is stored.
    pub fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(RECORD_TREES.iter().all(|t| self.tree(*t).is_empty()))
    }

    /// Stores (or replaces) an API token record; durable when it returns.
    /// Stores a result derived from the records as of `revision` under `name`, replacing the
    /// previous one, and flushes it. Should a crash come first, it is missing or older, which
    /// [`Store::derived`] tells by its revision: never taken for the current result.
    pub fn put_derived(&self, name: &str, revision: u64, value: &[u8]) -> Result<(), StoreError> {
        let mut bytes = Vec::with_capacity(8 + value.len());
        bytes.extend_from_slice(&revision.to_be_bytes());
        bytes.extend_from_slice(value);
        self.inner
            .derived
            .insert(name.as_bytes(), bytes)
            .map_err(storage("storing a derived result"))?;
        self.inner
            .derived
            .flush()
            .map_err(storage("flushing a derived result"))?;
        Ok(())
    }

    /// The result stored under `name` and the revision it reflects (compare it with
    /// [`Store::revision`] before taking it for the current data).
    pub fn derived(&self, name: &str) -> Result<Option<(u64, Vec<u8>)>, StoreError> {
        let Some(bytes) = self
            .inner
            .derived
            .get(name.as_bytes())
            .map_err(storage("reading a derived result"))?
        else {
            return Ok(None);
        };
        Ok(bytes
            .split_first_chunk::<8>()
            .map(|(revision, value)| (u64::from_be_bytes(*revision), value.to_vec())))
    }

    pub fn put_token(&self, token: &Token) -> Result<(), StoreError> {
        self.inner.tokens.put(token)
    }

    /// Revokes the token with this id at `at` (a revoked token keeps its first revocation
    /// time); `None` when no token has this id. Durable when it returns.
    pub fn revoke_token(&self, id: &str, at: u64) -> Result<Option<Token>, StoreError> {
        self.inner.tokens.revoke(id, at)
    }

    /// The token with this id, as the token file holds it now: a token made or revoked by
    /// another process (`qmap token` beside a running server) counts at once. Audit entries that
    /// process queued are moved into the audit log on the way.
    pub fn token(&self, id: &str) -> Result<Option<Token>, StoreError> {
        let (tokens, reloaded) = self.inner.tokens.current()?;
        if reloaded && !tokens.pending_audit.is_empty() {
            if let Err(error) = self.move_pending_audit() {
                tracing::error!(%error, "queued audit entries could not be moved to the audit log");
            }
        }
        Ok(tokens.by_id.get(id).cloned())
    }

    /// Every token, oldest first.
    pub fn tokens(&self) -> Result<Vec<Token>, StoreError> {
        self.inner.tokens.list()
    }

    /// Whether any token was ever issued (revoked and expired ones count). When the token file
    /// cannot be read, it says yes: the safe answer for the open demo, which it closes.
    pub fn has_tokens(&self) -> bool {
        match self.inner.tokens.is_empty() {
            Ok(empty) => !empty,
            Err(error) => {
                tracing::error!(%error, "the token file cannot be read");
                true
            }
        }
    }

    /// Appends one entry to the audit log, numbering it; durable when it returns. Each text is
    /// kept to [`AUDIT_TEXT_CHARS`] characters (see [`capped`]), so that no request can make a
    /// row large.
    pub fn append_audit(
        &self,
        at: u64,
        actor: &str,
        role: Option<AccessRole>,
        action: &str,
        outcome: &str,
    ) -> Result<AuditEntry, StoreError> {
        let _one_at_a_time = self
            .inner
            .audit_lock
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let seq = match self
            .inner
            .audit
            .last()
            .map_err(storage("reading the audit log"))?
        {
            Some((key, _)) => decode_u64(&key).unwrap_or(0) + 1,
            None => 1,
        };
        let entry = AuditEntry {
            seq,
            at,
            actor: capped(actor, AUDIT_TEXT_CHARS),
            role,
            action: capped(action, AUDIT_TEXT_CHARS),
            outcome: capped(outcome, AUDIT_TEXT_CHARS),
        };
        let value = to_json(&entry);
        self.inner
            .audit
            .insert(seq.to_be_bytes(), value)
            .map_err(storage("writing the audit log"))?;
        self.flush_all("flushing the audit log")?;
        Ok(entry)
    }

    /// The last `limit` audit entries (all when `None`), oldest first.
    pub fn audit(&self, limit: Option<usize>) -> Result<Vec<AuditEntry>, StoreError> {
        let mut entries = Vec::new();
        for entry in self.inner.audit.iter().rev() {
            if limit.is_some_and(|n| entries.len() >= n) {
                break;
            }
            let (key, value) = entry.map_err(storage("reading the audit log"))?;
            let seq = decode_u64(&key).unwrap_or(0);
            entries.push(decode_json::<AuditEntry>(
                "audit",
                &seq.to_string(),
                &value,
            )?);
        }
        entries.reverse();
        Ok(entries)
    }

    /// Writes whatever sled still holds in memory to disk (every write is flushed when it
    /// commits already; this is for a process about to exit without dropping the store).
    pub fn flush(&self) -> Result<(), StoreError> {
        self.flush_all("flushing the store")
    }

    fn flush_all(&self, during: &'static str) -> Result<(), StoreError> {
        self.inner.db.flush().map_err(storage(during))?;
        Ok(())
    }

    /// Supplies where `org` is the customer, in key order.
    pub fn suppliers_of(&self, org: &str) -> Result<Vec<Supply>, StoreError> {
        self.supplies_in(TreeId::Supplies, org)
    }

    /// Supplies where `org` is the supplier, in key order.
    pub fn customers_of(&self, org: &str) -> Result<Vec<Supply>, StoreError> {
        self.supplies_in(TreeId::CustomersOfFirm, org)
    }

    /// Ids of the organizations with a membership on `chain`, in id order.
    pub fn members_of_chain(&self, chain: &str) -> Result<Vec<String>, StoreError> {
        self.ids_in(TreeId::MembersOfChain, chain)
    }

    /// Problems held by `org`, in id order.
    /// The stored record of organization `id`.
    pub fn organization_record(&self, id: &str) -> Result<Option<Organization>, StoreError> {
        self.get(TreeId::Organizations, id)
    }

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
        &self.inner.trees[t.slot()]
    }

    fn read_page(&self, t: TreeId, page: [u8; 2]) -> Result<Option<sled::IVec>, StoreError> {
        self.tree(t).get(page).map_err(storage("reading a page"))
    }

    fn get<T: DeserializeOwned>(&self, t: TreeId, id: &str) -> Result<Option<T>, StoreError> {
        let key = id.as_bytes();
        let page_key = page::page_of(key);
        let Some(bytes) = self.read_page(t, page_key)? else {
            return Ok(None);
        };
        let entries = page::decode(&bytes).map_err(|r| corrupt_page(t, page_key, r))?;
        page::find(&entries, key)
            .map(|v| decode_record(t, key, v))
            .transpose()
    }

    fn contains(&self, t: TreeId, key: &[u8]) -> Result<bool, StoreError> {
        let page_key = page::page_of(key);
        let Some(bytes) = self.read_page(t, page_key)? else {
            return Ok(false);
        };
        let entries = page::decode(&bytes).map_err(|r| corrupt_page(t, page_key, r))?;
        Ok(page::find(&entries, key).is_some())
    }

    /// The keys of the index entries owned by `owner`, in key order.
    fn owned(&self, t: TreeId, owner: &str) -> Result<Vec<Vec<u8>>, StoreError> {
        let prefix = keys::prefix(owner);
        let page_key = page::page_of(&prefix);
        let Some(bytes) = self.read_page(t, page_key)? else {
            return Ok(Vec::new());
        };
        let entries = page::decode(&bytes).map_err(|r| corrupt_page(t, page_key, r))?;
        Ok(page::with_prefix(&entries, &prefix)
            .iter()
            .map(|(k, _)| k.to_vec())
            .collect())
    }

    fn for_each_entry(
        &self,
        t: TreeId,
        mut f: impl FnMut(&[u8], &[u8]) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        for entry in self.tree(t).iter() {
            let (page_key, bytes) = entry.map_err(storage("reading pages"))?;
            let page_key: [u8; 2] = page_key
                .as_ref()
                .try_into()
                .map_err(|_| corrupt(t, &page_key, "not a page key"))?;
            let entries = page::decode(&bytes).map_err(|r| corrupt_page(t, page_key, r))?;
            for (k, v) in entries {
                f(k, v)?;
            }
        }
        Ok(())
    }

    fn supplies_in(&self, index: TreeId, org: &str) -> Result<Vec<Supply>, StoreError> {
        self.owned(index, org)?
            .iter()
            .map(|k| decode_supply_entry(index, k))
            .collect()
    }

    fn ids_in(&self, index: TreeId, owner: &str) -> Result<Vec<String>, StoreError> {
        self.owned(index, owner)?
            .iter()
            .map(|k| {
                keys::second_part(k)
                    .ok_or_else(|| corrupt(index, k, "no UTF-8 id after the separator"))
            })
            .collect()
    }

    /// A write: phase 1 (the redo log, where everything that can be refused is checked, so a
    /// refused write leaves only uncommitted chunks behind), the commit point, then the replay.
    fn write(
        &self,
        upsert: &Bundle,
        packed: &SupplyList,
        del: &Deletions<'_>,
        note: &WriteNote,
        progress: &dyn Fn(u64, u64),
    ) -> Result<Revision, StoreError> {
        let _writer = self
            .inner
            .writer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let revision = self.revision() + 1;
        let records = (upsert.record_count() + packed.len() + del.len()) as u64;
        let total = 2 * records;
        let mut log = LogWriter::new(&self.inner.log, &self.inner.dir, revision)
            .recording(history::Recorder::new(self, revision)?);
        let logged = self
            .write_log(upsert, packed, del, &mut log, &|done| progress(done, total))
            .and_then(|()| {
                let recorder = log.history.take().expect("recording");
                let record = recorder.finish(note)?;
                Ok((log.finish()?, record))
            });
        let (ops, record) = match logged {
            Ok(logged) => logged,
            Err(e) => {
                // Nothing is committed; drop the partial log (and history) so it does not wait
                // for the next open.
                let _ = self.inner.log.clear();
                let _ = history::drop_after(self, revision - 1);
                let _ = log::remove_file(&self.inner.dir);
                return Err(e);
            }
        };
        self.inner
            .db
            .flush()
            .map_err(storage("flushing the redo log"))?;

        self.inner
            .meta
            .insert(META_COMMIT, &revision.to_be_bytes())
            .map_err(storage("writing the commit marker"))?;
        self.inner
            .db
            .flush()
            .map_err(storage("flushing the commit marker"))?;

        let ops = ops.max(1);
        self.replay(revision, &|applied| {
            progress(records + records * applied.min(ops) / ops, total)
        })?;
        Ok(record)
    }

    fn write_log(
        &self,
        upsert: &Bundle,
        packed: &SupplyList,
        del: &Deletions<'_>,
        log: &mut LogWriter<'_>,
        progress: &dyn Fn(u64),
    ) -> Result<(), StoreError> {
        let mut done = 0u64;
        let mut advance = |n: usize| {
            done += n as u64;
            progress(done);
        };

        // Regions and chains own no index entries: a put or a remove of the record is all.
        let regions = last_wins(&upsert.regions, |r| &r.code);
        let mut ops = Vec::new();
        for r in &regions {
            keys::check_id("region", &r.code)?;
            ops.push(put(r.code.as_bytes().to_vec(), to_json(r)));
        }
        for code in not_upserted(del.regions, &regions, |r| &r.code) {
            ops.push(remove(code.as_bytes().to_vec()));
        }
        log.emit(TreeId::Regions, ops)?;
        advance(upsert.regions.len() + del.regions.len());

        let chains = last_wins(&upsert.chains, |c| &c.id);
        let mut ops = Vec::new();
        for c in &chains {
            keys::check_id("chain", &c.id)?;
            ops.push(put(c.id.as_bytes().to_vec(), to_json(c)));
        }
        for id in not_upserted(del.chains, &chains, |c| &c.id) {
            ops.push(remove(id.as_bytes().to_vec()));
        }
        log.emit(TreeId::Chains, ops)?;
        advance(upsert.chains.len() + del.chains.len());

        // Organizations: the record, and index entries for memberships and capabilities; the
        // old record (read page by page) says which entries an upsert or delete makes stale.
        let mut orgs = last_wins(&upsert.organizations, |o| &o.id);
        for o in &orgs {
            keys::check_organization(o)?;
        }
        let mut deleted = not_upserted(del.organizations, &orgs, |o| &o.id);
        orgs.sort_by_cached_key(|o| page::page_of(o.id.as_bytes()));
        deleted.sort_by_cached_key(|id| page::page_of(id.as_bytes()));
        let mut index_ops: Vec<(TreeId, PageOp)> = Vec::new();
        let mut ops = Vec::with_capacity(orgs.len() + deleted.len());
        let mut old_orgs = PageReader::new(self, TreeId::Organizations);
        for id in deleted {
            if let Some(old) = old_orgs.get::<Organization>(id)? {
                for (t, k) in keys::organization_index_keys(&old) {
                    index_ops.push((t, remove(k)));
                }
                ops.push(remove(id.as_bytes().to_vec()));
            }
        }
        for o in orgs {
            let new_keys = keys::organization_index_keys(o);
            if let Some(old) = old_orgs.get::<Organization>(&o.id)? {
                for (t, k) in keys::organization_index_keys(&old) {
                    if !new_keys.iter().any(|(nt, nk)| *nt == t && *nk == k) {
                        index_ops.push((t, remove(k)));
                    }
                }
            }
            for (t, k) in new_keys {
                index_ops.push((t, put(k, Vec::new())));
            }
            ops.push(put(o.id.as_bytes().to_vec(), to_json(o)));
        }
        log.emit(TreeId::Organizations, ops)?;
        for t in [TreeId::MembersOfChain, TreeId::ProvidersByCapability] {
            let ops = index_ops
                .iter()
                .filter(|(it, _)| *it == t)
                .map(|(_, op)| op.clone())
                .collect();
            log.emit(t, ops)?;
        }
        drop(index_ops);
        advance(upsert.organizations.len() + del.organizations.len());

        // Supplies: the index keys follow from the supply itself, so nothing is read; only a
        // supply both deleted and upserted needs care (the upsert wins). Every supply is
        // packed (see `SupplyList`), and each tree's operations are a list of small numbers
        // sorted in place, so a five-million-supply import holds no list of keys.
        let mut typed = SupplyList::new();
        for s in &upsert.supplies {
            keys::check_supply(s)?;
            typed.push(s);
        }
        let mut deleted = SupplyList::new();
        for s in del.supplies {
            keys::check_supply(s)?;
            deleted.push(s);
        }
        for s in packed.iter() {
            keys::check_supply_fields(s.chain, s.supplier, s.customer, s.part)?;
        }
        let lists = [(&typed, true), (packed, true), (&deleted, false)];
        let supplies = typed.len() + packed.len() + deleted.len();
        // The owner of a supply's entry: its customer in `supplies`, its supplier in
        // `customers-of-firm` (the third and second of its packed fields).
        for (t, owner) in [(TreeId::Supplies, 2), (TreeId::CustomersOfFirm, 1)] {
            log.emit_supplies(t, owner, &lists)?;
            advance(supplies / 2);
        }
        drop(typed);
        drop(deleted);

        let mut problems = last_wins(&upsert.problems, |p| &p.id);
        for p in &problems {
            keys::check_problem(p)?;
        }
        let mut deleted = not_upserted(del.problems, &problems, |p| &p.id);
        problems.sort_by_cached_key(|p| page::page_of(p.id.as_bytes()));
        deleted.sort_by_cached_key(|id| page::page_of(id.as_bytes()));
        let mut ops = Vec::new();
        let mut index = Vec::new();
        let mut old_problems = PageReader::new(self, TreeId::Problems);
        for id in deleted {
            if let Some(old) = old_problems.get::<Problem>(id)? {
                index.push(remove(keys::problem_index_key(&old).1));
                ops.push(remove(id.as_bytes().to_vec()));
            }
        }
        for p in problems {
            let (_, k) = keys::problem_index_key(p);
            if let Some(old) = old_problems.get::<Problem>(&p.id)? {
                let (_, old_k) = keys::problem_index_key(&old);
                if old_k != k {
                    index.push(remove(old_k));
                }
            }
            index.push(put(k, Vec::new()));
            ops.push(put(p.id.as_bytes().to_vec(), to_json(p)));
        }
        log.emit(TreeId::Problems, ops)?;
        log.emit(TreeId::ProblemsOfFirm, index)?;
        advance(upsert.problems.len() + del.problems.len());

        // The quality work run on chains: like regions and chains, records without index
        // entries.
        let kinds: [(TreeId, &str, Vec<Encoded<'_>>, &[String]); 6] = [
            (
                TreeId::Projects,
                "project",
                records_of(&upsert.projects, |p| &p.id),
                del.projects,
            ),
            (
                TreeId::Consortia,
                "consortium",
                records_of(&upsert.consortia, |c| &c.id),
                del.consortia,
            ),
            (
                TreeId::PolicyTools,
                "policy tool",
                records_of(&upsert.policy_tools, |t| &t.id),
                del.policy_tools,
            ),
            (
                TreeId::Goals,
                "goal",
                records_of(&upsert.goals, |g| &g.id),
                del.goals,
            ),
            (
                TreeId::Capabilities,
                "capability",
                records_of(&upsert.capabilities, |e| &e.code),
                del.capabilities,
            ),
            (
                TreeId::Notices,
                "notice",
                records_of(&upsert.notices, |n| &n.id),
                del.notices,
            ),
        ];
        for (t, kind, records, deleted) in kinds {
            let mut ops = Vec::with_capacity(records.len() + deleted.len());
            let upserted: HashSet<&str> = records.iter().map(|(id, _)| id.as_str()).collect();
            for (id, json) in &records {
                keys::check_id(kind, id)?;
                ops.push(put(id.as_bytes().to_vec(), json.clone()));
            }
            for id in deleted.iter().filter(|id| !upserted.contains(id.as_str())) {
                ops.push(remove(id.as_bytes().to_vec()));
            }
            log.emit(t, ops)?;
            advance(records.len() + deleted.len());
        }
        Ok(())
    }

    /// Phases 3 and 4: applies the committed log of `revision`, rewriting each touched page
    /// once, and cleans up. Idempotent, so recovery can run it again after a crash at any
    /// point. `applied` is told how many operations are applied so far.
    fn replay(&self, revision: u64, applied: &dyn Fn(u64)) -> Result<(), StoreError> {
        let mut group: Option<(TreeId, [u8; 2])> = None;
        let mut changes: Vec<(Vec<u8>, Option<Vec<u8>>)> = Vec::new();
        let mut done = 0u64;
        let mut apply_chunk = |seq: u64, chunk: &[u8]| -> Result<(), StoreError> {
            for op in log::decode(chunk) {
                let op = op.map_err(|reason| StoreError::CorruptLog {
                    revision,
                    chunk: seq,
                    reason,
                })?;
                let at = (op.tree(), page::page_of(op.key()));
                if group != Some(at) {
                    if let Some((t, p)) = group {
                        self.write_page(t, p, &changes)?;
                    }
                    changes.clear();
                    group = Some(at);
                }
                changes.push((op.key().to_vec(), op.value().map(<[u8]>::to_vec)));
                done += 1;
            }
            applied(done);
            Ok(())
        };
        let file = log::FileReader::open(&self.inner.dir, revision).map_err(|source| {
            StoreError::File {
                path: log::file_path(&self.inner.dir),
                during: "opening the redo log",
                source,
            }
        })?;
        if let Some(mut file) = file {
            let mut chunk = Vec::new();
            let mut seq = 0;
            while file
                .next_chunk(&mut chunk)
                .map_err(|reason| StoreError::CorruptLog {
                    revision,
                    chunk: seq,
                    reason,
                })?
            {
                apply_chunk(seq, &chunk)?;
                seq += 1;
            }
        } else {
            for entry in self.inner.log.scan_prefix(revision.to_be_bytes()) {
                let (key, chunk) = entry.map_err(storage("reading the redo log"))?;
                let seq = key.get(8..16).and_then(decode_u64).unwrap_or(u64::MAX);
                apply_chunk(seq, &chunk)?;
            }
        }
        if let Some((t, p)) = group {
            self.write_page(t, p, &changes)?;
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
        // Without the marker the file is dead: a crash before this line leaves it to the next
        // open, which removes it.
        self.remove_log_file()
    }

    fn remove_log_file(&self) -> Result<(), StoreError> {
        log::remove_file(&self.inner.dir).map_err(|source| StoreError::File {
            path: log::file_path(&self.inner.dir),
            during: "removing the redo log",
            source,
        })
    }

    /// Merges `changes` (sorted by key, each key once) into one page.
    fn write_page(
        &self,
        t: TreeId,
        page_key: [u8; 2],
        changes: &[(Vec<u8>, Option<Vec<u8>>)],
    ) -> Result<(), StoreError> {
        let old = self.read_page(t, page_key)?;
        let entries = match &old {
            Some(bytes) => page::decode(bytes).map_err(|r| corrupt_page(t, page_key, r))?,
            None => Vec::new(),
        };
        let changes: Vec<(&[u8], Option<&[u8]>)> = changes
            .iter()
            .map(|(k, v)| (k.as_slice(), v.as_deref()))
            .collect();
        let new = page::merge(&entries, &changes);
        let tree = self.tree(t);
        if new.is_empty() {
            tree.remove(page_key).map_err(storage("writing a page"))?;
        } else {
            tree.insert(page_key, new)
                .map_err(storage("writing a page"))?;
        }
        Ok(())
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
                self.remove_log_file()
            }
            // A redo-log file with no marker is the log of a write that never committed.
            None => self.remove_log_file(),
        }?;
        // History recorded by a write that never committed.
        if history::drop_after(self, self.revision())? {
            self.flush_all("flushing the dropped history")?;
        }
        Ok(())
    }
}

/// One logical operation before it is logged: `(page, key, value)`, `None` removes.
type PageOp = ([u8; 2], Vec<u8>, Option<Vec<u8>>);

/// The trees of records (the rest are indexes).
const RECORD_TREES: [TreeId; 11] = [
    TreeId::Regions,
    TreeId::Chains,
    TreeId::Organizations,
    TreeId::Supplies,
    TreeId::Problems,
    TreeId::Projects,
    TreeId::Consortia,
    TreeId::PolicyTools,
    TreeId::Goals,
    TreeId::Capabilities,
    TreeId::Notices,
];

/// A record's id and its stored value.
type Encoded<'a> = (&'a String, Vec<u8>);

/// The records of `items` that survive "later duplicates win", each with its id and its JSON.
fn records_of<T: serde::Serialize>(items: &[T], id: fn(&T) -> &String) -> Vec<Encoded<'_>> {
    last_wins(items, id)
        .into_iter()
        .map(|r| (id(r), to_json(r)))
        .collect()
}

fn put(key: Vec<u8>, value: Vec<u8>) -> PageOp {
    (page::page_of(&key), key, Some(value))
}

fn remove(key: Vec<u8>) -> PageOp {
    (page::page_of(&key), key, None)
}

/// Reads records of one tree in page order, decoding each page once.
struct PageReader<'s> {
    store: &'s Store,
    tree: TreeId,
    page: Option<[u8; 2]>,
    entries: Vec<(Vec<u8>, Vec<u8>)>,
}

impl<'s> PageReader<'s> {
    fn new(store: &'s Store, tree: TreeId) -> PageReader<'s> {
        PageReader {
            store,
            tree,
            page: None,
            entries: Vec::new(),
        }
    }

    fn get<T: DeserializeOwned>(&mut self, id: &str) -> Result<Option<T>, StoreError> {
        let key = id.as_bytes();
        let page_key = page::page_of(key);
        if self.page != Some(page_key) {
            self.entries = match self.store.read_page(self.tree, page_key)? {
                Some(bytes) => page::decode(&bytes)
                    .map_err(|r| corrupt_page(self.tree, page_key, r))?
                    .into_iter()
                    .map(|(k, v)| (k.to_vec(), v.to_vec()))
                    .collect(),
                None => Vec::new(),
            };
            self.page = Some(page_key);
        }
        match self
            .entries
            .binary_search_by(|(k, _)| k.as_slice().cmp(key))
        {
            Ok(i) => decode_record(self.tree, key, &self.entries[i].1).map(Some),
            Err(_) => Ok(None),
        }
    }
}

/// A counting sort by page: the positions of `pages` grouped by page (in their order within a
/// page), and where each page's group starts (`PAGES + 1` bounds). Sorting each page's few
/// entries afterwards costs far fewer comparisons than one sort of millions, each on nearby
/// memory.
fn by_page(pages: impl Iterator<Item = [u8; 2]> + Clone) -> (Vec<u32>, Vec<u32>) {
    let mut starts = vec![0u32; usize::from(page::PAGES) + 1];
    let mut len = 0;
    for p in pages.clone() {
        starts[usize::from(u16::from_be_bytes(p)) + 1] += 1;
        len += 1;
    }
    for p in 1..starts.len() {
        starts[p] += starts[p - 1];
    }
    let mut next = starts.clone();
    let mut order = vec![0u32; len];
    for (i, p) in pages.enumerate() {
        let slot = &mut next[usize::from(u16::from_be_bytes(p))];
        order[*slot as usize] = i as u32;
        *slot += 1;
    }
    (order, starts)
}

/// Writes the redo log in chunks of about [`CHUNK_BYTES`]: a log of one chunk to the `log`
/// tree, a longer one to the redo-log file (see [`log::FILE_NAME`]).
struct LogWriter<'a> {
    tree: &'a sled::Tree,
    dir: &'a Path,
    revision: u64,
    chunk: log::ChunkBuilder,
    /// The first chunk, held until it is known whether another follows.
    first: Option<Vec<u8>>,
    file: Option<log::FileWriter>,
    /// Operations logged so far.
    ops: u64,
    /// Records the revision's undo and counts, and drops operations that change nothing.
    history: Option<history::Recorder<'a>>,
}

impl<'a> LogWriter<'a> {
    /// An empty log of the write that will be `revision`, in `tree` (or, once longer than a
    /// chunk, in a file in `dir`).
    fn new(tree: &'a sled::Tree, dir: &'a Path, revision: u64) -> Self {
        LogWriter {
            tree,
            dir,
            revision,
            chunk: log::ChunkBuilder::default(),
            first: None,
            file: None,
            ops: 0,
            history: None,
        }
    }

    /// This log, recording the write's history with `recorder`.
    fn recording(mut self, recorder: history::Recorder<'a>) -> Self {
        self.history = Some(recorder);
        self
    }

    /// Logs the operations on one tree sorted by page and key, so the replay rewrites each
    /// page once. A write never has two different operations on one key (records are deduped
    /// by id and index keys contain the record id), so equal operations collapse to one.
    fn emit(&mut self, t: TreeId, ops: Vec<PageOp>) -> Result<(), StoreError> {
        let (mut order, starts) = by_page(ops.iter().map(|op| op.0));
        for p in 0..usize::from(page::PAGES) {
            order[starts[p] as usize..starts[p + 1] as usize]
                .sort_unstable_by(|a, b| ops[*a as usize].1.cmp(&ops[*b as usize].1));
        }
        let mut last: Option<&PageOp> = None;
        for i in order {
            let op = &ops[i as usize];
            if last.is_some_and(|l| l.0 == op.0 && l.1 == op.1) {
                continue;
            }
            last = Some(op);
            let (_, key, value) = op;
            self.op(t, key, value.as_deref())?;
        }
        Ok(())
    }

    /// Logs the entries of the supplies of `lists` (each with whether it is upserted or
    /// deleted) in index tree `t`, owned by packed field `owner` (1 the supplier, 2 the
    /// customer), sorted by page and key. A supply in two lists is logged once, an upsert
    /// before a delete.
    fn emit_supplies(
        &mut self,
        t: TreeId,
        owner: usize,
        lists: &[(&SupplyList, bool)],
    ) -> Result<(), StoreError> {
        let field = |joined: &'_ [u8]| -> usize {
            // The byte range of the owner field: after `owner` separators.
            joined
                .split(|b| *b == keys::SEP)
                .take(owner)
                .map(|f| f.len() + 1)
                .sum()
        };
        let owner_of = |joined: &'_ [u8]| -> std::ops::Range<usize> {
            let start = field(joined);
            let len = joined[start..]
                .iter()
                .position(|b| *b == keys::SEP)
                .unwrap_or(joined.len() - start);
            start..start + len
        };
        let items: Vec<(u8, u32)> = lists
            .iter()
            .enumerate()
            .flat_map(|(l, (list, _))| (0..list.len()).map(move |i| (l as u8, i as u32)))
            .collect();
        let joined = |(l, i): (u8, u32)| lists[usize::from(l)].0.joined(i as usize);
        let (order, starts) = by_page(items.iter().map(|item| {
            let j = joined(*item);
            page::page_of(&j[owner_of(j)])
        }));
        // Each page's entries are built side by side in one small buffer and sorted there, so
        // the sort's comparisons stay in the cache. Equal keys (a supply in two lists) sort an
        // upsert first, and only the first is logged.
        let mut keys_of_page = Vec::new();
        let mut entries: Vec<(usize, usize, bool)> = Vec::new();
        for p in 0..usize::from(page::PAGES) {
            keys_of_page.clear();
            entries.clear();
            for &at in &order[starts[p] as usize..starts[p + 1] as usize] {
                let item = items[at as usize];
                let j = joined(item);
                let start = keys_of_page.len();
                keys_of_page.extend_from_slice(&j[owner_of(j)]);
                keys_of_page.push(keys::SEP);
                keys_of_page.extend_from_slice(j);
                entries.push((start, keys_of_page.len(), lists[usize::from(item.0)].1));
            }
            let key = |(start, end, _): (usize, usize, bool)| &keys_of_page[start..end];
            entries.sort_unstable_by(|a, b| key(*a).cmp(key(*b)).then(b.2.cmp(&a.2)));
            let mut last: Option<&[u8]> = None;
            for &entry in &entries {
                let k = key(entry);
                if last == Some(k) {
                    continue;
                }
                last = Some(k);
                self.op(t, k, if entry.2 { Some(&[]) } else { None })?;
            }
        }
        Ok(())
    }

    /// Logs one operation.
    fn op(&mut self, t: TreeId, key: &[u8], value: Option<&[u8]>) -> Result<(), StoreError> {
        if let Some(history) = &mut self.history {
            if !history.changes(t, key, value)? {
                return Ok(());
            }
        }
        match value {
            Some(v) => self.chunk.put(t, key, v),
            None => self.chunk.remove(t, key),
        }
        self.ops += 1;
        if self.chunk.len() >= CHUNK_BYTES {
            self.write_chunk()?;
        }
        Ok(())
    }

    fn write_chunk(&mut self) -> Result<(), StoreError> {
        if self.chunk.len() == 0 {
            return Ok(());
        }
        let bytes = self.chunk.take();
        if self.file.is_none() && self.first.is_none() {
            self.first = Some(bytes);
            return Ok(());
        }
        let file_err = |source| StoreError::File {
            path: log::file_path(self.dir),
            during: "writing the redo log",
            source,
        };
        if self.file.is_none() {
            self.file = Some(log::FileWriter::create(self.dir, self.revision).map_err(file_err)?);
        }
        let file = self.file.as_mut().expect("created above");
        if let Some(first) = self.first.take() {
            file.chunk(&first).map_err(file_err)?;
        }
        file.chunk(&bytes).map_err(file_err)
    }

    /// Writes what is left and makes the log durable: a one-chunk log goes to the `log` tree
    /// (durable with the next flush of sled), a longer one is synced in its file.
    fn finish(mut self) -> Result<u64, StoreError> {
        self.write_chunk()?;
        if let Some(file) = self.file.take() {
            file.sync().map_err(|source| StoreError::File {
                path: log::file_path(self.dir),
                during: "syncing the redo log",
                source,
            })?;
        } else if let Some(first) = self.first.take() {
            self.tree
                .insert(log::chunk_key(self.revision, 0), first)
                .map_err(storage("writing the redo log"))?;
        }
        Ok(self.ops)
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

fn decode_record<T: DeserializeOwned>(
    t: TreeId,
    key: &[u8],
    value: &[u8],
) -> Result<T, StoreError> {
    serde_json::from_slice(value).map_err(|e| corrupt(t, key, e))
}

/// The supply of a `owner ++ 0x00 ++ supply key` entry.
fn decode_supply_entry(t: TreeId, key: &[u8]) -> Result<Supply, StoreError> {
    keys::supply_of_index_key(key)
        .and_then(keys::decode_supply)
        .ok_or_else(|| corrupt(t, key, "not a supply key"))
}

fn id_of(t: TreeId, key: &[u8]) -> Result<String, StoreError> {
    String::from_utf8(key.to_vec()).map_err(|e| corrupt(t, key, e))
}

fn corrupt_page(t: TreeId, page_key: [u8; 2], reason: String) -> StoreError {
    StoreError::CorruptRecord {
        tree: t.name(),
        key: format!("page {}", u16::from_be_bytes(page_key)),
        reason,
    }
}

/// Lookups cannot return errors: a storage failure is logged and reads as "not stored", which
/// makes validation refuse the reference instead of accepting it blindly.
impl Lookup for Store {
    fn has_region(&self, code: &str) -> bool {
        logged(self.contains(TreeId::Regions, code.as_bytes())).unwrap_or(false)
    }

    fn chain(&self, id: &str) -> Option<Chain> {
        logged(self.get(TreeId::Chains, id)).flatten()
    }

    fn organization(&self, id: &str) -> Option<Organization> {
        logged(self.get(TreeId::Organizations, id)).flatten()
    }

    fn problem(&self, id: &str) -> Option<Problem> {
        logged(self.get(TreeId::Problems, id)).flatten()
    }

    fn consortium(&self, id: &str) -> Option<Consortium> {
        logged(self.get(TreeId::Consortia, id)).flatten()
    }

    fn has_supply(&self, supply: &Supply) -> bool {
        if keys::check_supply(supply).is_err() {
            return false;
        }
        let key = keys::supply_index_key(supply.customer.as_bytes(), &keys::supply_key(supply));
        logged(self.contains(TreeId::Supplies, &key)).unwrap_or(false)
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

    fn projects(&self) -> Vec<Project> {
        logged(self.load_records(TreeId::Projects))
            .unwrap_or_default()
            .into_iter()
            .map(|(_, p)| p)
            .collect()
    }

    fn consortia(&self) -> Vec<Consortium> {
        logged(self.load_records(TreeId::Consortia))
            .unwrap_or_default()
            .into_iter()
            .map(|(_, c)| c)
            .collect()
    }

    fn notices(&self) -> Vec<crate::model::Notice> {
        logged(self.load_records(TreeId::Notices))
            .unwrap_or_default()
            .into_iter()
            .map(|(_, n)| n)
            .collect()
    }
}

fn logged<T>(result: Result<T, StoreError>) -> Option<T> {
    result
        .map_err(|error| tracing::error!(%error, "store lookup failed"))
        .ok()
}

/// A JSON record of the tokens or audit trees.
fn decode_json<T: DeserializeOwned>(
    tree: &'static str,
    key: &str,
    value: &[u8],
) -> Result<T, StoreError> {
    serde_json::from_slice(value).map_err(|e| StoreError::CorruptRecord {
        tree,
        key: key.to_string(),
        reason: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_capped_text_keeps_whole_characters_and_says_it_was_cut() {
        assert_eq!(capped("短文本", 3), "短文本");
        assert_eq!(capped("质量图谱", 2), "质量…[cut: 4 chars in all]");
        assert_eq!(capped("", 0), "");
    }

    #[test]
    fn an_audit_entry_keeps_at_most_the_capped_texts() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let long = "p".repeat(16_000);
        let entry = store
            .append_audit(1, &long, None, &format!("DELETE /{long}"), &long)
            .unwrap();
        for text in [&entry.actor, &entry.action, &entry.outcome] {
            assert!(text.chars().count() <= AUDIT_TEXT_CHARS + 30, "{text}");
            assert!(text.ends_with(" chars in all]"), "{text}");
        }
        assert_eq!(store.audit(None).unwrap(), vec![entry]);
    }

    /// `open()`, retried while it fails on the lock (`locked`) of a handle this process just
    /// dropped: sled's IO threads let go of the file a moment after the drop returns, later on
    /// a loaded machine. The minute is a hang guard only.
    fn once_released<T, E: std::fmt::Debug>(
        open: impl Fn() -> Result<T, E>,
        locked: impl Fn(&E) -> bool,
    ) -> T {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            match open() {
                Err(e) if locked(&e) && std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                opened => return opened.unwrap(),
            }
        }
    }

    fn in_use(e: &StoreError) -> bool {
        matches!(e, StoreError::InUse { .. })
    }

    #[test]
    fn tokens_kept_in_sled_by_earlier_builds_move_to_the_token_file() {
        let dir = tempfile::tempdir().unwrap();
        let token = Token {
            id: "0123456789ab".into(),
            role: AccessRole::Admin,
            org: None,
            chains: Vec::new(),
            created_at: 7,
            expires_at: None,
            revoked_at: None,
            secret_sha256: "f".repeat(64),
        };
        {
            let db = sled::open(dir.path()).unwrap();
            let tree = db.open_tree("tokens").unwrap();
            tree.insert(token.id.as_bytes(), to_json(&token)).unwrap();
            db.flush().unwrap();
        }
        let store = once_released(|| Store::open(dir.path()), in_use);
        assert_eq!(store.tokens().unwrap(), vec![token.clone()]);
        assert!(dir.path().join("tokens.json").exists());
        drop(store);
        let db = once_released(
            || sled::open(dir.path()),
            |e: &sled::Error| e.to_string().contains("could not acquire lock"),
        );
        assert!(db.open_tree("tokens").unwrap().is_empty());
        drop(db);
        // Opening again changes nothing.
        let store = once_released(|| Store::open(dir.path()), in_use);
        assert_eq!(store.token(&token.id).unwrap(), Some(token));
    }

    #[test]
    fn audit_entries_queued_in_the_token_file_reach_the_audit_log() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let elsewhere = TokenFile::open(dir.path()).unwrap();
        let pending = PendingAudit {
            at: 9,
            actor: "cli".into(),
            role: None,
            action: "token revoke 0123456789ab".into(),
            outcome: "ok".into(),
        };
        elsewhere.queue_audit(pending.clone()).unwrap();
        // The next token lookup notices the change and moves the entry.
        assert_eq!(store.token("0123456789ab").unwrap(), None);
        let log = store.audit(None).unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!(
            (log[0].at, log[0].action.as_str()),
            (9, pending.action.as_str())
        );
        assert!(store
            .inner
            .tokens
            .current()
            .unwrap()
            .0
            .pending_audit
            .is_empty());
    }

    /// A bundle whose redo log takes several chunks, so that it goes to the redo-log file.
    fn big_bundle() -> Bundle {
        let mut bundle = Bundle::new();
        bundle.problems = (0..20_000)
            .map(|i| Problem {
                disclosure: Default::default(),
                id: format!("p{i:06}"),
                org: format!("f{}", i % 500),
                chain: "c".into(),
                title: "扭矩测量不准，量值溯源困难".repeat(2),
                category: crate::model::Category::Measurement,
                severity: 3,
                status: crate::model::Status::Open,
                needs: vec!["metrology:扭矩".into()],
            })
            .collect();
        bundle
    }

    #[test]
    fn a_log_of_many_chunks_goes_through_the_redo_log_file_and_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let bundle = big_bundle();
        let size: usize = bundle.problems.iter().map(|p| to_json(p).len()).sum();
        assert!(size > 2 * CHUNK_BYTES, "the log must take several chunks");
        store.import(&bundle).unwrap();
        assert!(!log::file_path(dir.path()).exists());
        assert!(store.inner.log.is_empty());
        assert_eq!(
            store.export().unwrap(),
            Dataset::from_bundle(bundle).to_bundle()
        );
    }

    #[test]
    fn a_committed_log_file_is_replayed_on_open_and_an_uncommitted_one_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let bundle = big_bundle();
        {
            let store = Store::open(dir.path()).unwrap();
            // What a write leaves when it is killed right after its commit point: the synced
            // log file and the marker, no page written.
            let mut log = LogWriter::new(&store.inner.log, dir.path(), 1);
            store
                .write_log(
                    &bundle,
                    &SupplyList::new(),
                    &Deletions::default(),
                    &mut log,
                    &|_| {},
                )
                .unwrap();
            log.finish().unwrap();
            assert!(log::file_path(dir.path()).exists());
            store
                .inner
                .meta
                .insert(META_COMMIT, &1u64.to_be_bytes())
                .unwrap();
            store.inner.db.flush().unwrap();
        }
        let store = once_released(|| Store::open(dir.path()), in_use);
        assert_eq!(store.revision(), 1);
        assert_eq!(
            store.export().unwrap(),
            Dataset::from_bundle(bundle.clone()).to_bundle()
        );
        assert!(!log::file_path(dir.path()).exists());

        // The same log without a marker: a write killed before its commit point.
        let mut log = LogWriter::new(&store.inner.log, dir.path(), 2);
        let mut other = big_bundle();
        for p in &mut other.problems {
            p.severity = 5;
        }
        store
            .write_log(
                &other,
                &SupplyList::new(),
                &Deletions::default(),
                &mut log,
                &|_| {},
            )
            .unwrap();
        log.finish().unwrap();
        drop(store);
        let store = once_released(|| Store::open(dir.path()), in_use);
        assert_eq!(store.revision(), 1);
        assert_eq!(
            store.export().unwrap(),
            Dataset::from_bundle(bundle).to_bundle()
        );
        assert!(!log::file_path(dir.path()).exists());
    }

    #[test]
    fn a_store_held_by_another_handle_is_reported_as_in_use() {
        let dir = tempfile::tempdir().unwrap();
        let _held = sled::open(dir.path()).unwrap();
        // sled locks per process with flock, which another open file description honours.
        match Store::open(dir.path()) {
            Err(StoreError::InUse { .. }) => {}
            Err(other) => panic!("another error: {other}"),
            Ok(_) => panic!("opened a store held elsewhere"),
        }
    }
}
