//! Who is asking, and what they may see: the [`Principal`] of a request and the visibility rules
//! of each role. The service asks it before it reads or writes; the API only says who holds the
//! token. Every refusal is the same `Forbidden` whatever the reason, so that a refusal says
//! nothing about what exists.

use super::Error;
use crate::model::access::{AccessRole, Token};
use crate::model::{Dataset, Disclosure, Problem};
use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::rc::Rc;

/// The holder of a request.
#[derive(Debug, Clone, PartialEq)]
pub enum Principal {
    /// `serve --demo` with no token configured: reads everything, writes nothing.
    Anonymous,
    /// A verified, live token.
    Holder(Token),
}

impl Principal {
    fn token(&self) -> Option<&Token> {
        match self {
            Principal::Holder(t) => Some(t),
            Principal::Anonymous => None,
        }
    }

    pub fn role(&self) -> Option<AccessRole> {
        self.token().map(|t| t.role)
    }

    /// The id shown in the audit log.
    pub fn actor(&self) -> &str {
        self.token().map_or("anonymous", |t| t.id.as_str())
    }

    /// What a revision written by this holder records of it.
    pub fn note(&self) -> crate::model::WriteNote {
        crate::model::WriteNote::by(self.actor())
    }

    /// The organization of an enterprise token.
    pub fn org(&self) -> Option<&str> {
        self.token()
            .filter(|t| t.role == AccessRole::Enterprise)
            .and_then(|t| t.org.as_deref())
    }

    /// Firm-level reads of every chain.
    pub fn all_chains(&self) -> bool {
        match self {
            Principal::Anonymous => true,
            Principal::Holder(t) => match t.role {
                AccessRole::Admin => true,
                AccessRole::Regulator => t.chains.is_empty(),
                AccessRole::Enterprise | AccessRole::Planner => false,
            },
        }
    }

    /// Firm-level reads of a chain (its map, weak links, problems, firms): admins, regulators
    /// of the chain, and anonymous demo visitors.
    pub fn reads_chain(&self, chain: &str) -> bool {
        self.all_chains()
            || self.token().is_some_and(|t| {
                t.role == AccessRole::Regulator && t.chains.iter().any(|c| c == chain)
            })
    }

    /// Aggregated reads of a chain (coverage, gaps without firms, recommendations): also planners.
    pub fn reads_chain_aggregates(&self, chain: &str) -> bool {
        self.reads_chain(chain) || self.is_planner()
    }

    /// Dataset-wide aggregates (the comparison, dataset coverage): every chain's reader and
    /// planners.
    pub fn reads_dataset_aggregates(&self) -> bool {
        self.all_chains() || self.is_planner()
    }

    /// A regulator whose token is limited to some chains (a local regulator).
    pub fn limited_regulator(&self) -> bool {
        self.token()
            .is_some_and(|t| t.role == AccessRole::Regulator && !t.chains.is_empty())
    }

    pub fn is_planner(&self) -> bool {
        self.role() == Some(AccessRole::Planner)
    }

    pub fn is_admin(&self) -> bool {
        self.role() == Some(AccessRole::Admin)
    }

    /// Writes that no single chain covers (providers, organizations on no chain): admins and
    /// regulators of every chain.
    pub fn writes_all(&self) -> bool {
        self.token().is_some_and(|t| {
            t.role == AccessRole::Admin || (t.role == AccessRole::Regulator && t.chains.is_empty())
        })
    }

    /// Writes of an organization record, given its stored version (if any) and the new one
    /// (absent for a delete): every chain either version sits on must be writable.
    pub fn writes_organization(
        &self,
        old: Option<&crate::model::Organization>,
        new: Option<&crate::model::Organization>,
    ) -> bool {
        let versions: Vec<&crate::model::Organization> = old.into_iter().chain(new).collect();
        let chains: Vec<&str> = versions
            .iter()
            .flat_map(|o| o.memberships())
            .map(|m| m.chain.as_str())
            .collect();
        if chains.is_empty() || versions.iter().any(|o| o.is_provider()) {
            self.writes_all()
        } else {
            chains.iter().all(|c| self.writes_chain(c))
        }
    }

    /// A 404 for those who may know whether the record exists, a 403 for everyone else.
    pub fn not_found(&self, kind: &'static str, id: impl Into<String>) -> Error {
        if self.all_chains() {
            Error::not_found(kind, id)
        } else {
            Error::Forbidden
        }
    }

    /// Writes on a chain: admins and the chain's regulators.
    pub fn writes_chain(&self, chain: &str) -> bool {
        matches!(self.role(), Some(AccessRole::Admin))
            || self.token().is_some_and(|t| {
                t.role == AccessRole::Regulator
                    && (t.chains.is_empty() || t.chains.iter().any(|c| c == chain))
            })
    }

    pub fn require(&self, allowed: bool) -> Result<(), Error> {
        if allowed {
            Ok(())
        } else {
            Err(Error::Forbidden)
        }
    }

    /// Firm-level reads of `chain`.
    pub fn require_chain(&self, chain: &str) -> Result<(), Error> {
        self.require(self.reads_chain(chain))
    }

    /// Whether the principal may read the record of organization `id`: anyone who reads a chain
    /// it sits on (those who read every chain, also firms on none: e.g. one that a survey took
    /// off its chain); an enterprise for itself and the firms upstream of it; everyone for
    /// providers, which are public infrastructure.
    pub fn reads_organization(&self, d: &Dataset, id: &str) -> bool {
        let Some(org) = d.organizations.get(id) else {
            return self.all_chains();
        };
        if org.is_provider() || (self.all_chains() && self.org().is_none()) {
            return true;
        }
        if let Some(own) = self.org() {
            return own == id || upstream_of(d, own).contains(id);
        }
        org.memberships().iter().any(|m| self.reads_chain(&m.chain))
    }

    /// Whether the principal may read problem `p`: the one rule of every place that shows
    /// problems. Its holder always; admins, regulators of its chain and anonymous demo visitors
    /// always; another enterprise when the holder disclosed it to `customers` and the reader is
    /// downstream of the holder on the problem's chain, or to `chain` and the reader is a member
    /// of that chain; planners never. To judge many problems, build one [`ProblemSight`] with
    /// [`Principal::sight`] (it computes what is downstream once per chain).
    pub fn sees_problem(&self, d: &Dataset, p: &Problem) -> bool {
        self.sight(d).sees(p)
    }

    /// The problems this principal may read in `d`, judged one by one (see
    /// [`Principal::sees_problem`]).
    pub fn sight<'a>(&'a self, d: &'a Dataset) -> ProblemSight<'a> {
        ProblemSight {
            who: self,
            d,
            upstream: RefCell::new(HashMap::new()),
        }
    }

    /// Whether the principal may write a problem held by `org` on `chain`.
    pub fn writes_problem(&self, org: &str, chain: &str) -> bool {
        match self.org() {
            Some(own) => own == org,
            None => self.writes_chain(chain),
        }
    }
}

/// What one principal may read of the problems of one dataset (see
/// [`Principal::sees_problem`]): for an enterprise, the firms upstream of it on each chain asked
/// about, computed once per chain and kept for the request.
pub struct ProblemSight<'a> {
    who: &'a Principal,
    d: &'a Dataset,
    upstream: RefCell<HashMap<String, Rc<BTreeSet<String>>>>,
}

impl ProblemSight<'_> {
    /// Whether the principal may read `p`.
    pub fn sees(&self, p: &Problem) -> bool {
        let Some(own) = self.who.org() else {
            return self.who.reads_chain(&p.chain);
        };
        if own == p.org {
            return true;
        }
        match p.disclosure {
            Disclosure::Private => false,
            Disclosure::Customers => self.upstream_on(&p.chain).contains(&p.org),
            Disclosure::Chain => self
                .d
                .organizations
                .get(own)
                .is_some_and(|o| o.membership(&p.chain).is_some()),
        }
    }

    /// The firms upstream of the enterprise reader on `chain` (empty for other principals).
    fn upstream_on(&self, chain: &str) -> Rc<BTreeSet<String>> {
        if let Some(found) = self.upstream.borrow().get(chain) {
            return found.clone();
        }
        let found = Rc::new(
            self.who
                .org()
                .map(|own| upstream_on_chain(self.d, own, chain))
                .unwrap_or_default(),
        );
        self.upstream
            .borrow_mut()
            .insert(chain.to_string(), found.clone());
        found
    }
}

/// Every firm with a supply path to `org` on `chain` (not `org` itself).
///
/// Complexity: O(S_c) over the chain's supplies.
pub fn upstream_on_chain(d: &Dataset, org: &str, chain: &str) -> BTreeSet<String> {
    let mut suppliers: HashMap<&str, Vec<&str>> = HashMap::new();
    for s in d.supplies_of_chain(chain) {
        suppliers.entry(&s.customer).or_default().push(&s.supplier);
    }
    let mut found = BTreeSet::new();
    let mut queue = VecDeque::from([org]);
    let mut seen = BTreeSet::from([org]);
    while let Some(firm) = queue.pop_front() {
        for &s in suppliers.get(firm).into_iter().flatten() {
            if seen.insert(s) {
                queue.push_back(s);
                found.insert(s.to_string());
            }
        }
    }
    found
}

/// Every firm with a supply path to `org` on any chain `org` sits on.
///
/// Complexity: O(S) over the dataset's supplies per call.
pub fn upstream_of(d: &Dataset, org: &str) -> BTreeSet<String> {
    let Some(o) = d.organizations.get(org) else {
        return BTreeSet::new();
    };
    o.memberships()
        .iter()
        .flat_map(|m| upstream_on_chain(d, org, &m.chain))
        .collect()
}

/// The holder of the token, and the chains it may open.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Me {
    /// `anonymous` for read-only demo access without a token.
    pub role: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// The organization of an enterprise token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    /// The name of that organization.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_name: Option<String>,
    /// Chains the holder reads firm by firm (for an enterprise: the chains it sits on).
    pub chains: Vec<MeChain>,
    /// Whether the holder may write (some) records.
    pub writes: bool,
    /// Whether the holder reads the dataset-wide figures (the chain comparison).
    pub compares: bool,
}

/// A chain the holder may open.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct MeChain {
    pub id: String,
    pub name: String,
}

/// Who `who` is and what it opens: its role, token, organization, the chains it reads firm by
/// firm (for an enterprise: the chains it sits on), and whether it writes and compares.
pub fn me(snap: &super::Snapshot, who: &Principal) -> Me {
    let own = who.org().and_then(|o| snap.dataset.organizations.get(o));
    let chains = snap
        .dataset
        .chains
        .values()
        .filter(|c| who.reads_chain(&c.id) || own.is_some_and(|o| o.membership(&c.id).is_some()))
        .map(|c| MeChain {
            id: c.id.clone(),
            name: c.name.clone(),
        })
        .collect();
    Me {
        role: who.role().map_or("anonymous", |r| r.as_str()).to_string(),
        token: match who {
            Principal::Holder(t) => Some(t.id.clone()),
            Principal::Anonymous => None,
        },
        org: who.org().map(str::to_string),
        org_name: own.map(|o| o.name.clone()),
        chains,
        writes: !matches!(who.role(), None | Some(AccessRole::Planner)),
        compares: who.reads_dataset_aggregates(),
    }
}
