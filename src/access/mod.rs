//! API tokens: issuing them (random, shown once, stored only as a hash) and checking a presented
//! one in constant time. Knows no sled and no axum: the store keeps [`Token`] records, the API
//! calls [`verify`].
//!
//! A token reads `qmap_<id>_<secret>`: the id (12 hex digits) finds the record, the secret (64 hex
//! digits, 256 random bits) proves possession; the record holds the SHA-256 of the whole string.

use crate::model::access::{AccessRole, Token};
use crate::model::Lookup;
use sha2::{Digest, Sha256};
use std::time::{SystemTime, UNIX_EPOCH};

const PREFIX: &str = "qmap_";
const SECONDS_PER_DAY: u64 = 86_400;

/// Why a token cannot be issued or accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    #[error("an enterprise token needs --org, the enterprise it belongs to")]
    MissingOrg,
    #[error("only an enterprise token is bound to an organization")]
    UnexpectedOrg,
    #[error("only a regulator token is limited to chains")]
    UnexpectedChains,
    #[error("organization {0:?} is not an enterprise in the store")]
    NotAnEnterprise(String),
    #[error("chain {0:?} is not in the store")]
    UnknownChain(String),
    #[error("--expires must be at least 1 day")]
    ZeroExpiry,
    #[error("the system's random source failed: {0}")]
    Random(String),
}

/// Why a presented token was refused. Callers answer every case alike (401), so that nobody
/// learns which ids exist; the variant is for the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("not a qmap token")]
    Malformed,
    #[error("unknown token")]
    Unknown,
    #[error("wrong secret")]
    WrongSecret,
    #[error("token expired")]
    Expired,
    #[error("token revoked")]
    Revoked,
}

/// A freshly issued token: the record to store and the string to show its holder once.
#[derive(Debug, Clone)]
pub struct Issued {
    pub token: Token,
    pub secret: String,
}

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The civil (proleptic Gregorian) date of a Unix time in UTC: `(year, month, day)`.
pub fn civil_date(secs: u64) -> (i64, u32, u32) {
    let days = (secs / 86_400) as i64;
    // H. Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// This year (UTC).
pub fn this_year() -> u16 {
    u16::try_from(civil_date(now()).0).unwrap_or(u16::MAX)
}

fn random_hex(bytes: usize) -> Result<String, AccessError> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| AccessError::Random(e.to_string()))?;
    Ok(hex(&buf))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256_hex(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

/// Issues a token for `role` with its scope checked against the records in `existing`.
///
/// # Arguments
/// - `org`: required for (and only for) `enterprise`: an enterprise id of the store.
/// - `chains`: only for `regulator`: chain ids of the store (empty = every chain).
/// - `expires_days`: lifetime in days from `now`; `None` = until revoked.
pub fn issue(
    role: AccessRole,
    org: Option<&str>,
    chains: &[String],
    expires_days: Option<u64>,
    now: u64,
    existing: &dyn Lookup,
) -> Result<Issued, AccessError> {
    match (role, org) {
        (AccessRole::Enterprise, None) => return Err(AccessError::MissingOrg),
        (AccessRole::Enterprise, Some(id)) => {
            if existing.organization(id).is_none_or(|o| o.is_provider()) {
                return Err(AccessError::NotAnEnterprise(id.to_string()));
            }
        }
        (_, Some(_)) => return Err(AccessError::UnexpectedOrg),
        (_, None) => {}
    }
    if !chains.is_empty() && role != AccessRole::Regulator {
        return Err(AccessError::UnexpectedChains);
    }
    if let Some(c) = chains.iter().find(|c| existing.chain(c).is_none()) {
        return Err(AccessError::UnknownChain(c.clone()));
    }
    if expires_days == Some(0) {
        return Err(AccessError::ZeroExpiry);
    }
    let id = random_hex(6)?;
    let secret = format!("{PREFIX}{id}_{}", random_hex(32)?);
    let mut chains = chains.to_vec();
    chains.sort();
    chains.dedup();
    Ok(Issued {
        token: Token {
            id,
            role,
            org: org.map(str::to_string),
            chains,
            created_at: now,
            expires_at: expires_days.map(|d| now.saturating_add(d.saturating_mul(SECONDS_PER_DAY))),
            revoked_at: None,
            secret_sha256: sha256_hex(&secret),
        },
        secret,
    })
}

/// The id part of a presented token, if it has the token's shape.
pub fn token_id(presented: &str) -> Option<&str> {
    let rest = presented.strip_prefix(PREFIX)?;
    let (id, secret) = rest.split_once('_')?;
    let hex = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit());
    (hex(id, 12) && hex(secret, 64)).then_some(id)
}

/// Checks a presented token against its stored record at `now`.
///
/// The hashes are compared in constant time, so the time taken says nothing about how much of
/// a guess was right.
pub fn verify(presented: &str, stored: Option<&Token>, now: u64) -> Result<(), Denied> {
    let id = token_id(presented).ok_or(Denied::Malformed)?;
    let stored = stored.filter(|t| t.id == id).ok_or(Denied::Unknown)?;
    if !constant_time_eq(
        sha256_hex(presented).as_bytes(),
        stored.secret_sha256.as_bytes(),
    ) {
        return Err(Denied::WrongSecret);
    }
    if stored.revoked_at.is_some() {
        return Err(Denied::Revoked);
    }
    if !stored.is_live(now) {
        return Err(Denied::Expired);
    }
    Ok(())
}

/// Equality whose running time depends only on the lengths.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Bundle, Dataset};

    fn data() -> Dataset {
        let bundle: Bundle =
            serde_json::from_str(include_str!("../../fixtures/linear.json")).unwrap();
        Dataset::from_bundle(bundle)
    }

    fn some_enterprise(d: &Dataset) -> String {
        d.organizations
            .values()
            .find(|o| !o.is_provider())
            .unwrap()
            .id
            .clone()
    }

    #[test]
    fn an_issued_token_verifies_and_only_its_hash_is_kept() {
        let d = data();
        let issued = issue(AccessRole::Admin, None, &[], None, 1_000, &d).unwrap();
        assert!(issued.secret.starts_with("qmap_"));
        assert!(!issued.token.secret_sha256.contains(&issued.secret[17..]));
        assert_eq!(token_id(&issued.secret), Some(issued.token.id.as_str()));
        assert_eq!(verify(&issued.secret, Some(&issued.token), 1_001), Ok(()));
    }

    #[test]
    fn two_tokens_never_share_id_or_secret() {
        let d = data();
        let a = issue(AccessRole::Planner, None, &[], None, 0, &d).unwrap();
        let b = issue(AccessRole::Planner, None, &[], None, 0, &d).unwrap();
        assert_ne!(a.token.id, b.token.id);
        assert_ne!(a.secret, b.secret);
    }

    #[test]
    fn a_wrong_secret_an_expired_and_a_revoked_token_are_refused() {
        let d = data();
        let issued = issue(AccessRole::Admin, None, &[], Some(1), 1_000, &d).unwrap();
        let mut forged = issued.secret.clone();
        let last = forged.pop().unwrap();
        forged.push(if last == '0' { '1' } else { '0' });
        assert_eq!(
            verify(&forged, Some(&issued.token), 1_001),
            Err(Denied::WrongSecret)
        );
        assert_eq!(
            verify(&issued.secret, Some(&issued.token), 1_000 + SECONDS_PER_DAY),
            Err(Denied::Expired)
        );
        let mut revoked = issued.token.clone();
        revoked.revoked_at = Some(1_002);
        assert_eq!(
            verify(&issued.secret, Some(&revoked), 1_003),
            Err(Denied::Revoked)
        );
        assert_eq!(
            verify("Bearer nonsense", Some(&issued.token), 1_001),
            Err(Denied::Malformed)
        );
        assert_eq!(verify(&issued.secret, None, 1_001), Err(Denied::Unknown));
    }

    #[test]
    fn scopes_are_checked_against_the_store() {
        let d = data();
        let firm = some_enterprise(&d);
        let chain = d.chains.keys().next().unwrap().clone();
        assert_eq!(
            issue(AccessRole::Enterprise, None, &[], None, 0, &d).unwrap_err(),
            AccessError::MissingOrg
        );
        assert_eq!(
            issue(AccessRole::Enterprise, Some("nobody"), &[], None, 0, &d).unwrap_err(),
            AccessError::NotAnEnterprise("nobody".into())
        );
        let provider = d.providers().next().unwrap().id.clone();
        assert_eq!(
            issue(AccessRole::Enterprise, Some(&provider), &[], None, 0, &d).unwrap_err(),
            AccessError::NotAnEnterprise(provider)
        );
        assert_eq!(
            issue(AccessRole::Admin, Some(&firm), &[], None, 0, &d).unwrap_err(),
            AccessError::UnexpectedOrg
        );
        assert_eq!(
            issue(
                AccessRole::Planner,
                None,
                std::slice::from_ref(&chain),
                None,
                0,
                &d
            )
            .unwrap_err(),
            AccessError::UnexpectedChains
        );
        assert_eq!(
            issue(
                AccessRole::Regulator,
                None,
                &["elsewhere".into()],
                None,
                0,
                &d
            )
            .unwrap_err(),
            AccessError::UnknownChain("elsewhere".into())
        );
        assert_eq!(
            issue(AccessRole::Admin, None, &[], Some(0), 0, &d).unwrap_err(),
            AccessError::ZeroExpiry
        );
        let ok = issue(
            AccessRole::Regulator,
            None,
            std::slice::from_ref(&chain),
            Some(30),
            0,
            &d,
        )
        .unwrap();
        assert_eq!(ok.token.chains, vec![chain]);
        assert_eq!(ok.token.expires_at, Some(30 * SECONDS_PER_DAY));
        assert!(issue(AccessRole::Enterprise, Some(&firm), &[], None, 0, &d).is_ok());
    }
}
