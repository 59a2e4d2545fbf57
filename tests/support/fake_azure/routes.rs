//! What each request is (classification for counters and faults) and how the fake answers it:
//! Entra token and metadata, GitHub OIDC, ARM lists and children, the Activity Log, Resource
//! Graph and Microsoft Graph, with authentication, api-version checks, quotas and paging.

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use hyper::HeaderMap;
use hyper::http::request::Parts;
use serde_json::{Map, Value, json};

use super::server::{Endpoint, Role};
use super::tenant::{
    ACTIVITY_LOG_API, ACTIVITY_LOG_PATH, CHILD_ROUTES, GRAPH_ROUTES, Missing, RESOURCE_GRAPH_API,
    SUBSCRIPTION_SOURCES, SUBSCRIPTIONS_API, child_route,
};
use super::{Fault, Kind, State, jwt, kql};

/// A parsed request.
pub(crate) struct Req {
    pub method: String,
    /// Percent-decoded path.
    pub path: String,
    /// Path as received (for next links).
    pub raw_path: String,
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Req {
    pub fn new(parts: &Parts, body: &[u8]) -> Self {
        let raw_path = parts.uri.path().to_string();
        let query = parts
            .uri
            .query()
            .map(|q| {
                form_urlencoded::parse(q.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        Self {
            method: parts.method.to_string(),
            path: pct_decode(&raw_path),
            raw_path,
            query,
            headers: parts.headers.clone(),
            body: body.to_vec(),
        }
    }

    fn q(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

fn pct_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) =
                u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[derive(Debug, Clone)]
pub(crate) enum Detail {
    Token {
        tenant: String,
    },
    Oidc,
    OpenIdConfig {
        tenant: String,
    },
    InstanceDiscovery,
    Arg(Value),
    Subscriptions,
    SubList {
        sub: String,
        source: &'static str,
    },
    ActivityLog {
        sub: String,
    },
    Child {
        rid: Option<String>,
        key: &'static str,
        list: bool,
    },
    Graph {
        path: &'static str,
        singleton: bool,
    },
    /// `GET /directoryRoles/{id}/members`: the members of one activated role.
    GraphRoleMembers {
        role: String,
    },
    Unknown(String),
}

pub(crate) struct Route {
    pub kind: Kind,
    pub source: String,
    pub scope: String,
    pub api: Option<&'static str>,
    pub detail: Detail,
}

impl Route {
    fn unknown(why: String) -> Self {
        Route {
            kind: Kind::Unknown,
            source: "unknown".into(),
            scope: String::new(),
            api: None,
            detail: Detail::Unknown(why),
        }
    }
}

fn arg_source(table: &str) -> String {
    match table {
        "resources" => "resource_graph.resources".into(),
        "authorizationresources" => "resource_graph.authorization".into(),
        "policyresources" => "resource_graph.policy".into(),
        "securityresources" => "resource_graph.security".into(),
        "resourcecontainers" => "resource_graph.containers".into(),
        other => format!("resource_graph.{other}"),
    }
}

pub(crate) fn classify(state: &State, ep: &Endpoint, req: &Req) -> Route {
    let path = req.path.trim_end_matches('/');
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let tenant_scope = || format!("/tenants/{}", state.tenant.read().unwrap().tenant_id);
    match ep.role {
        Role::Login => {
            if req.method == "POST"
                && segs.len() == 4
                && segs[1] == "oauth2"
                && segs[2] == "v2.0"
                && segs[3] == "token"
            {
                return Route {
                    kind: Kind::Token,
                    source: "token".into(),
                    scope: format!("/tenants/{}", segs[0]),
                    api: None,
                    detail: Detail::Token {
                        tenant: segs[0].to_string(),
                    },
                };
            }
            if req.method == "GET" && path == "/_actions/idtoken" {
                return Route {
                    kind: Kind::Oidc,
                    source: "oidc".into(),
                    scope: String::new(),
                    api: None,
                    detail: Detail::Oidc,
                };
            }
            if req.method == "GET" && path.ends_with("/v2.0/.well-known/openid-configuration") {
                return Route {
                    kind: Kind::Metadata,
                    source: "metadata".into(),
                    scope: String::new(),
                    api: None,
                    detail: Detail::OpenIdConfig {
                        tenant: segs[0].to_string(),
                    },
                };
            }
            if req.method == "GET" && path == "/common/discovery/instance" {
                return Route {
                    kind: Kind::Metadata,
                    source: "metadata".into(),
                    scope: String::new(),
                    api: None,
                    detail: Detail::InstanceDiscovery,
                };
            }
            Route::unknown(format!("{} {} on the login host", req.method, req.path))
        }
        Role::Arm => {
            if path.eq_ignore_ascii_case("/providers/Microsoft.ResourceGraph/resources") {
                if req.method != "POST" {
                    return Route::unknown(format!("{} on Resource Graph", req.method));
                }
                let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
                let table = body
                    .get("query")
                    .and_then(Value::as_str)
                    .and_then(|q| {
                        q.split(|c: char| !c.is_alphanumeric())
                            .find(|w| !w.is_empty())
                    })
                    .unwrap_or("")
                    .to_ascii_lowercase();
                let mut scope: Vec<String> = body
                    .get("subscriptions")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
                if let Some(mgs) = body.get("managementGroups").and_then(Value::as_array) {
                    scope.extend(mgs.iter().filter_map(|v| {
                        v.as_str().map(|m| {
                            format!("/providers/Microsoft.Management/managementGroups/{m}")
                        })
                    }));
                }
                return Route {
                    kind: Kind::ResourceGraph,
                    source: arg_source(&table),
                    scope: if scope.is_empty() {
                        tenant_scope()
                    } else {
                        scope.join(",")
                    },
                    api: Some(RESOURCE_GRAPH_API),
                    detail: Detail::Arg(body),
                };
            }
            if req.method != "GET" {
                return Route::unknown(format!("{} {} on ARM", req.method, req.path));
            }
            if path.eq_ignore_ascii_case("/subscriptions") {
                return Route {
                    kind: Kind::Subscriptions,
                    source: "arm.subscriptions".into(),
                    scope: tenant_scope(),
                    api: Some(SUBSCRIPTIONS_API),
                    detail: Detail::Subscriptions,
                };
            }
            if segs.len() >= 2 && segs[0].eq_ignore_ascii_case("subscriptions") {
                let sub = segs[1].to_string();
                let rest = segs[2..].join("/");
                for (source, p, api) in SUBSCRIPTION_SOURCES {
                    if rest.eq_ignore_ascii_case(p) {
                        return Route {
                            kind: Kind::ArmSubscription,
                            source: source.into(),
                            scope: format!("/subscriptions/{sub}"),
                            api: Some(api),
                            detail: Detail::SubList { sub, source },
                        };
                    }
                }
                if rest.eq_ignore_ascii_case(ACTIVITY_LOG_PATH) {
                    return Route {
                        kind: Kind::ActivityLog,
                        source: "arm.activity_log".into(),
                        scope: format!("/subscriptions/{sub}"),
                        api: Some(ACTIVITY_LOG_API),
                        detail: Detail::ActivityLog { sub },
                    };
                }
                let tenant = state.tenant.read().unwrap();
                if let Some((res, rest)) = tenant.resource_for_path(path) {
                    if let Some(c) = child_route(&res.r#type, &rest) {
                        return Route {
                            kind: Kind::ArmResource,
                            source: c.source.into(),
                            scope: res.id.clone(),
                            api: Some(c.api),
                            detail: Detail::Child {
                                rid: Some(res.id.to_ascii_lowercase()),
                                key: c.key,
                                list: c.list,
                            },
                        };
                    }
                    return Route::unknown(format!("child '{rest}' of {}", res.id));
                }
                // A child route under a resource the tenant does not have: 404 from ARM.
                let lower = path.to_ascii_lowercase();
                if let Some(c) = CHILD_ROUTES
                    .iter()
                    .filter(|c| lower.ends_with(&format!("/{}", c.path)))
                    .max_by_key(|c| c.path.len())
                {
                    let rid = &path[..path.len() - c.path.len() - 1];
                    return Route {
                        kind: Kind::ArmResource,
                        source: c.source.into(),
                        scope: rid.to_string(),
                        api: Some(c.api),
                        detail: Detail::Child {
                            rid: None,
                            key: c.key,
                            list: c.list,
                        },
                    };
                }
            }
            Route::unknown(format!("GET {} on ARM", req.path))
        }
        Role::Graph => {
            if req.method == "GET"
                && let Some(rest) = path.strip_prefix("/v1.0")
            {
                for (p, source, singleton) in GRAPH_ROUTES {
                    if rest.eq_ignore_ascii_case(p) {
                        return Route {
                            kind: Kind::Graph,
                            source: source.into(),
                            scope: tenant_scope(),
                            api: None,
                            detail: Detail::Graph { path: p, singleton },
                        };
                    }
                }
                let parts: Vec<&str> = rest.trim_start_matches('/').split('/').collect();
                if let ["directoryRoles", role, "members"] = parts.as_slice()
                    && !role.is_empty()
                {
                    return Route {
                        kind: Kind::Graph,
                        source: "graph.directory_roles".into(),
                        scope: format!("{}/directoryRoles/{role}", tenant_scope()),
                        api: None,
                        detail: Detail::GraphRoleMembers {
                            role: role.to_string(),
                        },
                    };
                }
            }
            Route::unknown(format!("{} {} on Graph", req.method, req.path))
        }
    }
}

/// A response before it becomes HTTP.
pub(crate) struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub content_type: &'static str,
    /// Send half the body under the full `Content-Length`, then cut the connection.
    pub truncate: bool,
    pub quota_throttled: bool,
}

impl Resp {
    fn json(status: u16, v: &Value) -> Self {
        Self {
            status,
            headers: vec![],
            body: serde_json::to_vec(v).unwrap(),
            content_type: "application/json; charset=utf-8",
            truncate: false,
            quota_throttled: false,
        }
    }
    pub(crate) fn raw(status: u16, body: &[u8]) -> Self {
        Self {
            status,
            headers: vec![],
            body: body.to_vec(),
            content_type: "application/json; charset=utf-8",
            truncate: false,
            quota_throttled: false,
        }
    }

    fn header(mut self, k: &str, v: impl Into<String>) -> Self {
        self.headers.push((k.to_string(), v.into()));
        self
    }
}

fn arm_error(status: u16, code: &str, message: &str) -> Resp {
    Resp::json(
        status,
        &json!({"error": {"code": code, "message": message}}),
    )
}

fn graph_error(status: u16, code: &str, message: &str) -> Resp {
    Resp::json(
        status,
        &json!({"error": {
            "code": code,
            "message": message,
            "innerError": {
                "date": Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string(),
                "request-id": "00000000-0000-4000-8000-000000000000",
                "client-request-id": "00000000-0000-4000-8000-000000000000"
            }
        }}),
    )
}

fn aad_error(status: u16, error: &str, code: u32, description: &str) -> Resp {
    let now = Utc::now();
    Resp::json(
        status,
        &json!({
            "error": error,
            "error_description": format!(
                "AADSTS{code}: {description} Trace ID: 00000000-0000-4000-8000-000000000000 \
                 Correlation ID: 00000000-0000-4000-8000-000000000000 Timestamp: {}",
                now.format("%Y-%m-%d %H:%M:%SZ")
            ),
            "error_codes": [code],
            "timestamp": now.format("%Y-%m-%d %H:%M:%SZ").to_string(),
            "trace_id": "00000000-0000-4000-8000-000000000000",
            "correlation_id": "00000000-0000-4000-8000-000000000000",
            "error_uri": format!("https://login.microsoftonline.com/error?code={code}")
        }),
    )
}

/// The RBAC action a read of `path` needs, as ARM names it in `AuthorizationFailed`.
fn read_action(route: &Route, path: &str) -> String {
    match route.kind {
        Kind::ResourceGraph => return "Microsoft.ResourceGraph/resources/read".into(),
        Kind::Subscriptions => return "Microsoft.Resources/subscriptions/read".into(),
        Kind::ActivityLog => return "Microsoft.Insights/eventtypes/values/read".into(),
        _ => {}
    }
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    let Some(p) = segs
        .iter()
        .rposition(|s| s.eq_ignore_ascii_case("providers"))
    else {
        return "Microsoft.Resources/subscriptions/read".into();
    };
    let after = &segs[p + 1..];
    let mut parts = vec![
        after
            .first()
            .copied()
            .unwrap_or("Microsoft.Resources")
            .to_string(),
    ];
    for (i, s) in after.iter().enumerate().skip(1) {
        if i % 2 == 1 {
            parts.push(s.to_string());
        }
    }
    format!("{}/read", parts.join("/"))
}

fn retry_headers(r: Resp, wait: Duration) -> Resp {
    let ms = wait.as_millis().max(1) as u64;
    r.header(
        "Retry-After",
        wait.as_secs_f64().ceil().max(0.0).to_string(),
    )
    .header("retry-after-ms", ms.to_string())
    .header("x-ms-retry-after-ms", ms.to_string())
}

/// The answer to a status fault, shaped like the service behind the route.
pub(crate) fn fault_response(state: &State, route: &Route, req: &Req, f: &Fault) -> Resp {
    let principal = state.opts.read().unwrap().principal_id.clone();
    let status = match f {
        Fault::Forbidden => 403,
        Fault::NotFound => 404,
        Fault::Throttle { .. } => 429,
        _ => 500,
    };
    let mut r = match route.kind {
        Kind::Token | Kind::Oidc | Kind::Metadata => match status {
            403 => aad_error(
                403,
                "access_denied",
                53003,
                "Access has been blocked by Conditional Access policies.",
            ),
            404 => aad_error(404, "invalid_request", 90002, "Tenant not found."),
            429 => aad_error(
                429,
                "temporarily_unavailable",
                50196,
                "The server terminated an operation because it encountered a client request loop.",
            ),
            _ => aad_error(
                500,
                "server_error",
                90033,
                "A transient error has occurred. Please try again.",
            ),
        },
        Kind::Graph => match status {
            403 => graph_error(
                403,
                "Authorization_RequestDenied",
                "Insufficient privileges to complete the operation.",
            ),
            404 => graph_error(
                404,
                "Request_ResourceNotFound",
                "Resource does not exist or one of its queried reference-property objects are not present.",
            ),
            429 => graph_error(429, "TooManyRequests", "Too many requests."),
            _ => graph_error(500, "generalException", "An unexpected error occurred."),
        },
        _ => match status {
            403 => {
                let action = read_action(route, &req.path);
                let scope = if route.kind == Kind::ResourceGraph {
                    "/".to_string()
                } else {
                    req.path.clone()
                };
                arm_error(
                    403,
                    "AuthorizationFailed",
                    &format!(
                        "The client '{principal}' with object id '{principal}' does not have \
                         authorization to perform action '{action}' over scope '{scope}' or the \
                         scope is invalid. If access was recently granted, please refresh your \
                         credentials."
                    ),
                )
            }
            404 => arm_error(
                404,
                "ResourceNotFound",
                &format!(
                    "The Resource '{}' was not found. For more details please go to \
                     https://aka.ms/ARMResourceNotFoundFix",
                    route.scope
                ),
            ),
            429 if route.kind == Kind::ResourceGraph => arm_error(
                429,
                "RateLimiting",
                "Please provide below info when asking for support: timestamp, request id. \
                 Details: Rate limit exceeded.",
            ),
            429 => arm_error(
                429,
                "TooManyRequests",
                "The request is being throttled as the limit has been reached for operation \
                 type - Read_ObservationWindow_00:05:00.",
            ),
            _ => arm_error(
                500,
                "InternalServerError",
                "Encountered internal server error. Diagnostic information: timestamp, request id.",
            ),
        },
    };
    if let Fault::Throttle { retry_after } = f {
        r = retry_headers(r, *retry_after);
    }
    if route.kind == Kind::ResourceGraph {
        // Resource Graph sends its quota headers on every answer.
        let opts = state.opts.read().unwrap().clone();
        let d = state
            .quotas
            .lock()
            .unwrap()
            .arg_peek(&opts.quotas, &principal, Instant::now());
        r = r
            .header("x-ms-user-quota-remaining", d.remaining.to_string())
            .header("x-ms-user-quota-resets-after", hhmmss(d.wait));
    }
    r
}

/// The normal answer `r` to a request, given the wrong shape `f` names (a 200 whatever the
/// real answer's status; its headers, such as quota headers, are kept).
pub(crate) fn reshape(route: &Route, mut r: Resp, f: &Fault) -> Resp {
    let real: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
    let link = if route.kind == Kind::Graph {
        "@odata.nextLink"
    } else {
        "nextLink"
    };
    // Where the real answer keeps its items: `data` on Resource Graph, `value` elsewhere.
    let items_key = if real.get("data").is_some() {
        "data"
    } else {
        "value"
    };
    let items = real.get(items_key).and_then(Value::as_array).cloned();
    let stand_in = || {
        json!({
            "id": format!("{}/providers/Fake.Shape/objects/object-body", route.scope),
            "name": "object-body",
            "properties": {}
        })
    };
    let body = match f {
        Fault::PageShaped => {
            let mut m = Map::new();
            m.insert("value".into(), json!([]));
            m.insert(link.into(), Value::Null);
            Value::Object(m)
        }
        Fault::ListBody => Value::Array(items.unwrap_or_else(|| vec![real.clone()])),
        Fault::ObjectBody => match items {
            Some(items) => items.into_iter().next().unwrap_or_else(stand_in),
            None => real.clone(),
        },
        Fault::ValueNotArray => match (items, real.clone()) {
            (Some(items), Value::Object(mut m)) => {
                m.insert(
                    items_key.into(),
                    items.into_iter().next().unwrap_or_else(stand_in),
                );
                Value::Object(m)
            }
            (_, other) => json!({ "value": other }),
        },
        Fault::ScalarItems => match (items, real.clone()) {
            (Some(_), Value::Object(mut m)) => {
                m.insert(items_key.into(), json!(["x", 1]));
                Value::Object(m)
            }
            _ => json!({"value": ["x", 1]}),
        },
        _ => real.clone(),
    };
    r.status = 200;
    r.truncate = false;
    r.body = serde_json::to_vec(&body).unwrap();
    r
}

/// The normal answer to a request.
pub(crate) fn respond(
    state: &State,
    ep: &Endpoint,
    route: &Route,
    req: &Req,
    repeat: bool,
) -> Resp {
    match &route.detail {
        Detail::Token { tenant } => token(state, tenant, req),
        Detail::Oidc => oidc(state, req),
        Detail::OpenIdConfig { tenant } => {
            let base = &state.urls.login;
            Resp::json(
                200,
                &json!({
                    "token_endpoint": format!("{base}/{tenant}/oauth2/v2.0/token"),
                    "authorization_endpoint": format!("{base}/{tenant}/oauth2/v2.0/authorize"),
                    "issuer": format!("{base}/{tenant}/v2.0"),
                    "jwks_uri": format!("{base}/{tenant}/discovery/v2.0/keys"),
                    "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
                    "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
                    "tenant_region_scope": "EU",
                    "cloud_instance_name": "microsoftonline.com"
                }),
            )
        }
        Detail::InstanceDiscovery => {
            let host = state.urls.login.trim_start_matches("https://").to_string();
            Resp::json(
                200,
                &json!({
                    "tenant_discovery_endpoint": format!("{}/common/v2.0/.well-known/openid-configuration", state.urls.login),
                    "api-version": "1.1",
                    "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}]
                }),
            )
        }
        Detail::Unknown(why) => arm_error(
            404,
            "NotFound",
            &format!("The fake Azure does not serve this request: {why}"),
        ),
        _ => match ep.role {
            Role::Graph => graph(state, ep, route, req, repeat),
            _ => arm(state, ep, route, req, repeat),
        },
    }
}

fn now_secs() -> i64 {
    Utc::now().timestamp()
}

fn token(state: &State, tenant: &str, req: &Req) -> Resp {
    let (tenant_id, o) = {
        (
            state.tenant.read().unwrap().tenant_id.clone(),
            state.opts.read().unwrap().clone(),
        )
    };
    if !tenant.eq_ignore_ascii_case(&tenant_id) {
        return aad_error(
            400,
            "invalid_request",
            90002,
            &format!(
                "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."
            ),
        );
    }
    let ct = req.header("content-type").unwrap_or("");
    if !ct.starts_with("application/x-www-form-urlencoded") {
        return aad_error(
            400,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'grant_type'.",
        );
    }
    let form: Vec<(String, String)> = form_urlencoded::parse(&req.body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let f = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    if f("grant_type") != Some("client_credentials") {
        return aad_error(
            400,
            "unsupported_grant_type",
            70003,
            "The app requested an unsupported grant type.",
        );
    }
    if f("client_id") != Some(o.client_id.as_str()) {
        return aad_error(
            400,
            "unauthorized_client",
            700016,
            &format!(
                "Application with identifier '{}' was not found in the directory '{tenant_id}'.",
                f("client_id").unwrap_or("")
            ),
        );
    }
    let Some(scope) = f("scope") else {
        return aad_error(
            400,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'scope'.",
        );
    };
    let Some(resource) = scope
        .split(' ')
        .next()
        .and_then(|s| s.strip_suffix("/.default"))
    else {
        return aad_error(
            400,
            "invalid_scope",
            1002012,
            &format!(
                "The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."
            ),
        );
    };
    match (f("client_secret"), f("client_assertion")) {
        (Some(secret), None) => {
            if secret != o.client_secret {
                return aad_error(
                    401,
                    "invalid_client",
                    7000215,
                    "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app.",
                );
            }
        }
        (None, Some(assertion)) => {
            if f("client_assertion_type")
                != Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
            {
                return aad_error(
                    400,
                    "invalid_request",
                    50027,
                    "The client_assertion_type is not supported.",
                );
            }
            let Some(c) = jwt::claims(assertion) else {
                return aad_error(
                    400,
                    "invalid_client",
                    50027,
                    "JWT token is invalid or is malformed.",
                );
            };
            let iss = c.get("iss").and_then(Value::as_str).unwrap_or("");
            let sub = c.get("sub").and_then(Value::as_str).unwrap_or("");
            let token_url = format!("{}/{tenant}/oauth2/v2.0/token", state.urls.login);
            // A certificate assertion: the app signs for itself (iss = sub = client id).
            let certificate =
                iss == o.client_id && sub == o.client_id && jwt::has_audience(&c, &token_url);
            if !certificate {
                if iss != o.oidc.issuer {
                    return aad_error(
                        400,
                        "invalid_client",
                        700211,
                        &format!(
                            "No matching federated identity record found for presented assertion issuer '{iss}'."
                        ),
                    );
                }
                if !jwt::has_audience(&c, &o.oidc.audience) {
                    return aad_error(
                        400,
                        "invalid_client",
                        700212,
                        "No matching federated identity record found for presented assertion audience.",
                    );
                }
                if sub != o.oidc.subject {
                    return aad_error(
                        400,
                        "invalid_client",
                        700213,
                        &format!(
                            "No matching federated identity record found for presented assertion subject '{sub}'."
                        ),
                    );
                }
            }
            let exp = c.get("exp").and_then(Value::as_i64).unwrap_or(0);
            if exp < now_secs() {
                return aad_error(
                    400,
                    "invalid_client",
                    700024,
                    "Client assertion is not within its valid time range.",
                );
            }
        }
        (Some(_), Some(_)) => {
            return aad_error(
                400,
                "invalid_request",
                7000218,
                "The request body must contain only one of 'client_assertion' or 'client_secret'.",
            );
        }
        (None, None) => {
            return aad_error(
                400,
                "invalid_client",
                7000218,
                "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
            );
        }
    }
    let now = now_secs();
    let lifetime = o.token_lifetime.as_secs() as i64;
    let claims = json!({
        "aud": resource.trim_end_matches('/'),
        "iss": format!("https://sts.windows.net/{tenant_id}/"),
        "iat": now, "nbf": now, "exp": now + lifetime,
        "appid": o.client_id,
        "appidacr": "1",
        "idtyp": "app",
        "oid": o.principal_id,
        "sub": o.principal_id,
        "tid": tenant_id,
        "ver": "1.0",
        "uti": format!("fake{}", state.next_id())
    });
    let access = jwt::mint(&state.key, &claims);
    state.issued.lock().unwrap().push(access.clone());
    Resp::json(
        200,
        &json!({
            "token_type": "Bearer",
            "expires_in": lifetime,
            "ext_expires_in": lifetime,
            "access_token": access
        }),
    )
}

pub(crate) fn mint_oidc(state: &State, audience: &str) -> String {
    let o = state.opts.read().unwrap().clone();
    let now = now_secs();
    jwt::mint(
        &state.key,
        &json!({
            "iss": o.oidc.issuer,
            "sub": o.oidc.subject,
            "aud": audience,
            "iat": now, "nbf": now - 5, "exp": now + 300,
            "jti": format!("fake-oidc-{}", state.next_id()),
            "repository": "contoso/soc2-evidence",
            "repository_owner": "contoso",
            "ref": "refs/heads/main",
            "event_name": "schedule",
            "job_workflow_ref": "contoso/soc2-evidence/.github/workflows/soc2-evidence.yml@refs/heads/main"
        }),
    )
}

fn oidc(state: &State, req: &Req) -> Resp {
    let want = state.opts.read().unwrap().oidc.request_token.clone();
    let bearer = req.header("authorization").and_then(|h| {
        h.strip_prefix("Bearer ")
            .or_else(|| h.strip_prefix("bearer "))
    });
    if bearer != Some(want.as_str()) {
        return Resp::json(401, &json!({"message": "Bad credentials"}));
    }
    let audience = req
        .q("audience")
        .unwrap_or("https://github.com/contoso")
        .to_string();
    let token = mint_oidc(state, &audience);
    state.issued.lock().unwrap().push(token.clone());
    Resp::json(200, &json!({"count": 1, "value": token}))
}

fn trim(s: &str) -> &str {
    s.trim_end_matches('/')
}

/// Checks the bearer token: issued by this fake, unexpired, for this API.
fn authorize(state: &State, ep: &Endpoint, req: &Req) -> Result<Value, Resp> {
    let graph = ep.role == Role::Graph;
    let fail = |code: &str, msg: &str| {
        let r = if graph {
            graph_error(401, code, msg)
        } else {
            arm_error(401, code, msg)
        };
        Err(r.header(
            "WWW-Authenticate",
            format!(
                "Bearer authorization_uri=\"{}/{}\", error=\"invalid_token\", error_description=\"{msg}\"",
                state.urls.login,
                state.tenant.read().unwrap().tenant_id
            ),
        ))
    };
    let Some(h) = req.header("authorization") else {
        return if graph {
            fail("InvalidAuthenticationToken", "Access token is empty.")
        } else {
            fail(
                "AuthenticationFailed",
                "Authentication failed. The 'Authorization' header is missing.",
            )
        };
    };
    let Some(token) = h
        .strip_prefix("Bearer ")
        .or_else(|| h.strip_prefix("bearer "))
    else {
        return fail(
            "InvalidAuthenticationToken",
            "The 'Authorization' header is not a bearer token.",
        );
    };
    let Some(claims) = jwt::verify(&state.key, token.trim()) else {
        return fail(
            "InvalidAuthenticationToken",
            "The access token is invalid (not issued by this fake).",
        );
    };
    if claims.get("exp").and_then(Value::as_i64).unwrap_or(0) < now_secs() {
        return fail(
            "ExpiredAuthenticationToken",
            "The access token expiry UTC time is earlier than current UTC time.",
        );
    }
    let aud = claims.get("aud").and_then(Value::as_str).unwrap_or("");
    let u = &state.urls;
    let allowed: Vec<&str> = if graph {
        let mut v = vec![u.graph.as_str(), "https://graph.microsoft.com"];
        v.extend(u.graph_http.as_deref());
        v
    } else {
        let mut v = vec![
            u.arm.as_str(),
            "https://management.azure.com",
            "https://management.core.windows.net",
        ];
        v.extend(u.arm_http.as_deref());
        v
    };
    if !allowed
        .iter()
        .any(|a| trim(a).eq_ignore_ascii_case(trim(aud)))
    {
        return fail(
            "InvalidAuthenticationTokenAudience",
            &format!(
                "The access token has been obtained for wrong audience or resource '{aud}'. It \
                 should exactly match with one of the allowed audiences '{}'.",
                allowed.join("', '")
            ),
        );
    }
    Ok(claims)
}

fn hhmmss(d: Duration) -> String {
    let s = d.as_secs_f64().ceil() as u64;
    format!("{:02}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
}

fn arm(state: &State, ep: &Endpoint, route: &Route, req: &Req, repeat: bool) -> Resp {
    let claims = match authorize(state, ep, req) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let principal = claims
        .get("oid")
        .and_then(Value::as_str)
        .unwrap_or("unknown")
        .to_string();
    let opts = state.opts.read().unwrap().clone();
    match req.q("api-version") {
        None => {
            return arm_error(
                400,
                "MissingApiVersionParameter",
                "The api-version query parameter (?api-version=) is required for all requests.",
            );
        }
        Some(v) => {
            if let Some(want) = route.api
                && opts.strict_api_versions
                && v != want
            {
                return arm_error(
                    400,
                    "InvalidApiVersionParameter",
                    &format!(
                        "The api-version '{v}' is invalid. The supported versions are '{want}'."
                    ),
                );
            }
        }
    }
    let now = Instant::now();
    if route.kind == Kind::ResourceGraph {
        let d = state
            .quotas
            .lock()
            .unwrap()
            .arg(&opts.quotas, &principal, now);
        let with_quota = |r: Resp| {
            r.header("x-ms-user-quota-remaining", d.remaining.to_string())
                .header("x-ms-user-quota-resets-after", hhmmss(d.wait))
        };
        if !d.allowed {
            let mut r = retry_headers(
                arm_error(
                    429,
                    "RateLimiting",
                    "Please provide below info when asking for support: timestamp, request id. \
                     Details: Rate limit exceeded: 15 queries per 5 seconds.",
                ),
                d.wait,
            );
            r.quota_throttled = true;
            return with_quota(r);
        }
        return with_quota(resource_graph(state, ep, route, req, repeat));
    }
    let (key, header) = match &route.detail {
        Detail::Subscriptions => (
            format!("tenant/{principal}"),
            "x-ms-ratelimit-remaining-tenant-reads",
        ),
        _ => {
            let sub = route
                .scope
                .trim_start_matches('/')
                .split('/')
                .nth(1)
                .unwrap_or("")
                .to_ascii_lowercase();
            (
                format!("{sub}/{principal}"),
                "x-ms-ratelimit-remaining-subscription-reads",
            )
        }
    };
    let d = state.quotas.lock().unwrap().bucket(
        &opts.quotas,
        &key,
        opts.quotas.arm_burst,
        opts.quotas.arm_burst,
        opts.quotas.arm_refill_per_sec,
        now,
    );
    if !d.allowed {
        let mut r = retry_headers(
            arm_error(
                429,
                "TooManyRequests",
                "The request is being throttled as the limit has been reached for operation \
                 type - Read. For more information, see - https://aka.ms/arm-throttling",
            ),
            d.wait,
        );
        r.quota_throttled = true;
        return r.header(header, "0");
    }
    let r = match &route.detail {
        Detail::Subscriptions => subscriptions(state, ep, req, repeat, &opts),
        Detail::SubList { sub, source } => {
            sub_list(state, ep, route, req, repeat, &opts, sub, source)
        }
        Detail::ActivityLog { sub } => activity_log(state, ep, route, req, repeat, &opts, sub),
        Detail::Child { rid, key, list } => child(
            state,
            ep,
            route,
            req,
            repeat,
            &opts,
            rid.as_deref(),
            key,
            *list,
        ),
        _ => arm_error(404, "NotFound", "not served"),
    };
    r.header(header, d.remaining.to_string())
}

fn token_for(prefix: &str, offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("{prefix}:{offset}"))
}

fn offset_from(prefix: &str, token: Option<&str>) -> Result<usize, ()> {
    let Some(t) = token else { return Ok(0) };
    let raw = URL_SAFE_NO_PAD.decode(t).map_err(|_| ())?;
    let s = String::from_utf8(raw).map_err(|_| ())?;
    s.strip_prefix(&format!("{prefix}:"))
        .and_then(|n| n.parse().ok())
        .ok_or(())
}

/// `base + raw path + original query (minus the page token) + the new page token`.
fn next_link(ep: &Endpoint, req: &Req, param: &str, token: &str) -> String {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in &req.query {
        if !k.eq_ignore_ascii_case(param) {
            ser.append_pair(k, v);
        }
    }
    ser.append_pair(param, token);
    format!("{}{}?{}", ep.base, req.raw_path, ser.finish())
}

fn add_volatile(v: &mut Value, opts: &super::FakeOptions, seq: u64) {
    if !opts.volatile_fields {
        return;
    }
    if let Some(m) = v.as_object_mut() {
        m.entry("etag").or_insert_with(|| {
            json!(format!(
                "W/\"datetime'2026-11-0{}T06%3A00%3A00.{seq:07}Z'\"",
                seq % 9 + 1
            ))
        });
        m.entry("systemData").or_insert_with(|| {
            json!({
                "createdBy": "deployer@contoso.example",
                "createdByType": "User",
                "createdAt": "2025-01-10T08:00:00.0000000Z",
                "lastModifiedBy": "deployer@contoso.example",
                "lastModifiedByType": "User",
                "lastModifiedAt": Utc::now().to_rfc3339()
            })
        });
    }
}

/// An ARM list body page: `{"value": [...], "nextLink": ...}`.
#[allow(clippy::too_many_arguments)]
fn arm_list(
    state: &State,
    ep: &Endpoint,
    req: &Req,
    repeat: bool,
    opts: &super::FakeOptions,
    mut items: Vec<Value>,
    page_size: Option<usize>,
    extra: Option<(&str, Value)>,
) -> Resp {
    let offset = match offset_from("arm", req.q("$skiptoken")) {
        Ok(o) => o,
        Err(()) => return arm_error(400, "InvalidSkipToken", "The $skiptoken is invalid."),
    };
    for it in &mut items {
        add_volatile(it, opts, state.next_id());
    }
    let size = page_size.unwrap_or(usize::MAX).max(1);
    let end = offset.saturating_add(size).min(items.len());
    let page: Vec<Value> = items
        .get(offset..end)
        .map(<[Value]>::to_vec)
        .unwrap_or_default();
    let mut body = Map::new();
    body.insert("value".into(), Value::Array(page));
    if let Some((k, v)) = extra {
        body.insert(k.into(), v);
    }
    if repeat {
        body.insert(
            "nextLink".into(),
            json!(next_link(ep, req, "$skiptoken", &token_for("arm", offset))),
        );
    } else if end < items.len() {
        body.insert(
            "nextLink".into(),
            json!(next_link(ep, req, "$skiptoken", &token_for("arm", end))),
        );
    }
    Resp::json(200, &Value::Object(body))
}

fn missing(state: &State, route: &Route, req: &Req, list: bool) -> Resp {
    let m = state.tenant.read().unwrap().missing;
    match m {
        Missing::Forbidden => fault_response(state, route, req, &Fault::Forbidden),
        Missing::NotFound => fault_response(state, route, req, &Fault::NotFound),
        // A singleton in the documented shape, with no settings: an ARM setting's `name` and
        // `properties`, a Graph entity's `id`.
        Missing::Empty => Resp::json(
            200,
            &if list {
                json!({"value": []})
            } else if route.kind == Kind::Graph {
                json!({"id": route.source})
            } else {
                json!({
                    "id": req.path,
                    "name": req.path.rsplit('/').next().unwrap_or("default"),
                    "properties": {}
                })
            },
        ),
    }
}

fn subscriptions(
    state: &State,
    ep: &Endpoint,
    req: &Req,
    repeat: bool,
    opts: &super::FakeOptions,
) -> Resp {
    let t = state.tenant.read().unwrap();
    let items: Vec<Value> = t
        .subscriptions
        .iter()
        .map(|s| {
            // A delegated subscription names its home tenant and the tenant managing it.
            let (home, managed_by) = match t.delegated.get(&s.id.to_ascii_lowercase()) {
                Some(home) => (home.clone(), json!([{"tenantId": t.tenant_id}])),
                None => (t.tenant_id.clone(), json!([])),
            };
            json!({
                "id": format!("/subscriptions/{}", s.id),
                "authorizationSource": "RoleBased",
                "managedByTenants": managed_by,
                "subscriptionId": s.id,
                "tenantId": home,
                "displayName": s.display_name,
                "state": s.state,
                "subscriptionPolicies": {
                    "locationPlacementId": "Public_2014-09-01",
                    "quotaId": "PayAsYouGo_2014-09-01",
                    "spendingLimit": "Off"
                },
                "tags": {}
            })
        })
        .collect();
    let n = items.len();
    let mut o = opts.clone();
    o.volatile_fields = false;
    arm_list(
        state,
        ep,
        req,
        repeat,
        &o,
        items,
        opts.arm_page_size,
        Some(("count", json!({"type": "Total", "value": n}))),
    )
}

#[allow(clippy::too_many_arguments)]
fn sub_list(
    state: &State,
    ep: &Endpoint,
    route: &Route,
    req: &Req,
    repeat: bool,
    opts: &super::FakeOptions,
    sub: &str,
    source: &str,
) -> Resp {
    let items = {
        let t = state.tenant.read().unwrap();
        let Some(s) = t
            .subscriptions
            .iter()
            .find(|s| s.id.eq_ignore_ascii_case(sub))
        else {
            return arm_error(
                404,
                "SubscriptionNotFound",
                &format!("The subscription '{sub}' could not be found."),
            );
        };
        s.lists.get(source).cloned().flatten()
    };
    match items {
        Some(items) => arm_list(
            state,
            ep,
            req,
            repeat,
            opts,
            items,
            opts.arm_page_size,
            None,
        ),
        None => missing(state, route, req, true),
    }
}

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.with_timezone(&Utc))
        .or_else(|| {
            chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|n| n.and_utc())
        })
}

#[allow(clippy::too_many_arguments)]
fn activity_log(
    state: &State,
    ep: &Endpoint,
    route: &Route,
    req: &Req,
    repeat: bool,
    opts: &super::FakeOptions,
    sub: &str,
) -> Resp {
    let bad = |m: &str| arm_error(400, "BadRequest", m);
    let Some(filter) = req.q("$filter") else {
        return bad("The $filter query parameter is required and must contain eventTimestamp ge.");
    };
    let mut ge = None;
    let mut le = None;
    let mut eq_filters: Vec<(String, String)> = vec![];
    let lower = filter.to_string();
    for clause in split_and(&lower) {
        let parts: Vec<&str> = clause.trim().splitn(3, ' ').collect();
        if parts.len() != 3 {
            return bad(&format!("Unsupported $filter clause '{clause}'."));
        }
        let (field, op, value) = (parts[0], parts[1].to_ascii_lowercase(), parts[2].trim());
        let value = value.trim_matches('\'').to_string();
        match (field.to_ascii_lowercase().as_str(), op.as_str()) {
            ("eventtimestamp", "ge" | "gt") => match parse_time(&value) {
                Some(t) => ge = Some(t),
                None => return bad(&format!("Cannot parse '{value}' as a time.")),
            },
            ("eventtimestamp", "le" | "lt") => match parse_time(&value) {
                Some(t) => le = Some(t),
                None => return bad(&format!("Cannot parse '{value}' as a time.")),
            },
            (
                "category" | "resourcegroupname" | "resourceuri" | "resourceprovider"
                | "correlationid" | "eventchannels" | "status" | "caller" | "levels",
                "eq",
            ) => eq_filters.push((field.to_ascii_lowercase(), value)),
            _ => return bad(&format!("Unsupported $filter clause '{clause}'.")),
        }
    }
    let Some(ge) = ge else {
        return bad("The $filter must contain 'eventTimestamp ge'.");
    };
    let le = le.unwrap_or_else(Utc::now);
    // Azure counts the 90 days loosely; a window computed as "now - 90 days" a moment before
    // the request arrives is accepted.
    if ge < Utc::now() - chrono::Duration::days(90) - chrono::Duration::hours(12) {
        return bad(
            "The start time of the query is older than 90 days, the Activity Log retention.",
        );
    }
    if le < ge {
        return bad("The end time must be after the start time.");
    }
    let events = {
        let t = state.tenant.read().unwrap();
        if !t
            .subscriptions
            .iter()
            .any(|s| s.id.eq_ignore_ascii_case(sub))
        {
            return arm_error(
                404,
                "SubscriptionNotFound",
                &format!("The subscription '{sub}' could not be found."),
            );
        }
        t.events.clone()
    };
    let Some(events) = events else {
        return missing(state, route, req, true);
    };
    let text = |e: &Value, p: &str| {
        e.pointer(p)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let mut items: Vec<Value> = events
        .into_iter()
        .filter(|e| text(e, "/subscriptionId").eq_ignore_ascii_case(sub))
        .filter(|e| parse_time(&text(e, "/eventTimestamp")).is_some_and(|t| t >= ge && t <= le))
        .filter(|e| {
            eq_filters.iter().all(|(f, v)| match f.as_str() {
                "category" => text(e, "/category/value").eq_ignore_ascii_case(v),
                "resourcegroupname" => text(e, "/resourceGroupName").eq_ignore_ascii_case(v),
                "resourceuri" => text(e, "/resourceId").eq_ignore_ascii_case(v),
                "resourceprovider" => {
                    text(e, "/resourceProviderName/value").eq_ignore_ascii_case(v)
                }
                "correlationid" => text(e, "/correlationId").eq_ignore_ascii_case(v),
                "status" => text(e, "/status/value").eq_ignore_ascii_case(v),
                "caller" => text(e, "/caller").eq_ignore_ascii_case(v),
                _ => true,
            })
        })
        .collect();
    // Newest first, as the service returns them.
    items.sort_by_key(|e| std::cmp::Reverse(text(e, "/eventTimestamp")));
    if let Some(select) = req.q("$select") {
        let fields: Vec<&str> = select.split(',').map(str::trim).collect();
        items = items
            .into_iter()
            .map(|e| {
                let mut m = Map::new();
                for f in &fields {
                    if let Some(v) = e.get(*f) {
                        m.insert((*f).to_string(), v.clone());
                    }
                }
                Value::Object(m)
            })
            .collect();
    }
    let mut o = opts.clone();
    o.volatile_fields = false;
    arm_list(
        state,
        ep,
        req,
        repeat,
        &o,
        items,
        Some(opts.activity_page_size),
        None,
    )
}

fn split_and(filter: &str) -> Vec<String> {
    let mut out = vec![];
    let mut cur = String::new();
    let mut in_str = false;
    let words: Vec<&str> = filter.split(' ').collect();
    for w in words {
        if !in_str && w.eq_ignore_ascii_case("and") {
            out.push(std::mem::take(&mut cur));
            continue;
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(w);
        if w.matches('\'').count() % 2 == 1 {
            in_str = !in_str;
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur);
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn child(
    state: &State,
    ep: &Endpoint,
    route: &Route,
    req: &Req,
    repeat: bool,
    opts: &super::FakeOptions,
    rid: Option<&str>,
    key: &str,
    list: bool,
) -> Resp {
    let not_found = || {
        arm_error(
            404,
            "ResourceNotFound",
            &format!(
                "The Resource '{}' was not found. For more details please go to \
                 https://aka.ms/ARMResourceNotFoundFix",
                route.scope
            ),
        )
    };
    let Some(rid) = rid else {
        return not_found();
    };
    let value = {
        let t = state.tenant.read().unwrap();
        let Some(r) = t.resources.get(rid) else {
            return not_found();
        };
        r.children.get(&key.to_ascii_lowercase()).cloned()
    };
    match value {
        None => missing(state, route, req, list),
        Some(None) => arm_error(
            404,
            if key.starts_with("managementPolicies") {
                "ManagementPolicyNotFound"
            } else {
                "ResourceNotFound"
            },
            &format!("No {key} exists for '{}'.", route.scope),
        ),
        Some(Some(v)) => {
            if list {
                let items = match v {
                    Value::Array(a) => a,
                    Value::Object(mut m) => match m.remove("value") {
                        Some(Value::Array(a)) => a,
                        _ => vec![Value::Object(m)],
                    },
                    other => vec![other],
                };
                arm_list(
                    state,
                    ep,
                    req,
                    repeat,
                    opts,
                    items,
                    opts.arm_page_size,
                    None,
                )
            } else {
                let mut v = v;
                add_volatile(&mut v, opts, state.next_id());
                Resp::json(200, &v)
            }
        }
    }
}

fn arg_error(code: &str, message: &str) -> Resp {
    Resp::json(
        400,
        &json!({"error": {
            "code": "BadRequest",
            "message": "Please provide below info when asking for support: timestamp, request id.",
            "details": [
                {"code": code, "message": message}
            ]
        }}),
    )
}

fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    h
}

fn resource_graph(state: &State, _ep: &Endpoint, route: &Route, _req: &Req, repeat: bool) -> Resp {
    let Detail::Arg(body) = &route.detail else {
        unreachable!()
    };
    let Some(query) = body.get("query").and_then(Value::as_str) else {
        return arg_error("InvalidQuery", "The request body must contain a 'query'.");
    };
    let options = body.get("options").cloned().unwrap_or(json!({}));
    if let Some(f) = options.get("resultFormat").and_then(Value::as_str)
        && !f.eq_ignore_ascii_case("objectArray")
    {
        return arg_error(
            "UnsupportedResultFormat",
            &format!("The fake serves resultFormat objectArray only, not '{f}'."),
        );
    }
    let q = match kql::parse(query) {
        Ok(q) => q,
        Err(e) => {
            return Resp::json(
                400,
                &json!({"error": {
                    "code": "BadRequest",
                    "message": "Please provide below info when asking for support: timestamp, request id.",
                    "details": [
                        {"code": "InvalidQuery", "message": "Query is invalid. Please refer to the documentation for the Azure Resource Graph service and fix the error before retrying."},
                        {"code": "ParserFailure", "message": e}
                    ]
                }}),
            );
        }
    };
    let opts = state.opts.read().unwrap().clone();
    let top = match options.get("$top") {
        None | Some(Value::Null) => opts.arg_default_top,
        Some(v) => match v.as_u64() {
            Some(n) if (1..=1000).contains(&n) => n as usize,
            _ => {
                return arg_error(
                    "InvalidParameter",
                    &format!("$top must be an integer between 1 and 1000, not {v}."),
                );
            }
        },
    };
    let page_size = top.min(opts.arg_page_cap).max(1);
    let subs: Vec<String> = body
        .get("subscriptions")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_ascii_lowercase))
                .collect()
        })
        .unwrap_or_default();
    let (result, scope_subs) = {
        let t = state.tenant.read().unwrap();
        let mut scope: Vec<String> = subs.clone();
        if let Some(mgs) = body.get("managementGroups").and_then(Value::as_array) {
            for mg in mgs.iter().filter_map(Value::as_str) {
                match t.management_groups.get(mg) {
                    Some(s) => scope.extend(s.iter().map(|x| x.to_ascii_lowercase())),
                    None => {
                        return arg_error(
                            "InvalidManagementGroup",
                            &format!("Management group '{mg}' was not found."),
                        );
                    }
                }
            }
        }
        scope.sort();
        let cache_key = format!("{query}|{}", scope.join(","));
        let cached = state.query_cache.lock().unwrap().get(&cache_key).cloned();
        let result = match cached {
            Some(r) => r,
            None => {
                let has_scope = !scope.is_empty();
                let rows: Vec<Value> =
                    t.tables
                        .get(&q.table)
                        .into_iter()
                        .flatten()
                        .filter(|r| {
                            !has_scope
                                || r.get("subscriptionId").and_then(Value::as_str).is_some_and(
                                    |s| scope.binary_search(&s.to_ascii_lowercase()).is_ok(),
                                )
                        })
                        .cloned()
                        .collect();
                let r = Arc::new(kql::run(&q, rows));
                state
                    .query_cache
                    .lock()
                    .unwrap()
                    .insert(cache_key, Arc::clone(&r));
                r
            }
        };
        (result, scope)
    };
    let total = result.len();
    let digest = format!("{:x}", fnv(&format!("{query}|{}", scope_subs.join(","))));
    let prefix = format!("arg-{digest}");
    let offset = match options.get("$skipToken").and_then(Value::as_str) {
        Some(t) => match offset_from(&prefix, Some(t)) {
            Ok(o) => o,
            Err(()) => {
                return arg_error(
                    "InvalidSkipToken",
                    "The $skipToken is not valid for this query and scope.",
                );
            }
        },
        None => options.get("$skip").and_then(Value::as_u64).unwrap_or(0) as usize,
    };
    let end = offset.saturating_add(page_size).min(total);
    let page: Vec<Value> = result
        .get(offset..end)
        .map(<[Value]>::to_vec)
        .unwrap_or_default();
    // Resource Graph pages only queries that project `id`; others come back truncated.
    let pageable = result.first().is_none_or(|r| r.get("id").is_some());
    let mut out = json!({
        "totalRecords": total,
        "count": page.len(),
        "data": page,
        "facets": [],
        "resultTruncated": if end < total && !pageable { "true" } else { "false" }
    });
    if repeat {
        out["$skipToken"] = json!(token_for(&prefix, offset));
    } else if end < total && pageable {
        out["$skipToken"] = json!(token_for(&prefix, end));
    }
    Resp::json(200, &out)
}

fn graph(state: &State, ep: &Endpoint, route: &Route, req: &Req, repeat: bool) -> Resp {
    let claims = match authorize(state, ep, req) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let opts = state.opts.read().unwrap().clone();
    if let Some((burst, refill)) = opts.quotas.graph {
        let principal = claims.get("oid").and_then(Value::as_str).unwrap_or("");
        let d = state.quotas.lock().unwrap().bucket(
            &opts.quotas,
            &format!("graph/{principal}"),
            burst,
            if opts.quotas.graph_starts_empty {
                0
            } else {
                burst
            },
            refill,
            Instant::now(),
        );
        if !d.allowed {
            let mut r = retry_headers(
                graph_error(429, "TooManyRequests", "Too many requests."),
                d.wait,
            );
            r.quota_throttled = true;
            return r;
        }
    }
    for (k, _) in &req.query {
        if !["$select", "$expand", "$top", "$skiptoken"]
            .iter()
            .any(|p| k.eq_ignore_ascii_case(p))
        {
            return graph_error(
                400,
                "Request_BadRequest",
                &format!("The fake Graph does not support the query option '{k}'."),
            );
        }
    }
    if let Detail::GraphRoleMembers { role } = &route.detail {
        return role_members(state, ep, req, role, &opts, repeat);
    }
    let Detail::Graph { path, singleton } = route.detail else {
        unreachable!()
    };
    let data = state
        .tenant
        .read()
        .unwrap()
        .graph
        .get(route.source.as_str())
        .cloned()
        .flatten();
    let Some(data) = data else {
        return missing(state, route, req, !singleton);
    };
    let context = format!(
        "{}/v1.0/$metadata#{}",
        ep.base,
        path.trim_start_matches('/')
    );
    if singleton {
        let mut v = data;
        if let Some(m) = v.as_object_mut() {
            m.insert("@odata.context".into(), json!(format!("{context}/$entity")));
        }
        return Resp::json(200, &v);
    }
    let Value::Array(mut items) = data else {
        return graph_error(
            500,
            "generalException",
            "fake tenant holds a non-list for a list route",
        );
    };
    let expand_members = req.q("$expand").is_some_and(|e| {
        e.split(',')
            .any(|x| x.trim().eq_ignore_ascii_case("members"))
    });
    if route.source == "graph.directory_roles"
        && (!expand_members || opts.graph_ignores_role_expand)
    {
        for it in &mut items {
            if let Some(m) = it.as_object_mut() {
                m.remove("members");
            }
        }
    }
    if let Some(select) = req.q("$select") {
        let fields: Vec<String> = select.split(',').map(|s| s.trim().to_string()).collect();
        for it in &mut items {
            if let Some(m) = it.as_object_mut() {
                m.retain(|k, _| {
                    k.starts_with("@odata")
                        || fields.iter().any(|f| f.eq_ignore_ascii_case(k))
                        || (expand_members && k == "members")
                });
            }
        }
    }
    graph_page(ep, req, &context, &items, opts.graph_page_size, repeat)
}

/// One page of a Graph list, with `@odata.nextLink` (a `$skiptoken`) while more remain.
fn graph_page(
    ep: &Endpoint,
    req: &Req,
    context: &str,
    items: &[Value],
    page_size: usize,
    repeat: bool,
) -> Resp {
    let top = req
        .q("$top")
        .and_then(|t| t.parse::<usize>().ok())
        .unwrap_or(page_size)
        .min(page_size)
        .clamp(1, 999);
    let offset = match offset_from("graph", req.q("$skiptoken")) {
        Ok(o) => o,
        Err(()) => return graph_error(400, "Request_BadRequest", "Invalid $skiptoken."),
    };
    let end = offset.saturating_add(top).min(items.len());
    let page: Vec<Value> = items
        .get(offset..end)
        .map(<[Value]>::to_vec)
        .unwrap_or_default();
    let mut out = json!({"@odata.context": context, "value": page});
    if repeat {
        out["@odata.nextLink"] = json!(next_link(
            ep,
            req,
            "$skiptoken",
            &token_for("graph", offset)
        ));
    } else if end < items.len() {
        out["@odata.nextLink"] = json!(next_link(ep, req, "$skiptoken", &token_for("graph", end)));
    }
    Resp::json(200, &out)
}

/// `GET /directoryRoles/{id}/members` (the role's object id or `roleTemplateId='…'`): the
/// `members` the tenant holds for that role (none when it holds an empty list or none at all),
/// paged like every Graph list; an unknown role is Graph's 404.
fn role_members(
    state: &State,
    ep: &Endpoint,
    req: &Req,
    role: &str,
    opts: &super::FakeOptions,
    repeat: bool,
) -> Resp {
    let by_template = role
        .strip_prefix("roleTemplateId='")
        .or_else(|| role.strip_prefix("roleTemplateId=%27"))
        .map(|r| r.trim_end_matches('\'').trim_end_matches("%27"));
    let found = state
        .tenant
        .read()
        .unwrap()
        .graph
        .get("graph.directory_roles")
        .cloned()
        .flatten()
        .and_then(|roles| {
            roles.as_array().and_then(|list| {
                list.iter()
                    .find(|r| {
                        let field = |k: &str| r.get(k).and_then(Value::as_str);
                        match by_template {
                            Some(t) => {
                                field("roleTemplateId").is_some_and(|x| x.eq_ignore_ascii_case(t))
                            }
                            None => field("id").is_some_and(|x| x.eq_ignore_ascii_case(role)),
                        }
                    })
                    .cloned()
            })
        });
    let Some(found) = found else {
        return graph_error(
            404,
            "Request_ResourceNotFound",
            &format!(
                "Resource '{role}' does not exist or one of its queried reference-property objects are not present."
            ),
        );
    };
    let items: Vec<Value> = found
        .get("members")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let context = format!("{}/v1.0/$metadata#directoryObjects", ep.base);
    graph_page(ep, req, &context, &items, opts.graph_page_size, repeat)
}
