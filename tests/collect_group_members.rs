//! Groups named in conditional access policies, through the real collector and the loopback
//! fake Azure: their transitive members are read (paged) from
//! `GET /groups/{id}/transitiveMembers?$select=id` into the inventory, and the conditional access
//! checks judge exclusions by who is in the group. A group whose read fails is a named gap that
//! makes only the checks needing that group `error`, never `pass`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "integration tests and their helpers: a panic is a failed test with its message"
)]

mod support;

use serde_json::json;
use soc2_evidence::checks::{self, FindingStatus, Settings};
use soc2_evidence::collect::{AuthMethod, demo};
use soc2_evidence::model::Inventory;
use support::collector::{self, comparable, json_diff};
use support::fake_azure::{FakeAzure, Fault, FaultRule, Target};
use support::scenario::{demo_with_changes, serve};

/// A group the MFA policy for administrators excludes, holding the break-glass account and
/// Alice, a Global Administrator.
const LEAKY_GROUP: &str = "0a1b2c3d-2222-4000-8000-0000000000aa";
const ALICE: &str = "0a1b2c3d-1111-4000-8000-000000000001";

/// The demo tenant (baseline: the admin MFA policy is enforced), with the admin policy also
/// excluding a group that holds a Global Administrator, and three members in that group (more
/// than one Graph page of 2).
fn tenant() -> Inventory {
    let mut inv = demo_with_changes();
    let policies = inv.identity.conditional_access_policies.as_mut().unwrap();
    let admin = policies
        .iter_mut()
        .find(|p| p.display_name.as_deref() == Some("Require MFA for administrators"))
        .unwrap();
    assert!(admin.is_enforced(), "the baseline demo enforces it");
    admin
        .conditions
        .as_mut()
        .unwrap()
        .users
        .as_mut()
        .unwrap()
        .exclude_groups = vec![LEAKY_GROUP.into()];
    inv.identity.group_members.as_mut().unwrap().insert(
        LEAKY_GROUP.into(),
        vec![
            json!({"@odata.type": "#microsoft.graph.user", "id": demo::BREAK_GLASS}),
            json!({"@odata.type": "#microsoft.graph.user", "id": ALICE}),
            json!({"@odata.type": "#microsoft.graph.device", "id": "0a1b2c3d-9999-4000-8000-000000000001"}),
        ],
    );
    inv
}

fn settings() -> Settings {
    Settings {
        break_glass_accounts: vec![demo::BREAK_GLASS_UPN.into()],
        ..Settings::default()
    }
}

fn verdict(inv: &Inventory, id: &str) -> (FindingStatus, String) {
    let r = checks::run_all(inv, &settings())
        .into_iter()
        .find(|r| r.check.meta.id == id)
        .unwrap();
    let reasons: Vec<String> = r.findings.iter().map(|f| f.reason.clone()).collect();
    (r.status, reasons.join(" | "))
}

fn collect(fake: &FakeAzure) -> Inventory {
    collector::collect(&collector::options(fake, AuthMethod::ClientSecret)).inventory
}

#[test]
fn policy_groups_are_read_and_an_excluded_admin_fails_the_admin_check() {
    let expected = tenant();
    let fake = serve(&expected);
    let inv = collect(&fake);
    assert!(
        fake.unknown_requests().is_empty(),
        "{}",
        fake.dump_requests()
    );
    assert_eq!(
        comparable(&expected),
        comparable(&inv),
        "{}",
        json_diff(&comparable(&expected), &comparable(&inv))
    );
    // One read per group the policies name, with $select=id, paged.
    let reads: Vec<String> = fake
        .requests()
        .into_iter()
        .map(|r| r.target)
        .filter(|t| t.contains("/transitiveMembers"))
        .collect();
    assert!(
        reads
            .iter()
            .all(|t| t.contains("%24select=id") || t.contains("$select=id")),
        "{reads:?}"
    );
    assert!(reads.iter().any(|t| t.contains(LEAKY_GROUP)));
    let src = inv.source("graph.group_members").unwrap();
    assert!(src.gaps.is_empty(), "{:?}", src.gaps);
    assert_eq!(
        src.records, 4,
        "three in the leaky group, one in the emergency group"
    );
    assert!(
        src.pages >= 3,
        "two pages for the leaky group: {}",
        src.pages
    );

    let (status, why) = verdict(&inv, "entra_mfa_required_for_admins");
    assert_eq!(status, FindingStatus::Fail, "{why}");
    assert!(why.contains("alice@contoso.example"), "{why}");
    assert!(why.contains(LEAKY_GROUP), "{why}");
    let (status, why) = verdict(&inv, "entra_ca_exclusions_break_glass_only");
    assert_eq!(status, FindingStatus::Fail, "{why}");
    assert!(why.contains("alice@contoso.example"), "{why}");
    // The demo's own exclusion group holds only the break-glass account.
    let (status, why) = verdict(&inv, "entra_legacy_auth_blocked");
    assert_eq!(status, FindingStatus::Pass, "{why}");
}

#[test]
fn a_group_that_cannot_be_read_is_a_gap_and_errors_only_the_checks_that_need_it() {
    let expected = tenant();
    let fake = serve(&expected);
    fake.inject(FaultRule::new(
        Target::path(&format!("/groups/{LEAKY_GROUP}/transitiveMembers")),
        Fault::Forbidden,
    ));
    let inv = collect(&fake);
    let groups = inv.identity.group_members.as_ref().unwrap();
    assert!(
        !groups.contains_key(LEAKY_GROUP),
        "a failed read is not data"
    );
    assert!(groups.contains_key("0a1b2c3d-2222-4000-8000-000000000003"));
    let src = inv.source("graph.group_members").unwrap();
    assert_eq!(src.gaps.len(), 1, "{:?}", src.gaps);
    assert!(
        src.gaps[0]
            .scope
            .ends_with(&format!("/groups/{LEAKY_GROUP}"))
    );
    assert!(src.gaps[0].reason.contains("403"), "{}", src.gaps[0].reason);
    assert!(
        src.gaps[0].reason.contains("GroupMember.Read.All"),
        "{}",
        src.gaps[0].reason
    );

    // The admin policy excludes the unread group: unknown, never a pass.
    let (status, why) = verdict(&inv, "entra_mfa_required_for_admins");
    assert_eq!(status, FindingStatus::Error, "{why}");
    assert!(why.contains(LEAKY_GROUP) && why.contains("403"), "{why}");
    // Legacy blocking names only the readable emergency group: unaffected.
    let (status, why) = verdict(&inv, "entra_legacy_auth_blocked");
    assert_eq!(status, FindingStatus::Pass, "{why}");
}

#[test]
fn policies_not_collected_leave_group_members_unknown() {
    let expected = tenant();
    let fake = serve(&expected);
    fake.inject(FaultRule::new(
        Target::source("graph.conditional_access_policies"),
        Fault::Forbidden,
    ));
    let inv = collect(&fake);
    assert_eq!(inv.identity.group_members, None);
    // The cause is the policies' gap; this source says why it read nothing.
    let src = inv.source("graph.group_members").unwrap();
    assert!(src.gaps.is_empty());
    assert!(
        src.notes
            .iter()
            .any(|n| n.contains("policies were not collected"))
    );
    assert!(
        !inv.source("graph.conditional_access_policies")
            .unwrap()
            .gaps
            .is_empty()
    );
    assert_eq!(
        fake.requests()
            .iter()
            .filter(|r| r.target.contains("/transitiveMembers"))
            .count(),
        0
    );
}

/// A policy naming a group the directory does not hold (deleted): Graph's 404 is a gap, not an
/// empty group, so the exclusion is unknown and the admin check is `error`.
#[test]
fn a_group_graph_does_not_know_is_a_gap_not_an_empty_group() {
    let mut expected = tenant();
    expected
        .identity
        .group_members
        .as_mut()
        .unwrap()
        .remove(LEAKY_GROUP);
    let fake = serve(&expected);
    let inv = collect(&fake);
    let src = inv.source("graph.group_members").unwrap();
    assert_eq!(src.gaps.len(), 1, "{:?}", src.gaps);
    assert!(src.gaps[0].reason.contains("404"), "{}", src.gaps[0].reason);
    assert!(
        !inv.identity
            .group_members
            .as_ref()
            .unwrap()
            .contains_key(LEAKY_GROUP)
    );
    let (status, why) = verdict(&inv, "entra_mfa_required_for_admins");
    assert_eq!(status, FindingStatus::Error, "{why}");
    let (status, why) = verdict(&inv, "entra_ca_exclusions_break_glass_only");
    assert_eq!(status, FindingStatus::Error, "{why}");
    assert!(why.contains(LEAKY_GROUP), "{why}");
}

/// Every fault on a group's members read: a transient one (a short 429 storm, one 500) leaves
/// the same inventory and no gap; a lasting one (403, 404, 500s, 429s beyond the budget, a body
/// that is not JSON, cut short or cut mid-JSON, a `nextLink` back to the same page) is a gap on
/// that group, never a partial or empty member list, and the admin check that needs the group
/// is `error`.
#[test]
fn every_fault_on_a_group_read_is_recovered_or_a_gap_never_data() {
    let expected = tenant();
    let path = format!("/groups/{LEAKY_GROUP}/transitiveMembers");
    let transient = [
        FaultRule::new(Target::path(&path), Fault::throttle_secs(0)).times(2),
        FaultRule::new(Target::path(&path), Fault::ServerError).times(1),
    ];
    for rule in transient {
        let fake = serve(&expected);
        fake.inject(rule.clone());
        let inv = collect(&fake);
        assert!(fake.faults_fired()[0] > 0, "{rule:?} never fired");
        assert!(
            inv.source("graph.group_members").unwrap().gaps.is_empty(),
            "{rule:?}"
        );
        assert_eq!(comparable(&expected), comparable(&inv), "{rule:?}");
    }
    let lasting = [
        Fault::Forbidden,
        Fault::NotFound,
        Fault::ServerError,
        Fault::throttle_secs(0),
        Fault::Malformed,
        Fault::Truncated,
        Fault::CutJson,
        Fault::RepeatNextLink,
    ];
    for fault in lasting {
        let fake = serve(&expected);
        // The second page too, so a fault after a good first page is not kept as data.
        let skip = u32::from(fault == Fault::RepeatNextLink);
        fake.inject(FaultRule::new(Target::path(&path), fault.clone()).skip(skip));
        let inv = collect(&fake);
        assert!(fake.faults_fired()[0] > 0, "{fault:?} never fired");
        let groups = inv.identity.group_members.as_ref().unwrap();
        assert!(!groups.contains_key(LEAKY_GROUP), "{fault:?} kept data");
        let src = inv.source("graph.group_members").unwrap();
        assert_eq!(src.gaps.len(), 1, "{fault:?}: {:?}", src.gaps);
        assert!(src.gaps[0].scope.ends_with(LEAKY_GROUP), "{fault:?}");
        let (status, why) = verdict(&inv, "entra_mfa_required_for_admins");
        assert_eq!(status, FindingStatus::Error, "{fault:?}: {why}");
    }
}
