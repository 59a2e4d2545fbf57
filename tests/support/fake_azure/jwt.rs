//! JWTs the fake mints (access tokens, GitHub OIDC tokens) and reads (client assertions).
//! Access tokens carry a digest the fake can check, so a token it did not issue is refused.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

pub(crate) fn mint(key: &[u8], claims: &Value) -> String {
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": "fake-azure"});
    let head = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header).unwrap());
    let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap());
    let signed = format!("{head}.{body}");
    let sig = URL_SAFE_NO_PAD.encode(digest(key, signed.as_bytes()));
    format!("{signed}.{sig}")
}

fn digest(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(key);
    h.update(data);
    h.finalize().to_vec()
}

/// The claims of a well-formed JWT (three base64url parts, JSON header and payload).
pub(crate) fn claims(token: &str) -> Option<Value> {
    let mut parts = token.split('.');
    let (head, body, sig) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || sig.is_empty() {
        return None;
    }
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(head).ok()?).ok()?;
    header.get("alg")?;
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(body).ok()?).ok()?;
    claims.is_object().then_some(claims)
}

/// The claims of a token this fake minted with `key`, or `None`.
pub(crate) fn verify(key: &[u8], token: &str) -> Option<Value> {
    let (signed, sig) = token.rsplit_once('.')?;
    let expected = URL_SAFE_NO_PAD.encode(digest(key, signed.as_bytes()));
    if expected != sig {
        return None;
    }
    claims(token)
}

/// Whether an `aud` claim (string or array) contains `want`.
pub(crate) fn has_audience(claims: &Value, want: &str) -> bool {
    match claims.get("aud") {
        Some(Value::String(s)) => s == want,
        Some(Value::Array(a)) => a.iter().any(|v| v.as_str() == Some(want)),
        _ => false,
    }
}
