//! Secrets never reach the evidence: sixteen kinds of secret planted in the fake Azure's
//! payloads (storage keys, connection strings, SAS URLs, SQL and VM passwords, app settings,
//! a private key, client secrets, bearer JWTs, VM user and custom data, Cosmos, Redis and Event
//! Hubs keys, a Key Vault secret value, a secret echoed in an error message), plus the
//! credentials of the run itself (client secret, access tokens, the GitHub OIDC request token and
//! assertion), are absent from `inventory.json`, from every blob of every commit of the
//! evidence repository, and from the binary's stdout and stderr with `RUST_LOG=debug`; the
//! field names stay, with the value `[redacted]`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "integration tests and their helpers: a panic is a failed test with its message"
)]

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};
use soc2_evidence::collect::AuthMethod;
use soc2_evidence::model::{Inventory, Resource};
use support::collector::{cli, env_for, fast_config, streams};
use support::fake_azure::{FakeAzure, FakeTenant, Fault, FaultRule, Target, event_data};
use support::scenario::{PROD, demo_with_changes, small_pages, tenant};

/// One planted secret: what it is, and the exact text that must never come out.
struct Planted {
    kind: &'static str,
    text: String,
}

fn secret(tag: &str) -> String {
    // Distinct, greppable, and shaped like key material.
    format!("Zq{tag}x7Vb9Kp2Lm4Nr6Tt8Ww0Yy3Hh5Jj1")
}

fn rg_id(rg: &str, ty: &str, name: &str) -> String {
    format!("/subscriptions/{PROD}/resourceGroups/{rg}/providers/{ty}/{name}")
}

fn resource(ty: &str, name: &str, properties: Value) -> Resource {
    Resource {
        id: rg_id("rg-prod", ty, name),
        r#type: ty.to_ascii_lowercase(),
        name: name.into(),
        location: Some("westeurope".into()),
        subscription_id: PROD.into(),
        resource_group: Some("rg-prod".into()),
        tags: BTreeMap::new(),
        sku: None,
        kind: None,
        zones: vec![],
        identity: None,
        properties,
        children: BTreeMap::new(),
    }
}

fn jwt(tag: &str) -> String {
    let head = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
    let body = URL_SAFE_NO_PAD.encode(format!(r#"{{"sub":"{tag}","aud":"api://deploy"}}"#));
    format!("{head}.{body}.{}", secret(tag))
}

/// The demo tenant with secrets planted where Azure (or a careless template) puts them.
fn planted() -> (Inventory, Vec<Planted>, FaultRule) {
    let mut inv = demo_with_changes();
    let mut planted = vec![];
    let mut plant = |kind: &'static str, text: String| {
        planted.push(Planted {
            kind,
            text: text.clone(),
        });
        text
    };

    // Storage: a listKeys item, a connection string in free text, a SAS URL in a tag, a PEM.
    let account = inv
        .resources
        .iter_mut()
        .find(|r| r.name == "stprodorders")
        .unwrap();
    let key = plant("storage account key", secret("StorageKey"));
    let conn_key = plant("storage connection string", secret("ConnKey"));
    let sig = plant("SAS signature", format!("{}%2BsAs%3D", secret("SasSig")));
    let pem = plant("private key PEM", secret("PemBody"));
    account.properties["keys"] = json!([{"keyName": "key1", "value": key, "permissions": "FULL"}]);
    account.properties["notes"] = json!(format!(
        "legacy jobs use DefaultEndpointsProtocol=https;AccountName=stprodorders;AccountKey={conn_key};EndpointSuffix=core.windows.net"
    ));
    account.tags.insert(
        "export-url".into(),
        format!(
            "https://stprodorders.blob.core.windows.net/exports?sv=2022-11-02&ss=b&srt=co&sp=rl&se=2027-01-01T00:00:00Z&sig={sig}"
        ),
    );
    account.properties["customerManagedKey"] = json!({
        "pem": format!("-----BEGIN PRIVATE KEY-----\nMIIEv{pem}\n-----END PRIVATE KEY-----\n")
    });

    // SQL administrator password.
    let sql = inv
        .resources
        .iter_mut()
        .find(|r| r.name == "sql-prod-orders")
        .unwrap();
    sql.properties["administratorLoginPassword"] =
        json!(plant("SQL admin password", secret("SqlAdminPw")));

    // Key Vault secret value.
    let kv = inv
        .resources
        .iter_mut()
        .find(|r| r.name == "kv-prod-tls")
        .unwrap();
    kv.properties["secrets"] = json!([{
        "id": format!("{}/secrets/db-password", kv.id),
        "name": "db-password",
        "value": plant("Key Vault secret value", secret("KvSecret"))
    }]);

    // A web app: app settings, a connection string, an auth client secret, a bearer JWT tag.
    let mut app = resource(
        "Microsoft.Web/sites",
        "app-prod-payments",
        json!({"httpsOnly": true, "state": "Running"}),
    );
    let bearer = plant("bearer JWT", jwt("DeployToken"));
    app.tags
        .insert("deploy-auth".into(), format!("Bearer {bearer}"));
    app.children.insert(
        "config/web".into(),
        json!({
            "name": "web",
            "properties": {
                "minTlsVersion": "1.2",
                "appSettings": [{"name": "PAYMENT_API_KEY", "value": plant("app setting value", secret("AppSetting"))}],
                "connectionStrings": [{
                    "name": "orders-db",
                    "connectionString": format!("Server=tcp:sql-prod-orders.database.windows.net;Database=orders;User ID=app;Password={};", plant("SQL connection string password", secret("ConnStrPw"))),
                    "type": "SQLAzure"
                }]
            }
        }),
    );
    app.children.insert(
        "config/authsettingsV2".into(),
        json!({
            "name": "authsettingsV2",
            "properties": {"identityProviders": {"azureActiveDirectory": {"registration": {
                "clientId": "8f2d1c3b-0000-4000-8000-000000000001",
                "clientSecret": plant("auth client secret", secret("AuthClientSecret"))
            }}}}
        }),
    );
    inv.resources.push(app);

    // A VM: admin password, custom data, user data.
    inv.resources.push(resource(
        "Microsoft.Compute/virtualMachines",
        "vm-prod-batch",
        json!({
            "osProfile": {
                "computerName": "batch01",
                "adminUsername": "azureuser",
                "adminPassword": plant("VM admin password", secret("VmAdminPw")),
                "customData": plant("VM customData", STANDARD.encode(format!("#!/bin/sh\nexport TOKEN={}\n", secret("CustomData"))))
            },
            "userData": plant("VM userData", STANDARD.encode(format!("#cloud-config\npassword: {}\n", secret("UserData"))))
        }),
    ));
    // Cosmos DB, Redis and Event Hubs keys.
    inv.resources.push(resource(
        "Microsoft.DocumentDB/databaseAccounts",
        "cosmos-prod",
        json!({
            "publicNetworkAccess": "Disabled",
            "primaryMasterKey": plant("Cosmos DB master key", secret("CosmosKey")),
            "primaryReadonlyMasterKey": plant("Cosmos DB read-only key", secret("CosmosRoKey"))
        }),
    ));
    inv.resources.push(resource(
        "Microsoft.Cache/Redis",
        "redis-prod",
        json!({
            "enableNonSslPort": false,
            "accessKeys": {
                "primaryKey": plant("Redis primary key", secret("RedisKey1")),
                "secondaryKey": plant("Redis secondary key", secret("RedisKey2"))
            }
        }),
    ));
    inv.resources.push(resource(
        "Microsoft.EventHub/namespaces",
        "evh-prod",
        json!({
            "minimumTlsVersion": "1.2",
            "primaryConnectionString": format!(
                "Endpoint=sb://evh-prod.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={}",
                plant("Event Hubs shared access key", secret("EvhKey"))
            )
        }),
    ));

    // Graph: an application's client secret text.
    inv.identity.applications = Some(vec![json!({
        "id": "3e1d2c4b-0000-4000-8000-000000000002",
        "appId": "5a6b7c8d-0000-4000-8000-000000000003",
        "displayName": "legacy-sync",
        "passwordCredentials": [{
            "keyId": "0f0e0d0c-0000-4000-8000-000000000004",
            "displayName": "ci",
            "hint": "Zq",
            "endDateTime": "2027-01-01T00:00:00Z",
            "secretText": plant("Graph client secret text", secret("GraphSecretText"))
        }],
        "keyCredentials": []
    })]);
    inv.normalise();

    // An error message that echoes a connection string (ends up in a gap reason).
    let echoed = plant("secret echoed in an error message", secret("EchoedKey"));
    let fault = FaultRule::new(
        Target::source("arm.blob_services"),
        Fault::Respond {
            status: 400,
            body: json!({"error": {
                "code": "InvalidRequest",
                "message": format!("The request used DefaultEndpointsProtocol=https;AccountName=stprodinvoices;AccountKey={echoed} which is not allowed")
            }})
            .to_string(),
        },
    )
    .scope("stprodinvoices");
    (inv, planted, fault)
}

/// Everything the fake tenant serves, as text (to prove the planted secrets are really served).
fn served_text(t: &FakeTenant) -> String {
    let children: Vec<&Option<Value>> = t
        .resources
        .values()
        .flat_map(|r| r.children.values())
        .collect();
    json!({"rows": t.tables, "children": children, "graph": t.graph, "events": t.events})
        .to_string()
}

fn serve_planted(inv: &Inventory, fault: FaultRule) -> (FakeAzure, String) {
    let mut t: FakeTenant = tenant(inv);
    // An Activity Log event whose claims and request carry a token the collector must not keep.
    let mut e = event_data(&t.tenant_id, &inv.changes.as_ref().unwrap()[0]);
    e["eventDataId"] = json!("e7e7e7e7-0000-4000-8000-000000000099");
    e["claims"]["x-ms-raw-token"] = json!(jwt("ActivityClaims"));
    e["httpRequest"]["uri"] = json!(format!(
        "https://x.blob.core.windows.net/c?sig={}",
        secret("ActivitySas")
    ));
    t.add_event(e);
    let served = served_text(&t) + &format!("{fault:?}");
    let fake = FakeAzure::start(t, small_pages());
    fake.inject(fault);
    (fake, served)
}

/// Every blob of every commit reachable from any ref of the repository at `path`.
fn repo_blobs(path: &Path) -> Vec<(String, Vec<u8>)> {
    let repo = git2::Repository::open(path).unwrap();
    let mut walk = repo.revwalk().unwrap();
    walk.push_glob("refs/*").unwrap();
    let mut out = vec![];
    for oid in walk {
        let commit = repo.find_commit(oid.unwrap()).unwrap();
        out.push((
            format!("commit {}", commit.id()),
            commit.message_bytes().to_vec(),
        ));
        let tree = commit.tree().unwrap();
        tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
            if let Ok(obj) = entry.to_object(&repo)
                && let Some(blob) = obj.as_blob()
            {
                out.push((
                    format!("{} {dir}{}", commit.id(), entry.name().unwrap_or("?")),
                    blob.content().to_vec(),
                ));
            }
            git2::TreeWalkResult::Ok
        })
        .unwrap();
    }
    assert!(!out.is_empty(), "the evidence repository has commits");
    out
}

fn leaks(where_: &str, bytes: &[u8], secrets: &[Planted]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    secrets
        .iter()
        .filter(|s| text.contains(&s.text))
        .map(|s| format!("{} in {where_}", s.kind))
        .collect()
}

fn run(method: AuthMethod) {
    let (inv, mut secrets, fault) = planted();
    let (fake, served) = serve_planted(&inv, fault);
    for extra in [jwt("ActivityClaims"), secret("ActivitySas")] {
        secrets.push(Planted {
            kind: "Activity Log request data",
            text: extra,
        });
    }
    // Control: every planted secret is in what the fake serves, verbatim.
    for s in &secrets {
        assert!(served.contains(&s.text), "{} is not served", s.kind);
    }
    assert!(secrets.len() >= 10, "at least ten kinds of secret");
    let dir = tempfile::tempdir().unwrap();
    let cfg = fast_config(dir.path());
    let cfg = cfg.to_str().unwrap();
    let mut env = env_for(&fake, method);
    env.push(("RUST_LOG".into(), "debug".into()));
    let collect = cli(
        &env,
        dir.path(),
        &["collect", "--config", cfg, "--out", "inventory.json"],
    );
    assert_eq!(collect.status.code(), Some(0), "{}", streams(&collect));
    let assess = cli(
        &[("RUST_LOG".to_string(), "debug".to_string())],
        dir.path(),
        &[
            "assess",
            "--inventory",
            "inventory.json",
            "--repo",
            "repo",
            "--config",
            cfg,
        ],
    );
    assert_eq!(assess.status.code(), Some(0), "{}", streams(&assess));

    // The credentials of the run are secrets too.
    let o = fake.options();
    match method {
        AuthMethod::ClientSecret => secrets.push(Planted {
            kind: "the client secret",
            text: o.client_secret.clone(),
        }),
        _ => secrets.push(Planted {
            kind: "the GitHub OIDC request token",
            text: o.oidc.request_token.clone(),
        }),
    }
    let tokens = fake.issued_tokens();
    assert!(tokens.len() >= 2, "tokens were issued");
    for t in tokens {
        secrets.push(Planted {
            kind: "an issued token",
            text: t,
        });
    }

    let inventory = std::fs::read(dir.path().join("inventory.json")).unwrap();
    let mut found = leaks("inventory.json", &inventory, &secrets);
    for (what, o) in [("collect", &collect), ("assess", &assess)] {
        found.extend(leaks(&format!("{what} stdout"), &o.stdout, &secrets));
        found.extend(leaks(&format!("{what} stderr"), &o.stderr, &secrets));
    }
    for (path, blob) in repo_blobs(&dir.path().join("repo")) {
        found.extend(leaks(&path, &blob, &secrets));
    }
    assert!(found.is_empty(), "secrets leaked:\n{}", found.join("\n"));
    assert!(
        String::from_utf8_lossy(&collect.stderr).contains("DEBUG"),
        "debug logs were on"
    );

    // The field names stay, with the value redacted.
    let text = String::from_utf8_lossy(&inventory);
    for name in [
        "\"keys\"",
        "\"keyName\"",
        "\"administratorLoginPassword\"",
        "\"appSettings\"",
        "\"PAYMENT_API_KEY\"",
        "\"connectionStrings\"",
        "\"clientSecret\"",
        "\"adminPassword\"",
        "\"customData\"",
        "\"userData\"",
        "\"primaryMasterKey\"",
        "\"accessKeys\"",
        "\"primaryConnectionString\"",
        "\"secretText\"",
        "\"export-url\"",
        "\"deploy-auth\"",
        "\"notes\"",
    ] {
        assert!(text.contains(name), "{name} is gone from inventory.json");
    }
    let inv: Inventory = serde_json::from_slice(&inventory).unwrap();
    let get = |name: &str| inv.resources.iter().find(|r| r.name == name).unwrap();
    assert_eq!(
        get("sql-prod-orders").properties["administratorLoginPassword"],
        "[redacted]"
    );
    assert_eq!(
        get("cosmos-prod").properties["primaryMasterKey"],
        "[redacted]"
    );
    assert_eq!(
        get("redis-prod").properties["accessKeys"]["primaryKey"],
        "[redacted]"
    );
    assert_eq!(get("vm-prod-batch").properties["userData"], "[redacted]");
    let web = &get("app-prod-payments").children["config/web"]["properties"];
    assert_eq!(web["appSettings"][0]["name"], "PAYMENT_API_KEY");
    assert_eq!(web["appSettings"][0]["value"], "[redacted]");
    assert!(
        get("stprodorders").tags["export-url"]
            .starts_with("https://stprodorders.blob.core.windows.net/exports?"),
        "the SAS URL keeps its address: {}",
        get("stprodorders").tags["export-url"]
    );
    // Not a secret, kept as is.
    assert_eq!(
        get("sql-prod-orders").properties["administratorLogin"],
        "sqladmin"
    );
    // The collector read every payload that carries a planted secret.
    let c = fake.counters();
    for source in [
        "resource_graph.resources",
        "arm.web_config",
        "arm.web_auth_settings",
        "graph.applications",
        "arm.activity_log",
        "arm.blob_services",
    ] {
        assert!(
            c.by_source.get(source).copied().unwrap_or(0) > 0,
            "{source} was not read"
        );
    }
    assert_eq!(
        fake.faults_fired(),
        [1],
        "the error echoing a key was served"
    );
    // The gap from the error that echoed a key is named, with the key redacted.
    let gap = inv
        .source("arm.blob_services")
        .unwrap()
        .gaps
        .iter()
        .find(|g| g.scope.ends_with("/stprodinvoices"))
        .expect("the 400 is a gap");
    assert!(gap.reason.contains("400"), "{}", gap.reason);
}

#[test]
fn no_secret_reaches_inventory_evidence_or_logs_with_a_client_secret() {
    run(AuthMethod::ClientSecret);
}

#[test]
fn no_secret_reaches_inventory_evidence_or_logs_with_github_oidc() {
    run(AuthMethod::Oidc);
}
