//! Unique organization names.
//!
//! Names are drawn from small vocabularies, so at a million firms many draws repeat; the registry
//! keeps every name given out and numbers a repeat ("…有限公司（2）"). The set is only asked
//! whether it holds a name, never iterated, so it cannot leak hash order into the output.

use std::collections::HashSet;

#[derive(Debug, Default)]
pub struct NameRegistry {
    taken: HashSet<String>,
}

impl NameRegistry {
    pub fn with_capacity(n: usize) -> NameRegistry {
        NameRegistry {
            taken: HashSet::with_capacity(n),
        }
    }

    /// `base` if it is still free, else `base（n）` with the least free n ≥ 2; the result is
    /// taken from then on.
    pub fn unique(&mut self, base: String) -> String {
        if !self.taken.contains(&base) {
            self.taken.insert(base.clone());
            return base;
        }
        let name = (2..)
            .map(|n| format!("{base}（{n}）"))
            .find(|candidate| !self.taken.contains(candidate))
            .expect("some number is free");
        self.taken.insert(name.clone());
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_are_numbered_and_never_reused() {
        let mut names = NameRegistry::default();
        assert_eq!(names.unique("苏州恒达有限公司".into()), "苏州恒达有限公司");
        assert_eq!(
            names.unique("苏州恒达有限公司".into()),
            "苏州恒达有限公司（2）"
        );
        assert_eq!(
            names.unique("苏州恒达有限公司（2）".into()),
            "苏州恒达有限公司（2）（2）"
        );
        assert_eq!(
            names.unique("苏州恒达有限公司".into()),
            "苏州恒达有限公司（3）"
        );
    }
}
