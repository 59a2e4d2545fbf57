//! Directory roles whose `$expand=members` Graph does not honour, through the real collector
//! and the loopback fake Azure: the members are read from `GET /directoryRoles/{id}/members`
//! (paged) and give the same inventory and the same admin verdicts as the expansion; when that
//! read fails, the role's membership is a named gap and the admin checks are `error`, never
//! `pass` on a role that merely looks empty.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "integration tests and their helpers: a panic is a failed test with its message"
)]

mod support;

use serde_json::{Value, json};
use soc2_evidence::checks::{self, FindingStatus, Settings};
use soc2_evidence::collect::AuthMethod;
use soc2_evidence::model::Inventory;
use support::collector::{self, comparable, json_diff};
use support::fake_azure::{FakeAzure, Fault, FaultRule, Target};
use support::scenario::{demo_with_changes, serve};

const GA_ROLE: &str = "9ed3a0c4-53e1-498c-ab4d-2473476fde14";
const EMPTY_ROLE: &str = "729827e3-9c14-49f7-bb1b-9608f156bbb8";
const ADMIN_CHECKS: [&str; 2] = ["entra_global_admins_max", "entra_global_admins_min"];

/// The demo tenant (three Global Administrators: more than one Graph page of 2) plus an
/// activated role that really has no members.
fn tenant() -> Inventory {
    let mut inv = demo_with_changes();
    let roles = inv.identity.directory_roles.as_mut().unwrap();
    assert!(
        roles
            .iter()
            .any(|r| r["id"] == GA_ROLE && r["members"].as_array().unwrap().len() > 2)
    );
    roles.push(json!({
        "id": EMPTY_ROLE,
        "displayName": "Helpdesk Administrator",
        "roleTemplateId": "729827e3-9c14-49f7-bb1b-9608f156bbb8",
        "members": []
    }));
    inv
}

fn collect(fake: &FakeAzure) -> Inventory {
    collector::collect(&collector::options(fake, AuthMethod::ClientSecret)).inventory
}

fn verdicts(inv: &Inventory) -> Vec<(String, FindingStatus, String)> {
    let results = checks::run_all(inv, &Settings::default());
    ADMIN_CHECKS
        .iter()
        .map(|id| {
            let r = results.iter().find(|r| r.check.meta.id == *id).unwrap();
            let reasons: Vec<&str> = r.findings.iter().map(|f| f.reason.as_str()).collect();
            (id.to_string(), r.status, reasons.join(" | "))
        })
        .collect()
}

fn role<'a>(inv: &'a Inventory, id: &str) -> &'a Value {
    inv.identity
        .directory_roles
        .as_ref()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap()
}

fn member_requests(fake: &FakeAzure) -> Vec<String> {
    fake.requests()
        .into_iter()
        .map(|r| r.target)
        .filter(|t| t.contains("/members"))
        .filter(|t| !t.contains("$expand"))
        .collect()
}

#[test]
fn members_read_separately_match_the_expansion_and_give_the_same_verdicts() {
    let inv = tenant();
    let honoured_fake = serve(&inv);
    let honoured = collect(&honoured_fake);
    assert!(
        member_requests(&honoured_fake).is_empty(),
        "no extra reads when the expansion is honoured"
    );

    let ignored_fake = serve(&inv);
    ignored_fake.configure(|o| o.graph_ignores_role_expand = true);
    let ignored = collect(&ignored_fake);

    // Compared whole (not only the roles), printed as a diff when they differ.
    assert!(
        comparable(&honoured) == comparable(&ignored),
        "{}",
        json_diff(&comparable(&honoured), &comparable(&ignored))
    );
    let ga = role(&ignored, GA_ROLE)["members"].as_array().unwrap();
    assert_eq!(ga.len(), 3, "{ga:?}");
    assert_eq!(
        role(&ignored, EMPTY_ROLE)["members"],
        json!([]),
        "a role without members reads as an empty list, from the members endpoint"
    );

    let v = verdicts(&honoured);
    assert_eq!(v, verdicts(&ignored));
    assert!(
        v.iter().all(|(_, s, _)| *s != FindingStatus::Error),
        "the demo tenant's admin checks are decidable: {v:?}"
    );
    // And they are what the checks say on the tenant as it is.
    assert_eq!(
        v.iter().map(|(id, s, _)| (id, *s)).collect::<Vec<_>>(),
        verdicts(&inv)
            .iter()
            .map(|(id, s, _)| (id, *s))
            .collect::<Vec<_>>()
    );

    // Every role was read separately, the Global Administrators over two pages.
    let reqs = member_requests(&ignored_fake);
    let roles = ignored.identity.directory_roles.as_ref().unwrap().len();
    let firsts: Vec<&String> = reqs.iter().filter(|t| !t.contains("skiptoken")).collect();
    assert_eq!(firsts.len(), roles, "{reqs:?}");
    assert!(
        reqs.iter().any(
            |t| t.contains(&format!("/directoryRoles/{GA_ROLE}/members"))
                && t.contains("skiptoken")
        ),
        "the members list is paged: {reqs:?}"
    );

    // Provenance records the extra queries and their pages.
    let h = honoured.source("graph.directory_roles").unwrap();
    let s = ignored.source("graph.directory_roles").unwrap();
    assert!(s.gaps.is_empty(), "{:?}", s.gaps);
    assert_eq!(s.records, h.records);
    assert_eq!(s.pages, h.pages + reqs.len() as u32, "{s:?}");
    assert!(s.calls >= h.calls + reqs.len() as u64, "{s:?}");
    assert!(
        s.notes
            .iter()
            .any(|n| n.contains("$expand=members not honoured")
                && n.contains(&format!("{roles} extra query(ies)"))
                && n.contains(&format!("{} page(s)", reqs.len()))),
        "{:?}",
        s.notes
    );
    assert!(
        h.notes.iter().all(|n| !n.contains("$expand")),
        "{:?}",
        h.notes
    );
}

/// The members endpoint fails (`fault`, after retries): the Global Administrator role stays
/// without members, the gap names it and why, and both admin checks are `error`.
fn failing_members_read_is_a_named_gap(fault: Fault, status: &str) {
    let inv = tenant();
    let fake = serve(&inv);
    fake.configure(|o| o.graph_ignores_role_expand = true);
    fake.inject(FaultRule::new(
        Target::path(&format!("/directoryRoles/{GA_ROLE}/members")),
        fault,
    ));
    let got = collect(&fake);

    let ga = role(&got, GA_ROLE);
    assert!(
        ga.get("members").is_none(),
        "an unread membership is not an empty one: {ga}"
    );
    // The other roles were still filled.
    assert_eq!(role(&got, EMPTY_ROLE)["members"], json!([]));

    let s = got.source("graph.directory_roles").unwrap();
    assert_eq!(s.gaps.len(), 1, "{:?}", s.gaps);
    let gap = &s.gaps[0];
    assert!(
        gap.scope.ends_with(&format!("/directoryRoles/{GA_ROLE}")),
        "{gap:?}"
    );
    assert!(gap.reason.contains("\"Global Administrator\""), "{gap:?}");
    assert!(gap.reason.contains(status), "{gap:?}");
    assert!(gap.reason.contains("/members"), "{gap:?}");

    for (id, st, reason) in verdicts(&got) {
        assert_eq!(st, FindingStatus::Error, "{id}: {reason}");
        assert!(reason.contains("Global Administrator"), "{id}: {reason}");
    }
}

#[test]
fn a_forbidden_members_read_is_a_named_gap_and_an_error() {
    failing_members_read_is_a_named_gap(Fault::Forbidden, "HTTP 403");
}

#[test]
fn a_members_read_that_keeps_failing_is_a_named_gap_and_an_error() {
    failing_members_read_is_a_named_gap(Fault::ServerError, "HTTP 500 generalException after 3");
}

/// A failure on the second page of members must not leave the first page as the membership:
/// two of three admins would read as within the limit.
#[test]
fn a_members_read_that_fails_on_a_later_page_keeps_nothing() {
    let inv = tenant();
    let fake = serve(&inv);
    fake.configure(|o| o.graph_ignores_role_expand = true);
    fake.inject(
        FaultRule::new(
            Target::path(&format!("/directoryRoles/{GA_ROLE}/members")),
            Fault::Forbidden,
        )
        .skip(1),
    );
    let got = collect(&fake);
    assert!(role(&got, GA_ROLE).get("members").is_none());
    let s = got.source("graph.directory_roles").unwrap();
    assert_eq!(s.gaps.len(), 1, "{:?}", s.gaps);
    for (id, st, reason) in verdicts(&got) {
        assert_eq!(st, FindingStatus::Error, "{id}: {reason}");
    }
}

/// A failed members read of another role (Helpdesk Administrator) is a named gap on that role's
/// members read only: the Global Administrator checks, whose role was read in full, keep the
/// verdicts of a clean collection.
#[test]
fn another_roles_failed_members_read_leaves_the_admin_checks_as_they_were() {
    let inv = tenant();
    let fake = serve(&inv);
    fake.configure(|o| o.graph_ignores_role_expand = true);
    let clean = collect(&fake);
    fake.inject(FaultRule::new(
        Target::path(&format!("/directoryRoles/{EMPTY_ROLE}/members")),
        Fault::Forbidden,
    ));
    let got = collect(&fake);
    assert_eq!(fake.faults_fired(), [1]);
    assert!(role(&got, EMPTY_ROLE).get("members").is_none());
    let s = got.source("graph.directory_roles").unwrap();
    assert_eq!(s.gaps.len(), 1, "{:?}", s.gaps);
    assert_eq!(
        s.gaps[0].read.as_deref(),
        Some("directoryRoles/roleTemplateId=729827e3-9c14-49f7-bb1b-9608f156bbb8/members")
    );
    assert!(s.gaps[0].reason.contains("\"Helpdesk Administrator\""));
    let before = verdicts(&clean);
    assert!(
        before.iter().all(|(_, st, _)| *st != FindingStatus::Error),
        "{before:?}"
    );
    assert_eq!(verdicts(&got), before);
}
