//! The listeners (Entra login, ARM, Graph; HTTPS and optionally plain HTTP), a tokio runtime
//! on a background thread, and the request pipeline: classify, count, latency, faults, answer.

use std::convert::Infallible;
use std::future::Future;
use std::net::TcpListener as StdListener;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::thread::JoinHandle;

use http_body_util::BodyExt;
use hyper::body::{Body, Bytes, Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;

use super::routes::{self, Resp};
use super::{Fault, Kind, RequestRecord, State, Urls};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Login,
    Arm,
    Graph,
}

pub(crate) struct Bound {
    role: Role,
    tls: bool,
    listener: StdListener,
}

/// The listener a request arrived on: its role and its own base URL (for next links).
pub(crate) struct Endpoint {
    pub role: Role,
    pub base: String,
}

pub(crate) fn bind(plain_http: bool) -> Vec<Bound> {
    let mut out = Vec::new();
    for role in [Role::Login, Role::Arm, Role::Graph] {
        let tls_modes: &[bool] = if plain_http && role != Role::Login {
            &[true, false]
        } else {
            &[true]
        };
        for &tls in tls_modes {
            let listener = StdListener::bind("127.0.0.1:0").expect("bind loopback");
            listener.set_nonblocking(true).unwrap();
            out.push(Bound {
                role,
                tls,
                listener,
            });
        }
    }
    out
}

fn base(b: &Bound) -> String {
    let port = b.listener.local_addr().unwrap().port();
    format!(
        "{}://127.0.0.1:{port}",
        if b.tls { "https" } else { "http" }
    )
}

pub(crate) fn urls(bound: &[Bound]) -> Urls {
    let mut u = Urls::default();
    for b in bound {
        let url = base(b);
        match (b.role, b.tls) {
            (Role::Login, _) => u.login = url,
            (Role::Arm, true) => u.arm = url,
            (Role::Graph, true) => u.graph = url,
            (Role::Arm, false) => u.arm_http = Some(url),
            (Role::Graph, false) => u.graph_http = Some(url),
        }
    }
    u
}

pub(crate) struct Handle {
    stop: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
}

impl Handle {
    pub fn stop(mut self) {
        let _ = self.stop.send(true);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

pub(crate) fn spawn(state: Arc<State>, bound: Vec<Bound>, tls: Arc<ServerConfig>) -> Handle {
    let (stop, mut stopped) = watch::channel(false);
    let thread = std::thread::Builder::new()
        .name("fake-azure".into())
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("fake Azure runtime");
            rt.block_on(async move {
                let acceptor = TlsAcceptor::from(tls);
                for b in bound {
                    let endpoint = Arc::new(Endpoint {
                        role: b.role,
                        base: base(&b),
                    });
                    let listener = tokio::net::TcpListener::from_std(b.listener).unwrap();
                    let acceptor = b.tls.then(|| acceptor.clone());
                    tokio::spawn(accept_loop(state.clone(), endpoint, listener, acceptor));
                }
                let _ = stopped.changed().await;
            });
            // Hanging requests (timeout faults) must not keep the test waiting.
            rt.shutdown_background();
        })
        .expect("fake Azure thread");
    Handle {
        stop,
        thread: Some(thread),
    }
}

async fn accept_loop(
    state: Arc<State>,
    endpoint: Arc<Endpoint>,
    listener: tokio::net::TcpListener,
    acceptor: Option<TlsAcceptor>,
) {
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            continue;
        };
        let _ = tcp.set_nodelay(true);
        let state = state.clone();
        let endpoint = endpoint.clone();
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            let svc = service_fn(move |req| {
                let state = state.clone();
                let endpoint = endpoint.clone();
                async move { Ok::<_, Infallible>(handle(state, endpoint, req).await) }
            });
            match acceptor {
                Some(a) => {
                    if let Ok(stream) = a.accept(tcp).await {
                        let _ = http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), svc)
                            .await;
                    }
                }
                None => {
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(tcp), svc)
                        .await;
                }
            }
        });
    }
}

/// A response body that can also stop short of its `Content-Length` and break the connection.
pub(crate) struct FakeBody {
    data: Option<Bytes>,
    fail: bool,
    /// Lets hyper flush the partial body before the connection is cut.
    delay: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl Body for FakeBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        if let Some(d) = self.data.take() {
            return Poll::Ready(Some(Ok(Frame::data(d))));
        }
        if self.fail {
            let delay = self.delay.get_or_insert_with(|| {
                Box::pin(tokio::time::sleep(std::time::Duration::from_millis(100)))
            });
            if delay.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            self.fail = false;
            return Poll::Ready(Some(Err(std::io::Error::other(
                "fake Azure: connection cut by a truncation fault",
            ))));
        }
        Poll::Ready(None)
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_none() && !self.fail
    }

    fn size_hint(&self) -> SizeHint {
        match (&self.data, self.fail) {
            (Some(d), false) => SizeHint::with_exact(d.len() as u64),
            (None, false) => SizeHint::with_exact(0),
            _ => SizeHint::default(),
        }
    }
}

async fn handle(
    state: Arc<State>,
    endpoint: Arc<Endpoint>,
    req: Request<Incoming>,
) -> Response<FakeBody> {
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let target = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| parts.uri.path().to_string());
    let mut req = routes::Req::new(&parts, &body);
    // The marker an endless-pages fault adds to its links (see `fresh_next_link`) is not part
    // of the API: the services never see it.
    req.query.retain(|(k, _)| k != "drip");
    let route = routes::classify(&state, &endpoint, &req);

    {
        let mut c = state.counters.lock().unwrap();
        match route.kind {
            Kind::Token => c.token += 1,
            Kind::Oidc => c.oidc += 1,
            Kind::Metadata => c.metadata += 1,
            Kind::ResourceGraph => c.resource_graph += 1,
            Kind::Subscriptions => c.subscriptions += 1,
            Kind::ArmSubscription => c.arm_subscription += 1,
            Kind::ActivityLog => c.activity_log += 1,
            Kind::ArmResource => c.arm_resource += 1,
            Kind::Graph => c.graph += 1,
            Kind::Unknown => c.unknown += 1,
        }
        *c.by_source.entry(route.source.clone()).or_default() += 1;
    }

    let latency = state.opts.read().unwrap().latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }

    let fault = state.take_fault(route.kind, &route.source, &route.scope, &req.path);
    if fault.is_some() {
        state.counters.lock().unwrap().faults += 1;
    }
    let resp = match &fault {
        Some(Fault::Timeout { hang }) => {
            tokio::time::sleep(*hang).await;
            routes::respond(&state, &endpoint, &route, &req, false)
        }
        Some(
            f @ (Fault::Forbidden | Fault::NotFound | Fault::Throttle { .. } | Fault::ServerError),
        ) => routes::fault_response(&state, &route, &req, f),
        Some(Fault::RepeatNextLink) => routes::respond(&state, &endpoint, &route, &req, true),
        Some(Fault::EndlessPages { delay }) => {
            tokio::time::sleep(*delay).await;
            let mut r = routes::respond(&state, &endpoint, &route, &req, true);
            fresh_next_link(&mut r.body, state.next_id());
            r
        }
        Some(Fault::Respond { status, body }) => routes::Resp::raw(*status, body.as_bytes()),
        Some(Fault::Malformed) => {
            let mut r = routes::respond(&state, &endpoint, &route, &req, false);
            r.status = 200;
            r.body = b"<html><head><title>502 Bad Gateway</title></head><body>upstream \
                       reset {\"value\": [</body></html>"
                .to_vec();
            r
        }
        Some(Fault::CutJson) => {
            let mut r = routes::respond(&state, &endpoint, &route, &req, false);
            let cut = (r.body.len() / 2).max(1).min(r.body.len());
            r.body.truncate(cut);
            r
        }
        Some(Fault::Truncated) => {
            let mut r = routes::respond(&state, &endpoint, &route, &req, false);
            r.truncate = true;
            r
        }
        Some(
            f @ (Fault::PageShaped
            | Fault::ListBody
            | Fault::ObjectBody
            | Fault::ValueNotArray
            | Fault::ScalarItems),
        ) => routes::reshape(
            &route,
            routes::respond(&state, &endpoint, &route, &req, false),
            f,
        ),
        _ => routes::respond(&state, &endpoint, &route, &req, false),
    };

    {
        let mut c = state.counters.lock().unwrap();
        *c.by_status.entry(resp.status).or_default() += 1;
        if resp.status == 429 {
            c.throttled += 1;
            if resp.quota_throttled {
                c.quota_throttled += 1;
            }
        }
    }
    {
        let mut log = state.log.lock().unwrap();
        if log.len() < 200_000 {
            log.push(RequestRecord {
                method: parts.method.to_string(),
                target,
                kind: route.kind,
                source: route.source.clone(),
                scope: route.scope.clone(),
                status: resp.status,
                fault,
                at: state.started.elapsed(),
            });
        }
    }
    into_hyper(&state, resp)
}

/// Gives the page's next link a `drip` parameter no earlier link had, so it is never repeated.
fn fresh_next_link(body: &mut Vec<u8>, n: u64) {
    let Ok(serde_json::Value::Object(mut page)) = serde_json::from_slice(body) else {
        return;
    };
    for key in ["nextLink", "@odata.nextLink"] {
        let Some(link) = page.get(key).and_then(|v| v.as_str()) else {
            continue;
        };
        let Ok(mut url) = url::Url::parse(link) else {
            continue;
        };
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| k != "drip")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        url.query_pairs_mut()
            .clear()
            .extend_pairs(kept)
            .append_pair("drip", &n.to_string());
        page.insert(key.into(), serde_json::Value::String(url.to_string()));
    }
    if let Ok(b) = serde_json::to_vec(&page) {
        *body = b;
    }
}

fn into_hyper(state: &State, r: Resp) -> Response<FakeBody> {
    let mut b = Response::builder().status(r.status);
    let id = state.next_id();
    let request_id = format!("00000000-0000-4000-8000-{id:012x}");
    b = b
        .header("content-type", r.content_type)
        .header("x-ms-request-id", &request_id)
        .header("x-ms-correlation-request-id", &request_id)
        .header("request-id", &request_id)
        .header("cache-control", "no-cache");
    for (k, v) in &r.headers {
        b = b.header(k.as_str(), v.as_str());
    }
    let full = r.body.len();
    let body = if r.truncate {
        b = b.header("content-length", full.to_string());
        let half = Bytes::from(r.body[..full / 2].to_vec());
        FakeBody {
            data: Some(half),
            fail: true,
            delay: None,
        }
    } else {
        FakeBody {
            data: Some(Bytes::from(r.body)),
            fail: false,
            delay: None,
        }
    };
    b.body(body).expect("valid response")
}
