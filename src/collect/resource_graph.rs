//! Azure Resource Graph: the bulk inventory (`POST /providers/Microsoft.ResourceGraph/resources`,
//! api-version 2024-04-01). One data query per table, paged by `$skipToken` at 1000 rows, ordered
//! by id; one independent `| count` query per table, whose answer must match the rows read.
//! Rows are normalised and redacted, then mapped to [`Resource`].

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::arm::Listed;
use super::http::{Failure, Http, Meter, shape_failure};
use super::redact::clean;
use super::retry::CallKind;
use super::shape;
use super::{Progress, SourceRecord};
use crate::model::{InventoryPart, Resource};

pub(crate) const API_VERSION: &str = "2024-04-01";
const PATH: &str = "/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01";
/// Rows per page (the service maximum).
const TOP: u64 = 1000;
/// Subscriptions per request.
const BATCH: usize = 1000;
/// The `resources` table is read in up to this many requests paged side by side, each over
/// its share of the subscriptions: one `$skipToken` chain pages no faster than a page's round
/// trip, which under the load of the per-resource reads is slower than the query quota allows.
const CHAINS: usize = 4;
/// Fewest subscriptions a chain gets: a small tenant keeps one request (each extra chain costs
/// a count query and a partial page).
const MIN_SUBS_PER_CHAIN: usize = 25;

/// Resource types read from the `resources` table (docs/SOURCES.md).
pub(crate) const RESOURCE_TYPES: [&str; 27] = [
    "microsoft.storage/storageaccounts",
    "microsoft.keyvault/vaults",
    "microsoft.network/networksecuritygroups",
    "microsoft.network/networkwatchers",
    "microsoft.network/networkwatchers/flowlogs",
    "microsoft.network/publicipaddresses",
    "microsoft.network/virtualnetworks",
    "microsoft.network/applicationgateways",
    "microsoft.network/bastionhosts",
    "microsoft.sql/servers",
    "microsoft.sql/servers/databases",
    "microsoft.dbforpostgresql/flexibleservers",
    "microsoft.dbformysql/flexibleservers",
    "microsoft.documentdb/databaseaccounts",
    "microsoft.web/sites",
    "microsoft.containerservice/managedclusters",
    "microsoft.containerregistry/registries",
    "microsoft.compute/virtualmachines",
    "microsoft.compute/disks",
    "microsoft.compute/virtualmachinescalesets",
    "microsoft.recoveryservices/vaults",
    "microsoft.insights/activitylogalerts",
    "microsoft.insights/autoscalesettings",
    "microsoft.operationalinsights/workspaces",
    "microsoft.cache/redis",
    "microsoft.eventhub/namespaces",
    "microsoft.servicebus/namespaces",
];

/// One Resource Graph source: a table and its filter.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    pub source: &'static str,
    /// `<table> | where …`.
    head: String,
    project: Option<&'static str>,
    /// Requests paged side by side at most (see [`CHAINS`]).
    chains: usize,
}

fn quoted(items: &[&str]) -> String {
    items
        .iter()
        .map(|t| format!("'{t}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The four Resource Graph sources of docs/SOURCES.md.
pub(crate) fn tables() -> Vec<Table> {
    vec![
        Table {
            source: "resource_graph.resources",
            head: format!("resources | where type in~ ({})", quoted(&RESOURCE_TYPES)),
            project: Some(
                "id, name, type, location, subscriptionId, resourceGroup, tags, sku, kind, zones, \
                 identity, properties",
            ),
            chains: CHAINS,
        },
        Table {
            source: "resource_graph.authorization",
            head:
                "authorizationresources | where type =~ 'microsoft.authorization/roleassignments' \
                   or (type =~ 'microsoft.authorization/roledefinitions' and \
                   tostring(properties.type) =~ 'CustomRole')"
                    .to_string(),
            project: None,
            chains: 1,
        },
        Table {
            source: "resource_graph.policy",
            head: "policyresources | where type in~ ('microsoft.authorization/policyassignments', \
                   'microsoft.authorization/policyexemptions') or (type =~ \
                   'microsoft.policyinsights/policystates' and \
                   tostring(properties.complianceState) =~ 'NonCompliant')"
                .to_string(),
            project: None,
            chains: 1,
        },
        Table {
            source: "resource_graph.security",
            head: "securityresources | where type =~ 'microsoft.security/assessments' and \
                   tostring(properties.status.code) =~ 'Unhealthy'"
                .to_string(),
            project: None,
            chains: 1,
        },
    ]
}

impl Table {
    /// The paged data query; `extra` narrows it (e.g. subscriptions outside the scope of a
    /// management group).
    pub(crate) fn data_query(&self, extra: &str) -> String {
        let mut q = format!("{}{extra}", self.head);
        if let Some(p) = self.project {
            q.push_str(" | project ");
            q.push_str(p);
        }
        // A total order, so `$skipToken` paging neither skips nor repeats rows. By name first:
        // ids begin with the subscription, so pages in id order come one subscription at a
        // time, and a subscription listed on the last page would start its per-resource reads
        // (25 a second on its own quota) only then; pages in name order span subscriptions, so
        // every subscription's reads start with the first pages.
        q.push_str(" | order by name asc, id asc");
        q
    }

    /// The independent count of the same rows.
    pub(crate) fn count_query(&self, extra: &str) -> String {
        format!("{}{extra} | count", self.head)
    }
}

/// A `| where subscriptionId !in~ (…)` clause for subscriptions below a management group that
/// are out of scope; empty when there are none.
pub(crate) fn exclusion_clause(ids: &[String]) -> String {
    if ids.is_empty() {
        return String::new();
    }
    let list = ids
        .iter()
        .map(|id| format!("'{}'", id.replace('\'', "")))
        .collect::<Vec<_>>()
        .join(", ");
    format!(" | where subscriptionId !in~ ({list})")
}

/// What the queries run against.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    Subscriptions(Vec<String>),
    ManagementGroup(String),
}

pub(crate) fn management_group_id(mg: &str) -> String {
    format!("/providers/Microsoft.Management/managementGroups/{mg}")
}

impl Target {
    /// Request scopes (`subscriptions` batches or `managementGroups`) with the gap scopes each
    /// covers.
    fn requests(&self, chains: usize) -> Vec<(Map<String, Value>, Vec<String>)> {
        match self {
            Target::ManagementGroup(mg) => {
                let mut m = Map::new();
                m.insert("managementGroups".into(), json!([mg]));
                vec![(m, vec![management_group_id(mg)])]
            }
            Target::Subscriptions(subs) => subs
                .chunks(
                    subs.len()
                        .div_ceil(chains.max(1))
                        .clamp(MIN_SUBS_PER_CHAIN, BATCH),
                )
                .map(|chunk| {
                    let mut m = Map::new();
                    m.insert("subscriptions".into(), json!(chunk));
                    let scopes = chunk
                        .iter()
                        .map(|s| format!("/subscriptions/{s}"))
                        .collect();
                    (m, scopes)
                })
                .collect(),
        }
    }

    /// The provenance scope.
    pub(crate) fn scope(&self) -> Vec<String> {
        match self {
            Target::ManagementGroup(mg) => vec![management_group_id(mg)],
            Target::Subscriptions(s) => s.clone(),
        }
    }
}

/// What a Resource Graph answer documents (Resources - Query, `QueryResponse`).
const RESULT: &str = "a Resource Graph result (an object with a `data` array of objects and an \
                      optional `$skipToken` string)";

fn not_a_result(got: impl Into<String>) -> shape::Mismatch {
    shape::Mismatch {
        expected: RESULT.to_string(),
        got: got.into(),
    }
}

/// Rows of one response page, its `$skipToken`, and whether the service truncated it; a body
/// of another shape is refused (a `$skipToken` that is not a string would otherwise end the
/// paging early without a word).
fn page_of(body: Value) -> Result<(Vec<Value>, Option<String>, bool), shape::Mismatch> {
    let Value::Object(mut m) = body else {
        return Err(not_a_result(shape::describe(&body)));
    };
    let rows = match m.remove("data") {
        Some(Value::Array(rows)) => {
            shape::items_are_objects(&rows, &[])
                .map_err(|got| not_a_result(format!("a result whose `data` {got}")))?;
            rows
        }
        // Table format (`columns` + `rows`), should a service ignore `resultFormat`.
        Some(Value::Object(t)) => {
            let (Some(Value::Array(cols)), Some(Value::Array(rows))) =
                (t.get("columns"), t.get("rows"))
            else {
                return Err(not_a_result(
                    "an object whose `data` is neither an array nor a table (`columns` and `rows` arrays)",
                ));
            };
            let cols: Vec<String> = cols
                .iter()
                .map(|c| {
                    c.get("name")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string()
                })
                .collect();
            let mut out = Vec::with_capacity(rows.len());
            for (i, r) in rows.iter().enumerate() {
                let Value::Array(cells) = r else {
                    return Err(not_a_result(format!(
                        "table row {} that is not an array",
                        i + 1
                    )));
                };
                out.push(Value::Object(
                    cols.iter().cloned().zip(cells.iter().cloned()).collect(),
                ));
            }
            out
        }
        Some(other) => {
            return Err(not_a_result(format!(
                "an object whose `data` is {}",
                shape::kind(&other)
            )));
        }
        None => return Err(not_a_result(shape::describe(&Value::Object(m)))),
    };
    let skip = match m.remove("$skipToken") {
        Some(Value::String(s)) if !s.is_empty() => Some(s),
        None | Some(Value::Null) | Some(Value::String(_)) => None,
        Some(other) => {
            return Err(not_a_result(format!(
                "a `$skipToken` that is {}",
                shape::kind(&other)
            )));
        }
    };
    let truncated = match m.get("resultTruncated") {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    };
    Ok((rows, skip, truncated))
}

/// Pages through one query for one request scope.
async fn paged_query(
    http: &Http,
    scope: &Map<String, Value>,
    query: &str,
    page_cap: u32,
    meter: &Meter,
    progress: &indicatif::ProgressBar,
    on_page: &mut dyn FnMut(&[Value]),
) -> (Vec<Value>, u32, Option<Failure>) {
    let url = match http.endpoints.arm_url(PATH) {
        Ok(u) => u,
        Err(e) => {
            let f = Failure::Invalid {
                detail: format!("cannot build the Resource Graph URL: {e}"),
            };
            return (vec![], 0, Some(f));
        }
    };
    let mut rows = vec![];
    let mut pages = 0u32;
    let mut seen = HashSet::new();
    let mut skip: Option<String> = None;
    loop {
        if pages >= page_cap {
            return (rows, pages, Some(Failure::PageCap { cap: page_cap }));
        }
        let mut options = json!({"$top": TOP, "resultFormat": "objectArray"});
        if let Some(t) = &skip {
            options["$skipToken"] = json!(t);
        }
        let mut body = scope.clone();
        body.insert("query".into(), json!(query));
        body.insert("options".into(), options);
        let body = Value::Object(body);
        let reply = http
            .send(
                CallKind::ResourceGraph,
                reqwest::Method::POST,
                &url,
                Some(&body),
                meter,
            )
            .await;
        let page = reply.and_then(|b| page_of(b).map_err(|m| shape_failure("POST", &url, m)));
        let (data, next, truncated) = match page {
            Ok(p) => p,
            Err(f) => return (rows, pages, Some(f)),
        };
        pages += 1;
        progress.inc(data.len() as u64);
        on_page(&data);
        rows.extend(data);
        match next {
            None if truncated => {
                let f = Failure::Invalid {
                    detail: "Resource Graph truncated the results (resultTruncated) without a \
                             $skipToken"
                        .into(),
                };
                return (rows, pages, Some(f));
            }
            None => return (rows, pages, None),
            Some(t) => {
                if !seen.insert(t.clone()) {
                    return (rows, pages, Some(Failure::RepeatedLink { page: pages }));
                }
                skip = Some(t);
            }
        }
    }
}

/// The `Count` of a `| count` query.
async fn count(
    http: &Http,
    scope: &Map<String, Value>,
    query: &str,
    meter: &Meter,
) -> Result<u64, Failure> {
    let (rows, _, failure) = paged_query(
        http,
        scope,
        query,
        1,
        meter,
        &indicatif::ProgressBar::hidden(),
        &mut |_| {},
    )
    .await;
    if let Some(f) = failure {
        return Err(f);
    }
    rows.first()
        .and_then(|r| match r {
            Value::Object(m) => m.get("Count").or_else(|| m.values().next()).cloned(),
            other => Some(other.clone()),
        })
        .and_then(|v| v.as_u64())
        .ok_or_else(|| Failure::Invalid {
            detail: "the count query returned no number".into(),
        })
}

/// Reads one table into resources, with its provenance.
pub(crate) async fn collect_table(
    http: &Http,
    table: &Table,
    target: &Target,
    extra: &str,
    page_cap: u32,
    progress: &Progress,
    listed: &futures::channel::mpsc::UnboundedSender<Listed>,
) -> (Vec<Resource>, SourceRecord) {
    let query = table.data_query(extra);
    let count_query = table.count_query(extra);
    let mut rec = SourceRecord::new(
        table.source,
        InventoryPart::Resources,
        http.endpoints.arm_base(),
        API_VERSION,
        &query,
        target.scope(),
    );
    rec.notes.push(format!("independent count: {count_query}"));
    let bar = progress.bar(table.source, None);
    let meter = Arc::clone(&rec.meter);
    let mut resources = vec![];
    let mut independent = Some(0u64);
    let mut unmapped = 0usize;
    // The requests page side by side; their results are merged in request order.
    let chains = target
        .requests(table.chains)
        .into_iter()
        .map(|(scope, gap_scopes)| {
            let (query, count_query, meter, bar) = (&query, &count_query, &meter, &bar);
            let listed = listed.clone();
            async move {
                // Each page's resources go to the per-resource reads as soon as the page is in.
                let mut send = |page: &[Value]| {
                    for l in page.iter().filter_map(Listed::of) {
                        // The reads end early only when the collection does.
                        let _ = listed.unbounded_send(l);
                    }
                };
                let paged = paged_query(http, &scope, query, page_cap, meter, bar, &mut send).await;
                let counted = count(http, &scope, count_query, meter).await;
                (gap_scopes, paged, counted)
            }
        });
    for (gap_scopes, (rows, pages, failure), counted) in futures::future::join_all(chains).await {
        rec.pages += pages;
        let read = rows.len() as u64;
        for row in rows {
            match to_resource(row) {
                Some(r) => resources.push(r),
                None => unmapped += 1,
            }
        }
        if let Some(f) = &failure {
            for s in &gap_scopes {
                rec.gap(s, f.describe());
            }
        }
        match counted {
            Ok(n) => {
                independent = independent.map(|t| t + n);
                if failure.is_none() && n != read {
                    for s in &gap_scopes {
                        rec.gap(
                            s,
                            format!(
                                "the paged read returned {read} rows but `| count` says {n}; the \
                                 inventory may be incomplete"
                            ),
                        );
                    }
                }
            }
            Err(f) => {
                independent = None;
                rec.notes
                    .push(format!("independent count not available: {}", f.describe()));
            }
        }
    }
    if unmapped > 0 {
        for s in target.scope().iter().map(|s| scope_id(s)) {
            rec.gap(
                &s,
                format!("{unmapped} row(s) without an id or type could not be kept"),
            );
        }
    }
    rec.records = resources.len() as u64;
    rec.independent_count = independent;
    rec.finish(&bar);
    (resources, rec)
}

/// A provenance scope entry as an ARM id (`/subscriptions/<id>` for a bare subscription id).
fn scope_id(s: &str) -> String {
    if s.starts_with('/') {
        s.to_string()
    } else {
        format!("/subscriptions/{s}")
    }
}

/// The subscription ids (lower-case) below a management group, from `resourcecontainers`.
pub(crate) async fn management_group_subscriptions(
    http: &Http,
    mg: &str,
    page_cap: u32,
    meter: &Meter,
) -> Result<BTreeSet<String>, Failure> {
    let query = MANAGEMENT_GROUP_QUERY;
    let mut scope = Map::new();
    scope.insert("managementGroups".into(), json!([mg]));
    let (rows, _, failure) = paged_query(
        http,
        &scope,
        query,
        page_cap,
        meter,
        &indicatif::ProgressBar::hidden(),
        &mut |_| {},
    )
    .await;
    if let Some(f) = failure {
        return Err(f);
    }
    Ok(rows
        .iter()
        .filter_map(|r| r.get("subscriptionId").and_then(Value::as_str))
        .map(str::to_ascii_lowercase)
        .collect())
}

/// The query text of the management-group membership lookup (for provenance).
pub(crate) const MANAGEMENT_GROUP_QUERY: &str = "resourcecontainers | where type =~ \
     'microsoft.resources/subscriptions' | project subscriptionId | order by subscriptionId asc";

/// The segment after `name` in an ARM id (`subscriptions`, `resourceGroups`), any case.
pub(crate) fn id_segment(id: &str, name: &str) -> Option<String> {
    let mut segs = id.split('/');
    while let Some(s) = segs.next() {
        if s.eq_ignore_ascii_case(name) {
            return segs.next().filter(|v| !v.is_empty()).map(str::to_string);
        }
    }
    None
}

fn text(m: &Map<String, Value>, k: &str) -> Option<String> {
    m.get(k)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

impl Listed {
    /// The id, type and subscription of a row, as [`to_resource`] reads them.
    pub(crate) fn of(row: &Value) -> Option<Self> {
        let m = row.as_object()?;
        let id = text(m, "id")?;
        let r#type = text(m, "type")?.to_ascii_lowercase();
        let subscription_id = text(m, "subscriptionId")
            .or_else(|| id_segment(&id, "subscriptions"))
            .unwrap_or_default();
        Some(Self {
            id,
            r#type,
            subscription_id,
        })
    }
}

/// Maps a Resource Graph row (any table) to a [`Resource`], after normalisation and redaction.
/// `None` when the row has no id or type.
pub(crate) fn to_resource(mut row: Value) -> Option<Resource> {
    clean(&mut row);
    let Value::Object(mut m) = row else {
        return None;
    };
    let id = text(&m, "id")?;
    let ty = text(&m, "type")?.to_ascii_lowercase();
    let name = text(&m, "name")
        .or_else(|| id.rsplit('/').next().map(str::to_string))
        .unwrap_or_default();
    let subscription_id = text(&m, "subscriptionId")
        .or_else(|| id_segment(&id, "subscriptions"))
        .unwrap_or_default();
    let resource_group = text(&m, "resourceGroup").or_else(|| id_segment(&id, "resourceGroups"));
    let tags: BTreeMap<String, String> = match m.remove("tags") {
        Some(Value::Object(t)) => t
            .into_iter()
            .map(|(k, v)| {
                let v = match v {
                    Value::String(s) => s,
                    Value::Null => String::new(),
                    other => other.to_string(),
                };
                (k, v)
            })
            .collect(),
        _ => BTreeMap::new(),
    };
    let present = |v: Option<Value>| v.filter(|v| !v.is_null());
    let zones = match m.remove("zones") {
        Some(Value::Array(z)) => z
            .into_iter()
            .map(|z| match z {
                Value::String(s) => s,
                other => other.to_string(),
            })
            .collect(),
        _ => vec![],
    };
    Some(Resource {
        location: text(&m, "location"),
        kind: text(&m, "kind"),
        sku: present(m.remove("sku")),
        identity: present(m.remove("identity")),
        properties: m.remove("properties").unwrap_or(Value::Null),
        id,
        r#type: ty,
        name,
        subscription_id,
        resource_group,
        tags,
        zones,
        children: BTreeMap::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Value {
        let p = format!(
            "{}/tests/fixtures/azure/resourcegraph/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap()
    }

    #[test]
    fn microsoft_first_page_maps_and_pages() {
        let (rows, skip, truncated) =
            page_of(fixture("resources_query_first_page.2024-04-01.json")).unwrap();
        assert_eq!(rows.len(), 3);
        assert!(skip.is_some());
        assert!(!truncated);
        let r = to_resource(rows[0].clone()).unwrap();
        assert_eq!(r.r#type, "microsoft.compute/disks");
        // The example projects no subscriptionId or resourceGroup: both come from the id.
        assert_eq!(r.subscription_id, "cfbbd179-59d2-4052-aa06-9270a38aa9d6");
        assert_eq!(r.resource_group.as_deref(), Some("RG1"));
        assert_eq!(r.location.as_deref(), Some("eastus"));
    }

    #[test]
    fn microsoft_last_page_has_no_skip_token_and_tags_map() {
        let (rows, skip, _) = page_of(fixture("resources_query_basic.2024-04-01.json")).unwrap();
        assert_eq!(skip, None);
        let r = to_resource(rows[0].clone()).unwrap();
        assert_eq!(r.tags.get("tag1").map(String::as_str), Some("Value1"));
        assert_eq!(r.name, "myNetworkInterface");
        assert!(r.children.is_empty());
    }

    #[test]
    fn full_row_maps_every_column_and_redacts() {
        let row = json!({
            "id": "/Subscriptions/S1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a",
            "name": "a", "type": "Microsoft.Storage/storageAccounts", "location": "westeurope",
            "subscriptionId": "s1", "resourceGroup": "rg",
            "tags": {"env": "prod", "n": 3}, "sku": {"name": "Standard_GRS"}, "kind": "StorageV2",
            "zones": ["1", 2], "identity": null, "etag": "x",
            "properties": {"minimumTlsVersion": "TLS1_2", "primaryKey": "k",
                           "lastModifiedTime": "2026-01-01T00:00:00Z"}
        });
        let r = to_resource(row).unwrap();
        assert_eq!(r.r#type, "microsoft.storage/storageaccounts");
        assert_eq!(r.subscription_id, "s1");
        assert_eq!(r.tags["n"], "3");
        assert_eq!(r.sku, Some(json!({"name": "Standard_GRS"})));
        assert_eq!(r.kind.as_deref(), Some("StorageV2"));
        assert_eq!(r.zones, ["1", "2"]);
        assert_eq!(r.identity, None);
        assert_eq!(
            r.properties,
            json!({"minimumTlsVersion": "TLS1_2", "primaryKey": "[redacted]"})
        );
    }

    #[test]
    fn rows_without_id_are_not_kept_and_table_format_is_read() {
        assert!(to_resource(json!({"name": "x", "type": "t"})).is_none());
        let (rows, _, truncated) = page_of(json!({
            "data": {"columns": [{"name": "id"}, {"name": "type"}], "rows": [["/subscriptions/s/x", "T"]]},
            "resultTruncated": "true"
        }))
        .unwrap();
        assert!(truncated);
        assert_eq!(to_resource(rows[0].clone()).unwrap().r#type, "t");
    }

    #[test]
    fn results_of_other_shapes_are_refused() {
        let got = |body: Value| page_of(body).unwrap_err().got;
        assert_eq!(
            got(json!({"value": [], "nextLink": null})),
            "a page-shaped body (`value` array of 0 items and `nextLink`)"
        );
        assert_eq!(
            got(json!([{"id": "/subscriptions/s/x", "type": "t"}])),
            "a list (a JSON array of 1 item)"
        );
        assert_eq!(
            got(json!({"id": "/subscriptions/s/x"})),
            "an object with id"
        );
        assert_eq!(
            got(json!({"data": ["x", 1], "count": 2})),
            "a result whose `data` item 1 is a string"
        );
        assert_eq!(
            got(json!({"data": {"id": "x"}})),
            "an object whose `data` is neither an array nor a table (`columns` and `rows` arrays)"
        );
        assert_eq!(
            got(json!({"data": {"columns": [], "rows": [1]}})),
            "table row 1 that is not an array"
        );
        assert_eq!(
            got(json!({"data": "rows"})),
            "an object whose `data` is a string"
        );
        assert_eq!(
            got(json!({"data": [], "$skipToken": 5})),
            "a `$skipToken` that is a number"
        );
        let m = page_of(json!(null)).unwrap_err();
        assert_eq!(m.expected, RESULT);
        assert_eq!(m.got, "an empty body");
        // An empty last page is a real answer.
        assert_eq!(
            page_of(json!({"data": [], "$skipToken": null, "count": 0})).unwrap(),
            (vec![], None, false)
        );
    }

    #[test]
    fn queries_and_scopes() {
        let t = &tables()[0];
        let q = t.data_query("");
        assert!(q.starts_with("resources | where type in~ ('microsoft.storage/storageaccounts', "));
        assert!(q.ends_with("| order by name asc, id asc"));
        assert_eq!(
            tables()[3].count_query(&exclusion_clause(&["a".into(), "b".into()])),
            "securityresources | where type =~ 'microsoft.security/assessments' and \
             tostring(properties.status.code) =~ 'Unhealthy' | where subscriptionId !in~ ('a', \
             'b') | count"
        );
        let many: Vec<String> = (0..2500).map(|i| format!("s{i}")).collect();
        let reqs = Target::Subscriptions(many.clone()).requests(1);
        assert_eq!(reqs.len(), 3);
        assert_eq!(reqs[2].1.len(), 500);
        assert_eq!(reqs[0].1[0], "/subscriptions/s0");
        // Side by side chains: at most BATCH subscriptions each, at least MIN_SUBS_PER_CHAIN.
        assert_eq!(Target::Subscriptions(many).requests(CHAINS).len(), 4);
        let sizes = |n: usize| {
            let subs: Vec<String> = (0..n).map(|i| format!("s{i}")).collect();
            Target::Subscriptions(subs)
                .requests(CHAINS)
                .iter()
                .map(|r| r.1.len())
                .collect::<Vec<_>>()
        };
        assert_eq!(sizes(3), [3]);
        assert_eq!(sizes(60), [25, 25, 10]);
        assert_eq!(sizes(200), [50, 50, 50, 50]);
        let mg = Target::ManagementGroup("root".into()).requests(CHAINS);
        assert_eq!(mg.len(), 1);
        assert_eq!(mg[0].0["managementGroups"], json!(["root"]));
    }
}
