//! Secrets never reach the evidence: twelve kinds of secret are planted in the payloads the
//! fake Azure serves (Resource Graph rows, ARM children, Microsoft Graph objects); the real
//! binary collects them with debug logs on and the evidence is committed; neither
//! `inventory.json`, nor any evidence file, nor stdout/stderr contains any of them, nor an
//! access token or the client secret. The fields themselves stay, with `[redacted]` values.

mod common;
mod support;

use serde_json::{Value, json};
use soc2_evidence::collect::demo::{self, DemoState};
use soc2_evidence::model::Resource;
use support::fake_azure::{FakeAzure, FakeOptions, FakeTenant};

const JWT: &str =
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJwbGFudGVkLWp3dCJ9.cGxhbnRlZC1zaWduYXR1cmUtMTA";

/// (kind, the secret text that must never appear).
const SECRETS: [(&str, &str); 12] = [
    (
        "storage account key in a connection string",
        "c3RvcmFnZS1rZXktcGxhbnRlZC0x",
    ),
    ("Cosmos DB master key", "cosmos-master-key-planted-2"),
    ("Redis access key", "redis-access-key-planted-3"),
    (
        "Service Bus connection string",
        "servicebus-sas-key-planted-4",
    ),
    ("SAS token signature", "sas-signature-planted-5"),
    ("SQL administrator password", "P@ssw0rd-planted-6"),
    ("app setting value", "app-setting-value-planted-7"),
    ("private key", "MIIEvQIBADANBgkqhkiG9w0planted8"),
    ("client secret text", "client-secret-text-planted-9"),
    ("Key Vault secret value", "key-vault-secret-planted-10"),
    ("JWT", "cGxhbnRlZC1zaWduYXR1cmUtMTA"),
    ("VM custom data", "Y3VzdG9tLWRhdGEtcGxhbnRlZC0xMg"),
];

fn secret(i: usize) -> &'static str {
    SECRETS[i].1
}

fn web_app(sub: &str) -> Resource {
    serde_json::from_value(json!({
        "id": format!("/subscriptions/{sub}/resourceGroups/rg-prod/providers/Microsoft.Web/sites/app-payments"),
        "type": "microsoft.web/sites",
        "name": "app-payments",
        "location": "westeurope",
        "subscription_id": sub,
        "resource_group": "rg-prod",
        "properties": {
            "httpsOnly": true,
            "siteConfig": {"appSettings": [{"name": "FEATURE_FLAG", "value": secret(6)}]}
        },
        "children": {
            "config/web": {
                "id": format!("/subscriptions/{sub}/resourceGroups/rg-prod/providers/Microsoft.Web/sites/app-payments/config/web"),
                "name": "web",
                "properties": {
                    "minTlsVersion": "1.2",
                    "appSettings": [{"name": "DB_HOST", "value": secret(6)}],
                    "connectionStrings": [{
                        "name": "bus",
                        "connectionString": format!("Endpoint=sb://bus.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey={}", secret(3)),
                        "type": "ServiceBus"
                    }]
                }
            }
        }
    }))
    .unwrap()
}

fn vm(sub: &str) -> Resource {
    serde_json::from_value(json!({
        "id": format!("/subscriptions/{sub}/resourceGroups/rg-prod/providers/Microsoft.Compute/virtualMachines/vm-batch"),
        "type": "microsoft.compute/virtualmachines",
        "name": "vm-batch",
        "location": "westeurope",
        "subscription_id": sub,
        "resource_group": "rg-prod",
        "properties": {
            "osProfile": {
                "computerName": "vm-batch",
                "adminUsername": "azureuser",
                "customData": secret(11),
                "linuxConfiguration": {"disablePasswordAuthentication": true}
            },
            "userData": secret(11),
            "extensionNote": format!("bootstrap called with Authorization: Bearer {JWT}")
        }
    }))
    .unwrap()
}

/// The demo tenant with every kind of secret planted in what the fake serves.
fn planted_tenant() -> FakeTenant {
    let inv = demo::inventory(DemoState::Baseline);
    let prod = inv.subscriptions[0].id.clone();
    let mut t = FakeTenant::from_inventory(&inv);
    let storage = inv
        .resources
        .iter()
        .find(|r| r.name == "stprodorders")
        .unwrap()
        .id
        .clone();
    let sql = inv
        .resources
        .iter()
        .find(|r| r.r#type == "microsoft.sql/servers")
        .unwrap()
        .id
        .clone();
    let vault = inv
        .resources
        .iter()
        .find(|r| r.r#type == "microsoft.keyvault/vaults")
        .unwrap()
        .id
        .clone();

    let row = t.row_mut(&storage).unwrap();
    row["tags"]["backup-conn"] = json!(format!(
        "DefaultEndpointsProtocol=https;AccountName=stprodorders;AccountKey={};EndpointSuffix=core.windows.net",
        secret(0)
    ));
    row["properties"]["exportUrl"] = json!(format!(
        "https://stprodorders.blob.core.windows.net/exports/x.csv?sv=2024-05-04&sr=b&sp=r&sig={}",
        secret(4)
    ));
    row["properties"]["primaryMasterKey"] = json!(secret(1));
    row["properties"]["accessKeys"] = json!({"primaryKey": secret(2), "secondaryKey": secret(2)});

    let row = t.row_mut(&sql).unwrap();
    row["properties"]["administratorLoginPassword"] = json!(secret(5));

    let row = t.row_mut(&vault).unwrap();
    row["properties"]["lastSecret"] = json!({
        "id": "https://kv-prod-payments.vault.azure.net/secrets/db-password/4f2a",
        "value": secret(9),
        "attributes": {"enabled": true}
    });
    row["properties"]["description"] = json!(format!("rotation token {JWT}"));

    t.add_resource(&web_app(&prod));
    t.add_resource(&vm(&prod));

    t.graph.insert(
        "graph.applications".into(),
        Some(json!([{
            "id": "a1", "appId": "b2", "displayName": "payments-ci",
            "passwordCredentials": [{
                "keyId": "k1", "displayName": "ci", "endDateTime": "2027-01-01T00:00:00Z",
                "hint": "cli", "secretText": secret(8)
            }],
            "keyCredentials": [{
                "keyId": "k2", "type": "AsymmetricX509Cert", "usage": "Verify",
                "key": format!("-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----", secret(7))
            }]
        }])),
    );
    t
}

fn assert_clean(what: &str, bytes: &[u8], also: &[String]) {
    let text = String::from_utf8_lossy(bytes);
    for (kind, s) in SECRETS {
        assert!(!text.contains(s), "{what} leaks a {kind}: {s}");
    }
    for s in also {
        assert!(!text.contains(s.as_str()), "{what} leaks a credential");
    }
}

#[test]
fn no_planted_secret_reaches_inventory_evidence_or_logs() {
    let fake = FakeAzure::start(planted_tenant(), FakeOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = common::bin();
    for n in FakeAzure::ENV_NAMES {
        cmd.env_remove(n);
    }
    let out = cmd
        .envs(fake.env())
        .env("RUST_LOG", "trace")
        .current_dir(dir.path())
        .args(["collect", "--out", "inventory.json"])
        .output()
        .unwrap();
    common::assert_code(&out, 0);
    let mut credentials = fake.issued_tokens();
    assert!(!credentials.is_empty());
    credentials.push(fake.options().client_secret);

    assert_clean("stdout", &out.stdout, &credentials);
    assert_clean("the logs", &out.stderr, &credentials);
    let inventory = std::fs::read(dir.path().join("inventory.json")).unwrap();
    assert_clean("inventory.json", &inventory, &credentials);

    // The fields are kept, with their values redacted.
    let inv: Value = serde_json::from_slice(&inventory).unwrap();
    let resource = |name: &str| {
        inv["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .unwrap_or_else(|| panic!("{name} collected"))
            .clone()
    };
    let sql = inv["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == "microsoft.sql/servers")
        .unwrap();
    assert_eq!(
        sql["properties"]["administratorLoginPassword"],
        "[redacted]"
    );
    let st = resource("stprodorders");
    assert_eq!(st["properties"]["primaryMasterKey"], "[redacted]");
    assert_eq!(st["tags"]["backup-conn"], "[redacted]");
    assert_eq!(
        st["properties"]["exportUrl"],
        "https://stprodorders.blob.core.windows.net/exports/x.csv?[redacted]"
    );
    let app = resource("app-payments");
    let web = &app["children"]["config/web"]["properties"];
    assert_eq!(web["appSettings"][0]["name"], "DB_HOST");
    assert_eq!(web["appSettings"][0]["value"], "[redacted]");
    assert_eq!(
        web["connectionStrings"][0]["connectionString"],
        "[redacted]"
    );
    assert_eq!(web["minTlsVersion"], "1.2");
    let vm = resource("vm-batch");
    assert_eq!(vm["properties"]["osProfile"]["customData"], "[redacted]");
    assert_eq!(vm["properties"]["osProfile"]["computerName"], "vm-batch");
    let apps = &inv["identity"]["applications"][0];
    assert_eq!(apps["passwordCredentials"][0]["secretText"], "[redacted]");
    assert_eq!(
        apps["passwordCredentials"][0]["endDateTime"],
        "2027-01-01T00:00:00Z"
    );

    // The evidence committed from it is clean too.
    let repo = dir.path().join("evidence-repo");
    let out = common::bin()
        .current_dir(dir.path())
        .args(["assess", "--inventory", "inventory.json", "--repo"])
        .arg(&repo)
        .output()
        .unwrap();
    common::assert_code(&out, 0);
    assert_clean("assess output", &out.stdout, &credentials);
    let store = soc2_evidence::store::EvidenceStore::open(&repo, "evidence").unwrap();
    let snapshot = store.read_snapshot("main").unwrap();
    assert!(snapshot.files.len() > 10);
    for (path, bytes) in &snapshot.files {
        assert_clean(path, bytes, &credentials);
    }
}
