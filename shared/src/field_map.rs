//! A map keyed by [`Field`], in field order: a sorted list. A form has a few dozen fields at
//! most, and one small type here keeps the tree code of `BTreeMap` (once per value type) out
//! of the widget. Reads and writes JSON as an object, as a map does.

use crate::Field;
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::marker::PhantomData;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldMap<V>(Vec<(Field, V)>);

impl<V> Default for FieldMap<V> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<V> FieldMap<V> {
    pub fn new() -> Self {
        Self::default()
    }

    fn find(&self, field: Field) -> Result<usize, usize> {
        self.0.binary_search_by_key(&field, |(f, _)| *f)
    }

    /// Sets a field's value; the one it replaces, if any.
    pub fn insert(&mut self, field: Field, value: V) -> Option<V> {
        match self.find(field) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (field, value));
                None
            }
        }
    }

    pub fn get(&self, field: &Field) -> Option<&V> {
        self.find(*field).ok().map(|i| &self.0[i].1)
    }

    pub fn contains_key(&self, field: &Field) -> bool {
        self.find(*field).is_ok()
    }

    /// The entries in field order.
    pub fn iter(&self) -> impl Iterator<Item = (&Field, &V)> {
        self.0.iter().map(|(f, v)| (f, v))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<V> Extend<(Field, V)> for FieldMap<V> {
    fn extend<I: IntoIterator<Item = (Field, V)>>(&mut self, entries: I) {
        for (field, value) in entries {
            self.insert(field, value);
        }
    }
}

impl<V> FromIterator<(Field, V)> for FieldMap<V> {
    fn from_iter<I: IntoIterator<Item = (Field, V)>>(entries: I) -> Self {
        let mut map = Self::new();
        map.extend(entries);
        map
    }
}

impl<V, const N: usize> From<[(Field, V); N]> for FieldMap<V> {
    fn from(entries: [(Field, V); N]) -> Self {
        entries.into_iter().collect()
    }
}

impl<V> std::ops::Index<&Field> for FieldMap<V> {
    type Output = V;

    fn index(&self, field: &Field) -> &V {
        self.get(field).expect("no such field in the map")
    }
}

impl<V: Serialize> Serialize for FieldMap<V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

/// A JSON object; a field named twice keeps its last value, as a map reads it.
impl<'de, V: Deserialize<'de>> Deserialize<'de> for FieldMap<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries<V>(PhantomData<V>);

        impl<'de, V: Deserialize<'de>> Visitor<'de> for Entries<V> {
            type Value = FieldMap<V>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<FieldMap<V>, A::Error> {
                let mut map = FieldMap::new();
                while let Some((field, value)) = entries.next_entry()? {
                    map.insert(field, value);
                }
                Ok(map)
            }
        }

        deserializer.deserialize_map(Entries(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Presence;
    use std::collections::BTreeMap;

    #[test]
    fn behaves_as_the_map_it_replaces() {
        let entries = [
            (Field::Password, Presence::Required),
            (Field::Email, Presence::Optional),
            (Field::Alias, Presence::Hidden),
            (Field::Email, Presence::Required),
        ];
        let ours: FieldMap<Presence> = entries.into_iter().collect();
        let theirs: BTreeMap<Field, Presence> = entries.into_iter().collect();
        assert_eq!(ours.iter().collect::<Vec<_>>(), theirs.iter().collect::<Vec<_>>(), "field order, last value wins");
        assert_eq!(serde_json::to_string(&ours).unwrap(), serde_json::to_string(&theirs).unwrap());
        let json = r#"{"password":"required","email":"optional","email":"hidden"}"#;
        let read: FieldMap<Presence> = serde_json::from_str(json).unwrap();
        let read_too: BTreeMap<Field, Presence> = serde_json::from_str(json).unwrap();
        assert_eq!(read.iter().collect::<Vec<_>>(), read_too.iter().collect::<Vec<_>>());
        assert_eq!(read[&Field::Email], Presence::Hidden);
        assert!(read.contains_key(&Field::Password) && !read.contains_key(&Field::Alias));
        assert!(serde_json::from_str::<FieldMap<Presence>>(r#"{"nickname":"required"}"#).is_err());
        assert!(serde_json::from_str::<FieldMap<Presence>>(r#"["email"]"#).is_err());
    }
}
