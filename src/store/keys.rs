//! Key encoding of every tree: the parts of a key are joined by a 0x00 byte, which the store
//! refuses in ids (see [`check_id`]), so that a prefix scan on `id ++ 0x00` matches exactly the
//! keys of that id and never those of a longer id that starts the same way.

use super::StoreError;
use crate::model::{Organization, Problem, Supply};

/// The separator between the parts of a key.
pub(crate) const SEP: u8 = 0x00;

/// Every tree of the store. The discriminant is the tree's tag in the redo log, so it must never
/// change for an existing variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub(crate) enum TreeId {
    Regions = 0,
    Chains = 1,
    Organizations = 2,
    /// The supplies, keyed `customer ++ 0x00 ++ supply key`: the record tree of supplies and,
    /// by its key order, the suppliers-of-firm index.
    Supplies = 3,
    Problems = 4,
    /// `supplier ++ 0x00 ++ supply key`.
    CustomersOfFirm = 5,
    /// `chain ++ 0x00 ++ organization id`.
    MembersOfChain = 6,
    /// `organization id ++ 0x00 ++ problem id`.
    ProblemsOfFirm = 7,
    /// `capability code ++ 0x00 ++ organization id`.
    ProvidersByCapability = 8,
    /// The quality work run on chains, keyed by id; these own no index entries.
    Projects = 9,
    Consortia = 10,
    PolicyTools = 11,
    Goals = 12,
    /// The capability catalogue, keyed by capability code; no index entries.
    Capabilities = 13,
    /// Disclosure requests, keyed by id. Not a record tree: written directly like the audit
    /// log, never through the redo log, so it is not in [`TreeId::ALL`] (see `disclosure`).
    DisclosureRequests = 14,
    /// Quality notices, keyed by id; no index entries.
    Notices = 15,
}

impl TreeId {
    pub(crate) const ALL: [TreeId; 15] = [
        TreeId::Regions,
        TreeId::Chains,
        TreeId::Organizations,
        TreeId::Supplies,
        TreeId::Problems,
        TreeId::CustomersOfFirm,
        TreeId::MembersOfChain,
        TreeId::ProblemsOfFirm,
        TreeId::ProvidersByCapability,
        TreeId::Projects,
        TreeId::Consortia,
        TreeId::PolicyTools,
        TreeId::Goals,
        TreeId::Capabilities,
        TreeId::Notices,
    ];

    /// The sled tree name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            TreeId::Regions => "regions",
            TreeId::Chains => "chains",
            TreeId::Organizations => "organizations",
            TreeId::Supplies => "supplies",
            TreeId::Problems => "problems",
            TreeId::CustomersOfFirm => "customers-of-firm",
            TreeId::MembersOfChain => "members-of-chain",
            TreeId::ProblemsOfFirm => "problems-of-firm",
            TreeId::ProvidersByCapability => "providers-by-capability",
            TreeId::Projects => "projects",
            TreeId::Consortia => "consortia",
            TreeId::PolicyTools => "policy-tools",
            TreeId::Goals => "goals",
            TreeId::Capabilities => "capabilities",
            TreeId::DisclosureRequests => "disclosure-requests",
            TreeId::Notices => "notices",
        }
    }

    /// The place of a record or index tree in [`TreeId::ALL`] (its tag, except after the
    /// disclosure requests' tag 14, which `ALL` lacks).
    pub(crate) fn slot(self) -> usize {
        let tag = self as usize;
        if tag > TreeId::DisclosureRequests as usize {
            tag - 1
        } else {
            tag
        }
    }

    pub(crate) fn from_tag(tag: u8) -> Option<TreeId> {
        // By tag, not by place: tag 14 (disclosure requests) is not in `ALL`.
        TreeId::ALL.iter().copied().find(|t| *t as u8 == tag)
    }
}

/// Refuses ids that would break the key encoding: empty, or containing the separator.
pub(crate) fn check_id(kind: &'static str, id: &str) -> Result<(), StoreError> {
    let reason = if id.is_empty() {
        "it is empty"
    } else if id.as_bytes().contains(&SEP) {
        "it contains a NUL character"
    } else {
        return Ok(());
    };
    Err(StoreError::InvalidId {
        kind,
        id: id.to_owned(),
        reason,
    })
}

/// `a ++ 0x00 ++ b ++ 0x00 ++ …`
pub(crate) fn join(parts: &[&[u8]]) -> Vec<u8> {
    let len = parts.iter().map(|p| p.len() + 1).sum::<usize>();
    let mut key = Vec::with_capacity(len);
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            key.push(SEP);
        }
        key.extend_from_slice(part);
    }
    key
}

/// The prefix of every index key under `id`.
pub(crate) fn prefix(id: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(id.len() + 1);
    key.extend_from_slice(id.as_bytes());
    key.push(SEP);
    key
}

/// A supply is identified by all four of its fields: `chain, supplier, customer, part`.
pub(crate) fn supply_key(s: &Supply) -> Vec<u8> {
    join(&[
        s.chain.as_bytes(),
        s.supplier.as_bytes(),
        s.customer.as_bytes(),
        s.part.as_bytes(),
    ])
}

pub(crate) fn decode_supply(key: &[u8]) -> Option<Supply> {
    let mut parts = key.splitn(4, |b| *b == SEP);
    let mut next = || -> Option<String> { String::from_utf8(parts.next()?.to_vec()).ok() };
    Some(Supply {
        chain: next()?,
        supplier: next()?,
        customer: next()?,
        part: next()?,
    })
}

/// `owner ++ 0x00 ++ supply key`: the key of a supply in the supplies tree (owner = customer)
/// and the customers-of-firm index (owner = supplier).
pub(crate) fn supply_index_key(owner: &[u8], supply_key: &[u8]) -> Vec<u8> {
    join(&[owner, supply_key])
}

/// The supply key inside an index key made by [`supply_index_key`].
pub(crate) fn supply_of_index_key(key: &[u8]) -> Option<&[u8]> {
    let at = key.iter().position(|b| *b == SEP)?;
    Some(&key[at + 1..])
}

/// The part after `owner ++ 0x00` of an index key, as the id it names.
pub(crate) fn second_part(key: &[u8]) -> Option<String> {
    let at = key.iter().position(|b| *b == SEP)?;
    String::from_utf8(key[at + 1..].to_vec()).ok()
}

/// The index entries an organization owns: its chain memberships and its capabilities.
pub(crate) fn organization_index_keys(org: &Organization) -> Vec<(TreeId, Vec<u8>)> {
    let id = org.id.as_bytes();
    let members = org
        .memberships()
        .iter()
        .map(|m| (TreeId::MembersOfChain, join(&[m.chain.as_bytes(), id])));
    let providers = org.capability_list().iter().map(|c| {
        (
            TreeId::ProvidersByCapability,
            join(&[c.code.as_bytes(), id]),
        )
    });
    members.chain(providers).collect()
}

/// Refuses an organization whose index keys would be ambiguous.
pub(crate) fn check_organization(org: &Organization) -> Result<(), StoreError> {
    check_id("organization", &org.id)?;
    for m in org.memberships() {
        check_id("chain", &m.chain)?;
    }
    for c in org.capability_list() {
        check_id("capability", &c.code)?;
    }
    Ok(())
}

/// The index entry a problem owns: `org ++ 0x00 ++ problem id` in problems-of-firm.
pub(crate) fn problem_index_key(p: &Problem) -> (TreeId, Vec<u8>) {
    (
        TreeId::ProblemsOfFirm,
        join(&[p.org.as_bytes(), p.id.as_bytes()]),
    )
}

pub(crate) fn check_problem(p: &Problem) -> Result<(), StoreError> {
    check_id("problem", &p.id)?;
    check_id("organization", &p.org)
}

pub(crate) fn check_supply(s: &Supply) -> Result<(), StoreError> {
    check_supply_fields(&s.chain, &s.supplier, &s.customer, &s.part)
}

pub(crate) fn check_supply_fields(
    chain: &str,
    supplier: &str,
    customer: &str,
    part: &str,
) -> Result<(), StoreError> {
    check_id("chain", chain)?;
    check_id("organization", supplier)?;
    check_id("organization", customer)?;
    check_id("part", part)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_supply_key_round_trips_and_names_its_ends() {
        let s = Supply {
            chain: "power-battery".into(),
            supplier: "f2".into(),
            customer: "f1".into(),
            part: "隔膜".into(),
        };
        let key = supply_key(&s);
        assert_eq!(decode_supply(&key), Some(s));
        let index = supply_index_key(b"f1", &key);
        assert_eq!(supply_of_index_key(&index), Some(key.as_slice()));
    }

    /// The tag of a tree in the redo log and the history never changes: the trees of older
    /// builds keep theirs, and each tree of `ALL` is found by its tag and sits at its slot.
    #[test]
    fn every_tree_is_found_by_its_tag() {
        for (i, t) in TreeId::ALL.iter().enumerate() {
            assert_eq!(t.slot(), i);
            assert_eq!(TreeId::from_tag(*t as u8), Some(*t));
        }
        assert_eq!(TreeId::ProvidersByCapability as u8, 8);
        assert_eq!(TreeId::Goals as u8, 12);
        assert_eq!(TreeId::Capabilities as u8, 13);
        assert_eq!(TreeId::DisclosureRequests as u8, 14);
        assert_eq!(TreeId::from_tag(14), None);
        assert_eq!(TreeId::Notices as u8, 15);
        assert_eq!(TreeId::from_tag(15), Some(TreeId::Notices));
        assert_eq!(TreeId::from_tag(16), None);
    }

    #[test]
    fn a_prefix_does_not_match_a_longer_id() {
        let key = join(&[b"chain-1", b"f1"]);
        assert!(key.starts_with(&prefix("chain-1")));
        assert!(!key.starts_with(&prefix("chain")));
        assert_eq!(second_part(&key).as_deref(), Some("f1"));
    }

    #[test]
    fn ids_with_the_separator_are_refused() {
        assert!(check_id("organization", "f1").is_ok());
        assert!(matches!(
            check_id("organization", "f\u{0}1"),
            Err(StoreError::InvalidId {
                kind: "organization",
                ..
            })
        ));
        assert!(matches!(
            check_id("chain", ""),
            Err(StoreError::InvalidId { kind: "chain", .. })
        ));
    }
}
