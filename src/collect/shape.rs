//! The documented shape of every response body the collector reads, and the check of a body
//! against it. Each call declares what its endpoint documents: one object (an ARM resource or
//! setting, a Microsoft Graph entity) with the fields Microsoft's API reference guarantees, one
//! page of a list (an object with a `value` array of objects and a next link), or a Resource
//! Graph result (`data` and `$skipToken`). A body of another shape (a page where one object is
//! documented, a bare JSON array, an object where a page is documented, a `value` that is not
//! an array, items that are not objects) is refused here and becomes a gap naming the endpoint
//! and what was wrong, never data: a page-shaped `{"value": []}` stored as a web app's
//! configuration would let every absent property be read as its default.

use serde_json::{Map, Value};

/// The JSON type a required field must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Json {
    String,
    Object,
}

impl Json {
    fn matches(self, v: &Value) -> bool {
        match self {
            Json::String => v.as_str().is_some_and(|s| !s.is_empty()),
            Json::Object => v.is_object(),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Json::String => "a non-empty string",
            Json::Object => "an object",
        }
    }
}

/// A field a body (or each item of a page) must carry, and its type.
pub(crate) type Field = (&'static str, Json);

/// An ARM resource or setting read with `GET {resourceId}/{child}`: every ARM resource
/// response carries its read-only `name` (Azure REST API reference, `ProxyResource`), and
/// every settings resource the collector reads keeps its settings in `properties`.
pub(crate) const ARM_SETTING: &[Field] = &[("name", Json::String), ("properties", Json::Object)];

/// A Microsoft Graph entity read by its path: every entity has its `id` (Graph v1.0 `entity`).
pub(crate) const GRAPH_ENTITY: &[Field] = &[("id", Json::String)];

/// An item of `GET /subscriptions`: the `subscriptionId` the rest of the collection is
/// addressed by (Subscriptions - List, `Subscription.subscriptionId`).
pub(crate) const SUBSCRIPTION_ITEM: &[Field] = &[("subscriptionId", Json::String)];

/// Why a body was refused: what the endpoint documents and what came instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mismatch {
    pub expected: String,
    pub got: String,
}

fn mismatch(expected: impl Into<String>, got: impl Into<String>) -> Mismatch {
    Mismatch {
        expected: expected.into(),
        got: got.into(),
    }
}

fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

/// A JSON value's kind in words.
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The next-link field names of ARM and Microsoft Graph pages.
const LINKS: [&str; 2] = ["nextLink", "@odata.nextLink"];

/// A body in words, for the `got` of a mismatch.
pub(crate) fn describe(v: &Value) -> String {
    match v {
        Value::Null => "an empty body".into(),
        Value::Array(a) => format!("a list (a JSON array of {})", plural(a.len(), "item")),
        Value::Object(m) => match m.get("value") {
            Some(Value::Array(items)) => {
                let link = LINKS
                    .iter()
                    .find(|l| m.contains_key(**l))
                    .map(|l| format!(" and `{l}`"))
                    .unwrap_or_default();
                format!(
                    "a page-shaped body (`value` array of {}{link})",
                    plural(items.len(), "item")
                )
            }
            Some(other) => format!("an object whose `value` is {}", kind(other)),
            None => {
                let mut keys: Vec<&str> = m.keys().map(String::as_str).take(6).collect();
                if m.len() > keys.len() {
                    keys.push("…");
                }
                if keys.is_empty() {
                    "an empty object".into()
                } else {
                    format!("an object with {}", keys.join(", "))
                }
            }
        },
        other => format!("{} instead of a JSON object", kind(other)),
    }
}

fn fields_text(fields: &[Field]) -> String {
    fields
        .iter()
        .map(|(f, _)| format!("`{f}`"))
        .collect::<Vec<_>>()
        .join(" and ")
}

/// The first required field `m` lacks (or has with another type), in words.
fn missing_field(m: &Map<String, Value>, required: &[Field]) -> Option<String> {
    required.iter().find_map(|(name, ty)| match m.get(*name) {
        None | Some(Value::Null) => Some(format!("`{name}` is absent")),
        Some(v) if !ty.matches(v) => Some(format!(
            "`{name}` is {} where {} is documented",
            describe_short(v),
            ty.name()
        )),
        Some(_) => None,
    })
}

fn describe_short(v: &Value) -> &'static str {
    match v {
        Value::String(s) if s.is_empty() => "an empty string",
        other => kind(other),
    }
}

/// One object, with the `required` fields; a page-shaped body (a `value` array or a next
/// link) is refused even when it carries them, since no documented object has those.
pub(crate) fn object(body: &Value, required: &[Field]) -> Result<(), Mismatch> {
    let expected = if required.is_empty() {
        "one object".to_string()
    } else {
        format!("one object with {}", fields_text(required))
    };
    let Value::Object(m) = body else {
        return Err(mismatch(expected, describe(body)));
    };
    if m.get("value").is_some_and(Value::is_array) || LINKS.iter().any(|l| m.contains_key(*l)) {
        return Err(mismatch(expected, describe(body)));
    }
    if let Some(why) = missing_field(m, required) {
        return Err(mismatch(expected, format!("an object where {why}")));
    }
    Ok(())
}

/// One page of a list: its items (each an object with `item_fields`) and its next link as
/// sent (`None` when absent); the link's own checks are the pager's.
pub(crate) fn page(
    body: Value,
    link: &str,
    item_fields: &[Field],
) -> Result<(Vec<Value>, Option<Value>), Mismatch> {
    let expected = || {
        if item_fields.is_empty() {
            "a page (an object with a `value` array of objects)".to_string()
        } else {
            format!(
                "a page (an object with a `value` array of objects with {})",
                fields_text(item_fields)
            )
        }
    };
    let Value::Object(mut m) = body else {
        return Err(mismatch(expected(), describe(&body)));
    };
    let items = match m.remove("value") {
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(mismatch(
                expected(),
                format!("an object whose `value` is {}", kind(&other)),
            ));
        }
        None => return Err(mismatch(expected(), describe(&Value::Object(m)))),
    };
    items_are_objects(&items, item_fields)
        .map_err(|got| mismatch(expected(), format!("a page whose {got}")))?;
    Ok((items, m.remove(link)))
}

/// Every item is an object with `fields`; otherwise the first offender in words.
pub(crate) fn items_are_objects(items: &[Value], fields: &[Field]) -> Result<(), String> {
    for (i, item) in items.iter().enumerate() {
        match item {
            Value::Object(m) => {
                if let Some(why) = missing_field(m, fields) {
                    return Err(format!("item {} is an object where {why}", i + 1));
                }
            }
            other => return Err(format!("item {} is {}", i + 1, kind(other))),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fixture(path: &str) -> Value {
        let p = format!("{}/tests/fixtures/azure/{path}", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap()
    }

    #[test]
    fn microsoft_singleton_examples_have_the_documented_shape() {
        for path in [
            "appservice/web_app_site_config_get.2024-11-01.json",
            "storage/blob_service_properties_get.2025-06-01.json",
        ] {
            assert_eq!(object(&fixture(path), ARM_SETTING), Ok(()), "{path}");
        }
        for path in [
            "graph/security_defaults_policy_get.v1.0.json",
            "graph/authorization_policy_get.v1.0.json",
        ] {
            assert_eq!(object(&fixture(path), GRAPH_ENTITY), Ok(()), "{path}");
        }
    }

    #[test]
    fn microsoft_list_examples_have_the_documented_shape() {
        for (path, link) in [
            ("sql/sql_firewall_rules_list.2023-08-01.json", "nextLink"),
            (
                "graph/conditional_access_policies_list.v1.0.json",
                "@odata.nextLink",
            ),
        ] {
            let (items, _) = page(fixture(path), link, &[]).unwrap();
            assert!(!items.is_empty(), "{path}");
        }
    }

    #[test]
    fn a_page_where_one_object_is_documented_is_refused() {
        let m = object(&json!({"value": [], "nextLink": null}), ARM_SETTING).unwrap_err();
        assert_eq!(m.expected, "one object with `name` and `properties`");
        assert_eq!(
            m.got,
            "a page-shaped body (`value` array of 0 items and `nextLink`)"
        );
        // Even one carrying the fields: no documented setting has a `value` array.
        let m = object(
            &json!({"id": "x", "value": [{"id": "y"}], "@odata.nextLink": "https://g/next"}),
            GRAPH_ENTITY,
        )
        .unwrap_err();
        assert_eq!(
            m.got,
            "a page-shaped body (`value` array of 1 item and `@odata.nextLink`)"
        );
        let m = object(&json!({"id": "x", "@odata.nextLink": "n"}), GRAPH_ENTITY).unwrap_err();
        assert!(m.got.starts_with("an object with "), "{}", m.got);
    }

    #[test]
    fn a_list_or_a_scalar_where_one_object_is_documented_is_refused() {
        let m = object(&json!([{"name": "web", "properties": {}}]), ARM_SETTING).unwrap_err();
        assert_eq!(m.got, "a list (a JSON array of 1 item)");
        assert_eq!(
            object(&Value::Null, GRAPH_ENTITY).unwrap_err().got,
            "an empty body"
        );
        assert_eq!(
            object(&json!("ok"), &[]).unwrap_err().got,
            "a string instead of a JSON object"
        );
    }

    #[test]
    fn an_object_without_its_documented_fields_is_refused() {
        let m = object(&json!({}), ARM_SETTING).unwrap_err();
        assert_eq!(m.got, "an object where `name` is absent");
        let m = object(&json!({"name": "web", "properties": null}), ARM_SETTING).unwrap_err();
        assert_eq!(m.got, "an object where `properties` is absent");
        let m = object(&json!({"name": "web", "properties": []}), ARM_SETTING).unwrap_err();
        assert_eq!(
            m.got,
            "an object where `properties` is an array where an object is documented"
        );
        let m = object(&json!({"id": ""}), GRAPH_ENTITY).unwrap_err();
        assert_eq!(
            m.got,
            "an object where `id` is an empty string where a non-empty string is documented"
        );
        assert_eq!(
            object(&json!({"name": "web", "properties": {}}), ARM_SETTING),
            Ok(())
        );
    }

    #[test]
    fn pages_of_other_shapes_are_refused() {
        let expected = "a page (an object with a `value` array of objects)";
        let cases = [
            (json!([{"id": "a"}]), "a list (a JSON array of 1 item)"),
            (json!({"id": "a", "name": "b"}), "an object with id, name"),
            (
                json!({"value": {"id": "a"}, "nextLink": null}),
                "an object whose `value` is an object",
            ),
            (json!({"value": null}), "an object whose `value` is null"),
            (
                json!({"value": [{"id": "a"}, "b"]}),
                "a page whose item 2 is a string",
            ),
            (json!({"value": [[1]]}), "a page whose item 1 is an array"),
            (Value::Null, "an empty body"),
        ];
        for (body, got) in cases {
            let m = page(body.clone(), "nextLink", &[]).unwrap_err();
            assert_eq!(
                (m.expected.as_str(), m.got.as_str()),
                (expected, got),
                "{body}"
            );
        }
        let (items, link) = page(
            json!({"value": [{"id": "a"}], "nextLink": "https://m/next"}),
            "nextLink",
            &[],
        )
        .unwrap();
        assert_eq!(items, vec![json!({"id": "a"})]);
        assert_eq!(link, Some(json!("https://m/next")));
        // The empty page is a real answer: nothing there.
        assert!(
            page(json!({"value": []}), "nextLink", &[])
                .unwrap()
                .0
                .is_empty()
        );
    }

    #[test]
    fn items_must_carry_their_documented_fields() {
        let m = page(
            json!({"value": [{"subscriptionId": "s1"}, {"displayName": "x"}]}),
            "nextLink",
            SUBSCRIPTION_ITEM,
        )
        .unwrap_err();
        assert_eq!(
            m.expected,
            "a page (an object with a `value` array of objects with `subscriptionId`)"
        );
        assert_eq!(
            m.got,
            "a page whose item 2 is an object where `subscriptionId` is absent"
        );
    }

    #[test]
    fn long_objects_are_described_briefly() {
        let body = json!({"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 6, "g": 7});
        assert_eq!(describe(&body), "an object with a, b, c, d, e, f, …");
        assert_eq!(describe(&json!({})), "an empty object");
    }
}
