//! Releases and their assets: find a release by tag (drafts included), create it as a draft,
//! upload what is missing, refuse to replace an asset whose bytes differ, then publish.
//!
//! An existing asset is compared by sha256: GitHub's `digest` field (`sha256:<hex>`) when the
//! server sends it, else by downloading the asset's bytes. An asset left half-uploaded (state
//! other than `uploaded`) is deleted and uploaded again. The release stays a draft until every
//! asset is in place, so a release is never published half-done, and repositories with
//! immutable releases accept the uploads.

use serde::Deserialize;
use serde_json::json;

use super::{Forge, ForgeError, encode_component};
use crate::digest::sha256_hex;

const MAX_PAGES: u32 = 10;

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Release {
    pub id: u64,
    pub tag_name: String,
    pub html_url: String,
    pub upload_url: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub body: Option<String>,
    pub draft: bool,
    #[serde(default)]
    pub assets: Vec<Asset>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Asset {
    pub id: u64,
    pub name: String,
    pub size: u64,
    pub state: String,
    /// `sha256:<hex>` on servers that compute it.
    #[serde(default)]
    pub digest: Option<String>,
}

/// One asset the release must carry.
#[derive(Debug, Clone)]
pub struct AssetSpec {
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssetOutcome {
    Uploaded(String),
    /// Already there with the same bytes.
    Present(String),
}

impl Forge {
    /// The release for `tag`, drafts included (GitHub's by-tag endpoint omits drafts).
    pub async fn find_release(&self, tag: &str) -> Result<Option<Release>, ForgeError> {
        for page in 1..=MAX_PAGES {
            let batch: Vec<Release> = self
                .client
                .get(
                    "list releases",
                    &self.route("/releases"),
                    &[("per_page", "100".into()), ("page", page.to_string())],
                )
                .await?;
            let n = batch.len();
            if let Some(r) = batch.into_iter().find(|r| r.tag_name == tag) {
                return Ok(Some(r));
            }
            if n < 100 {
                break;
            }
        }
        Ok(None)
    }

    /// Creates a draft release for an existing tag.
    pub async fn create_draft_release(
        &self,
        tag: &str,
        target: &str,
        name: &str,
        body: &str,
    ) -> Result<Release, ForgeError> {
        self.client
            .post(
                &format!("create the release for tag {tag}"),
                &self.route("/releases"),
                &json!({
                    "tag_name": tag,
                    "target_commitish": target,
                    "name": name,
                    "body": body,
                    "draft": true,
                    "prerelease": false,
                }),
            )
            .await
    }

    pub async fn publish_release(&self, release: &Release) -> Result<Release, ForgeError> {
        self.client
            .patch(
                &format!("publish the release for tag {}", release.tag_name),
                &self.route(&format!("/releases/{}", release.id)),
                &json!({ "draft": false }),
            )
            .await
    }

    pub async fn list_assets(&self, release: &Release) -> Result<Vec<Asset>, ForgeError> {
        let mut all = Vec::new();
        for page in 1..=MAX_PAGES {
            let batch: Vec<Asset> = self
                .client
                .get(
                    &format!("list the assets of release {}", release.tag_name),
                    &self.route(&format!("/releases/{}/assets", release.id)),
                    &[("per_page", "100".into()), ("page", page.to_string())],
                )
                .await?;
            let n = batch.len();
            all.extend(batch);
            if n < 100 {
                break;
            }
        }
        Ok(all)
    }

    /// The bytes of an asset.
    pub async fn download_asset(&self, asset: &Asset) -> Result<Vec<u8>, ForgeError> {
        self.client
            .download(
                &format!("download release asset {}", asset.name),
                &self.route(&format!("/releases/assets/{}", asset.id)),
            )
            .await
    }

    /// Uploads one asset; the name is percent-encoded in the URL.
    pub async fn upload_asset(
        &self,
        release: &Release,
        spec: &AssetSpec,
    ) -> Result<Asset, ForgeError> {
        // upload_url is a URI template: `https://uploads.github.com/…/assets{?name,label}`.
        let base = release
            .upload_url
            .split('{')
            .next()
            .unwrap_or_default()
            .to_string();
        let url = format!("{base}?name={}", encode_component(&spec.name));
        self.client
            .upload(
                &format!("upload release asset {}", spec.name),
                &url,
                &spec.content_type,
                spec.bytes.clone(),
            )
            .await
    }

    async fn delete_asset(&self, asset: &Asset) -> Result<(), ForgeError> {
        self.client
            .delete(
                &format!("delete the incomplete release asset {}", asset.name),
                &self.route(&format!("/releases/assets/{}", asset.id)),
            )
            .await
    }

    /// Makes the release carry exactly these bytes under these names: uploads what is missing,
    /// replaces an incomplete upload, and refuses (before uploading anything) when an asset of
    /// the same name holds other bytes.
    pub async fn ensure_assets(
        &self,
        release: &Release,
        specs: &[AssetSpec],
    ) -> Result<Vec<AssetOutcome>, ForgeError> {
        let existing = self.list_assets(release).await?;
        let mut todo = Vec::new();
        let mut outcomes = Vec::new();
        // Check everything first, so a refusal leaves nothing changed.
        for spec in specs {
            let want = sha256_hex(&spec.bytes);
            match existing.iter().find(|a| a.name == spec.name) {
                Some(a) if a.state != "uploaded" => todo.push((spec, Some(a.clone()))),
                Some(a) => {
                    let have = match a.digest.as_deref().and_then(|d| d.strip_prefix("sha256:")) {
                        Some(d) if a.size == spec.bytes.len() as u64 => d.to_ascii_lowercase(),
                        Some(_) => String::new(),
                        None => sha256_hex(&self.download_asset(a).await?),
                    };
                    if have != want {
                        return Err(ForgeError::other(
                            &format!("complete release {}", release.tag_name),
                            format!(
                                "asset {} already exists with other bytes (size {}, sha256 {}; \
                                 this build: size {}, sha256 {want}); refusing to replace a \
                                 published audit artifact — investigate, or delete the asset by \
                                 hand if it is known to be wrong",
                                a.name,
                                a.size,
                                if have.is_empty() { "different" } else { &have },
                                spec.bytes.len()
                            ),
                        ));
                    }
                    outcomes.push(AssetOutcome::Present(spec.name.clone()));
                }
                None => todo.push((spec, None)),
            }
        }
        for (spec, stale) in todo {
            if let Some(a) = stale {
                self.delete_asset(&a).await?;
            }
            let a = self.upload_asset(release, spec).await?;
            if a.name != spec.name {
                return Err(ForgeError::other(
                    &format!("upload release asset {}", spec.name),
                    format!("GitHub stored it as {:?}", a.name),
                ));
            }
            outcomes.push(AssetOutcome::Uploaded(spec.name.clone()));
        }
        Ok(outcomes)
    }
}
