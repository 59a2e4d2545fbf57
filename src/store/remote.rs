//! Fetch and push over the evidence repository's remote, with a token over HTTPS.
//!
//! Authentication: GitHub accepts a token as the password of HTTP basic auth with the user
//! `x-access-token`. libgit2 asks the credentials callback each time the server answers 401;
//! the callback gives the token at most [`MAX_AUTH_ATTEMPTS`] times and then fails with a message
//! that names the token, instead of looping. Local remotes (`file://`, paths) never ask.
//!
//! The clone `actions/checkout` leaves: a normal clone with an `origin` remote, and with
//! `persist-credentials: true` an `http.<url>.extraheader` holding the workflow token. libgit2
//! does not read `http.extraheader`, so that header is neither used nor needed: the token comes
//! from `GITHUB_TOKEN`, `GH_TOKEN` or `--token-file` through the callback. Shallow clones
//! (`fetch-depth: 1`) work for `run`; `verify` walks history and wants `fetch-depth: 0`.
//!
//! A push names the value each remote ref is expected to have (a lease, checked in libgit2's
//! push negotiation against what the remote advertises): a remote that moved since our fetch is
//! reported as [`StoreError::PushRejected`], never overwritten.

use std::cell::{Cell, RefCell};

use git2::{Cred, CredentialType, FetchOptions, Oid, PushOptions, RemoteCallbacks};
use secrecy::{ExposeSecret, SecretString};

use super::{EvidenceStore, StoreError};

/// Times the token is offered to one server before giving up.
pub const MAX_AUTH_ATTEMPTS: u32 = 3;
/// The HTTP basic-auth user GitHub expects with an installation or workflow token.
pub const TOKEN_USER: &str = "x-access-token";
/// Local namespace for the refs a push sends from; never pushed as such.
const PUSH_NS: &str = "refs/soc2-evidence/push";

/// What the credentials callback decides for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialDecision {
    /// Offer `x-access-token:<token>` as HTTP basic auth.
    Token,
    /// Use the default (e.g. Kerberos/NTLM negotiation) where only that is allowed.
    Default,
    /// Stop with this message.
    Fail(String),
}

/// The pure part of the credentials callback: what to offer on the `attempt`-th call
/// (1-based) for `url`, given what the server allows and whether a token is configured.
pub fn credential_decision(
    attempt: u32,
    url: &str,
    allowed: CredentialType,
    have_token: bool,
) -> CredentialDecision {
    if allowed.contains(CredentialType::USER_PASS_PLAINTEXT) {
        if !have_token {
            return CredentialDecision::Fail(format!(
                "{url} asks for credentials and no token is set: set GITHUB_TOKEN or GH_TOKEN, \
                 or pass --token-file"
            ));
        }
        if attempt > MAX_AUTH_ATTEMPTS {
            return CredentialDecision::Fail(format!(
                "{url} rejected the token {MAX_AUTH_ATTEMPTS} times: it is invalid, expired, or \
                 lacks `contents: write` on this repository"
            ));
        }
        return CredentialDecision::Token;
    }
    if allowed.contains(CredentialType::DEFAULT) && attempt <= 1 {
        return CredentialDecision::Default;
    }
    CredentialDecision::Fail(format!(
        "{url} asks for a kind of credentials this tool does not provide ({allowed:?}); use an \
         https:// remote with a token, or a local path"
    ))
}

/// Credentials for remote operations.
#[derive(Default)]
pub struct GitAuth {
    token: Option<SecretString>,
}

impl GitAuth {
    pub fn new(token: Option<SecretString>) -> Self {
        Self { token }
    }

    /// Callbacks that answer credential requests per [`credential_decision`]; the last failure
    /// message is kept in `failure` so the error names the cause rather than libgit2's wording.
    fn callbacks<'a>(
        &'a self,
        attempts: &'a Cell<u32>,
        failure: &'a RefCell<Option<String>>,
    ) -> RemoteCallbacks<'a> {
        let mut cb = RemoteCallbacks::new();
        cb.credentials(move |url, _user, allowed| {
            attempts.set(attempts.get() + 1);
            match credential_decision(attempts.get(), url, allowed, self.token.is_some()) {
                CredentialDecision::Token => match self.token.as_ref() {
                    Some(token) => Cred::userpass_plaintext(TOKEN_USER, token.expose_secret()),
                    // credential_decision chooses Token only when there is one.
                    None => Err(git2::Error::from_str("no token to authenticate with")),
                },
                CredentialDecision::Default => Cred::default(),
                CredentialDecision::Fail(msg) => {
                    *failure.borrow_mut() = Some(msg.clone());
                    Err(git2::Error::from_str(&msg))
                }
            }
        });
        cb
    }
}

/// One ref to update on the remote.
#[derive(Debug, Clone)]
pub struct PushUpdate {
    /// The commit or tag object to send.
    pub oid: Oid,
    /// Full remote ref name, e.g. `refs/heads/main`.
    pub remote_ref: String,
    /// What the remote ref must hold now (`None`: must not exist). A different value rejects
    /// the push.
    pub expect: Option<Oid>,
    /// Allow a non-fast-forward update (still under the lease).
    pub force: bool,
}

impl EvidenceStore {
    /// The URL of `remote`, if it exists.
    pub fn remote_url(&self, remote: &str) -> Result<Option<String>, StoreError> {
        match self.repo.find_remote(remote) {
            Ok(r) => Ok(r.url().ok().map(str::to_string)),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Fetches `refspecs` from `remote` (pruning remote-tracking refs the remote no longer has).
    pub fn fetch(&self, remote: &str, refspecs: &[&str], auth: &GitAuth) -> Result<(), StoreError> {
        self.fetch_with(remote, refspecs, auth, true)
    }

    fn fetch_with(
        &self,
        remote: &str,
        refspecs: &[&str],
        auth: &GitAuth,
        prune: bool,
    ) -> Result<(), StoreError> {
        let mut r = self
            .repo
            .find_remote(remote)
            .map_err(|_| StoreError::NoRemote(remote.to_string()))?;
        let attempts = Cell::new(0);
        let failure = RefCell::new(None);
        let mut opts = FetchOptions::new();
        opts.remote_callbacks(auth.callbacks(&attempts, &failure));
        opts.prune(if prune {
            git2::FetchPrune::On
        } else {
            git2::FetchPrune::Off
        });
        opts.download_tags(git2::AutotagOption::None);
        r.fetch(refspecs, Some(&mut opts), None)
            .map_err(|e| match failure.borrow_mut().take() {
                Some(msg) => StoreError::Auth(msg),
                None => StoreError::Remote {
                    op: "fetch from",
                    remote: remote.to_string(),
                    message: e.message().to_string(),
                },
            })
    }

    /// What `remote` advertises now (`git ls-remote`): full ref name → object id.
    pub fn remote_refs(
        &self,
        remote: &str,
        auth: &GitAuth,
    ) -> Result<std::collections::BTreeMap<String, Oid>, StoreError> {
        self.list_remote(remote, auth, git2::Direction::Fetch)
    }

    /// What `remote` advertises to a pusher, read by connecting for a push without sending
    /// anything: the check that the token may push, made before anything is pushed. Git
    /// servers list refs for a push (`git-receive-pack`) only to a client with write access;
    /// GitHub answers 401 for a bad token and 403 for a token that may only read.
    pub fn remote_refs_for_push(
        &self,
        remote: &str,
        auth: &GitAuth,
    ) -> Result<std::collections::BTreeMap<String, Oid>, StoreError> {
        self.list_remote(remote, auth, git2::Direction::Push)
    }

    fn list_remote(
        &self,
        remote: &str,
        auth: &GitAuth,
        direction: git2::Direction,
    ) -> Result<std::collections::BTreeMap<String, Oid>, StoreError> {
        let mut r = self
            .repo
            .find_remote(remote)
            .map_err(|_| StoreError::NoRemote(remote.to_string()))?;
        let attempts = Cell::new(0);
        let failure = RefCell::new(None);
        let cb = auth.callbacks(&attempts, &failure);
        let conn = r.connect_auth(direction, Some(cb), None).map_err(|e| {
            match failure.borrow_mut().take() {
                Some(msg) => StoreError::Auth(msg),
                None => {
                    let (op, hint) = match direction {
                        git2::Direction::Fetch => ("connect to", ""),
                        git2::Direction::Push => (
                            "connect for a push to",
                            " (the token needs write access to the repository's contents: \
                             `contents: write` in a workflow)",
                        ),
                    };
                    StoreError::Remote {
                        op,
                        remote: remote.to_string(),
                        message: format!("{}{hint}", e.message()),
                    }
                }
            }
        })?;
        Ok(conn
            .list()?
            .iter()
            .map(|h| (h.name().to_string(), h.oid()))
            .collect())
    }

    /// Fetches every branch into `refs/remotes/<remote>/*` (pruned) and every tag into
    /// `refs/tags/*` (the remote's value wins; local-only tags are kept).
    pub fn fetch_all(&self, remote: &str, auth: &GitAuth) -> Result<(), StoreError> {
        let heads = format!("+refs/heads/*:refs/remotes/{remote}/*");
        self.fetch_with(remote, &[heads.as_str()], auth, true)?;
        self.fetch_with(remote, &["+refs/tags/*:refs/tags/*"], auth, false)
    }

    /// The remote-tracking head of `branch` (as of the last fetch).
    pub fn remote_branch(&self, remote: &str, branch: &str) -> Result<Option<Oid>, StoreError> {
        self.resolve(&format!("refs/remotes/{remote}/{branch}"))
    }

    /// Pushes `updates` in one push. Each remote ref must hold its `expect` value; otherwise, or
    /// when the remote refuses an update, nothing is claimed and [`StoreError::PushRejected`]
    /// names the ref. On success the remote-tracking refs of pushed branches are moved too.
    pub fn push(
        &self,
        remote: &str,
        updates: &[PushUpdate],
        auth: &GitAuth,
    ) -> Result<(), StoreError> {
        let url = self
            .remote_url(remote)?
            .ok_or_else(|| StoreError::NoRemote(remote.to_string()))?;
        match local_path(&url) {
            Some(path) => self.push_local(remote, &path, updates, auth)?,
            None => self.push_transport(remote, updates, auth, true)?,
        }
        for u in updates {
            if let Some(branch) = u.remote_ref.strip_prefix("refs/heads/") {
                self.repo.reference(
                    &format!("refs/remotes/{remote}/{branch}"),
                    u.oid,
                    true,
                    "soc2-evidence: pushed",
                )?;
            }
        }
        Ok(())
    }

    /// A push to a repository on this machine. libgit2's local transport writes the remote's
    /// refs without comparing their old value, so two pushes at once could both "succeed" and
    /// one commit be lost. Here the objects travel to a private staging ref, then each ref moves
    /// with a compare-and-swap under git's ref lock (as `git receive-pack` does on GitHub).
    fn push_local(
        &self,
        remote: &str,
        path: &std::path::Path,
        updates: &[PushUpdate],
        auth: &GitAuth,
    ) -> Result<(), StoreError> {
        let staged: Vec<PushUpdate> = updates
            .iter()
            .map(|u| PushUpdate {
                oid: u.oid,
                remote_ref: format!("refs/soc2-evidence/incoming/{}", u.oid),
                expect: None,
                force: true,
            })
            .collect();
        self.push_transport(remote, &staged, auth, false)?;
        let target = git2::Repository::open(path)?;
        let mut outcome = Ok(());
        for u in updates {
            let current = target.refname_to_id(&u.remote_ref).ok();
            if current != u.expect {
                outcome = Err(StoreError::PushRejected(format!(
                    "{} is at {} on the remote, not at {} as fetched",
                    u.remote_ref,
                    current.map_or("nothing".to_string(), |o| o.to_string()),
                    u.expect.map_or("nothing".to_string(), |o| o.to_string()),
                )));
                break;
            }
            if let (false, Some(c)) = (u.force, current)
                && c != u.oid
                && !target.graph_descendant_of(u.oid, c)?
            {
                outcome = Err(StoreError::PushRejected(format!(
                    "{}: not a fast-forward of the remote",
                    u.remote_ref
                )));
                break;
            }
            let moved = match u.expect {
                Some(old) => target
                    .reference_matching(&u.remote_ref, u.oid, true, old, "soc2-evidence: push")
                    .map(|_| ()),
                None => target
                    .reference(&u.remote_ref, u.oid, false, "soc2-evidence: push")
                    .map(|_| ()),
            };
            if let Err(e) = moved {
                outcome = Err(match e.code() {
                    git2::ErrorCode::Modified
                    | git2::ErrorCode::Exists
                    | git2::ErrorCode::Locked => {
                        StoreError::PushRejected(format!("{}: {}", u.remote_ref, e.message()))
                    }
                    _ => e.into(),
                });
                break;
            }
        }
        for s in &staged {
            if let Ok(mut r) = target.find_reference(&s.remote_ref) {
                let _ = r.delete();
            }
        }
        outcome
    }

    fn push_transport(
        &self,
        remote: &str,
        updates: &[PushUpdate],
        auth: &GitAuth,
        lease: bool,
    ) -> Result<(), StoreError> {
        let mut r = self
            .repo
            .find_remote(remote)
            .map_err(|_| StoreError::NoRemote(remote.to_string()))?;
        // libgit2 pushes from local refs: stage each object under a private ref. A ref left
        // here by a killed run is simply overwritten.
        let mut specs = Vec::new();
        for (i, u) in updates.iter().enumerate() {
            let local = format!("{PUSH_NS}/{i}");
            self.repo
                .reference(&local, u.oid, true, "soc2-evidence: stage push")?;
            specs.push(format!(
                "{}{local}:{}",
                if u.force { "+" } else { "" },
                u.remote_ref
            ));
        }
        let attempts = Cell::new(0);
        let failure = RefCell::new(None);
        let lease_broken: RefCell<Option<String>> = RefCell::new(None);
        let rejected: RefCell<Vec<String>> = RefCell::new(Vec::new());
        let mut cb = auth.callbacks(&attempts, &failure);
        cb.push_negotiation(|negotiated| {
            for n in negotiated {
                let Ok(dst) = n.dst_refname() else { continue };
                let Some(u) = updates.iter().find(|u| u.remote_ref == dst) else {
                    continue;
                };
                let current = (!n.src().is_zero()).then(|| n.src());
                if lease && current != u.expect {
                    *lease_broken.borrow_mut() = Some(format!(
                        "{dst} is at {} on the remote, not at {} as fetched",
                        current.map_or("nothing".to_string(), |o| o.to_string()),
                        u.expect.map_or("nothing".to_string(), |o| o.to_string()),
                    ));
                    return Err(git2::Error::from_str("remote ref moved since fetch"));
                }
            }
            Ok(())
        });
        cb.push_update_reference(|refname, status| {
            if let Some(msg) = status {
                rejected.borrow_mut().push(format!("{refname}: {msg}"));
            }
            Ok(())
        });
        let mut opts = PushOptions::new();
        opts.remote_callbacks(cb);
        let spec_refs: Vec<&str> = specs.iter().map(String::as_str).collect();
        let result = r.push(&spec_refs, Some(&mut opts));
        drop(opts);
        for i in 0..updates.len() {
            if let Ok(mut rf) = self.repo.find_reference(&format!("{PUSH_NS}/{i}")) {
                let _ = rf.delete();
            }
        }
        if let Some(msg) = lease_broken.into_inner() {
            return Err(StoreError::PushRejected(msg));
        }
        if let Err(e) = result {
            if let Some(msg) = failure.into_inner() {
                return Err(StoreError::Auth(msg));
            }
            if e.code() == git2::ErrorCode::NotFastForward {
                return Err(StoreError::PushRejected(format!(
                    "{}: not a fast-forward of the remote",
                    updates
                        .iter()
                        .map(|u| u.remote_ref.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
            return Err(StoreError::Remote {
                op: "push to",
                remote: remote.to_string(),
                message: e.message().to_string(),
            });
        }
        let rejected = rejected.into_inner();
        if !rejected.is_empty() {
            return Err(StoreError::PushRejected(rejected.join("; ")));
        }
        Ok(())
    }
}

/// The filesystem path of a local remote (`file://…` or a plain path), else `None`.
fn local_path(url: &str) -> Option<std::path::PathBuf> {
    if let Some(p) = url.strip_prefix("file://") {
        return Some(p.into());
    }
    if url.contains("://") {
        return None;
    }
    // `host:path` is scp-like ssh; a path has no colon before its first slash.
    match (url.find(':'), url.find('/')) {
        (Some(c), Some(s)) if c < s => None,
        (Some(_), None) => None,
        _ => Some(url.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://github.com/contoso/evidence.git";

    #[test]
    fn local_remotes_are_recognised() {
        assert_eq!(local_path("file:///srv/ev.git"), Some("/srv/ev.git".into()));
        assert_eq!(local_path("/srv/ev.git"), Some("/srv/ev.git".into()));
        assert_eq!(local_path("../ev.git"), Some("../ev.git".into()));
        assert_eq!(local_path("https://github.com/o/r.git"), None);
        assert_eq!(local_path("git@github.com:o/r.git"), None);
    }

    #[test]
    fn token_is_offered_a_bounded_number_of_times() {
        let allowed = CredentialType::USER_PASS_PLAINTEXT;
        for attempt in 1..=MAX_AUTH_ATTEMPTS {
            assert_eq!(
                credential_decision(attempt, URL, allowed, true),
                CredentialDecision::Token
            );
        }
        let CredentialDecision::Fail(msg) =
            credential_decision(MAX_AUTH_ATTEMPTS + 1, URL, allowed, true)
        else {
            panic!()
        };
        assert!(msg.contains("rejected the token 3 times"), "{msg}");
        assert!(msg.contains(URL), "{msg}");
    }

    #[test]
    fn missing_token_and_unsupported_kinds_fail_clearly() {
        let CredentialDecision::Fail(msg) =
            credential_decision(1, URL, CredentialType::USER_PASS_PLAINTEXT, false)
        else {
            panic!()
        };
        assert!(msg.contains("GITHUB_TOKEN"), "{msg}");
        let CredentialDecision::Fail(msg) =
            credential_decision(1, "git@github.com:o/r", CredentialType::SSH_KEY, true)
        else {
            panic!()
        };
        assert!(msg.contains("https://"), "{msg}");
        assert_eq!(
            credential_decision(1, URL, CredentialType::DEFAULT, false),
            CredentialDecision::Default
        );
        assert!(matches!(
            credential_decision(2, URL, CredentialType::DEFAULT, false),
            CredentialDecision::Fail(_)
        ));
    }

    /// Leases over a real (file://) remote: a ref that moved since the fetch is not overwritten,
    /// even by a forced update; a matching lease pushes and moves the remote-tracking ref.
    #[test]
    fn push_honours_the_lease_and_fast_forward() {
        let dir = tempfile::tempdir().unwrap();
        let bare = dir.path().join("remote.git");
        let mut o = git2::RepositoryInitOptions::new();
        o.bare(true).initial_head("main");
        git2::Repository::init_opts(&bare, &o).unwrap();
        let store =
            EvidenceStore::open_or_init(&dir.path().join("work"), "evidence", "main").unwrap();
        let repo = store.repo();
        repo.remote("origin", &format!("file://{}", bare.display()))
            .unwrap();
        let sig = git2::Signature::now("a", "a@example.com").unwrap();
        let tree = repo
            .find_tree(repo.treebuilder(None).unwrap().write().unwrap())
            .unwrap();
        let c1 = repo.commit(None, &sig, &sig, "1", &tree, &[]).unwrap();
        let c1c = repo.find_commit(c1).unwrap();
        let c2 = repo.commit(None, &sig, &sig, "2", &tree, &[&c1c]).unwrap();
        let other = repo.commit(None, &sig, &sig, "other", &tree, &[]).unwrap();
        let auth = GitAuth::default();
        let up = |oid, expect, force| PushUpdate {
            oid,
            remote_ref: "refs/heads/main".into(),
            expect,
            force,
        };

        store.push("origin", &[up(c1, None, false)], &auth).unwrap();
        assert_eq!(store.remote_branch("origin", "main").unwrap(), Some(c1));
        // Wrong lease: the remote has c1, we claim it has nothing.
        let e = store
            .push("origin", &[up(c2, None, true)], &auth)
            .unwrap_err();
        assert!(matches!(e, StoreError::PushRejected(_)), "{e}");
        // Not a fast-forward, not forced.
        let e = store
            .push("origin", &[up(other, Some(c1), false)], &auth)
            .unwrap_err();
        assert!(matches!(e, StoreError::PushRejected(_)), "{e}");
        // Right lease, forced.
        store
            .push("origin", &[up(other, Some(c1), true)], &auth)
            .unwrap();
        let remote = git2::Repository::open_bare(&bare).unwrap();
        assert_eq!(remote.refname_to_id("refs/heads/main").unwrap(), other);
        assert!(repo.find_reference("refs/soc2-evidence/push/0").is_err());
        let refs = store.remote_refs("origin", &auth).unwrap();
        assert_eq!(refs.get("refs/heads/main"), Some(&other));
        // A push connection lists the same refs (receive-pack does not advertise HEAD), and
        // sends nothing.
        let for_push = store.remote_refs_for_push("origin", &auth).unwrap();
        let without_head: std::collections::BTreeMap<_, _> =
            refs.into_iter().filter(|(n, _)| n != "HEAD").collect();
        assert_eq!(for_push, without_head);
        assert_eq!(remote.refname_to_id("refs/heads/main").unwrap(), other);
    }

    /// A loopback HTTP server that answers every request with `response`; returns its port and
    /// the requests it received (head and headers), for the tests to inspect.
    fn canned_server(
        response: &'static [u8],
    ) -> (u16, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen: std::sync::Arc<std::sync::Mutex<Vec<String>>> = Default::default();
        let log = seen.clone();
        std::thread::spawn(move || {
            // Bounded: libgit2 makes at most a handful of requests here.
            for stream in listener.incoming().take(20) {
                let Ok(mut s) = stream else { break };
                let mut buf = vec![0u8; 8192];
                let n = s.read(&mut buf).unwrap_or(0);
                log.lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(&buf[..n]).into_owned());
                let _ = s.write_all(response);
            }
        });
        (port, seen)
    }

    /// A server that lets the token read but not write (GitHub answers 403 to
    /// `git-receive-pack` for a read-only token): the push check fails before anything is sent,
    /// asked for receive-pack, and the error says what the token lacks without showing it.
    #[test]
    fn push_check_against_a_read_only_server_fails_naming_write_access() {
        let (port, seen) = canned_server(
            b"HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\n\
              Content-Length: 9\r\nConnection: close\r\n\r\nForbidden",
        );
        let dir = tempfile::tempdir().unwrap();
        let store = EvidenceStore::open_or_init(dir.path(), "evidence", "main").unwrap();
        store
            .repo()
            .remote(
                "origin",
                &format!("http://127.0.0.1:{port}/contoso/evidence.git"),
            )
            .unwrap();
        let auth = GitAuth::new(Some(SecretString::from("t0ken")));
        let err = store.remote_refs_for_push("origin", &auth).unwrap_err();
        let msg = err.to_string();
        assert!(
            matches!(
                err,
                StoreError::Remote {
                    op: "connect for a push to",
                    ..
                }
            ),
            "{msg}"
        );
        assert!(msg.contains("403"), "{msg}");
        assert!(msg.contains("contents: write"), "{msg}");
        assert!(!msg.contains("t0ken"), "the token leaked into {msg}");
        let seen = seen.lock().unwrap();
        assert!(
            seen.iter()
                .any(|l| l.contains("/info/refs?service=git-receive-pack")),
            "{seen:?}"
        );
    }

    /// The real callback against a loopback HTTP server that answers every request with 401:
    /// libgit2 asks again after each 401, and the callback stops after the bound with its
    /// message; every attempt carried `x-access-token:<token>` as basic auth.
    #[test]
    fn fetch_against_a_server_that_rejects_the_token_stops_after_the_bound() {
        let (port, requests) = canned_server(
            b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"GitHub\"\r\n\
              Content-Length: 0\r\nConnection: close\r\n\r\n",
        );
        let dir = tempfile::tempdir().unwrap();
        let store = EvidenceStore::open_or_init(dir.path(), "evidence", "main").unwrap();
        store
            .repo()
            .remote(
                "origin",
                &format!("http://127.0.0.1:{port}/contoso/evidence.git"),
            )
            .unwrap();
        let auth = GitAuth::new(Some(SecretString::from("t0ken")));
        let err = store
            .fetch("origin", &["+refs/heads/*:refs/remotes/origin/*"], &auth)
            .unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, StoreError::Auth(_)), "{msg}");
        assert!(msg.contains("rejected the token 3 times"), "{msg}");
        assert!(!msg.contains("t0ken"), "the token leaked into {msg}");

        // The Authorization header of each request, if it had one.
        let seen: Vec<Option<String>> = requests
            .lock()
            .unwrap()
            .iter()
            .map(|req| {
                req.lines()
                    .find(|l| l.to_ascii_lowercase().starts_with("authorization:"))
                    .map(|l| l.split_once(':').unwrap().1.trim().to_string())
            })
            .collect();
        let expected = format!(
            "Basic {}",
            base64_encode(format!("{TOKEN_USER}:t0ken").as_bytes())
        );
        let with_token = seen
            .iter()
            .filter(|a| a.as_deref() == Some(&expected))
            .count();
        assert_eq!(with_token, MAX_AUTH_ATTEMPTS as usize, "{seen:?}");
    }

    fn base64_encode(bytes: &[u8]) -> String {
        const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }
}
