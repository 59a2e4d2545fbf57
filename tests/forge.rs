//! The forge against the loopback fake GitHub, through the library: asset names are
//! percent-encoded, existing assets are compared by digest or by their downloaded bytes, and
//! every request carries the headers GitHub expects.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "integration tests and their helpers: a panic is a failed test with its message"
)]

#[path = "support/fake_github.rs"]
mod fake_github;

use std::time::Duration;

use fake_github::{FakeGithub, OWNER, REPO, TOKEN};
use secrecy::SecretString;
use soc2_evidence::forge::{AssetOutcome, AssetSpec, ClientConfig, Forge};

fn forge(gh: &FakeGithub, rt: &tokio::runtime::Runtime) -> Forge {
    let _g = rt.enter();
    Forge::new(
        &ClientConfig {
            api_url: gh.url.clone(),
            token: SecretString::from(TOKEN),
            max_wait: Duration::from_secs(5),
        },
        OWNER,
        REPO,
    )
    .unwrap()
}

fn spec(name: &str, bytes: &[u8]) -> AssetSpec {
    AssetSpec {
        name: name.into(),
        content_type: "application/octet-stream".into(),
        bytes: bytes.to_vec(),
    }
}

#[test]
fn asset_names_are_encoded_and_existing_bytes_are_compared() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for no_digest in [false, true] {
        let gh = FakeGithub::start(None);
        gh.lock().no_digest = no_digest;
        let f = forge(&gh, &rt);
        rt.block_on(async {
            let r = f
                .create_draft_release("v1+audit", "main", "v1", "notes")
                .await
                .unwrap();
            let odd = "report v1+audit #1.pdf";
            let out = f
                .ensure_assets(&r, &[spec(odd, b"pdf"), spec("SHA256SUMS", b"sums")])
                .await
                .unwrap();
            assert_eq!(
                out,
                [
                    AssetOutcome::Uploaded(odd.into()),
                    AssetOutcome::Uploaded("SHA256SUMS".into())
                ]
            );
            let names: Vec<String> = f
                .list_assets(&r)
                .await
                .unwrap()
                .into_iter()
                .map(|a| a.name)
                .collect();
            assert_eq!(names, [odd, "SHA256SUMS"]);

            // Same bytes: nothing uploaded again (digest, or download when there is none).
            let out = f.ensure_assets(&r, &[spec(odd, b"pdf")]).await.unwrap();
            assert_eq!(out, [AssetOutcome::Present(odd.into())]);

            // Other bytes of the same size: refused, nothing changed.
            let e = f
                .ensure_assets(&r, &[spec(odd, b"PDF")])
                .await
                .unwrap_err()
                .to_string();
            assert!(e.contains("refusing to replace"), "{e}");

            let r = f.publish_release(&r).await.unwrap();
            assert!(!r.draft);
            assert_eq!(f.find_release("v1+audit").await.unwrap().unwrap().id, r.id);
            assert!(f.find_release("v2").await.unwrap().is_none());
        });
        let g = gh.lock();
        assert!(g.violations.is_empty(), "{:#?}", g.violations);
        let downloads = g
            .log
            .iter()
            .filter(|l| l.path.starts_with("/download/"))
            .count();
        assert_eq!(downloads > 0, no_digest, "{:#?}", g.log);
    }
}

#[test]
fn wrong_token_is_reported_as_unauthorized() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let gh = FakeGithub::start(None);
    let _g = rt.enter();
    let f = Forge::new(
        &ClientConfig {
            api_url: gh.url.clone(),
            token: SecretString::from("wrong"),
            max_wait: Duration::from_secs(1),
        },
        OWNER,
        REPO,
    )
    .unwrap();
    let e = rt.block_on(f.repository()).unwrap_err();
    assert_eq!(e.kind, soc2_evidence::forge::ErrorKind::Unauthorized);
    assert!(e.to_string().contains("401"), "{e}");
    assert!(!e.to_string().contains("wrong"), "{e}");
}
