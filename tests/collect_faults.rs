//! The fault matrix: every source kind the collector reads (Resource Graph, per-subscription
//! ARM, per-resource ARM lists and singletons, Microsoft Graph lists and singletons, the
//! Activity Log, the token endpoint, and the subscription list) / every fault the fake Azure
//! injects (403, 404, a 429 storm that ends and one that outlasts the retry budget, a few 500s
//! and many, a timeout, malformed JSON, a truncated body, JSON cut mid-way, a repeating next
//! link, and bodies of another shape than the endpoint documents: a page where one object is
//! documented, a bare list, one object where a page is documented, a `value` that is not an
//! array, items that are not objects), through the real binary.
//!
//! Each cell asserts the documented exit code (0 when the run goes on with gaps, 2 when nothing
//! useful can be collected), that transient faults recover within the retry budget without a
//! gap and without changing the inventory, and that every other fault becomes a named gap
//! (source, scope, reason with the status) in `inventory.json` and in `summary.json`, while no
//! check that reads the source passes on the missing data and no criterion it feeds passes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "integration tests and their helpers: a panic is a failed test with its message"
)]

mod support;

use std::collections::BTreeSet;
use std::sync::OnceLock;
use std::time::Duration;

use soc2_evidence::checks::FindingStatus;
use soc2_evidence::collect::AuthMethod;
use soc2_evidence::evidence::Snapshot;
use soc2_evidence::model::Inventory;
use support::collector::{
    self, GapRow, assess, cli, comparable, fast_config, gap_rows, json_diff,
    no_pass_on_missing_data, streams,
};
use support::fake_azure::{FakeAzure, Fault, FaultRule, Kind, Target};
use support::scenario::{PROD, STAGING, demo_with_changes, serve, vault_id};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Src {
    ResourceGraph,
    ArmSubscription,
    ArmResource,
    /// A per-resource singleton: a web app's `config/web`.
    ArmSingleton,
    Graph,
    /// A Graph singleton: the security defaults policy.
    GraphSingleton,
    ActivityLog,
    Token,
    SubscriptionList,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum F {
    Forbidden,
    NotFound,
    /// Two 429s, then through: within 3 attempts.
    ShortStorm,
    /// 429 forever: beyond the retry budget.
    LongStorm,
    /// One 500, then through.
    FewErrors,
    /// 500 forever.
    ManyErrors,
    Timeout,
    Malformed,
    Truncated,
    CutJson,
    RepeatNextLink,
    /// `{"value": [], "nextLink": null}` where one object (or a Resource Graph result) is
    /// documented.
    PageShaped,
    /// A bare JSON array.
    ListBody,
    /// One object where a page is documented.
    ObjectBody,
    /// A page whose `value` (`data`) is an object.
    ValueNotArray,
    /// A page whose items are not objects.
    ScalarItems,
}

impl Src {
    /// The source name in the inventory.
    fn source(self) -> &'static str {
        match self {
            Src::ResourceGraph => "resource_graph.resources",
            Src::ArmSubscription => "arm.defender_pricings",
            Src::ArmResource => "arm.diagnostic_settings",
            Src::ArmSingleton => "arm.web_config",
            Src::Graph => "graph.conditional_access_policies",
            Src::GraphSingleton => "graph.security_defaults",
            Src::ActivityLog => "arm.activity_log",
            Src::Token => "token",
            Src::SubscriptionList => "arm.subscriptions",
        }
    }

    /// Which requests the fault hits: one subscription, one resource or the tenant.
    fn rule(self, fault: Fault) -> FaultRule {
        let r = match self {
            Src::ActivityLog => FaultRule::new(Target::kind(Kind::ActivityLog), fault),
            other => FaultRule::new(Target::source(other.source()), fault),
        };
        match self {
            Src::ArmSubscription | Src::ActivityLog => r.scope(PROD),
            Src::ArmResource => r.scope("kv-prod-payments"),
            Src::ArmSingleton => r.scope("app-prod-portal"),
            _ => r,
        }
    }

    /// The gap scope the collector must name.
    fn gap_scope(self) -> String {
        match self {
            Src::ResourceGraph | Src::ArmSubscription | Src::ActivityLog => {
                format!("/subscriptions/{PROD}")
            }
            Src::ArmResource => vault_id(),
            Src::ArmSingleton => web_app_id(),
            _ => format!("/tenants/{}", soc2_evidence::collect::demo::TENANT_ID),
        }
    }

    /// The endpoint a shape gap must name.
    fn endpoint(self) -> &'static str {
        match self {
            Src::ResourceGraph => "POST /providers/Microsoft.ResourceGraph/resources",
            Src::ArmSubscription => "/providers/Microsoft.Security/pricings",
            Src::ArmResource => "/providers/Microsoft.Insights/diagnosticSettings",
            Src::ArmSingleton => "app-prod-portal/config/web",
            Src::Graph => "GET /v1.0/identity/conditionalAccess/policies",
            Src::GraphSingleton => "GET /v1.0/policies/identitySecurityDefaultsEnforcementPolicy",
            Src::ActivityLog => "/providers/Microsoft.Insights/eventtypes/management/values",
            Src::Token | Src::SubscriptionList => "",
        }
    }
}

/// A hardened web app of the demo: its configuration passes the App Service checks.
fn web_app_id() -> String {
    format!(
        "/subscriptions/{PROD}/resourceGroups/rg-prod/providers/Microsoft.Web/sites/app-prod-portal"
    )
}

impl F {
    fn fault(self) -> Fault {
        match self {
            F::Forbidden => Fault::Forbidden,
            F::NotFound => Fault::NotFound,
            F::ShortStorm | F::LongStorm => Fault::throttle_secs(0),
            F::FewErrors | F::ManyErrors => Fault::ServerError,
            F::Timeout => Fault::Timeout {
                hang: Duration::from_secs(4),
            },
            F::Malformed => Fault::Malformed,
            F::Truncated => Fault::Truncated,
            F::CutJson => Fault::CutJson,
            F::RepeatNextLink => Fault::RepeatNextLink,
            F::PageShaped => Fault::PageShaped,
            F::ListBody => Fault::ListBody,
            F::ObjectBody => Fault::ObjectBody,
            F::ValueNotArray => Fault::ValueNotArray,
            F::ScalarItems => Fault::ScalarItems,
        }
    }

    /// A body of another shape than documented.
    fn shape(self) -> bool {
        matches!(
            self,
            F::PageShaped | F::ListBody | F::ObjectBody | F::ValueNotArray | F::ScalarItems
        )
    }

    fn rule(self, src: Src) -> FaultRule {
        let r = src.rule(self.fault());
        match self {
            F::ShortStorm => r.times(2),
            F::FewErrors => r.times(1),
            _ => r,
        }
    }

    fn recovers(self) -> bool {
        matches!(self, F::ShortStorm | F::FewErrors)
    }

    /// What the gap reason must say (any of).
    fn reason(self) -> &'static [&'static str] {
        match self {
            F::Forbidden => &["403"],
            F::NotFound => &["404"],
            F::LongStorm => &["429"],
            F::ManyErrors => &["500"],
            F::Timeout => &["timed out", "timeout"],
            F::Malformed | F::CutJson => &["malformed", "JSON"],
            F::Truncated => &["truncated", "broke off", "incomplete"],
            F::RepeatNextLink => &["repeat"],
            F::PageShaped => &["got a page-shaped body"],
            F::ListBody => &["got a list (a JSON array"],
            F::ObjectBody => &["got an object with"],
            F::ValueNotArray => &["`value` is an object", "`data` is neither an array"],
            F::ScalarItems => &["item 1 is a string", "`value` array of 2 items"],
            F::ShortStorm | F::FewErrors => &[],
        }
    }
}

/// What the cell expects.
#[derive(Debug, PartialEq, Eq)]
enum Expect {
    /// Exit 0, no new gap, the same inventory.
    Recover,
    /// Exit 0, a named gap.
    Gap,
    /// Exit 2, no inventory.
    Fatal,
}

fn expect(src: Src, f: F) -> Expect {
    if f.recovers() {
        return Expect::Recover;
    }
    match src {
        Src::Token => Expect::Fatal,
        // A list that repeats after its first page still gives the subscriptions it read.
        Src::SubscriptionList if f == F::RepeatNextLink => Expect::Gap,
        Src::SubscriptionList => Expect::Fatal,
        _ => Expect::Gap,
    }
}

/// The gaps of a fault-free collection of the scenario (what the demo did not collect).
fn baseline_gaps() -> &'static BTreeSet<GapRow> {
    static GAPS: OnceLock<BTreeSet<GapRow>> = OnceLock::new();
    GAPS.get_or_init(|| {
        let fake = serve(&demo_with_changes());
        let c = collector::collect(&collector::options(&fake, AuthMethod::ClientSecret));
        gap_rows(&c.inventory)
    })
}

/// "N API calls: a Resource Graph, b ARM per-subscription, c ARM per-resource, d Microsoft
/// Graph (r retries, t throttled); k token requests" → the numbers.
fn reported_calls(stdout: &str) -> Option<Vec<u64>> {
    let line = stdout.lines().find(|l| l.contains(" API calls: "))?;
    Some(
        line.split(|c: char| !c.is_ascii_digit())
            .filter(|w| !w.is_empty())
            .map(|w| w.parse().unwrap())
            .collect(),
    )
}

fn assert_calls_match(fake: &FakeAzure, stdout: &str, ctx: &str) {
    let n = reported_calls(stdout).unwrap_or_else(|| panic!("no API call summary\n{ctx}"));
    let c = fake.counters();
    assert_eq!(n[0], c.api_calls(), "total calls\n{ctx}");
    assert_eq!(n[1], c.resource_graph, "Resource Graph calls\n{ctx}");
    assert_eq!(
        n[2],
        c.subscriptions + c.arm_subscription + c.activity_log,
        "ARM per-subscription calls\n{ctx}"
    );
    assert_eq!(n[3], c.arm_resource, "ARM per-resource calls\n{ctx}");
    assert_eq!(n[4], c.graph, "Graph calls\n{ctx}");
    assert_eq!(n[6], c.throttled, "429s\n{ctx}");
    assert_eq!(n[7], c.token + c.oidc, "token requests\n{ctx}");
}

fn cell(src: Src, f: F) {
    cell_after(src, f, 0);
}

/// A cell whose fault starts after `skip` good requests (0: the first page already fails).
fn cell_after(src: Src, f: F, skip: u32) {
    let expected = demo_with_changes();
    let baseline = baseline_gaps();
    let fake = serve(&expected);
    fake.inject(f.rule(src).skip(skip));
    let dir = tempfile::tempdir().unwrap();
    let cfg = fast_config(dir.path());
    if f == F::Timeout {
        // Timeouts cost a second each (the config's unit): two attempts still show the retry.
        let text = std::fs::read_to_string(&cfg).unwrap();
        std::fs::write(&cfg, text.replace("max_attempts = 3", "max_attempts = 2")).unwrap();
    }
    let out = cli(
        &fake.env(),
        dir.path(),
        &[
            "collect",
            "--config",
            cfg.to_str().unwrap(),
            "--out",
            "inventory.json",
            "--no-progress",
        ],
    );
    let ctx = streams(&out);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let path = dir.path().join("inventory.json");
    assert!(
        fake.faults_fired()[0] > 0,
        "the fault never fired\n{ctx}\n{}",
        fake.dump_requests()
    );

    match expect(src, f) {
        Expect::Fatal => {
            assert_eq!(out.status.code(), Some(2), "{ctx}");
            assert!(!path.exists(), "no inventory on failure");
            let err = String::from_utf8_lossy(&out.stderr);
            let what = match src {
                Src::Token => "authentication failed",
                _ => "cannot list subscriptions",
            };
            assert!(
                err.contains(what),
                "stderr names the failure ({what})\n{ctx}"
            );
        }
        Expect::Recover => {
            assert_eq!(out.status.code(), Some(0), "{ctx}");
            let inv: Inventory = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            assert_eq!(
                &gap_rows(&inv),
                baseline,
                "a transient fault left a gap\n{ctx}"
            );
            assert_eq!(
                comparable(&expected),
                comparable(&inv),
                "{}",
                json_diff(&comparable(&expected), &comparable(&inv))
            );
            assert_calls_match(&fake, &stdout, &ctx);
            if src != Src::Token {
                let s = inv.source(src.source()).unwrap();
                assert_eq!(
                    s.calls,
                    fake.counters().by_source[src.source()],
                    "the source's calls include its retries"
                );
            }
        }
        Expect::Gap => {
            assert_eq!(
                out.status.code(),
                Some(0),
                "gaps are data, the run goes on\n{ctx}"
            );
            let inv: Inventory = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            assert_calls_match(&fake, &stdout, &ctx);
            let new: Vec<_> = gap_rows(&inv).difference(baseline).cloned().collect();
            assert!(!new.is_empty(), "no new gap\n{ctx}");
            for (s, scope, reason, _) in &new {
                assert_eq!(
                    s,
                    src.source(),
                    "a gap outside the faulted source: {scope}: {reason}"
                );
            }
            let scope = src.gap_scope();
            let gap = new
                .iter()
                .find(|(_, s, _, _)| *s == scope)
                .unwrap_or_else(|| panic!("no gap on {scope}: {new:#?}"));
            assert!(
                f.reason()
                    .iter()
                    .any(|w| gap.2.to_lowercase().contains(&w.to_lowercase())),
                "the reason names the fault ({:?}): {}",
                f.reason(),
                gap.2
            );
            if matches!(f, F::LongStorm | F::ManyErrors | F::Timeout | F::Truncated)
                && src != Src::SubscriptionList
            {
                assert!(
                    gap.2.contains("attempts"),
                    "retried before giving up: {}",
                    gap.2
                );
            }
            if f.shape() {
                assert!(
                    gap.2.starts_with("unexpected response shape from ")
                        || gap.2.contains(": unexpected response shape from "),
                    "{}",
                    gap.2
                );
                assert!(
                    gap.2.contains(src.endpoint()),
                    "the reason names the endpoint ({}): {}",
                    src.endpoint(),
                    gap.2
                );
                assert!(gap.2.contains("expected "), "{}", gap.2);
            }
            if matches!(f, F::Forbidden | F::NotFound | F::Malformed | F::CutJson) || f.shape() {
                // Permanent answers are not retried: one request each (Resource Graph sends a
                // data query and an independent count).
                let once = if src == Src::ResourceGraph { 2 } else { 1 };
                assert_eq!(fake.faults_fired()[0], once, "{}", fake.dump_requests());
            }
            if f == F::Forbidden && matches!(src, Src::ArmSubscription | Src::ArmResource) {
                assert!(gap.2.contains("AuthorizationFailed"), "{}", gap.2);
                assert!(
                    gap.2
                        .contains("does not have authorization to perform action"),
                    "{}",
                    gap.2
                );
                assert!(
                    gap.2.contains("Reader"),
                    "names the role to grant: {}",
                    gap.2
                );
            }
            no_pass_on_missing_data(&inv, &new);
        }
    }
}

macro_rules! matrix {
    ($($name:ident: $src:ident / $f:ident;)*) => {
        $(
            #[test]
            fn $name() {
                cell(Src::$src, F::$f);
            }
        )*
    };
}

matrix! {
    resource_graph_403: ResourceGraph / Forbidden;
    resource_graph_404: ResourceGraph / NotFound;
    resource_graph_429_storm_recovers: ResourceGraph / ShortStorm;
    resource_graph_429_beyond_budget: ResourceGraph / LongStorm;
    resource_graph_500_recovers: ResourceGraph / FewErrors;
    resource_graph_500_persistent: ResourceGraph / ManyErrors;
    resource_graph_timeout: ResourceGraph / Timeout;
    resource_graph_malformed: ResourceGraph / Malformed;
    resource_graph_truncated: ResourceGraph / Truncated;
    resource_graph_cut_json: ResourceGraph / CutJson;
    resource_graph_repeating_skip_token: ResourceGraph / RepeatNextLink;

    arm_subscription_403: ArmSubscription / Forbidden;
    arm_subscription_404: ArmSubscription / NotFound;
    arm_subscription_429_storm_recovers: ArmSubscription / ShortStorm;
    arm_subscription_429_beyond_budget: ArmSubscription / LongStorm;
    arm_subscription_500_recovers: ArmSubscription / FewErrors;
    arm_subscription_500_persistent: ArmSubscription / ManyErrors;
    arm_subscription_timeout: ArmSubscription / Timeout;
    arm_subscription_malformed: ArmSubscription / Malformed;
    arm_subscription_truncated: ArmSubscription / Truncated;
    arm_subscription_cut_json: ArmSubscription / CutJson;
    arm_subscription_repeating_next_link: ArmSubscription / RepeatNextLink;

    arm_resource_403: ArmResource / Forbidden;
    arm_resource_404: ArmResource / NotFound;
    arm_resource_429_storm_recovers: ArmResource / ShortStorm;
    arm_resource_429_beyond_budget: ArmResource / LongStorm;
    arm_resource_500_recovers: ArmResource / FewErrors;
    arm_resource_500_persistent: ArmResource / ManyErrors;
    arm_resource_timeout: ArmResource / Timeout;
    arm_resource_malformed: ArmResource / Malformed;
    arm_resource_truncated: ArmResource / Truncated;
    arm_resource_cut_json: ArmResource / CutJson;
    arm_resource_repeating_next_link: ArmResource / RepeatNextLink;

    graph_403: Graph / Forbidden;
    graph_404: Graph / NotFound;
    graph_429_storm_recovers: Graph / ShortStorm;
    graph_429_beyond_budget: Graph / LongStorm;
    graph_500_recovers: Graph / FewErrors;
    graph_500_persistent: Graph / ManyErrors;
    graph_timeout: Graph / Timeout;
    graph_malformed: Graph / Malformed;
    graph_truncated: Graph / Truncated;
    graph_cut_json: Graph / CutJson;
    graph_repeating_next_link: Graph / RepeatNextLink;

    activity_log_403: ActivityLog / Forbidden;
    activity_log_404: ActivityLog / NotFound;
    activity_log_429_storm_recovers: ActivityLog / ShortStorm;
    activity_log_429_beyond_budget: ActivityLog / LongStorm;
    activity_log_500_recovers: ActivityLog / FewErrors;
    activity_log_500_persistent: ActivityLog / ManyErrors;
    activity_log_timeout: ActivityLog / Timeout;
    activity_log_malformed: ActivityLog / Malformed;
    activity_log_truncated: ActivityLog / Truncated;
    activity_log_cut_json: ActivityLog / CutJson;
    activity_log_repeating_next_link: ActivityLog / RepeatNextLink;

    token_403: Token / Forbidden;
    token_404: Token / NotFound;
    token_429_storm_recovers: Token / ShortStorm;
    token_429_beyond_budget: Token / LongStorm;
    token_500_recovers: Token / FewErrors;
    token_500_persistent: Token / ManyErrors;
    token_timeout: Token / Timeout;
    token_malformed: Token / Malformed;
    token_truncated: Token / Truncated;
    token_cut_json: Token / CutJson;

    subscription_list_403: SubscriptionList / Forbidden;
    subscription_list_429_storm_recovers: SubscriptionList / ShortStorm;
    subscription_list_500_persistent: SubscriptionList / ManyErrors;
    subscription_list_timeout: SubscriptionList / Timeout;
    subscription_list_malformed: SubscriptionList / Malformed;
    subscription_list_repeating_next_link: SubscriptionList / RepeatNextLink;

    resource_graph_page_shaped: ResourceGraph / PageShaped;
    resource_graph_list_body: ResourceGraph / ListBody;
    resource_graph_object_body: ResourceGraph / ObjectBody;
    resource_graph_data_not_array: ResourceGraph / ValueNotArray;
    resource_graph_rows_not_objects: ResourceGraph / ScalarItems;

    arm_subscription_list_body: ArmSubscription / ListBody;
    arm_subscription_object_body: ArmSubscription / ObjectBody;
    arm_subscription_value_not_array: ArmSubscription / ValueNotArray;
    arm_subscription_items_not_objects: ArmSubscription / ScalarItems;

    arm_resource_list_body: ArmResource / ListBody;
    arm_resource_object_body: ArmResource / ObjectBody;
    arm_resource_value_not_array: ArmResource / ValueNotArray;
    arm_resource_items_not_objects: ArmResource / ScalarItems;

    arm_singleton_403: ArmSingleton / Forbidden;
    arm_singleton_page_shaped: ArmSingleton / PageShaped;
    arm_singleton_list_body: ArmSingleton / ListBody;
    arm_singleton_page_of_scalars: ArmSingleton / ScalarItems;

    graph_list_body: Graph / ListBody;
    graph_object_body: Graph / ObjectBody;
    graph_value_not_array: Graph / ValueNotArray;
    graph_items_not_objects: Graph / ScalarItems;

    graph_singleton_403: GraphSingleton / Forbidden;
    graph_singleton_page_shaped: GraphSingleton / PageShaped;
    graph_singleton_list_body: GraphSingleton / ListBody;
    graph_singleton_page_of_scalars: GraphSingleton / ScalarItems;

    activity_log_list_body: ActivityLog / ListBody;
    activity_log_object_body: ActivityLog / ObjectBody;
    activity_log_value_not_array: ActivityLog / ValueNotArray;
    activity_log_items_not_objects: ActivityLog / ScalarItems;

    token_page_shaped: Token / PageShaped;
    token_list_body: Token / ListBody;

    subscription_list_list_body: SubscriptionList / ListBody;
    subscription_list_object_body: SubscriptionList / ObjectBody;
    subscription_list_value_not_array: SubscriptionList / ValueNotArray;
    subscription_list_items_not_objects: SubscriptionList / ScalarItems;
}

/// A fault on the second page of a list: what the first page gave is kept, and the source still
/// carries a named gap, so nothing that reads it can pass for the scope.
macro_rules! later_page {
    ($($name:ident: $src:ident / $f:ident;)*) => {
        $(
            #[test]
            fn $name() {
                cell_after(Src::$src, F::$f, 1);
            }
        )*
    };
}

later_page! {
    resource_graph_500_on_page_2: ResourceGraph / ManyErrors;
    arm_subscription_500_on_page_2: ArmSubscription / ManyErrors;
    graph_500_on_page_2: Graph / ManyErrors;
    activity_log_500_on_page_2: ActivityLog / ManyErrors;
    resource_graph_rows_not_objects_on_page_2: ResourceGraph / ScalarItems;
    arm_subscription_object_body_on_page_2: ArmSubscription / ObjectBody;
    graph_items_not_objects_on_page_2: Graph / ScalarItems;
    activity_log_list_body_on_page_2: ActivityLog / ListBody;
}

#[test]
fn a_later_page_fault_keeps_what_was_read() {
    let fake = serve(&demo_with_changes());
    fake.inject(Src::ResourceGraph.rule(Fault::ServerError).skip(1));
    let c = collector::collect(&collector::options(&fake, AuthMethod::ClientSecret));
    let s = c.inventory.source("resource_graph.resources").unwrap();
    assert_eq!(s.pages, 1);
    assert_eq!(s.records, 7, "the first page of 7 rows is kept");
    // The other Resource Graph tables (role, policy and security rows) were read in full.
    let from_resources_table = c
        .inventory
        .resources
        .iter()
        .filter(|r| support::fake_azure::table_for(&r.r#type) == "resources")
        .count();
    assert_eq!(from_resources_table, 7);
    assert!(!s.gaps.is_empty());
}

/// The binary's `assess` on an inventory with gaps: `summary.json` in the evidence repository
/// names them, and `--fail-on incomplete` exits 1.
#[test]
fn gaps_reach_summary_json_in_the_evidence_repository_and_fail_on_incomplete_exits_1() {
    let fake = serve(&demo_with_changes());
    fake.inject(Src::ArmResource.rule(Fault::Forbidden));
    let dir = tempfile::tempdir().unwrap();
    let cfg = fast_config(dir.path());
    let cfg = cfg.to_str().unwrap();
    let out = cli(
        &fake.env(),
        dir.path(),
        &["collect", "--config", cfg, "--out", "inventory.json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", streams(&out));
    let out = cli(
        &[],
        dir.path(),
        &[
            "assess",
            "--inventory",
            "inventory.json",
            "--repo",
            "repo",
            "--config",
            cfg,
            "--fail-on",
            "incomplete",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", streams(&out));
    let store =
        soc2_evidence::store::EvidenceStore::open(&dir.path().join("repo"), "evidence").unwrap();
    let snap = store.read_snapshot("refs/heads/main").unwrap();
    let summary = snap.summary().unwrap();
    let gap = summary
        .gaps
        .iter()
        .find(|g| g.source == "arm.diagnostic_settings" && g.scope == vault_id())
        .expect("summary.json names the gap");
    assert!(
        gap.reason.contains("403") && gap.reason.contains("AuthorizationFailed"),
        "{}",
        gap.reason
    );
    let logging = snap
        .checks()
        .unwrap()
        .into_iter()
        .find(|c| c.id == "keyvault_logging_enabled")
        .unwrap();
    let f = logging
        .results
        .iter()
        .find(|r| r.resource_id == vault_id())
        .unwrap();
    assert_eq!(f.status, FindingStatus::Error, "{}", f.reason);
}

fn sql_server_id(name: &str, sub: &str, rg: &str) -> String {
    format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Sql/servers/{name}")
}

/// One failed read of a multi-read source: the `administrators` of one SQL server. The gap
/// names that read; the checks that need the administrators are in error for that server, the
/// server's other checks are judged on what was read, and the other servers are untouched.
#[test]
fn a_failed_administrators_read_errors_only_the_checks_that_need_it() {
    let expected = demo_with_changes();
    let fake = serve(&expected);
    fake.inject(
        FaultRule::new(Target::path("/administrators"), Fault::Forbidden).scope("sql-prod-orders"),
    );
    let c = collector::collect(&collector::options(&fake, AuthMethod::ClientSecret));
    assert_eq!(fake.faults_fired(), [1], "{}", fake.dump_requests());
    let inv = &c.inventory;
    let id = sql_server_id("sql-prod-orders", PROD, "rg-prod");
    let new: Vec<GapRow> = gap_rows(inv).difference(baseline_gaps()).cloned().collect();
    assert_eq!(new.len(), 1, "{new:#?}");
    let (source, scope, reason, read) = &new[0];
    assert_eq!(
        (source.as_str(), scope.as_str(), read.as_deref()),
        (
            "arm.sql_server_settings",
            id.as_str(),
            Some("administrators")
        )
    );
    assert!(
        reason.starts_with("administrators: HTTP 403 AuthorizationFailed"),
        "{reason}"
    );
    let server = inv.resources.iter().find(|r| r.id == id).unwrap();
    assert!(!server.children.contains_key("administrators"));
    assert!(server.children.contains_key("auditingSettings/default"));

    let faulted = assess(inv);
    let clean = assess(&expected);
    // summary.json names the one read that failed, so an auditor sees the gap's extent.
    let summary = faulted.summary().unwrap();
    let gap = summary
        .gaps
        .iter()
        .find(|g| g.source == "arm.sql_server_settings" && g.scope == id)
        .unwrap_or_else(|| panic!("summary.json lacks the gap: {:#?}", summary.gaps));
    assert_eq!(gap.read.as_deref(), Some("administrators"));
    let status = |snap: &Snapshot, check: &str, resource: &str| {
        let file = snap
            .checks()
            .unwrap()
            .into_iter()
            .find(|f| f.id == check)
            .unwrap();
        let r = file
            .results
            .into_iter()
            .find(|r| r.resource_id == resource)
            .unwrap();
        (r.status, r.reason)
    };
    for check in [
        "sql_entra_admin_configured",
        "sql_entra_only_authentication",
    ] {
        let (s, why) = status(&faulted, check, &id);
        assert_eq!(s, FindingStatus::Error, "{check}: {why}");
        assert!(
            why.contains("source arm.sql_server_settings incomplete: administrators: HTTP 403"),
            "{check}: {why}"
        );
        assert_ne!(status(&clean, check, &id).0, FindingStatus::Error);
    }
    // The server's other settings were read: those checks keep their verdicts on the data.
    assert_eq!(
        status(&faulted, "sql_auditing_enabled", &id).0,
        FindingStatus::Pass
    );
    for check in [
        "sql_auditing_enabled",
        "sql_auditing_retention",
        "sql_no_allow_all_firewall",
        "sql_defender_enabled",
        "sql_vulnerability_assessment_enabled",
        "sql_tde_customer_managed_key",
        "sql_minimal_tls_1_2",
    ] {
        let (s, why) = status(&faulted, check, &id);
        assert_eq!(s, status(&clean, check, &id).0, "{check}: {why}");
        assert!(!why.contains("incomplete"), "{check}: {why}");
    }
    // Another server's administrators were read.
    let other = sql_server_id("sql-stg-orders", STAGING, "rg-staging");
    assert_eq!(
        status(&faulted, "sql_entra_admin_configured", &other),
        status(&clean, "sql_entra_admin_configured", &other)
    );
    no_pass_on_missing_data(inv, &new);
}
