//! A loopback fake of the GitHub REST API, enough for the drift pull request and releases.
//!
//! It keeps state (pull requests, labels, comments, requested reviewers and teams, reviews,
//! releases, assets), checks what
//! GitHub checks — the bearer token, exactly one `Accept: application/vnd.github+json` (or
//! `application/octet-stream` for an asset's bytes), exactly one `X-GitHub-Api-Version:
//! 2022-11-28`, a `User-Agent`, JSON bodies with the fields each endpoint requires,
//! percent-encoded asset names, a head branch that exists in the (real, bare) git remote, no
//! second open pull request for the same head — and answers like GitHub when it does not.
//! Faults (401, 403, 404, 422, 5xx, secondary rate limits with `Retry-After`) can be injected
//! per method and path. Every request is logged so tests can assert "no edit".
#![allow(dead_code)]
// Handlers return a full `Response` as their error, like axum handlers do.
#![allow(clippy::result_large_err)]

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

pub const TOKEN: &str = "ghs_fake-token-for-tests";
pub const OWNER: &str = "contoso";
pub const REPO: &str = "evidence";

#[derive(Debug, Clone)]
pub struct Pr {
    pub number: u64,
    pub title: String,
    pub body: String,
    pub state: String,
    pub head: String,
    pub base: String,
    pub labels: Vec<String>,
    /// Logins whose review is requested (GitHub drops one once they review).
    pub reviewers: Vec<String>,
    /// Team slugs whose review is requested.
    pub team_reviewers: Vec<String>,
    pub reviews: Vec<Review>,
    pub comments: Vec<String>,
    pub merged: bool,
}

#[derive(Debug, Clone)]
pub struct Review {
    pub id: u64,
    pub login: String,
    /// `APPROVED`, `CHANGES_REQUESTED`, `COMMENTED`, `DISMISSED` or `PENDING`.
    pub state: String,
}

/// The login the token belongs to: the author of every pull request the bot opens (GitHub
/// refuses to request a review from a pull request's author).
pub const BOT_LOGIN: &str = "github-actions[bot]";

#[derive(Debug, Clone)]
pub struct Asset {
    pub id: u64,
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
    pub state: String,
}

#[derive(Debug, Clone)]
pub struct Release {
    pub id: u64,
    pub tag: String,
    pub target: String,
    pub name: String,
    pub body: String,
    pub draft: bool,
    pub assets: Vec<Asset>,
}

/// One logged request.
#[derive(Debug, Clone)]
pub struct Logged {
    pub method: String,
    pub path: String,
    pub query: String,
    pub status: u16,
    /// The request's JSON body, when it had one.
    pub json: Option<Value>,
}

/// A canned failure for requests matching `method` (any when `None`) and a path containing
/// `path`, served `times` times.
#[derive(Debug, Clone)]
pub struct Fault {
    pub method: Option<Method>,
    pub path: String,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Value,
    pub times: usize,
}

type Hook = Box<dyn FnOnce() + Send>;

#[derive(Default)]
pub struct Fake {
    pub url: String,
    /// The bare git remote, to check that pushed branches exist.
    pub remote: Option<PathBuf>,
    pub prs: Vec<Pr>,
    pub labels: BTreeSet<String>,
    pub releases: Vec<Release>,
    pub log: Vec<Logged>,
    pub faults: Vec<Fault>,
    /// Requests GitHub would have rejected, with why (the fake also rejects them).
    pub violations: Vec<String>,
    /// Report `digest` on assets (newer GitHub); off exercises the download comparison.
    pub no_digest: bool,
    /// The `permissions` object of `GET /repos/{o}/{r}` (GitHub sends it for user tokens, e.g.
    /// `{"admin": false, "push": false, "pull": true}`); `None` leaves it out, as for an
    /// installation token.
    pub repo_permissions: Option<Value>,
    next_id: u64,
    /// Runs once, inside the first request that lists pull requests (to move the remote
    /// while a run is between its fetch and its push).
    pub on_list_pulls: Option<Hook>,
}

pub struct FakeGithub {
    pub url: String,
    pub state: Arc<Mutex<Fake>>,
}

impl FakeGithub {
    /// Serves on a loopback port until the test process ends.
    pub fn start(remote: Option<PathBuf>) -> Self {
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        std_listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", std_listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(Fake {
            url: url.clone(),
            remote,
            next_id: 100,
            ..Fake::default()
        }));
        let app = Router::new().fallback(handle).with_state(state.clone());
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(std_listener).unwrap();
                axum::serve(listener, app).await.unwrap();
            });
        });
        Self { url, state }
    }

    pub fn lock(&self) -> std::sync::MutexGuard<'_, Fake> {
        self.state.lock().unwrap()
    }

    pub fn inject(&self, fault: Fault) {
        self.lock().faults.push(fault);
    }

    pub fn open_prs(&self) -> Vec<Pr> {
        self.lock()
            .prs
            .iter()
            .filter(|p| p.state == "open")
            .cloned()
            .collect()
    }

    /// Requests logged since `from` that change state (anything but GET).
    pub fn writes_since(&self, from: usize) -> Vec<Logged> {
        self.lock().log[from..]
            .iter()
            .filter(|l| l.method != "GET")
            .cloned()
            .collect()
    }

    pub fn log_len(&self) -> usize {
        self.lock().log.len()
    }

    /// `login` submits a review (`state` as GitHub names it): like GitHub, the login's review
    /// request is fulfilled, and so is `team`'s when the review was given for a team.
    pub fn submit_review(&self, number: u64, login: &str, state: &str, team: Option<&str>) {
        let mut s = self.lock();
        let id = s.id();
        let pr = s.prs.iter_mut().find(|p| p.number == number).unwrap();
        pr.reviews.push(Review {
            id,
            login: login.into(),
            state: state.into(),
        });
        if state != "PENDING" {
            pr.reviewers.retain(|r| !r.eq_ignore_ascii_case(login));
            if let Some(t) = team {
                pr.team_reviewers.retain(|r| !r.eq_ignore_ascii_case(t));
            }
        }
    }

    /// Edits a pull request as a person would in the web UI.
    pub fn edit_pr(&self, number: u64, edit: impl FnOnce(&mut Pr)) {
        let mut s = self.lock();
        edit(s.prs.iter_mut().find(|p| p.number == number).unwrap());
    }

    /// Closes a pull request without merging it.
    pub fn close(&self, number: u64) {
        self.edit_pr(number, |p| p.state = "closed".into());
    }

    /// Marks a pull request merged and closed (the test moves the git ref itself).
    pub fn merge(&self, number: u64) {
        let mut s = self.lock();
        let pr = s.prs.iter_mut().find(|p| p.number == number).unwrap();
        pr.state = "closed".into();
        pr.merged = true;
    }
}

fn error(status: StatusCode, message: &str) -> Response {
    (
        status,
        axum::Json(json!({
            "message": message,
            "documentation_url": "https://docs.github.com/rest",
        })),
    )
        .into_response()
}

fn validation(message: &str) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        axum::Json(json!({
            "message": "Validation Failed",
            "errors": [{ "resource": "PullRequest", "code": "custom", "message": message }],
            "documentation_url": "https://docs.github.com/rest",
        })),
    )
        .into_response()
}

fn single(headers: &HeaderMap, name: &str) -> Result<String, String> {
    let all: Vec<_> = headers.get_all(name).iter().collect();
    match all.as_slice() {
        [] => Err(format!("missing {name}")),
        [v] => Ok(v.to_str().unwrap_or_default().to_string()),
        many => Err(format!("{name} sent {} times", many.len())),
    }
}

async fn handle(State(state): State<Arc<Mutex<Fake>>>, req: Request) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or_default().to_string();
    let headers = req.headers().clone();
    let body = axum::body::to_bytes(req.into_body(), 64 << 20)
        .await
        .unwrap_or_default()
        .to_vec();
    // Hooks run outside the lock: they may do slow git work.
    let hook = {
        let mut s = state.lock().unwrap();
        if method == Method::GET && path.ends_with("/pulls") {
            s.on_list_pulls.take()
        } else {
            None
        }
    };
    if let Some(h) = hook {
        h();
    }
    let json = serde_json::from_slice(&body).ok();
    let mut s = state.lock().unwrap();
    let resp = s.respond(&method, &path, &query, &headers, body);
    let status = resp.status().as_u16();
    s.log.push(Logged {
        method: method.to_string(),
        path,
        query,
        status,
        json,
    });
    resp
}

fn query_param(query: &str, key: &str) -> Option<String> {
    query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == key).then(|| {
            percent_encoding::percent_decode_str(v)
                .decode_utf8_lossy()
                .into_owned()
        })
    })
}

impl Fake {
    fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    fn html(&self) -> String {
        format!("https://github.example/{OWNER}/{REPO}")
    }

    fn branch_exists(&self, branch: &str) -> Option<String> {
        let Some(remote) = &self.remote else {
            return Some("0".repeat(40));
        };
        let repo = git2::Repository::open_bare(remote).ok()?;
        let r = repo.find_reference(&format!("refs/heads/{branch}")).ok()?;
        r.target().map(|o| o.to_string())
    }

    fn pr_json(&self, p: &Pr) -> Value {
        let sha = self.branch_exists(&p.head).unwrap_or_default();
        json!({
            "number": p.number,
            "html_url": format!("{}/pull/{}", self.html(), p.number),
            "title": p.title,
            "body": p.body,
            "state": p.state,
            "merged": p.merged,
            "head": { "ref": p.head, "sha": sha, "repo": { "full_name": format!("{OWNER}/{REPO}") } },
            "base": { "ref": p.base },
            "user": user_json(BOT_LOGIN),
            "labels": p.labels.iter().map(|l| json!({ "name": l })).collect::<Vec<_>>(),
            "requested_reviewers": p.reviewers.iter().map(|l| user_json(l)).collect::<Vec<_>>(),
            "requested_teams": p.team_reviewers.iter().map(|t| json!({
                "id": team_id(t),
                "name": t,
                "slug": t,
                "privacy": "closed",
                "permission": "pull",
                "url": format!("{}/orgs/{OWNER}/teams/{t}", self.url),
            })).collect::<Vec<_>>(),
        })
    }

    fn asset_json(&self, release: u64, a: &Asset) -> Value {
        let mut v = json!({
            "id": a.id,
            "name": a.name,
            "size": a.bytes.len(),
            "state": a.state,
            "content_type": a.content_type,
            "url": format!("{}/repos/{OWNER}/{REPO}/releases/assets/{}", self.url, a.id),
            "browser_download_url": format!("{}/releases/download/{release}/{}", self.html(), a.name),
        });
        if !self.no_digest {
            v["digest"] = json!(format!("sha256:{}", hex::encode(Sha256::digest(&a.bytes))));
        }
        v
    }

    fn release_json(&self, r: &Release) -> Value {
        json!({
            "id": r.id,
            "tag_name": r.tag,
            "target_commitish": r.target,
            "name": r.name,
            "body": r.body,
            "draft": r.draft,
            "html_url": format!("{}/releases/tag/{}", self.html(), r.tag),
            "upload_url": format!("{}/uploads/repos/{OWNER}/{REPO}/releases/{}/assets{{?name,label}}", self.url, r.id),
            "assets": r.assets.iter().map(|a| self.asset_json(r.id, a)).collect::<Vec<_>>(),
        })
    }

    fn respond(
        &mut self,
        method: &Method,
        path: &str,
        query: &str,
        headers: &HeaderMap,
        body: Vec<u8>,
    ) -> Response {
        // Redirect target for asset bytes: another "host" in real GitHub, no auth needed.
        if let Some(id) = path.strip_prefix("/download/") {
            let id: u64 = id.parse().unwrap_or_default();
            return match self
                .releases
                .iter()
                .flat_map(|r| &r.assets)
                .find(|a| a.id == id)
            {
                Some(a) => (StatusCode::OK, a.bytes.clone()).into_response(),
                None => error(StatusCode::NOT_FOUND, "Not Found"),
            };
        }

        // What GitHub checks on every API request.
        match single(headers, "authorization") {
            Ok(v) if v == format!("Bearer {TOKEN}") => {}
            Ok(_) | Err(_) => return error(StatusCode::UNAUTHORIZED, "Bad credentials"),
        }
        let is_download = path.contains("/releases/assets/") && method == Method::GET;
        let accept_ok = match single(headers, "accept") {
            Ok(v) if v == "application/vnd.github+json" => true,
            Ok(v) if is_download && v == "application/octet-stream" => true,
            Ok(v) => {
                self.violations
                    .push(format!("{method} {path}: Accept {v:?}"));
                false
            }
            Err(e) => {
                self.violations.push(format!("{method} {path}: {e}"));
                false
            }
        };
        if !accept_ok {
            return error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Unsupported Accept header",
            );
        }
        match single(headers, "x-github-api-version") {
            Ok(v) if v == "2022-11-28" => {}
            Ok(v) => {
                self.violations
                    .push(format!("{method} {path}: API version {v:?}"));
                return error(StatusCode::BAD_REQUEST, "Invalid API version");
            }
            Err(e) => {
                self.violations.push(format!("{method} {path}: {e}"));
                return error(
                    StatusCode::BAD_REQUEST,
                    &format!("X-GitHub-Api-Version: {e}"),
                );
            }
        }
        if single(headers, "user-agent").is_err() {
            self.violations
                .push(format!("{method} {path}: no User-Agent"));
            return error(
                StatusCode::FORBIDDEN,
                "Request forbidden by administrative rules",
            );
        }

        // Injected faults.
        if let Some(i) = self.faults.iter().position(|f| {
            f.times > 0 && f.method.as_ref().is_none_or(|m| m == method) && path.contains(&f.path)
        }) {
            let f = &mut self.faults[i];
            f.times -= 1;
            let mut resp = (
                StatusCode::from_u16(f.status).unwrap(),
                axum::Json(f.body.clone()),
            )
                .into_response();
            for (k, v) in &f.headers {
                resp.headers_mut().insert(
                    header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                    v.parse().unwrap(),
                );
            }
            return resp;
        }

        let json_body = || -> Result<Value, Response> {
            if single(headers, "content-type").ok().as_deref() != Some("application/json") {
                return Err(error(
                    StatusCode::BAD_REQUEST,
                    "Content-Type must be application/json",
                ));
            }
            serde_json::from_slice(&body)
                .map_err(|_| error(StatusCode::BAD_REQUEST, "Problems parsing JSON"))
        };

        let prefix = format!("/repos/{OWNER}/{REPO}");
        let upload_prefix = format!("/uploads/repos/{OWNER}/{REPO}/releases/");
        if let Some(rest) = path.strip_prefix(&upload_prefix) {
            return self.upload(method, rest, query, headers, body);
        }
        let Some(rest) = path.strip_prefix(&prefix) else {
            return error(StatusCode::NOT_FOUND, "Not Found");
        };
        let segs: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
        match (method.clone(), segs.as_slice()) {
            (Method::GET, []) => {
                let mut repo = json!({
                    "full_name": format!("{OWNER}/{REPO}"),
                    "html_url": self.html(),
                    "default_branch": "main",
                });
                if let Some(p) = &self.repo_permissions {
                    repo["permissions"] = p.clone();
                }
                axum::Json(repo).into_response()
            }
            (Method::GET, ["pulls"]) => {
                let state = query_param(query, "state").unwrap_or_else(|| "open".into());
                let base = query_param(query, "base");
                let page: usize = query_param(query, "page")
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(1);
                let per: usize = query_param(query, "per_page")
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(30);
                let list: Vec<Value> = self
                    .prs
                    .iter()
                    .filter(|p| state == "all" || p.state == state)
                    .filter(|p| base.as_ref().is_none_or(|b| &p.base == b))
                    .skip((page - 1) * per)
                    .take(per)
                    .map(|p| self.pr_json(p))
                    .collect();
                axum::Json(list).into_response()
            }
            (Method::POST, ["pulls"]) => {
                let v = match json_body() {
                    Ok(v) => v,
                    Err(r) => return r,
                };
                let (Some(title), Some(head), Some(base)) =
                    (v["title"].as_str(), v["head"].as_str(), v["base"].as_str())
                else {
                    return validation("title, head and base are required");
                };
                if self.branch_exists(head).is_none() {
                    return validation(&format!("head: branch {head} does not exist"));
                }
                if self
                    .prs
                    .iter()
                    .any(|p| p.state == "open" && p.head == head && p.base == base)
                {
                    return validation(&format!(
                        "A pull request already exists for {OWNER}:{head}."
                    ));
                }
                let number = self.prs.len() as u64 + 1;
                let pr = Pr {
                    number,
                    title: title.into(),
                    body: v["body"].as_str().unwrap_or_default().into(),
                    state: "open".into(),
                    head: head.into(),
                    base: base.into(),
                    labels: vec![],
                    reviewers: vec![],
                    team_reviewers: vec![],
                    reviews: vec![],
                    comments: vec![],
                    merged: false,
                };
                let j = self.pr_json(&pr);
                self.prs.push(pr);
                (StatusCode::CREATED, axum::Json(j)).into_response()
            }
            (Method::PATCH, ["pulls", n]) => {
                let v = match json_body() {
                    Ok(v) => v,
                    Err(r) => return r,
                };
                let n: u64 = n.parse().unwrap_or_default();
                let Some(i) = self.prs.iter().position(|p| p.number == n) else {
                    return error(StatusCode::NOT_FOUND, "Not Found");
                };
                if let Some(t) = v["title"].as_str() {
                    self.prs[i].title = t.into();
                }
                if let Some(b) = v["body"].as_str() {
                    self.prs[i].body = b.into();
                }
                if let Some(st) = v["state"].as_str() {
                    if st != "open" && st != "closed" {
                        return validation("state must be open or closed");
                    }
                    self.prs[i].state = st.into();
                }
                let j = self.pr_json(&self.prs[i].clone());
                axum::Json(j).into_response()
            }
            (Method::GET, ["pulls", n]) => {
                let n: u64 = n.parse().unwrap_or_default();
                match self.prs.iter().find(|p| p.number == n) {
                    Some(p) => axum::Json(self.pr_json(p)).into_response(),
                    None => error(StatusCode::NOT_FOUND, "Not Found"),
                }
            }
            (Method::GET, ["pulls", n, "reviews"]) => {
                let n: u64 = n.parse().unwrap_or_default();
                let Some(p) = self.prs.iter().find(|p| p.number == n) else {
                    return error(StatusCode::NOT_FOUND, "Not Found");
                };
                let page: usize = query_param(query, "page")
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(1);
                let per: usize = query_param(query, "per_page")
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(30);
                // A pending review is visible to its author only, never to the bot.
                let list: Vec<Value> = p
                    .reviews
                    .iter()
                    .filter(|r| r.state != "PENDING")
                    .skip((page - 1) * per)
                    .take(per)
                    .map(|r| {
                        json!({
                            "id": r.id,
                            "user": user_json(&r.login),
                            "body": "",
                            "state": r.state,
                            "submitted_at": "2026-01-01T00:00:00Z",
                            "commit_id": "0".repeat(40),
                        })
                    })
                    .collect();
                axum::Json(list).into_response()
            }
            (Method::POST, ["pulls", n, "requested_reviewers"]) => {
                let v = match json_body() {
                    Ok(v) => v,
                    Err(r) => return r,
                };
                let n: u64 = n.parse().unwrap_or_default();
                let Some(i) = self.prs.iter().position(|p| p.number == n) else {
                    return error(StatusCode::NOT_FOUND, "Not Found");
                };
                let strs = |k: &str| -> Vec<String> {
                    v[k].as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|x| x.as_str().map(String::from))
                                .collect()
                        })
                        .unwrap_or_default()
                };
                let (users, teams) = (strs("reviewers"), strs("team_reviewers"));
                if users.is_empty() && teams.is_empty() {
                    self.violations
                        .push(format!("{method} {path}: no reviewers in the request"));
                    return validation("reviewers or team_reviewers is required");
                }
                if users.iter().any(|u| u.eq_ignore_ascii_case(BOT_LOGIN)) {
                    return validation("Review cannot be requested from pull request author.");
                }
                if teams.iter().any(|t| t.contains('/')) {
                    self.violations
                        .push(format!("{method} {path}: team_reviewers takes slugs"));
                    return validation("team_reviewers: not a team slug");
                }
                let pr = &mut self.prs[i];
                // Requesting someone already requested changes nothing, as on GitHub.
                for u in users {
                    if !pr.reviewers.iter().any(|r| r.eq_ignore_ascii_case(&u)) {
                        pr.reviewers.push(u);
                    }
                }
                for t in teams {
                    if !pr.team_reviewers.iter().any(|r| r.eq_ignore_ascii_case(&t)) {
                        pr.team_reviewers.push(t);
                    }
                }
                let j = self.pr_json(&self.prs[i].clone());
                (StatusCode::CREATED, axum::Json(j)).into_response()
            }
            (Method::POST, ["issues", n, "labels"]) => {
                let v = match json_body() {
                    Ok(v) => v,
                    Err(r) => return r,
                };
                let n: u64 = n.parse().unwrap_or_default();
                let Some(i) = self.prs.iter().position(|p| p.number == n) else {
                    return error(StatusCode::NOT_FOUND, "Not Found");
                };
                let Some(labels) = v["labels"].as_array() else {
                    return validation("labels must be an array");
                };
                for l in labels.iter().filter_map(|l| l.as_str()) {
                    self.labels.insert(l.to_string());
                    if !self.prs[i].labels.iter().any(|x| x == l) {
                        self.prs[i].labels.push(l.to_string());
                    }
                }
                let out: Vec<Value> = self.prs[i]
                    .labels
                    .iter()
                    .map(|l| json!({"name": l}))
                    .collect();
                axum::Json(out).into_response()
            }
            (Method::POST, ["issues", n, "comments"]) => {
                let v = match json_body() {
                    Ok(v) => v,
                    Err(r) => return r,
                };
                let n: u64 = n.parse().unwrap_or_default();
                let Some(i) = self.prs.iter().position(|p| p.number == n) else {
                    return error(StatusCode::NOT_FOUND, "Not Found");
                };
                let Some(b) = v["body"].as_str() else {
                    return validation("body is required");
                };
                self.prs[i].comments.push(b.to_string());
                let id = self.id();
                (
                    StatusCode::CREATED,
                    axum::Json(json!({ "id": id, "body": b })),
                )
                    .into_response()
            }
            (Method::GET, ["releases"]) => {
                let page: usize = query_param(query, "page")
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(1);
                let per: usize = query_param(query, "per_page")
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(30);
                let list: Vec<Value> = self
                    .releases
                    .iter()
                    .rev()
                    .skip((page - 1) * per)
                    .take(per)
                    .map(|r| self.release_json(r))
                    .collect();
                axum::Json(list).into_response()
            }
            (Method::POST, ["releases"]) => {
                let v = match json_body() {
                    Ok(v) => v,
                    Err(r) => return r,
                };
                let Some(tag) = v["tag_name"].as_str() else {
                    return validation("tag_name is required");
                };
                if self.releases.iter().any(|r| r.tag == tag) {
                    return validation("Release.tag_name already exists");
                }
                let id = self.id();
                let r = Release {
                    id,
                    tag: tag.into(),
                    target: v["target_commitish"].as_str().unwrap_or("main").into(),
                    name: v["name"].as_str().unwrap_or(tag).into(),
                    body: v["body"].as_str().unwrap_or_default().into(),
                    draft: v["draft"].as_bool().unwrap_or(false),
                    assets: vec![],
                };
                let j = self.release_json(&r);
                self.releases.push(r);
                (StatusCode::CREATED, axum::Json(j)).into_response()
            }
            (Method::PATCH, ["releases", id]) => {
                let v = match json_body() {
                    Ok(v) => v,
                    Err(r) => return r,
                };
                let id: u64 = id.parse().unwrap_or_default();
                let Some(i) = self.releases.iter().position(|r| r.id == id) else {
                    return error(StatusCode::NOT_FOUND, "Not Found");
                };
                if let Some(d) = v["draft"].as_bool() {
                    self.releases[i].draft = d;
                }
                let j = self.release_json(&self.releases[i].clone());
                axum::Json(j).into_response()
            }
            (Method::GET, ["releases", id, "assets"]) => {
                let id: u64 = id.parse().unwrap_or_default();
                let Some(r) = self.releases.iter().find(|r| r.id == id) else {
                    return error(StatusCode::NOT_FOUND, "Not Found");
                };
                let list: Vec<Value> = r.assets.iter().map(|a| self.asset_json(r.id, a)).collect();
                axum::Json(list).into_response()
            }
            (Method::GET, ["releases", "assets", id]) => {
                let id: u64 = id.parse().unwrap_or_default();
                if !self
                    .releases
                    .iter()
                    .flat_map(|r| &r.assets)
                    .any(|a| a.id == id)
                {
                    return error(StatusCode::NOT_FOUND, "Not Found");
                }
                let mut resp = StatusCode::FOUND.into_response();
                resp.headers_mut().insert(
                    header::LOCATION,
                    format!("{}/download/{id}", self.url).parse().unwrap(),
                );
                resp
            }
            (Method::DELETE, ["releases", "assets", id]) => {
                let id: u64 = id.parse().unwrap_or_default();
                for r in &mut self.releases {
                    r.assets.retain(|a| a.id != id);
                }
                StatusCode::NO_CONTENT.into_response()
            }
            _ => error(StatusCode::NOT_FOUND, "Not Found"),
        }
    }

    fn upload(
        &mut self,
        method: &Method,
        rest: &str,
        query: &str,
        headers: &HeaderMap,
        body: Vec<u8>,
    ) -> Response {
        let Some(id) = rest.strip_suffix("/assets") else {
            return error(StatusCode::NOT_FOUND, "Not Found");
        };
        if method != Method::POST {
            return error(StatusCode::NOT_FOUND, "Not Found");
        }
        // A name must arrive percent-encoded: a raw `+` would read as a space, a raw space or
        // `#` would break the URL.
        let raw = query
            .split('&')
            .find_map(|kv| kv.strip_prefix("name="))
            .unwrap_or_default();
        if raw.is_empty()
            || !raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b))
        {
            self.violations
                .push(format!("upload: asset name not percent-encoded: {raw:?}"));
            return validation("name: not percent-encoded");
        }
        let name = query_param(query, "name").unwrap_or_default();
        let Ok(ct) = single(headers, "content-type") else {
            return validation("Content-Type is required");
        };
        let id: u64 = id.parse().unwrap_or_default();
        let Some(ri) = self.releases.iter().position(|r| r.id == id) else {
            return error(StatusCode::NOT_FOUND, "Not Found");
        };
        if self.releases[ri].assets.iter().any(|a| a.name == name) {
            return (
                StatusCode::UNPROCESSABLE_ENTITY,
                axum::Json(json!({
                    "message": "Validation Failed",
                    "errors": [{ "resource": "ReleaseAsset", "code": "already_exists", "field": "name" }],
                })),
            )
                .into_response();
        }
        let aid = self.id();
        let a = Asset {
            id: aid,
            name,
            content_type: ct,
            bytes: body,
            state: "uploaded".into(),
        };
        let j = self.asset_json(id, &a);
        self.releases[ri].assets.push(a);
        (StatusCode::CREATED, axum::Json(j)).into_response()
    }
}

/// A user as GitHub's `simple-user` shows one (the fields a client may read).
fn user_json(login: &str) -> Value {
    json!({
        "login": login,
        "id": team_id(login),
        "type": if login.ends_with("[bot]") { "Bot" } else { "User" },
        "site_admin": false,
    })
}

/// A stable numeric id for a name.
fn team_id(name: &str) -> u64 {
    name.bytes()
        .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64))
        % 1_000_000
}

/// The body GitHub sends with a secondary rate limit.
pub fn secondary_rate_limit(retry_after: u64, times: usize) -> Fault {
    Fault {
        method: None,
        path: "/pulls".into(),
        status: 403,
        headers: vec![("retry-after".into(), retry_after.to_string())],
        body: json!({
            "message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
            "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
        }),
        times,
    }
}

pub fn fault(
    method: Option<Method>,
    path: &str,
    status: u16,
    message: &str,
    times: usize,
) -> Fault {
    Fault {
        method,
        path: path.into(),
        status,
        headers: vec![],
        body: json!({ "message": message, "documentation_url": "https://docs.github.com/rest" }),
        times,
    }
}
