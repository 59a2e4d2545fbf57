//! App Service and Azure Functions checks (`Microsoft.Web/sites`, web and function apps alike):
//! transport security, deployment channels, debugging and CORS exposure, authentication,
//! client certificates, network exposure, managed identity, logging and availability.
//!
//! Resource Graph carries the site's top-level settings (`httpsOnly`, `clientCertEnabled`,
//! `publicNetworkAccess`, `identity`); the site configuration comes from ARM into the children
//! `config/web` and `config/authsettingsV2`, and diagnostic settings into
//! `diagnosticSettings`. Resource Graph's own `siteConfig` is not read: it is mostly empty there.
//!
//! Microsoft publishes separate policies for web apps and function apps (`kind` contains
//! `functionapp`) that test the same setting; these checks cover both kinds, so both policies
//! are listed where they exist.

use serde_json::Value;

use super::monitor::{
    LogSelector, destinations, enabled_logs, fail_unless_unreadable, setting_name, settings_list,
    summarise,
};
use super::props;
use super::{Check, CheckMeta, Eval, Severity, Verdict, require_bool};
use crate::model::Resource;

const TYPE: &str = "microsoft.web/sites";
const RG: &str = "resource_graph.resources";
const WEB: &str = "arm.web_config";
const AUTH: &str = "arm.web_auth_settings";
const DIAG: &str = "arm.diagnostic_settings";

pub(super) const CHECKS: &[Check] = &[
    Check {
        meta: CheckMeta {
            id: "appservice_https_only",
            title: "App Service apps redirect all HTTP traffic to HTTPS",
            service: "appservice",
            severity: Severity::High,
            criteria: &["CC6.1", "CC6.6", "CC6.7"],
            cis: &["2.1.0:9.2", "3.0.0:9.1"],
            policies: &[
                "a4af4a39-4135-47fb-b175-47fbdf85311d",
                "6d555dd1-86f2-4f1c-8ed7-5abae7c6cbab",
            ],
            description: "Passes when the site's properties.httpsOnly is true; false fails; absent is \
                          an error.",
            rationale: "Without HTTPS only, the app answers plain HTTP, exposing session cookies, \
                        tokens and data in transit; CC6.7 requires protected transmission.",
            remediation: "Portal: App Service > Settings > Configuration > General settings > HTTPS \
                          Only = On. CLI: az webapp update -g <rg> -n <app> --https-only true (az \
                          functionapp update -g <rg> -n <app> --set httpsOnly=true for function apps)",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, https_only),
    },
    Check {
        meta: CheckMeta {
            id: "appservice_minimum_tls_1_2",
            title: "App Service apps require TLS 1.2 or later",
            service: "appservice",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.6", "CC6.7"],
            cis: &["2.1.0:9.3", "3.0.0:9.4"],
            policies: &["f9d614c5-c173-4d56-95a7-b4437057d193"],
            description: "Reads the site configuration (ARM config/web). Passes when minTlsVersion is \
                          1.2 or 1.3; 1.0 and 1.1 fail; the configuration not collected, or without \
                          minTlsVersion, is an error. Microsoft's function-app policy in its current \
                          version asks for 1.3; this check follows CIS and accepts 1.2. \
                          Since catalogue 2026.12.0: a config/web answer that is not the \
                          documented object (a page-shaped `value` list, a bare array, an object \
                          without `name` and `properties`) is a collection gap and makes the \
                          finding an error instead of being read as settings.",
            rationale: "TLS 1.0 and 1.1 have known weaknesses; CC6.7 requires the transmission of \
                        data to be protected.",
            remediation: "Portal: App Service > Settings > Configuration > General settings > Minimum \
                          inbound TLS version = 1.2. CLI: az webapp config set -g <rg> -n <app> \
                          --min-tls-version 1.2",
            sources: &[RG, WEB],
        },
        eval: Eval::Resource(TYPE, minimum_tls),
    },
    Check {
        meta: CheckMeta {
            id: "appservice_scm_minimum_tls_1_2",
            title: "App Service deployment (SCM/Kudu) endpoints require TLS 1.2 or later",
            service: "appservice",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.7"],
            cis: &[],
            policies: &[],
            description: "Reads the site configuration (ARM config/web). Passes when scmMinTlsVersion \
                          is 1.2 or 1.3; 1.0 and 1.1 fail; the configuration not collected, or \
                          without scmMinTlsVersion, is an error. \
                          Since catalogue 2026.12.0: a config/web answer that is not the \
                          documented object (a page-shaped `value` list, a bare array, an object \
                          without `name` and `properties`) is a collection gap and makes the \
                          finding an error instead of being read as settings.",
            rationale: "The SCM site accepts deployments and exposes the file system and \
                        environment; its credentials and code deserve the same protected transport as \
                        the app (CC6.7).",
            remediation: "Portal: App Service > Settings > Configuration > General settings > SCM \
                          minimum inbound TLS version = 1.2. CLI: az webapp config set -g <rg> -n \
                          <app> --generic-configurations '{\"scmMinTlsVersion\": \"1.2\"}'",
            sources: &[RG, WEB],
        },
        eval: Eval::Resource(TYPE, scm_minimum_tls),
    },
    Check {
        meta: CheckMeta {
            id: "appservice_ftps_only",
            title: "App Service apps allow FTP deployment only over FTPS, or not at all",
            service: "appservice",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.6", "CC6.7"],
            cis: &["2.1.0:9.9", "3.0.0:9.3"],
            policies: &[
                "4d24b6d4-5e53-4a4f-a7f4-618fa573ee4b",
                "399b2637-a50f-4f95-96f8-3a145476eb15",
            ],
            description: "Reads the site configuration (ARM config/web). Passes when ftpsState is \
                          FtpsOnly or Disabled; AllAllowed (plain FTP accepted) fails; the \
                          configuration not collected, or without ftpsState, is an error. \
                          Since catalogue 2026.12.0: a config/web answer that is not the \
                          documented object (a page-shaped `value` list, a bare array, an object \
                          without `name` and `properties`) is a collection gap and makes the \
                          finding an error instead of being read as settings.",
            rationale: "Plain FTP sends deployment credentials and code in clear text; anyone on the \
                        path can take over the app (CC6.6, CC6.7).",
            remediation: "Portal: App Service > Settings > Configuration > General settings > FTP \
                          state = FTPS only (or Disabled). CLI: az webapp config set -g <rg> -n <app> \
                          --ftps-state Disabled",
            sources: &[RG, WEB],
        },
        eval: Eval::Resource(TYPE, ftps_only),
    },
    Check {
        meta: CheckMeta {
            id: "appservice_remote_debugging_disabled",
            title: "App Service apps have remote debugging turned off",
            service: "appservice",
            severity: Severity::Medium,
            criteria: &["CC6.6", "CC6.8", "CC8.1"],
            cis: &["3.0.0:9.12"],
            policies: &[
                "cb510bfd-1cba-4d9f-a230-cb0976f4bb71",
                "0e60b895-3786-45da-8377-9c6b4b6ac5f9",
            ],
            description: "Reads the site configuration (ARM config/web). Passes when \
                          remoteDebuggingEnabled is false; true fails; the configuration not \
                          collected, or without the flag, is an error. \
                          Since catalogue 2026.12.0: a config/web answer that is not the \
                          documented object (a page-shaped `value` list, a bare array, an object \
                          without `name` and `properties`) is a collection gap and makes the \
                          finding an error instead of being read as settings.",
            rationale: "Remote debugging opens inbound debugger ports and lets code be inspected and \
                        altered in production outside the change process (CC6.6, CC6.8, CC8.1).",
            remediation: "Portal: App Service > Settings > Configuration > General settings > Remote \
                          debugging = Off. CLI: az webapp config set -g <rg> -n <app> \
                          --remote-debugging-enabled false",
            sources: &[RG, WEB],
        },
        eval: Eval::Resource(TYPE, remote_debugging_disabled),
    },
    Check {
        meta: CheckMeta {
            id: "appservice_http2_enabled",
            title: "App Service apps use HTTP/2",
            service: "appservice",
            severity: Severity::Low,
            criteria: &["CC6.8", "CC8.1"],
            cis: &["2.1.0:9.8", "3.0.0:9.10"],
            policies: &[
                "8c122334-9d20-4eb8-89ea-ac9a705b74ae",
                "e2c1c086-2d84-4019-bff3-c44ccd95113c",
            ],
            description: "Reads the site configuration (ARM config/web). Passes when http20Enabled is \
                          true; false fails; the configuration not collected, or without the flag, \
                          is an error. \
                          Since catalogue 2026.12.0: a config/web answer that is not the \
                          documented object (a page-shaped `value` list, a bare array, an object \
                          without `name` and `properties`) is a collection gap and makes the \
                          finding an error instead of being read as settings.",
            rationale: "CIS and Microsoft's baseline expect apps on the current protocol version as \
                        part of keeping platform configuration current; Microsoft's SOC 2 initiative \
                        maps this setting to CC6.8 and CC8.1. Its direct security effect is small, \
                        hence the low severity.",
            remediation: "Portal: App Service > Settings > Configuration > General settings > HTTP \
                          version = 2.0. CLI: az webapp config set -g <rg> -n <app> --http20-enabled \
                          true",
            sources: &[RG, WEB],
        },
        eval: Eval::Resource(TYPE, http2_enabled),
    },
    Check {
        meta: CheckMeta {
            id: "appservice_client_certificates_required",
            title: "App Service apps require client certificates",
            service: "appservice",
            severity: Severity::Low,
            criteria: &["CC6.1", "CC6.8", "CC8.1"],
            cis: &[],
            policies: &["19dd1db6-f442-49cf-a838-b0786b4401ef"],
            description: "Passes when the site's properties.clientCertEnabled is true and \
                          properties.clientCertMode is Required (or absent, which Azure treats as \
                          Required). clientCertEnabled false fails; so does a mode of Optional or \
                          OptionalInteractiveUser, which accepts callers without a certificate. \
                          clientCertEnabled absent is an error. Since catalogue 2026.12.0: absent properties.clientCertEnabled is its documented default (false); absent properties.clientCertMode is its documented default (Required) (docs/ABSENT_FIELDS.md), and a resource returned without its properties is an error.",
            rationale: "Mutual TLS admits only callers holding a trusted certificate, an \
                        authentication layer in front of the application (CC6.1); Microsoft's SOC 2 \
                        initiative maps its equivalent policy to CC6.8 and CC8.1. Low severity: \
                        many public apps rightly authenticate users another way.",
            remediation: "Portal: App Service > Settings > Configuration > General settings > Client \
                          certificate mode = Require. CLI: az webapp update -g <rg> -n <app> --set \
                          clientCertEnabled=true clientCertMode=Required",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, client_certificates),
    },
    Check {
        meta: CheckMeta {
            id: "appservice_authentication_enabled",
            title: "App Service apps have App Service Authentication enabled",
            service: "appservice",
            severity: Severity::Medium,
            criteria: &["CC6.1"],
            cis: &["2.1.0:9.1", "3.0.0:9.2"],
            policies: &[],
            description: "Reads the site's authentication settings (ARM config/authsettingsV2). \
                          Passes when properties.platform.enabled is true; false fails; the settings \
                          not collected, or without the flag, is an error. The action for \
                          unauthenticated requests and the enabled identity providers are recorded. \
                          Since catalogue 2026.12.0: a config/authsettingsV2 answer that is not \
                          the documented object (a page-shaped `value` list, a bare array, an \
                          object without `name` and `properties`) is a collection gap and makes \
                          the finding an error instead of being read as settings.",
            rationale: "Built-in authentication rejects or redirects anonymous requests before they \
                        reach the code, so an application bug cannot expose data to unauthenticated \
                        users (CC6.1).",
            remediation: "Portal: App Service > Settings > Authentication > Add identity provider \
                          (Microsoft), Restrict access = Require authentication. CLI: az webapp auth \
                          update -g <rg> -n <app> --enabled true --action RedirectToLoginPage",
            sources: &[RG, AUTH],
        },
        eval: Eval::Resource(TYPE, authentication),
    },
    Check {
        meta: CheckMeta {
            id: "appservice_public_network_access_disabled",
            title: "App Service apps disable public network access",
            service: "appservice",
            severity: Severity::Low,
            criteria: &["CC6.1", "CC6.6"],
            cis: &[],
            policies: &[],
            description: "Passes when the site's properties.publicNetworkAccess is Disabled (reachable \
                          through private endpoints only); Enabled fails, and so does an empty \
                          string, which Azure documents as the default, Enabled; absent is an error.",
            rationale: "An internal app with a public endpoint is one misconfiguration away from \
                        exposure; disabling public access keeps it inside the network boundary \
                        (CC6.6). Low severity: internet-facing apps legitimately keep it on.",
            remediation: "Portal: App Service > Settings > Networking > Public network access = \
                          Disabled (add a private endpoint first). CLI: az webapp update -g <rg> -n \
                          <app> --set publicNetworkAccess=Disabled",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, public_network_access),
    },
    Check {
        meta: CheckMeta {
            id: "appservice_always_on",
            title: "App Service web apps keep Always On enabled",
            service: "appservice",
            severity: Severity::Low,
            criteria: &["A1.1"],
            cis: &[],
            policies: &[],
            description: "Reads the site configuration (ARM config/web). Passes when alwaysOn is true; \
                          false fails; the configuration not collected, or without the flag, is an \
                          error. Function apps (kind contains functionapp) are not applicable: their \
                          plans scale by demand or keep instances warm by other settings. \
                          Since catalogue 2026.12.0: a config/web answer that is not the \
                          documented object (a page-shaped `value` list, a bare array, an object \
                          without `name` and `properties`) is a collection gap and makes the \
                          finding an error instead of being read as settings.",
            rationale: "Without Always On, an idle app is unloaded and its next requests wait for a \
                        cold start or time out, and scheduled WebJobs stop; keeping the processing \
                        capacity loaded supports availability commitments (A1.1).",
            remediation: "Portal: App Service > Settings > Configuration > General settings > Always \
                          on = On. CLI: az webapp config set -g <rg> -n <app> --always-on true",
            sources: &[RG, WEB],
        },
        eval: Eval::Resource(TYPE, always_on),
    },
    Check {
        meta: CheckMeta {
            id: "appservice_diagnostic_logs_enabled",
            title: "App Service request logs are sent to a log destination",
            service: "appservice",
            severity: Severity::Medium,
            criteria: &["CC7.2"],
            cis: &[],
            policies: &[],
            description: "Reads the site's diagnostic settings (ARM Microsoft.Insights/\
                          diagnosticSettings on the site). Passes when a setting with a destination \
                          (workspace, storage account, event hub or partner) has an enabled log \
                          entry for AppServiceHTTPLogs (FunctionAppLogs for function apps) or the \
                          allLogs category group. No such setting fails; settings not collected is \
                          an error.",
            rationale: "Request logs record who called the app, when and with what result; without \
                        them attacks against the application cannot be detected or investigated \
                        (CC7.2).",
            remediation: "Portal: App Service > Monitoring > Diagnostic settings > Add diagnostic \
                          setting; select HTTP logs (or allLogs) and a Log Analytics workspace. CLI: \
                          az monitor diagnostic-settings create -n app-logs --resource <site-id> \
                          --workspace <workspace-id> --logs \
                          '[{\"category\":\"AppServiceHTTPLogs\",\"enabled\":true}]'",
            sources: &[RG, DIAG],
        },
        eval: Eval::Resource(TYPE, diagnostic_logs),
    },
    Check {
        meta: CheckMeta {
            id: "appservice_cors_no_wildcard",
            title: "App Service apps do not allow CORS requests from every origin",
            service: "appservice",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.8", "CC8.1"],
            cis: &[],
            policies: &[
                "5744710e-cc2f-4ee8-8809-3b11e89f4bc9",
                "0820b7b9-23aa-4725-a1ce-ae4558f718e5",
            ],
            description: "Reads the site configuration (ARM config/web). Fails when \
                          cors.allowedOrigins contains \"*\"; passes otherwise, including when the \
                          collected configuration has no cors object (no CORS rule: browsers get no \
                          cross-origin grant). The configuration not collected is an error. \
                          Since catalogue 2026.12.0: a config/web answer that is not the \
                          documented object (a page-shaped `value` list, a bare array, an object \
                          without `name` and `properties`) is a collection gap and makes the \
                          finding an error instead of being read as settings; a config/web \
                          whose properties object is empty is an error, where it passed as \
                          having no cors object.",
            rationale: "A wildcard origin lets any web page read the app's responses from a \
                        visitor's browser, undermining origin-based access restrictions (CC6.1); \
                        Microsoft's SOC 2 initiative maps the equivalent policy to CC6.8 and CC8.1.",
            remediation: "Portal: App Service > API > CORS > remove * and list the allowed origins. \
                          CLI: az webapp cors remove -g <rg> -n <app> --allowed-origins '*'",
            sources: &[RG, WEB],
        },
        eval: Eval::Resource(TYPE, cors_no_wildcard),
    },
    Check {
        meta: CheckMeta {
            id: "appservice_managed_identity",
            title: "App Service apps have a managed identity",
            service: "appservice",
            severity: Severity::Low,
            criteria: &["CC6.1"],
            cis: &["2.1.0:9.4", "3.0.0:9.5"],
            policies: &[],
            description: "Reads the site's top-level identity. Passes when identity.type includes \
                          SystemAssigned or UserAssigned; None fails, and so does no identity at all \
                          (Azure returns none when nothing is assigned); an identity without a type \
                          is an error.",
            rationale: "A managed identity lets the app reach Key Vault, storage and databases with \
                        Entra tokens instead of secrets in configuration, which removes credentials \
                        that can leak and cannot be attributed (CC6.1).",
            remediation: "Portal: App Service > Settings > Identity > System assigned > Status = On. \
                          CLI: az webapp identity assign -g <rg> -n <app>",
            sources: &[RG],
        },
        eval: Eval::Resource(TYPE, managed_identity),
    },
];

fn is_function_app(r: &Resource) -> bool {
    r.kind
        .as_deref()
        .is_some_and(|k| k.to_ascii_lowercase().contains("functionapp"))
}

/// A field of the collected site configuration (`config/web`), as (observed key, value). `Err`
/// is the error verdict when the configuration was not collected.
fn web_config<'a>(r: &'a Resource, field: &str) -> Result<(String, Option<&'a Value>), Verdict> {
    let child = "config/web";
    let obs = format!("{child}.{field}");
    match r.child(child) {
        None | Some(Value::Null) => Err(Verdict::error(format!(
            "the site configuration ({child}) was not collected"
        ))
        .observe(&obs, None)),
        Some(_) => Ok((obs, props::child_value(r, child, &format!("/{field}")))),
    }
}

/// A `config/web` string that passes when it is one of `ok`.
fn config_one_of(r: &Resource, field: &str, ok: &[&str], pass: &str) -> Verdict {
    let (obs, value) = match web_config(r, field) {
        Ok(found) => found,
        Err(v) => return v,
    };
    match value {
        Some(Value::String(s)) if ok.iter().any(|o| o.eq_ignore_ascii_case(s)) => {
            Verdict::pass(pass)
        }
        Some(Value::String(s)) => Verdict::fail(format!("{obs} is {s}")),
        Some(other) => Verdict::error(format!("{obs} has unexpected value {other}")),
        None => Verdict::error(format!("{obs} is not present in the collected data")),
    }
    .observe(&obs, value)
}

/// A `config/web` boolean that passes when it equals `want`.
fn config_flag(r: &Resource, field: &str, want: bool, pass: &str, fail: &str) -> Verdict {
    let (obs, value) = match web_config(r, field) {
        Ok(found) => found,
        Err(v) => return v,
    };
    match value {
        Some(Value::Bool(b)) if *b == want => Verdict::pass(pass),
        Some(Value::Bool(_)) => Verdict::fail(fail),
        Some(other) => Verdict::error(format!("{obs} has unexpected value {other}")),
        None => Verdict::error(format!("{obs} is not present in the collected data")),
    }
    .observe(&obs, value)
}

fn https_only(r: &Resource) -> Verdict {
    match require_bool(r, "/httpsOnly") {
        Ok(true) => Verdict::pass("the app accepts HTTPS only"),
        Ok(false) => Verdict::fail("the app answers plain HTTP"),
        Err(v) => return v,
    }
    .observe_prop("properties.httpsOnly", r, "/httpsOnly")
}

fn minimum_tls(r: &Resource) -> Verdict {
    config_one_of(
        r,
        "minTlsVersion",
        &["1.2", "1.3"],
        "minimum TLS version is 1.2 or later",
    )
}

fn scm_minimum_tls(r: &Resource) -> Verdict {
    config_one_of(
        r,
        "scmMinTlsVersion",
        &["1.2", "1.3"],
        "the SCM site requires TLS 1.2 or later",
    )
}

fn ftps_only(r: &Resource) -> Verdict {
    config_one_of(
        r,
        "ftpsState",
        &["FtpsOnly", "Disabled"],
        "plain FTP is not accepted",
    )
}

fn remote_debugging_disabled(r: &Resource) -> Verdict {
    config_flag(
        r,
        "remoteDebuggingEnabled",
        false,
        "remote debugging is off",
        "remote debugging is on",
    )
}

fn http2_enabled(r: &Resource) -> Verdict {
    config_flag(
        r,
        "http20Enabled",
        true,
        "HTTP/2 is enabled",
        "HTTP/2 is disabled",
    )
}

fn client_certificates(r: &Resource) -> Verdict {
    let mode = props::value(r, "/clientCertMode");
    let v = match require_bool(r, "/clientCertEnabled") {
        Ok(false) => Verdict::fail("client certificates are not requested"),
        Ok(true) => match mode.and_then(Value::as_str) {
            None | Some("Required") => Verdict::pass("client certificates are required"),
            Some(m) => Verdict::fail(format!(
                "client certificates are requested but optional (clientCertMode {m})"
            )),
        },
        Err(v) => return v,
    };
    v.observe_prop("properties.clientCertEnabled", r, "/clientCertEnabled")
        .observe("properties.clientCertMode", mode)
}

fn authentication(r: &Resource) -> Verdict {
    let child = "config/authsettingsV2";
    let obs = format!("{child}.platform.enabled");
    let body = match r.child(child) {
        None | Some(Value::Null) => {
            return Verdict::error(format!(
                "the authentication settings ({child}) were not collected"
            ))
            .observe(&obs, None);
        }
        Some(body) => body,
    };
    let enabled = props::child_value(r, child, "/platform/enabled");
    let action = body.pointer("/properties/globalValidation/unauthenticatedClientAction");
    let providers: Vec<&str> = body
        .pointer("/properties/identityProviders")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(_, p)| p.get("enabled").and_then(Value::as_bool) != Some(false))
        .map(|(name, _)| name.as_str())
        .collect();
    match enabled {
        Some(Value::Bool(true)) => Verdict::pass("App Service Authentication is enabled"),
        Some(Value::Bool(false)) => Verdict::fail("App Service Authentication is disabled"),
        Some(other) => Verdict::error(format!("{obs} has unexpected value {other}")),
        None => Verdict::error(format!("{obs} is not present in the collected data")),
    }
    .observe(&obs, enabled)
    .observe(
        &format!("{child}.globalValidation.unauthenticatedClientAction"),
        action,
    )
    .observe_value(
        &format!("{child}.identityProviders"),
        Value::from(providers),
    )
}

fn public_network_access(r: &Resource) -> Verdict {
    let key = "properties.publicNetworkAccess";
    let value = props::value(r, "/publicNetworkAccess");
    match value {
        Some(Value::String(s)) if s.eq_ignore_ascii_case("Disabled") => {
            Verdict::pass("public network access is disabled")
        }
        Some(Value::String(s)) if s.is_empty() => {
            Verdict::fail("public network access is the default, Enabled (empty value)")
        }
        Some(Value::String(s)) => Verdict::fail(format!("public network access is {s}")),
        Some(other) => Verdict::error(format!("{key} has unexpected value {other}")),
        None => Verdict::error(format!("{key} is not present in the collected data")),
    }
    .observe(key, value)
}

fn always_on(r: &Resource) -> Verdict {
    if is_function_app(r) {
        return Verdict::not_applicable(
            "function apps do not use Always On; their plan decides how instances stay warm",
        )
        .observe_value("kind", r.kind.clone().map_or(Value::Null, Value::from));
    }
    config_flag(
        r,
        "alwaysOn",
        true,
        "Always On is enabled",
        "Always On is disabled: the app is unloaded when idle",
    )
}

fn diagnostic_logs(r: &Resource) -> Verdict {
    let key = "diagnosticSettings";
    let category = if is_function_app(r) {
        "FunctionAppLogs"
    } else {
        "AppServiceHTTPLogs"
    };
    let Some(body) = r.child(key) else {
        return Verdict::error("diagnostic settings (diagnosticSettings) were not collected")
            .observe(key, None);
    };
    let Some(settings) = settings_list(body) else {
        return Verdict::error(format!("diagnosticSettings has unexpected value {body}"))
            .observe(key, Some(body));
    };
    let covers = |sel: LogSelector<'_>| match sel {
        LogSelector::Category(c) => c.eq_ignore_ascii_case(category),
        LogSelector::Group(g) => g.eq_ignore_ascii_case("allLogs"),
    };
    let sending: Vec<&str> = settings
        .iter()
        .filter(|s| !destinations(s).is_empty() && enabled_logs(s).into_iter().any(covers))
        .map(setting_name)
        .collect();
    let v = if !sending.is_empty() {
        Verdict::pass(format!(
            "{category} are sent to a destination by: {}",
            sending.join(", ")
        ))
    } else if settings.is_empty() {
        Verdict::fail("the app has no diagnostic setting")
    } else {
        fail_unless_unreadable(
            settings,
            Verdict::fail(format!(
                "no diagnostic setting sends {category} to a destination"
            )),
        )
    };
    v.observe_value(key, Value::Array(settings.iter().map(summarise).collect()))
}

fn cors_no_wildcard(r: &Resource) -> Verdict {
    let (obs, origins) = match web_config(r, "cors/allowedOrigins") {
        Ok((_, origins)) => ("config/web.cors.allowedOrigins".to_string(), origins),
        Err(v) => return v,
    };
    match origins {
        // An empty configuration says nothing about CORS: missing data, not "no rule".
        None if !props::child_body_present(r, "config/web") => Verdict::error(format!(
            "{obs} is unknown: the site configuration (config/web) came back with empty properties"
        )),
        None => Verdict::pass("no CORS origin is allowed"),
        Some(Value::Array(list)) if list.iter().any(|o| o.as_str().map(str::trim) == Some("*")) => {
            Verdict::fail("CORS allows every origin (*)")
        }
        Some(Value::Array(list)) => Verdict::pass(format!(
            "CORS allows {} listed origin(s), no wildcard",
            list.len()
        )),
        Some(other) => Verdict::error(format!("{obs} has unexpected value {other}")),
    }
    .observe(&obs, origins)
}

fn managed_identity(r: &Resource) -> Verdict {
    let key = "identity.type";
    let Some(identity) = r.identity.as_ref().filter(|i| !i.is_null()) else {
        return Verdict::fail("the app has no managed identity").observe(key, None);
    };
    let kind = identity.get("type").filter(|v| !v.is_null());
    match kind.and_then(Value::as_str) {
        Some(t) if t.contains("SystemAssigned") || t.contains("UserAssigned") => {
            Verdict::pass(format!("managed identity assigned ({t})"))
        }
        Some(t) => Verdict::fail(format!("the app has no managed identity (type {t})")),
        None => Verdict::error(format!("{key} is not present in the collected data")),
    }
    .observe(key, kind)
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::checks::FindingStatus as S;
    use crate::checks::testutil::{
        eval_resource, fixture, fixture_resource, set_prop, without_body,
    };
    use crate::model::Resource;

    /// sitef6141 (index 0) and sitef7252: kind app, httpsOnly false, clientCertEnabled false
    /// (mode Required), no identity, no publicNetworkAccess.
    const SITES: &str = "appservice/web_apps_list.2024-11-01.json";
    /// minTlsVersion and scmMinTlsVersion 1.2, ftpsState AllAllowed, remote debugging off,
    /// HTTP/2 off, Always On off, no cors.
    const CONFIG: &str = "appservice/web_app_site_config_get.2024-11-01.json";
    /// platform.enabled true, Return403, Google provider.
    const AUTH: &str = "../handmade/appservice/web_app_auth_settings_v2_get.2024-11-01.json";
    const DIAG: &str = "monitor/diagnostic_settings_list_resource.2021-05-01-preview.json";

    fn site() -> Resource {
        fixture_resource(SITES, 0)
    }
    fn function_app() -> Resource {
        let mut r = site();
        r.kind = Some("functionapp,linux".into());
        r
    }
    fn with_config(edit: impl FnOnce(&mut Value)) -> Resource {
        let mut body = fixture(CONFIG);
        edit(&mut body["properties"]);
        let mut r = site();
        r.children.insert("config/web".into(), body);
        r
    }
    fn configured() -> Resource {
        with_config(|_| {})
    }

    /// Error when config/web was not collected, and when the field is absent from it.
    fn config_missing(id: &str, field: &str) {
        let v = eval_resource(id, &site());
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("config/web"), "{}", v.reason);
        let r = with_config(|p| {
            p.as_object_mut().unwrap().remove(field);
        });
        let v = eval_resource(id, &r);
        assert_eq!(v.status, S::Error, "{id}");
        assert!(v.reason.contains(field), "{}", v.reason);
    }

    #[test]
    fn appservice_https_only_pass() {
        let mut r = site();
        set_prop(&mut r, "/httpsOnly", json!(true));
        let v = eval_resource("appservice_https_only", &r);
        assert_eq!(v.status, S::Pass);
        assert_eq!(v.observed["properties.httpsOnly"], json!(true));
    }
    #[test]
    fn appservice_https_only_fail() {
        let v = eval_resource("appservice_https_only", &site());
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "the app answers plain HTTP")
        );
    }
    #[test]
    fn appservice_https_only_missing() {
        let mut r = site();
        set_prop(&mut r, "/httpsOnly", Value::Null);
        let v = eval_resource("appservice_https_only", &r);
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("httpsOnly"));
    }

    #[test]
    fn appservice_minimum_tls_1_2_pass() {
        let v = eval_resource("appservice_minimum_tls_1_2", &configured());
        assert_eq!(v.status, S::Pass);
        assert_eq!(v.observed["config/web.minTlsVersion"], json!("1.2"));
    }
    #[test]
    fn appservice_minimum_tls_1_2_fail() {
        let r = with_config(|p| p["minTlsVersion"] = json!("1.0"));
        let v = eval_resource("appservice_minimum_tls_1_2", &r);
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "config/web.minTlsVersion is 1.0")
        );
    }
    #[test]
    fn appservice_minimum_tls_1_2_missing() {
        config_missing("appservice_minimum_tls_1_2", "minTlsVersion");
    }

    #[test]
    fn appservice_scm_minimum_tls_1_2_pass() {
        let v = eval_resource("appservice_scm_minimum_tls_1_2", &configured());
        assert_eq!(v.status, S::Pass);
    }
    #[test]
    fn appservice_scm_minimum_tls_1_2_fail() {
        let r = with_config(|p| p["scmMinTlsVersion"] = json!("1.1"));
        let v = eval_resource("appservice_scm_minimum_tls_1_2", &r);
        assert_eq!(v.status, S::Fail);
        assert_eq!(v.observed["config/web.scmMinTlsVersion"], json!("1.1"));
    }
    #[test]
    fn appservice_scm_minimum_tls_1_2_missing() {
        config_missing("appservice_scm_minimum_tls_1_2", "scmMinTlsVersion");
    }

    #[test]
    fn appservice_ftps_only_pass() {
        for ok in ["FtpsOnly", "Disabled"] {
            let r = with_config(|p| p["ftpsState"] = json!(ok));
            assert_eq!(eval_resource("appservice_ftps_only", &r).status, S::Pass);
        }
    }
    #[test]
    fn appservice_ftps_only_fail() {
        let v = eval_resource("appservice_ftps_only", &configured());
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "config/web.ftpsState is AllAllowed")
        );
    }
    #[test]
    fn appservice_ftps_only_missing() {
        config_missing("appservice_ftps_only", "ftpsState");
    }

    #[test]
    fn appservice_remote_debugging_disabled_pass() {
        let v = eval_resource("appservice_remote_debugging_disabled", &configured());
        assert_eq!(v.status, S::Pass);
        assert_eq!(
            v.observed["config/web.remoteDebuggingEnabled"],
            json!(false)
        );
    }
    #[test]
    fn appservice_remote_debugging_disabled_fail() {
        let r = with_config(|p| p["remoteDebuggingEnabled"] = json!(true));
        let v = eval_resource("appservice_remote_debugging_disabled", &r);
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "remote debugging is on")
        );
    }
    #[test]
    fn appservice_remote_debugging_disabled_missing() {
        config_missing(
            "appservice_remote_debugging_disabled",
            "remoteDebuggingEnabled",
        );
    }

    #[test]
    fn appservice_http2_enabled_pass() {
        let r = with_config(|p| p["http20Enabled"] = json!(true));
        assert_eq!(
            eval_resource("appservice_http2_enabled", &r).status,
            S::Pass
        );
    }
    #[test]
    fn appservice_http2_enabled_fail() {
        let v = eval_resource("appservice_http2_enabled", &configured());
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "HTTP/2 is disabled")
        );
    }
    #[test]
    fn appservice_http2_enabled_missing() {
        config_missing("appservice_http2_enabled", "http20Enabled");
        let r = with_config(|p| p["http20Enabled"] = json!("yes"));
        assert_eq!(
            eval_resource("appservice_http2_enabled", &r).status,
            S::Error
        );
    }

    #[test]
    fn appservice_client_certificates_required_pass() {
        let mut r = site();
        set_prop(&mut r, "/clientCertEnabled", json!(true));
        let v = eval_resource("appservice_client_certificates_required", &r);
        assert_eq!(v.status, S::Pass);
        assert_eq!(v.observed["properties.clientCertMode"], json!("Required"));
    }
    #[test]
    fn appservice_client_certificates_required_fail() {
        let v = eval_resource("appservice_client_certificates_required", &site());
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "client certificates are not requested")
        );
        let mut r = site();
        set_prop(&mut r, "/clientCertEnabled", json!(true));
        set_prop(&mut r, "/clientCertMode", json!("Optional"));
        let v = eval_resource("appservice_client_certificates_required", &r);
        assert_eq!(v.status, S::Fail);
        assert!(v.reason.contains("Optional"));
    }
    #[test]
    fn appservice_client_certificates_required_missing() {
        let mut r = site();
        set_prop(&mut r, "/clientCertEnabled", Value::Null);
        // Absent is the documented default, false.
        assert_eq!(
            eval_resource("appservice_client_certificates_required", &r).status,
            S::Fail
        );
        assert_eq!(
            eval_resource("appservice_client_certificates_required", &without_body(&r)).status,
            S::Error
        );
    }

    fn with_auth(edit: impl FnOnce(&mut Value)) -> Resource {
        let mut body = fixture(AUTH);
        edit(&mut body["properties"]);
        let mut r = site();
        r.children.insert("config/authsettingsV2".into(), body);
        r
    }

    #[test]
    fn appservice_authentication_enabled_pass() {
        let v = eval_resource("appservice_authentication_enabled", &with_auth(|_| {}));
        assert_eq!(v.status, S::Pass);
        assert_eq!(
            v.observed["config/authsettingsV2.globalValidation.unauthenticatedClientAction"],
            json!("Return403")
        );
        assert_eq!(
            v.observed["config/authsettingsV2.identityProviders"],
            json!(["google"])
        );
    }
    #[test]
    fn appservice_authentication_enabled_fail() {
        let r = with_auth(|p| p["platform"]["enabled"] = json!(false));
        let v = eval_resource("appservice_authentication_enabled", &r);
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "App Service Authentication is disabled")
        );
    }
    #[test]
    fn appservice_authentication_enabled_missing() {
        let v = eval_resource("appservice_authentication_enabled", &site());
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("config/authsettingsV2"));
        let r = with_auth(|p| {
            p.as_object_mut().unwrap().remove("platform");
        });
        let v = eval_resource("appservice_authentication_enabled", &r);
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("platform.enabled"));
    }

    #[test]
    fn appservice_public_network_access_disabled_pass() {
        let mut r = site();
        set_prop(&mut r, "/publicNetworkAccess", json!("Disabled"));
        assert_eq!(
            eval_resource("appservice_public_network_access_disabled", &r).status,
            S::Pass
        );
    }
    #[test]
    fn appservice_public_network_access_disabled_fail() {
        let mut r = site();
        set_prop(&mut r, "/publicNetworkAccess", json!(""));
        let v = eval_resource("appservice_public_network_access_disabled", &r);
        assert_eq!(v.status, S::Fail);
        assert!(v.reason.contains("default, Enabled"));
        set_prop(&mut r, "/publicNetworkAccess", json!("Enabled"));
        let v = eval_resource("appservice_public_network_access_disabled", &r);
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "public network access is Enabled")
        );
    }
    #[test]
    fn appservice_public_network_access_disabled_missing() {
        // Microsoft's site examples carry no publicNetworkAccess.
        let v = eval_resource("appservice_public_network_access_disabled", &site());
        assert_eq!(v.status, S::Error);
        assert_eq!(v.observed["properties.publicNetworkAccess"], Value::Null);
    }

    #[test]
    fn appservice_always_on_pass() {
        let r = with_config(|p| p["alwaysOn"] = json!(true));
        assert_eq!(eval_resource("appservice_always_on", &r).status, S::Pass);
        let v = eval_resource("appservice_always_on", &function_app());
        assert_eq!(v.status, S::NotApplicable);
        assert_eq!(v.observed["kind"], json!("functionapp,linux"));
    }
    #[test]
    fn appservice_always_on_fail() {
        let v = eval_resource("appservice_always_on", &configured());
        assert_eq!(v.status, S::Fail);
        assert_eq!(v.observed["config/web.alwaysOn"], json!(false));
    }
    #[test]
    fn appservice_always_on_missing() {
        config_missing("appservice_always_on", "alwaysOn");
    }

    fn with_diagnostics(edit: impl FnOnce(&mut Value)) -> Resource {
        let mut body = fixture(DIAG);
        edit(&mut body["value"][0]["properties"]);
        let mut r = site();
        r.children.insert("diagnosticSettings".into(), body);
        r
    }

    #[test]
    fn appservice_diagnostic_logs_enabled_pass() {
        // Microsoft's example enables the allLogs group, to a storage account and an event hub.
        let v = eval_resource(
            "appservice_diagnostic_logs_enabled",
            &with_diagnostics(|_| {}),
        );
        assert_eq!(
            (v.status, v.reason.as_str()),
            (
                S::Pass,
                "AppServiceHTTPLogs are sent to a destination by: mysetting"
            )
        );
        let mut r = with_diagnostics(|p| {
            p["logs"] = json!([{"category": "FunctionAppLogs", "enabled": true}]);
        });
        r.kind = Some("functionapp".into());
        assert_eq!(
            eval_resource("appservice_diagnostic_logs_enabled", &r).status,
            S::Pass
        );
    }
    #[test]
    fn appservice_diagnostic_logs_enabled_fail() {
        let r = with_diagnostics(|p| {
            p["logs"] = json!([{"category": "AppServiceConsoleLogs", "enabled": true}]);
        });
        let v = eval_resource("appservice_diagnostic_logs_enabled", &r);
        assert_eq!(
            (v.status, v.reason.as_str()),
            (
                S::Fail,
                "no diagnostic setting sends AppServiceHTTPLogs to a destination"
            )
        );
        let mut r = site();
        r.children
            .insert("diagnosticSettings".into(), json!({"value": []}));
        let v = eval_resource("appservice_diagnostic_logs_enabled", &r);
        assert_eq!(v.reason, "the app has no diagnostic setting");
    }
    #[test]
    fn appservice_diagnostic_logs_enabled_missing() {
        let v = eval_resource("appservice_diagnostic_logs_enabled", &site());
        assert_eq!(v.status, S::Error);
        assert_eq!(v.observed["diagnosticSettings"], Value::Null);
    }

    #[test]
    fn appservice_cors_no_wildcard_pass() {
        // Microsoft's config/web example has no cors object: no origin is allowed.
        let v = eval_resource("appservice_cors_no_wildcard", &configured());
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Pass, "no CORS origin is allowed")
        );
        let r = with_config(|p| {
            p["cors"] = json!({"allowedOrigins": ["https://portal.contoso.com"]});
        });
        assert_eq!(
            eval_resource("appservice_cors_no_wildcard", &r).status,
            S::Pass
        );
    }
    #[test]
    fn appservice_cors_no_wildcard_fail() {
        let r = with_config(|p| {
            p["cors"] = json!({"allowedOrigins": ["https://a.example", "*"]});
        });
        let v = eval_resource("appservice_cors_no_wildcard", &r);
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "CORS allows every origin (*)")
        );
        assert_eq!(
            v.observed["config/web.cors.allowedOrigins"],
            json!(["https://a.example", "*"])
        );
    }
    #[test]
    fn appservice_cors_no_wildcard_missing() {
        let v = eval_resource("appservice_cors_no_wildcard", &site());
        assert_eq!(v.status, S::Error);
        let r = with_config(|p| p["cors"] = json!({"allowedOrigins": "*"}));
        assert_eq!(
            eval_resource("appservice_cors_no_wildcard", &r).status,
            S::Error
        );
        // An empty configuration is missing data, never "no CORS rule".
        let r = with_config(|p| *p = json!({}));
        let v = eval_resource("appservice_cors_no_wildcard", &r);
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("cors.allowedOrigins"), "{}", v.reason);
    }

    #[test]
    fn appservice_managed_identity_pass() {
        let mut r = site();
        r.identity = Some(json!({"type": "SystemAssigned", "principalId": "p", "tenantId": "t"}));
        let v = eval_resource("appservice_managed_identity", &r);
        assert_eq!(v.status, S::Pass);
        assert_eq!(v.observed["identity.type"], json!("SystemAssigned"));
    }
    #[test]
    fn appservice_managed_identity_fail() {
        // Microsoft's site examples carry no identity.
        let v = eval_resource("appservice_managed_identity", &site());
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "the app has no managed identity")
        );
        let mut r = site();
        r.identity = Some(json!({"type": "None"}));
        assert_eq!(
            eval_resource("appservice_managed_identity", &r).status,
            S::Fail
        );
    }
    #[test]
    fn appservice_managed_identity_missing() {
        let mut r = site();
        r.identity = Some(json!({"principalId": "p"}));
        let v = eval_resource("appservice_managed_identity", &r);
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("identity.type"));
    }
}
