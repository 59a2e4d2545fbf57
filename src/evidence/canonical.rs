//! Canonical JSON: UTF-8, 2-space indent, object keys sorted at every level, `\n` at the end.
//!
//! Keys are sorted explicitly rather than relying on struct order or on which `serde_json` map
//! features a build happens to enable, so the same value gives the same bytes in every build.

use serde::Serialize;
use serde_json::{Map, Value};

/// Serialises `value` canonically.
pub fn to_bytes<T: Serialize>(value: &T) -> Vec<u8> {
    // Serialising our own types to a Value cannot fail: no non-string map keys, no NaN floats
    // (scores are rounded finite numbers).
    let v = serde_json::to_value(value).expect("evidence types serialise to JSON");
    value_to_bytes(&v)
}

/// Canonical bytes of an arbitrary JSON value.
pub fn value_to_bytes(v: &Value) -> Vec<u8> {
    let sorted = sort_keys(v);
    let mut out = serde_json::to_vec_pretty(&sorted).expect("a JSON value serialises");
    out.push(b'\n');
    out
}

fn sort_keys(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let mut out = Map::new();
            for k in keys {
                out.insert(k.clone(), sort_keys(&m[k]));
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(sort_keys).collect()),
        other => other.clone(),
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
}
