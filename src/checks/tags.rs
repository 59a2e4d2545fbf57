//! Data-classification tags on data stores (C1.1): every storage account, SQL server and
//! database, Cosmos DB account, PostgreSQL and MySQL flexible server and key vault carries each
//! tag named in `settings.required_tags` (default `data-classification`).
//!
//! One evaluation function ([`required_tags`]) serves every resource type, so the types can never
//! drift apart in how they read tags. Tag names match without regard to case, as Azure treats
//! them; a tag present with an empty value classifies nothing and counts as missing.

use serde_json::Value;

use super::{Check, CheckMeta, Ctx, Eval, Severity, Verdict};
use crate::model::Resource;

const RG: &str = "resource_graph.resources";

const RATIONALE: &str = "C1.1 requires the entity to identify confidential information; a \
                         classification tag on every data store records what it holds, so \
                         confidentiality controls, retention and access reviews can be applied \
                         to the right stores.";
const REMEDIATION: &str = "Portal: open the resource > Tags > add each required tag (for example \
                           data-classification = confidential) > Apply; Azure Policy's 'Require a \
                           tag on resources' can enforce it. CLI: az tag update --resource-id \
                           <resource-id> --operation Merge --tags data-classification=<value>";
const DESCRIPTION: &str = "Passes when the resource's tags include every name listed in the \
                           required_tags setting (matched without regard to case) with a \
                           non-empty value; each missing or empty tag is named in the reason. An \
                           empty required_tags setting makes the check not applicable. The SQL \
                           master database, a system database, is not applicable. Tags come \
                           from Resource Graph; a gap in that source is an error.";

/// One tag check per data-store type; all share [`required_tags`].
macro_rules! tag_check {
    ($id:literal, $title:literal, $ty:literal) => {
        Check {
            meta: CheckMeta {
                id: $id,
                title: $title,
                service: "tags",
                severity: Severity::Low,
                criteria: &["C1.1"],
                cis: &[],
                policies: &[],
                description: DESCRIPTION,
                rationale: RATIONALE,
                remediation: REMEDIATION,
                sources: &[RG],
            },
            eval: Eval::ResourceCtx($ty, required_tags),
        }
    };
}

pub(super) const CHECKS: &[Check] = &[
    tag_check!(
        "tags_storage_account_required",
        "Storage accounts carry the required data-classification tags",
        "microsoft.storage/storageaccounts"
    ),
    tag_check!(
        "tags_sql_server_required",
        "SQL servers carry the required data-classification tags",
        "microsoft.sql/servers"
    ),
    tag_check!(
        "tags_sql_database_required",
        "SQL databases carry the required data-classification tags",
        "microsoft.sql/servers/databases"
    ),
    tag_check!(
        "tags_cosmos_account_required",
        "Cosmos DB accounts carry the required data-classification tags",
        "microsoft.documentdb/databaseaccounts"
    ),
    tag_check!(
        "tags_postgres_server_required",
        "PostgreSQL flexible servers carry the required data-classification tags",
        "microsoft.dbforpostgresql/flexibleservers"
    ),
    tag_check!(
        "tags_mysql_server_required",
        "MySQL flexible servers carry the required data-classification tags",
        "microsoft.dbformysql/flexibleservers"
    ),
    tag_check!(
        "tags_key_vault_required",
        "Key vaults carry the required data-classification tags",
        "microsoft.keyvault/vaults"
    ),
];

fn required_tags(r: &Resource, ctx: &Ctx) -> Verdict {
    let required = &ctx.settings.required_tags;
    if required.is_empty() {
        return Verdict::not_applicable(
            "no tags are required (the required_tags setting is empty)",
        );
    }
    if r.r#type == "microsoft.sql/servers/databases" && r.name.eq_ignore_ascii_case("master") {
        return Verdict::not_applicable("master is a system database managed by Azure");
    }
    let value_of = |name: &str| {
        r.tags
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let mut missing = Vec::new();
    let mut empty = Vec::new();
    let mut seen = serde_json::Map::new();
    for name in required {
        match value_of(name) {
            Some(v) if !v.trim().is_empty() => {
                seen.insert(name.clone(), Value::from(v));
            }
            Some(v) => {
                empty.push(name.as_str());
                seen.insert(name.clone(), Value::from(v));
            }
            None => {
                missing.push(name.as_str());
                seen.insert(name.clone(), Value::Null);
            }
        }
    }
    let v = match (missing.is_empty(), empty.is_empty()) {
        (true, true) => Verdict::pass(format!(
            "every required tag is set ({})",
            required.join(", ")
        )),
        _ => {
            let mut parts = Vec::new();
            if !missing.is_empty() {
                parts.push(format!("missing tags: {}", missing.join(", ")));
            }
            if !empty.is_empty() {
                parts.push(format!("tags without a value: {}", empty.join(", ")));
            }
            Verdict::fail(parts.join("; "))
        }
    };
    v.observe_value("required_tags", Value::from(required.clone()))
        .observe_value("tags", Value::Object(seen))
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::checks::testutil::{self, fixture_resource};
    use crate::checks::{Ctx, Eval, FindingStatus as S, Settings, Verdict, find};
    use crate::model::Resource;

    /// One Microsoft example per data-store type, with the check that covers it.
    fn examples() -> Vec<(&'static str, Resource)> {
        vec![
            (
                "tags_storage_account_required",
                fixture_resource("storage/storage_account_get.2025-06-01.json", 0),
            ),
            (
                "tags_sql_server_required",
                fixture_resource("sql/sql_server_get.2023-08-01.json", 0),
            ),
            (
                "tags_sql_database_required",
                testutil::resource(testutil::fixture(
                    "../handmade/sql/sql_database_get.2023-08-01.json",
                )),
            ),
            (
                "tags_cosmos_account_required",
                fixture_resource("cosmosdb/cosmosdb_accounts_list.2025-04-15.json", 0),
            ),
            (
                "tags_postgres_server_required",
                fixture_resource(
                    "databases/postgresql_flexible_servers_list.2024-08-01.json",
                    0,
                ),
            ),
            (
                "tags_mysql_server_required",
                fixture_resource("databases/mysql_flexible_servers_list.2023-12-30.json", 0),
            ),
            (
                "tags_key_vault_required",
                fixture_resource("keyvault/key_vault_get.2024-11-01.json", 0),
            ),
        ]
    }

    fn example(id: &str) -> Resource {
        examples()
            .into_iter()
            .find(|(i, _)| *i == id)
            .map(|(_, r)| r)
            .unwrap()
    }

    fn eval(id: &str, r: &Resource, settings: &Settings) -> Verdict {
        let Eval::ResourceCtx(ty, f) = find(id).unwrap().eval else {
            panic!("{id} is not a context-aware resource check");
        };
        assert_eq!(ty, r.r#type, "{id}");
        let inv = testutil::inventory(vec![r.clone()]);
        f(r, &Ctx::new(&inv, settings))
    }

    fn tagged(id: &str, tags: &[(&str, &str)]) -> Resource {
        let mut r = example(id);
        r.tags = tags
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        r
    }

    fn pass_case(id: &str) {
        let r = tagged(
            id,
            &[("Data-Classification", "confidential"), ("owner", "x")],
        );
        let v = eval(id, &r, &Settings::default());
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Pass, "every required tag is set (data-classification)"),
            "{id}"
        );
        assert_eq!(
            v.observed["tags"],
            json!({"data-classification": "confidential"})
        );
        // An empty required_tags setting: nothing to test.
        let none = Settings {
            required_tags: vec![],
            ..Settings::default()
        };
        assert_eq!(eval(id, &r, &none).status, S::NotApplicable, "{id}");
    }

    fn fail_case(id: &str) {
        // The Microsoft examples carry tags, but none of them classifies data.
        let settings = Settings {
            required_tags: vec!["data-classification".into(), "owner".into()],
            ..Settings::default()
        };
        let v = eval(id, &example(id), &settings);
        assert_eq!(v.status, S::Fail, "{id}");
        assert!(
            v.reason.starts_with("missing tags: data-classification"),
            "{id}: {}",
            v.reason
        );
        assert_eq!(v.observed["tags"]["data-classification"], Value::Null);
        let r = tagged(id, &[("data-classification", " "), ("owner", "team-a")]);
        let v = eval(id, &r, &settings);
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "tags without a value: data-classification"),
            "{id}"
        );
    }

    /// Tags come from Resource Graph: when that source was not collected, or has a gap for a
    /// subscription, the result is an error naming it, never a pass.
    fn missing_case(id: &str) {
        let check = find(id).unwrap();
        let mut inv = testutil::inventory(vec![]);
        inv.sources.retain(|s| s.name != "resource_graph.resources");
        let res = testutil::run_check(check, &inv);
        assert_eq!(res.status, S::Error, "{id}");
        assert!(res.findings[0].reason.contains("resource_graph.resources"));

        let mut inv = testutil::inventory(vec![example(id)]);
        for s in &mut inv.sources {
            s.gaps.push(crate::model::Gap {
                scope: "/subscriptions/sub-b".into(),
                reason: "403 AuthorizationFailed".into(),
                read: None,
            });
        }
        let res = testutil::run_check(check, &inv);
        let gap = res
            .findings
            .iter()
            .find(|f| f.resource_id == "/subscriptions/sub-b")
            .unwrap();
        assert_eq!(gap.status, S::Error, "{id}");
    }

    #[test]
    fn every_data_store_type_is_covered_once() {
        let ids: Vec<&str> = examples().iter().map(|(i, _)| *i).collect();
        for c in super::CHECKS {
            assert!(ids.contains(&c.meta.id), "{} has no example", c.meta.id);
        }
        assert_eq!(ids.len(), super::CHECKS.len());
    }

    #[test]
    fn master_database_is_not_applicable() {
        let mut r = tagged("tags_sql_database_required", &[]);
        r.name = "master".into();
        let v = eval("tags_sql_database_required", &r, &Settings::default());
        assert_eq!(v.status, S::NotApplicable);
    }

    #[test]
    fn tags_storage_account_required_pass() {
        pass_case("tags_storage_account_required");
    }
    #[test]
    fn tags_storage_account_required_fail() {
        fail_case("tags_storage_account_required");
    }
    #[test]
    fn tags_storage_account_required_missing() {
        missing_case("tags_storage_account_required");
    }

    #[test]
    fn tags_sql_server_required_pass() {
        pass_case("tags_sql_server_required");
    }
    #[test]
    fn tags_sql_server_required_fail() {
        fail_case("tags_sql_server_required");
    }
    #[test]
    fn tags_sql_server_required_missing() {
        missing_case("tags_sql_server_required");
    }

    #[test]
    fn tags_sql_database_required_pass() {
        pass_case("tags_sql_database_required");
    }
    #[test]
    fn tags_sql_database_required_fail() {
        fail_case("tags_sql_database_required");
    }
    #[test]
    fn tags_sql_database_required_missing() {
        missing_case("tags_sql_database_required");
    }

    #[test]
    fn tags_cosmos_account_required_pass() {
        pass_case("tags_cosmos_account_required");
    }
    #[test]
    fn tags_cosmos_account_required_fail() {
        fail_case("tags_cosmos_account_required");
    }
    #[test]
    fn tags_cosmos_account_required_missing() {
        missing_case("tags_cosmos_account_required");
    }

    #[test]
    fn tags_postgres_server_required_pass() {
        pass_case("tags_postgres_server_required");
    }
    #[test]
    fn tags_postgres_server_required_fail() {
        fail_case("tags_postgres_server_required");
    }
    #[test]
    fn tags_postgres_server_required_missing() {
        missing_case("tags_postgres_server_required");
    }

    #[test]
    fn tags_mysql_server_required_pass() {
        pass_case("tags_mysql_server_required");
    }
    #[test]
    fn tags_mysql_server_required_fail() {
        fail_case("tags_mysql_server_required");
    }
    #[test]
    fn tags_mysql_server_required_missing() {
        missing_case("tags_mysql_server_required");
    }

    #[test]
    fn tags_key_vault_required_pass() {
        pass_case("tags_key_vault_required");
    }
    #[test]
    fn tags_key_vault_required_fail() {
        fail_case("tags_key_vault_required");
    }
    #[test]
    fn tags_key_vault_required_missing() {
        missing_case("tags_key_vault_required");
    }
}
