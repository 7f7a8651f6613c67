//! [`SupplyList`]: supplies packed into one buffer, for documents of millions of supplies.
//!
//! A [`Supply`] held on its own costs four strings, each an allocation: about 220 bytes for a
//! supply of 35 bytes of text. An import of a national document keeps its supplies packed
//! instead: each supply's four fields joined by a NUL byte (which no id may hold), one after
//! the other in one buffer. The joined form is also the store's key of a supply, and its byte
//! order is the order of [`Supply`] (chain, supplier, customer, part).

use super::Supply;

/// Supplies packed into one buffer, in the order they were pushed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SupplyList {
    bytes: Vec<u8>,
    /// Where each supply's joined fields end in `bytes`.
    ends: Vec<usize>,
}

/// The four fields of one packed supply, borrowed from its list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SupplyRef<'a> {
    pub chain: &'a str,
    pub supplier: &'a str,
    pub customer: &'a str,
    pub part: &'a str,
}

impl SupplyRef<'_> {
    pub fn to_supply(&self) -> Supply {
        Supply {
            chain: self.chain.to_string(),
            supplier: self.supplier.to_string(),
            customer: self.customer.to_string(),
            part: self.part.to_string(),
        }
    }
}

impl SupplyList {
    pub fn new() -> SupplyList {
        SupplyList::default()
    }

    /// Appends `supply`; `false` (and nothing appended) when a field holds a NUL byte, which
    /// would make the packed form ambiguous.
    pub fn push(&mut self, supply: &Supply) -> bool {
        let fields = [
            &supply.chain,
            &supply.supplier,
            &supply.customer,
            &supply.part,
        ];
        if fields.iter().any(|f| f.as_bytes().contains(&0)) {
            return false;
        }
        for (i, field) in fields.iter().enumerate() {
            if i > 0 {
                self.bytes.push(0);
            }
            self.bytes.extend_from_slice(field.as_bytes());
        }
        self.ends.push(self.bytes.len());
        true
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The joined fields of supply `i`: `chain 0x00 supplier 0x00 customer 0x00 part`.
    pub fn joined(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.bytes[start..self.ends[i]]
    }

    /// Supply `i`.
    pub fn get(&self, i: usize) -> SupplyRef<'_> {
        let mut parts = self.joined(i).splitn(4, |b| *b == 0).map(|p| {
            // Every part was pushed whole from a `String`, split at NULs only.
            std::str::from_utf8(p).expect("packed fields are UTF-8")
        });
        let mut next = || parts.next().unwrap_or("");
        SupplyRef {
            chain: next(),
            supplier: next(),
            customer: next(),
            part: next(),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = SupplyRef<'_>> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }
}

impl<'de> serde::Deserialize<'de> for SupplyList {
    /// A JSON array of supplies, each parsed as a [`Supply`] (with its checks) and packed at
    /// once. A supply with a NUL byte in a field is refused.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = SupplyList;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a sequence of supplies")
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<SupplyList, A::Error> {
                let mut list = SupplyList::new();
                while let Some(supply) = seq.next_element::<Supply>()? {
                    if !list.push(&supply) {
                        return Err(serde::de::Error::custom(
                            "a supply field holds a NUL character",
                        ));
                    }
                }
                Ok(list)
            }
        }
        deserializer.deserialize_seq(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn supply(chain: &str, from: &str, to: &str, part: &str) -> Supply {
        Supply {
            chain: chain.into(),
            supplier: from.into(),
            customer: to.into(),
            part: part.into(),
        }
    }

    #[test]
    fn packed_supplies_read_back_as_pushed() {
        let mut list = SupplyList::new();
        let a = supply("c1", "f1", "f2", "隔膜");
        let b = supply("c", "", "f", "p");
        assert!(list.push(&a) && list.push(&b));
        assert!(!list.push(&supply("c", "f\u{0}1", "f", "p")));
        assert_eq!(list.len(), 2);
        assert_eq!(list.get(0).to_supply(), a);
        assert_eq!(list.get(1).to_supply(), b);
        assert_eq!(list.joined(1), b"c\0\0f\0p");
        let parsed: SupplyList =
            serde_json::from_str(r#"[{"chain":"c1","from":"f1","to":"f2","part":"隔膜"}]"#)
                .unwrap();
        assert_eq!(
            parsed.iter().map(|s| s.to_supply()).collect::<Vec<_>>(),
            [a]
        );
    }

    #[test]
    fn joined_byte_order_is_the_order_of_supplies() {
        let supplies = [
            supply("c", "f", "g", "p"),
            supply("c", "f1", "a", "p"),
            supply("c", "f", "g", "p2"),
            supply("c-1", "a", "a", "a"),
        ];
        let mut list = SupplyList::new();
        for s in &supplies {
            list.push(s);
        }
        for i in 0..supplies.len() {
            for j in 0..supplies.len() {
                assert_eq!(
                    list.joined(i).cmp(list.joined(j)),
                    supplies[i].cmp(&supplies[j])
                );
            }
        }
    }
}
