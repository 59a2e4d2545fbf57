//! Entra ID checks on the tenant: sign-in policy (MFA for administrators and for everyone,
//! blocking of legacy authentication, risk-based policies, trusted locations, the security
//! defaults / conditional access baseline, exclusions and break-glass accounts), tenant-wide
//! authorization settings (guest invitations and access, user consent, who may create apps,
//! groups and tenants), app registration credentials, privileged roles (Global Administrator
//! count, standing assignments outside PIM), stale accounts and MFA registration.
//!
//! For the first three checks security defaults and conditional access decide together.
//! Security defaults enabled settles them. Otherwise the CA policies decide; if no policy
//! qualifies, the finding fails only when security defaults are known to be off, or provably off
//! because Entra does not allow security defaults while CA policies are enforced. Anything else
//! is an error: missing data never passes, and it does not fail a tenant that may be protected
//! by what was not read.
//!
//! The MFA checks judge users, applications, client app types and grant controls; a policy
//! limited by location, platform or risk is not counted as covering every sign-in. The risk
//! checks, whose point is the risk condition, reject only location and platform limits.
//!
//! Graph objects other than CA policies are kept as JSON (`serde_json::Value`) in the model and
//! read defensively: an absent field is an error unless Graph documents its default. Ages are
//! measured from the inventory's collection time (`Ctx::as_of`), never the clock.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use super::ca_coverage::{self as cov, Claim, Coverage, GLOBAL_ADMIN, Grant, Population};
use super::props::{self, AUTHORIZATION_POLICY};
use super::{Check, CheckMeta, Ctx, Eval, Settings, Severity, Verdict};
use crate::model::{ConditionalAccessPolicy, Identity};

const CA: &str = "graph.conditional_access_policies";
const SD: &str = "graph.security_defaults";
const AUTHZ: &str = "graph.authorization_policy";
const APPS: &str = "graph.applications";
/// The members of the Global Administrator role (the role list, and its members read
/// separately when `$expand=members` was not honoured): a failed members read of another role
/// does not make the Global Administrator checks incomplete (checks::gap_concerns).
const GA_MEMBERS: &str = "graph.directory_roles:directoryRoles/roleTemplateId=62e90394-69f5-4237-9190-012177145e10/members";
const SCHEDULES: &str = "graph.role_assignment_schedules";
const ELIGIBILITY: &str = "graph.role_eligibility_schedules";
const USERS: &str = "graph.users";
const REGISTRATION: &str = "graph.user_registration_details";
const LOCATIONS: &str = "graph.named_locations";
/// Read by the CA checks through the coverage model (a group whose members were not read
/// makes only the claims that need it unknown), so not in their `sources`.
const GROUP_MEMBERS: &str = "graph.group_members";

pub(super) const CHECKS: &[Check] = &[
    Check {
        meta: CheckMeta {
            id: "entra_mfa_required_for_admins",
            title: "MFA is required for Global Administrators",
            service: "entra",
            severity: Severity::Critical,
            criteria: &["CC6.1", "CC6.6"],
            cis: &["2.1.0:1.1.2", "2.1.0:1.2.3", "3.0.0:2.1.2", "3.0.0:2.2.4"],
            policies: &[],
            description: "Passes when security defaults are enabled (isEnabled true), or when every \
                          holder of Global Administrator (active members of the role, whose members may \
                          be groups, and current PIM eligibilities; role template \
                          62e90394-69f5-4237-9190-012177145e10), and whoever is given the role next, \
                          is covered, on every cloud app, client \
                          app type, platform, location and risk level, by enforced policies that require \
                          MFA (mfa alone or with operator AND, or an authentication strength that \
                          satisfies MFA; under OR every alternative must be MFA) or block. Conditional \
                          access is judged as sets: each enforced policy (state enabled; report-only \
                          does not count) covers the users its users condition resolves to against the \
                          collected directory (included users, groups with their transitive members, \
                          role holders, All, GuestsOrExternalUsers, minus everyone excluded the same \
                          ways), on the apps, client app types, platforms, locations and risk levels its \
                          conditions match; the union of the qualifying policies must cover the whole \
                          claim. Break-glass accounts (break_glass_accounts) are the one allowed gap; \
                          anyone else left out is named. A policy with a condition the model cannot \
                          enumerate (device filter, authentication flows, an unknown condition) is not \
                          credited. Fails naming every holder left out and why, and every policy not \
                          credited; error when policies were not collected and security defaults are not \
                          known to be enabled, or when who holds the role or who a group or role \
                          excludes is unknown. Since catalogue 2026.12.0: exclusions by user, group or \
                          role and narrowing by client app type, excluded apps, platform, location or \
                          risk are resolved against the directory, so a policy that includes the role \
                          but excludes an administrator (directly or through a group), or applies only \
                          to some clients such as Exchange ActiveSync, no longer passes; a group whose \
                          members were not collected is an error. \
                          Since catalogue 2026.12.0: a security defaults policy answer that is not \
                          the documented object (a page-shaped `value` list, a bare array, an \
                          object without `id`) is a collection gap and makes the finding an error \
                          instead of being read as the policy.",
            rationale: "A Global Administrator account protected by a password alone can take \
                        over the whole tenant after one phishing or spraying success; MFA is the \
                        primary logical access control for privileged identities (CC6.1) and for \
                        access from outside the network boundary (CC6.6).",
            remediation: "Portal: Entra admin center > Protection > Conditional Access > New \
                          policy from template 'Require multifactor authentication for admins', \
                          state On (exclude break-glass accounts), or enable security defaults \
                          (Identity > Overview > Properties > Manage security defaults). CLI: az \
                          rest --method post --url https://graph.microsoft.com/v1.0/identity/\
                          conditionalAccess/policies --body @require-mfa-admins.json",
            sources: &[CA, SD],
        },
        eval: Eval::TenantCtx(mfa_for_admins),
    },
    Check {
        meta: CheckMeta {
            id: "entra_mfa_required_for_all_users",
            title: "MFA is required for all users",
            service: "entra",
            severity: Severity::High,
            criteria: &["CC6.1", "CC6.6"],
            cis: &[
                "2.1.0:1.1.3",
                "2.1.0:1.2.4",
                "3.0.0:2.1.3",
                "3.0.0:2.2.5",
                "4.0.0:6.1.2",
                "4.0.0:6.2.4",
                "5.0.0:5.1.2",
                "5.0.0:5.2.4",
                "6.0.0:5.1.3",
            ],
            policies: &[],
            description: "Passes when security defaults are enabled, or when every user of the tenant is \
                          covered, on every cloud app, client app type, platform, location and risk \
                          level, by enforced policies that require MFA (as for \
                          entra_mfa_required_for_admins) or block. Conditional access is judged as sets: \
                          each enforced policy (state enabled; report-only does not count) covers the \
                          users its users condition resolves to against the collected directory \
                          (included users, groups with their transitive members, role holders, All, \
                          GuestsOrExternalUsers, minus everyone excluded the same ways), on the apps, \
                          client app types, platforms, locations and risk levels its conditions match; \
                          the union of the qualifying policies must cover the whole claim. Break-glass \
                          accounts (break_glass_accounts) are the one allowed gap; anyone else left out \
                          is named. A policy with a condition the model cannot enumerate (device filter, \
                          authentication flows, an unknown condition) is not credited. Fails naming \
                          every user left out and why, and every policy not credited; error when \
                          policies were not collected and security defaults are not known to be enabled, \
                          or when users, or the members of a group or role a policy names, are unknown. \
                          Since catalogue 2026.12.0: excluded users, groups (by their transitive \
                          members), roles and GuestsOrExternalUsers are gaps unless they are break-glass \
                          accounts (before, they were only counted), and a policy limited to some client \
                          app types, apps, platforms, locations or risk levels no longer counts as all \
                          users. \
                          Since catalogue 2026.12.0: a security defaults policy answer that is not \
                          the documented object (a page-shaped `value` list, a bare array, an \
                          object without `id`) is a collection gap and makes the finding an error \
                          instead of being read as the policy.",
            rationale: "Passwords are phished, sprayed and reused; requiring a second factor for \
                        every account is the baseline logical access control (CC6.1) against \
                        attackers outside the boundary (CC6.6).",
            remediation: "Portal: Entra admin center > Protection > Conditional Access > New \
                          policy from template 'Require multifactor authentication for all users', \
                          state On (exclude break-glass accounts), or enable security defaults. \
                          CLI: az rest --method post --url https://graph.microsoft.com/v1.0/\
                          identity/conditionalAccess/policies --body @require-mfa-all-users.json",
            sources: &[CA, SD],
        },
        eval: Eval::TenantCtx(mfa_for_all_users),
    },
    Check {
        meta: CheckMeta {
            id: "entra_legacy_auth_blocked",
            title: "Legacy authentication is blocked",
            service: "entra",
            severity: Severity::High,
            criteria: &["CC6.1", "CC6.6"],
            cis: &[],
            policies: &[],
            description: "Passes when security defaults are enabled (they block legacy authentication), \
                          or when every user of the tenant is covered, for the legacy client app types \
                          exchangeActiveSync and other, on every cloud app, platform, location and risk \
                          level, by enforced policies whose grant is block. Conditional access is judged \
                          as sets: each enforced policy (state enabled; report-only does not count) \
                          covers the users its users condition resolves to against the collected \
                          directory (included users, groups with their transitive members, role holders, \
                          All, GuestsOrExternalUsers, minus everyone excluded the same ways), on the \
                          apps, client app types, platforms, locations and risk levels its conditions \
                          match; the union of the qualifying policies must cover the whole claim. \
                          Break-glass accounts (break_glass_accounts) are the one allowed gap; anyone \
                          else left out is named. A policy with a condition the model cannot enumerate \
                          (device filter, authentication flows, an unknown condition) is not credited. \
                          Fails naming every user or client left open and every policy not credited; \
                          error when policies were not collected and security defaults are not known to \
                          be enabled, or when users or group members a policy names are unknown. Since \
                          catalogue 2026.12.0: users excluded by id, group or role (other than \
                          break-glass accounts) and excluded apps, platforms or locations leave legacy \
                          authentication open and fail the check; blocking may be split across policies. \
                          Since catalogue 2026.12.0: a security defaults policy answer that is not \
                          the documented object (a page-shaped `value` list, a bare array, an \
                          object without `id`) is a collection gap and makes the finding an error \
                          instead of being read as the policy.",
            rationale: "Legacy protocols (POP, IMAP, SMTP AUTH, older Office clients, Exchange \
                        ActiveSync basic auth) cannot perform MFA, so they let a stolen password \
                        bypass it; blocking them closes that path (CC6.1, CC6.6).",
            remediation: "Portal: Entra admin center > Protection > Conditional Access > New \
                          policy from template 'Block legacy authentication', state On, or enable \
                          security defaults. CLI: az rest --method post --url \
                          https://graph.microsoft.com/v1.0/identity/conditionalAccess/policies \
                          --body @block-legacy-auth.json",
            sources: &[CA, SD],
        },
        eval: Eval::TenantCtx(legacy_auth_blocked),
    },
    Check {
        meta: CheckMeta {
            id: "entra_guest_invites_restricted",
            title: "Only administrators and Guest Inviters can invite guest users",
            service: "entra",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.2"],
            cis: &["2.1.0:1.15", "3.0.0:2.16", "4.0.0:6.16", "5.0.0:5.16"],
            policies: &[],
            description: "Reads authorizationPolicy.allowInvitesFrom. Passes for \
                          adminsAndGuestInviters (only admins and the Guest Inviter role) or none; \
                          fails for adminsGuestInvitersAndAllMembers and everyone (Entra's default). \
                          Absent, or the policy not collected, is an error. \
                          Since catalogue 2026.12.0: a authorization policy answer that is not the \
                          documented object (a page-shaped `value` list, a bare array, an object \
                          without `id`) is a collection gap and makes the finding an error instead \
                          of being read as the policy; an absent allowInvitesFrom is Graph's documented \
                          default (everyone) and fails instead of being an error \
                          (docs/ABSENT_FIELDS.md).",
            rationale: "Each invitation creates a new external identity with access to the \
                        directory; restricting who may invite keeps the registration of new users \
                        an authorised, reviewable act (CC6.2) and limits access to the system \
                        (CC6.1).",
            remediation: "Portal: Entra admin center > External Identities > External \
                          collaboration settings > Guest invite settings > 'Only users assigned to \
                          specific admin roles can invite guest users'. CLI: az rest --method patch \
                          --url https://graph.microsoft.com/v1.0/policies/authorizationPolicy \
                          --body '{\"allowInvitesFrom\":\"adminsAndGuestInviters\"}'",
            sources: &[AUTHZ],
        },
        eval: Eval::Tenant(guest_invites),
    },
    Check {
        meta: CheckMeta {
            id: "entra_guest_access_restricted",
            title: "Guest users have restricted access to directory objects",
            service: "entra",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.3"],
            cis: &["2.1.0:1.14", "3.0.0:2.15", "4.0.0:6.15", "5.0.0:5.15"],
            policies: &[],
            description: "Reads authorizationPolicy.guestUserRoleId. Passes for \
                          2af84b1e-32c8-42b7-82bc-daa82404023b (restricted to their own directory \
                          objects, the CIS value) and for 10dae51f-b6af-4016-8d66-8c2a99b929b3 \
                          (limited access, Entra's default; recorded as such so the stricter CIS \
                          value is visible); fails for a0b1b346-4d3e-4e8b-98f8-753987be4970 (same \
                          access as members). Absent or any other value is an error. \
                          Since catalogue 2026.12.0: a authorization policy answer that is not the \
                          documented object (a page-shaped `value` list, a bare array, an object \
                          without `id`) is a collection gap and makes the finding an error instead \
                          of being read as the policy.",
            rationale: "Guests who can enumerate users, groups and their memberships can map the \
                        organisation for phishing and privilege paths; least privilege applies to \
                        directory data too (CC6.1, CC6.3).",
            remediation: "Portal: Entra admin center > External Identities > External \
                          collaboration settings > Guest user access > 'Guest user access is \
                          restricted to properties and memberships of their own directory objects'. \
                          CLI: az rest --method patch --url https://graph.microsoft.com/v1.0/\
                          policies/authorizationPolicy --body \
                          '{\"guestUserRoleId\":\"2af84b1e-32c8-42b7-82bc-daa82404023b\"}'",
            sources: &[AUTHZ],
        },
        eval: Eval::Tenant(guest_access),
    },
    Check {
        meta: CheckMeta {
            id: "entra_user_consent_restricted",
            title: "Users cannot consent to applications beyond low-risk verified-publisher apps",
            service: "entra",
            severity: Severity::High,
            criteria: &["CC6.1", "CC6.3"],
            cis: &[
                "2.1.0:1.10",
                "2.1.0:1.11",
                "3.0.0:2.12",
                "3.0.0:2.13",
                "4.0.0:6.12",
                "4.0.0:6.13",
                "5.0.0:5.12",
                "5.0.0:5.13",
            ],
            policies: &[],
            description: "Reads authorizationPolicy.defaultUserRolePermissions.\
                          permissionGrantPoliciesAssigned. Entries named \
                          ManagePermissionGrantsForSelf.<policy> let users consent for themselves. \
                          Passes when there is none (user consent off) or only the Microsoft \
                          policies microsoft-user-default-low (verified publishers, low-impact \
                          permissions) and microsoft-user-default-recommended (Microsoft-managed \
                          low-risk consent); fails for microsoft-user-default-legacy (consent to \
                          any app). A custom self-consent policy, or an entry of unknown form, is \
                          an error (its contents are not collected). \
                          ManagePermissionGrantsForOwnedResource.* entries (group and team owner \
                          consent) are recorded only. Absent is an error. \
                          Since catalogue 2026.12.0: a authorization policy answer that is not the \
                          documented object (a page-shaped `value` list, a bare array, an object \
                          without `id`) is a collection gap and makes the finding an error instead \
                          of being read as the policy.",
            rationale: "Consent phishing tricks users into granting a malicious app durable access \
                        to mail and files without any password; letting only administrators or \
                        low-risk verified apps receive consent keeps data access authorised \
                        (CC6.1, CC6.3).",
            remediation: "Portal: Entra admin center > Enterprise apps > Consent and permissions > \
                          User consent settings > 'Do not allow user consent' or 'Allow user \
                          consent for apps from verified publishers, for selected permissions'. \
                          CLI: az rest --method patch --url https://graph.microsoft.com/v1.0/\
                          policies/authorizationPolicy --body '{\"defaultUserRolePermissions\":\
                          {\"permissionGrantPoliciesAssigned\":[]}}'",
            sources: &[AUTHZ],
        },
        eval: Eval::Tenant(user_consent),
    },
    Check {
        meta: CheckMeta {
            id: "entra_risky_app_consent_blocked",
            title: "Users cannot consent to applications Entra flags as risky",
            service: "entra",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.3"],
            cis: &[],
            policies: &[],
            description: "Reads authorizationPolicy.allowUserConsentForRiskyApps. Passes when \
                          false; fails when true. Graph documents false as the default, so an \
                          absent value passes and is recorded as absent; the policy not collected \
                          is an error. \
                          Since catalogue 2026.12.0: a authorization policy answer that is not the \
                          documented object (a page-shaped `value` list, a bare array, an object \
                          without `id`) is a collection gap and makes the finding an error instead \
                          of being read as the policy, and an authorization policy returned as an empty \
                          object is an error instead of passing on the default.",
            rationale: "When Entra's risk detection flags an app, allowing users to consent anyway \
                        defeats the detection and grants data access to a likely malicious app \
                        (CC6.1, CC6.3).",
            remediation: "Portal: not exposed; use Graph. CLI: az rest --method patch --url \
                          https://graph.microsoft.com/v1.0/policies/authorizationPolicy --body \
                          '{\"allowUserConsentForRiskyApps\":false}'",
            sources: &[AUTHZ],
        },
        eval: Eval::Tenant(risky_app_consent),
    },
    Check {
        meta: CheckMeta {
            id: "entra_users_cannot_register_apps",
            title: "Non-admin users cannot register applications",
            service: "entra",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.2"],
            cis: &["2.1.0:1.13", "3.0.0:2.14", "4.0.0:6.14", "5.0.0:5.14"],
            policies: &[],
            description: "Passes when authorizationPolicy.defaultUserRolePermissions.\
                          allowedToCreateApps is false; true (Entra's default) fails; absent is an \
                          error. \
                          Since catalogue 2026.12.0: a authorization policy answer that is not the \
                          documented object (a page-shaped `value` list, a bare array, an object \
                          without `id`) is a collection gap and makes the finding an error instead \
                          of being read as the policy.",
            rationale: "Every app registration is a new identity that can hold secrets and request \
                        permissions; letting any user create them bypasses the approval of new \
                        identities (CC6.2) and widens access paths (CC6.1).",
            remediation: "Portal: Entra admin center > Identity > Users > User settings > 'Users can \
                          register applications' = No (grant Application Developer to those who \
                          need it). CLI: az rest --method patch --url https://graph.microsoft.com/\
                          v1.0/policies/authorizationPolicy --body '{\"defaultUserRolePermissions\":\
                          {\"allowedToCreateApps\":false}}'",
            sources: &[AUTHZ],
        },
        eval: Eval::Tenant(users_register_apps),
    },
    Check {
        meta: CheckMeta {
            id: "entra_users_cannot_create_security_groups",
            title: "Non-admin users cannot create security groups",
            service: "entra",
            severity: Severity::Low,
            criteria: &["CC6.2", "CC6.3"],
            cis: &["2.1.0:1.18", "3.0.0:2.19", "4.0.0:6.19", "5.0.0:5.19"],
            policies: &[],
            description: "Passes when authorizationPolicy.defaultUserRolePermissions.\
                          allowedToCreateSecurityGroups is false; true (Entra's default) fails; \
                          absent is an error. \
                          Since catalogue 2026.12.0: a authorization policy answer that is not the \
                          documented object (a page-shaped `value` list, a bare array, an object \
                          without `id`) is a collection gap and makes the finding an error instead \
                          of being read as the policy.",
            rationale: "Security groups carry access to apps and Azure resources; groups created \
                        and owned by arbitrary users escape the approval and review of access \
                        (CC6.2, CC6.3).",
            remediation: "Portal: Entra admin center > Groups > General settings > 'Users can create \
                          security groups in Azure portals, API or PowerShell' = No. CLI: az rest \
                          --method patch --url https://graph.microsoft.com/v1.0/policies/\
                          authorizationPolicy --body '{\"defaultUserRolePermissions\":\
                          {\"allowedToCreateSecurityGroups\":false}}'",
            sources: &[AUTHZ],
        },
        eval: Eval::Tenant(users_create_groups),
    },
    Check {
        meta: CheckMeta {
            id: "entra_users_cannot_create_tenants",
            title: "Non-admin users cannot create new tenants",
            service: "entra",
            severity: Severity::Low,
            criteria: &["CC6.1", "CC6.2"],
            cis: &["2.1.0:1.3", "3.0.0:2.3", "4.0.0:6.4", "5.0.0:5.4"],
            policies: &[],
            description: "Passes when authorizationPolicy.defaultUserRolePermissions.\
                          allowedToCreateTenants is false; true (Entra's default) fails; absent is \
                          an error. \
                          Since catalogue 2026.12.0: a authorization policy answer that is not the \
                          documented object (a page-shaped `value` list, a bare array, an object \
                          without `id`) is a collection gap and makes the finding an error instead \
                          of being read as the policy.",
            rationale: "A user who creates a tenant becomes its Global Administrator outside every \
                        control of the organisation, and data can move there unnoticed; tenant \
                        creation should be an administrative, authorised act (CC6.1, CC6.2).",
            remediation: "Portal: Entra admin center > Identity > Users > User settings > 'Restrict \
                          non-admin users from creating tenants' = Yes. CLI: az rest --method patch \
                          --url https://graph.microsoft.com/v1.0/policies/authorizationPolicy \
                          --body '{\"defaultUserRolePermissions\":{\"allowedToCreateTenants\":false}}'",
            sources: &[AUTHZ],
        },
        eval: Eval::Tenant(users_create_tenants),
    },
    Check {
        meta: CheckMeta {
            id: "entra_email_verified_join_disabled",
            title: "Users cannot join the tenant by email verification alone",
            service: "entra",
            severity: Severity::Low,
            criteria: &["CC6.2"],
            cis: &[],
            policies: &[],
            description: "Passes when authorizationPolicy.allowEmailVerifiedUsersToJoinOrganization \
                          is false; true fails; absent is an error. \
                          Since catalogue 2026.12.0: a authorization policy answer that is not the \
                          documented object (a page-shaped `value` list, a bare array, an object \
                          without `id`) is a collection gap and makes the finding an error instead \
                          of being read as the policy.",
            rationale: "With email-verified join, anyone who controls a mailbox at a verified \
                        domain can self-provision a member account without an approved \
                        registration (CC6.2).",
            remediation: "Portal: not exposed; use Graph. CLI: az rest --method patch --url \
                          https://graph.microsoft.com/v1.0/policies/authorizationPolicy --body \
                          '{\"allowEmailVerifiedUsersToJoinOrganization\":false}'",
            sources: &[AUTHZ],
        },
        eval: Eval::Tenant(email_verified_join),
    },
    Check {
        meta: CheckMeta {
            id: "entra_app_credentials_not_expired",
            title: "App registrations carry no expired secrets or certificates",
            service: "entra",
            severity: Severity::Low,
            criteria: &["CC6.1", "CC6.2"],
            cis: &[],
            policies: &[],
            description: "For every application's passwordCredentials and keyCredentials, compares \
                          endDateTime with the inventory's collection time. Fails listing every \
                          credential that has already expired; passes when none has. A credential \
                          without a readable endDateTime is an error; applications not collected \
                          is an error.",
            rationale: "Expired credentials left on an app show that credential lifecycle is not \
                        managed: rotation happened without removing the old secret, or the app is \
                        abandoned. Credentials no longer needed must be removed (CC6.2) and \
                        credentials managed (CC6.1).",
            remediation: "Portal: Entra admin center > App registrations > <app> > Certificates & \
                          secrets > delete expired entries. CLI: az ad app credential delete --id \
                          <app-id> --key-id <key-id> (add --cert for certificates)",
            sources: &[APPS],
        },
        eval: Eval::TenantCtx(app_credentials_expired),
    },
    Check {
        meta: CheckMeta {
            id: "entra_app_credentials_not_expiring",
            title: "No app registration secret or certificate expires within 30 days",
            service: "entra",
            severity: Severity::Low,
            criteria: &["CC6.1"],
            cis: &[],
            policies: &[],
            description: "Fails listing every application password or key credential whose \
                          endDateTime falls between the collection time and 30 days after it; \
                          passes when none does. Already expired credentials are \
                          entra_app_credentials_not_expired's concern. Unreadable endDateTime or \
                          applications not collected is an error.",
            rationale: "Credentials that expire unplanned cause outages and emergency rotations in \
                        which secrets get mishandled; tracking expiry is part of managing \
                        credentials for software (CC6.1).",
            remediation: "Portal: Entra admin center > App registrations > <app> > Certificates & \
                          secrets > New client secret / Upload certificate, deploy it, then delete \
                          the old one. CLI: az ad app credential reset --id <app-id> --append \
                          --years 1",
            sources: &[APPS],
        },
        eval: Eval::TenantCtx(app_credentials_expiring),
    },
    Check {
        meta: CheckMeta {
            id: "entra_app_credential_lifetime_limited",
            title: "App registration secrets and certificates are valid no longer than allowed",
            service: "entra",
            severity: Severity::Medium,
            criteria: &["CC6.1"],
            cis: &[],
            policies: &[],
            description: "For every application password and key credential that has not expired, \
                          computes endDateTime minus startDateTime. Fails listing each whose \
                          lifetime exceeds the max_credential_days setting (default 365 days); \
                          passes otherwise. A credential without readable start or end is an \
                          error; applications not collected is an error.",
            rationale: "A long-lived secret that leaks stays usable for years; bounding credential \
                        lifetime forces rotation and limits the window of misuse (CC6.1).",
            remediation: "Portal: Entra admin center > App registrations > <app> > Certificates & \
                          secrets > replace the credential with one of at most the allowed \
                          lifetime; enforce it with an app management policy. CLI: az ad app \
                          credential reset --id <app-id> --append --end-date <yyyy-mm-dd>",
            sources: &[APPS],
        },
        eval: Eval::TenantCtx(app_credential_lifetime),
    },
    Check {
        meta: CheckMeta {
            id: "entra_global_admins_max",
            title: "The number of Global Administrators does not exceed the configured maximum",
            service: "entra",
            severity: Severity::High,
            criteria: &["CC6.1", "CC6.3"],
            cis: &["2.1.0:1.25", "3.0.0:2.26", "4.0.0:6.26", "5.0.0:5.26"],
            policies: &[],
            description: "Counts distinct principals holding Global Administrator (role template \
                          62e90394-69f5-4237-9190-012177145e10): members of the activated directory \
                          role (directoryRoles?$expand=members, which includes PIM activations) and \
                          PIM eligibility schedules that have not ended. Passes when the count is \
                          at most max_global_admins (default 4, CIS: fewer than 5); more fails. A \
                          role-assignable group counts as one. Directory roles not collected, a \
                          Global Administrator role without expanded members, or eligibility \
                          schedules not collected while the count is within the limit, is an error. \
                          Since catalogue 2026.12.0: only a failed members read of the Global \
                          Administrator role makes the finding an error, not a failed members read \
                          of another directory role.",
            rationale: "Each Global Administrator can take over the tenant and every subscription \
                        trusting it; few holders limit the damage of one compromised account \
                        (CC6.1, CC6.3 least privilege).",
            remediation: "Portal: Entra admin center > Roles & admins > Global Administrator > \
                          remove assignments or convert them to narrower roles or PIM eligibility. \
                          CLI: az rest --method delete --url https://graph.microsoft.com/v1.0/\
                          directoryRoles/roleTemplateId=62e90394-69f5-4237-9190-012177145e10/\
                          members/<object-id>/$ref",
            sources: &[GA_MEMBERS, ELIGIBILITY],
        },
        eval: Eval::TenantCtx(global_admins_max),
    },
    Check {
        meta: CheckMeta {
            id: "entra_global_admins_min",
            title: "At least two principals hold the Global Administrator role",
            service: "entra",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC7.5"],
            cis: &[],
            policies: &[],
            description: "Counts distinct Global Administrators as entra_global_admins_max does \
                          (active members and current PIM eligibility schedules). Passes with \
                          two or more; fewer fails. Directory roles not collected, or fewer than \
                          two known while eligibility schedules were not collected, is an error. \
                          Since catalogue 2026.12.0: only a failed members read of the Global \
                          Administrator role makes the finding an error, not a failed members read \
                          of another directory role.",
            rationale: "With a single Global Administrator, losing that account (lockout, leaver, \
                        compromise) leaves nobody able to administer or recover the tenant; \
                        Microsoft recommends at least two, plus emergency access (CC6.1, CC7.5).",
            remediation: "Portal: Entra admin center > Roles & admins > Global Administrator > Add \
                          assignments (preferably PIM eligible). CLI: az rest --method post --url \
                          https://graph.microsoft.com/v1.0/roleManagement/directory/\
                          roleEligibilityScheduleRequests --body @eligible-ga.json",
            sources: &[GA_MEMBERS],
        },
        eval: Eval::TenantCtx(global_admins_min),
    },
    Check {
        meta: CheckMeta {
            id: "entra_privileged_roles_not_permanent",
            title: "Privileged directory roles are not assigned permanently outside PIM",
            service: "entra",
            severity: Severity::High,
            criteria: &["CC6.1", "CC6.3"],
            cis: &[],
            policies: &[],
            description: "Reads PIM roleAssignmentSchedules. Fails when a schedule for a privileged \
                          role (Global, Privileged Role, Privileged Authentication, Security, User, \
                          Application, Cloud Application, Conditional Access, Authentication, \
                          Exchange, SharePoint, Intune, Hybrid Identity, Helpdesk and Password \
                          Administrator) has assignmentType Assigned (standing, not activated from \
                          an eligibility) and no end (expiration type noExpiration or no \
                          endDateTime), unless the principal is a configured break-glass account \
                          (break_glass_accounts, by object id, or by UPN through the collected \
                          users). Each offender is listed with whether it also has an eligibility \
                          schedule. Schedules not collected is an error; a break-glass UPN that \
                          cannot be resolved because users were not collected makes a would-be \
                          failure an error. Since catalogue 2026.12.0: a schedule without assignmentType or roleDefinitionId is an error instead of being skipped.",
            rationale: "Standing privileged access is exposed to every session and token theft; \
                        just-in-time activation through PIM limits privilege to when it is needed \
                        and leaves an approval trail (CC6.1, CC6.3).",
            remediation: "Portal: Entra admin center > Identity governance > Privileged Identity \
                          Management > Microsoft Entra roles > Assignments > Active > convert each \
                          permanent assignment to Eligible. CLI: az rest --method post --url \
                          https://graph.microsoft.com/v1.0/roleManagement/directory/\
                          roleEligibilityScheduleRequests --body @eligible.json (then remove the \
                          active assignment)",
            sources: &[SCHEDULES],
        },
        eval: Eval::TenantCtx(privileged_not_permanent),
    },
    Check {
        meta: CheckMeta {
            id: "entra_stale_member_accounts_disabled",
            title: "Enabled member accounts have signed in within the configured period",
            service: "entra",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.2"],
            cis: &[],
            policies: &[],
            description: "For every user with userType Member and accountEnabled true, takes the \
                          latest of signInActivity.lastSignInDateTime, \
                          lastNonInteractiveSignInDateTime and lastSuccessfulSignInDateTime (or, \
                          for an account that never signed in, createdDateTime). Fails listing the \
                          accounts for which that is more than stale_account_days (default 90) \
                          before the collection time. A user without userType, accountEnabled or \
                          signInActivity (it needs Entra ID P1 and AuditLog.Read.All), or a \
                          never-used account without createdDateTime, makes the finding an error \
                          unless another account already fails. Users not collected is an error. Since catalogue 2026.12.0: the error names each user that could not be judged and what it lacked.",
            rationale: "Enabled accounts nobody uses are unmonitored credentials: leavers who were \
                        not deprovisioned, test accounts, forgotten service users. Access that is \
                        no longer needed must be removed (CC6.2, CC6.1).",
            remediation: "Portal: Entra admin center > Users > filter by last sign-in > disable or \
                          delete the accounts; use access reviews for inactive users. CLI: az ad \
                          user update --id <upn> --account-enabled false",
            sources: &[USERS],
        },
        eval: Eval::TenantCtx(stale_members),
    },
    Check {
        meta: CheckMeta {
            id: "entra_stale_guest_accounts_removed",
            title: "Enabled guest accounts have signed in within the configured period",
            service: "entra",
            severity: Severity::Medium,
            criteria: &["CC6.2", "CC6.3"],
            cis: &[
                "2.1.0:1.4",
                "3.0.0:2.4",
                "4.0.0:6.3.2",
                "5.0.0:5.3.2",
                "6.0.0:5.3.2",
            ],
            policies: &[],
            description: "As entra_stale_member_accounts_disabled, for users with userType Guest: \
                          fails listing enabled guests whose latest sign-in (or, never signed in, \
                          creation) is more than stale_account_days before the collection time. \
                          Missing userType, accountEnabled, signInActivity or createdDateTime is an \
                          error unless another guest already fails; users not collected is an \
                          error. Since catalogue 2026.12.0: the error names each user that could not be judged and what it lacked.",
            rationale: "Guests are invited for a purpose that ends; guests who no longer sign in \
                        still have access that nobody reviews, and their home organisation's \
                        offboarding does not reach this tenant (CC6.2, CC6.3).",
            remediation: "Portal: Entra admin center > Users > filter User type = Guest and last \
                          sign-in > delete; set up an access review for guests. CLI: az ad user \
                          delete --id <object-id>",
            sources: &[USERS],
        },
        eval: Eval::TenantCtx(stale_guests),
    },
    Check {
        meta: CheckMeta {
            id: "entra_admins_mfa_registered",
            title: "Every administrator has registered an MFA method",
            service: "entra",
            severity: Severity::High,
            criteria: &["CC6.1"],
            cis: &["2.1.0:1.1.2", "3.0.0:2.1.2"],
            policies: &[],
            description: "Reads the authentication methods registration report \
                          (userRegistrationDetails). Fails listing every entry with isAdmin true \
                          and isMfaRegistered false; passes when every administrator is registered. \
                          An administrator entry without isMfaRegistered is an error unless another \
                          already fails; the report not collected is an error.",
            rationale: "An MFA policy cannot protect an administrator who never registered a \
                        second factor: the first sign-in registers whoever holds the password. \
                        Registration is a precondition of the MFA control (CC6.1).",
            remediation: "Portal: Entra admin center > Protection > Authentication methods > User \
                          registration details > filter Admin = Yes, MFA registered = No; require \
                          registration (registration campaign or a Temporary Access Pass). CLI: az \
                          rest --method get --url \"https://graph.microsoft.com/v1.0/reports/\
                          authenticationMethods/userRegistrationDetails?$filter=isAdmin eq true\"",
            sources: &[REGISTRATION],
        },
        eval: Eval::Tenant(admins_mfa_registered),
    },
    Check {
        meta: CheckMeta {
            id: "entra_users_mfa_registered",
            title: "Every enabled member user has registered an MFA method",
            service: "entra",
            severity: Severity::Medium,
            criteria: &["CC6.1"],
            cis: &[
                "2.1.0:1.1.3",
                "3.0.0:2.1.3",
                "4.0.0:6.1.2",
                "5.0.0:5.1.2",
                "6.0.0:5.1.3",
            ],
            policies: &[],
            description: "Reads userRegistrationDetails. Fails listing every member (userType \
                          member, or no userType) with isMfaRegistered false; guests register in \
                          their home tenant and are not judged. When the user list was collected, \
                          accounts with accountEnabled false are skipped. An entry without \
                          isMfaRegistered is an error unless another already fails; the report not \
                          collected is an error. Since catalogue 2026.12.0: an entry without userType is undecided (an error) instead of counted as a member.",
            rationale: "Users without a registered second factor can be registered by an attacker \
                        who obtains their password first, turning MFA against the organisation \
                        (CC6.1).",
            remediation: "Portal: Entra admin center > Protection > Authentication methods > \
                          Registration campaign, or require registration through Identity \
                          Protection's MFA registration policy. CLI: az rest --method get --url \
                          \"https://graph.microsoft.com/v1.0/reports/authenticationMethods/\
                          userRegistrationDetails?$filter=isMfaRegistered eq false\"",
            sources: &[REGISTRATION],
        },
        eval: Eval::Tenant(users_mfa_registered),
    },
    Check {
        meta: CheckMeta {
            id: "entra_admins_mfa_not_phone_only",
            title: "No administrator relies on phone (SMS or voice) as the only MFA method",
            service: "entra",
            severity: Severity::Medium,
            criteria: &["CC6.1"],
            cis: &[],
            policies: &[],
            description: "Reads userRegistrationDetails.methodsRegistered for entries with isAdmin \
                          true and isMfaRegistered true. Fails listing every administrator whose \
                          registered methods are all telephony (mobilePhone, alternateMobilePhone, \
                          officePhone) apart from email and security questions, which are not MFA \
                          methods. An administrator without methodsRegistered is an error unless \
                          another already fails; the report not collected is an error. Since catalogue 2026.12.0: an entry without isMfaRegistered is undecided (an error) instead of \"not phone-only\".",
            rationale: "SMS and voice codes are phished in real time and stolen by SIM swapping; \
                        administrators need an authenticator app, FIDO2 key or Windows Hello so \
                        that MFA actually resists their likely attackers (CC6.1).",
            remediation: "Portal: Entra admin center > Users > <admin> > Authentication methods > \
                          add Microsoft Authenticator or a FIDO2 key, then require an \
                          authentication strength for admins in conditional access. CLI: az rest \
                          --method get --url \"https://graph.microsoft.com/v1.0/reports/\
                          authenticationMethods/userRegistrationDetails?$filter=isAdmin eq true\"",
            sources: &[REGISTRATION],
        },
        eval: Eval::Tenant(admins_not_phone_only),
    },
    Check {
        meta: CheckMeta {
            id: "entra_users_mfa_not_phone_only",
            title: "No member user relies on phone (SMS or voice) as the only MFA method",
            service: "entra",
            severity: Severity::Low,
            criteria: &["CC6.1"],
            cis: &[],
            policies: &[],
            description: "As entra_admins_mfa_not_phone_only for every member (userType member or \
                          none) with isMfaRegistered true: fails listing users whose MFA methods \
                          are all telephony. Guests are not judged. Missing methodsRegistered is an \
                          error unless another user already fails; the report not collected is an \
                          error. Since catalogue 2026.12.0: an entry without isMfaRegistered or userType is undecided (an error).",
            rationale: "Telephony factors are the weakest MFA methods and are being phased out by \
                        Microsoft's own guidance; moving users to app-based or phishing-resistant \
                        methods strengthens authentication (CC6.1).",
            remediation: "Portal: Entra admin center > Protection > Authentication methods > \
                          Registration campaign for Microsoft Authenticator. CLI: az rest --method \
                          get --url https://graph.microsoft.com/v1.0/reports/authenticationMethods/\
                          userRegistrationDetails",
            sources: &[REGISTRATION],
        },
        eval: Eval::Tenant(users_not_phone_only),
    },
    Check {
        meta: CheckMeta {
            id: "entra_ca_exclusions_break_glass_only",
            title: "Conditional access policies exclude only the break-glass accounts",
            service: "entra",
            severity: Severity::High,
            criteria: &["CC6.1", "CC6.6"],
            cis: &[],
            policies: &[],
            description: "For every conditional access policy with state enabled, resolves \
                          conditions.users exclusions: excludeUsers ids, excluded groups by their \
                          transitive members, excluded roles by their active members and current PIM \
                          eligibilities, and GuestsOrExternalUsers or excludeGuestsOrExternalUsers as a \
                          class. Fails listing every excluded principal or class that is not one of the \
                          break_glass_accounts (user object ids, or UPNs resolved through the collected \
                          users). Passes when enforced policies exclude nobody else. Policies not \
                          collected is an error; a would-be failure while a break-glass UPN cannot be \
                          resolved (users not collected) is an error, and so is an excluded group or \
                          role whose members were not collected. Since catalogue 2026.12.0: excluded \
                          groups and roles are judged by who is in them (a group holding only \
                          break-glass accounts passes, a group holding others fails naming them), and a \
                          group id listed in break_glass_accounts no longer exempts its members.",
            rationale: "Every exclusion is an account that the MFA, legacy-blocking or risk \
                        policy does not protect; only emergency-access accounts, which are \
                        monitored separately, should be exempt (CC6.1, CC6.6).",
            remediation: "Portal: Entra admin center > Protection > Conditional Access > <policy> > \
                          Users > Exclude > remove everything but the break-glass accounts. CLI: az \
                          rest --method patch --url https://graph.microsoft.com/v1.0/identity/\
                          conditionalAccess/policies/<id> --body @users-condition.json",
            sources: &[CA],
        },
        eval: Eval::TenantCtx(ca_exclusions),
    },
    Check {
        meta: CheckMeta {
            id: "entra_break_glass_account_excluded",
            title: "A break-glass account exists and is excluded from every conditional access policy",
            service: "entra",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC7.5"],
            cis: &[],
            policies: &[],
            description: "Takes the break_glass_accounts setting (user object ids or UPNs). Passes when \
                          at least one configured entry is a collected user with accountEnabled true to \
                          whom no conditional access policy with state enabled applies: excluded \
                          directly, through a group whose collected transitive members include it or a \
                          role it holds, or not included at all. Fails naming, per account, why it does \
                          not qualify. An empty setting is an error ('not configured'), never a pass; \
                          policies or users not collected is an error, and so is an account that only a \
                          group or role with unknown members would exclude. Since catalogue 2026.12.0: \
                          exclusion through any group is read from the group's members (a configured \
                          group id no longer counts by itself), and a policy that does not include the \
                          account is not counted against it.",
            rationale: "If conditional access or the MFA provider fails, or the last administrator \
                        is locked out, only an excluded emergency-access account can restore \
                        administration; without one, an identity incident becomes an outage with \
                        no recovery path (CC7.5, CC6.1).",
            remediation: "Portal: Entra admin center > Users > New user (cloud-only, Global \
                          Administrator, FIDO2 key), then exclude it in every Conditional Access \
                          policy and list it under [checks] break_glass_accounts. CLI: az ad user \
                          create --display-name \"Emergency access 1\" --user-principal-name \
                          bg1@<tenant>.onmicrosoft.com --password <long-random>",
            sources: &[CA, USERS],
        },
        eval: Eval::TenantCtx(break_glass_excluded),
    },
    Check {
        meta: CheckMeta {
            id: "entra_signin_risk_policy_enforced",
            title: "A conditional access policy requires MFA or blocks medium and high sign-in risk",
            service: "entra",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.6"],
            cis: &["2.1.0:1.2.5", "3.0.0:2.2.6", "4.0.0:6.2.5", "5.0.0:5.2.5"],
            policies: &[],
            description: "Passes when every user of the tenant is covered, for sign-in risk medium and \
                          high, on every cloud app, client app type, platform, location and user risk \
                          level, by enforced policies that require MFA (as for \
                          entra_mfa_required_for_admins) or block; the levels may be split across \
                          policies. Conditional access is judged as sets: each enforced policy (state \
                          enabled; report-only does not count) covers the users its users condition \
                          resolves to against the collected directory (included users, groups with their \
                          transitive members, role holders, All, GuestsOrExternalUsers, minus everyone \
                          excluded the same ways), on the apps, client app types, platforms, locations \
                          and risk levels its conditions match; the union of the qualifying policies \
                          must cover the whole claim. Break-glass accounts (break_glass_accounts) are \
                          the one allowed gap; anyone else left out is named. A policy with a condition \
                          the model cannot enumerate (device filter, authentication flows, an unknown \
                          condition) is not credited. Fails naming who or what is left open and every \
                          policy not credited; policies not collected is an error, and so are unknown \
                          users or group members. Security defaults do not evaluate risk and are not \
                          credited. Since catalogue 2026.12.0: exclusions by user, group or role, \
                          excluded apps and client app type limits now fail the check instead of passing \
                          a policy that includes all users.",
            rationale: "Entra ID Protection scores sign-ins that look like token replay, password \
                        spray or impossible travel; requiring MFA on risky sign-ins stops an \
                        attacker holding a stolen password (CC6.1, CC6.6).",
            remediation: "Portal: Entra admin center > Protection > Conditional Access > New policy \
                          from template 'Require multifactor authentication for risky sign-ins', \
                          state On. CLI: az rest --method post --url https://graph.microsoft.com/\
                          v1.0/identity/conditionalAccess/policies --body @signin-risk.json",
            sources: &[CA],
        },
        eval: Eval::TenantCtx(signin_risk_policy),
    },
    Check {
        meta: CheckMeta {
            id: "entra_user_risk_policy_enforced",
            title: "A conditional access policy requires a password change or blocks high user risk",
            service: "entra",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.6"],
            cis: &[],
            policies: &[],
            description: "Passes when every user of the tenant is covered, for user risk high, on every \
                          cloud app, client app type, platform, location and sign-in risk level, by \
                          enforced policies that require a password change (passwordChange alone or with \
                          operator AND, which Entra combines with MFA) or block. Conditional access is \
                          judged as sets: each enforced policy (state enabled; report-only does not \
                          count) covers the users its users condition resolves to against the collected \
                          directory (included users, groups with their transitive members, role holders, \
                          All, GuestsOrExternalUsers, minus everyone excluded the same ways), on the \
                          apps, client app types, platforms, locations and risk levels its conditions \
                          match; the union of the qualifying policies must cover the whole claim. \
                          Break-glass accounts (break_glass_accounts) are the one allowed gap; anyone \
                          else left out is named. A policy with a condition the model cannot enumerate \
                          (device filter, authentication flows, an unknown condition) is not credited. \
                          Fails naming who or what is left open and every policy not credited; policies \
                          not collected is an error, and so are unknown users or group members, or \
                          userRiskLevels absent (required by Graph). Since catalogue 2026.12.0: \
                          exclusions by user, group or role, excluded apps and client app type limits \
                          now fail the check instead of passing a policy that includes all users.",
            rationale: "High user risk means Entra believes the credentials are compromised \
                        (leaked credentials, confirmed attacks); forcing a secure password change \
                        or blocking revokes the attacker's access (CC6.1, CC6.6).",
            remediation: "Portal: Entra admin center > Protection > Conditional Access > New policy \
                          from template 'Require password change for high-risk users', state On. \
                          CLI: az rest --method post --url https://graph.microsoft.com/v1.0/\
                          identity/conditionalAccess/policies --body @user-risk.json",
            sources: &[CA],
        },
        eval: Eval::TenantCtx(user_risk_policy),
    },
    Check {
        meta: CheckMeta {
            id: "entra_trusted_locations_defined",
            title: "At least one trusted named location is defined",
            service: "entra",
            severity: Severity::Low,
            criteria: &["CC6.6"],
            cis: &["2.1.0:1.2.1", "3.0.0:2.2.1", "4.0.0:6.2.1", "5.0.0:5.2.1"],
            policies: &[],
            description: "Reads the conditional access named locations. Passes when at least one \
                          IP-range location has isTrusted true (the locations are recorded); fails \
                          when none is trusted or none exists; not collected is an error. Country \
                          locations cannot be trusted and are recorded only. Since catalogue 2026.12.0: a named location returned empty is an error instead of untrusted.",
            rationale: "Trusted locations define the network boundary that risk detection and \
                        location-based policies use to tell corporate sign-ins from the rest \
                        (CC6.6 boundary protection).",
            remediation: "Portal: Entra admin center > Protection > Conditional Access > Named \
                          locations > IP ranges location > add the corporate egress ranges > Mark \
                          as trusted location. CLI: az rest --method post --url \
                          https://graph.microsoft.com/v1.0/identity/conditionalAccess/\
                          namedLocations --body @trusted-location.json",
            sources: &[LOCATIONS],
        },
        eval: Eval::Tenant(trusted_locations),
    },
    Check {
        meta: CheckMeta {
            id: "entra_baseline_protection_enabled",
            title: "Security defaults or enforced conditional access policies protect sign-ins",
            service: "entra",
            severity: Severity::High,
            criteria: &["CC6.1"],
            cis: &[
                "2.1.0:1.1.1",
                "3.0.0:2.1.1",
                "4.0.0:6.1.1",
                "5.0.0:5.1.1",
                "6.0.0:5.1.1",
            ],
            policies: &[],
            description: "Consistency of the two mutually exclusive baselines. Passes when security \
                          defaults are enabled and no conditional access policy is enforced, or when \
                          security defaults are off (read, or proven by enforced policies) and the \
                          enforced policies give what security defaults would: MFA for all users, MFA \
                          for Global Administrators and legacy authentication blocked, each judged as \
                          entra_mfa_required_for_all_users, entra_mfa_required_for_admins and \
                          entra_legacy_auth_blocked judge them (break-glass accounts allowed). Fails \
                          when security defaults are disabled and no policy is enforced, or when a part \
                          of the baseline is not covered (each named). Security defaults enabled while \
                          policies are enforced is impossible in Entra and reported as an error \
                          (inconsistent data); anything not collected that could change the outcome is \
                          an error. Since catalogue 2026.12.0: one enforced policy of any kind no longer \
                          passes; the policies must cover the baseline. \
                          Since catalogue 2026.12.0: a security defaults policy answer that is not \
                          the documented object (a page-shaped `value` list, a bare array, an \
                          object without `id`) is a collection gap and makes the finding an error \
                          instead of being read as the policy.",
            rationale: "A tenant with neither security defaults nor enforced conditional access \
                        has no tenant-wide MFA or legacy-authentication blocking at all (CC6.1); \
                        CIS recommends security defaults where conditional access is not used.",
            remediation: "Portal: Entra admin center > Identity > Overview > Properties > Manage \
                          security defaults > Enabled, or create and enforce conditional access \
                          policies. CLI: az rest --method patch --url https://graph.microsoft.com/\
                          v1.0/policies/identitySecurityDefaultsEnforcementPolicy --body \
                          '{\"isEnabled\":true}'",
            sources: &[CA, SD],
        },
        eval: Eval::TenantCtx(baseline_protection),
    },
];

// ---------------------------------------------------------------------------------------------
// Conditional access: every claim is judged by the coverage model (`super::ca_coverage`), which
// resolves users, groups and roles against the collected directory and reasons about every
// condition kind as sets.
// ---------------------------------------------------------------------------------------------

/// The MFA claim every sign-in must meet: all apps, every client, platform, location and risk.
const MFA_CLAIM: Claim = Claim {
    population: Population::AllUsers,
    client_apps: cov::CLIENT_APPS,
    sign_in_risk: cov::RISK_LEVELS,
    user_risk: cov::RISK_LEVELS,
    grant: Grant::Mfa,
};
const ADMIN_MFA_CLAIM: Claim = Claim {
    population: Population::RoleHolders(GLOBAL_ADMIN, "Global Administrator"),
    ..MFA_CLAIM
};
const LEGACY_CLAIM: Claim = Claim {
    client_apps: cov::LEGACY_CLIENTS,
    grant: Grant::Block,
    ..MFA_CLAIM
};
const SIGNIN_RISK_CLAIM: Claim = Claim {
    sign_in_risk: &["medium", "high"],
    ..MFA_CLAIM
};
const USER_RISK_CLAIM: Claim = Claim {
    user_risk: &["high"],
    grant: Grant::PasswordChange,
    ..MFA_CLAIM
};

/// The directory as the coverage model reads it, with the reasons the collector gave for
/// groups whose members it could not read.
fn directory<'a>(ctx: &Ctx<'a>) -> cov::Directory<'a> {
    let mut gaps = std::collections::BTreeMap::new();
    if let Some(src) = ctx.inventory.source(GROUP_MEMBERS) {
        for g in &src.gaps {
            if let Some((_, id)) = g.scope.rsplit_once("/groups/") {
                gaps.insert(id.to_ascii_lowercase(), g.reason.clone());
            }
        }
    }
    cov::Directory::new(&ctx.inventory.identity, gaps, ctx.as_of())
}

/// A claim's verdict on conditional access alone: `Ok` pass reason, or `Err((fail?, reason))`.
enum Judged {
    Pass(String),
    Fail(String),
    Unknown(String),
}

fn judge(c: &Coverage, what: &str) -> Judged {
    let not_credited: Vec<String> = c
        .policies
        .iter()
        .filter_map(|j| {
            j.credited
                .as_ref()
                .err()
                .map(|e| format!("{}: {e}", cov::name(j.policy)))
        })
        .collect();
    let considered = if c.policies.is_empty() {
        "the tenant has no conditional access policies".to_string()
    } else if not_credited.is_empty() {
        format!("credited: {}", c.credited_names().join(", "))
    } else {
        format!("policies not credited: {}", not_credited.join("; "))
    };
    let holes = |h: &[cov::Hole]| listed(&h.iter().map(cov::Hole::describe).collect::<Vec<_>>());
    if !c.uncovered.is_empty() {
        Judged::Fail(format!(
            "{what} is not enforced for {} principal(s): {} ({considered})",
            c.uncovered.len(),
            holes(&c.uncovered)
        ))
    } else if !c.unknown.is_empty() {
        Judged::Unknown(format!(
            "{what} cannot be confirmed for {} principal(s): {}; unknown: {} ({considered})",
            c.unknown.len(),
            holes(&c.unknown),
            c.unknowns.iter().cloned().collect::<Vec<_>>().join("; ")
        ))
    } else {
        let mut r = format!(
            "{what} is enforced by conditional access: {}",
            c.credited_names().join(", ")
        );
        if !c.break_glass.is_empty() {
            r.push_str(&format!(
                "; break-glass accounts left out (allowed): {}",
                holes(&c.break_glass)
            ));
        }
        Judged::Pass(r)
    }
}

fn observe_coverage(v: Verdict, c: &Coverage) -> Verdict {
    let seen: Vec<Value> = c
        .policies
        .iter()
        .map(cov::PolicyJudgement::observed)
        .collect();
    let holes = |h: &[cov::Hole]| cap(h.iter().map(cov::Hole::observed).collect());
    v.observe_value("conditionalAccess.policies", Value::from(seen))
        .observe_value("coverage.uncovered", holes(&c.uncovered))
        .observe_value("coverage.unknown", holes(&c.unknown))
        .observe_value("coverage.unknowns", json!(c.unknowns))
        .observe_value("coverage.break_glass_gaps", holes(&c.break_glass))
}

/// Evaluates a claim over the collected policies (`None` when they were not collected).
fn coverage<'a>(ctx: &Ctx<'a>, claim: &Claim) -> Option<Coverage<'a>> {
    let policies = ctx
        .inventory
        .identity
        .conditional_access_policies
        .as_deref()?;
    let bg = break_glass(ctx);
    let dir = directory(ctx);
    Some(cov::evaluate(
        policies,
        &dir,
        claim,
        &bg.ids,
        !bg.unresolved.is_empty(),
    ))
}

fn mfa_for_admins(ctx: &Ctx) -> Verdict {
    let (v, c) = decide(ctx, "MFA for Global Administrators", &ADMIN_MFA_CLAIM);
    // Other admin roles covered by the same policies: evidence of scope, not a condition.
    let mut roles: Vec<&str> = c
        .iter()
        .flat_map(|c| &c.policies)
        .filter(|j| j.credited.is_ok())
        .filter_map(|j| j.policy.users())
        .flat_map(|u| u.include_roles.iter().map(String::as_str))
        .filter(|r| !r.eq_ignore_ascii_case(GLOBAL_ADMIN))
        .collect();
    roles.sort_unstable();
    roles.dedup();
    v.observe_value("credited_policies.other_included_roles", json!(roles))
}

fn mfa_for_all_users(ctx: &Ctx) -> Verdict {
    decide(ctx, "MFA for all users", &MFA_CLAIM).0
}

fn legacy_auth_blocked(ctx: &Ctx) -> Verdict {
    decide(
        ctx,
        "a block on legacy authentication (exchangeActiveSync, other) for all users",
        &LEGACY_CLAIM,
    )
    .0
}

/// The shared decision: security defaults, then conditional access coverage, never a pass on
/// missing data. Returns the verdict (with both sources observed) and the coverage.
fn decide<'a>(ctx: &Ctx<'a>, what: &str, claim: &Claim) -> (Verdict, Option<Coverage<'a>>) {
    let idn = &ctx.inventory.identity;
    let sd = idn.security_defaults.as_ref().and_then(|s| s.is_enabled);
    let sd_seen = json!(sd);
    let Some(c) = coverage(ctx, claim) else {
        let v = if sd == Some(true) {
            Verdict::pass(format!(
                "security defaults are enabled, which enforce {what}"
            ))
        } else {
            let state = if sd == Some(false) {
                "disabled"
            } else {
                "unknown"
            };
            Verdict::error(format!(
                "conditional access policies were not collected and security defaults are \
                 {state}, so {what} cannot be confirmed"
            ))
        };
        let v = v
            .observe_value("securityDefaults.isEnabled", sd_seen)
            .observe_value("conditionalAccess.policies", Value::Null);
        return (v, None);
    };
    // Entra refuses to enforce CA policies while security defaults are on, so one enforced
    // policy proves they are off even when they could not be read.
    let any_enforced = c.policies.iter().any(|j| j.policy.is_enforced());
    let v = if sd == Some(true) {
        Verdict::pass(format!(
            "security defaults are enabled, which enforce {what}"
        ))
    } else {
        match judge(&c, what) {
            Judged::Pass(r) => Verdict::pass(r),
            Judged::Fail(r) if sd == Some(false) => {
                Verdict::fail(format!("security defaults are disabled and {r}"))
            }
            Judged::Fail(r) if any_enforced => Verdict::fail(format!(
                "{r}; security defaults are off since conditional access policies are enforced"
            )),
            Judged::Fail(r) => Verdict::error(format!(
                "{r}, and security defaults were not collected, so they may still enforce it"
            )),
            Judged::Unknown(r) => Verdict::error(r),
        }
    };
    let v = observe_coverage(v.observe_value("securityDefaults.isEnabled", sd_seen), &c);
    (v, Some(c))
}

// ---------------------------------------------------------------------------------------------
// Tenant settings, credentials, privileged roles, accounts and registration (Graph objects kept
// as JSON in the inventory, read defensively: an absent field is never taken as compliant).
// ---------------------------------------------------------------------------------------------

/// Names listed in a reason; the observed values carry up to [`MAX_OBSERVED`] items.
const MAX_LISTED: usize = 20;
const MAX_OBSERVED: usize = 100;

/// Role template ids of the directory roles treated as privileged (Microsoft marks them
/// PRIVILEGED in the built-in roles reference).
const PRIVILEGED_ROLES: &[(&str, &str)] = &[
    (GLOBAL_ADMIN, "Global Administrator"),
    (
        "e8611ab8-c189-46e8-94e1-60213ab1f814",
        "Privileged Role Administrator",
    ),
    (
        "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
        "Privileged Authentication Administrator",
    ),
    (
        "194ae4cb-b126-40b2-bd5b-6091b380977d",
        "Security Administrator",
    ),
    ("fe930be7-5e62-47db-91af-98c3a49a38b1", "User Administrator"),
    (
        "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
        "Application Administrator",
    ),
    (
        "158c047a-c907-4556-b7ef-446551a6b5f7",
        "Cloud Application Administrator",
    ),
    (
        "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9",
        "Conditional Access Administrator",
    ),
    (
        "c4e39bd9-1100-46d3-8c65-fb160da0071f",
        "Authentication Administrator",
    ),
    (
        "29232cdf-9323-42fd-ade2-1d097af3e4de",
        "Exchange Administrator",
    ),
    (
        "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",
        "SharePoint Administrator",
    ),
    (
        "3a2c62db-5318-420d-8d74-23affee5d9d5",
        "Intune Administrator",
    ),
    (
        "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2",
        "Hybrid Identity Administrator",
    ),
    (
        "729827e3-9c14-49f7-bb1b-9608f156bbb8",
        "Helpdesk Administrator",
    ),
    (
        "966707d0-3269-4727-9be2-8c3a10f19b9d",
        "Password Administrator",
    ),
];

/// Guest access levels (`guestUserRoleId`).
const GUEST_RESTRICTED: &str = "2af84b1e-32c8-42b7-82bc-daa82404023b";
const GUEST_LIMITED: &str = "10dae51f-b6af-4016-8d66-8c2a99b929b3";
const GUEST_MEMBER_LIKE: &str = "a0b1b346-4d3e-4e8b-98f8-753987be4970";

/// Days ahead in which an expiring app credential is reported.
const EXPIRY_WARNING_DAYS: i64 = 30;

/// Registered methods that are not a phone: email and security questions are self-service
/// password reset methods, not MFA, so they never count as a second factor.
const PHONE_METHODS: &[&str] = &["mobilePhone", "alternateMobilePhone", "officePhone"];
const NOT_MFA_METHODS: &[&str] = &["email", "securityQuestion"];

fn cap(items: Vec<Value>) -> Value {
    Value::from(items.into_iter().take(MAX_OBSERVED).collect::<Vec<_>>())
}

/// `{"user", "why"}` entries as "user (why)", for reasons that name what was missing.
fn undecided_labels(entries: &[Value]) -> Vec<String> {
    entries
        .iter()
        .map(|e| {
            format!(
                "{} ({})",
                e["user"].as_str().unwrap_or("(unnamed user)"),
                e["why"].as_str().unwrap_or("unknown")
            )
        })
        .collect()
}

fn listed(items: &[String]) -> String {
    let mut s = items
        .iter()
        .take(MAX_LISTED)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > MAX_LISTED {
        s.push_str(&format!(" and {} more", items.len() - MAX_LISTED));
    }
    s
}

/// A Graph timestamp; `Ok(None)` for null, absent, or the `0001-01-01` "never" sentinel.
fn time(v: Option<&Value>) -> Result<Option<DateTime<Utc>>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() || s.starts_with("0001-01-01") => Ok(None),
        Some(Value::String(s)) => DateTime::parse_from_rfc3339(s)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|e| format!("unreadable timestamp {s:?}: {e}")),
        Some(other) => Err(format!("unexpected timestamp {other}")),
    }
}

fn str_field<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// A field of a Graph object that decides a verdict, read by its row (`props::ROWS`).
fn field<'a>(ty: &str, v: &'a Value, key: &str) -> Option<&'a Value> {
    props::object_value(ty, v, &format!("/{key}"))
}

/// A `userRegistrationDetails` entry of the registration report.
const REGISTRATION_ENTRY: &str = "graph:userRegistrationDetails";

/// A PIM `unifiedRoleAssignmentSchedule`.
const ASSIGNMENT_SCHEDULE: &str = "graph:unifiedRoleAssignmentSchedule";

/// A conditional-access named location.
const NAMED_LOCATION: &str = "graph:namedLocation";

fn authz(idn: &Identity) -> Result<&Value, Verdict> {
    match idn.authorization_policy.as_ref() {
        None => Err(Verdict::error("the authorization policy was not collected")),
        // An empty body is missing data: no property of it is "absent" (props::object_value).
        Some(p) if p.as_object().is_none_or(|o| o.is_empty()) => Err(Verdict::error(
            "the authorization policy was returned without properties",
        )),
        Some(p) => Ok(p),
    }
}

fn authz_key(pointer: &str) -> String {
    format!("authorizationPolicy{}", pointer.replace('/', "."))
}

/// One boolean of the authorization policy that must equal `want`. Absent is an error.
fn authz_bool(idn: &Identity, pointer: &str, want: bool, good: &str, bad: &str) -> Verdict {
    let key = authz_key(pointer);
    let p = match authz(idn) {
        Ok(p) => p,
        Err(v) => return v.observe(&key, None),
    };
    let val = props::object_value(AUTHORIZATION_POLICY, p, pointer);
    let v = match (val, val.and_then(Value::as_bool)) {
        (_, Some(b)) if b == want => Verdict::pass(format!("{good} ({key} is {b})")),
        (_, Some(b)) => Verdict::fail(format!("{bad} ({key} is {b})")),
        (Some(other), None) => Verdict::error(format!("{key} has unexpected value {other}")),
        (None, None) => Verdict::error(format!("{key} is not present in the collected data")),
    };
    v.observe(&key, val)
}

fn guest_invites(idn: &Identity) -> Verdict {
    let key = authz_key("/allowInvitesFrom");
    let p = match authz(idn) {
        Ok(p) => p,
        Err(v) => return v.observe(&key, None),
    };
    let val = props::object_value(AUTHORIZATION_POLICY, p, "/allowInvitesFrom");
    let v = match val.and_then(Value::as_str) {
        Some(s)
            if s.eq_ignore_ascii_case("adminsAndGuestInviters")
                || s.eq_ignore_ascii_case("none") =>
        {
            Verdict::pass(format!("guest invitations are limited ({key} is {s})"))
        }
        Some(s)
            if s.eq_ignore_ascii_case("everyone")
                || s.eq_ignore_ascii_case("adminsGuestInvitersAndAllMembers") =>
        {
            Verdict::fail(format!(
                "non-administrators can invite guests ({key} is {s})"
            ))
        }
        Some(s) => Verdict::error(format!("{key} has unexpected value {s}")),
        None => Verdict::error(format!("{key} is not present in the collected data")),
    };
    let v = props::object_note(v, AUTHORIZATION_POLICY, p, "/allowInvitesFrom");
    // Recorded as collected: null when absent.
    v.observe(
        &key,
        p.pointer("/allowInvitesFrom").filter(|x| !x.is_null()),
    )
}

fn guest_access(idn: &Identity) -> Verdict {
    let key = authz_key("/guestUserRoleId");
    let p = match authz(idn) {
        Ok(p) => p,
        Err(v) => return v.observe(&key, None),
    };
    let val = props::object_value(AUTHORIZATION_POLICY, p, "/guestUserRoleId");
    let id = val.and_then(Value::as_str).map(str::to_ascii_lowercase);
    let v = match id.as_deref() {
        Some(GUEST_RESTRICTED) => Verdict::pass(
            "guests are restricted to their own directory objects (most restrictive level)",
        ),
        Some(GUEST_LIMITED) => Verdict::pass(
            "guests have limited access to directory objects (Entra's default; CIS asks for the \
             most restrictive level 2af84b1e-32c8-42b7-82bc-daa82404023b)",
        ),
        Some(GUEST_MEMBER_LIKE) => {
            Verdict::fail("guests have the same directory access as members")
        }
        Some(other) => Verdict::error(format!("{key} has unexpected value {other}")),
        None => Verdict::error(format!("{key} is not present in the collected data")),
    };
    v.observe(&key, val)
}

fn user_consent(idn: &Identity) -> Verdict {
    let pointer = "/defaultUserRolePermissions/permissionGrantPoliciesAssigned";
    let key = authz_key(pointer);
    let p = match authz(idn) {
        Ok(p) => p,
        Err(v) => return v.observe(&key, None),
    };
    let Some(list) =
        props::object_value(AUTHORIZATION_POLICY, p, pointer).and_then(Value::as_array)
    else {
        return Verdict::error(format!("{key} is not present in the collected data"))
            .observe(&key, p.pointer(pointer));
    };
    const SELF: &str = "managepermissiongrantsforself.";
    const OWNED: &str = "managepermissiongrantsforownedresource.";
    let mut self_policies = Vec::new();
    let mut owner_policies = Vec::new();
    let mut unknown = Vec::new();
    for e in list {
        let Some(s) = e.as_str() else {
            unknown.push(e.to_string());
            continue;
        };
        let lower = s.to_ascii_lowercase();
        if let Some(rest) = lower.strip_prefix(SELF) {
            self_policies.push(rest.to_string());
        } else if lower.starts_with(OWNED) {
            owner_policies.push(s.to_string());
        } else {
            unknown.push(s.to_string());
        }
    }
    let managed = [
        "microsoft-user-default-low",
        "microsoft-user-default-recommended",
    ];
    let legacy = self_policies
        .iter()
        .any(|p| p == "microsoft-user-default-legacy");
    let custom: Vec<&String> = self_policies
        .iter()
        .filter(|p| !managed.contains(&p.as_str()) && *p != "microsoft-user-default-legacy")
        .collect();
    let v = if legacy {
        Verdict::fail(
            "users can consent to any application for themselves \
             (ManagePermissionGrantsForSelf.microsoft-user-default-legacy)",
        )
    } else if !custom.is_empty() || !unknown.is_empty() {
        let mut what: Vec<String> = custom
            .iter()
            .map(|c| format!("custom self-consent policy {c}"))
            .collect();
        what.extend(unknown.iter().map(|u| format!("unrecognised entry {u}")));
        Verdict::error(format!(
            "cannot judge user consent: {} (policy contents are not collected)",
            what.join(", ")
        ))
    } else if self_policies.is_empty() {
        Verdict::pass("users cannot consent to applications for themselves")
    } else {
        Verdict::pass(format!(
            "users can consent only under Microsoft's low-risk policy: {}",
            self_policies.join(", ")
        ))
    };
    v.observe(&key, Some(&Value::from(list.clone())))
        .observe_value("self_consent_policies", json!(self_policies))
        .observe_value("owner_consent_policies", json!(owner_policies))
}

fn risky_app_consent(idn: &Identity) -> Verdict {
    let key = authz_key("/allowUserConsentForRiskyApps");
    let p = match authz(idn) {
        Ok(p) => p,
        Err(v) => return v.observe(&key, None),
    };
    let val = props::object_value(AUTHORIZATION_POLICY, p, "/allowUserConsentForRiskyApps");
    let v = match (val, val.and_then(Value::as_bool)) {
        (_, Some(false)) => Verdict::pass("users cannot consent to risky applications"),
        (_, Some(true)) => Verdict::fail(format!(
            "users can consent to applications Entra flags as risky ({key} is true)"
        )),
        (Some(other), None) => Verdict::error(format!("{key} has unexpected value {other}")),
        // Graph documents false as the default value.
        (None, None) => Verdict::pass(format!(
            "{key} is not set; Graph documents its default as false"
        )),
    };
    let v = props::object_note(v, AUTHORIZATION_POLICY, p, "/allowUserConsentForRiskyApps");
    // Recorded as collected: null when absent.
    v.observe(
        &key,
        p.pointer("/allowUserConsentForRiskyApps")
            .filter(|x| !x.is_null()),
    )
}

fn users_register_apps(idn: &Identity) -> Verdict {
    authz_bool(
        idn,
        "/defaultUserRolePermissions/allowedToCreateApps",
        false,
        "non-admin users cannot register applications",
        "every user can register applications",
    )
}

fn users_create_groups(idn: &Identity) -> Verdict {
    authz_bool(
        idn,
        "/defaultUserRolePermissions/allowedToCreateSecurityGroups",
        false,
        "non-admin users cannot create security groups",
        "every user can create security groups",
    )
}

fn users_create_tenants(idn: &Identity) -> Verdict {
    authz_bool(
        idn,
        "/defaultUserRolePermissions/allowedToCreateTenants",
        false,
        "non-admin users cannot create tenants",
        "every user can create tenants",
    )
}

fn email_verified_join(idn: &Identity) -> Verdict {
    authz_bool(
        idn,
        "/allowEmailVerifiedUsersToJoinOrganization",
        false,
        "users cannot join by email verification",
        "anyone with a mailbox at a verified domain can join the tenant",
    )
}

/// One password or key credential of an app registration.
struct Credential<'a> {
    app: &'a str,
    app_id: Option<&'a str>,
    kind: &'static str,
    key_id: Option<&'a str>,
    name: Option<&'a str>,
    start: Result<Option<DateTime<Utc>>, String>,
    end: Result<Option<DateTime<Utc>>, String>,
}

impl Credential<'_> {
    fn label(&self) -> String {
        format!(
            "{} {} {}",
            self.app,
            self.kind,
            self.name.or(self.key_id).unwrap_or("(unnamed)")
        )
    }

    fn describe(&self, why: &str) -> Value {
        json!({
            "application": self.app,
            "appId": self.app_id,
            "kind": self.kind,
            "keyId": self.key_id,
            "displayName": self.name,
            "why": why,
        })
    }

    /// The end, or why it is unknown.
    fn end(&self) -> Result<DateTime<Utc>, String> {
        match &self.end {
            Ok(Some(t)) => Ok(*t),
            Ok(None) => Err("no endDateTime".into()),
            Err(e) => Err(e.clone()),
        }
    }
}

fn credentials(apps: &[Value]) -> Vec<Credential<'_>> {
    let mut out = Vec::new();
    for app in apps {
        let name = str_field(app, "displayName")
            .or_else(|| str_field(app, "appId"))
            .or_else(|| str_field(app, "id"))
            .unwrap_or("(unnamed application)");
        for (field, kind) in [
            ("passwordCredentials", "secret"),
            ("keyCredentials", "certificate"),
        ] {
            for c in app
                .get(field)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                out.push(Credential {
                    app: name,
                    app_id: str_field(app, "appId"),
                    kind,
                    key_id: str_field(c, "keyId"),
                    name: str_field(c, "displayName"),
                    start: time(c.get("startDateTime")),
                    end: time(c.get("endDateTime")),
                });
            }
        }
    }
    out
}

/// Judges one credential: `Ok(Some(why))` offends, `Ok(None)` fine, `Err` undecidable.
type CredentialTest = fn(&Credential, DateTime<Utc>, &Settings) -> Result<Option<String>, String>;

/// The shared credential judgement over every application.
fn credential_verdict(ctx: &Ctx, what: &str, test: CredentialTest) -> Verdict {
    let Some(apps) = &ctx.inventory.identity.applications else {
        return Verdict::error("applications were not collected").observe("offending", None);
    };
    let now = ctx.as_of();
    let creds = credentials(apps);
    let mut offending = Vec::new();
    let mut labels = Vec::new();
    let mut undecided = Vec::new();
    for c in &creds {
        match test(c, now, ctx.settings) {
            Ok(None) => {}
            Ok(Some(why)) => {
                labels.push(format!("{} ({why})", c.label()));
                offending.push(c.describe(&why));
            }
            Err(why) => undecided.push(c.describe(&why)),
        }
    }
    let v = if !offending.is_empty() {
        Verdict::fail(format!("{} {what}: {}", offending.len(), listed(&labels)))
    } else if !undecided.is_empty() {
        Verdict::error(format!(
            "{} credentials could not be judged",
            undecided.len()
        ))
    } else {
        Verdict::pass(format!(
            "no {what} among {} credentials of {} applications",
            creds.len(),
            apps.len()
        ))
    };
    v.observe_value("offending_count", json!(offending.len()))
        .observe_value("offending", cap(offending))
        .observe_value("undecided", cap(undecided))
        .observe_value("credentials", json!(creds.len()))
        .observe_value("as_of", json!(now.to_rfc3339()))
}

fn app_credentials_expired(ctx: &Ctx) -> Verdict {
    credential_verdict(ctx, "expired credentials", |c, now, _| {
        let end = c.end()?;
        Ok((end <= now).then(|| format!("expired {}", end.to_rfc3339())))
    })
}

fn app_credentials_expiring(ctx: &Ctx) -> Verdict {
    credential_verdict(ctx, "credentials expiring within 30 days", |c, now, _| {
        let end = c.end()?;
        let soon = now + Duration::days(EXPIRY_WARNING_DAYS);
        Ok((end > now && end <= soon).then(|| format!("expires {}", end.to_rfc3339())))
    })
}

fn app_credential_lifetime(ctx: &Ctx) -> Verdict {
    let v = credential_verdict(
        ctx,
        "credentials valid longer than allowed",
        |c, now, settings| {
            let end = c.end()?;
            if end <= now {
                return Ok(None);
            }
            let start = match &c.start {
                Ok(Some(t)) => *t,
                Ok(None) => return Err("no startDateTime".into()),
                Err(e) => return Err(e.clone()),
            };
            let max = Duration::days(i64::from(settings.max_credential_days));
            let life = end - start;
            Ok((life > max).then(|| format!("valid for {} days", life.num_days())))
        },
    );
    v.observe_value(
        "max_credential_days",
        json!(ctx.settings.max_credential_days),
    )
}

/// Distinct Global Administrators: active members of the directory role (which includes PIM
/// activations) and, when collected, current PIM eligibilities. `eligible` is `None` when the
/// eligibility schedules were not collected.
struct GlobalAdmins {
    active: BTreeSet<String>,
    eligible: Option<BTreeSet<String>>,
}

impl GlobalAdmins {
    fn all(&self) -> BTreeSet<String> {
        let mut all = self.active.clone();
        if let Some(e) = &self.eligible {
            all.extend(e.iter().cloned());
        }
        all
    }

    fn observe(&self, v: Verdict) -> Verdict {
        v.observe_value("active_members", json!(self.active))
            .observe_value("eligible_principals", json!(self.eligible))
            .observe_value("distinct_principals", json!(self.all().len()))
    }
}

fn schedule_current(s: &Value, now: DateTime<Utc>) -> bool {
    let end = time(s.pointer("/scheduleInfo/expiration/endDateTime"));
    // An unreadable end is treated as current: counting one more admin is the cautious side.
    !matches!(end, Ok(Some(t)) if t <= now)
}

fn global_admins(ctx: &Ctx) -> Result<GlobalAdmins, Verdict> {
    let idn = &ctx.inventory.identity;
    let Some(roles) = &idn.directory_roles else {
        return Err(Verdict::error("directory roles were not collected"));
    };
    let mut active = BTreeSet::new();
    for role in roles.iter().filter(|r| {
        str_field(r, "roleTemplateId").is_some_and(|t| t.eq_ignore_ascii_case(GLOBAL_ADMIN))
    }) {
        let Some(members) = role.get("members").and_then(Value::as_array) else {
            return Err(Verdict::error(
                "the Global Administrator role was collected without its members \
                 ($expand=members)",
            ));
        };
        for m in members {
            let Some(key) = str_field(m, "id").or_else(|| str_field(m, "userPrincipalName")) else {
                return Err(Verdict::error(
                    "a Global Administrator member has neither id nor userPrincipalName",
                ));
            };
            active.insert(key.to_ascii_lowercase());
        }
    }
    let now = ctx.as_of();
    let eligible = idn.role_eligibility_schedules.as_ref().map(|list| {
        list.iter()
            .filter(|s| {
                str_field(s, "roleDefinitionId")
                    .is_some_and(|r| r.eq_ignore_ascii_case(GLOBAL_ADMIN))
            })
            .filter(|s| str_field(s, "directoryScopeId").is_none_or(|d| d == "/"))
            .filter(|s| schedule_current(s, now))
            .filter_map(|s| str_field(s, "principalId"))
            .map(str::to_ascii_lowercase)
            .collect()
    });
    Ok(GlobalAdmins { active, eligible })
}

fn global_admins_max(ctx: &Ctx) -> Verdict {
    let max = ctx.settings.max_global_admins as usize;
    let ga = match global_admins(ctx) {
        Ok(g) => g,
        Err(v) => return v.observe("active_members", None),
    };
    let n = ga.all().len();
    let v = if n > max {
        Verdict::fail(format!(
            "{n} principals hold Global Administrator, more than the maximum of {max}"
        ))
    } else if ga.eligible.is_none() {
        Verdict::error(format!(
            "{n} active Global Administrators; PIM eligibility schedules were not collected, so \
             eligible holders may exceed the maximum of {max}"
        ))
    } else {
        Verdict::pass(format!(
            "{n} principals hold Global Administrator (maximum {max})"
        ))
    };
    ga.observe(v).observe_value("max_global_admins", json!(max))
}

fn global_admins_min(ctx: &Ctx) -> Verdict {
    let ga = match global_admins(ctx) {
        Ok(g) => g,
        Err(v) => return v.observe("active_members", None),
    };
    let n = ga.all().len();
    let v = if n >= 2 {
        Verdict::pass(format!("{n} principals hold Global Administrator"))
    } else if ga.eligible.is_none() {
        Verdict::error(format!(
            "{n} active Global Administrator(s) and PIM eligibility schedules were not collected"
        ))
    } else {
        Verdict::fail(format!(
            "only {n} principal holds Global Administrator; at least 2 are needed"
        ))
    };
    ga.observe(v)
}

/// The configured break-glass accounts as lower-case object ids, with the UPNs that could not
/// be resolved because users were not collected, and those not found among collected users.
struct BreakGlass {
    ids: BTreeSet<String>,
    unresolved: Vec<String>,
    not_found: Vec<String>,
}

fn break_glass(ctx: &Ctx) -> BreakGlass {
    let users = ctx.inventory.identity.users.as_deref();
    let mut bg = BreakGlass {
        ids: BTreeSet::new(),
        unresolved: Vec::new(),
        not_found: Vec::new(),
    };
    for entry in &ctx.settings.break_glass_accounts {
        let e = entry.trim();
        if !e.contains('@') {
            bg.ids.insert(e.to_ascii_lowercase());
            continue;
        }
        match users {
            None => bg.unresolved.push(e.to_string()),
            Some(list) => match find_by_upn(list, e).and_then(|u| str_field(u, "id")) {
                Some(id) => {
                    bg.ids.insert(id.to_ascii_lowercase());
                }
                None => bg.not_found.push(e.to_string()),
            },
        }
    }
    bg
}

fn find_by_upn<'a>(users: &'a [Value], upn: &str) -> Option<&'a Value> {
    users
        .iter()
        .find(|u| str_field(u, "userPrincipalName").is_some_and(|x| x.eq_ignore_ascii_case(upn)))
}

fn find_by_id<'a>(users: &'a [Value], id: &str) -> Option<&'a Value> {
    users
        .iter()
        .find(|u| str_field(u, "id").is_some_and(|x| x.eq_ignore_ascii_case(id)))
}

fn privileged_not_permanent(ctx: &Ctx) -> Verdict {
    let idn = &ctx.inventory.identity;
    let Some(schedules) = &idn.role_assignment_schedules else {
        return Verdict::error("PIM role assignment schedules were not collected")
            .observe("permanent_assignments", None);
    };
    let bg = break_glass(ctx);
    let users = idn.users.as_deref().unwrap_or(&[]);
    let eligible: Option<BTreeSet<(String, String)>> =
        idn.role_eligibility_schedules.as_ref().map(|list| {
            list.iter()
                .filter_map(|s| {
                    Some((
                        str_field(s, "principalId")?.to_ascii_lowercase(),
                        str_field(s, "roleDefinitionId")?.to_ascii_lowercase(),
                    ))
                })
                .collect()
        });
    let mut permanent = Vec::new();
    let mut unknown_type: Vec<String> = Vec::new();
    let mut labels = Vec::new();
    let mut exempt = Vec::new();
    let mut seen = BTreeSet::new();
    for s in schedules {
        // A schedule whose role cannot be read may be a privileged one.
        let Some(role) = field(ASSIGNMENT_SCHEDULE, s, "roleDefinitionId").and_then(Value::as_str)
        else {
            let principal = str_field(s, "principalId").unwrap_or("(no principalId)");
            unknown_type.push(format!("{principal} (no roleDefinitionId)"));
            continue;
        };
        let role = role.to_ascii_lowercase();
        let Some((_, role_name)) = PRIVILEGED_ROLES.iter().find(|(id, _)| *id == role) else {
            continue;
        };
        // An assignment of unknown type may be a standing one.
        let Some(kind) = field(ASSIGNMENT_SCHEDULE, s, "assignmentType").and_then(Value::as_str)
        else {
            let principal = str_field(s, "principalId").unwrap_or("(no principalId)");
            unknown_type.push(format!("{principal} ({role_name})"));
            continue;
        };
        let standing = kind.eq_ignore_ascii_case("Assigned");
        let no_end = s
            .pointer("/scheduleInfo/expiration/type")
            .and_then(Value::as_str)
            .is_none_or(|t| t.eq_ignore_ascii_case("noExpiration"))
            && matches!(
                time(s.pointer("/scheduleInfo/expiration/endDateTime")),
                Ok(None)
            );
        if !standing || !no_end {
            continue;
        }
        let principal = str_field(s, "principalId").unwrap_or("(no principalId)");
        let key = (principal.to_ascii_lowercase(), role.clone());
        if !seen.insert(key.clone()) {
            continue;
        }
        let upn = find_by_id(users, principal).and_then(|u| str_field(u, "userPrincipalName"));
        let d = json!({
            "principalId": principal,
            "userPrincipalName": upn,
            "role": role_name,
            "roleDefinitionId": role,
            "memberType": s.get("memberType"),
            "alsoEligible": eligible.as_ref().map(|e| e.contains(&key)),
        });
        if bg.ids.contains(&key.0) {
            exempt.push(d);
        } else {
            labels.push(format!("{} ({role_name})", upn.unwrap_or(principal)));
            permanent.push(d);
        }
    }
    let v = if permanent.is_empty() && !unknown_type.is_empty() {
        Verdict::error(format!(
            "no privileged role is known to be assigned permanently, but these schedules cannot \
             be judged (no assignmentType or roleDefinitionId in the collected data): {}",
            listed(&unknown_type)
        ))
    } else if permanent.is_empty() {
        Verdict::pass(format!(
            "no privileged role is assigned permanently outside PIM ({} break-glass assignments \
             exempt)",
            exempt.len()
        ))
    } else if !bg.unresolved.is_empty() {
        Verdict::error(format!(
            "{} permanent privileged assignments, and break-glass accounts {} could not be \
             resolved because users were not collected",
            permanent.len(),
            bg.unresolved.join(", ")
        ))
    } else {
        Verdict::fail(format!(
            "{} privileged roles are assigned permanently: {}",
            permanent.len(),
            listed(&labels)
        ))
    };
    v.observe_value("permanent_assignments", cap(permanent))
        .observe_value("break_glass_exempt", Value::from(exempt))
}

/// The shared inactivity judgement for users of one `userType`.
fn stale_accounts(ctx: &Ctx, user_type: &str) -> Verdict {
    let Some(users) = &ctx.inventory.identity.users else {
        return Verdict::error("Microsoft Graph users were not collected").observe("stale", None);
    };
    let now = ctx.as_of();
    let days = ctx.settings.stale_account_days;
    let limit = now - Duration::days(i64::from(days));
    let mut stale = Vec::new();
    let mut labels = Vec::new();
    let mut undecided = Vec::new();
    let mut judged = 0usize;
    for u in users {
        let name = str_field(u, "userPrincipalName")
            .or_else(|| str_field(u, "id"))
            .unwrap_or("(unnamed user)");
        let Some(ty) = field(props::GRAPH_USER, u, "userType").and_then(Value::as_str) else {
            undecided.push(json!({"user": name, "why": "no userType"}));
            continue;
        };
        if !ty.eq_ignore_ascii_case(user_type) {
            continue;
        }
        match field(props::GRAPH_USER, u, "accountEnabled").and_then(Value::as_bool) {
            Some(false) => continue,
            Some(true) => {}
            None => {
                undecided.push(json!({"user": name, "why": "no accountEnabled"}));
                continue;
            }
        }
        let Some(activity) = field(props::GRAPH_USER, u, "signInActivity") else {
            undecided.push(json!({"user": name, "why": "no signInActivity"}));
            continue;
        };
        let mut last: Option<DateTime<Utc>> = None;
        let mut bad = None;
        for k in [
            "lastSignInDateTime",
            "lastNonInteractiveSignInDateTime",
            "lastSuccessfulSignInDateTime",
        ] {
            match time(activity.get(k)) {
                Ok(t) => last = last.max(t),
                Err(e) => bad = Some(e),
            }
        }
        if let Some(e) = bad.filter(|_| last.is_none()) {
            undecided.push(json!({"user": name, "why": e}));
            continue;
        }
        judged += 1;
        let (when, basis) = match last {
            Some(t) => (t, "last sign-in"),
            None => match time(field(props::GRAPH_USER, u, "createdDateTime")) {
                Ok(Some(t)) => (t, "never signed in, created"),
                _ => {
                    undecided.push(
                        json!({"user": name, "why": "never signed in and no createdDateTime"}),
                    );
                    continue;
                }
            },
        };
        if when < limit {
            labels.push(format!("{name} ({basis} {})", when.date_naive()));
            stale.push(json!({"user": name, "basis": basis, "at": when.to_rfc3339()}));
        }
    }
    let kind = user_type.to_ascii_lowercase();
    let v = if !stale.is_empty() {
        Verdict::fail(format!(
            "{} enabled {kind} accounts have not signed in for more than {days} days: {}",
            stale.len(),
            listed(&labels)
        ))
    } else if !undecided.is_empty() {
        Verdict::error(format!(
            "{} users could not be judged: {}",
            undecided.len(),
            listed(&undecided_labels(&undecided))
        ))
    } else {
        Verdict::pass(format!(
            "all {judged} enabled {kind} accounts signed in within {days} days"
        ))
    };
    v.observe_value("stale_count", json!(stale.len()))
        .observe_value("stale", cap(stale))
        .observe_value("undecided", cap(undecided))
        .observe_value("stale_account_days", json!(days))
        .observe_value("as_of", json!(now.to_rfc3339()))
}

fn stale_members(ctx: &Ctx) -> Verdict {
    stale_accounts(ctx, "Member")
}

fn stale_guests(ctx: &Ctx) -> Verdict {
    stale_accounts(ctx, "Guest")
}

/// Whose registration a check judges.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Who {
    Admins,
    /// Members (no guests), skipping accounts the user list shows as disabled.
    Members,
}

/// Whether a registration entry is in scope; `Err` when it cannot be told.
fn in_scope(entry: &Value, who: Who, disabled: &BTreeSet<String>) -> Result<bool, String> {
    match who {
        Who::Admins => field(REGISTRATION_ENTRY, entry, "isAdmin")
            .and_then(Value::as_bool)
            .ok_or_else(|| "no isAdmin".to_string()),
        Who::Members => {
            let guest = field(REGISTRATION_ENTRY, entry, "userType")
                .and_then(Value::as_str)
                .ok_or_else(|| "no userType".to_string())?
                .eq_ignore_ascii_case("guest");
            let off = str_field(entry, "id")
                .is_some_and(|id| disabled.contains(&id.to_ascii_lowercase()));
            Ok(!guest && !off)
        }
    }
}

/// The shared judgement over the registration report: `test` says whether one in-scope entry
/// offends.
/// `what` completes "N administrators …" for offenders; `good` completes "every one of the N
/// administrators judged …" for a pass.
fn registration_verdict(
    idn: &Identity,
    who: Who,
    what: &str,
    good: &str,
    test: fn(&Value) -> Result<bool, String>,
) -> Verdict {
    let Some(entries) = &idn.user_registration_details else {
        return Verdict::error("the authentication methods registration report was not collected")
            .observe("offending", None);
    };
    // Disabled accounts cannot sign in; skip them when the user list says so.
    let disabled: BTreeSet<String> = idn
        .users
        .iter()
        .flatten()
        .filter(|u| {
            field(props::GRAPH_USER, u, "accountEnabled").and_then(Value::as_bool) == Some(false)
        })
        .filter_map(|u| str_field(u, "id"))
        .map(str::to_ascii_lowercase)
        .collect();
    let mut offending = Vec::new();
    let mut undecided = Vec::new();
    let mut judged = 0usize;
    for e in entries {
        let name = str_field(e, "userPrincipalName")
            .or_else(|| str_field(e, "id"))
            .unwrap_or("(unnamed user)")
            .to_string();
        match in_scope(e, who, &disabled)
            .and_then(|yes| if yes { test(e).map(Some) } else { Ok(None) })
        {
            Ok(None) => {}
            Ok(Some(false)) => judged += 1,
            Ok(Some(true)) => {
                judged += 1;
                offending.push(name);
            }
            Err(why) => undecided.push(json!({"user": name, "why": why})),
        }
    }
    let scope = if who == Who::Admins {
        "administrators"
    } else {
        "members"
    };
    let v = if !offending.is_empty() {
        Verdict::fail(format!(
            "{} {scope} {what}: {}",
            offending.len(),
            listed(&offending)
        ))
    } else if !undecided.is_empty() {
        Verdict::error(format!(
            "{} registration entries could not be judged: {}",
            undecided.len(),
            listed(&undecided_labels(&undecided))
        ))
    } else {
        Verdict::pass(format!("every one of the {judged} {scope} judged {good}"))
    };
    v.observe_value("offending_count", json!(offending.len()))
        .observe_value(
            "offending",
            cap(offending.into_iter().map(Value::from).collect()),
        )
        .observe_value("undecided", cap(undecided))
        .observe_value("skipped_disabled_accounts", json!(disabled.len()))
}

fn not_mfa_registered(e: &Value) -> Result<bool, String> {
    field(REGISTRATION_ENTRY, e, "isMfaRegistered")
        .and_then(Value::as_bool)
        .map(|b| !b)
        .ok_or_else(|| "no isMfaRegistered".to_string())
}

/// Registered for MFA, but with telephony as the only second factor.
fn phone_only(e: &Value) -> Result<bool, String> {
    // Unregistered users are another check's finding; unknown is not "not phone-only".
    match field(REGISTRATION_ENTRY, e, "isMfaRegistered").and_then(Value::as_bool) {
        Some(true) => {}
        Some(false) => return Ok(false),
        None => return Err("no isMfaRegistered".to_string()),
    }
    let methods = field(REGISTRATION_ENTRY, e, "methodsRegistered")
        .and_then(Value::as_array)
        .ok_or("no methodsRegistered")?;
    let factors: Vec<&str> = methods
        .iter()
        .filter_map(Value::as_str)
        .filter(|m| !NOT_MFA_METHODS.iter().any(|x| x.eq_ignore_ascii_case(m)))
        .collect();
    Ok(!factors.is_empty()
        && factors
            .iter()
            .all(|m| PHONE_METHODS.iter().any(|p| p.eq_ignore_ascii_case(m))))
}

fn admins_mfa_registered(idn: &Identity) -> Verdict {
    registration_verdict(
        idn,
        Who::Admins,
        "have not registered MFA",
        "has registered MFA",
        not_mfa_registered,
    )
}

fn users_mfa_registered(idn: &Identity) -> Verdict {
    registration_verdict(
        idn,
        Who::Members,
        "have not registered MFA",
        "has registered MFA",
        not_mfa_registered,
    )
}

fn admins_not_phone_only(idn: &Identity) -> Verdict {
    registration_verdict(
        idn,
        Who::Admins,
        "rely on phone as their only MFA method",
        "has an MFA method other than phone, or none registered",
        phone_only,
    )
}

fn users_not_phone_only(idn: &Identity) -> Verdict {
    registration_verdict(
        idn,
        Who::Members,
        "rely on phone as their only MFA method",
        "has an MFA method other than phone, or none registered",
        phone_only,
    )
}

fn ca_exclusions(ctx: &Ctx) -> Verdict {
    let idn = &ctx.inventory.identity;
    let Some(policies) = &idn.conditional_access_policies else {
        return Verdict::error("conditional access policies were not collected")
            .observe("unexpected_exclusions", None);
    };
    let bg = break_glass(ctx);
    let dir = directory(ctx);
    let mut unexpected = Vec::new();
    let mut labels = Vec::new();
    let mut unknowns: BTreeSet<String> = BTreeSet::new();
    let mut enforced_count = 0usize;
    let mut enforced: Vec<&ConditionalAccessPolicy> =
        policies.iter().filter(|p| p.is_enforced()).collect();
    enforced.sort_by(|a, b| a.id.cmp(&b.id));
    for p in enforced {
        enforced_count += 1;
        let Some(u) = p.users() else { continue };
        let ex = dir.excluded(u);
        unknowns.extend(ex.unknowns.iter().map(|w| format!("{}: {w}", cov::name(p))));
        for class in &ex.classes {
            labels.push(format!("{}: {class}", cov::name(p)));
            unexpected.push(json!({
                "policy": cov::name(p),
                "policyId": p.id,
                "kind": "class",
                "principal": class,
            }));
        }
        let mut seen = BTreeSet::new();
        for (id, via) in &ex.principals {
            if bg.ids.contains(id) || !seen.insert(id.clone()) {
                continue;
            }
            let who = dir.label(id);
            labels.push(format!("{}: {who} by {via}", cov::name(p)));
            unexpected.push(json!({
                "policy": cov::name(p),
                "policyId": p.id,
                "kind": "principal",
                "principal": who,
                "id": id,
                "via": via,
            }));
        }
    }
    let v = if !unexpected.is_empty() && !bg.unresolved.is_empty() {
        Verdict::error(format!(
            "{} exclusions are not known break-glass accounts, but break-glass accounts {} could \
             not be resolved because users were not collected",
            unexpected.len(),
            bg.unresolved.join(", ")
        ))
    } else if !unexpected.is_empty() {
        Verdict::fail(format!(
            "enforced conditional access policies exclude {} principals or classes that are not \
             break-glass accounts: {}",
            unexpected.len(),
            listed(&labels)
        ))
    } else if !unknowns.is_empty() {
        Verdict::error(format!(
            "who the enforced policies exclude is not fully known: {}",
            unknowns.iter().cloned().collect::<Vec<_>>().join("; ")
        ))
    } else {
        Verdict::pass(format!(
            "the {enforced_count} enforced policies exclude only break-glass accounts"
        ))
    };
    v.observe_value("unexpected_exclusions", cap(unexpected))
        .observe_value("unresolved", json!(unknowns))
        .observe_value("break_glass_ids", json!(bg.ids))
        .observe_value("break_glass_not_found", json!(bg.not_found))
        .observe_value("enforced_policies", json!(enforced_count))
}

fn break_glass_excluded(ctx: &Ctx) -> Verdict {
    let configured = &ctx.settings.break_glass_accounts;
    if configured.is_empty() {
        return Verdict::error(
            "break_glass_accounts is not configured, so emergency access cannot be verified",
        )
        .observe_value("accounts", json!([]));
    }
    let idn = &ctx.inventory.identity;
    let (Some(policies), Some(users)) = (&idn.conditional_access_policies, &idn.users) else {
        return Verdict::error("conditional access policies or users were not collected")
            .observe("accounts", None);
    };
    let dir = directory(ctx);
    let mut enforced: Vec<&ConditionalAccessPolicy> =
        policies.iter().filter(|p| p.is_enforced()).collect();
    enforced.sort_by(|a, b| a.id.cmp(&b.id));
    let mut seen = Vec::new();
    let mut qualifying = Vec::new();
    let mut undecided = Vec::new();
    for entry in configured {
        let e = entry.trim();
        let user = if e.contains('@') {
            find_by_upn(users, e)
        } else {
            find_by_id(users, e)
        };
        let Some(u) = user else {
            let what = if e.contains('@') {
                "not found in the directory"
            } else {
                "not a user (a group is judged through its members)"
            };
            seen.push(json!({"account": e, "status": what}));
            continue;
        };
        let id = str_field(u, "id").unwrap_or_default();
        // Every enforced policy that applies (or may apply) to the account.
        let mut applies = Vec::new();
        let mut maybe = Vec::new();
        for p in &enforced {
            let (m, unknown) = cov::applies_to_user(&dir, p, id, cov::guest_of(u));
            match m.applies {
                cov::Tri::Yes => applies.push(cov::name(p).to_string()),
                cov::Tri::Maybe => maybe.push(format!(
                    "{} ({})",
                    cov::name(p),
                    unknown.into_iter().collect::<Vec<_>>().join("; ")
                )),
                cov::Tri::No => {}
            }
        }
        let status = match field(props::GRAPH_USER, u, "accountEnabled").and_then(Value::as_bool) {
            None => {
                undecided.push(format!("{e}: accountEnabled not present"));
                "accountEnabled not present".to_string()
            }
            Some(false) => "disabled".to_string(),
            Some(true) if !applies.is_empty() => {
                format!("not excluded from {}", applies.join(", "))
            }
            Some(true) if !maybe.is_empty() => {
                undecided.push(format!("{e}: may be subject to {}", maybe.join(", ")));
                format!("may be subject to {}", maybe.join(", "))
            }
            Some(true) => {
                qualifying.push(e);
                "enabled and outside every enforced policy".to_string()
            }
        };
        seen.push(json!({"account": e, "status": status}));
    }
    let v = if !qualifying.is_empty() {
        Verdict::pass(format!(
            "break-glass account {} is enabled and excluded from all {} enforced policies",
            qualifying.join(", "),
            enforced.len()
        ))
    } else if !undecided.is_empty() {
        Verdict::error(format!(
            "no break-glass account is known to be usable: {}",
            undecided.join("; ")
        ))
    } else {
        let why: Vec<String> = seen
            .iter()
            .map(|s| {
                format!(
                    "{}: {}",
                    s["account"].as_str().unwrap_or_default(),
                    s["status"].as_str().unwrap_or_default()
                )
            })
            .collect();
        Verdict::fail(format!("no usable break-glass account: {}", why.join("; ")))
    };
    v.observe_value("accounts", Value::from(seen))
        .observe_value("enforced_policies", json!(enforced.len()))
}

/// Conditional access alone decides (security defaults do not evaluate risk).
fn ca_only(ctx: &Ctx, what: &str, claim: &Claim) -> Verdict {
    let Some(c) = coverage(ctx, claim) else {
        return Verdict::error("conditional access policies were not collected")
            .observe_value("conditionalAccess.policies", Value::Null);
    };
    let v = match judge(&c, what) {
        Judged::Pass(r) => Verdict::pass(r),
        Judged::Fail(r) => Verdict::fail(r),
        Judged::Unknown(r) => Verdict::error(r),
    };
    observe_coverage(v, &c)
}

fn signin_risk_policy(ctx: &Ctx) -> Verdict {
    ca_only(
        ctx,
        "MFA (or a block) for medium and high sign-in risk",
        &SIGNIN_RISK_CLAIM,
    )
}

fn user_risk_policy(ctx: &Ctx) -> Verdict {
    ca_only(
        ctx,
        "a password change or block for high user risk",
        &USER_RISK_CLAIM,
    )
}

fn trusted_locations(idn: &Identity) -> Verdict {
    let Some(locations) = &idn.named_locations else {
        return Verdict::error("named locations were not collected")
            .observe("namedLocations", None);
    };
    let seen: Vec<Value> = locations
        .iter()
        .map(|l| {
            json!({
                "displayName": l.get("displayName"),
                "type": l.get("@odata.type"),
                "isTrusted": l.get("isTrusted"),
            })
        })
        .collect();
    let trusted: Vec<&str> = locations
        .iter()
        .filter(|l| field(NAMED_LOCATION, l, "isTrusted").and_then(Value::as_bool) == Some(true))
        .map(|l| str_field(l, "displayName").unwrap_or("(unnamed location)"))
        .collect();
    let unread = locations
        .iter()
        .filter(|l| l.as_object().is_none_or(|o| o.is_empty()))
        .count();
    let v = if !trusted.is_empty() {
        Verdict::pass(format!("trusted named locations: {}", trusted.join(", ")))
    } else if unread > 0 {
        Verdict::error(format!(
            "no named location is known to be trusted, and {unread} were returned empty"
        ))
    } else if locations.is_empty() {
        Verdict::fail("no named location is defined")
    } else {
        Verdict::fail(format!(
            "none of the {} named locations is marked trusted",
            locations.len()
        ))
    };
    v.observe_value("namedLocations", Value::from(seen))
}

/// What security defaults give, claimed of conditional access when they are off.
const BASELINE: [(&str, &Claim); 3] = [
    ("MFA for all users", &MFA_CLAIM),
    ("MFA for Global Administrators", &ADMIN_MFA_CLAIM),
    ("legacy authentication blocked", &LEGACY_CLAIM),
];

fn baseline_protection(ctx: &Ctx) -> Verdict {
    let idn = &ctx.inventory.identity;
    let sd = idn.security_defaults.as_ref().and_then(|s| s.is_enabled);
    let enforced: Option<Vec<&str>> = idn.conditional_access_policies.as_ref().map(|ps| {
        ps.iter()
            .filter(|p| p.is_enforced())
            .map(cov::name)
            .collect()
    });
    let observe = |v: Verdict| {
        v.observe_value("securityDefaults.isEnabled", json!(sd))
            .observe_value("enforced_policies", json!(enforced))
    };
    let v = match (sd, &enforced) {
        (Some(true), Some(e)) if !e.is_empty() => Verdict::error(format!(
            "inconsistent data: security defaults are enabled while conditional access policies \
             are enforced ({})",
            e.join(", ")
        )),
        (Some(true), _) => Verdict::pass("security defaults are enabled"),
        (Some(false), Some(e)) if e.is_empty() => Verdict::fail(
            "security defaults are disabled and no conditional access policy is enforced",
        ),
        (Some(false), None) => Verdict::error(
            "security defaults are disabled and conditional access policies were not collected",
        ),
        (None, Some(e)) if e.is_empty() => Verdict::error(
            "security defaults were not collected and no conditional access policy is enforced",
        ),
        (None, None) => {
            Verdict::error("security defaults and conditional access policies were not collected")
        }
        // Security defaults are off (read, or proven by enforced policies, since Entra allows
        // only one): the enforced policies must give what security defaults would.
        _ => {
            let mut fails = vec![];
            let mut unknown = vec![];
            let mut passes = vec![];
            let mut parts = serde_json::Map::new();
            for (what, claim) in BASELINE {
                let Some(c) = coverage(ctx, claim) else {
                    unreachable!("policies were collected")
                };
                let (status, r) = match judge(&c, what) {
                    Judged::Pass(r) => ("pass", r),
                    Judged::Fail(r) => ("fail", r),
                    Judged::Unknown(r) => ("error", r),
                };
                parts.insert(what.to_string(), json!({"status": status, "reason": r}));
                match status {
                    "pass" => passes.push(what),
                    "fail" => fails.push(r),
                    _ => unknown.push(r),
                }
            }
            let v = if !fails.is_empty() {
                Verdict::fail(format!(
                    "security defaults are off and the enforced conditional access policies do \
                     not give their baseline: {}",
                    fails.join("; ")
                ))
            } else if !unknown.is_empty() {
                Verdict::error(format!(
                    "security defaults are off and whether conditional access gives their \
                     baseline is unknown: {}",
                    unknown.join("; ")
                ))
            } else {
                Verdict::pass(format!(
                    "security defaults are off and enforced conditional access gives their \
                     baseline: {}",
                    passes.join(", ")
                ))
            };
            return observe(v).observe_value("baseline", Value::Object(parts));
        }
    };
    observe(v)
}

/// Tests of the conditional access checks, on Microsoft's example payloads (policies, users,
/// directory roles, security defaults) varied by hand, through the coverage model.
#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::{Value, json};

    use super::GLOBAL_ADMIN;
    use crate::checks::testutil::{
        eval_tenant, eval_tenant_with, fixture, fixture_item, inventory,
    };
    use crate::checks::{FindingStatus as S, Settings, Verdict};
    use crate::model::{ConditionalAccessPolicy, Gap, Identity, SecurityDefaults};

    const LIST: &str = "graph/conditional_access_policies_list.v1.0.json";
    const GET: &str = "graph/conditional_access_policy_get.v1.0.json";
    const SECURITY_DEFAULTS: &str = "graph/security_defaults_policy_get.v1.0.json";
    const USERS: &str = "graph/users_list.v1.0.json";
    const ROLES: &str = "graph/directory_roles_list.v1.0.json";

    /// Microsoft's users example: Adams (the break-glass account here) and admin.
    const BG_ID: &str = "6ea91a8d-e32e-41a1-b7bd-d2d185eed0e0";
    const BG_UPN: &str = "Adams@contoso.com";
    const ADMIN_ID: &str = "4562bcc8-c436-4f95-b7c0-4f8ce89dca5e";
    const GUEST_ID: &str = "9a1c2f3e-0000-4000-8000-00000000000a";
    /// A group holding every user of the tenant.
    const EVERYONE: &str = "c7e1a2b3-0000-4000-8000-000000000001";
    /// A group holding only the break-glass account.
    const BG_GROUP: &str = "c7e1a2b3-0000-4000-8000-000000000002";

    fn policy(v: Value) -> ConditionalAccessPolicy {
        serde_json::from_value(v).unwrap()
    }

    fn member(id: &str) -> Value {
        json!({"@odata.type": "#microsoft.graph.user", "id": id})
    }

    /// The directory: Microsoft's two users (members) plus a guest; the Global Administrator
    /// role of Microsoft's example held by admin and the break-glass account; no PIM
    /// eligibility; the members of the two groups.
    fn directory() -> Identity {
        let mut users: Vec<Value> = fixture(USERS)["value"].as_array().unwrap().clone();
        for u in &mut users {
            u["userType"] = json!("Member");
            u["accountEnabled"] = json!(true);
        }
        users.push(json!({
            "id": GUEST_ID, "userPrincipalName": "vendor_fabrikam.example#EXT#@contoso.com",
            "userType": "Guest", "accountEnabled": true
        }));
        let mut roles: Vec<Value> = fixture(ROLES)["value"].as_array().unwrap().clone();
        for r in &mut roles {
            r["members"] = if r["roleTemplateId"] == json!(GLOBAL_ADMIN) {
                json!([member(ADMIN_ID), member(BG_ID)])
            } else {
                json!([])
            };
        }
        Identity {
            users: Some(users),
            directory_roles: Some(roles),
            role_eligibility_schedules: Some(vec![]),
            named_locations: Some(vec![]),
            group_members: Some(BTreeMap::from([
                (
                    EVERYONE.to_string(),
                    vec![member(BG_ID), member(ADMIN_ID), member(GUEST_ID)],
                ),
                (BG_GROUP.to_string(), vec![member(BG_ID)]),
            ])),
            ..Identity::default()
        }
    }

    fn identity(
        policies: Option<Vec<ConditionalAccessPolicy>>,
        sd: Option<SecurityDefaults>,
    ) -> Identity {
        Identity {
            conditional_access_policies: policies,
            security_defaults: sd,
            ..directory()
        }
    }

    /// Security defaults as Microsoft's example returns them, switched as asked.
    fn security_defaults(enabled: bool) -> SecurityDefaults {
        let mut body = fixture(SECURITY_DEFAULTS);
        body["isEnabled"] = json!(enabled);
        serde_json::from_value(body).unwrap()
    }

    /// Microsoft's list: SimplePolicy1 (block) and SimplePolicy2 (mfa), both disabled.
    fn example_list() -> Vec<ConditionalAccessPolicy> {
        fixture(LIST)["value"]
            .as_array()
            .unwrap()
            .iter()
            .cloned()
            .map(policy)
            .collect()
    }

    /// Microsoft's single-policy example made into "MFA for every user on every sign-in":
    /// enforced, mfa alone, all users, all apps, all clients, no risk, platform or location
    /// limit, no exclusions. `edit` then varies it.
    fn mfa_policy(edit: impl FnOnce(&mut Value)) -> ConditionalAccessPolicy {
        let mut v = fixture_item(GET, 0);
        v["state"] = json!("enabled");
        v["grantControls"] = json!({"operator": "OR", "builtInControls": ["mfa"]});
        let c = &mut v["conditions"];
        c["signInRiskLevels"] = json!([]);
        c["userRiskLevels"] = json!([]);
        c["clientAppTypes"] = json!(["all"]);
        c["platforms"] = json!(null);
        c["locations"] = json!(null);
        c["applications"]["excludeApplications"] = json!([]);
        c["users"] = json!({"includeUsers": ["All"], "excludeUsers": [], "includeGroups": [],
            "excludeGroups": [], "includeRoles": [], "excludeRoles": []});
        edit(&mut v);
        policy(v)
    }

    fn block_legacy(edit: impl FnOnce(&mut Value)) -> ConditionalAccessPolicy {
        mfa_policy(|v| {
            v["id"] = json!("legacy-1");
            v["displayName"] = json!("Block legacy authentication");
            v["grantControls"] = json!({"operator": "OR", "builtInControls": ["block"]});
            v["conditions"]["clientAppTypes"] = json!(["exchangeActiveSync", "other"]);
            v["conditions"]["users"]["excludeUsers"] = json!([BG_ID]);
            edit(v);
        })
    }

    fn bg() -> Settings {
        Settings {
            break_glass_accounts: vec![BG_UPN.into()],
            ..Settings::default()
        }
    }

    fn run(id: &str, idn: &Identity) -> Verdict {
        eval_tenant_with(id, idn, &bg())
    }

    fn excluding(pointer: &str, what: Value) -> ConditionalAccessPolicy {
        mfa_policy(|v| *v.pointer_mut(pointer).unwrap() = what)
    }

    #[test]
    fn fixtures_parse_into_the_model() {
        let p = policy(fixture_item(GET, 0));
        let c = p.conditions.as_ref().unwrap();
        assert_eq!(
            c.applications.as_ref().unwrap().include_applications,
            ["All"]
        );
        assert_eq!(c.client_app_types.as_ref().unwrap().len(), 3);
        // Microsoft's example leaves userRiskLevels out: unknown, never "no condition".
        assert_eq!(c.user_risk_levels, None);
        assert_eq!(security_defaults(true).is_enabled, Some(true));
        assert_eq!(example_list().len(), 2);
    }

    #[test]
    fn narrowed_policy_does_not_count() {
        // Microsoft's example as it is, enforced with MFA alone: limited to medium and low
        // sign-in risk, some platforms and trusted locations.
        let mut v = fixture_item(GET, 0);
        v["state"] = json!("enabled");
        v["grantControls"] = json!({"operator": "OR", "builtInControls": ["mfa"]});
        v["conditions"]["userRiskLevels"] = json!([]);
        v["conditions"]["users"]["includeUsers"] = json!(["All"]);
        v["conditions"]["users"]["excludeUsers"] = json!([]);
        v["conditions"]["users"]["excludeRoles"] = json!([]);
        for id in [
            "entra_mfa_required_for_admins",
            "entra_mfa_required_for_all_users",
        ] {
            let r = run(
                id,
                &identity(
                    Some(vec![policy(v.clone())]),
                    Some(security_defaults(false)),
                ),
            );
            assert_eq!(r.status, S::Fail, "{id}: {}", r.reason);
            assert!(r.reason.contains("not covered for"), "{}", r.reason);
        }
    }

    #[test]
    fn authentication_strength_counts_as_mfa() {
        let p = mfa_policy(|v| {
            v["grantControls"]["builtInControls"] = json!([]);
            v["grantControls"]["authenticationStrength"] = json!({"id": "00000000-0000-0000-0000-000000000002", "displayName": "Multifactor authentication"});
        });
        let r = run(
            "entra_mfa_required_for_all_users",
            &identity(Some(vec![p]), Some(security_defaults(false))),
        );
        assert_eq!(r.status, S::Pass, "{}", r.reason);
    }

    #[test]
    fn entra_mfa_required_for_admins_pass() {
        // Security defaults alone settle it, even with no CA data.
        let v = eval_tenant(
            "entra_mfa_required_for_admins",
            &Identity {
                security_defaults: Some(security_defaults(true)),
                ..Identity::default()
            },
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert_eq!(v.observed["securityDefaults.isEnabled"], json!(true));

        // The Global Administrator role and two other roles, break-glass excluded.
        let p = mfa_policy(|v| {
            v["conditions"]["users"] = json!({"includeRoles": [GLOBAL_ADMIN,
                "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", "c4e39bd9-1100-46d3-8c65-fb160da0071f"],
                "excludeUsers": [BG_ID]});
        });
        let v = run(
            "entra_mfa_required_for_admins",
            &identity(Some(vec![p]), Some(security_defaults(false))),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert!(v.reason.contains("Demo app for documentation"));
        assert!(
            v.reason
                .contains("break-glass accounts left out (allowed): Adams@contoso.com")
        );
        assert_eq!(
            v.observed["credited_policies.other_included_roles"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        assert_eq!(
            v.observed["coverage.break_glass_gaps"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
    }
    #[test]
    fn entra_mfa_required_for_admins_fail() {
        let sd_off = Some(security_defaults(false));
        let v = run(
            "entra_mfa_required_for_admins",
            &identity(Some(example_list()), sd_off.clone()),
        );
        assert_eq!(v.status, S::Fail);
        assert!(
            v.reason.contains("SimplePolicy1: state is disabled"),
            "{}",
            v.reason
        );
        assert!(
            v.reason.contains("SimplePolicy2: state is disabled"),
            "{}",
            v.reason
        );

        // Before 2026.12.0 each of these passed: the policy "includes all users".
        // The admin excluded by user id.
        let p = excluding("/conditions/users/excludeUsers", json!([BG_ID, ADMIN_ID]));
        let v = run(
            "entra_mfa_required_for_admins",
            &identity(Some(vec![p]), sd_off.clone()),
        );
        assert_eq!(v.status, S::Fail, "{}", v.reason);
        assert!(v.reason.contains("admin@contoso.com"), "{}", v.reason);
        assert!(v.reason.contains("excludeUsers"), "{}", v.reason);
        assert_eq!(v.observed["coverage.uncovered"][0]["id"], json!(ADMIN_ID));
        // Through an excluded group whose members are everyone.
        let p = excluding("/conditions/users/excludeGroups", json!([EVERYONE]));
        let v = run(
            "entra_mfa_required_for_admins",
            &identity(Some(vec![p]), sd_off.clone()),
        );
        assert_eq!(v.status, S::Fail, "{}", v.reason);
        assert!(
            v.reason.contains(&format!("excludeGroups {EVERYONE}")),
            "{}",
            v.reason
        );
        // Only Exchange ActiveSync.
        let p = mfa_policy(|v| v["conditions"]["clientAppTypes"] = json!(["exchangeActiveSync"]));
        let v = run(
            "entra_mfa_required_for_admins",
            &identity(Some(vec![p]), sd_off.clone()),
        );
        assert_eq!(v.status, S::Fail, "{}", v.reason);
        assert!(v.reason.contains("client app browser"), "{}", v.reason);
        // The Global Administrator role excluded.
        let p = excluding("/conditions/users/excludeRoles", json!([GLOBAL_ADMIN]));
        let v = run(
            "entra_mfa_required_for_admins",
            &identity(Some(vec![p]), sd_off.clone()),
        );
        assert_eq!(v.status, S::Fail);
        assert!(v.reason.contains("excludeRoles"), "{}", v.reason);

        // mfa OR compliant device: a compliant device replaces MFA.
        let either = mfa_policy(|v| {
            v["grantControls"]["builtInControls"] = json!(["mfa", "compliantDevice"]);
        });
        let v = run(
            "entra_mfa_required_for_admins",
            &identity(Some(vec![either]), sd_off),
        );
        assert_eq!(v.status, S::Fail);
        assert!(v.reason.contains("MFA can be replaced"), "{}", v.reason);
        assert_eq!(
            v.observed["conditionalAccess.policies"][0]["credited"],
            json!(false)
        );
    }
    #[test]
    fn entra_mfa_required_for_admins_missing() {
        let v = eval_tenant("entra_mfa_required_for_admins", &Identity::default());
        assert_eq!(v.status, S::Error);
        assert_eq!(v.observed["conditionalAccess.policies"], Value::Null);
        assert_eq!(v.observed["securityDefaults.isEnabled"], Value::Null);

        // Security defaults off but CA unread: cannot decide.
        let v = run(
            "entra_mfa_required_for_admins",
            &identity(None, Some(security_defaults(false))),
        );
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("were not collected"));

        // CA read, nothing enforced, security defaults unread: they may be on.
        let v = run(
            "entra_mfa_required_for_admins",
            &identity(Some(example_list()), None),
        );
        assert_eq!(v.status, S::Error, "{}", v.reason);

        // The excluded group's members were not collected: never a pass.
        let p = excluding("/conditions/users/excludeGroups", json!([EVERYONE]));
        let mut idn = identity(Some(vec![p.clone()]), Some(security_defaults(false)));
        idn.group_members = None;
        let v = run("entra_mfa_required_for_admins", &idn);
        assert_eq!(v.status, S::Error, "{}", v.reason);
        assert!(v.reason.contains("graph.group_members"), "{}", v.reason);
        // Directory roles not collected: holders unknown, and the group hides who they are.
        let mut idn = identity(
            Some(vec![excluding(
                "/conditions/users/excludeUsers",
                json!([ADMIN_ID]),
            )]),
            Some(security_defaults(false)),
        );
        idn.directory_roles = None;
        let v = run("entra_mfa_required_for_admins", &idn);
        assert_eq!(v.status, S::Error, "{}", v.reason);
        assert!(
            v.reason.contains("who holds Global Administrator"),
            "{}",
            v.reason
        );
    }

    #[test]
    fn entra_mfa_required_for_all_users_pass() {
        let v = run(
            "entra_mfa_required_for_all_users",
            &identity(Some(example_list()), Some(security_defaults(true))),
        );
        assert_eq!(v.status, S::Pass);

        // All users but the break-glass account, excluded through a group of its own.
        let p = excluding("/conditions/users/excludeGroups", json!([BG_GROUP]));
        let v = run(
            "entra_mfa_required_for_all_users",
            &identity(Some(vec![p]), Some(security_defaults(false))),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert_eq!(
            v.observed["coverage.break_glass_gaps"][0]["id"],
            json!(BG_ID.to_ascii_lowercase())
        );
        // Browser and desktop in one policy, legacy clients blocked in another: every client.
        let modern = mfa_policy(|v| {
            v["conditions"]["clientAppTypes"] = json!(["browser", "mobileAppsAndDesktopClients"]);
        });
        let v = eval_tenant(
            "entra_mfa_required_for_all_users",
            &identity(
                Some(vec![
                    modern,
                    block_legacy(|v| v["conditions"]["users"]["excludeUsers"] = json!([])),
                ]),
                None,
            ),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
    }
    #[test]
    fn entra_mfa_required_for_all_users_fail() {
        let sd_off = Some(security_defaults(false));
        // Microsoft's example exclusions (a user and every guest): before 2026.12.0 this
        // passed, with the exclusions only counted.
        let p = mfa_policy(|v| {
            v["conditions"]["users"]["excludeUsers"] = json!([BG_ID, "GuestsOrExternalUsers"]);
        });
        let v = run(
            "entra_mfa_required_for_all_users",
            &identity(Some(vec![p]), sd_off.clone()),
        );
        assert_eq!(v.status, S::Fail, "{}", v.reason);
        assert!(
            v.reason.contains("vendor_fabrikam.example#EXT#"),
            "{}",
            v.reason
        );
        assert!(
            !v.reason.contains("Adams@contoso.com ("),
            "break-glass is allowed: {}",
            v.reason
        );
        // The break-glass account excluded but not configured as such: a gap like any other.
        let p = excluding("/conditions/users/excludeUsers", json!([BG_ID]));
        let v = eval_tenant(
            "entra_mfa_required_for_all_users",
            &identity(Some(vec![p]), sd_off.clone()),
        );
        assert_eq!(v.status, S::Fail);
        assert!(v.reason.contains("Adams@contoso.com"), "{}", v.reason);
        // Enforced MFA for one user and some roles only.
        let p = mfa_policy(|v| {
            v["conditions"]["users"] =
                json!({"includeUsers": [ADMIN_ID], "includeRoles": [GLOBAL_ADMIN]});
        });
        let v = run(
            "entra_mfa_required_for_all_users",
            &identity(Some(vec![p.clone()]), sd_off.clone()),
        );
        assert_eq!(v.status, S::Fail);
        assert!(
            v.reason.contains("no credited policy includes them"),
            "{}",
            v.reason
        );
        // Same policy, security defaults unread: the enforced policy proves they are off.
        let v = run(
            "entra_mfa_required_for_all_users",
            &identity(Some(vec![p]), None),
        );
        assert_eq!(v.status, S::Fail, "{}", v.reason);
        assert!(v.reason.contains("security defaults are off"));
        // An excluded app.
        let p = excluding(
            "/conditions/applications/excludeApplications",
            json!(["00000002-0000-0ff1-ce00-000000000000"]),
        );
        let v = run(
            "entra_mfa_required_for_all_users",
            &identity(Some(vec![p]), sd_off.clone()),
        );
        assert_eq!(v.status, S::Fail);
        assert!(
            v.reason
                .contains("cloud app 00000002-0000-0ff1-ce00-000000000000"),
            "{}",
            v.reason
        );
        // Report-only does not protect anyone.
        let p = mfa_policy(|v| v["state"] = json!("enabledForReportingButNotEnforced"));
        let v = run(
            "entra_mfa_required_for_all_users",
            &identity(Some(vec![p]), sd_off),
        );
        assert_eq!(v.status, S::Fail);
        assert!(v.reason.contains("report-only"));
    }
    #[test]
    fn entra_mfa_required_for_all_users_missing() {
        let v = run(
            "entra_mfa_required_for_all_users",
            &identity(None, Some(security_defaults(false))),
        );
        assert_eq!(v.status, S::Error);
        assert_eq!(v.observed["securityDefaults.isEnabled"], json!(false));
        // A security defaults body without isEnabled is not knowledge either.
        let v = run(
            "entra_mfa_required_for_all_users",
            &identity(Some(vec![]), Some(SecurityDefaults::default())),
        );
        assert_eq!(v.status, S::Error);
        assert!(
            v.reason.contains("no conditional access policies"),
            "{}",
            v.reason
        );
        // A group the policy excludes was not read.
        let p = excluding(
            "/conditions/users/excludeGroups",
            json!(["c7e1a2b3-0000-4000-8000-0000000000ff"]),
        );
        let v = run(
            "entra_mfa_required_for_all_users",
            &identity(Some(vec![p]), Some(security_defaults(false))),
        );
        assert_eq!(v.status, S::Error, "{}", v.reason);
        assert!(
            v.reason.contains("c7e1a2b3-0000-4000-8000-0000000000ff"),
            "{}",
            v.reason
        );
        // Users not collected: those no policy names may be uncovered.
        let p = mfa_policy(|v| v["conditions"]["users"] = json!({"includeUsers": [ADMIN_ID]}));
        let mut idn = identity(Some(vec![p]), Some(security_defaults(false)));
        idn.users = None;
        let v = eval_tenant("entra_mfa_required_for_all_users", &idn);
        assert_eq!(v.status, S::Error, "{}", v.reason);
        assert!(
            v.reason.contains("users were not collected"),
            "{}",
            v.reason
        );
    }

    #[test]
    fn entra_legacy_auth_blocked_pass() {
        let v = run(
            "entra_legacy_auth_blocked",
            &identity(
                Some(vec![block_legacy(|_| {})]),
                Some(security_defaults(false)),
            ),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        let v = eval_tenant(
            "entra_legacy_auth_blocked",
            &Identity {
                security_defaults: Some(security_defaults(true)),
                ..Identity::default()
            },
        );
        assert_eq!(v.status, S::Pass);
    }
    #[test]
    fn entra_legacy_auth_blocked_fail() {
        let sd_off = Some(security_defaults(false));
        // Exchange ActiveSync only: the other legacy protocols stay open (a false pass before
        // 2026.12.0 only when both were listed; the reason now names the open client).
        let p = block_legacy(|v| v["conditions"]["clientAppTypes"] = json!(["exchangeActiveSync"]));
        let v = run(
            "entra_legacy_auth_blocked",
            &identity(Some(vec![p]), sd_off.clone()),
        );
        assert_eq!(v.status, S::Fail);
        assert!(v.reason.contains("client app other"), "{}", v.reason);
        // Legacy clients blocked, but the admin excluded through a group of everyone.
        let p = block_legacy(|v| v["conditions"]["users"]["excludeGroups"] = json!([EVERYONE]));
        let v = run(
            "entra_legacy_auth_blocked",
            &identity(Some(vec![p]), sd_off.clone()),
        );
        assert_eq!(v.status, S::Fail);
        assert!(v.reason.contains("admin@contoso.com"), "{}", v.reason);
        let v = run(
            "entra_legacy_auth_blocked",
            &identity(Some(example_list()), sd_off),
        );
        assert_eq!(v.status, S::Fail);
        assert!(v.reason.contains("SimplePolicy1"));
    }
    #[test]
    fn entra_legacy_auth_blocked_missing() {
        let v = eval_tenant("entra_legacy_auth_blocked", &Identity::default());
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("legacy authentication"));
        let p = block_legacy(|v| v["conditions"]["users"]["excludeGroups"] = json!([EVERYONE]));
        let mut idn = identity(Some(vec![p]), Some(security_defaults(false)));
        idn.group_members = Some(BTreeMap::new());
        let v = run("entra_legacy_auth_blocked", &idn);
        assert_eq!(v.status, S::Error, "{}", v.reason);
    }

    #[test]
    fn entra_ca_exclusions_break_glass_only_pass() {
        let p = excluding("/conditions/users/excludeUsers", json!([BG_ID]));
        let v = run(
            "entra_ca_exclusions_break_glass_only",
            &identity(Some(vec![p]), None),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        // A group holding only the break-glass account.
        let p = excluding("/conditions/users/excludeGroups", json!([BG_GROUP]));
        let v = run(
            "entra_ca_exclusions_break_glass_only",
            &identity(Some(vec![p]), None),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        // Disabled policies (Microsoft's list) are not judged.
        let v = run(
            "entra_ca_exclusions_break_glass_only",
            &identity(Some(example_list()), None),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert_eq!(v.observed["enforced_policies"], json!(0));
    }
    #[test]
    fn entra_ca_exclusions_break_glass_only_fail() {
        // Microsoft's example also excludes all guests; the role it excludes has no holder.
        let mut v = fixture_item(GET, 0);
        v["state"] = json!("enabled");
        v["conditions"]["users"]["excludeUsers"] = json!([BG_ID, "GuestsOrExternalUsers"]);
        let r = run(
            "entra_ca_exclusions_break_glass_only",
            &identity(Some(vec![policy(v)]), None),
        );
        assert_eq!(r.status, S::Fail);
        assert!(
            r.reason
                .contains("Demo app for documentation: every guest or external user"),
            "{}",
            r.reason
        );
        assert_eq!(
            r.observed["unexpected_exclusions"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        // A group named like an exclusion group, holding everyone: every member is named.
        let p = excluding("/conditions/users/excludeGroups", json!([EVERYONE]));
        let r = run(
            "entra_ca_exclusions_break_glass_only",
            &identity(Some(vec![p]), None),
        );
        assert_eq!(r.status, S::Fail);
        assert!(
            r.reason.contains(&format!(
                "admin@contoso.com ({ADMIN_ID}) by excludeGroups {EVERYONE}"
            )),
            "{}",
            r.reason
        );
        assert_eq!(
            r.observed["unexpected_exclusions"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        // An excluded role: its holders.
        let p = excluding("/conditions/users/excludeRoles", json!([GLOBAL_ADMIN]));
        let r = run(
            "entra_ca_exclusions_break_glass_only",
            &identity(Some(vec![p]), None),
        );
        assert_eq!(r.status, S::Fail);
        assert!(
            r.reason.contains(&format!("excludeRoles {GLOBAL_ADMIN}")),
            "{}",
            r.reason
        );
    }
    #[test]
    fn entra_ca_exclusions_break_glass_only_missing() {
        let v = eval_tenant("entra_ca_exclusions_break_glass_only", &Identity::default());
        assert_eq!(v.status, S::Error);
        // A break-glass UPN that cannot be resolved (users not collected).
        let p = excluding("/conditions/users/excludeUsers", json!([BG_ID]));
        let mut idn = identity(Some(vec![p]), None);
        idn.users = None;
        let v = run("entra_ca_exclusions_break_glass_only", &idn);
        assert_eq!(v.status, S::Error, "{}", v.reason);
        // The excluded group's members were not read.
        let p = excluding("/conditions/users/excludeGroups", json!([BG_GROUP]));
        let mut idn = identity(Some(vec![p]), None);
        idn.group_members = None;
        let v = run("entra_ca_exclusions_break_glass_only", &idn);
        assert_eq!(v.status, S::Error, "{}", v.reason);
        assert!(v.reason.contains(BG_GROUP), "{}", v.reason);
    }

    #[test]
    fn entra_break_glass_account_excluded_pass() {
        let p = excluding("/conditions/users/excludeUsers", json!([BG_ID]));
        let v = run(
            "entra_break_glass_account_excluded",
            &identity(Some(vec![p]), None),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        // Excluded through a group (not named in config): its members are read.
        let p = excluding("/conditions/users/excludeGroups", json!([BG_GROUP]));
        let v = run(
            "entra_break_glass_account_excluded",
            &identity(Some(vec![p]), None),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        // A policy that does not include the account at all does not apply to it.
        let p = mfa_policy(|v| v["conditions"]["users"] = json!({"includeUsers": [ADMIN_ID]}));
        let v = run(
            "entra_break_glass_account_excluded",
            &identity(Some(vec![p]), None),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
    }
    #[test]
    fn entra_break_glass_account_excluded_fail() {
        let settings = Settings {
            break_glass_accounts: vec![BG_ID.into(), "ghost@contoso.com".into()],
            ..Settings::default()
        };
        let v = eval_tenant_with(
            "entra_break_glass_account_excluded",
            &identity(Some(vec![mfa_policy(|_| {})]), None),
            &settings,
        );
        assert_eq!(v.status, S::Fail);
        assert_eq!(
            v.reason,
            format!(
                "no usable break-glass account: {BG_ID}: not excluded from Demo app for \
                 documentation; ghost@contoso.com: not found in the directory"
            )
        );
        let p = excluding("/conditions/users/excludeUsers", json!([BG_ID]));
        let mut idn = identity(Some(vec![p]), None);
        idn.users.as_mut().unwrap()[0]["accountEnabled"] = json!(false);
        let v = run("entra_break_glass_account_excluded", &idn);
        assert_eq!(v.status, S::Fail);
        assert!(v.reason.contains("disabled"));
    }
    #[test]
    fn entra_break_glass_account_excluded_missing() {
        let v = eval_tenant(
            "entra_break_glass_account_excluded",
            &identity(Some(vec![mfa_policy(|_| {})]), None),
        );
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("not configured"));
        let mut idn = identity(Some(vec![mfa_policy(|_| {})]), None);
        idn.users = None;
        let v = run("entra_break_glass_account_excluded", &idn);
        assert_eq!(v.status, S::Error);
        // Excluded only through a group whose members were not read: unknown.
        let p = excluding("/conditions/users/excludeGroups", json!([BG_GROUP]));
        let mut idn = identity(Some(vec![p]), None);
        idn.group_members = None;
        let v = run("entra_break_glass_account_excluded", &idn);
        assert_eq!(v.status, S::Error, "{}", v.reason);
        assert!(v.reason.contains("may be subject to"), "{}", v.reason);
    }

    /// MFA for everyone on medium and high sign-in risk, break-glass excluded.
    fn signin_risk(edit: impl FnOnce(&mut Value)) -> ConditionalAccessPolicy {
        mfa_policy(|v| {
            v["conditions"]["signInRiskLevels"] = json!(["high", "medium"]);
            v["conditions"]["users"]["excludeUsers"] = json!([BG_ID]);
            edit(v);
        })
    }

    #[test]
    fn entra_signin_risk_policy_enforced_pass() {
        let v = run(
            "entra_signin_risk_policy_enforced",
            &identity(Some(vec![signin_risk(|_| {})]), None),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        // Split across two policies by level: the union counts.
        let high = signin_risk(|v| v["conditions"]["signInRiskLevels"] = json!(["high"]));
        let medium = signin_risk(|v| {
            v["id"] = json!("p-medium");
            v["conditions"]["signInRiskLevels"] = json!(["medium"]);
            v["grantControls"]["builtInControls"] = json!(["block"]);
        });
        let v = run(
            "entra_signin_risk_policy_enforced",
            &identity(Some(vec![high, medium]), None),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
    }
    #[test]
    fn entra_signin_risk_policy_enforced_fail() {
        // Microsoft's example: medium and low, one user and some roles, some platforms.
        let mut v = fixture_item(GET, 0);
        v["state"] = json!("enabled");
        v["conditions"]["userRiskLevels"] = json!([]);
        let r = run(
            "entra_signin_risk_policy_enforced",
            &identity(Some(vec![policy(v)]), None),
        );
        assert_eq!(r.status, S::Fail);
        assert!(r.reason.contains("MFA can be replaced"), "{}", r.reason);
        let p = signin_risk(|v| v["conditions"]["signInRiskLevels"] = json!(["high"]));
        let r = run(
            "entra_signin_risk_policy_enforced",
            &identity(Some(vec![p]), None),
        );
        assert_eq!(r.status, S::Fail);
        assert!(r.reason.contains("sign-in risk medium"), "{}", r.reason);
        // Excluding a group of everyone (a false pass before 2026.12.0).
        let p = signin_risk(|v| v["conditions"]["users"]["excludeGroups"] = json!([EVERYONE]));
        let r = run(
            "entra_signin_risk_policy_enforced",
            &identity(Some(vec![p]), None),
        );
        assert_eq!(r.status, S::Fail);
        let r = run(
            "entra_signin_risk_policy_enforced",
            &identity(Some(vec![]), None),
        );
        assert_eq!(r.status, S::Fail);
    }
    #[test]
    fn entra_signin_risk_policy_enforced_missing() {
        // Security defaults do not evaluate risk: no credit without conditional access data.
        let idn = identity(None, Some(security_defaults(true)));
        let v = run("entra_signin_risk_policy_enforced", &idn);
        assert_eq!(v.status, S::Error);
        assert_eq!(v.observed["conditionalAccess.policies"], Value::Null);
        let p = signin_risk(|v| v["conditions"]["users"]["excludeGroups"] = json!([EVERYONE]));
        let mut idn = identity(Some(vec![p]), None);
        idn.group_members = None;
        let v = run("entra_signin_risk_policy_enforced", &idn);
        assert_eq!(v.status, S::Error, "{}", v.reason);
    }

    fn user_risk(edit: impl FnOnce(&mut Value)) -> ConditionalAccessPolicy {
        mfa_policy(|v| {
            v["conditions"]["userRiskLevels"] = json!(["high"]);
            v["conditions"]["users"]["excludeUsers"] = json!([BG_ID]);
            v["grantControls"] =
                json!({"operator": "AND", "builtInControls": ["mfa", "passwordChange"]});
            edit(v);
        })
    }

    #[test]
    fn entra_user_risk_policy_enforced_pass() {
        let v = run(
            "entra_user_risk_policy_enforced",
            &identity(Some(vec![user_risk(|_| {})]), None),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
    }
    #[test]
    fn entra_user_risk_policy_enforced_fail() {
        let p = user_risk(|v| {
            v["grantControls"] = json!({"operator": "OR", "builtInControls": ["mfa"]})
        });
        let v = run(
            "entra_user_risk_policy_enforced",
            &identity(Some(vec![p]), None),
        );
        assert_eq!(v.status, S::Fail);
        assert!(
            v.reason
                .contains("neither blocks nor requires a password change"),
            "{}",
            v.reason
        );
        // Only on iOS.
        let p = user_risk(|v| v["conditions"]["platforms"] = json!({"includePlatforms": ["iOS"]}));
        let v = run(
            "entra_user_risk_policy_enforced",
            &identity(Some(vec![p]), None),
        );
        assert_eq!(v.status, S::Fail);
        assert!(v.reason.contains("platform android"), "{}", v.reason);
    }
    #[test]
    fn entra_user_risk_policy_enforced_missing() {
        let v = eval_tenant("entra_user_risk_policy_enforced", &Identity::default());
        assert_eq!(v.status, S::Error);
        // userRiskLevels left out (required by Graph): unknown, not "every level".
        let p = user_risk(|v| {
            v["conditions"]
                .as_object_mut()
                .unwrap()
                .remove("userRiskLevels");
        });
        let v = run(
            "entra_user_risk_policy_enforced",
            &identity(Some(vec![p]), None),
        );
        assert_eq!(v.status, S::Error, "{}", v.reason);
        assert!(
            v.reason.contains("userRiskLevels not present"),
            "{}",
            v.reason
        );
    }

    #[test]
    fn entra_baseline_protection_enabled_pass() {
        let v = run(
            "entra_baseline_protection_enabled",
            &identity(Some(example_list()), Some(security_defaults(true))),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        // Security defaults off; MFA for everyone and legacy clients blocked instead.
        let mfa = excluding("/conditions/users/excludeUsers", json!([BG_ID]));
        let v = run(
            "entra_baseline_protection_enabled",
            &identity(
                Some(vec![mfa, block_legacy(|_| {})]),
                Some(security_defaults(false)),
            ),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert_eq!(
            v.observed["baseline"]["MFA for all users"]["status"],
            json!("pass")
        );
    }
    #[test]
    fn entra_baseline_protection_enabled_fail() {
        let v = run(
            "entra_baseline_protection_enabled",
            &identity(Some(example_list()), Some(security_defaults(false))),
        );
        assert_eq!(v.status, S::Fail);
        assert_eq!(v.observed["enforced_policies"], json!([]));
        // Some enforced policy exists (here: block legacy only): before 2026.12.0 a pass.
        let v = run(
            "entra_baseline_protection_enabled",
            &identity(Some(vec![block_legacy(|_| {})]), None),
        );
        assert_eq!(v.status, S::Fail, "{}", v.reason);
        assert!(
            v.reason.contains("MFA for all users is not enforced"),
            "{}",
            v.reason
        );
        assert_eq!(
            v.observed["baseline"]["legacy authentication blocked"]["status"],
            json!("pass")
        );
    }
    #[test]
    fn entra_baseline_protection_enabled_missing() {
        let v = eval_tenant("entra_baseline_protection_enabled", &Identity::default());
        assert_eq!(v.status, S::Error);
        let v = run(
            "entra_baseline_protection_enabled",
            &identity(
                Some(vec![mfa_policy(|_| {})]),
                Some(security_defaults(true)),
            ),
        );
        assert_eq!(v.status, S::Error);
        assert!(v.reason.starts_with("inconsistent data"));
        let p = excluding("/conditions/users/excludeGroups", json!([BG_GROUP]));
        let mut idn = identity(
            Some(vec![p, block_legacy(|_| {})]),
            Some(security_defaults(false)),
        );
        idn.group_members = None;
        let v = run("entra_baseline_protection_enabled", &idn);
        assert_eq!(v.status, S::Error, "{}", v.reason);
    }

    /// A group the collector could not read makes only the claims that need it `error`, with
    /// the collector's reason; the others keep their verdict.
    #[test]
    fn a_group_gap_errors_only_the_checks_that_need_that_group() {
        let gone = "c7e1a2b3-0000-4000-8000-0000000000ee";
        let mfa = excluding("/conditions/users/excludeGroups", json!([gone]));
        let mut inv = inventory(vec![]);
        inv.identity = identity(
            Some(vec![mfa, user_risk(|_| {}), block_legacy(|_| {})]),
            Some(security_defaults(false)),
        );
        let mut src = inv.sources[0].clone();
        src.name = "graph.group_members".into();
        src.gaps = vec![Gap::new(
            format!("/tenants/tenant-1/groups/{gone}"),
            "HTTP 403 Authorization_RequestDenied; grant GroupMember.Read.All",
        )];
        inv.sources.push(src);
        let settings = bg();
        let ctx = crate::checks::Ctx::new(&inv, &settings);
        let status = |id: &str| {
            let r = crate::checks::run(crate::checks::find(id).unwrap(), &ctx);
            (r.status, r.findings[0].reason.clone())
        };
        let (s, why) = status("entra_mfa_required_for_all_users");
        assert_eq!(s, S::Error, "{why}");
        assert!(why.contains("HTTP 403") && why.contains(gone), "{why}");
        let (s, why) = status("entra_user_risk_policy_enforced");
        assert_eq!(s, S::Pass, "{why}");
        let (s, why) = status("entra_legacy_auth_blocked");
        assert_eq!(s, S::Pass, "{why}");
    }
}

/// Tests of the tenant-setting, credential, role, account, registration and risk checks.
#[cfg(test)]
mod posture_tests {
    use serde_json::{Value, json};

    use super::{GLOBAL_ADMIN, GUEST_LIMITED, GUEST_MEMBER_LIKE, GUEST_RESTRICTED};
    use crate::checks::FindingStatus as S;
    use crate::checks::testutil::{eval_tenant, fixture, inventory};
    use crate::checks::{Finding, Settings};
    use crate::model::{Identity, Inventory};

    const AUTHZ: &str = "graph/authorization_policy_get.v1.0.json";
    const APPS: &str = "../handmade/graph/applications_list_credentials.v1.0.json";
    const ROLES: &str = "graph/directory_roles_list.v1.0.json";
    const MEMBERS: &str = "graph/directory_role_members_list.v1.0.json";
    const ASSIGNED: &str = "graph/role_assignment_schedules_list.v1.0.json";
    const ELIGIBLE: &str = "graph/role_eligibility_schedules_list.v1.0.json";
    const SIGN_INS: &str = "graph/users_list_sign_in_activity.v1.0.json";
    const REGISTRATION: &str = "graph/user_registration_details_list.v1.0.json";
    const LOCATIONS: &str = "graph/named_locations_list.v1.0.json";

    fn list(path: &str) -> Vec<Value> {
        fixture(path)["value"].as_array().unwrap().clone()
    }

    /// Runs a context check through the registry and returns the tenant finding.
    fn tenant(id: &str, idn: Identity, settings: &Settings) -> Finding {
        let mut inv: Inventory = inventory(vec![]);
        inv.identity = idn;
        let check = crate::checks::find(id).unwrap();
        let ctx = crate::checks::Ctx::new(&inv, settings);
        crate::checks::run(check, &ctx)
            .findings
            .into_iter()
            .find(|f| f.resource_id == "/tenants/tenant-1")
            .unwrap()
    }

    fn ctx_tenant(id: &str, idn: Identity) -> Finding {
        tenant(id, idn, &Settings::default())
    }

    /// Microsoft's authorization policy example, edited.
    fn authz(edit: impl FnOnce(&mut Value)) -> Identity {
        let mut p = fixture(AUTHZ);
        edit(&mut p);
        Identity {
            authorization_policy: Some(p),
            ..Identity::default()
        }
    }

    fn remove(v: &mut Value, pointer: &str) {
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        let target = if parent.is_empty() {
            &mut *v
        } else {
            v.pointer_mut(parent).unwrap()
        };
        target.as_object_mut().unwrap().remove(key);
    }

    #[test]
    fn entra_guest_invites_restricted_pass() {
        for value in ["adminsAndGuestInviters", "none"] {
            let v = eval_tenant(
                "entra_guest_invites_restricted",
                &authz(|p| p["allowInvitesFrom"] = json!(value)),
            );
            assert_eq!(v.status, S::Pass, "{value}: {}", v.reason);
            assert_eq!(
                v.observed["authorizationPolicy.allowInvitesFrom"],
                json!(value)
            );
        }
    }
    #[test]
    fn entra_guest_invites_restricted_fail() {
        // Microsoft's example allows everyone to invite.
        let v = eval_tenant("entra_guest_invites_restricted", &authz(|_| {}));
        assert_eq!(v.status, S::Fail);
        assert_eq!(
            v.reason,
            "non-administrators can invite guests (authorizationPolicy.allowInvitesFrom is everyone)"
        );
    }
    #[test]
    fn entra_guest_invites_restricted_missing() {
        let v = eval_tenant(
            "entra_guest_invites_restricted",
            &authz(|p| remove(p, "/allowInvitesFrom")),
        );
        // Absent is Graph's documented default, everyone.
        assert_eq!(v.status, S::Fail);
        assert!(
            v.reason.contains("documented default \"everyone\""),
            "{}",
            v.reason
        );
        assert_eq!(
            v.observed["authorizationPolicy.allowInvitesFrom"],
            Value::Null
        );
        let v = eval_tenant("entra_guest_invites_restricted", &Identity::default());
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("not collected"));
    }

    #[test]
    fn entra_guest_access_restricted_pass() {
        let v = eval_tenant(
            "entra_guest_access_restricted",
            &authz(|p| p["guestUserRoleId"] = json!(GUEST_RESTRICTED)),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        let v = eval_tenant(
            "entra_guest_access_restricted",
            &authz(|p| p["guestUserRoleId"] = json!(GUEST_LIMITED.to_uppercase())),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert!(v.reason.contains("Entra's default"), "{}", v.reason);
    }
    #[test]
    fn entra_guest_access_restricted_fail() {
        let v = eval_tenant(
            "entra_guest_access_restricted",
            &authz(|p| p["guestUserRoleId"] = json!(GUEST_MEMBER_LIKE)),
        );
        assert_eq!(v.status, S::Fail);
        assert_eq!(
            v.observed["authorizationPolicy.guestUserRoleId"],
            json!(GUEST_MEMBER_LIKE)
        );
    }
    #[test]
    fn entra_guest_access_restricted_missing() {
        // Microsoft's example does not carry guestUserRoleId.
        let v = eval_tenant("entra_guest_access_restricted", &authz(|_| {}));
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("not present"), "{}", v.reason);
        let v = eval_tenant(
            "entra_guest_access_restricted",
            &authz(|p| p["guestUserRoleId"] = json!("00000000-0000-0000-0000-000000000000")),
        );
        assert_eq!(v.status, S::Error);
    }

    fn consent(policies: Value) -> Identity {
        authz(|p| p["defaultUserRolePermissions"]["permissionGrantPoliciesAssigned"] = policies)
    }

    #[test]
    fn entra_user_consent_restricted_pass() {
        let v = eval_tenant("entra_user_consent_restricted", &consent(json!([])));
        assert_eq!(v.status, S::Pass);
        assert_eq!(
            v.reason,
            "users cannot consent to applications for themselves"
        );
        let v = eval_tenant(
            "entra_user_consent_restricted",
            &consent(json!([
                "ManagePermissionGrantsForSelf.microsoft-user-default-low",
                "ManagePermissionGrantsForOwnedResource.built-in"
            ])),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert_eq!(
            v.observed["owner_consent_policies"],
            json!(["ManagePermissionGrantsForOwnedResource.built-in"])
        );
    }
    #[test]
    fn entra_user_consent_restricted_fail() {
        let v = eval_tenant(
            "entra_user_consent_restricted",
            &consent(json!([
                "ManagePermissionGrantsForSelf.microsoft-user-default-legacy"
            ])),
        );
        assert_eq!(v.status, S::Fail);
        assert!(v.reason.contains("any application"), "{}", v.reason);
    }
    #[test]
    fn entra_user_consent_restricted_missing() {
        // Microsoft's example value "just-user-read" is not a recognisable policy reference.
        let v = eval_tenant("entra_user_consent_restricted", &authz(|_| {}));
        assert_eq!(v.status, S::Error);
        assert!(
            v.reason.contains("unrecognised entry just-user-read"),
            "{}",
            v.reason
        );
        let v = eval_tenant(
            "entra_user_consent_restricted",
            &consent(json!(["ManagePermissionGrantsForSelf.contoso-custom"])),
        );
        assert_eq!(v.status, S::Error);
        assert!(
            v.reason
                .contains("custom self-consent policy contoso-custom")
        );
        let v = eval_tenant(
            "entra_user_consent_restricted",
            &authz(|p| {
                remove(
                    p,
                    "/defaultUserRolePermissions/permissionGrantPoliciesAssigned",
                )
            }),
        );
        assert_eq!(v.status, S::Error);
    }

    #[test]
    fn entra_risky_app_consent_blocked_pass() {
        let v = eval_tenant("entra_risky_app_consent_blocked", &authz(|_| {}));
        assert_eq!(v.status, S::Pass);
        // Graph documents false as the default.
        let v = eval_tenant(
            "entra_risky_app_consent_blocked",
            &authz(|p| remove(p, "/allowUserConsentForRiskyApps")),
        );
        assert_eq!(v.status, S::Pass);
        assert!(
            v.reason.contains("documented default false"),
            "{}",
            v.reason
        );
        // An empty policy body is missing data, not a default.
        let v = eval_tenant(
            "entra_risky_app_consent_blocked",
            &authz(|p| *p = serde_json::json!({})),
        );
        assert_eq!(v.status, S::Error);
        let v = eval_tenant(
            "entra_risky_app_consent_blocked",
            &authz(|p| remove(p, "/allowUserConsentForRiskyApps")),
        );
        assert_eq!(
            v.observed["authorizationPolicy.allowUserConsentForRiskyApps"],
            Value::Null
        );
    }
    #[test]
    fn entra_risky_app_consent_blocked_fail() {
        let v = eval_tenant(
            "entra_risky_app_consent_blocked",
            &authz(|p| p["allowUserConsentForRiskyApps"] = json!(true)),
        );
        assert_eq!(v.status, S::Fail);
    }
    #[test]
    fn entra_risky_app_consent_blocked_missing() {
        let v = eval_tenant("entra_risky_app_consent_blocked", &Identity::default());
        assert_eq!(v.status, S::Error);
        let v = eval_tenant(
            "entra_risky_app_consent_blocked",
            &authz(|p| p["allowUserConsentForRiskyApps"] = json!("no")),
        );
        assert_eq!(v.status, S::Error);
    }

    /// Pass, fail and missing for one boolean of defaultUserRolePermissions or the policy root.
    fn bool_case(id: &str, pointer: &str, bad: bool) -> [(S, crate::checks::Verdict); 3] {
        // Sets (or with None removes) the value, creating it where the example lacks it.
        let with = |value: Option<bool>| {
            authz(|p| {
                let (parent, key) = pointer.rsplit_once('/').unwrap();
                let t = if parent.is_empty() {
                    &mut *p
                } else {
                    p.pointer_mut(parent).unwrap()
                };
                match value {
                    Some(b) => t[key] = json!(b),
                    None => {
                        t.as_object_mut().unwrap().remove(key);
                    }
                }
            })
        };
        [
            (S::Pass, eval_tenant(id, &with(Some(!bad)))),
            (S::Fail, eval_tenant(id, &with(Some(bad)))),
            (S::Error, eval_tenant(id, &with(None))),
        ]
    }

    fn assert_case(case: &(S, crate::checks::Verdict)) {
        assert_eq!(case.1.status, case.0, "{}", case.1.reason);
    }

    const APPS_PTR: &str = "/defaultUserRolePermissions/allowedToCreateApps";
    const GROUPS_PTR: &str = "/defaultUserRolePermissions/allowedToCreateSecurityGroups";
    const TENANTS_PTR: &str = "/defaultUserRolePermissions/allowedToCreateTenants";
    const JOIN_PTR: &str = "/allowEmailVerifiedUsersToJoinOrganization";

    #[test]
    fn entra_users_cannot_register_apps_pass() {
        assert_case(&bool_case("entra_users_cannot_register_apps", APPS_PTR, true)[0]);
    }
    #[test]
    fn entra_users_cannot_register_apps_fail() {
        // Microsoft's example lets users register apps.
        let v = eval_tenant("entra_users_cannot_register_apps", &authz(|_| {}));
        assert_eq!(v.status, S::Fail);
        assert_eq!(
            v.reason,
            "every user can register applications \
             (authorizationPolicy.defaultUserRolePermissions.allowedToCreateApps is true)"
        );
        assert_case(&bool_case("entra_users_cannot_register_apps", APPS_PTR, true)[1]);
    }
    #[test]
    fn entra_users_cannot_register_apps_missing() {
        let c = bool_case("entra_users_cannot_register_apps", APPS_PTR, true);
        assert_case(&c[2]);
        assert_eq!(
            c[2].1.observed["authorizationPolicy.defaultUserRolePermissions.allowedToCreateApps"],
            Value::Null
        );
    }

    #[test]
    fn entra_users_cannot_create_security_groups_pass() {
        assert_case(
            &bool_case(
                "entra_users_cannot_create_security_groups",
                GROUPS_PTR,
                true,
            )[0],
        );
    }
    #[test]
    fn entra_users_cannot_create_security_groups_fail() {
        let v = eval_tenant("entra_users_cannot_create_security_groups", &authz(|_| {}));
        assert_eq!(v.status, S::Fail);
        assert!(
            v.reason
                .starts_with("every user can create security groups")
        );
    }
    #[test]
    fn entra_users_cannot_create_security_groups_missing() {
        assert_case(
            &bool_case(
                "entra_users_cannot_create_security_groups",
                GROUPS_PTR,
                true,
            )[2],
        );
    }

    #[test]
    fn entra_users_cannot_create_tenants_pass() {
        assert_case(&bool_case("entra_users_cannot_create_tenants", TENANTS_PTR, true)[0]);
    }
    #[test]
    fn entra_users_cannot_create_tenants_fail() {
        let c = bool_case("entra_users_cannot_create_tenants", TENANTS_PTR, true);
        assert_case(&c[1]);
        assert!(c[1].1.reason.contains("every user can create tenants"));
    }
    #[test]
    fn entra_users_cannot_create_tenants_missing() {
        // Microsoft's example predates allowedToCreateTenants.
        let v = eval_tenant("entra_users_cannot_create_tenants", &authz(|_| {}));
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("allowedToCreateTenants is not present"));
    }

    #[test]
    fn entra_email_verified_join_disabled_pass() {
        assert_case(&bool_case("entra_email_verified_join_disabled", JOIN_PTR, true)[0]);
    }
    #[test]
    fn entra_email_verified_join_disabled_fail() {
        let v = eval_tenant("entra_email_verified_join_disabled", &authz(|_| {}));
        assert_eq!(v.status, S::Fail);
    }
    #[test]
    fn entra_email_verified_join_disabled_missing() {
        assert_case(&bool_case("entra_email_verified_join_disabled", JOIN_PTR, true)[2]);
    }

    /// The handmade application list, edited.
    fn apps(edit: impl FnOnce(&mut Vec<Value>)) -> Identity {
        let mut l = list(APPS);
        edit(&mut l);
        Identity {
            applications: Some(l),
            ..Identity::default()
        }
    }

    fn secret(l: &mut [Value]) -> &mut Value {
        &mut l[0]["passwordCredentials"][0]
    }

    #[test]
    fn entra_app_credentials_not_expired_pass() {
        let f = ctx_tenant("entra_app_credentials_not_expired", apps(|_| {}));
        assert_eq!(f.status, S::Pass, "{}", f.reason);
        assert_eq!(f.observed["credentials"], json!(2));
    }
    #[test]
    fn entra_app_credentials_not_expired_fail() {
        let f = ctx_tenant(
            "entra_app_credentials_not_expired",
            apps(|l| secret(l)["endDateTime"] = json!("2026-10-01T00:00:00Z")),
        );
        assert_eq!(f.status, S::Fail);
        assert_eq!(
            f.reason,
            "1 expired credentials: Contoso billing API secret ci-deploy (expired \
             2026-10-01T00:00:00+00:00)"
        );
        assert_eq!(
            f.observed["offending"][0]["appId"],
            json!("7d1a9c44-2b6e-4f0e-8a3b-5e2c1d0f9b72")
        );
    }
    #[test]
    fn entra_app_credentials_not_expired_missing() {
        let f = ctx_tenant("entra_app_credentials_not_expired", Identity::default());
        assert_eq!(f.status, S::Error);
        let f = ctx_tenant(
            "entra_app_credentials_not_expired",
            apps(|l| {
                secret(l).as_object_mut().unwrap().remove("endDateTime");
            }),
        );
        assert_eq!(f.status, S::Error);
        assert_eq!(f.observed["undecided"][0]["why"], json!("no endDateTime"));
    }

    #[test]
    fn entra_app_credentials_not_expiring_pass() {
        let f = ctx_tenant("entra_app_credentials_not_expiring", apps(|_| {}));
        assert_eq!(f.status, S::Pass, "{}", f.reason);
        // Already expired is another check's concern.
        let f = ctx_tenant(
            "entra_app_credentials_not_expiring",
            apps(|l| secret(l)["endDateTime"] = json!("2026-10-01T00:00:00Z")),
        );
        assert_eq!(f.status, S::Pass, "{}", f.reason);
    }
    #[test]
    fn entra_app_credentials_not_expiring_fail() {
        let f = ctx_tenant(
            "entra_app_credentials_not_expiring",
            apps(|l| l[0]["keyCredentials"][0]["endDateTime"] = json!("2026-11-20T00:00:00Z")),
        );
        assert_eq!(f.status, S::Fail);
        assert!(
            f.reason
                .contains("certificate CN=billing-api (expires 2026-11-20"),
            "{}",
            f.reason
        );
    }
    #[test]
    fn entra_app_credentials_not_expiring_missing() {
        let f = ctx_tenant(
            "entra_app_credentials_not_expiring",
            apps(|l| secret(l)["endDateTime"] = json!("next spring")),
        );
        assert_eq!(f.status, S::Error);
        assert!(
            f.observed["undecided"][0]["why"]
                .as_str()
                .unwrap()
                .contains("unreadable timestamp")
        );
    }

    #[test]
    fn entra_app_credential_lifetime_limited_pass() {
        // Both credentials of the example are valid for exactly 365 days.
        let f = ctx_tenant("entra_app_credential_lifetime_limited", apps(|_| {}));
        assert_eq!(f.status, S::Pass, "{}", f.reason);
        assert_eq!(f.observed["max_credential_days"], json!(365));
    }
    #[test]
    fn entra_app_credential_lifetime_limited_fail() {
        let f = ctx_tenant(
            "entra_app_credential_lifetime_limited",
            apps(|l| secret(l)["startDateTime"] = json!("2025-01-01T00:00:00Z")),
        );
        assert_eq!(f.status, S::Fail);
        assert!(
            f.reason.contains("ci-deploy (valid for 789 days)"),
            "{}",
            f.reason
        );
        let strict = Settings {
            max_credential_days: 90,
            ..Settings::default()
        };
        let f = tenant(
            "entra_app_credential_lifetime_limited",
            apps(|_| {}),
            &strict,
        );
        assert_eq!(f.status, S::Fail);
        assert_eq!(f.observed["offending_count"], json!(2));
    }
    #[test]
    fn entra_app_credential_lifetime_limited_missing() {
        let f = ctx_tenant(
            "entra_app_credential_lifetime_limited",
            apps(|l| {
                secret(l).as_object_mut().unwrap().remove("startDateTime");
            }),
        );
        assert_eq!(f.status, S::Error);
        assert_eq!(f.observed["undecided"][0]["why"], json!("no startDateTime"));
    }

    /// Microsoft's directory roles, with `n` Global Administrator members built from
    /// Microsoft's member example (which lacks ids).
    fn roles(n: usize) -> Vec<Value> {
        let mut roles = list(ROLES);
        let member = list(MEMBERS).remove(0);
        let members: Vec<Value> = (0..n)
            .map(|i| {
                let mut m = member.clone();
                m["id"] = json!(format!("ga-{i}"));
                m
            })
            .collect();
        roles[0]["members"] = Value::from(members);
        roles
    }

    fn ga_identity(roles: Option<Vec<Value>>, eligible: Option<Vec<Value>>) -> Identity {
        Identity {
            directory_roles: roles,
            role_eligibility_schedules: eligible,
            ..Identity::default()
        }
    }

    /// Microsoft's eligibility example turned into a current Global Administrator eligibility.
    fn ga_eligibility(principal: &str) -> Value {
        let mut e = list(ELIGIBLE).remove(0);
        e["roleDefinitionId"] = json!(GLOBAL_ADMIN);
        e["principalId"] = json!(principal);
        e["scheduleInfo"]["expiration"] = json!({"type": "noExpiration", "endDateTime": null});
        e
    }

    #[test]
    fn entra_global_admins_max_pass() {
        let f = ctx_tenant(
            "entra_global_admins_max",
            ga_identity(Some(roles(2)), Some(list(ELIGIBLE))),
        );
        assert_eq!(f.status, S::Pass, "{}", f.reason);
        assert_eq!(f.observed["distinct_principals"], json!(2));
        assert_eq!(f.observed["max_global_admins"], json!(4));
    }
    #[test]
    fn entra_global_admins_max_fail() {
        let f = ctx_tenant(
            "entra_global_admins_max",
            ga_identity(Some(roles(5)), Some(vec![])),
        );
        assert_eq!(f.status, S::Fail);
        // Eligible holders count too.
        let f = ctx_tenant(
            "entra_global_admins_max",
            ga_identity(
                Some(roles(3)),
                Some(vec![
                    ga_eligibility("e1"),
                    ga_eligibility("e2"),
                    ga_eligibility("ga-0"),
                ]),
            ),
        );
        assert_eq!(f.status, S::Fail, "{}", f.reason);
        assert_eq!(
            f.reason,
            "5 principals hold Global Administrator, more than the maximum of 4"
        );
    }
    #[test]
    fn entra_global_admins_max_missing() {
        let f = ctx_tenant("entra_global_admins_max", ga_identity(Some(roles(2)), None));
        assert_eq!(f.status, S::Error);
        assert!(
            f.reason
                .contains("eligibility schedules were not collected")
        );
        // Microsoft's roles example was listed without $expand=members.
        let f = ctx_tenant(
            "entra_global_admins_max",
            ga_identity(Some(list(ROLES)), Some(vec![])),
        );
        assert_eq!(f.status, S::Error);
        assert!(f.reason.contains("without its members"), "{}", f.reason);
    }

    #[test]
    fn entra_global_admins_min_pass() {
        let f = ctx_tenant(
            "entra_global_admins_min",
            ga_identity(Some(roles(1)), Some(vec![ga_eligibility("e1")])),
        );
        assert_eq!(f.status, S::Pass, "{}", f.reason);
        assert_eq!(f.observed["eligible_principals"], json!(["e1"]));
    }
    #[test]
    fn entra_global_admins_min_fail() {
        // Microsoft's eligibility example ended in 2024: an expired eligibility does not count.
        let mut expired = list(ELIGIBLE);
        expired[0]["roleDefinitionId"] = json!(GLOBAL_ADMIN);
        let f = ctx_tenant(
            "entra_global_admins_min",
            ga_identity(Some(roles(1)), Some(expired)),
        );
        assert_eq!(f.status, S::Fail, "{}", f.reason);
        assert_eq!(
            f.reason,
            "only 1 principal holds Global Administrator; at least 2 are needed"
        );
    }
    #[test]
    fn entra_global_admins_min_missing() {
        let f = ctx_tenant("entra_global_admins_min", ga_identity(Some(roles(1)), None));
        assert_eq!(f.status, S::Error);
        let f = ctx_tenant("entra_global_admins_min", ga_identity(None, Some(vec![])));
        assert_eq!(f.status, S::Error);
        assert_eq!(f.observed["active_members"], Value::Null);
    }

    fn schedules(edit: impl FnOnce(&mut Vec<Value>)) -> Identity {
        let mut l = list(ASSIGNED);
        edit(&mut l);
        Identity {
            role_assignment_schedules: Some(l),
            role_eligibility_schedules: Some(list(ELIGIBLE)),
            ..Identity::default()
        }
    }

    const PERMANENT_GA: &str = "6be4b305-b75e-4efc-bfcc-31bd3b53a5f8";

    #[test]
    fn entra_privileged_roles_not_permanent_pass() {
        // Activated from an eligibility, or time-bound, is not standing access.
        let f = ctx_tenant(
            "entra_privileged_roles_not_permanent",
            schedules(|l| l[1]["assignmentType"] = json!("Activated")),
        );
        assert_eq!(f.status, S::Pass, "{}", f.reason);
        let f = ctx_tenant(
            "entra_privileged_roles_not_permanent",
            schedules(|l| {
                l[1]["scheduleInfo"]["expiration"] =
                    json!({"type": "afterDateTime", "endDateTime": "2026-12-01T00:00:00Z"})
            }),
        );
        assert_eq!(f.status, S::Pass, "{}", f.reason);
        // A configured break-glass account may hold Global Administrator permanently.
        let settings = Settings {
            break_glass_accounts: vec![PERMANENT_GA.to_uppercase()],
            ..Settings::default()
        };
        let f = tenant(
            "entra_privileged_roles_not_permanent",
            schedules(|_| {}),
            &settings,
        );
        assert_eq!(f.status, S::Pass, "{}", f.reason);
        assert_eq!(
            f.observed["break_glass_exempt"][0]["principalId"],
            json!(PERMANENT_GA)
        );
    }
    #[test]
    fn entra_privileged_roles_not_permanent_fail() {
        // Microsoft's example: a permanent, directly assigned Global Administrator.
        let f = ctx_tenant("entra_privileged_roles_not_permanent", schedules(|_| {}));
        assert_eq!(f.status, S::Fail);
        assert_eq!(
            f.reason,
            format!(
                "1 privileged roles are assigned permanently: {PERMANENT_GA} (Global Administrator)"
            )
        );
        assert_eq!(
            f.observed["permanent_assignments"][0]["alsoEligible"],
            json!(false)
        );
    }
    #[test]
    fn entra_privileged_roles_not_permanent_missing() {
        let f = ctx_tenant("entra_privileged_roles_not_permanent", Identity::default());
        assert_eq!(f.status, S::Error);
        // A break-glass UPN cannot be resolved without the user list.
        let settings = Settings {
            break_glass_accounts: vec!["bg@contoso.com".into()],
            ..Settings::default()
        };
        let f = tenant(
            "entra_privileged_roles_not_permanent",
            schedules(|_| {}),
            &settings,
        );
        assert_eq!(f.status, S::Error, "{}", f.reason);
        assert!(f.reason.contains("bg@contoso.com"));
        // A schedule whose type or role cannot be read may be a standing privileged one.
        for (what, change) in [
            ("assignmentType", json!(null)),
            ("roleDefinitionId", json!(null)),
        ] {
            let idn = schedules(|l| {
                for s in l.iter_mut() {
                    s[what] = change.clone();
                }
            });
            let f = ctx_tenant("entra_privileged_roles_not_permanent", idn);
            assert_eq!(f.status, S::Error, "{what}: {}", f.reason);
            assert!(f.reason.contains(what), "{}", f.reason);
        }
    }

    /// Microsoft's sign-in activity example with the fields the collector selects.
    fn sign_ins(user_type: &str, edit: impl FnOnce(&mut [Value])) -> Identity {
        let mut l = list(SIGN_INS);
        for u in &mut l {
            u["userType"] = json!(user_type);
            u["accountEnabled"] = json!(true);
            u["createdDateTime"] = json!("2020-01-01T00:00:00Z");
        }
        edit(&mut l);
        Identity {
            users: Some(l),
            ..Identity::default()
        }
    }

    fn recent(l: &mut [Value]) {
        l[0]["signInActivity"]["lastSignInDateTime"] = json!("2026-10-01T08:00:00Z");
        // Only non-interactive sign-ins are recent: they count.
        l[1]["signInActivity"]["lastNonInteractiveSignInDateTime"] = json!("2026-10-20T08:00:00Z");
    }

    #[test]
    fn entra_stale_member_accounts_disabled_pass() {
        let f = ctx_tenant(
            "entra_stale_member_accounts_disabled",
            sign_ins("Member", recent),
        );
        assert_eq!(f.status, S::Pass, "{}", f.reason);
        assert_eq!(
            f.reason,
            "all 2 enabled member accounts signed in within 90 days"
        );
        // Stale guests are not members.
        let f = ctx_tenant(
            "entra_stale_member_accounts_disabled",
            sign_ins("Guest", |_| {}),
        );
        assert_eq!(f.status, S::Pass, "{}", f.reason);
    }
    #[test]
    fn entra_stale_member_accounts_disabled_fail() {
        // Microsoft's example dates are from 2021.
        let f = ctx_tenant(
            "entra_stale_member_accounts_disabled",
            sign_ins("Member", |_| {}),
        );
        assert_eq!(f.status, S::Fail);
        assert!(
            f.reason
                .contains("AdeleV@contoso.com (last sign-in 2021-06-17)"),
            "{}",
            f.reason
        );
        assert_eq!(f.observed["stale_count"], json!(2));
        // A disabled stale account is not a finding.
        let f = ctx_tenant(
            "entra_stale_member_accounts_disabled",
            sign_ins("Member", |l| l[1]["accountEnabled"] = json!(false)),
        );
        assert_eq!(f.observed["stale_count"], json!(1));
    }
    #[test]
    fn entra_stale_member_accounts_disabled_missing() {
        let f = ctx_tenant(
            "entra_stale_member_accounts_disabled",
            sign_ins("Member", |l| {
                recent(l);
                l[0].as_object_mut().unwrap().remove("signInActivity");
            }),
        );
        assert_eq!(f.status, S::Error);
        assert_eq!(
            f.observed["undecided"][0]["why"],
            json!("no signInActivity")
        );
        let f = ctx_tenant("entra_stale_member_accounts_disabled", Identity::default());
        assert_eq!(f.status, S::Error);
    }

    #[test]
    fn entra_stale_guest_accounts_removed_pass() {
        let f = ctx_tenant(
            "entra_stale_guest_accounts_removed",
            sign_ins("Guest", recent),
        );
        assert_eq!(f.status, S::Pass, "{}", f.reason);
    }
    #[test]
    fn entra_stale_guest_accounts_removed_fail() {
        // A guest who never signed in, invited long ago.
        let f = ctx_tenant(
            "entra_stale_guest_accounts_removed",
            sign_ins("Guest", |l| {
                recent(l);
                l[1]["signInActivity"] = json!({
                    "lastSignInDateTime": null,
                    "lastNonInteractiveSignInDateTime": "0001-01-01T00:00:00Z"
                });
            }),
        );
        assert_eq!(f.status, S::Fail);
        assert!(
            f.reason
                .contains("AlexW@contoso.com (never signed in, created 2020-01-01)"),
            "{}",
            f.reason
        );
    }
    #[test]
    fn entra_stale_guest_accounts_removed_missing() {
        let f = ctx_tenant(
            "entra_stale_guest_accounts_removed",
            sign_ins("Guest", |l| {
                recent(l);
                l[0].as_object_mut().unwrap().remove("accountEnabled");
            }),
        );
        assert_eq!(f.status, S::Error);
        assert_eq!(
            f.observed["undecided"][0]["why"],
            json!("no accountEnabled")
        );
    }

    fn registration(edit: impl FnOnce(&mut Vec<Value>)) -> Identity {
        let mut l = list(REGISTRATION);
        edit(&mut l);
        Identity {
            user_registration_details: Some(l),
            ..Identity::default()
        }
    }

    #[test]
    fn entra_admins_mfa_registered_pass() {
        let v = eval_tenant(
            "entra_admins_mfa_registered",
            &registration(|l| l[0]["isAdmin"] = json!(true)),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert_eq!(
            v.reason,
            "every one of the 1 administrators judged has registered MFA"
        );
    }
    #[test]
    fn entra_admins_mfa_registered_fail() {
        let v = eval_tenant(
            "entra_admins_mfa_registered",
            &registration(|l| {
                l[2]["isAdmin"] = json!(true);
                l[2]["isMfaRegistered"] = json!(false);
            }),
        );
        assert_eq!(v.status, S::Fail);
        assert_eq!(
            v.reason,
            "1 administrators have not registered MFA: BiancaP@Contoso.com"
        );
    }
    #[test]
    fn entra_admins_mfa_registered_missing() {
        let v = eval_tenant(
            "entra_admins_mfa_registered",
            &registration(|l| {
                l[0].as_object_mut().unwrap().remove("isAdmin");
            }),
        );
        assert_eq!(v.status, S::Error);
        let v = eval_tenant("entra_admins_mfa_registered", &Identity::default());
        assert_eq!(v.status, S::Error);
        assert_eq!(v.observed["offending"], Value::Null);
    }

    #[test]
    fn entra_users_mfa_registered_pass() {
        // Allan is an unregistered guest: guests are not judged.
        let v = eval_tenant("entra_users_mfa_registered", &registration(|_| {}));
        assert_eq!(v.status, S::Pass, "{}", v.reason);
    }
    #[test]
    fn entra_users_mfa_registered_fail() {
        let mut idn = registration(|l| l[2]["isMfaRegistered"] = json!(false));
        let v = eval_tenant("entra_users_mfa_registered", &idn);
        assert_eq!(v.status, S::Fail);
        assert!(v.reason.contains("BiancaP@Contoso.com"));
        // Disabled accounts are skipped when the user list shows them.
        idn.users = Some(vec![json!({
            "id": "c8096958-797c-44fa-8fde-a6fb62567cf0",
            "accountEnabled": false
        })]);
        let v = eval_tenant("entra_users_mfa_registered", &idn);
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert_eq!(v.observed["skipped_disabled_accounts"], json!(1));
    }
    #[test]
    fn entra_users_mfa_registered_missing() {
        let v = eval_tenant(
            "entra_users_mfa_registered",
            &registration(|l| {
                l[0].as_object_mut().unwrap().remove("isMfaRegistered");
            }),
        );
        assert_eq!(v.status, S::Error);
        assert_eq!(
            v.observed["undecided"][0]["why"],
            json!("no isMfaRegistered")
        );
    }

    #[test]
    fn entra_admins_mfa_not_phone_only_pass() {
        // Bianca has a phone and the Authenticator app.
        let v = eval_tenant(
            "entra_admins_mfa_not_phone_only",
            &registration(|l| l[2]["isAdmin"] = json!(true)),
        );
        assert_eq!(v.status, S::Pass, "{}", v.reason);
    }
    #[test]
    fn entra_admins_mfa_not_phone_only_fail() {
        let v = eval_tenant(
            "entra_admins_mfa_not_phone_only",
            &registration(|l| {
                l[2]["isAdmin"] = json!(true);
                l[2]["methodsRegistered"] = json!(["mobilePhone", "email"]);
            }),
        );
        assert_eq!(v.status, S::Fail);
        assert!(v.reason.contains("rely on phone"), "{}", v.reason);
    }
    #[test]
    fn entra_admins_mfa_not_phone_only_missing() {
        let v = eval_tenant(
            "entra_admins_mfa_not_phone_only",
            &registration(|l| {
                l[2]["isAdmin"] = json!(true);
                l[2].as_object_mut().unwrap().remove("methodsRegistered");
            }),
        );
        assert_eq!(v.status, S::Error);
        // Whether an admin registered MFA at all is unknown: not "not phone-only".
        let v = eval_tenant(
            "entra_admins_mfa_not_phone_only",
            &registration(|l| {
                for e in l.iter_mut() {
                    e["isAdmin"] = json!(true);
                    e.as_object_mut().unwrap().remove("isMfaRegistered");
                }
            }),
        );
        assert_eq!(v.status, S::Error, "{}", v.reason);
        assert!(v.reason.contains("isMfaRegistered"), "{}", v.reason);
    }

    #[test]
    fn entra_users_mfa_not_phone_only_pass() {
        let v = eval_tenant("entra_users_mfa_not_phone_only", &registration(|_| {}));
        assert_eq!(v.status, S::Pass, "{}", v.reason);
    }
    #[test]
    fn entra_users_mfa_not_phone_only_fail() {
        let v = eval_tenant(
            "entra_users_mfa_not_phone_only",
            &registration(|l| l[0]["methodsRegistered"] = json!(["officePhone"])),
        );
        assert_eq!(v.status, S::Fail);
        assert_eq!(v.observed["offending"], json!(["AlexW@Contoso.com"]));
    }
    #[test]
    fn entra_users_mfa_not_phone_only_missing() {
        let v = eval_tenant("entra_users_mfa_not_phone_only", &Identity::default());
        assert_eq!(v.status, S::Error);
    }

    fn locations(edit: impl FnOnce(&mut Vec<Value>)) -> Identity {
        let mut l = list(LOCATIONS);
        edit(&mut l);
        Identity {
            named_locations: Some(l),
            ..Identity::default()
        }
    }

    #[test]
    fn entra_trusted_locations_defined_pass() {
        let v = eval_tenant("entra_trusted_locations_defined", &locations(|_| {}));
        assert_eq!(v.status, S::Pass);
        assert_eq!(
            v.reason,
            "trusted named locations: Trusted IPv6 named location"
        );
        assert_eq!(v.observed["namedLocations"].as_array().unwrap().len(), 3);
    }
    #[test]
    fn entra_trusted_locations_defined_fail() {
        let v = eval_tenant(
            "entra_trusted_locations_defined",
            &locations(|l| l[2]["isTrusted"] = json!(false)),
        );
        assert_eq!(v.status, S::Fail);
        assert_eq!(v.reason, "none of the 3 named locations is marked trusted");
        let v = eval_tenant("entra_trusted_locations_defined", &locations(|l| l.clear()));
        assert_eq!(v.status, S::Fail);
    }
    #[test]
    fn entra_trusted_locations_defined_missing() {
        let v = eval_tenant("entra_trusted_locations_defined", &Identity::default());
        assert_eq!(v.status, S::Error);
        // A location returned empty may be the trusted one.
        let v = eval_tenant(
            "entra_trusted_locations_defined",
            &locations(|l| {
                for x in l.iter_mut() {
                    *x = json!({});
                }
            }),
        );
        assert_eq!(v.status, S::Error, "{}", v.reason);
    }
}
