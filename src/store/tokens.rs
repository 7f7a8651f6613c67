//! API tokens in a small file beside the sled store, `tokens.json`, so that `qmap token` can
//! create, list and revoke tokens while `qmap serve` holds the store (sled locks its directory
//! for one process), and the running server sees each change at its next request.
//!
//! - A write takes an advisory lock on `tokens.lock` ([`File::lock`]), reads the file afresh,
//!   changes it and replaces it atomically: it writes `tokens.json.tmp`, fsyncs it, renames it
//!   over `tokens.json` and fsyncs the directory. Writers never lose each other's changes, and a
//!   reader never sees half a file, so reading needs no lock.
//! - A reader keeps the parsed file and reads it again only when its identity (inode, length,
//!   modification and change times) differs from what it read last: one `stat` per lookup.
//! - A token change made while another process holds the store cannot reach the store's audit
//!   log, so its audit entry waits in the file (`pending_audit`) until a process that holds the
//!   store moves it there (see `Store::token`).
//!
//! The file holds token records only: ids, roles, scopes, times and the SHA-256 of each secret,
//! never a secret.

use super::StoreError;
use crate::model::access::{AccessRole, Token};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

/// The format of `tokens.json` this build reads and writes.
const FORMAT: u32 = 1;

const FILE: &str = "tokens.json";
const TEMP: &str = "tokens.json.tmp";
const LOCK: &str = "tokens.lock";

/// An audit entry waiting for the store's audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PendingAudit {
    /// Seconds since the Unix epoch.
    pub at: u64,
    pub actor: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<AccessRole>,
    pub action: String,
    pub outcome: String,
}

/// The file's contents.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    format: u32,
    /// Oldest first.
    #[serde(default)]
    tokens: Vec<Token>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pending_audit: Vec<PendingAudit>,
}

/// The parsed file.
#[derive(Debug, Default)]
pub(super) struct Tokens {
    pub(super) by_id: BTreeMap<String, Token>,
    pub(super) pending_audit: Vec<PendingAudit>,
}

impl Tokens {
    /// Every token, oldest first.
    fn list(&self) -> Vec<Token> {
        let mut all: Vec<Token> = self.by_id.values().cloned().collect();
        all.sort_by(|a, b| {
            a.created_at
                .cmp(&b.created_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        all
    }
}

/// What identifies one version of the file: a replaced file has another inode, and a
/// rewritten one other times or length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    #[cfg(unix)]
    inode: (u64, u64),
    #[cfg(unix)]
    changed: (i64, i64),
}

impl Stamp {
    fn of(meta: &std::fs::Metadata) -> Stamp {
        #[cfg(unix)]
        use std::os::unix::fs::MetadataExt;
        Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            #[cfg(unix)]
            inode: (meta.dev(), meta.ino()),
            #[cfg(unix)]
            changed: (meta.ctime(), meta.ctime_nsec()),
        }
    }
}

/// The token file of one store directory. Cheap to read from many threads.
pub struct TokenFile {
    dir: PathBuf,
    /// The last version read: its stamp (`None`: there was no file) and contents.
    cached: RwLock<Option<(Option<Stamp>, Arc<Tokens>)>>,
}

impl TokenFile {
    /// The token file of the store in `dir` (the directory is created if missing; the file
    /// only at the first write).
    pub fn open(dir: &Path) -> Result<TokenFile, StoreError> {
        std::fs::create_dir_all(dir).map_err(io_error(dir, "creating the store directory"))?;
        Ok(TokenFile {
            dir: dir.to_path_buf(),
            cached: RwLock::new(None),
        })
    }

    fn path(&self) -> PathBuf {
        self.dir.join(FILE)
    }

    /// The current contents, and whether they were read from disk just now (the file changed
    /// since the last call).
    pub(super) fn current(&self) -> Result<(Arc<Tokens>, bool), StoreError> {
        let path = self.path();
        let stamp = match std::fs::metadata(&path) {
            Ok(meta) => Some(Stamp::of(&meta)),
            Err(e) if e.kind() == ErrorKind::NotFound => None,
            Err(e) => return Err(io_error(&path, "reading the token file")(e)),
        };
        if let Some((seen, tokens)) = &*self.cached.read().unwrap_or_else(|p| p.into_inner()) {
            if *seen == stamp {
                return Ok((tokens.clone(), false));
            }
        }
        let (stamp, tokens) = self.read()?;
        let tokens = Arc::new(tokens);
        *self.cached.write().unwrap_or_else(|p| p.into_inner()) = Some((stamp, tokens.clone()));
        Ok((tokens, true))
    }

    /// Reads the file from disk, with the stamp of the version read.
    fn read(&self) -> Result<(Option<Stamp>, Tokens), StoreError> {
        let path = self.path();
        let mut file = match File::open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok((None, Tokens::default())),
            Err(e) => return Err(io_error(&path, "reading the token file")(e)),
        };
        let stamp = file
            .metadata()
            .map(|m| Stamp::of(&m))
            .map_err(io_error(&path, "reading the token file"))?;
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut file, &mut bytes)
            .map_err(io_error(&path, "reading the token file"))?;
        let corrupt = |reason: String| StoreError::CorruptRecord {
            tree: FILE,
            key: path.display().to_string(),
            reason,
        };
        let doc: Document = serde_json::from_slice(&bytes).map_err(|e| corrupt(e.to_string()))?;
        if doc.format != FORMAT {
            return Err(corrupt(format!(
                "format {}, this build reads format {FORMAT}",
                doc.format
            )));
        }
        let mut by_id = BTreeMap::new();
        for token in doc.tokens {
            if by_id.contains_key(&token.id) {
                return Err(corrupt(format!("token {:?} is listed twice", token.id)));
            }
            by_id.insert(token.id.clone(), token);
        }
        Ok((
            Some(stamp),
            Tokens {
                by_id,
                pending_audit: doc.pending_audit,
            },
        ))
    }

    /// Changes the file under the lock: reads it afresh, lets `change` edit it, and replaces it
    /// atomically when `change` returns `Ok` (nothing is written when it fails).
    pub(super) fn update<T>(
        &self,
        change: impl FnOnce(&mut Tokens) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let lock_path = self.dir.join(LOCK);
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(io_error(&lock_path, "opening the token lock"))?;
        lock.lock()
            .map_err(io_error(&lock_path, "locking the token file"))?;
        let (_, mut tokens) = self.read()?;
        let result = change(&mut tokens)?;
        self.replace(&tokens)?;
        let (stamp, tokens) = self.read()?;
        *self.cached.write().unwrap_or_else(|p| p.into_inner()) = Some((stamp, Arc::new(tokens)));
        drop(lock);
        Ok(result)
    }

    /// Writes `tokens` to a temporary file and renames it over the file, durably.
    fn replace(&self, tokens: &Tokens) -> Result<(), StoreError> {
        let doc = Document {
            format: FORMAT,
            tokens: tokens.list(),
            pending_audit: tokens.pending_audit.clone(),
        };
        let mut bytes = serde_json::to_vec_pretty(&doc).expect("token records serialize");
        bytes.push(b'\n');
        let temp = self.dir.join(TEMP);
        let mut options = OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options
            .open(&temp)
            .map_err(io_error(&temp, "writing the token file"))?;
        file.write_all(&bytes)
            .and_then(|()| file.sync_all())
            .map_err(io_error(&temp, "writing the token file"))?;
        drop(file);
        let path = self.path();
        std::fs::rename(&temp, &path).map_err(io_error(&path, "replacing the token file"))?;
        #[cfg(unix)]
        File::open(&self.dir)
            .and_then(|d| d.sync_all())
            .map_err(io_error(&self.dir, "flushing the store directory"))?;
        Ok(())
    }

    /// The token with this id.
    pub fn get(&self, id: &str) -> Result<Option<Token>, StoreError> {
        Ok(self.current()?.0.by_id.get(id).cloned())
    }

    /// Every token, oldest first.
    pub fn list(&self) -> Result<Vec<Token>, StoreError> {
        Ok(self.current()?.0.list())
    }

    /// Whether no token was ever issued (revoked and expired ones count as issued).
    pub fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(self.current()?.0.by_id.is_empty())
    }

    /// Stores (or replaces) a token record; durable when it returns.
    pub fn put(&self, token: &Token) -> Result<(), StoreError> {
        self.update(|tokens| {
            tokens.by_id.insert(token.id.clone(), token.clone());
            Ok(())
        })
    }

    /// Revokes a token at `at` (a revoked token keeps its first revocation time); durable when
    /// it returns. `None` when no token has this id.
    pub fn revoke(&self, id: &str, at: u64) -> Result<Option<Token>, StoreError> {
        self.update(|tokens| {
            Ok(tokens.by_id.get_mut(id).map(|token| {
                token.revoked_at.get_or_insert(at);
                token.clone()
            }))
        })
    }

    /// Queues an audit entry for the store's audit log (for a process that cannot open the
    /// store); durable when it returns.
    pub fn queue_audit(&self, entry: PendingAudit) -> Result<(), StoreError> {
        self.update(|tokens| {
            tokens.pending_audit.push(entry);
            Ok(())
        })
    }
}

fn io_error(path: &Path, during: &'static str) -> impl FnOnce(std::io::Error) -> StoreError {
    let path = path.to_path_buf();
    move |source| StoreError::File {
        path,
        during,
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(id: &str, created_at: u64) -> Token {
        Token {
            id: id.to_string(),
            role: AccessRole::Planner,
            org: None,
            chains: Vec::new(),
            created_at,
            expires_at: None,
            revoked_at: None,
            secret_sha256: "0".repeat(64),
        }
    }

    #[test]
    fn a_change_made_through_one_handle_is_seen_by_another() {
        let dir = tempfile::tempdir().unwrap();
        let server = TokenFile::open(dir.path()).unwrap();
        let cli = TokenFile::open(dir.path()).unwrap();
        assert!(server.is_empty().unwrap());
        cli.put(&token("aaaaaaaaaaaa", 2)).unwrap();
        assert_eq!(
            server.get("aaaaaaaaaaaa").unwrap(),
            Some(token("aaaaaaaaaaaa", 2))
        );
        cli.put(&token("bbbbbbbbbbbb", 1)).unwrap();
        let ids: Vec<String> = server.list().unwrap().into_iter().map(|t| t.id).collect();
        assert_eq!(ids, ["bbbbbbbbbbbb", "aaaaaaaaaaaa"]);
        let revoked = cli.revoke("aaaaaaaaaaaa", 5).unwrap().unwrap();
        assert_eq!(revoked.revoked_at, Some(5));
        assert_eq!(
            server.get("aaaaaaaaaaaa").unwrap().unwrap().revoked_at,
            Some(5)
        );
        // A second revocation keeps the first time; an unknown id is None.
        assert_eq!(
            cli.revoke("aaaaaaaaaaaa", 9).unwrap().unwrap().revoked_at,
            Some(5)
        );
        assert_eq!(cli.revoke("cccccccccccc", 9).unwrap(), None);
        assert!(!dir.path().join(TEMP).exists());
    }

    #[test]
    fn writers_in_many_threads_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        std::thread::scope(|scope| {
            for t in 0..4 {
                let dir = dir.path();
                scope.spawn(move || {
                    let file = TokenFile::open(dir).unwrap();
                    for n in 0..10 {
                        file.put(&token(&format!("{t:06}{n:06}"), n)).unwrap();
                    }
                });
            }
        });
        let file = TokenFile::open(dir.path()).unwrap();
        assert_eq!(file.list().unwrap().len(), 40);
    }

    #[test]
    fn a_damaged_file_is_a_clear_error_and_a_failed_change_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let file = TokenFile::open(dir.path()).unwrap();
        file.put(&token("aaaaaaaaaaaa", 1)).unwrap();
        let before = std::fs::read(dir.path().join(FILE)).unwrap();
        let failed = file.update(|tokens| {
            tokens.by_id.clear();
            Err::<(), _>(StoreError::CorruptRecord {
                tree: FILE,
                key: String::new(),
                reason: "test".into(),
            })
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read(dir.path().join(FILE)).unwrap(), before);
        std::fs::write(dir.path().join(FILE), "{\"format\": 1, \"tokens\": [").unwrap();
        let error = file.list().unwrap_err().to_string();
        assert!(error.contains(FILE), "{error}");
    }
}
