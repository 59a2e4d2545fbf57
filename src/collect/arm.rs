//! Azure Resource Manager: the subscription list, subscription-level settings, and the
//! per-resource settings Resource Graph lacks (docs/SOURCES.md). Each call's failure becomes a
//! gap on the subscription or resource it covers; a 404 on a singleton child (e.g.
//! `managementPolicies/default`) is recorded as `null`: collected, and Azure says it does not
//! exist. A singleton child must be one object with `name` and `properties`, a list a page of
//! objects (`shape`); another shape is a gap. A per-resource gap names the failed child as its
//! `read`, so only checks that need that child are made incomplete by it.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use futures::StreamExt;
use serde_json::Value;

use super::http::{Failure, Http, Meter, Paged};
use super::redact::clean;
use super::retry::CallKind;
use super::scope::Visible;
use super::shape;
use super::{Progress, SourceRecord};
use crate::model::{InventoryPart, Resource, Subscription};

pub(crate) const SUBSCRIPTIONS_API: &str = "2022-12-01";

const READER_HINT: &str = "the identity needs the Reader role (or another role that grants read) \
                           on the subscription or a management group above it";
const SECURITY_HINT: &str = "the identity needs Reader (or Security Reader) on the subscription";

/// A gap reason, with the role to grant when the service said 401 or 403.
pub(crate) fn reason(f: &Failure, hint: &str) -> String {
    match f.status() {
        Some(401 | 403) => format!("{}; {hint}", f.describe()),
        _ => f.describe(),
    }
}

/// `GET /subscriptions`: every subscription the identity can see. The result is the rows read
/// and why the list stopped early, if it did; `Err` when nothing could be read.
pub(crate) async fn list_subscriptions(
    http: &Http,
    page_cap: u32,
) -> (
    Result<(Vec<Visible>, Option<Failure>), Failure>,
    SourceRecord,
) {
    let query = format!("GET /subscriptions?api-version={SUBSCRIPTIONS_API}");
    let mut rec = SourceRecord::new(
        "arm.subscriptions",
        InventoryPart::Subscriptions,
        http.endpoints.arm_base(),
        SUBSCRIPTIONS_API,
        &query,
        vec![],
    );
    let url = match http
        .endpoints
        .arm_url(&format!("/subscriptions?api-version={SUBSCRIPTIONS_API}"))
    {
        Ok(u) => u,
        Err(e) => {
            let f = Failure::Invalid {
                detail: format!("cannot build the subscriptions URL: {e}"),
            };
            return (Err(f), rec);
        }
    };
    let meter = Arc::clone(&rec.meter);
    let paged = http
        .get_list_of(
            CallKind::ArmSubscription,
            url,
            "nextLink",
            shape::SUBSCRIPTION_ITEM,
            page_cap,
            &meter,
        )
        .await;
    rec.pages = paged.pages;
    let rows: Vec<Visible> = paged.items.iter().filter_map(Visible::from_arm).collect();
    let result = match paged.failure {
        Some(f) if rows.is_empty() => Err(f),
        f => Ok((rows, f)),
    };
    (result, rec)
}

/// A subscription-level list (docs/SOURCES.md, `subscriptions[].…`).
struct SubList {
    name: &'static str,
    path: &'static str,
    api: &'static str,
    hint: &'static str,
    set: fn(&mut Subscription, Vec<Value>),
}

const SUB_LISTS: [SubList; 6] = [
    SubList {
        name: "arm.subscription_diagnostic_settings",
        path: "/providers/Microsoft.Insights/diagnosticSettings",
        api: "2021-05-01-preview",
        hint: READER_HINT,
        set: |s, v| s.diagnostic_settings = Some(v),
    },
    SubList {
        name: "arm.defender_pricings",
        path: "/providers/Microsoft.Security/pricings",
        api: "2024-01-01",
        hint: SECURITY_HINT,
        set: |s, v| s.defender_pricings = Some(v),
    },
    SubList {
        name: "arm.security_contacts",
        path: "/providers/Microsoft.Security/securityContacts",
        api: "2023-12-01-preview",
        hint: SECURITY_HINT,
        set: |s, v| s.security_contacts = Some(v),
    },
    SubList {
        name: "arm.auto_provisioning",
        path: "/providers/Microsoft.Security/autoProvisioningSettings",
        api: "2017-08-01-preview",
        hint: SECURITY_HINT,
        set: |s, v| s.auto_provisioning_settings = Some(v),
    },
    SubList {
        name: "arm.classic_administrators",
        path: "/providers/Microsoft.Authorization/classicAdministrators",
        api: "2015-07-01",
        hint: READER_HINT,
        set: |s, v| s.classic_administrators = Some(v),
    },
    SubList {
        name: "arm.locks",
        path: "/providers/Microsoft.Authorization/locks",
        api: "2020-05-01",
        hint: READER_HINT,
        set: |s, v| s.locks = Some(v),
    },
];

fn cleaned(items: Vec<Value>) -> Vec<Value> {
    items
        .into_iter()
        .map(|mut v| {
            clean(&mut v);
            v
        })
        .collect()
}

/// Reads every subscription-level list for every subscription in scope.
pub(crate) async fn subscription_settings(
    http: &Http,
    subs: &mut [Subscription],
    page_cap: u32,
    progress: &Progress,
) -> Vec<SourceRecord> {
    let ids: Vec<String> = subs.iter().map(|s| s.id.clone()).collect();
    let mut recs: Vec<SourceRecord> = SUB_LISTS
        .iter()
        .map(|l| {
            SourceRecord::new(
                l.name,
                InventoryPart::Subscriptions,
                http.endpoints.arm_base(),
                l.api,
                &format!(
                    "GET /subscriptions/{{subscriptionId}}{}?api-version={}",
                    l.path, l.api
                ),
                ids.clone(),
            )
        })
        .collect();
    let bars: Vec<_> = SUB_LISTS
        .iter()
        .map(|l| progress.bar(l.name, Some(ids.len() as u64)))
        .collect();
    let mut jobs = vec![];
    for (li, l) in SUB_LISTS.iter().enumerate() {
        for (si, id) in ids.iter().enumerate() {
            let url = http.endpoints.arm_url(&format!(
                "/subscriptions/{id}{}?api-version={}",
                l.path, l.api
            ));
            jobs.push((li, si, url, Arc::clone(&recs[li].meter), bars[li].clone()));
        }
    }
    let results: Vec<(usize, usize, Paged)> = futures::stream::iter(jobs)
        .map(|(li, si, url, meter, bar)| async move {
            let paged = match url {
                Ok(u) => {
                    http.get_list(CallKind::ArmSubscription, u, "nextLink", page_cap, &meter)
                        .await
                }
                Err(e) => Paged {
                    failure: Some(Failure::Invalid {
                        detail: format!("cannot build the URL: {e}"),
                    }),
                    ..Paged::default()
                },
            };
            bar.inc(1);
            (li, si, paged)
        })
        .buffer_unordered(http.concurrency)
        .collect()
        .await;
    for (li, si, paged) in results {
        let rec = &mut recs[li];
        rec.pages += paged.pages;
        match paged.failure {
            Some(f) => rec.gap(
                &format!("/subscriptions/{}", ids[si]),
                reason(&f, SUB_LISTS[li].hint),
            ),
            None => {
                rec.records += paged.items.len() as u64;
                (SUB_LISTS[li].set)(&mut subs[si], cleaned(paged.items));
            }
        }
    }
    for (rec, bar) in recs.iter_mut().zip(&bars) {
        rec.finish(bar);
    }
    recs
}

/// One ARM call below a resource.
struct Call {
    path: &'static str,
    /// The `children` key (docs/SOURCES.md).
    key: &'static str,
    /// A list (`value` of every page, stored as an array) rather than a singleton.
    list: bool,
}

/// A per-resource source: the resource types it applies to and its calls.
struct ChildSource {
    name: &'static str,
    api: &'static str,
    types: &'static [&'static str],
    /// How the provenance query names the parent id.
    parent: &'static str,
    calls: &'static [Call],
}

const DIAGNOSTIC_TYPES: &[&str] = &[
    "microsoft.keyvault/vaults",
    "microsoft.network/networksecuritygroups",
    "microsoft.sql/servers",
    "microsoft.web/sites",
    "microsoft.containerservice/managedclusters",
    "microsoft.containerregistry/registries",
    "microsoft.recoveryservices/vaults",
    "microsoft.network/publicipaddresses",
    "microsoft.network/applicationgateways",
    "microsoft.documentdb/databaseaccounts",
    "microsoft.dbforpostgresql/flexibleservers",
    "microsoft.dbformysql/flexibleservers",
];

const STORAGE: &[&str] = &["microsoft.storage/storageaccounts"];
const SQL_SERVERS: &[&str] = &["microsoft.sql/servers"];
const WEB: &[&str] = &["microsoft.web/sites"];
const RECOVERY: &[&str] = &["microsoft.recoveryservices/vaults"];

const CHILD_SOURCES: &[ChildSource] = &[
    ChildSource {
        name: "arm.diagnostic_settings",
        api: "2021-05-01-preview",
        types: DIAGNOSTIC_TYPES,
        parent: "{resourceId}",
        calls: &[Call {
            path: "/providers/Microsoft.Insights/diagnosticSettings",
            key: "diagnosticSettings",
            list: true,
        }],
    },
    ChildSource {
        name: "arm.diagnostic_settings",
        api: "2021-05-01-preview",
        types: STORAGE,
        parent: "{storageAccountId}",
        calls: &[Call {
            path: "/blobServices/default/providers/Microsoft.Insights/diagnosticSettings",
            key: "blobServices/default/diagnosticSettings",
            list: true,
        }],
    },
    ChildSource {
        name: "arm.blob_services",
        api: "2025-06-01",
        types: STORAGE,
        parent: "{storageAccountId}",
        calls: &[Call {
            path: "/blobServices/default",
            key: "blobServices/default",
            list: false,
        }],
    },
    ChildSource {
        name: "arm.storage_lifecycle",
        api: "2025-06-01",
        types: STORAGE,
        parent: "{storageAccountId}",
        calls: &[Call {
            path: "/managementPolicies/default",
            key: "managementPolicies/default",
            list: false,
        }],
    },
    ChildSource {
        name: "arm.sql_server_settings",
        api: "2023-08-01",
        types: SQL_SERVERS,
        parent: "{serverId}",
        calls: &[
            Call {
                path: "/auditingSettings/default",
                key: "auditingSettings/default",
                list: false,
            },
            Call {
                path: "/firewallRules",
                key: "firewallRules",
                list: true,
            },
            Call {
                path: "/securityAlertPolicies/Default",
                key: "securityAlertPolicies/Default",
                list: false,
            },
            Call {
                path: "/vulnerabilityAssessments/Default",
                key: "vulnerabilityAssessments/Default",
                list: false,
            },
            Call {
                path: "/administrators",
                key: "administrators",
                list: true,
            },
            Call {
                path: "/encryptionProtector/current",
                key: "encryptionProtector/current",
                list: false,
            },
        ],
    },
    ChildSource {
        name: "arm.sql_database_settings",
        api: "2023-08-01",
        types: &["microsoft.sql/servers/databases"],
        parent: "{databaseId}",
        calls: &[
            Call {
                path: "/transparentDataEncryption/current",
                key: "transparentDataEncryption/current",
                list: false,
            },
            Call {
                path: "/backupLongTermRetentionPolicies/default",
                key: "backupLongTermRetentionPolicies/default",
                list: false,
            },
        ],
    },
    ChildSource {
        name: "arm.postgres_configurations",
        api: "2024-08-01",
        types: &["microsoft.dbforpostgresql/flexibleservers"],
        parent: "{serverId}",
        calls: &[Call {
            path: "/configurations",
            key: "configurations",
            list: true,
        }],
    },
    ChildSource {
        name: "arm.mysql_configurations",
        api: "2023-12-30",
        types: &["microsoft.dbformysql/flexibleservers"],
        parent: "{serverId}",
        calls: &[Call {
            path: "/configurations",
            key: "configurations",
            list: true,
        }],
    },
    ChildSource {
        name: "arm.web_config",
        api: "2024-11-01",
        types: WEB,
        parent: "{siteId}",
        calls: &[Call {
            path: "/config/web",
            key: "config/web",
            list: false,
        }],
    },
    ChildSource {
        name: "arm.web_auth_settings",
        api: "2024-11-01",
        types: WEB,
        parent: "{siteId}",
        calls: &[Call {
            path: "/config/authsettingsV2",
            key: "config/authsettingsV2",
            list: false,
        }],
    },
    ChildSource {
        name: "arm.backup_policies",
        api: "2025-02-01",
        types: RECOVERY,
        parent: "{vaultId}",
        calls: &[Call {
            path: "/backupPolicies",
            key: "backupPolicies",
            list: true,
        }],
    },
    ChildSource {
        name: "arm.backup_protected_items",
        api: "2025-02-01",
        types: RECOVERY,
        parent: "{vaultId}",
        calls: &[Call {
            path: "/backupProtectedItems",
            key: "backupProtectedItems",
            list: true,
        }],
    },
];

/// Names of the per-resource sources, each once, in catalogue order.
fn child_source_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = vec![];
    for c in CHILD_SOURCES {
        if !names.contains(&c.name) {
            names.push(c.name);
        }
    }
    names
}

/// The provenance query of a per-resource source: every call template, `; `-separated.
fn child_query(name: &str) -> String {
    CHILD_SOURCES
        .iter()
        .filter(|c| c.name == name)
        .flat_map(|c| {
            c.calls
                .iter()
                .map(move |call| format!("GET {}{}?api-version={}", c.parent, call.path, c.api))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// What one child call gave: a value to store, or a gap reason.
enum ChildResult {
    Value(Value),
    Gap(String),
}

/// A resource as Resource Graph lists it: what its per-resource reads need.
#[derive(Debug, Clone)]
pub(crate) struct Listed {
    pub id: String,
    /// Lower-case ARM type.
    pub r#type: String,
    pub subscription_id: String,
}

/// One per-resource read that gave a value: the resource, the child's key and the value.
pub(crate) struct ChildRead {
    resource_id: String,
    key: &'static str,
    value: Value,
}

/// Requests one subscription may have pending at once. Each subscription has its own lane
/// (its own read bucket), so reads waiting on one subscription's bucket never hold back
/// another's; the in-flight limit across lanes is the collector's concurrency.
const LANE_DEPTH: usize = 8;

/// Reads every per-resource child of every listed resource of a matching type, as the
/// resources arrive from Resource Graph (`listed` ends when the listing does), so the reads
/// overlap the paging instead of waiting for it. A resource listed twice is read once.
/// Returns the reads, to be attached with [`attach_children`], and one record per source.
pub(crate) async fn resource_children(
    http: &Http,
    listed: futures::channel::mpsc::UnboundedReceiver<Listed>,
    scope: &[String],
    page_cap: u32,
    progress: &Progress,
) -> (Vec<ChildRead>, Vec<SourceRecord>) {
    let names = child_source_names();
    let mut recs: Vec<SourceRecord> = names
        .iter()
        .map(|name| {
            let api = CHILD_SOURCES
                .iter()
                .find(|c| c.name == *name)
                .map_or("", |c| c.api);
            SourceRecord::new(
                name,
                InventoryPart::Resources,
                http.endpoints.arm_base(),
                api,
                &child_query(name),
                scope.to_vec(),
            )
        })
        .collect();
    let bars: Vec<_> = names.iter().map(|n| progress.bar(n, None)).collect();
    let meters: Vec<Arc<Meter>> = recs.iter().map(|r| Arc::clone(&r.meter)).collect();
    let base = http.endpoints.arm_base().to_string();

    type Job = (
        usize,
        &'static Call,
        String,
        Result<url::Url, url::ParseError>,
    );
    let lane = |rx: futures::channel::mpsc::UnboundedReceiver<Job>| {
        let (bars, meters) = (&bars, &meters);
        rx.map(move |(si, call, id, url)| async move {
            let (result, pages) = child(http, call, url, page_cap, &meters[si]).await;
            bars[si].inc(1);
            (si, id, call, result, pages)
        })
        .buffer_unordered(LANE_DEPTH)
        .collect::<Vec<_>>()
    };
    let mut lanes: HashMap<String, futures::channel::mpsc::UnboundedSender<Job>> = HashMap::new();
    let mut running = futures::stream::FuturesUnordered::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut listed = listed.fuse();
    let mut open = true;
    let mut done = vec![];
    loop {
        tokio::select! {
            next = listed.next(), if open => match next {
                Some(r) => {
                    if !seen.insert(r.id.clone()) {
                        continue;
                    }
                    for c in CHILD_SOURCES.iter().filter(|c| c.types.contains(&r.r#type.as_str())) {
                        let si = names.iter().position(|n| *n == c.name).unwrap_or(0);
                        for call in c.calls {
                            let url = url::Url::parse(&format!(
                                "{base}{}{}?api-version={}",
                                r.id, call.path, c.api
                            ));
                            let tx = lanes
                                .entry(r.subscription_id.to_ascii_lowercase())
                                .or_insert_with(|| {
                                    let (tx, rx) = futures::channel::mpsc::unbounded();
                                    running.push(lane(rx));
                                    tx
                                });
                            // A read waiting in its subscription's lane is the source's work:
                            // the source's deadline runs from its first read queued, so
                            // sources whose reads queue behind another's hang end with it
                            // rather than one after the other.
                            meters[si].start();
                            // The lane lives until its sender is dropped below.
                            let _ = tx.unbounded_send((si, call, r.id.clone(), url));
                        }
                    }
                }
                // The listing is over: closing the lanes lets each finish what it holds.
                None => {
                    open = false;
                    lanes.clear();
                }
            },
            Some(reads) = running.next(), if !running.is_empty() => done.extend(reads),
            else => break,
        }
    }
    let mut out = Vec::with_capacity(done.len());
    for (si, id, call, result, pages) in done {
        let rec = &mut recs[si];
        rec.pages += pages;
        match result {
            ChildResult::Value(v) => {
                rec.records += 1;
                out.push(ChildRead {
                    resource_id: id,
                    key: call.key,
                    value: v,
                });
            }
            // One read of the resource failed: the source's other reads of it stand.
            ChildResult::Gap(why) => rec.gap_in(&id, call.key, format!("{}: {why}", call.key)),
        }
    }
    for (rec, bar) in recs.iter_mut().zip(&bars) {
        rec.finish(bar);
    }
    (out, recs)
}

/// Stores each read under its key in the `children` of its resource (`resources` sorted by
/// id, as the collector keeps them).
pub(crate) fn attach_children(resources: &mut [Resource], reads: Vec<ChildRead>) {
    for read in reads {
        if let Ok(i) = resources.binary_search_by(|r| r.id.as_str().cmp(&read.resource_id)) {
            resources[i]
                .children
                .insert(read.key.to_string(), read.value);
        }
    }
}

async fn child(
    http: &Http,
    call: &Call,
    url: Result<url::Url, url::ParseError>,
    page_cap: u32,
    meter: &Meter,
) -> (ChildResult, u32) {
    let url = match url {
        Ok(u) => u,
        Err(e) => return (ChildResult::Gap(format!("cannot build the URL: {e}")), 0),
    };
    if call.list {
        let paged = http
            .get_list(CallKind::ArmResource, url, "nextLink", page_cap, meter)
            .await;
        let result = match paged.failure {
            Some(f) => ChildResult::Gap(reason(&f, READER_HINT)),
            None => ChildResult::Value(Value::Array(cleaned(paged.items))),
        };
        return (result, paged.pages);
    }
    match http
        .get_object(CallKind::ArmResource, &url, shape::ARM_SETTING, meter)
        .await
    {
        Ok(mut v) => {
            clean(&mut v);
            (ChildResult::Value(v), 1)
        }
        // Collected, and Azure says the singleton does not exist.
        Err(f) if f.status() == Some(404) => (ChildResult::Value(Value::Null), 1),
        Err(f) => (ChildResult::Gap(reason(&f, READER_HINT)), 0),
    }
}

/// Every per-resource read: (source, `children` key). A gap on one of them names the key as
/// its `read`, and checks may declare they need only some (`source:key`).
#[cfg(test)]
pub(crate) fn child_reads() -> Vec<(&'static str, &'static str)> {
    CHILD_SOURCES
        .iter()
        .flat_map(|c| c.calls.iter().map(move |call| (c.name, call.key)))
        .collect()
}

/// Every source name this module can produce (for tests and the catalogue check).
#[cfg(test)]
pub(crate) fn all_source_names() -> Vec<&'static str> {
    let mut v = vec!["arm.subscriptions"];
    v.extend(SUB_LISTS.iter().map(|l| l.name));
    v.extend(child_source_names());
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostic_settings_query_names_both_paths() {
        assert_eq!(
            child_query("arm.diagnostic_settings"),
            "GET {resourceId}/providers/Microsoft.Insights/diagnosticSettings?api-version=2021-05-01-preview; \
             GET {storageAccountId}/blobServices/default/providers/Microsoft.Insights/diagnosticSettings?api-version=2021-05-01-preview"
        );
        assert!(child_query("arm.sql_server_settings").contains("/encryptionProtector/current"));
    }

    #[test]
    fn every_arm_row_of_the_catalogue_is_implemented() {
        let doc = include_str!("../../docs/SOURCES.md");
        let documented: Vec<&str> = doc
            .lines()
            .filter_map(|l| l.strip_prefix("| `arm."))
            .filter_map(|l| l.split('`').next())
            .collect();
        let mine = all_source_names();
        for d in &documented {
            let name = format!("arm.{d}");
            assert!(
                mine.contains(&name.as_str()) || name == "arm.activity_log",
                "{name} is documented but not collected"
            );
        }
        assert_eq!(documented.len(), mine.len() + 1, "{documented:?}");
    }

    fn fixture(path: &str) -> Value {
        let p = format!("{}/tests/fixtures/azure/{path}", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap()
    }

    fn list(path: &str) -> Vec<Value> {
        cleaned(fixture(path)["value"].as_array().unwrap().clone())
    }

    #[test]
    fn microsoft_arm_examples_map_into_the_model() {
        // Subscription diagnostic settings (`type: null`, an id without a leading slash).
        let mut sub = Subscription::default();
        (SUB_LISTS[0].set)(
            &mut sub,
            list("monitor/diagnostic_settings_list_subscription.2021-05-01-preview.json"),
        );
        let ds = sub.diagnostic_settings.unwrap();
        assert!(!ds.is_empty() && ds[0]["properties"]["logs"].is_array());
        let mut sub = Subscription::default();
        (SUB_LISTS[5].set)(
            &mut sub,
            list("authorization/management_locks_list_subscription.2020-05-01.json"),
        );
        assert!(!sub.locks.unwrap().is_empty());
        // A singleton child, cleaned: what the checks read stays.
        let mut blob = fixture("storage/blob_service_properties_get.2025-06-01.json");
        clean(&mut blob);
        assert!(
            blob.pointer("/properties/deleteRetentionPolicy/enabled")
                .is_some()
        );
        // A list child is the `value` array itself.
        let rules = Value::Array(list("sql/sql_firewall_rules_list.2023-08-01.json"));
        assert_eq!(rules[0]["properties"]["startIpAddress"], "0.0.0.0");
        let cfg = {
            let mut v = fixture("appservice/web_app_site_config_get.2024-11-01.json");
            clean(&mut v);
            v
        };
        assert!(cfg.pointer("/properties/minTlsVersion").is_some());
    }

    #[test]
    fn forbidden_reasons_name_the_role() {
        let f = Failure::Status {
            status: 403,
            code: Some("AuthorizationFailed".into()),
            message: None,
            attempts: 1,
        };
        assert!(reason(&f, READER_HINT).contains("Reader role"));
        let f = Failure::Status {
            status: 500,
            code: None,
            message: None,
            attempts: 3,
        };
        assert_eq!(reason(&f, READER_HINT), "HTTP 500 after 3 attempts");
    }
}
