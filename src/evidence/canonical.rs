//! Canonical JSON: UTF-8, 2-space indent, object keys sorted at every level, `\n` at the end.
//!
//! Keys are sorted explicitly rather than relying on struct order or on which `serde_json` map
//! features a build happens to enable, so the same value gives the same bytes in every build.

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde_json::Value;

/// Serialises `value` canonically.
pub fn to_bytes<T: Serialize>(value: &T) -> Vec<u8> {
    // Serialising our own types to a Value cannot fail: no non-string map keys, no NaN floats
    // (scores are rounded finite numbers).
    value_to_bytes(&json(value))
}

/// One of our evidence types as JSON; serialising them cannot fail (see [`to_bytes`]).
#[allow(
    clippy::expect_used,
    reason = "string keys and finite numbers only (see to_bytes)"
)]
pub fn json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("evidence types serialise to JSON")
}

/// Canonical bytes of an arbitrary JSON value.
pub fn value_to_bytes(v: &Value) -> Vec<u8> {
    write(&Sorted(v))
}

/// Canonical bytes of `head` with its field `key` replaced by the array of `items`, each
/// mapped to JSON one at a time. The same bytes as [`to_bytes`] of the whole file, without
/// holding the whole file as a JSON tree: an inventory or check file at tenant scale is
/// hundreds of MiB as a `Value`, a few KiB per item this way.
pub fn to_bytes_with<H: Serialize, T>(
    head: &H,
    key: &str,
    items: &[T],
    item: impl Fn(&T) -> Value,
) -> Vec<u8> {
    let Value::Object(head) = json(head) else {
        panic!("to_bytes_with needs a struct or map head")
    };
    write(&WithItems {
        head: &head,
        key,
        items,
        item: &item,
    })
}

#[allow(
    clippy::expect_used,
    reason = "a JSON value written into a Vec cannot fail"
)]
fn write<T: Serialize>(v: &T) -> Vec<u8> {
    let mut out = Vec::with_capacity(4096);
    let mut ser = serde_json::Serializer::pretty(&mut out);
    v.serialize(&mut ser).expect("a JSON value serialises");
    out.push(b'\n');
    out
}

/// A value serialised with object keys in sorted order at every level, without copying it.
struct Sorted<'a>(&'a Value);

impl Serialize for Sorted<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                // Already sorted unless serde_json's `preserve_order` is on somewhere in the
                // build; sorting a sorted list is cheap either way.
                keys.sort_unstable();
                let mut map = s.serialize_map(Some(keys.len()))?;
                for k in keys {
                    map.serialize_entry(k, &Sorted(&m[k]))?;
                }
                map.end()
            }
            Value::Array(a) => {
                let mut seq = s.serialize_seq(Some(a.len()))?;
                for e in a {
                    seq.serialize_element(&Sorted(e))?;
                }
                seq.end()
            }
            scalar => scalar.serialize(s),
        }
    }
}

struct WithItems<'a, T, F> {
    head: &'a serde_json::Map<String, Value>,
    key: &'a str,
    items: &'a [T],
    item: &'a F,
}

impl<T, F: Fn(&T) -> Value> Serialize for WithItems<'_, T, F> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut keys: Vec<&str> = self
            .head
            .keys()
            .map(String::as_str)
            .filter(|k| *k != self.key)
            .chain([self.key])
            .collect();
        keys.sort_unstable();
        let mut map = s.serialize_map(Some(keys.len()))?;
        for k in keys {
            if k == self.key {
                map.serialize_entry(k, &Items(self.items, self.item))?;
            } else {
                map.serialize_entry(k, &Sorted(&self.head[k]))?;
            }
        }
        map.end()
    }
}

struct Items<'a, T, F>(&'a [T], &'a F);

impl<T, F: Fn(&T) -> Value> Serialize for Items<'_, T, F> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for e in self.0 {
            seq.serialize_element(&Sorted(&(self.1)(e)))?;
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sorted_indented_newline_terminated() {
        let bytes = value_to_bytes(&json!({"b": 1, "a": {"d": [2, {"z": 0, "y": 1}], "c": "é"}}));
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(
            text,
            "{\n  \"a\": {\n    \"c\": \"é\",\n    \"d\": [\n      2,\n      {\n        \"y\": 1,\n        \"z\": 0\n      }\n    ]\n  },\n  \"b\": 1\n}\n"
        );
    }

    #[test]
    fn same_value_same_bytes_whatever_insertion_order() {
        let a: Value = serde_json::from_str(r#"{"x":1,"y":2}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"y":2,"x":1}"#).unwrap();
        assert_eq!(value_to_bytes(&a), value_to_bytes(&b));
    }

    #[test]
    fn items_streamed_give_the_same_bytes_as_the_whole_value() {
        #[derive(Serialize)]
        struct File {
            z: u32,
            data: Vec<Value>,
            a: Value,
        }
        let items = vec![
            json!({"b": [1, {"d": 1, "c": 2}], "a": null}),
            json!([]),
            json!({}),
        ];
        let whole = File {
            z: 1,
            data: items.clone(),
            a: json!({"y": "é\n", "x": 1.5}),
        };
        let head = File {
            data: vec![],
            ..whole
        };
        let streamed = to_bytes_with(&head, "data", &items, |v| v.clone());
        let whole = File {
            data: items,
            ..head
        };
        assert_eq!(
            String::from_utf8(streamed).unwrap(),
            String::from_utf8(to_bytes(&whole)).unwrap()
        );
        // An empty array is written as the whole value writes it.
        let empty: Vec<Value> = vec![];
        let head = File {
            data: vec![],
            z: 2,
            a: json!({}),
        };
        assert_eq!(
            to_bytes_with(&head, "data", &empty, |v| v.clone()),
            to_bytes(&head)
        );
    }
}
