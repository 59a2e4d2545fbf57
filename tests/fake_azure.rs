//! Self-tests of the loopback fake Azure with a plain HTTP client (reqwest): tokens for both
//! credential kinds, authentication and api-version checks, paging of every list shape,
//! Resource Graph KQL, the Activity Log filter, the documented quotas and every fault. The
//! collector's integration tests rely on the fake behaving as these tests pin down.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "integration tests and their helpers: a panic is a failed test with its message"
)]

mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use soc2_evidence::collect::demo::{self, DemoState};
use support::fake_azure::{
    FakeAzure, FakeOptions, FakeTenant, Fault, FaultRule, Kind, Missing, Quotas, Synthetic, Target,
};
use tokio_rustls::rustls::{self, pki_types::CertificateDer, pki_types::pem::PemObject};

fn client_with_timeout(fake: &FakeAzure, timeout: Duration) -> reqwest::Client {
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_slice_iter(fake.ca_pem().as_bytes()) {
        roots.add(c.unwrap()).unwrap();
    }
    let tls = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .timeout(timeout)
        .build()
        .unwrap()
}

fn client(fake: &FakeAzure) -> reqwest::Client {
    client_with_timeout(fake, Duration::from_secs(20))
}

async fn token_response(
    fake: &FakeAzure,
    c: &reqwest::Client,
    form: &[(&str, &str)],
) -> (u16, Value) {
    let url = format!(
        "{}{}/oauth2/v2.0/token",
        fake.authority_host(),
        fake.tenant_id()
    );
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in form {
        ser.append_pair(k, v);
    }
    let r = c
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(ser.finish())
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (
        status,
        serde_json::from_slice(&r.bytes().await.unwrap()).unwrap(),
    )
}

async fn token(fake: &FakeAzure, c: &reqwest::Client, resource: &str) -> String {
    let o = fake.options();
    let scope = format!("{resource}/.default");
    let (status, body) = token_response(
        fake,
        c,
        &[
            ("client_id", &o.client_id),
            ("client_secret", &o.client_secret),
            ("grant_type", "client_credentials"),
            ("scope", &scope),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().unwrap().to_string()
}

struct Api {
    fake: FakeAzure,
    c: reqwest::Client,
    arm_token: String,
    graph_token: String,
}

impl Api {
    async fn new(tenant: FakeTenant, opts: FakeOptions) -> Self {
        let fake = FakeAzure::start(tenant, opts);
        let c = client(&fake);
        let arm_token = token(&fake, &c, &fake.arm_url()).await;
        let graph_token = token(&fake, &c, &fake.graph_url()).await;
        Self {
            fake,
            c,
            arm_token,
            graph_token,
        }
    }

    async fn arm_get(&self, path_and_query: &str) -> reqwest::Response {
        let url = if path_and_query.starts_with("http") {
            path_and_query.to_string()
        } else {
            format!("{}{path_and_query}", self.fake.arm_url())
        };
        self.c
            .get(url)
            .bearer_auth(&self.arm_token)
            .send()
            .await
            .unwrap()
    }

    async fn arm_json(&self, path_and_query: &str) -> (u16, Value) {
        let r = self.arm_get(path_and_query).await;
        let s = r.status().as_u16();
        (
            s,
            serde_json::from_slice(&r.bytes().await.unwrap()).unwrap(),
        )
    }

    async fn arg(&self, body: Value) -> reqwest::Response {
        self.c
            .post(format!(
                "{}/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01",
                self.fake.arm_url()
            ))
            .bearer_auth(&self.arm_token)
            .header("content-type", "application/json")
            .body(serde_json::to_vec(&body).unwrap())
            .send()
            .await
            .unwrap()
    }

    async fn graph_json(&self, url_or_path: &str) -> (u16, Value) {
        let url = if url_or_path.starts_with("http") {
            url_or_path.to_string()
        } else {
            format!("{}/v1.0{url_or_path}", self.fake.graph_url())
        };
        let r = self
            .c
            .get(url)
            .bearer_auth(&self.graph_token)
            .send()
            .await
            .unwrap();
        let s = r.status().as_u16();
        (
            s,
            serde_json::from_slice(&r.bytes().await.unwrap()).unwrap(),
        )
    }

    /// Follows `nextLink` to the end; returns every item and the number of pages.
    async fn arm_all(&self, first: &str) -> (Vec<Value>, usize) {
        let mut items = vec![];
        let mut pages = 0;
        let mut next = Some(first.to_string());
        while let Some(url) = next {
            let (s, body) = self.arm_json(&url).await;
            assert_eq!(s, 200, "{url}: {body}");
            pages += 1;
            items.extend(body["value"].as_array().unwrap().iter().cloned());
            next = body["nextLink"].as_str().map(str::to_string);
            assert!(pages < 100, "paging does not end");
        }
        (items, pages)
    }
}

fn demo_tenant() -> FakeTenant {
    FakeTenant::from_inventory(&demo::inventory(DemoState::Baseline))
}

const PROD: &str = "3f2b9a10-0c4e-4d8b-a1f5-6e7d8c9b0a11";

fn storage_id(name: &str) -> String {
    format!(
        "/subscriptions/{PROD}/resourceGroups/rg-prod/providers/Microsoft.Storage/storageAccounts/{name}"
    )
}

#[tokio::test]
async fn token_endpoint_issues_for_a_secret_and_refuses_a_wrong_one() {
    let fake = FakeAzure::start(demo_tenant(), FakeOptions::default());
    let c = client(&fake);
    let o = fake.options();
    let scope = format!("{}/.default", fake.arm_url());
    let (s, body) = token_response(
        &fake,
        &c,
        &[
            ("client_id", &o.client_id),
            ("client_secret", &o.client_secret),
            ("grant_type", "client_credentials"),
            ("scope", &scope),
        ],
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(body["token_type"], "Bearer");
    assert!(body["expires_in"].as_i64().unwrap() > 3000);
    assert_eq!(
        fake.issued_tokens(),
        vec![body["access_token"].as_str().unwrap()]
    );

    let (s, body) = token_response(
        &fake,
        &c,
        &[
            ("client_id", &o.client_id),
            ("client_secret", "not-the-secret"),
            ("grant_type", "client_credentials"),
            ("scope", &scope),
        ],
    )
    .await;
    assert_eq!(s, 401);
    assert_eq!(body["error"], "invalid_client");
    assert_eq!(body["error_codes"], json!([7000215]));
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .starts_with("AADSTS7000215")
    );

    let (s, body) = token_response(
        &fake,
        &c,
        &[
            ("client_id", "someone-else"),
            ("client_secret", &o.client_secret),
            ("grant_type", "client_credentials"),
            ("scope", &scope),
        ],
    )
    .await;
    assert_eq!(s, 400);
    assert_eq!(body["error_codes"], json!([700016]));
    // Scope without /.default is refused as Entra refuses it.
    let (s, _) = token_response(
        &fake,
        &c,
        &[
            ("client_id", &o.client_id),
            ("client_secret", &o.client_secret),
            ("grant_type", "client_credentials"),
            ("scope", &fake.arm_url()),
        ],
    )
    .await;
    assert_eq!(s, 400);
    assert_eq!(fake.counters().token, 4);
}

#[tokio::test]
async fn github_oidc_token_is_exchanged_as_a_client_assertion() {
    let fake = FakeAzure::start(demo_tenant(), FakeOptions::default());
    let c = client(&fake);
    let o = fake.options();
    let url = format!(
        "{}&audience=api://AzureADTokenExchange",
        fake.oidc_request_url()
    );
    let r = c.get(&url).bearer_auth("wrong").send().await.unwrap();
    assert_eq!(r.status(), 401);
    let r = c
        .get(&url)
        .bearer_auth(&o.oidc.request_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json_value().await;
    let assertion = body["value"].as_str().unwrap().to_string();
    assert_eq!(assertion.split('.').count(), 3);

    let scope = format!("{}/.default", fake.graph_url());
    let exchange = |assertion: String| {
        let c = c.clone();
        let scope = scope.clone();
        let id = o.client_id.clone();
        let fake = &fake;
        async move {
            token_response(
                fake,
                &c,
                &[
                    ("client_assertion", assertion.as_str()),
                    (
                        "client_assertion_type",
                        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                    ),
                    ("client_id", &id),
                    ("grant_type", "client_credentials"),
                    ("scope", &scope),
                ],
            )
            .await
        }
    };
    let (s, body) = exchange(assertion).await;
    assert_eq!(s, 200, "{body}");
    // A token minted for another audience has no federated credential.
    let (s, body) = exchange(fake.mint_oidc_token("https://github.com/contoso")).await;
    assert_eq!(s, 400);
    assert_eq!(body["error_codes"], json!([700212]));
    let (s, body) = exchange("not.a-jwt".into()).await;
    assert_eq!(s, 400, "{body}");
    let c2 = fake.counters();
    assert_eq!((c2.oidc, c2.token), (2, 3));
}

trait JsonValue {
    async fn json_value(self) -> Value;
}

impl JsonValue for reqwest::Response {
    async fn json_value(self) -> Value {
        serde_json::from_slice(&self.bytes().await.unwrap()).unwrap()
    }
}

#[tokio::test]
async fn arm_checks_the_token_audience_and_the_api_version() {
    let api = Api::new(demo_tenant(), FakeOptions::default()).await;
    let r = api
        .c
        .get(format!(
            "{}/subscriptions?api-version=2022-12-01",
            api.fake.arm_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers().contains_key("www-authenticate"));
    let r = api
        .c
        .get(format!(
            "{}/subscriptions?api-version=2022-12-01",
            api.fake.arm_url()
        ))
        .bearer_auth(&api.graph_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.json_value().await["error"]["code"],
        "InvalidAuthenticationTokenAudience"
    );
    let (s, body) = api.arm_json("/subscriptions").await;
    assert_eq!(s, 400);
    assert_eq!(body["error"]["code"], "MissingApiVersionParameter");
    let (s, body) = api.arm_json("/subscriptions?api-version=2016-06-01").await;
    assert_eq!(s, 400);
    assert_eq!(body["error"]["code"], "InvalidApiVersionParameter");
    let (s, body) = api.graph_json("/users").await;
    assert_eq!(s, 200, "the demo's users are served: {body}");
    // An ARM token on Graph is refused too.
    let r = api
        .c
        .get(format!(
            "{}/v1.0/identity/conditionalAccess/policies",
            api.fake.graph_url()
        ))
        .bearer_auth(&api.arm_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn arm_serves_subscriptions_lists_and_children_with_next_links() {
    let opts = FakeOptions {
        arm_page_size: Some(2),
        ..FakeOptions::default()
    };
    let api = Api::new(demo_tenant(), opts).await;
    let (subs, pages) = api.arm_all("/subscriptions?api-version=2022-12-01").await;
    assert_eq!((subs.len(), pages), (3, 2));
    assert_eq!(subs[0]["id"], format!("/subscriptions/{PROD}"));
    assert_eq!(subs[0]["displayName"], "contoso-prod");

    let (pricings, pages) = api
        .arm_all(&format!(
            "/subscriptions/{PROD}/providers/Microsoft.Security/pricings?api-version=2024-01-01"
        ))
        .await;
    assert_eq!((pricings.len(), pages), (13, 7), "13 plans, 2 a page");
    // What the collector must strip is there.
    assert!(pricings[0].get("etag").is_some() && pricings[0].get("systemData").is_some());

    let acct = storage_id("stprodorders");
    let (s, blob) = api
        .arm_json(&format!(
            "{acct}/blobServices/default?api-version=2025-06-01"
        ))
        .await;
    assert_eq!(s, 200);
    assert_eq!(blob["properties"]["deleteRetentionPolicy"]["days"], 14);
    // Not collected by the demo (the scratch account's deny assignment): 403 naming the
    // action, as ARM does.
    let scratch = arm_id_of(&demo::inventory(DemoState::Baseline), "ststgscratch");
    let (s, body) = api
        .arm_json(&format!(
            "{scratch}/managementPolicies/default?api-version=2025-06-01"
        ))
        .await;
    assert_eq!(s, 403);
    assert_eq!(body["error"]["code"], "AuthorizationFailed");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("'Microsoft.Storage/storageAccounts/managementPolicies/read'"),
        "{body}"
    );
    // `null` child: 404.
    api.fake
        .update_tenant(|t| t.set_child(&acct, "managementPolicies/default", None));
    let (s, _) = api
        .arm_json(&format!(
            "{acct}/managementPolicies/default?api-version=2025-06-01"
        ))
        .await;
    assert_eq!(s, 404);
    // A resource the tenant does not have: 404.
    let (s, body) = api
        .arm_json(&format!(
            "{}/blobServices/default?api-version=2025-06-01",
            storage_id("nosuchaccount")
        ))
        .await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (404, Some("ResourceNotFound"))
    );
    // SQL firewall rules: a list child held as the ARM list body.
    let sql = format!(
        "/subscriptions/{PROD}/resourceGroups/rg-prod/providers/Microsoft.Sql/servers/sql-prod-orders"
    );
    let (rules, _) = api
        .arm_all(&format!("{sql}/firewallRules?api-version=2023-08-01"))
        .await;
    assert_eq!(rules.len(), 1);
    let kv = format!(
        "/subscriptions/{PROD}/resourceGroups/rg-prod/providers/Microsoft.KeyVault/vaults/kv-prod-payments"
    );
    let (diag, _) = api
        .arm_all(&format!(
            "{kv}/providers/Microsoft.Insights/diagnosticSettings?api-version=2021-05-01-preview"
        ))
        .await;
    assert_eq!(diag[0]["name"], "to-law");
    let c = api.fake.counters();
    assert_eq!(c.subscriptions, 2);
    assert_eq!(c.arm_subscription, 7, "the 7 pages of pricings");
    assert_eq!(c.arm_resource, 6);
    assert_eq!(
        c.by_source["arm.blob_services"], 2,
        "one of them for a missing account"
    );
    assert_eq!(c.by_source["arm.storage_lifecycle"], 2);
    assert!(api.fake.unknown_requests().is_empty());
}

#[tokio::test]
async fn resource_graph_filters_by_table_and_type_pages_and_counts() {
    let opts = FakeOptions {
        quotas: Quotas::off(),
        ..FakeOptions::default()
    };
    let api = Api::new(demo_tenant(), opts).await;
    let inv = demo::inventory(DemoState::Baseline);
    let accounts = inv
        .resources
        .iter()
        .filter(|r| r.r#type == "microsoft.storage/storageaccounts")
        .count();
    let query = "Resources | where type in~ ('Microsoft.Storage/storageAccounts') \
                 | project id, name, type, sku, kind, properties | order by id asc";
    let mut token: Option<String> = None;
    let mut rows = vec![];
    let mut pages = 0;
    loop {
        let mut options = json!({"$top": 5, "resultFormat": "objectArray"});
        if let Some(t) = &token {
            options["$skipToken"] = json!(t);
        }
        let r = api
            .arg(
                json!({"subscriptions": [PROD, "8c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e44",
                "b5e6f7a8-9b0c-4d1e-8f2a-3b4c5d6e7f88"], "query": query, "options": options}),
            )
            .await;
        assert_eq!(r.status(), 200);
        assert!(r.headers().contains_key("x-ms-user-quota-remaining"));
        let body = r.json_value().await;
        assert_eq!(body["totalRecords"], accounts);
        assert_eq!(body["resultTruncated"], "false");
        pages += 1;
        rows.extend(body["data"].as_array().unwrap().iter().cloned());
        token = body["$skipToken"].as_str().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(rows.len(), accounts);
    assert_eq!(pages, accounts.div_ceil(5));
    let mut ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let sorted = {
        let mut s = ids.clone();
        s.sort();
        s
    };
    assert_eq!(ids, sorted);
    ids.dedup();
    assert_eq!(ids.len(), accounts);
    assert_eq!(rows[0]["kind"], "StorageV2");

    let r = api
        .arg(json!({"query": "resources | where type =~ 'microsoft.sql/servers' | count"}))
        .await;
    assert_eq!(r.json_value().await["data"], json!([{"Count": 3}]));
    // Scoped to one subscription.
    let r = api
        .arg(json!({"subscriptions": [PROD], "query": "resources | summarize n = count()"}))
        .await;
    // The `resources` table: role, policy and security rows live in their own tables.
    let n = inv
        .resources
        .iter()
        .filter(|r| r.subscription_id == PROD)
        .filter(|r| support::fake_azure::table_for(&r.r#type) == "resources")
        .count();
    assert_eq!(r.json_value().await["data"], json!([{"n": n}]));
    // What the fake does not understand is an error, never an unfiltered answer.
    let r = api
        .arg(json!({"query": "resources | join kind=inner (resourcecontainers) on subscriptionId"}))
        .await;
    assert_eq!(r.status(), 400);
    let body = r.json_value().await;
    assert_eq!(body["error"]["details"][0]["code"], "InvalidQuery");
    // $top over 1000 is refused; the page cap holds whatever $top asks.
    let r = api
        .arg(json!({"query": "resources | project id", "options": {"$top": 5000}}))
        .await;
    assert_eq!(r.status(), 400);
    api.fake.configure(|o| o.arg_page_cap = 4);
    let r = api
        .arg(json!({"query": "resources | project id", "options": {"$top": 1000}}))
        .await;
    let body = r.json_value().await;
    assert_eq!(body["count"], 4);
    assert!(body["$skipToken"].is_string());
    // Without `id` in the projection Resource Graph cannot page: truncated, no token.
    let r = api
        .arg(json!({"query": "resources | project name", "options": {"$top": 1000}}))
        .await;
    let body = r.json_value().await;
    assert_eq!(body["resultTruncated"], "true");
    assert!(body.get("$skipToken").is_none());
    assert_eq!(
        api.fake.counters().by_source["resource_graph.resources"],
        7 + pages as u64 - 1
    );
}

#[tokio::test]
async fn graph_pages_with_next_links_and_honours_select_and_expand() {
    let tenant = FakeTenant::synthetic(&Synthetic {
        users: 7,
        ..Synthetic::default()
    });
    let opts = FakeOptions {
        graph_page_size: 3,
        ..FakeOptions::default()
    };
    let api = Api::new(tenant, opts).await;
    let mut next = Some("/users?$select=id,userPrincipalName".to_string());
    let mut users = vec![];
    let mut pages = 0;
    while let Some(url) = next {
        let (s, body) = api.graph_json(&url).await;
        assert_eq!(s, 200, "{body}");
        assert!(
            body["@odata.context"]
                .as_str()
                .unwrap()
                .contains("$metadata#users")
        );
        users.extend(body["value"].as_array().unwrap().iter().cloned());
        next = body["@odata.nextLink"].as_str().map(str::to_string);
        if let Some(n) = &next {
            assert!(
                n.contains("%24select=id%2CuserPrincipalName") || n.contains("$select"),
                "{n}"
            );
        }
        pages += 1;
    }
    assert_eq!((users.len(), pages), (7, 3));
    assert_eq!(users[0].as_object().unwrap().len(), 2, "{}", users[0]);
    let (s, body) = api
        .graph_json("/policies/identitySecurityDefaultsEnforcementPolicy")
        .await;
    assert_eq!(s, 200);
    assert_eq!(body["isEnabled"], false);
    // Roles carry members only with $expand=members.
    api.fake.update_tenant(|t| {
        t.graph.insert(
            "graph.directory_roles".into(),
            Some(json!([{"id": "r1", "displayName": "Global Administrator", "members": [{"id": "u1"}]}])),
        );
    });
    let (_, body) = api.graph_json("/directoryRoles").await;
    assert!(body["value"][0].get("members").is_none());
    let (_, body) = api.graph_json("/directoryRoles?$expand=members").await;
    assert_eq!(body["value"][0]["members"][0]["id"], "u1");
    let (s, _) = api.graph_json("/users?$filter=userType eq 'Guest'").await;
    assert_eq!(s, 400);
    assert_eq!(api.fake.counters().graph, 7);

    // A role's members on their own, paged like every list; an unknown role is Graph's 404.
    let members: Vec<Value> = (1..=7).map(|i| json!({"id": format!("u{i}")})).collect();
    api.fake.update_tenant(|t| {
        t.graph.insert(
            "graph.directory_roles".into(),
            Some(json!([{"id": "r1", "displayName": "Global Administrator", "members": members}])),
        );
    });
    let (mut got, mut pages) = (vec![], 0);
    let mut next = Some("/directoryRoles/r1/members".to_string());
    while let Some(url) = next {
        let (s, body) = api.graph_json(&url).await;
        assert_eq!(s, 200, "{body}");
        got.extend(body["value"].as_array().unwrap().iter().cloned());
        next = body["@odata.nextLink"].as_str().map(str::to_string);
        pages += 1;
        assert!(pages < 20, "paging does not end");
    }
    assert_eq!(got, members);
    assert!(pages > 1, "{pages} page(s)");
    let (s, body) = api.graph_json("/directoryRoles/nope/members").await;
    assert_eq!(s, 404, "{body}");
    assert_eq!(body["error"]["code"], "Request_ResourceNotFound");
    // The knob: $expand=members not honoured.
    api.fake.configure(|o| o.graph_ignores_role_expand = true);
    let (_, body) = api.graph_json("/directoryRoles?$expand=members").await;
    assert!(body["value"][0].get("members").is_none(), "{body}");
}

#[tokio::test]
async fn activity_log_filters_on_event_time_and_pages() {
    let mut inv = demo::inventory(DemoState::Baseline);
    let now = chrono::Utc::now();
    let change = |i: i64, days: i64| soc2_evidence::model::ChangeEvent {
        event_id: format!("evt-{i}"),
        event_time: (now - chrono::Duration::days(days)).with_timezone(&chrono::Utc),
        subscription_id: PROD.into(),
        caller: Some("alice@contoso.example".into()),
        operation: "Microsoft.Network/networkSecurityGroups/write".into(),
        resource_id: Some(format!(
            "/subscriptions/{PROD}/resourceGroups/rg-prod/providers/Microsoft.Network/networkSecurityGroups/nsg-prod-app"
        )),
        status: Some("Succeeded".into()),
        correlation_id: Some(format!("corr-{i}")),
    };
    inv.changes = Some((0..5).map(|i| change(i, 1 + i * 10)).collect());
    let opts = FakeOptions {
        activity_page_size: 2,
        ..FakeOptions::default()
    };
    let api = Api::new(FakeTenant::from_inventory(&inv), opts).await;
    let path =
        format!("/subscriptions/{PROD}/providers/Microsoft.Insights/eventtypes/management/values");
    let since =
        (now - chrono::Duration::days(25)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let until = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let filter = format!("eventTimestamp ge '{since}' and eventTimestamp le '{until}'");
    let url = reqwest::Url::parse_with_params(
        &format!("{}{path}", api.fake.arm_url()),
        &[("api-version", "2015-04-01"), ("$filter", filter.as_str())],
    )
    .unwrap();
    let (events, pages) = api.arm_all(url.as_str()).await;
    let ids: Vec<&str> = events
        .iter()
        .map(|e| e["eventDataId"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["evt-0", "evt-1", "evt-2"],
        "newest first, within the window"
    );
    assert_eq!(pages, 2);
    assert_eq!(
        events[0]["operationName"]["value"],
        "Microsoft.Network/networkSecurityGroups/write"
    );
    assert_eq!(events[0]["category"]["value"], "Administrative");
    let (s, _) = api
        .arm_json(&format!("{path}?api-version=2015-04-01"))
        .await;
    assert_eq!(s, 400, "the filter is required");
    let old = (now - chrono::Duration::days(91)).to_rfc3339();
    let url = reqwest::Url::parse_with_params(
        &format!("{}{path}", api.fake.arm_url()),
        &[
            ("api-version", "2015-04-01"),
            ("$filter", &format!("eventTimestamp ge '{old}'")),
        ],
    )
    .unwrap();
    assert_eq!(
        api.arm_json(url.as_str()).await.0,
        400,
        "beyond the 90 days Azure keeps"
    );
    assert_eq!(api.fake.counters().activity_log, 4);
}

#[tokio::test]
async fn resource_graph_quota_is_15_queries_per_window_with_retry_after() {
    // A 5 s window scaled to 1 s.
    let opts = FakeOptions {
        quotas: Quotas::scaled(0.2),
        ..FakeOptions::default()
    };
    let api = Api::new(demo_tenant(), opts).await;
    let start = Instant::now();
    let mut remaining = vec![];
    let mut throttled = None;
    for _ in 0..16 {
        let r = api.arg(json!({"query": "resources | count"})).await;
        let h = |n: &str| r.headers().get(n).map(|v| v.to_str().unwrap().to_string());
        remaining.push(
            h("x-ms-user-quota-remaining")
                .unwrap()
                .parse::<u32>()
                .unwrap(),
        );
        assert!(
            h("x-ms-user-quota-resets-after")
                .unwrap()
                .starts_with("00:00:0")
        );
        if r.status() == 429 {
            throttled = Some((h("retry-after").unwrap(), h("retry-after-ms").unwrap()));
            assert_eq!(r.json_value().await["error"]["code"], "RateLimiting");
        }
    }
    assert!(
        start.elapsed() < Duration::from_millis(900),
        "test too slow to see the window"
    );
    assert_eq!(remaining[..15], (0..15).rev().collect::<Vec<u32>>()[..]);
    let (retry_after, ms) = throttled.expect("the 16th query is throttled");
    assert_eq!(retry_after, "1");
    let ms: u64 = ms.parse().unwrap();
    assert!(ms <= 1000);
    tokio::time::sleep(Duration::from_millis(ms + 20)).await;
    let r = api.arg(json!({"query": "resources | count"})).await;
    assert_eq!(r.status(), 200, "the window reset");
    let c = api.fake.counters();
    assert_eq!(
        (c.throttled, c.quota_throttled, c.resource_graph),
        (1, 1, 17)
    );
}

#[tokio::test]
async fn arm_read_quota_is_a_token_bucket_per_subscription() {
    let opts = FakeOptions {
        quotas: Quotas {
            arm_burst: 5,
            arm_refill_per_sec: 2.0,
            ..Quotas::default()
        },
        ..FakeOptions::default()
    };
    let api = Api::new(demo_tenant(), opts).await;
    let path = format!(
        "/subscriptions/{PROD}/providers/Microsoft.Authorization/locks?api-version=2020-05-01"
    );
    let mut left = vec![];
    for _ in 0..6 {
        let r = api.arm_get(&path).await;
        let s = r.status().as_u16();
        let h = r
            .headers()
            .get("x-ms-ratelimit-remaining-subscription-reads")
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        left.push((s, h.clone()));
        if s == 429 {
            let ra: u64 = r.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!((1..=1).contains(&ra), "{ra}");
        }
    }
    assert_eq!(
        left,
        [
            (200, "4"),
            (200, "3"),
            (200, "2"),
            (200, "1"),
            (200, "0"),
            (429, "0")
        ]
        .map(|(s, h)| (s, h.to_string()))
    );
    // Another subscription has its own bucket.
    let other = path.replace(PROD, "8c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e44");
    assert_eq!(api.arm_get(&other).await.status(), 200);
    tokio::time::sleep(Duration::from_millis(550)).await;
    assert_eq!(api.arm_get(&path).await.status(), 200, "refilled");
}

#[tokio::test]
async fn faults_shape_like_the_service_and_stop_when_told() {
    let opts = FakeOptions {
        arm_page_size: Some(3),
        ..FakeOptions::default()
    };
    let api = Api::new(demo_tenant(), opts).await;
    let fake = &api.fake;
    let acct = storage_id("stprodorders");
    let blob = format!("{acct}/blobServices/default?api-version=2025-06-01");

    fake.inject(FaultRule::new(Target::source("arm.blob_services"), Fault::Forbidden).times(1));
    let (s, body) = api.arm_json(&blob).await;
    assert_eq!(s, 403);
    assert!(body["error"]["message"].as_str().unwrap().contains(
        "perform action 'Microsoft.Storage/storageAccounts/blobServices/read' over scope"
    ));
    assert_eq!(api.arm_json(&blob).await.0, 200, "times(1) is spent");

    fake.inject(FaultRule::new(Target::kind(Kind::ArmResource), Fault::NotFound).times(1));
    assert_eq!(api.arm_json(&blob).await.0, 404);

    fake.inject(FaultRule::new(Target::path("/blobServices/"), Fault::throttle_secs(0)).times(2));
    let statuses = [
        api.arm_get(&blob).await.status().as_u16(),
        api.arm_get(&blob).await.status().as_u16(),
        api.arm_get(&blob).await.status().as_u16(),
    ];
    assert_eq!(statuses, [429, 429, 200], "a storm of two, then through");

    fake.inject(
        FaultRule::new(Target::source("arm.blob_services"), Fault::ServerError)
            .scope("stprodorders")
            .times(1),
    );
    let other = format!(
        "{}/blobServices/default?api-version=2025-06-01",
        storage_id("stprodinvoices")
    );
    assert_eq!(api.arm_json(&other).await.0, 200, "scope limits the fault");
    let (s, body) = api.arm_json(&blob).await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (500, Some("InternalServerError"))
    );

    fake.inject(
        FaultRule::new(
            Target::source("arm.blob_services"),
            Fault::Timeout {
                hang: Duration::from_secs(5),
            },
        )
        .times(1),
    );
    let quick = client_with_timeout(fake, Duration::from_millis(300));
    let err = quick
        .get(format!("{}{blob}", fake.arm_url()))
        .bearer_auth(&api.arm_token)
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err}");

    fake.inject(FaultRule::new(Target::source("arm.blob_services"), Fault::Malformed).times(1));
    let r = api.arm_get(&blob).await;
    assert_eq!(r.status(), 200);
    assert!(serde_json::from_slice::<Value>(&r.bytes().await.unwrap()).is_err());

    fake.inject(FaultRule::new(Target::source("arm.blob_services"), Fault::CutJson).times(1));
    let r = api.arm_get(&blob).await;
    let bytes = r.bytes().await.unwrap();
    assert!(serde_json::from_slice::<Value>(&bytes).is_err());
    assert!(bytes.starts_with(b"{"));

    fake.inject(FaultRule::new(Target::source("arm.blob_services"), Fault::Truncated).times(1));
    let r = api.arm_get(&blob).await;
    assert_eq!(r.status(), 200);
    assert!(
        r.bytes().await.is_err(),
        "the body is cut short of its Content-Length"
    );

    // Repeating next link: page one points at itself.
    fake.inject(FaultRule::new(
        Target::source("arm.defender_pricings"),
        Fault::RepeatNextLink,
    ));
    let first = format!(
        "/subscriptions/{PROD}/providers/Microsoft.Security/pricings?api-version=2024-01-01"
    );
    let (_, p1) = api.arm_json(&first).await;
    let next = p1["nextLink"].as_str().unwrap();
    let (_, p2) = api.arm_json(next).await;
    assert_eq!(p2["nextLink"], next, "the same link forever");
    assert_eq!(p1["value"].as_array().unwrap().len(), 3);

    // Resource Graph repeats its $skipToken; Graph its @odata.nextLink.
    fake.inject(FaultRule::new(Target::kind(Kind::ResourceGraph), Fault::RepeatNextLink).times(2));
    let r = api.arg(json!({"query": "resources | project id"})).await;
    assert!(
        r.headers().contains_key("x-ms-user-quota-remaining"),
        "on faults too"
    );
    let body = r.json_value().await;
    let t = body["$skipToken"].as_str().unwrap().to_string();
    let again = api
        .arg(json!({"query": "resources | project id", "options": {"$skipToken": t}}))
        .await
        .json_value()
        .await;
    assert_eq!(again["$skipToken"], t.as_str());
    fake.inject(
        FaultRule::new(
            Target::source("graph.conditional_access_policies"),
            Fault::RepeatNextLink,
        )
        .times(1),
    );
    let (_, body) = api.graph_json("/identity/conditionalAccess/policies").await;
    assert!(body["@odata.nextLink"].is_string());

    // Token endpoint faults come back as Entra errors; Graph 429 carries Retry-After.
    fake.inject(FaultRule::new(Target::source("token"), Fault::ServerError).times(1));
    let o = fake.options();
    let scope = format!("{}/.default", fake.arm_url());
    let (s, body) = token_response(
        fake,
        &api.c,
        &[
            ("client_id", &o.client_id),
            ("client_secret", &o.client_secret),
            ("grant_type", "client_credentials"),
            ("scope", &scope),
        ],
    )
    .await;
    assert_eq!((s, body["error_codes"].clone()), (500, json!([90033])));
    fake.inject(FaultRule::new(Target::kind(Kind::Graph), Fault::throttle_secs(3)).times(1));
    let r = api
        .c
        .get(format!("{}/v1.0/users", fake.graph_url()))
        .bearer_auth(&api.graph_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "3");

    // Resource Graph's quota headers come with an injected 403 too.
    fake.inject(FaultRule::new(Target::kind(Kind::ResourceGraph), Fault::Forbidden).times(1));
    let r = api.arg(json!({"query": "resources | count"})).await;
    assert_eq!(r.status(), 403);
    assert!(r.headers().contains_key("x-ms-user-quota-remaining"));
    assert!(r.headers().contains_key("x-ms-user-quota-resets-after"));

    let c = fake.counters();
    assert_eq!(c.throttled, 3);
    assert_eq!(c.quota_throttled, 0);
    assert_eq!(c.faults, 17);
    assert_eq!(
        fake.faults_fired(),
        [1, 1, 2, 1, 1, 1, 1, 1, 2, 2, 1, 1, 1, 1]
    );
}

fn arm_id_of(inv: &soc2_evidence::model::Inventory, name: &str) -> String {
    inv.resources
        .iter()
        .find(|r| r.name == name)
        .map(|r| r.id.clone())
        .unwrap()
}

#[test]
fn inventory_round_trips_through_the_fake_tenant_model() {
    let inv = demo::inventory(DemoState::Baseline);
    let t = FakeTenant::from_inventory(&inv);
    assert_eq!(t.subscriptions.len(), 3);
    assert_eq!(t.row_count(), inv.resources.len());
    let in_resources_table = inv
        .resources
        .iter()
        .filter(|r| support::fake_azure::table_for(&r.r#type) == "resources")
        .count();
    assert_eq!(t.tables["resources"].len(), in_resources_table);
    assert_eq!(t.missing, Missing::Forbidden);
    assert!(t.graph["graph.users"].is_some() && inv.identity.users.is_some());
    assert_eq!(
        t.events.as_ref().map(Vec::len),
        inv.changes.as_ref().map(Vec::len)
    );
    let (r, rest) = t
        .resource_for_path(&format!(
            "{}/blobServices/default",
            storage_id("stprodorders")
        ))
        .unwrap();
    assert_eq!(
        (r.r#type.as_str(), rest.as_str()),
        ("microsoft.storage/storageaccounts", "blobservices/default")
    );
}

#[test]
fn synthetic_tenants_are_deterministic_per_seed() {
    let spec = Synthetic {
        subscriptions: 4,
        resources: 250,
        seed: 42,
        users: 10,
        events_per_subscription: 3,
    };
    let a = FakeTenant::synthetic(&spec);
    let b = FakeTenant::synthetic(&spec);
    assert_eq!(a.subscriptions, b.subscriptions);
    assert_eq!(a.tables, b.tables);
    assert_eq!(a.row_count(), 250);
    assert_eq!(a.subscriptions.len(), 4);
    assert_eq!(a.events.as_ref().unwrap().len(), 12);
    let c = FakeTenant::synthetic(&Synthetic { seed: 43, ..spec });
    assert_ne!(a.tables, c.tables);
}

#[tokio::test]
async fn latency_and_plain_http() {
    let opts = FakeOptions {
        latency: Duration::from_millis(60),
        plain_http: true,
        ..FakeOptions::default()
    };
    let api = Api::new(demo_tenant(), opts).await;
    let http = api.fake.arm_http_url().unwrap();
    assert!(http.starts_with("http://127.0.0.1:"));
    let start = Instant::now();
    let r = api
        .c
        .get(format!("{http}/subscriptions?api-version=2022-12-01"))
        .bearer_auth(&api.arm_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(start.elapsed() >= Duration::from_millis(60));
}

#[tokio::test]
async fn endless_pages_drip_slowly_with_links_never_seen_before() {
    let opts = FakeOptions {
        arm_page_size: Some(3),
        graph_page_size: 2,
        ..FakeOptions::default()
    };
    let api = Api::new(demo_tenant(), opts).await;
    let delay = Duration::from_millis(80);
    for source in ["arm.defender_pricings", "graph.conditional_access_policies"] {
        api.fake.inject(FaultRule::new(
            Target::source(source),
            Fault::EndlessPages { delay },
        ));
    }
    let mut seen = std::collections::HashSet::new();
    let mut next = format!(
        "/subscriptions/{PROD}/providers/Microsoft.Security/pricings?api-version=2024-01-01"
    );
    for _ in 0..4 {
        let start = Instant::now();
        let (s, body) = api.arm_json(&next).await;
        assert!(start.elapsed() >= delay);
        assert_eq!(s, 200, "{body}");
        assert_eq!(
            body["value"].as_array().unwrap().len(),
            3,
            "the first page, again"
        );
        next = body["nextLink"].as_str().unwrap().to_string();
        assert!(seen.insert(next.clone()), "a link seen before: {next}");
    }
    let mut next = format!(
        "{}/v1.0/identity/conditionalAccess/policies",
        api.fake.graph_url()
    );
    for _ in 0..3 {
        let (s, body) = api.graph_json(&next).await;
        assert_eq!(s, 200, "{body}");
        next = body["@odata.nextLink"].as_str().unwrap().to_string();
        assert!(seen.insert(next.clone()), "a link seen before: {next}");
    }
    assert_eq!(api.fake.faults_fired(), [4, 3]);
}
