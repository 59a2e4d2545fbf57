//! Normalisation and redaction of collected payloads, applied to every object the collector
//! keeps (Resource Graph rows, ARM children and lists, Microsoft Graph objects) before it enters
//! the inventory. Pure: no I/O, no clock.
//!
//! - [`normalise`] strips fields that change without a configuration change (`etag`,
//!   `systemData`, `lastModified…`, `…Timestamp`, `@odata.context`), so diffs show real drift.
//!   `provisioningState` and `creationTime` are kept: they are stable and meaningful.
//! - [`redact`] replaces secret values with `"[redacted]"`, keeping the field name so the evidence
//!   still shows that the field exists: account keys, connection strings, SAS tokens, passwords,
//!   app settings values, private keys, client secrets, Key Vault secret values, bearer tokens
//!   and JWTs anywhere in a string, and VM `customData`/`userData`.
//! - [`redact_str`] applies the value rules to a free-text string (error messages, gap reasons).

use serde_json::Value;

/// What a redacted value is replaced with.
pub const REDACTED: &str = "[redacted]";

/// Strips volatile fields at every level of `v`.
pub fn normalise(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.retain(|k, _| !is_volatile_key(k));
            for child in map.values_mut() {
                normalise(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalise),
        _ => {}
    }
}

/// True for keys whose value changes without a configuration change.
fn is_volatile_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k == "etag"
        || k == "@odata.etag"
        || k == "@odata.context"
        || k == "systemdata"
        || k.starts_with("lastmodified")
        || k.ends_with("timestamp")
}

/// Replaces every secret in `v` with [`REDACTED`], keeping field names.
pub fn redact(v: &mut Value) {
    redact_in(v, Context::Plain);
}

/// Normalises, then redacts: what the collector applies to every kept payload.
pub fn clean(v: &mut Value) {
    normalise(v);
    redact(v);
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    Plain,
    /// Inside `appSettings` or `connectionStrings`: every string is a value someone configured,
    /// except the setting's name and type.
    Settings,
}

fn redact_in(v: &mut Value, ctx: Context) {
    match v {
        Value::Object(map) => {
            // A Key Vault secret bundle or a storage/Cosmos key list item carries its secret in a
            // generic `value` field, recognisable only by its siblings.
            let value_is_secret = map
                .get("id")
                .and_then(Value::as_str)
                .is_some_and(|id| id.to_ascii_lowercase().contains("/secrets/"))
                || map
                    .get("type")
                    .and_then(Value::as_str)
                    .is_some_and(|t| t.to_ascii_lowercase().ends_with("/secrets"))
                || map.contains_key("keyName")
                || map.contains_key("contentType") && map.contains_key("attributes");
            // An ARM secret resource keeps its value in `properties.value`.
            if value_is_secret
                && let Some(Value::Object(p)) = map.get_mut("properties")
                && let Some(v) = p.get_mut("value")
            {
                blank(v);
            }
            for (key, child) in map.iter_mut() {
                let lower = key.to_ascii_lowercase();
                if ctx == Context::Settings && !is_settings_label(&lower) {
                    blank_strings(child);
                } else if lower == "appsettings" || lower == "connectionstrings" {
                    redact_in(child, Context::Settings);
                } else if is_secret_key(&lower)
                    || (lower == "value" && value_is_secret)
                    || (is_secret_scalar_key(&lower) && child.is_string())
                {
                    blank(child);
                } else {
                    // `passwordCredentials` is credential metadata (dates, ids): recurse.
                    redact_in(child, ctx);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                if ctx == Context::Settings && item.is_string() {
                    blank(item);
                } else {
                    redact_in(item, ctx);
                }
            }
        }
        Value::String(s) => {
            if let Some(clean) = redact_text(s) {
                *s = clean;
            }
        }
        _ => {}
    }
}

/// Names of fields inside app settings and connection strings that are labels, not values.
fn is_settings_label(lower: &str) -> bool {
    matches!(lower, "name" | "type" | "slotsetting" | "@odata.type")
}

/// Keys whose whole value is a secret, whatever its type.
fn is_secret_key(lower: &str) -> bool {
    const EXACT: &[&str] = &[
        "secret",
        "secrettext",
        "clientsecret",
        "sharedsecret",
        "secretvalue",
        "accountkey",
        "accesskey",
        "storageaccountkey",
        "storageaccountaccesskey",
        "sharedaccesskey",
        "sharedkey",
        "sastoken",
        "saskey",
        "sasurl",
        "sharedaccesssignature",
        "privatekey",
        "pfxblob",
        "customdata",
        "userdata",
        "protectedsettings",
        "accesstoken",
        "refreshtoken",
        "idtoken",
        "bearertoken",
        "apikey",
        "masterkey",
    ];
    EXACT.contains(&lower)
        || (lower.ends_with("key")
            && (lower.starts_with("primary") || lower.starts_with("secondary")))
        || (lower.ends_with("connectionstring"))
}

/// Keys whose string value is a secret but whose containers hold metadata worth keeping.
/// A password is a key that *ends* in "password" (`adminPassword`,
/// `administratorLoginPassword`): settings about passwords (`passwordAuth`,
/// `disablePasswordAuthentication`) are configuration the checks read and are kept.
fn is_secret_scalar_key(lower: &str) -> bool {
    lower.ends_with("password")
        || lower.ends_with("passwords")
        || lower.contains("connectionstring")
}

fn blank(v: &mut Value) {
    if !v.is_null() {
        *v = Value::String(REDACTED.to_string());
    }
}

fn blank_strings(v: &mut Value) {
    match v {
        Value::String(_) => blank(v),
        Value::Array(items) => items.iter_mut().for_each(blank_strings),
        Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                if !is_settings_label(&k.to_ascii_lowercase()) {
                    blank_strings(child);
                }
            }
        }
        _ => {}
    }
}

/// Applies the value rules to free text: the redacted text, or `s` unchanged when it holds no
/// secret.
pub fn redact_str(s: &str) -> String {
    redact_text(s).unwrap_or_else(|| s.to_string())
}

/// The redacted form of `s`, or `None` when nothing in it is secret.
fn redact_text(s: &str) -> Option<String> {
    let lower = s.to_ascii_lowercase();
    // A private key, or a connection string with a key or password: nothing in it is safe.
    if (lower.contains("-----begin") && lower.contains("private key"))
        || [
            "accountkey=",
            "sharedaccesskey=",
            "sharedaccesssignature=",
            "password=",
            "pwd=",
        ]
        .iter()
        .any(|m| lower.contains(m))
    {
        return Some(REDACTED.to_string());
    }
    let mut out = s.to_string();
    let mut changed = false;
    if lower.contains("sig=") {
        out = strip_sas_queries(&out);
        changed = true;
    }
    if let Some(t) = redact_tokens(&out) {
        out = t;
        changed = true;
    }
    changed.then_some(out)
}

/// Drops the query string of every URL-ish word that carries a SAS signature (`sig=`).
fn strip_sas_queries(s: &str) -> String {
    s.split_inclusive(char::is_whitespace)
        .map(|word| {
            let trimmed = word.trim_end();
            let ws = &word[trimmed.len()..];
            if !trimmed.to_ascii_lowercase().contains("sig=") {
                return word.to_string();
            }
            match trimmed.find('?') {
                Some(q) => format!("{}?{REDACTED}{ws}", &trimmed[..q]),
                None => format!("{REDACTED}{ws}"),
            }
        })
        .collect()
}

fn is_b64url(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '='
}

/// Replaces JWTs (`eyJ…` header, three base64url parts) and the word after `Bearer ` with
/// [`REDACTED`].
fn redact_tokens(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut changed = false;
    let mut rest = s;
    loop {
        let jwt = find_jwt(rest);
        let bearer = find_bearer(rest);
        let next = match (jwt, bearer) {
            (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
            (a, b) => a.or(b),
        };
        let Some((start, end)) = next else {
            out.push_str(rest);
            break;
        };
        out.push_str(&rest[..start]);
        out.push_str(REDACTED);
        rest = &rest[end..];
        changed = true;
    }
    changed.then_some(out)
}

/// Byte range of the first JWT in `s`: `eyJ` + base64url, `.`, base64url, `.`, base64url.
fn find_jwt(s: &str) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(pos) = s[from..].find("eyJ") {
        let start = from + pos;
        let boundary = start == 0 || !is_b64url(s[..start].chars().next_back().unwrap_or(' '));
        if boundary {
            let mut parts = 0;
            let mut len_ok = true;
            let mut end = start;
            for part in s[start..].split('.') {
                let run: usize = part
                    .chars()
                    .take_while(|c| is_b64url(*c))
                    .map(char::len_utf8)
                    .sum();
                parts += 1;
                if parts <= 2 && run < 8 {
                    len_ok = false;
                }
                end += run;
                if run < part.len() || parts == 3 {
                    break;
                }
                end += 1; // the dot
            }
            if parts >= 3 && len_ok {
                return Some((start, end));
            }
        }
        from = start + 3;
    }
    None
}

/// Byte range of the credential after `Bearer ` (case-insensitive).
fn find_bearer(s: &str) -> Option<(usize, usize)> {
    let lower = s.to_ascii_lowercase();
    let mut from = 0;
    while let Some(pos) = lower[from..].find("bearer ") {
        let start = from + pos + "bearer ".len();
        let run: usize = s[start..]
            .chars()
            .take_while(|c| is_b64url(*c) || *c == '.' || *c == '~' || *c == '+' || *c == '/')
            .map(char::len_utf8)
            .sum();
        if run >= 8 {
            return Some((start, start + run));
        }
        from = start;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const JWT: &str = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0aWQiOiJ0In0.c2lnbmF0dXJlX2J5dGVz";

    fn cleaned(mut v: Value) -> Value {
        clean(&mut v);
        v
    }

    #[test]
    fn volatile_fields_are_stripped_and_stable_ones_kept() {
        let v = cleaned(json!({
            "id": "/subscriptions/s/x",
            "etag": "W/\"1\"",
            "systemData": {"createdBy": "a", "lastModifiedAt": "2026-01-01T00:00:00Z"},
            "properties": {
                "provisioningState": "Succeeded",
                "creationTime": "2020-01-01T00:00:00Z",
                "lastModifiedTimeUtc": "2026-01-01T00:00:00Z",
                "lastModifiedTime": "2026-01-01T00:00:00Z",
                "statusTimeStamp": "2026-01-01T00:00:00Z",
                "keyCreationTimestamp": "2026-01-01T00:00:00Z",
                "nested": [{"etag": "x", "keep": 1}]
            },
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#policies"
        }));
        assert_eq!(
            v,
            json!({
                "id": "/subscriptions/s/x",
                "properties": {
                    "provisioningState": "Succeeded",
                    "creationTime": "2020-01-01T00:00:00Z",
                    "nested": [{"keep": 1}]
                }
            })
        );
    }

    #[test]
    fn storage_cosmos_redis_and_messaging_keys() {
        let v = cleaned(json!({
            "keys": [{"keyName": "key1", "value": "c2VjcmV0MQ==", "permissions": "FULL"}],
            "primaryMasterKey": "cosmos-key", "secondaryReadonlyMasterKey": "cosmos-ro",
            "accessKeys": {"primaryKey": "redis1", "secondaryKey": "redis2"},
            "primaryConnectionString": "Endpoint=sb://x/;SharedAccessKeyName=r;SharedAccessKey=abc",
            "aliasSecondaryConnectionString": "Endpoint=sb://y/",
            "primaryKeyVaultUri": "https://kv.vault.azure.net"
        }));
        assert_eq!(v["keys"][0]["keyName"], "key1");
        assert_eq!(v["keys"][0]["value"], REDACTED);
        assert_eq!(v["keys"][0]["permissions"], "FULL");
        assert_eq!(v["primaryMasterKey"], REDACTED);
        assert_eq!(v["secondaryReadonlyMasterKey"], REDACTED);
        assert_eq!(v["accessKeys"]["primaryKey"], REDACTED);
        assert_eq!(v["accessKeys"]["secondaryKey"], REDACTED);
        assert_eq!(v["primaryConnectionString"], REDACTED);
        assert_eq!(v["aliasSecondaryConnectionString"], REDACTED);
        // Ends in `Uri`, not `Key`: a reference, not a secret.
        assert_eq!(v["primaryKeyVaultUri"], "https://kv.vault.azure.net");
    }

    #[test]
    fn sas_urls_lose_their_query() {
        let v = cleaned(json!({
            "blobUrl": "https://acct.blob.core.windows.net/c/b?sv=2024-01-01&sr=b&sig=abcDEF%2B123",
            "note": "see https://acct.blob.core.windows.net/c?sp=r&sig=zzz for the export",
            "plain": "https://acct.blob.core.windows.net/c?comp=list"
        }));
        assert_eq!(
            v["blobUrl"],
            "https://acct.blob.core.windows.net/c/b?[redacted]"
        );
        assert_eq!(
            v["note"],
            "see https://acct.blob.core.windows.net/c?[redacted] for the export"
        );
        assert_eq!(v["plain"], "https://acct.blob.core.windows.net/c?comp=list");
    }

    #[test]
    fn passwords_keep_their_metadata_siblings() {
        let v = cleaned(json!({
            "administratorLogin": "sqladmin",
            "administratorLoginPassword": "P@ssw0rd!",
            "osProfile": {"adminPassword": "x", "linuxConfiguration": {"disablePasswordAuthentication": true}},
            "passwordCredentials": [{"keyId": "k", "endDateTime": "2027-01-01T00:00:00Z", "secretText": "s3cr3t", "hint": "s3c"}],
            "passwordProfile": null,
            "authConfig": {"passwordAuth": "Disabled", "activeDirectoryAuth": "Enabled"}
        }));
        assert_eq!(v["administratorLogin"], "sqladmin");
        assert_eq!(v["administratorLoginPassword"], REDACTED);
        assert_eq!(v["osProfile"]["adminPassword"], REDACTED);
        assert_eq!(
            v["osProfile"]["linuxConfiguration"]["disablePasswordAuthentication"],
            true
        );
        assert_eq!(
            v["passwordCredentials"][0]["endDateTime"],
            "2027-01-01T00:00:00Z"
        );
        assert_eq!(v["passwordCredentials"][0]["secretText"], REDACTED);
        assert_eq!(v["passwordProfile"], Value::Null);
        // Settings about passwords are configuration, not secrets.
        assert_eq!(v["authConfig"]["passwordAuth"], "Disabled");
    }

    #[test]
    fn app_settings_and_connection_strings_keep_names_only() {
        let v = cleaned(json!({
            "properties": {
                "appSettings": [{"name": "DB_HOST", "value": "db.internal"}, {"name": "API", "value": "k"}],
                "connectionStrings": [{"name": "main", "connectionString": "Server=x;Password=y", "type": "SQLAzure"}],
                "minTlsVersion": "1.2"
            },
            "settingsMap": {"appSettings": {"FOO": "bar", "LIST": ["a", "b"]}}
        }));
        let p = &v["properties"];
        assert_eq!(p["appSettings"][0]["name"], "DB_HOST");
        assert_eq!(p["appSettings"][0]["value"], REDACTED);
        assert_eq!(p["appSettings"][1]["value"], REDACTED);
        assert_eq!(p["connectionStrings"][0]["name"], "main");
        assert_eq!(p["connectionStrings"][0]["type"], "SQLAzure");
        assert_eq!(p["connectionStrings"][0]["connectionString"], REDACTED);
        assert_eq!(p["minTlsVersion"], "1.2");
        assert_eq!(v["settingsMap"]["appSettings"]["FOO"], REDACTED);
        assert_eq!(
            v["settingsMap"]["appSettings"]["LIST"],
            json!([REDACTED, REDACTED])
        );
    }

    #[test]
    fn private_keys_anywhere() {
        let v = cleaned(json!({
            "certificate": {"pem": "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----"},
            "privateKey": {"kty": "RSA"},
            "publicCert": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"
        }));
        assert_eq!(v["certificate"]["pem"], REDACTED);
        assert_eq!(v["privateKey"], REDACTED);
        // A certificate is public.
        assert!(v["publicCert"].as_str().unwrap().contains("CERTIFICATE"));
    }

    #[test]
    fn client_secrets() {
        let v = cleaned(json!({"clientSecret": "abc", "secretText": "def", "secret": {"x": 1}}));
        assert_eq!(
            v,
            json!({"clientSecret": REDACTED, "secretText": REDACTED, "secret": REDACTED})
        );
    }

    #[test]
    fn key_vault_secret_values() {
        let v = cleaned(json!({
            "value": [
                {"id": "https://kv.vault.azure.net/secrets/db/1", "value": "hunter2", "attributes": {"enabled": true}},
                {"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.KeyVault/vaults/kv/secrets/api",
                 "type": "Microsoft.KeyVault/vaults/secrets", "properties": {"value": "x", "contentType": "text"}}
            ]
        }));
        assert_eq!(v["value"][0]["value"], REDACTED);
        assert_eq!(v["value"][0]["attributes"]["enabled"], true);
        assert_eq!(v["value"][1]["properties"]["value"], REDACTED);
        assert_eq!(v["value"][1]["properties"]["contentType"], "text");
        // A list body's `value` is the list itself, never blanked.
        assert!(v["value"].is_array());
    }

    #[test]
    fn jwts_and_bearer_tokens_in_any_string() {
        let v = cleaned(json!({
            "description": format!("token {JWT} leaked"),
            "header": "Authorization: Bearer abc.def-ghi_jkl",
            "version": "1.2.3",
            "id": "/subscriptions/s/providers/eyJnot.a.jwt"
        }));
        assert_eq!(v["description"], "token [redacted] leaked");
        assert_eq!(v["header"], "Authorization: Bearer [redacted]");
        assert_eq!(v["version"], "1.2.3");
        assert_eq!(v["id"], "/subscriptions/s/providers/eyJnot.a.jwt");
    }

    #[test]
    fn vm_custom_and_user_data() {
        let v = cleaned(json!({"properties": {
            "osProfile": {"customData": "IyEvYmluL3NoCmV4cG9ydCBQQVNTPXg=", "computerName": "vm1"},
            "userData": "c2VjcmV0"
        }}));
        assert_eq!(v["properties"]["osProfile"]["customData"], REDACTED);
        assert_eq!(v["properties"]["osProfile"]["computerName"], "vm1");
        assert_eq!(v["properties"]["userData"], REDACTED);
    }

    #[test]
    fn connection_string_values_under_innocent_names() {
        let v = cleaned(json!({"tags": {
            "conn": "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=bXlrZXk=;",
            "owner": "team-a"
        }}));
        assert_eq!(v["tags"]["conn"], REDACTED);
        assert_eq!(v["tags"]["owner"], "team-a");
    }

    #[test]
    fn free_text_is_redacted_too() {
        assert_eq!(redact_str(&format!("got {JWT}")), "got [redacted]");
        assert_eq!(
            redact_str("403 AuthorizationFailed"),
            "403 AuthorizationFailed"
        );
    }

    #[test]
    fn nulls_stay_null_and_redaction_is_idempotent() {
        let once = cleaned(json!({"secretText": null, "clientSecret": "x"}));
        assert_eq!(once["secretText"], Value::Null);
        assert_eq!(cleaned(once.clone()), once);
    }
}
