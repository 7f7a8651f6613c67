//! `qmap token`: make, list and revoke API tokens, also beside a running server.

use super::*;

/// Where `qmap token` finds tokens: the store when this process can open it, otherwise (a
/// running `qmap serve` holds it) the token file alone, which the server reads at its next
/// request.
pub(super) struct TokenPlace {
    /// `None` while another process holds the store.
    store: Option<Store>,
    file: crate::store::TokenFile,
}

impl TokenPlace {
    fn open(dir: &Path) -> Result<TokenPlace, CliError> {
        let store = match Store::open(dir) {
            Ok(store) => Some(store),
            Err(StoreError::InUse { .. }) => None,
            Err(e) => return Err(e.into()),
        };
        // Opened after the store, which moves tokens of earlier builds into the file first.
        let file = crate::store::TokenFile::open(dir)?;
        Ok(TokenPlace { store, file })
    }

    /// Records a token change: in the audit log, or queued in the token file for the process
    /// that holds the store.
    fn audit(&self, action: &str, outcome: &str) {
        match &self.store {
            Some(store) => audit_cli(store, action, outcome),
            None => {
                let queued = self.file.queue_audit(crate::store::PendingAudit {
                    at: crate::access::now(),
                    actor: "cli".into(),
                    role: None,
                    action: action.to_string(),
                    outcome: outcome.to_string(),
                });
                if let Err(e) = queued {
                    eprintln!("qmap: warning: the audit log could not record {action:?}: {e}");
                }
            }
        }
    }
}

pub(super) fn run_token(action: TokenCommand) -> Result<(), CliError> {
    match action {
        TokenCommand::Create {
            role,
            org,
            chains,
            expires,
            data,
        } => {
            let place = TokenPlace::open(&data.dir)?;
            let empty = Dataset::new();
            let existing: &dyn crate::model::Lookup = match &place.store {
                Some(store) => store,
                // Without the store, an organization or chain cannot be checked.
                None if org.is_some() || !chains.is_empty() => {
                    return Err(CliError::ScopeNeedsStore(data.dir.clone()))
                }
                None => &empty,
            };
            let now = crate::access::now();
            let issued =
                crate::access::issue(role, org.as_deref(), &chains, expires, now, existing)?;
            place.file.put(&issued.token)?;
            place.audit(
                &format!("token create {} ({})", issued.token.id, role.as_str()),
                "ok",
            );
            eprintln!(
                "created {} token {}; it is shown only now — keep it safe:",
                role.as_str(),
                issued.token.id
            );
            println!("{}", issued.secret);
            Ok(())
        }
        TokenCommand::List { data } => {
            let place = TokenPlace::open(&data.dir)?;
            let now = crate::access::now();
            let tokens = place.file.list()?;
            if tokens.is_empty() {
                println!("no tokens (create one with `qmap token create --role admin`)");
            }
            for t in tokens {
                let scope = match (&t.org, t.chains.is_empty()) {
                    (Some(org), _) => format!("org {org}"),
                    (None, false) => format!("chains {}", t.chains.join(",")),
                    (None, true) => "all".to_string(),
                };
                let expires = t.expires_at.map_or("never".to_string(), utc);
                println!(
                    "{}  {:<10} {:<8} created {}  expires {}  {}",
                    t.id,
                    t.role.as_str(),
                    t.state(now),
                    utc(t.created_at),
                    expires,
                    scope
                );
            }
            Ok(())
        }
        TokenCommand::Revoke { id, data } => {
            let place = TokenPlace::open(&data.dir)?;
            place
                .file
                .revoke(&id, crate::access::now())?
                .ok_or_else(|| CliError::UnknownToken(id.clone()))?;
            place.audit(&format!("token revoke {id}"), "ok");
            println!("revoked {id}");
            Ok(())
        }
    }
}
