//! The disclosure requests between firms (see [`crate::model::disclosure`]): their own tree,
//! written directly and flushed at once like the audit log. They are not records of the
//! dataset: no revision, redo log, undo or export carries them.

use super::keys::TreeId;
use super::{decode_json, storage, to_json, Store, StoreError};
use crate::model::disclosure::DisclosureRequest;

impl Store {
    /// A new request id, `dr-` and a number never given before by this store.
    pub fn next_disclosure_request_id(&self) -> Result<String, StoreError> {
        let n = self
            .inner
            .db
            .generate_id()
            .map_err(storage("numbering a disclosure request"))?;
        Ok(format!("dr-{}", n + 1))
    }

    /// Stores (or replaces) a request; durable when it returns.
    pub fn put_disclosure_request(&self, r: &DisclosureRequest) -> Result<(), StoreError> {
        super::keys::check_id("disclosure request", &r.id)?;
        self.inner
            .disclosure_requests
            .insert(r.id.as_bytes(), to_json(r))
            .map_err(storage("writing a disclosure request"))?;
        self.flush_all("flushing a disclosure request")
    }

    /// One request.
    pub fn disclosure_request(&self, id: &str) -> Result<Option<DisclosureRequest>, StoreError> {
        let name = TreeId::DisclosureRequests.name();
        self.inner
            .disclosure_requests
            .get(id.as_bytes())
            .map_err(storage("reading a disclosure request"))?
            .map(|v| decode_json(name, id, &v))
            .transpose()
    }

    /// Every request, by id.
    pub fn disclosure_requests(&self) -> Result<Vec<DisclosureRequest>, StoreError> {
        let name = TreeId::DisclosureRequests.name();
        let mut out = Vec::new();
        for entry in self.inner.disclosure_requests.iter() {
            let (key, value) = entry.map_err(storage("reading the disclosure requests"))?;
            out.push(decode_json(name, &String::from_utf8_lossy(&key), &value)?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::disclosure::RequestStatus;

    #[test]
    fn a_request_outlives_the_store_handle() {
        let dir = tempfile::tempdir().unwrap();
        let r = {
            let store = Store::open(dir.path()).unwrap();
            let id = store.next_disclosure_request_id().unwrap();
            let r = DisclosureRequest {
                id,
                chain: "c".into(),
                from: "m".into(),
                supplier: "s".into(),
                problem: None,
                message: "请披露".into(),
                at: 1,
                by: "t1".into(),
                status: RequestStatus::Pending,
                answer: None,
            };
            store.put_disclosure_request(&r).unwrap();
            r
        };
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.disclosure_request(&r.id).unwrap(), Some(r.clone()));
        assert_eq!(store.disclosure_requests().unwrap(), vec![r.clone()]);
        assert_ne!(store.next_disclosure_request_id().unwrap(), r.id);
    }
}
