//! Conditional access coverage: what a set of policies really covers, as sets, not spellings.
//!
//! A sign-in is a point in a product of condition kinds: who signs in (users, resolved against
//! the collected directory: users, directory roles with their members, PIM eligibilities and the
//! transitive members of every group a policy names), which cloud app, which client app type,
//! platform, location, sign-in risk and user risk. A policy applies to the points every one of
//! its conditions matches. A claim ("MFA for every user", "legacy clients blocked", …) is a box
//! of such points and a grant requirement; it holds when every point of the box is inside some
//! enforced policy whose grant satisfies the requirement. Entra enforces every policy that
//! applies, so the union of the qualifying policies is what protects.
//!
//! Each condition kind has a finite set of atoms (the four client app types, the platforms, the
//! risk levels, the apps and locations the policies name plus "any other"); users are enumerated
//! (the collected users, or, when users were not collected, every user a policy names plus "any
//! other member" and "any other guest"). Per kind, atoms that every policy treats alike form one
//! class, and coverage is decided class by class, so the work stays small.
//!
//! Membership is three-valued: yes, no, or unknown (a group or role whose members were not
//! collected, a required property Graph left out). Unknown is never read as covered: a point
//! only some unknown could cover makes the claim unknown (an `error`), a point nothing can
//! cover makes it fail. Conditions the model cannot enumerate (device filters, authentication
//! flows, application filters, workload identities, condition keys it does not know) narrow:
//! a policy that has one is not credited for the claim at all.
//!
//! Break-glass accounts named in config are the one allowed gap: their being uncovered is
//! recorded, not counted. Everyone else who is uncovered is named.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::model::{ConditionalAccessPolicy, Identity, PolicyUsers};

/// Three-valued membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Tri {
    No,
    Maybe,
    Yes,
}

impl Tri {
    fn from(b: bool) -> Self {
        if b { Tri::Yes } else { Tri::No }
    }
    fn and(self, o: Tri) -> Tri {
        self.min(o)
    }
    fn or(self, o: Tri) -> Tri {
        self.max(o)
    }
    fn not(self) -> Tri {
        match self {
            Tri::Yes => Tri::No,
            Tri::No => Tri::Yes,
            Tri::Maybe => Tri::Maybe,
        }
    }
    fn any(it: impl IntoIterator<Item = Tri>) -> Tri {
        it.into_iter().fold(Tri::No, Tri::or)
    }
}

/// Role template id of Global Administrator (the same in every tenant).
pub(crate) const GLOBAL_ADMIN: &str = "62e90394-69f5-4237-9190-012177145e10";

/// The Entra ID ids of the "MFA trusted IPs" location, trusted by definition.
const MFA_TRUSTED_IPS: &str = "00000000-0000-0000-0000-000000000000";

/// Built-in authentication strengths, all of which satisfy MFA (Microsoft's built-in ids:
/// multifactor, passwordless and phishing-resistant MFA).
const BUILT_IN_MFA_STRENGTHS: &[&str] = &[
    "00000000-0000-0000-0000-000000000002",
    "00000000-0000-0000-0000-000000000003",
    "00000000-0000-0000-0000-000000000004",
];

/// Client app types of `clientAppTypes` (`all` is every one of them).
pub(crate) const CLIENT_APPS: &[&str] = &[
    "browser",
    "mobileAppsAndDesktopClients",
    "exchangeActiveSync",
    "other",
];
/// Legacy authentication clients.
pub(crate) const LEGACY_CLIENTS: &[&str] = &["exchangeActiveSync", "other"];
/// Platforms of `includePlatforms` plus a sign-in whose platform Entra cannot tell.
const PLATFORMS: &[&str] = &[
    "android",
    "iOS",
    "windows",
    "windowsPhone",
    "macOS",
    "linux",
    "(unknown platform)",
];
/// Risk levels a sign-in or user can have.
pub(crate) const RISK_LEVELS: &[&str] = &["none", "low", "medium", "high"];
/// Locations named across policies beyond which the location subsets are not enumerated.
const MAX_LOCATIONS: usize = 6;

/// The guest and external user types of `conditionalAccessGuestsOrExternalUsers`.
const GUEST_TYPES: &[&str] = &[
    "internalGuest",
    "b2bCollaborationGuest",
    "b2bCollaborationMember",
    "b2bDirectConnectUser",
    "otherExternalUser",
    "serviceProvider",
];

fn lc(s: &str) -> String {
    s.to_ascii_lowercase()
}

/// A lower-case map key, borrowed when it already is one (the common case: Graph ids are
/// lower-case), so lookups per user and policy do not allocate.
fn key(s: &str) -> std::borrow::Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(lc(s))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

fn str_field<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// A directory role as collected: `None` members when they were not read.
struct Role {
    /// Direct members: (lower-case id, is a group).
    members: Option<Vec<(String, bool)>>,
}

/// The collected directory the model resolves principals against.
pub(crate) struct Directory<'a> {
    users: Option<&'a [Value]>,
    /// Collected users by lower-case id (a tenant can hold hundreds of thousands).
    by_id: BTreeMap<String, &'a Value>,
    /// By lower-case role template id; `None` when directory roles were not collected.
    roles: Option<BTreeMap<String, Role>>,
    /// Current PIM eligibilities at tenant scope: role template id → principal ids.
    eligible: Option<BTreeMap<String, BTreeSet<String>>>,
    /// Transitive members by lower-case group id; `None` when not collected.
    groups: Option<BTreeMap<String, BTreeSet<String>>>,
    /// Why a group's members are unknown, by lower-case group id (from the source's gaps).
    group_gaps: BTreeMap<String, String>,
    /// Named locations marked trusted (lower-case ids); `None` when not collected.
    trusted_locations: Option<BTreeSet<String>>,
}

impl<'a> Directory<'a> {
    /// `group_gaps`: reasons the collector gave for groups it could not read. `now`: the
    /// inventory's time, to tell current eligibilities from expired ones.
    pub(crate) fn new(
        idn: &'a Identity,
        group_gaps: BTreeMap<String, String>,
        now: DateTime<Utc>,
    ) -> Self {
        let roles = idn.directory_roles.as_ref().map(|list| {
            list.iter()
                .filter_map(|r| {
                    let t = lc(str_field(r, "roleTemplateId")?);
                    let members = r.get("members").and_then(Value::as_array).and_then(|ms| {
                        ms.iter()
                            // Service principals are not users: user policies do not apply.
                            .filter(|m| {
                                !str_field(m, "@odata.type").is_some_and(|t| {
                                    t.eq_ignore_ascii_case("#microsoft.graph.servicePrincipal")
                                })
                            })
                            .map(|m| {
                                let id = lc(str_field(m, "id")?);
                                let group = str_field(m, "@odata.type").is_some_and(|t| {
                                    t.eq_ignore_ascii_case("#microsoft.graph.group")
                                });
                                Some((id, group))
                            })
                            .collect::<Option<Vec<_>>>()
                    });
                    Some((t, Role { members }))
                })
                .collect()
        });
        let eligible = idn.role_eligibility_schedules.as_ref().map(|list| {
            let mut m: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            for s in list {
                let (Some(role), Some(p)) = (
                    str_field(s, "roleDefinitionId"),
                    str_field(s, "principalId"),
                ) else {
                    continue;
                };
                if str_field(s, "directoryScopeId").is_some_and(|d| d != "/") {
                    continue;
                }
                let end = s
                    .pointer("/scheduleInfo/expiration/endDateTime")
                    .and_then(Value::as_str)
                    .and_then(|t| DateTime::parse_from_rfc3339(t).ok());
                // An unreadable end counts as current: one more holder is the cautious side.
                if end.is_some_and(|e| e.with_timezone(&Utc) <= now) {
                    continue;
                }
                m.entry(lc(role)).or_default().insert(lc(p));
            }
            m
        });
        let groups = idn.group_members.as_ref().map(|g| {
            g.iter()
                .map(|(id, members)| {
                    (
                        lc(id),
                        members
                            .iter()
                            // Conditional access applies to users: nested groups, devices
                            // and service principals among transitive members are not.
                            .filter(|m| {
                                str_field(m, "@odata.type")
                                    .is_none_or(|t| t.eq_ignore_ascii_case("#microsoft.graph.user"))
                            })
                            .filter_map(|m| str_field(m, "id").map(lc))
                            .collect(),
                    )
                })
                .collect()
        });
        let trusted_locations = idn.named_locations.as_ref().map(|l| {
            l.iter()
                .filter(|x| x.get("isTrusted").and_then(Value::as_bool) == Some(true))
                .filter_map(|x| str_field(x, "id").map(lc))
                .collect()
        });
        let by_id = idn
            .users
            .iter()
            .flatten()
            .filter_map(|u| Some((lc(str_field(u, "id")?), u)))
            .collect();
        Directory {
            users: idn.users.as_deref(),
            by_id,
            roles,
            eligible,
            groups,
            group_gaps,
            trusted_locations,
        }
    }

    fn user(&self, id: &str) -> Option<&'a Value> {
        self.by_id.get(key(id).as_ref()).copied()
    }

    /// Why a group's members are unknown.
    fn group_unknown(&self, g: &str) -> String {
        match (&self.groups, self.group_gaps.get(&lc(g))) {
            (_, Some(why)) => format!("members of group {g} are unknown: {why}"),
            (None, None) => format!(
                "members of group {g} are unknown: group members (graph.group_members) were not \
                 collected"
            ),
            (Some(_), None) => format!("members of group {g} were not collected"),
        }
    }

    fn group_members(&self, g: &str) -> Option<&BTreeSet<String>> {
        self.groups.as_ref()?.get(key(g).as_ref())
    }

    /// Whether principal `x` (lower-case id, `None` for "anyone not named") is in group `g`.
    fn in_group(&self, x: Option<&str>, g: &str, unknown: &mut BTreeSet<String>) -> Tri {
        match self.group_members(g) {
            None => {
                unknown.insert(self.group_unknown(g));
                Tri::Maybe
            }
            Some(m) => Tri::from(x.is_some_and(|x| m.contains(x))),
        }
    }

    /// Active membership of role `r` (a template id).
    fn active_in_role(&self, x: Option<&str>, r: &str, unknown: &mut BTreeSet<String>) -> Tri {
        let Some(roles) = &self.roles else {
            unknown.insert(format!(
                "holders of role {r} are unknown: directory roles were not collected"
            ));
            return Tri::Maybe;
        };
        // A role never activated is absent from /directoryRoles and has no members.
        let Some(role) = roles.get(key(r).as_ref()) else {
            return Tri::No;
        };
        let Some(members) = &role.members else {
            unknown.insert(format!(
                "holders of role {r} are unknown: the role was collected without its members"
            ));
            return Tri::Maybe;
        };
        Tri::any(members.iter().map(|(id, group)| {
            if Some(id.as_str()) == x {
                Tri::Yes
            } else if *group {
                self.in_group(x, id, unknown)
            } else {
                Tri::No
            }
        }))
    }

    /// Role membership as an include sees it and as an exclude sees it. An eligible holder
    /// (PIM) is excluded the moment they activate, so eligibility counts for exclusions; it does
    /// not count for inclusions, which protect only while the role is active. `forced`: the role
    /// the claim is about, which the evaluated holder has.
    fn in_role(
        &self,
        x: Option<&str>,
        r: &str,
        forced: Option<&str>,
        unknown: &mut BTreeSet<String>,
    ) -> (Tri, Tri) {
        if forced.is_some_and(|f| f.eq_ignore_ascii_case(r)) {
            return (Tri::Yes, Tri::Yes);
        }
        let active = self.active_in_role(x, r, unknown);
        let eligible = match &self.eligible {
            None => {
                unknown.insert(format!(
                    "eligible holders of role {r} are unknown: PIM eligibility schedules were not \
                     collected"
                ));
                Tri::Maybe
            }
            Some(e) => {
                Tri::from(x.is_some_and(|x| e.get(key(r).as_ref()).is_some_and(|s| s.contains(x))))
            }
        };
        (active, active.or(eligible))
    }
}

/// What a policy's users condition excludes, resolved against the directory.
pub(crate) struct Excluded {
    /// (lower-case principal id, through which list entry).
    pub(crate) principals: Vec<(String, String)>,
    /// Classes of users excluded as such (guests or external users).
    pub(crate) classes: Vec<String>,
    /// What could not be resolved, with why.
    pub(crate) unknowns: BTreeSet<String>,
}

impl Directory<'_> {
    /// A principal for people: UPN and id when the user was collected, else the id.
    pub(crate) fn label(&self, id: &str) -> String {
        match self
            .user(id)
            .and_then(|u| str_field(u, "userPrincipalName"))
        {
            Some(upn) => format!("{upn} ({id})"),
            None => id.to_string(),
        }
    }

    /// Everyone a users condition excludes: users by id, the transitive members of excluded
    /// groups, the active and eligible holders of excluded roles, and guest classes.
    pub(crate) fn excluded(&self, u: &PolicyUsers) -> Excluded {
        let mut out = Excluded {
            principals: vec![],
            classes: vec![],
            unknowns: BTreeSet::new(),
        };
        for x in &u.exclude_users {
            if x == "GuestsOrExternalUsers" {
                out.classes
                    .push("every guest or external user (GuestsOrExternalUsers)".into());
            } else {
                out.principals.push((lc(x), "excludeUsers".into()));
            }
        }
        if let Some(sel) = u
            .exclude_guests_or_external_users
            .as_ref()
            .filter(|v| !v.is_null())
        {
            out.classes.push(format!(
                "guests or external users of types {} (excludeGuestsOrExternalUsers)",
                str_field(sel, "guestOrExternalUserTypes").unwrap_or("(not stated)")
            ));
        }
        for g in &u.exclude_groups {
            match self.group_members(g) {
                Some(m) => out.principals.extend(
                    m.iter()
                        .map(|id| (id.clone(), format!("excludeGroups {g}"))),
                ),
                None => {
                    out.unknowns.insert(self.group_unknown(g));
                }
            }
        }
        for r in &u.exclude_roles {
            let via = format!("excludeRoles {r}");
            match self.roles.as_ref().map(|x| x.get(&lc(r))) {
                None => {
                    out.unknowns.insert(format!(
                        "holders of role {r} are unknown: directory roles were not collected"
                    ));
                }
                Some(None) => {}
                Some(Some(Role { members: None })) => {
                    out.unknowns.insert(format!(
                        "holders of role {r} are unknown: the role was collected without its \
                         members"
                    ));
                }
                Some(Some(Role { members: Some(ms) })) => {
                    for (id, group) in ms {
                        if !*group {
                            out.principals.push((id.clone(), via.clone()));
                        } else if let Some(m) = self.group_members(id) {
                            out.principals.extend(
                                m.iter()
                                    .map(|x| (x.clone(), format!("{via} through group {id}"))),
                            );
                        } else {
                            out.unknowns.insert(self.group_unknown(id));
                        }
                    }
                }
            }
            match &self.eligible {
                None => {
                    out.unknowns.insert(format!(
                        "eligible holders of role {r} are unknown: PIM eligibility schedules \
                         were not collected"
                    ));
                }
                Some(e) => out.principals.extend(
                    e.get(&lc(r))
                        .into_iter()
                        .flatten()
                        .map(|id| (id.clone(), format!("{via} (eligible)"))),
                ),
            }
        }
        out
    }
}

/// Whether a guest-or-external user type selection covers every type from every tenant.
fn all_guest_types(sel: &Value) -> bool {
    let types = str_field(sel, "guestOrExternalUserTypes").unwrap_or_default();
    let have: Vec<String> = types.split(',').map(|t| lc(t.trim())).collect();
    let all_types = GUEST_TYPES.iter().all(|t| have.contains(&lc(t)));
    let tenants_all = match sel.get("externalTenants") {
        None | Some(Value::Null) => true,
        Some(t) => str_field(t, "membershipKind").is_some_and(|k| k.eq_ignore_ascii_case("all")),
    };
    all_types && tenants_all
}

/// One principal the claim is evaluated for.
#[derive(Debug, Clone)]
pub(crate) struct Rep {
    /// Lower-case object id; `None` for "any other user, not named anywhere".
    id: Option<String>,
    pub(crate) label: String,
    /// Guest or external user.
    guest: Tri,
    /// Known to be in the claim's population (else a possible member: uncovered is unknown).
    certain: bool,
    /// The role the claim is about, held by this principal.
    forced_role: Option<String>,
}

/// Users dimension: whether policy `p` applies to `x`, and which exclusions hit them.
pub(crate) struct UserMatch {
    pub(crate) applies: Tri,
    pub(crate) included: Tri,
    pub(crate) excluded_by: Vec<String>,
}

fn user_match(
    dir: &Directory,
    u: Option<&PolicyUsers>,
    workload: bool,
    x: &Rep,
    unknown: &mut BTreeSet<String>,
) -> UserMatch {
    if workload {
        // clientApplications: the policy targets service principals, not users.
        return UserMatch {
            applies: Tri::No,
            included: Tri::No,
            excluded_by: vec![],
        };
    }
    let Some(u) = u else {
        unknown.insert("a policy has no users condition (required by Graph)".into());
        return UserMatch {
            applies: Tri::Maybe,
            included: Tri::Maybe,
            excluded_by: vec![],
        };
    };
    let id = x.id.as_deref();
    let forced = x.forced_role.as_deref();
    let typed = |sel: &Option<Value>| match sel {
        None | Some(Value::Null) => Tri::No,
        Some(_) if x.guest == Tri::No => Tri::No,
        Some(s) if all_guest_types(s) => x.guest,
        Some(_) => Tri::Maybe,
    };
    let mut inc = Tri::No;
    for v in &u.include_users {
        inc = inc.or(match v.as_str() {
            "All" => Tri::Yes,
            "None" => Tri::No,
            "GuestsOrExternalUsers" => x.guest,
            other => Tri::from(id.is_some_and(|i| i.eq_ignore_ascii_case(other))),
        });
    }
    for g in &u.include_groups {
        inc = inc.or(dir.in_group(id, g, unknown));
    }
    for r in &u.include_roles {
        inc = inc.or(dir.in_role(id, r, forced, unknown).0);
    }
    inc = inc.or(typed(&u.include_guests_or_external_users));

    let mut exc = Tri::No;
    let mut excluded_by = vec![];
    let mut hit = |t: Tri, what: &dyn Fn() -> String, exc: &mut Tri| {
        if t != Tri::No {
            excluded_by.push(if t == Tri::Maybe {
                format!("possibly {}", what())
            } else {
                what()
            });
        }
        *exc = exc.or(t);
    };
    for v in &u.exclude_users {
        let t = match v.as_str() {
            "GuestsOrExternalUsers" => x.guest,
            other => Tri::from(id.is_some_and(|i| i.eq_ignore_ascii_case(other))),
        };
        hit(t, &|| format!("excludeUsers {v}"), &mut exc);
    }
    for g in &u.exclude_groups {
        let t = dir.in_group(id, g, unknown);
        hit(t, &|| format!("excludeGroups {g}"), &mut exc);
    }
    for r in &u.exclude_roles {
        let t = dir.in_role(id, r, forced, unknown).1;
        hit(t, &|| format!("excludeRoles {r}"), &mut exc);
    }
    let t = typed(&u.exclude_guests_or_external_users);
    hit(t, &|| "excludeGuestsOrExternalUsers".to_string(), &mut exc);
    UserMatch {
        applies: inc.and(exc.not()),
        included: inc,
        excluded_by,
    }
}

/// Whether policy `p` applies to user `id` (users condition only), with the exclusions that hit
/// them and what is unknown. For break-glass checks.
pub(crate) fn applies_to_user(
    dir: &Directory,
    p: &ConditionalAccessPolicy,
    id: &str,
    guest: Tri,
) -> (UserMatch, BTreeSet<String>) {
    let mut unknown = BTreeSet::new();
    let rep = Rep {
        id: Some(lc(id)),
        label: id.to_string(),
        guest,
        certain: true,
        forced_role: None,
    };
    let workload = workload(p);
    let m = user_match(dir, p.users(), workload, &rep, &mut unknown);
    (m, unknown)
}

fn workload(p: &ConditionalAccessPolicy) -> bool {
    p.conditions
        .as_ref()
        .and_then(|c| c.client_applications.as_ref())
        .is_some_and(|v| !v.is_null())
}

/// Guest classification of a collected user: `userType` Guest, or a B2B member (`#EXT#` in the
/// UPN); unknown when `userType` is absent.
pub(crate) fn guest_of(u: &Value) -> Tri {
    let ext = str_field(u, "userPrincipalName").is_some_and(|n| n.contains("#EXT#"));
    match str_field(u, "userType") {
        Some(t) if t.eq_ignore_ascii_case("Guest") => Tri::Yes,
        Some(_) if ext => Tri::Yes,
        Some(_) => Tri::No,
        None => Tri::Maybe,
    }
}

/// Who the claim is about.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Population {
    /// Every user of the tenant.
    AllUsers,
    /// Every holder (active or PIM-eligible) of a directory role (template id, name).
    RoleHolders(&'static str, &'static str),
}

/// What a policy's grant must do for the claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Grant {
    /// Require MFA (or block: a blocked sign-in never gets in without MFA).
    Mfa,
    /// Block access.
    Block,
    /// Require a password change (which Entra pairs with MFA) or block.
    PasswordChange,
}

/// A claim: who, on which sign-ins, must meet which grant.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Claim {
    pub(crate) population: Population,
    pub(crate) client_apps: &'static [&'static str],
    pub(crate) sign_in_risk: &'static [&'static str],
    pub(crate) user_risk: &'static [&'static str],
    pub(crate) grant: Grant,
}

/// How one policy was judged for a claim.
#[derive(Debug, Clone)]
pub(crate) struct PolicyJudgement<'p> {
    pub(crate) policy: &'p ConditionalAccessPolicy,
    /// `Ok` when it takes part in coverage (enforced, right grant, readable conditions).
    pub(crate) credited: Result<(), String>,
}

impl PolicyJudgement<'_> {
    pub(crate) fn observed(&self) -> Value {
        json!({
            "id": self.policy.id,
            "displayName": self.policy.display_name,
            "state": self.policy.state,
            "credited": self.credited.is_ok(),
            "why_not": self.credited.as_ref().err(),
        })
    }
}

/// A principal the claim is about who is not (or not known to be) covered.
#[derive(Debug, Clone)]
pub(crate) struct Hole {
    pub(crate) label: String,
    pub(crate) id: Option<String>,
    pub(crate) why: String,
}

impl Hole {
    pub(crate) fn observed(&self) -> Value {
        json!({"principal": self.label, "id": self.id, "why": self.why})
    }
    pub(crate) fn describe(&self) -> String {
        format!("{} ({})", self.label, self.why)
    }
}

/// The outcome of a claim.
pub(crate) struct Coverage<'p> {
    pub(crate) policies: Vec<PolicyJudgement<'p>>,
    /// Principals surely not covered.
    pub(crate) uncovered: Vec<Hole>,
    /// Principals not known to be covered.
    pub(crate) unknown: Vec<Hole>,
    /// Break-glass accounts not covered (the allowed gap).
    pub(crate) break_glass: Vec<Hole>,
    /// What could not be resolved, with why.
    pub(crate) unknowns: BTreeSet<String>,
}

impl Coverage<'_> {
    pub(crate) fn credited_names(&self) -> Vec<String> {
        self.policies
            .iter()
            .filter(|j| j.credited.is_ok())
            .map(|j| name(j.policy).to_string())
            .collect()
    }
}

pub(crate) fn name(p: &ConditionalAccessPolicy) -> &str {
    p.display_name.as_deref().unwrap_or(&p.id)
}

/// Whether the policy is enforced; why not otherwise.
pub(crate) fn enforced(p: &ConditionalAccessPolicy) -> Result<(), String> {
    match p.state.as_deref() {
        _ if p.is_enforced() => Ok(()),
        Some("enabledForReportingButNotEnforced") => Err("report-only, not enforced".into()),
        Some(s) => Err(format!("state is {s}")),
        None => Err("state is not present".into()),
    }
}

/// Whether the grant controls require MFA on every path through them. `AND` needs every
/// control, so one MFA control is enough; `OR` (or no operator with several controls) lets any
/// one control stand in, so every alternative must be MFA.
pub(crate) fn requires_mfa(p: &ConditionalAccessPolicy) -> Result<(), String> {
    let Some(g) = &p.grant_controls else {
        return Err("has no grant controls".into());
    };
    let strength = g
        .authentication_strength
        .as_ref()
        .filter(|v| !v.is_null())
        .map(|s| {
            let by_claim = str_field(s, "requirementsSatisfied");
            let id = str_field(s, "id").unwrap_or_default();
            match by_claim {
                Some(r) => r.eq_ignore_ascii_case("mfa"),
                None => BUILT_IN_MFA_STRENGTHS
                    .iter()
                    .any(|b| b.eq_ignore_ascii_case(id)),
            }
        });
    // Every alternative a user could satisfy, and whether it is MFA.
    let mut alternatives: Vec<(String, bool)> = g
        .built_in_controls
        .iter()
        .map(|c| (c.clone(), c.eq_ignore_ascii_case("mfa")))
        .collect();
    if let Some(s) = strength {
        alternatives.push(("authenticationStrength".into(), s));
    }
    for c in &g.custom_authentication_factors {
        alternatives.push((format!("custom control {c}"), false));
    }
    for t in &g.terms_of_use {
        alternatives.push((format!("terms of use {t}"), false));
    }
    if !alternatives.iter().any(|(_, m)| *m) {
        let why = if strength == Some(false) {
            " (its authentication strength does not satisfy MFA)"
        } else {
            ""
        };
        return Err(format!(
            "does not require MFA (grant controls: {:?}){why}",
            g.built_in_controls
        ));
    }
    let and = g
        .operator
        .as_deref()
        .is_some_and(|o| o.eq_ignore_ascii_case("AND"));
    if and || alternatives.len() == 1 {
        return Ok(());
    }
    let weaker: Vec<&str> = alternatives
        .iter()
        .filter(|(_, m)| !m)
        .map(|(c, _)| c.as_str())
        .collect();
    if weaker.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "MFA can be replaced by another control (operator {}, alternatives {weaker:?})",
            g.operator.as_deref().unwrap_or("absent")
        ))
    }
}

fn grant_ok(p: &ConditionalAccessPolicy, grant: Grant) -> Result<(), String> {
    if p.grants("block") {
        return Ok(());
    }
    match grant {
        Grant::Block => Err(format!(
            "does not block access (grant controls: {:?})",
            p.grant_controls
                .as_ref()
                .map(|g| g.built_in_controls.clone())
                .unwrap_or_default()
        )),
        Grant::Mfa => requires_mfa(p),
        Grant::PasswordChange => {
            let g = p.grant_controls.as_ref();
            let and = g
                .and_then(|g| g.operator.as_deref())
                .is_some_and(|o| o.eq_ignore_ascii_case("AND"));
            let n = g.map_or(0, |g| g.built_in_controls.len() + g.terms_of_use.len());
            if p.grants("passwordChange") && (and || n == 1) {
                Ok(())
            } else if p.grants("passwordChange") {
                Err("a password change can be replaced by another control (operator OR)".into())
            } else {
                Err("neither blocks nor requires a password change".into())
            }
        }
    }
}

/// Conditions the model does not enumerate: a policy with one is not credited.
fn unmodelled(p: &ConditionalAccessPolicy) -> Option<String> {
    let c = p.conditions.as_ref()?;
    let set = |v: &Option<Value>| {
        v.as_ref().is_some_and(|v| match v {
            Value::Null => false,
            Value::Object(m) => m.values().any(|x| !x.is_null()),
            Value::Array(a) => !a.is_empty(),
            Value::String(s) => !s.is_empty() && s != "none",
            _ => true,
        })
    };
    let mut why = vec![];
    if set(&c.devices) {
        why.push("a device filter (devices)".to_string());
    }
    if set(&c.authentication_flows) {
        why.push("authentication flows".to_string());
    }
    if set(&c.client_applications) {
        why.push("workload identities (clientApplications)".to_string());
    }
    if c.service_principal_risk_levels
        .as_ref()
        .is_some_and(|l| !l.is_empty())
    {
        why.push("service principal risk levels".to_string());
    }
    if set(&c.insider_risk_levels) {
        why.push("insider risk levels".to_string());
    }
    if let Some(a) = &c.applications
        && set(&a.application_filter)
    {
        why.push("an application filter".to_string());
    }
    let unknown_keys = |m: &BTreeMap<String, Value>| -> Vec<String> {
        m.iter()
            .filter(|(k, v)| !k.starts_with('@') && set(&Some((*v).clone())))
            .map(|(k, _)| k.clone())
            .collect()
    };
    let mut keys = unknown_keys(&c.other);
    if let Some(u) = &c.users {
        keys.extend(
            unknown_keys(&u.other)
                .into_iter()
                .map(|k| format!("users.{k}")),
        );
    }
    if let Some(a) = &c.applications {
        keys.extend(
            unknown_keys(&a.other)
                .into_iter()
                .map(|k| format!("applications.{k}")),
        );
    }
    if !keys.is_empty() {
        why.push(format!(
            "conditions this tool does not know ({})",
            keys.join(", ")
        ));
    }
    (!why.is_empty()).then(|| format!("narrowed by {} (not credited)", why.join(", ")))
}

/// One non-user condition kind: the atoms of the claim's box and how each policy matches them.
struct Kind {
    label: &'static str,
    atoms: Vec<String>,
    /// Per atom, per credited policy.
    matches: Vec<Vec<Tri>>,
}

fn list_match(list: &[String], atom: &str) -> bool {
    list.iter().any(|x| x.eq_ignore_ascii_case(atom))
}

fn client_app_match(
    p: &ConditionalAccessPolicy,
    atom: &str,
    unknown: &mut BTreeSet<String>,
) -> Tri {
    let types = p
        .conditions
        .as_ref()
        .and_then(|c| c.client_app_types.as_ref());
    match types {
        None => {
            unknown.insert(format!(
                "{}: clientAppTypes not present (required by Graph)",
                name(p)
            ));
            Tri::Maybe
        }
        Some(t) if t.is_empty() => {
            unknown.insert(format!("{}: clientAppTypes is empty", name(p)));
            Tri::Maybe
        }
        Some(t) if list_match(t, "all") || list_match(t, atom) => Tri::Yes,
        // easSupported: Exchange ActiveSync on supported platforms only.
        Some(t) if atom == "exchangeActiveSync" && list_match(t, "easSupported") => Tri::Maybe,
        Some(_) => Tri::No,
    }
}

fn platform_match(p: &ConditionalAccessPolicy, atom: &str) -> Tri {
    let Some(pl) = p.conditions.as_ref().and_then(|c| c.platforms.as_ref()) else {
        return Tri::Yes;
    };
    let inc = list_match(&pl.include_platforms, "all") || list_match(&pl.include_platforms, atom);
    let exc = list_match(&pl.exclude_platforms, "all") || list_match(&pl.exclude_platforms, atom);
    Tri::from(inc && !exc)
}

fn risk_match(
    levels: Option<&Vec<String>>,
    atom: &str,
    what: &str,
    p: &ConditionalAccessPolicy,
    unknown: &mut BTreeSet<String>,
) -> Tri {
    match levels {
        None => {
            unknown.insert(format!(
                "{}: {what} not present (required by Graph)",
                name(p)
            ));
            Tri::Maybe
        }
        Some(l) if l.is_empty() => Tri::Yes,
        Some(l) => Tri::from(list_match(l, atom)),
    }
}

/// Application atoms: every app id a credited policy names, an app in the Office 365 suite and
/// a Microsoft admin portal not named anywhere, and any other app.
fn app_match(p: &ConditionalAccessPolicy, atom: &str, unknown: &mut BTreeSet<String>) -> Tri {
    let Some(a) = p.conditions.as_ref().and_then(|c| c.applications.as_ref()) else {
        unknown.insert(format!(
            "{}: applications not present (required by Graph)",
            name(p)
        ));
        return Tri::Maybe;
    };
    let one = |x: &str| -> Tri {
        match (x, atom) {
            ("All", _) => Tri::Yes,
            ("None", _) => Tri::No,
            ("Office365", "(an Office 365 app)") => Tri::Yes,
            ("MicrosoftAdminPortals", "(a Microsoft admin portal)") => Tri::Yes,
            ("Office365", "(any other app)") | ("MicrosoftAdminPortals", "(any other app)") => {
                Tri::No
            }
            ("Office365", "(a Microsoft admin portal)")
            | ("MicrosoftAdminPortals", "(an Office 365 app)") => Tri::Maybe,
            // A named app may belong to either suite: Microsoft's list is not collected.
            ("Office365" | "MicrosoftAdminPortals", _) => Tri::Maybe,
            (id, atom) => Tri::from(id.eq_ignore_ascii_case(atom)),
        }
    };
    let inc = Tri::any(a.include_applications.iter().map(|x| one(x)));
    let exc = Tri::any(a.exclude_applications.iter().map(|x| one(x)));
    inc.and(exc.not())
}

fn location_match(p: &ConditionalAccessPolicy, point: &(BTreeSet<String>, bool)) -> Tri {
    let Some(l) = p.conditions.as_ref().and_then(|c| c.locations.as_ref()) else {
        return Tri::Yes;
    };
    let (inside, trusted) = point;
    let m = |x: &str| match x {
        "All" => true,
        "AllTrusted" => *trusted,
        id => inside.contains(&lc(id)),
    };
    let inc = l.include_locations.iter().any(|x| m(x));
    let exc = l.exclude_locations.iter().any(|x| m(x));
    Tri::from(inc && !exc)
}

/// Evaluates a claim over the policies. `break_glass`: lower-case ids of the configured
/// break-glass accounts; `bg_unresolved`: configured UPNs that could not be resolved (then an
/// uncovered named principal might be one, so it is unknown rather than a failure).
pub(crate) fn evaluate<'p>(
    policies: &'p [ConditionalAccessPolicy],
    dir: &Directory,
    claim: &Claim,
    break_glass: &BTreeSet<String>,
    bg_unresolved: bool,
) -> Coverage<'p> {
    let mut unknowns = BTreeSet::new();
    let mut judged: Vec<PolicyJudgement> = policies
        .iter()
        .map(|p| PolicyJudgement {
            policy: p,
            credited: enforced(p)
                .and_then(|()| grant_ok(p, claim.grant))
                .and_then(|()| unmodelled(p).map_or(Ok(()), Err)),
        })
        .collect();
    judged.sort_by(|a, b| a.policy.id.cmp(&b.policy.id));
    // Locations the policies name. Their overlaps are enumerated (a sign-in address can be in
    // several named locations at once); beyond a bound, a policy limited by location is not
    // credited rather than judged on a partial enumeration.
    let named_locations = |p: &ConditionalAccessPolicy| -> Vec<String> {
        p.conditions
            .as_ref()
            .and_then(|c| c.locations.as_ref())
            .map(|l| {
                l.include_locations
                    .iter()
                    .chain(&l.exclude_locations)
                    .filter(|x| !["All", "AllTrusted"].contains(&x.as_str()))
                    .map(|x| lc(x))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut locations: BTreeSet<String> = BTreeSet::new();
    for j in judged.iter().filter(|j| j.credited.is_ok()) {
        locations.extend(named_locations(j.policy));
    }
    if locations.len() > MAX_LOCATIONS {
        for j in judged.iter_mut().filter(|j| j.credited.is_ok()) {
            let trivial = j
                .policy
                .conditions
                .as_ref()
                .and_then(|c| c.locations.as_ref())
                .is_none_or(|l| {
                    l.include_locations.iter().all(|x| x == "All")
                        && !l.include_locations.is_empty()
                        && l.exclude_locations.is_empty()
                });
            if !trivial {
                j.credited = Err(format!(
                    "limited by location while the policies name {} locations, more than the \
                     {MAX_LOCATIONS} whose overlaps are enumerated (not credited)",
                    locations.len()
                ));
            }
        }
        locations.clear();
    }
    let credited: Vec<&ConditionalAccessPolicy> = judged
        .iter()
        .filter(|j| j.credited.is_ok())
        .map(|j| j.policy)
        .collect();

    // Non-user condition kinds.
    let mut apps: BTreeSet<String> = BTreeSet::new();
    for p in &credited {
        if let Some(a) = p.conditions.as_ref().and_then(|c| c.applications.as_ref()) {
            for x in a.include_applications.iter().chain(&a.exclude_applications) {
                if !["All", "None", "Office365", "MicrosoftAdminPortals"].contains(&x.as_str()) {
                    apps.insert(lc(x));
                }
            }
        }
    }
    let mut app_atoms: Vec<String> = apps.into_iter().collect();
    app_atoms.extend(
        [
            "(an Office 365 app)",
            "(a Microsoft admin portal)",
            "(any other app)",
        ]
        .map(String::from),
    );
    let loc_list: Vec<String> = locations.into_iter().collect();
    let mut points: Vec<(BTreeSet<String>, bool)> = vec![];
    for mask in 0u32..(1 << loc_list.len()) {
        let inside: BTreeSet<String> = loc_list
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, l)| l.clone())
            .collect();
        let forced_trust = inside.iter().any(|l| {
            l == MFA_TRUSTED_IPS
                || dir
                    .trusted_locations
                    .as_ref()
                    .is_some_and(|t| t.contains(l))
        });
        points.push((inside.clone(), true));
        if !forced_trust {
            points.push((inside, false));
        }
    }
    let point_label = |(inside, trusted): &(BTreeSet<String>, bool)| {
        let t = if *trusted {
            "a trusted"
        } else {
            "an untrusted"
        };
        if inside.is_empty() {
            format!("{t} address outside every named location")
        } else {
            format!(
                "{t} address inside {}",
                inside.iter().cloned().collect::<Vec<_>>().join(" and ")
            )
        }
    };

    let mut kinds: Vec<Kind> = vec![];
    let mut push = |label: &'static str,
                    atoms: Vec<String>,
                    f: &mut dyn FnMut(&ConditionalAccessPolicy, usize) -> Tri| {
        let matches = (0..atoms.len())
            .map(|i| credited.iter().map(|p| f(p, i)).collect())
            .collect();
        kinds.push(Kind {
            label,
            atoms,
            matches,
        });
    };
    {
        let atoms = app_atoms.clone();
        push("cloud app", app_atoms.clone(), &mut |p, i| {
            app_match(p, &atoms[i], &mut unknowns)
        });
    }
    let client: Vec<String> = claim.client_apps.iter().map(|s| s.to_string()).collect();
    {
        let atoms = client.clone();
        push("client app", client, &mut |p, i| {
            client_app_match(p, &atoms[i], &mut unknowns)
        });
    }
    let plats: Vec<String> = PLATFORMS.iter().map(|s| s.to_string()).collect();
    {
        let atoms = plats.clone();
        push("platform", plats, &mut |p, i| platform_match(p, &atoms[i]));
    }
    {
        let labels: Vec<String> = points.iter().map(point_label).collect();
        let pts = points.clone();
        push("location", labels, &mut |p, i| location_match(p, &pts[i]));
    }
    let srisk: Vec<String> = claim.sign_in_risk.iter().map(|s| s.to_string()).collect();
    {
        let atoms = srisk.clone();
        push("sign-in risk", srisk, &mut |p, i| {
            let l = p
                .conditions
                .as_ref()
                .and_then(|c| c.sign_in_risk_levels.as_ref());
            risk_match(l, &atoms[i], "signInRiskLevels", p, &mut unknowns)
        });
    }
    let urisk: Vec<String> = claim.user_risk.iter().map(|s| s.to_string()).collect();
    {
        let atoms = urisk.clone();
        push("user risk", urisk, &mut |p, i| {
            let l = p
                .conditions
                .as_ref()
                .and_then(|c| c.user_risk_levels.as_ref());
            risk_match(l, &atoms[i], "userRiskLevels", p, &mut unknowns)
        });
    }
    // Only what can decide coverage is reported as unknown: recomputed per point below.
    let condition_unknowns = std::mem::take(&mut unknowns);

    // Classes per kind: atoms with the same signature.
    let classes: Vec<Vec<(Vec<Tri>, String)>> = kinds
        .iter()
        .map(|k| {
            let mut seen: BTreeMap<Vec<Tri>, String> = BTreeMap::new();
            for (i, m) in k.matches.iter().enumerate() {
                seen.entry(m.clone())
                    .or_insert_with(|| format!("{} {}", k.label, k.atoms[i]));
            }
            seen.into_iter().collect()
        })
        .collect();

    // The population.
    let reps = population(dir, policies, claim.population);

    let mut memo: BTreeMap<Vec<Tri>, Outcome> = BTreeMap::new();
    let mut uncovered = vec![];
    let mut unknown = vec![];
    let mut bg_holes = vec![];
    for rep in &reps {
        let mut rep_unknown = BTreeSet::new();
        let ums: Vec<UserMatch> = credited
            .iter()
            .map(|p| user_match(dir, p.users(), workload(p), rep, &mut rep_unknown))
            .collect();
        let sig: Vec<Tri> = ums.iter().map(|m| m.applies).collect();
        let out = memo
            .entry(sig.clone())
            .or_insert_with(|| cover(&sig, &classes))
            .clone();
        let w = match &out {
            Outcome::Covered => continue,
            Outcome::Open(w) | Outcome::Unsure(w) => w,
        };
        // Why: the exclusions that hit them, and a sign-in nothing covers.
        let mut why: Vec<String> = credited
            .iter()
            .zip(&ums)
            .filter(|(_, m)| m.included != Tri::No && !m.excluded_by.is_empty())
            .map(|(p, m)| {
                format!(
                    "excluded from '{}' by {}",
                    name(p),
                    m.excluded_by.join(", ")
                )
            })
            .collect();
        if ums.iter().all(|m| m.applies == Tri::No) {
            if why.is_empty() {
                why.push("no credited policy includes them".to_string());
            }
        } else if w.is_empty() {
            why.push("membership is unknown".to_string());
        } else {
            why.push(format!("not covered for {w}"));
        }
        let why = why.join("; ");
        let hole = Hole {
            label: rep.label.clone(),
            id: rep.id.clone(),
            why,
        };
        if rep.id.as_ref().is_some_and(|i| break_glass.contains(i)) {
            bg_holes.push(hole);
            continue;
        }
        let sure =
            matches!(out, Outcome::Open(_)) && rep.certain && !(bg_unresolved && rep.id.is_some());
        if sure {
            uncovered.push(hole);
        } else {
            unknowns.extend(rep_unknown);
            if matches!(out, Outcome::Unsure(_)) {
                unknowns.extend(condition_unknowns.iter().cloned());
            }
            if !rep.certain && rep.label.starts_with("any external user without") {
                unknowns.insert(
                    "external users who have no user object in this tenant (B2B direct \
                     connect, service providers) would not be covered, if any sign in"
                        .into(),
                );
            } else if !rep.certain {
                unknowns.insert(match claim.population {
                    Population::AllUsers => {
                        "users were not collected: users no policy names may be uncovered".into()
                    }
                    Population::RoleHolders(_, n) => format!(
                        "who holds {n} is not fully known (directory roles, their members or PIM \
                         eligibilities not collected), and {} would not be covered if they did",
                        rep.label
                    ),
                });
            }
            if bg_unresolved && rep.id.is_some() {
                unknowns.insert(
                    "a configured break-glass UPN could not be resolved (users not collected)"
                        .into(),
                );
            }
            unknown.push(hole);
        }
    }
    Coverage {
        policies: judged,
        uncovered,
        unknown,
        break_glass: bg_holes,
        unknowns,
    }
}

#[derive(Debug, Clone)]
enum Outcome {
    Covered,
    /// Surely open, with a witness (the condition classes of one open point).
    Open(String),
    /// Not known to be covered, with a witness.
    Unsure(String),
}

/// Open points found from a condition kind on, by (kind, policies still possible): `None`
/// covered, else (surely open, the kinds' classes that narrowed, from that kind on).
type Memo = BTreeMap<(usize, Vec<Tri>), Option<(bool, Vec<String>)>>;

/// Whether every point of the claim's box is covered for a principal whose per-policy users
/// match is `sig`: kind by kind, the policies that can still apply are narrowed by each class;
/// a point where none is left is open, one where only unknowns are left is unsure.
fn cover(sig: &[Tri], classes: &[Vec<(Vec<Tri>, String)>]) -> Outcome {
    fn go(
        k: usize,
        state: Vec<Tri>,
        classes: &[Vec<(Vec<Tri>, String)>],
        memo: &mut Memo,
    ) -> Option<(bool, Vec<String>)> {
        if !state.iter().any(|t| *t != Tri::No) {
            return Some((true, vec![]));
        }
        if k == classes.len() {
            return (!state.contains(&Tri::Yes)).then(|| (false, vec![]));
        }
        if let Some(r) = memo.get(&(k, state.clone())) {
            return r.clone();
        }
        let mut worst: Option<(bool, Vec<String>)> = None;
        for (m, label) in &classes[k] {
            let next: Vec<Tri> = state.iter().zip(m).map(|(a, b)| a.and(*b)).collect();
            // The witness names only the kinds that narrowed something.
            let narrowed = next != state;
            let Some((sure, mut w)) = go(k + 1, next, classes, memo) else {
                continue;
            };
            if narrowed {
                w.insert(0, label.clone());
            }
            if worst.is_none() || sure {
                worst = Some((sure, w));
            }
            if sure {
                break;
            }
        }
        memo.insert((k, state), worst.clone());
        worst
    }
    let mut memo = BTreeMap::new();
    match go(0, sig.to_vec(), classes, &mut memo) {
        None => Outcome::Covered,
        Some((true, w)) => Outcome::Open(w.join(", ")),
        Some((false, w)) => Outcome::Unsure(w.join(", ")),
    }
}

/// Every id a policy names in its users condition, and the members of the groups and roles it
/// names (as far as known).
fn named_ids(dir: &Directory, policies: &[ConditionalAccessPolicy]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for u in policies.iter().filter_map(|p| p.users()) {
        for x in u.include_users.iter().chain(&u.exclude_users) {
            if !["All", "None", "GuestsOrExternalUsers"].contains(&x.as_str()) {
                out.insert(lc(x));
            }
        }
        for g in u.include_groups.iter().chain(&u.exclude_groups) {
            if let Some(m) = dir.group_members(g) {
                out.extend(m.iter().cloned());
            }
        }
        for r in u.include_roles.iter().chain(&u.exclude_roles) {
            if let Some(Some(ms)) = dir
                .roles
                .as_ref()
                .and_then(|x| x.get(&lc(r)))
                .map(|r| &r.members)
            {
                for (id, group) in ms {
                    if *group {
                        if let Some(m) = dir.group_members(id) {
                            out.extend(m.iter().cloned());
                        }
                    } else {
                        out.insert(id.clone());
                    }
                }
            }
            if let Some(e) = dir.eligible.as_ref().and_then(|e| e.get(&lc(r))) {
                out.extend(e.iter().cloned());
            }
        }
    }
    out
}

fn user_rep(dir: &Directory, id: &str, certain: bool, forced: Option<&str>) -> Rep {
    let u = dir.user(id);
    let upn = u.and_then(|u| str_field(u, "userPrincipalName"));
    Rep {
        id: Some(lc(id)),
        label: upn.map_or_else(|| id.to_string(), |n| format!("{n} ({id})")),
        guest: u.map_or(Tri::Maybe, guest_of),
        certain,
        forced_role: forced.map(String::from),
    }
}

fn generics(certain: bool, forced: Option<(&str, &str)>) -> Vec<Rep> {
    [
        ("any other member user", Tri::No),
        ("any other guest or external user", Tri::Yes),
    ]
    .into_iter()
    .map(|(label, guest)| Rep {
        id: None,
        label: match forced {
            Some((_, n)) => format!("{label} given {n}"),
            None => label.into(),
        },
        guest,
        certain,
        forced_role: forced.map(|(r, _)| r.to_string()),
    })
    .collect()
}

/// Every user of the tenant (collected), or what can stand for them (named ids and "anyone
/// else", not known to exist).
fn all_users(
    dir: &Directory,
    policies: &[ConditionalAccessPolicy],
    certain: bool,
    forced: Option<(&str, &str)>,
) -> Vec<Rep> {
    let role = forced.map(|(r, _)| r);
    match dir.users {
        // An empty list is not taken as "nobody to protect".
        Some(users) if !users.is_empty() => {
            let mut reps: Vec<Rep> = users
                .iter()
                .filter_map(|u| str_field(u, "id"))
                .map(|id| user_rep(dir, id, certain, role))
                .collect();
            // External users who sign in without a user object here (B2B direct connect,
            // service providers) are users too; that any do is not known.
            reps.push(Rep {
                id: None,
                label: "any external user without a user object in this tenant".into(),
                guest: Tri::Yes,
                certain: false,
                forced_role: role.map(String::from),
            });
            reps
        }
        _ => {
            let mut reps: Vec<Rep> = named_ids(dir, policies)
                .iter()
                .map(|id| user_rep(dir, id, certain, role))
                .collect();
            reps.extend(generics(false, forced));
            reps
        }
    }
}

fn population(dir: &Directory, policies: &[ConditionalAccessPolicy], pop: Population) -> Vec<Rep> {
    match pop {
        Population::AllUsers => all_users(dir, policies, true, None),
        Population::RoleHolders(role, role_name) => {
            let mut known: BTreeSet<String> = BTreeSet::new();
            let mut complete = true;
            match dir.roles.as_ref().map(|r| r.get(&lc(role))) {
                None => complete = false,
                Some(None) => {}
                Some(Some(Role { members: None })) => complete = false,
                Some(Some(Role { members: Some(ms) })) => {
                    for (id, group) in ms {
                        if *group {
                            match dir.group_members(id) {
                                Some(m) => known.extend(m.iter().cloned()),
                                None => complete = false,
                            }
                        } else {
                            known.insert(id.clone());
                        }
                    }
                }
            }
            match &dir.eligible {
                None => complete = false,
                Some(e) => {
                    for p in e.get(&lc(role)).into_iter().flatten() {
                        // A principal that is not a collected user may be a group made
                        // eligible (PIM for groups): its members hold the role once active.
                        let is_user = dir.users.is_none() || dir.user(p).is_some();
                        match dir.group_members(p) {
                            Some(m) if !is_user => known.extend(m.iter().cloned()),
                            None if !is_user => complete = false,
                            _ => {
                                known.insert(p.clone());
                            }
                        }
                    }
                }
            }
            let mut reps: Vec<Rep> = known
                .iter()
                .map(|id| user_rep(dir, id, true, Some(role)))
                .collect();
            // Whoever is given the role next must be covered too: a claim about a role is
            // never met by listing today's holders (nor vacuously by a role nobody holds).
            reps.extend(generics(true, Some((role, role_name))));
            if !complete {
                // Anyone else may hold the role: evaluate them as holders, unknown if open.
                reps.extend(
                    all_users(dir, policies, false, Some((role, role_name)))
                        .into_iter()
                        .filter(|r| r.id.as_ref().is_some_and(|i| !known.contains(i))),
                );
            }
            reps
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(v: Value) -> ConditionalAccessPolicy {
        serde_json::from_value(v).unwrap()
    }

    /// An enforced policy requiring MFA for all users, all apps, every client and condition.
    fn base(edit: impl FnOnce(&mut Value)) -> ConditionalAccessPolicy {
        let mut v = json!({
            "id": "p-1",
            "displayName": "MFA everyone",
            "state": "enabled",
            "conditions": {
                "users": {"includeUsers": ["All"], "excludeUsers": [], "includeGroups": [],
                          "excludeGroups": [], "includeRoles": [], "excludeRoles": []},
                "applications": {"includeApplications": ["All"], "excludeApplications": []},
                "clientAppTypes": ["all"],
                "signInRiskLevels": [],
                "userRiskLevels": [],
                "platforms": null,
                "locations": null
            },
            "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}
        });
        edit(&mut v);
        policy(v)
    }

    use super::tests_support::*;

    fn run<'p>(idn: &Identity, ps: &'p [ConditionalAccessPolicy], claim: &Claim) -> Coverage<'p> {
        let dir = Directory::new(idn, BTreeMap::new(), Utc::now());
        let bg = BTreeSet::from([BG.to_string()]);
        evaluate(ps, &dir, claim, &bg, false)
    }

    fn labels(h: &[Hole]) -> Vec<String> {
        h.iter().map(|h| h.label.clone()).collect()
    }

    #[test]
    fn all_users_with_only_break_glass_excluded_is_covered() {
        let ps = [base(|v| {
            v["conditions"]["users"]["excludeUsers"] = json!([BG])
        })];
        let c = run(&tenant(), &ps, &MFA_ALL);
        assert!(
            c.uncovered.is_empty() && c.unknown.is_empty(),
            "{:?}",
            c.uncovered
        );
        assert_eq!(
            labels(&c.break_glass),
            ["bg@contoso.example (b0000000-0000-0000-0000-00000000000b)"]
        );
        assert!(run(&tenant(), &ps, &MFA_GA).uncovered.is_empty());
    }

    #[test]
    fn users_excluded_user_is_named() {
        let ps = [base(|v| {
            v["conditions"]["users"]["excludeUsers"] = json!([BG, ALICE])
        })];
        let c = run(&tenant(), &ps, &MFA_ALL);
        assert_eq!(c.uncovered.len(), 1);
        assert!(
            c.uncovered[0].label.starts_with("alice@"),
            "{:?}",
            c.uncovered
        );
        assert!(
            c.uncovered[0].why.contains("excludeUsers"),
            "{}",
            c.uncovered[0].why
        );
        // Alice is a Global Administrator: the admin claim fails on her too.
        let c = run(&tenant(), &ps, &MFA_GA);
        assert_eq!(labels(&c.uncovered).len(), 1);
    }

    #[test]
    fn users_excluded_group_containing_everyone_uncovers_everyone() {
        let ps = [base(|v| {
            v["conditions"]["users"]["excludeGroups"] = json!([GROUP])
        })];
        let c = run(&tenant(), &ps, &MFA_ALL);
        assert_eq!(
            c.uncovered.len(),
            3,
            "everyone but break-glass: {:?}",
            labels(&c.uncovered)
        );
        assert!(c.uncovered.iter().all(|h| h.why.contains("excludeGroups")));
        let c = run(&tenant(), &ps, &MFA_GA);
        assert_eq!(labels(&c.uncovered).len(), 1, "Alice");
    }

    #[test]
    fn users_excluded_group_not_collected_is_unknown_never_covered() {
        let ps = [base(|v| {
            v["conditions"]["users"]["excludeGroups"] = json!([GROUP])
        })];
        let mut idn = tenant();
        idn.group_members = Some(BTreeMap::new());
        let dir = Directory::new(
            &idn,
            BTreeMap::from([(
                GROUP.to_string(),
                "HTTP 403 Authorization_RequestDenied".into(),
            )]),
            Utc::now(),
        );
        let c = evaluate(&ps, &dir, &MFA_ALL, &BTreeSet::new(), false);
        assert!(c.uncovered.is_empty());
        // Every user, and external users without a user object.
        assert_eq!(c.unknown.len(), 5);
        assert!(
            c.unknowns
                .iter()
                .any(|u| u.contains("HTTP 403") && u.contains(GROUP)),
            "{:?}",
            c.unknowns
        );
        // Group members not collected at all.
        idn.group_members = None;
        let c = run(&idn, &ps, &MFA_ALL);
        assert!(c.uncovered.is_empty() && !c.unknown.is_empty());
    }

    #[test]
    fn users_excluded_role_uncovers_its_holders() {
        let ps = [base(|v| {
            v["conditions"]["users"]["excludeRoles"] = json!([GLOBAL_ADMIN])
        })];
        let c = run(&tenant(), &ps, &MFA_GA);
        // Alice (the other holder is break-glass), and whoever is given the role next.
        assert_eq!(
            labels(&c.uncovered),
            [
                "alice@contoso.example (a0000000-0000-0000-0000-000000000001)",
                "any other member user given Global Administrator",
                "any other guest or external user given Global Administrator",
            ]
        );
        assert!(c.uncovered.iter().all(|h| h.why.contains("excludeRoles")));
        // Role members not collected: unknown, never covered.
        let mut idn = tenant();
        idn.directory_roles = None;
        let c = run(&idn, &ps, &MFA_ALL);
        assert!(c.uncovered.is_empty() && !c.unknown.is_empty());
        // A PIM-eligible holder is excluded the moment they activate.
        let mut idn = tenant();
        idn.role_eligibility_schedules = Some(vec![json!({
            "principalId": BOB, "roleDefinitionId": GLOBAL_ADMIN, "directoryScopeId": "/",
            "scheduleInfo": {"expiration": {"endDateTime": null}}
        })]);
        let c = run(&idn, &ps, &MFA_ALL);
        assert_eq!(c.uncovered.len(), 2, "{:?}", labels(&c.uncovered));
    }

    #[test]
    fn users_role_targeted_policy_covers_holders_not_everyone() {
        let ps = [base(|v| {
            v["conditions"]["users"]["includeUsers"] = json!([]);
            v["conditions"]["users"]["includeRoles"] = json!([GLOBAL_ADMIN]);
        })];
        assert!(run(&tenant(), &ps, &MFA_GA).uncovered.is_empty());
        let c = run(&tenant(), &ps, &MFA_ALL);
        assert_eq!(
            c.uncovered.len(),
            2,
            "Bob and the guest: {:?}",
            labels(&c.uncovered)
        );
        // Holders unknown (roles not collected): any user might hold it, covered as holders.
        let mut idn = tenant();
        idn.directory_roles = None;
        idn.role_eligibility_schedules = None;
        let c = run(&idn, &ps, &MFA_GA);
        assert!(
            c.uncovered.is_empty() && c.unknown.is_empty(),
            "{:?}",
            labels(&c.unknown)
        );
    }

    #[test]
    fn users_todays_holders_by_id_do_not_cover_the_role() {
        let ps = [base(|v| {
            v["conditions"]["users"]["includeUsers"] = json!([ALICE]);
        })];
        let c = run(&tenant(), &ps, &MFA_GA);
        assert_eq!(c.uncovered.len(), 2, "{:?}", labels(&c.uncovered));
        assert!(c.uncovered.iter().all(|h| h.id.is_none()));
        // A role nobody holds is not met vacuously either.
        let mut idn = tenant();
        idn.directory_roles = Some(vec![]);
        let ps = [base(|v| {
            v["conditions"]["users"]["includeUsers"] = json!([]);
        })];
        assert_eq!(run(&idn, &ps, &MFA_GA).uncovered.len(), 2);
    }

    #[test]
    fn users_a_group_made_eligible_makes_its_members_holders() {
        let ps = [base(|v| {
            v["conditions"]["users"]["excludeUsers"] = json!([BOB]);
        })];
        let mut idn = tenant();
        idn.role_eligibility_schedules = Some(vec![json!({
            "principalId": "elig-group", "roleDefinitionId": GLOBAL_ADMIN,
            "directoryScopeId": "/", "scheduleInfo": {"expiration": {"endDateTime": null}}
        })]);
        // Its members unknown: Bob may hold the role.
        let c = run(&idn, &ps, &MFA_GA);
        assert!(c.uncovered.is_empty(), "{:?}", labels(&c.uncovered));
        assert!(labels(&c.unknown).iter().any(|l| l.starts_with("bob@")));
        // Bob is in it: he holds the role once active, and is excluded.
        idn.group_members
            .as_mut()
            .unwrap()
            .insert("elig-group".into(), vec![member(BOB)]);
        let c = run(&idn, &ps, &MFA_GA);
        assert_eq!(labels(&c.uncovered).len(), 1);
        assert!(c.uncovered[0].label.starts_with("bob@"));
    }

    #[test]
    fn users_guests_excluded_are_named() {
        let ps = [base(|v| {
            v["conditions"]["users"]["excludeUsers"] = json!(["GuestsOrExternalUsers"])
        })];
        let c = run(&tenant(), &ps, &MFA_ALL);
        assert_eq!(c.uncovered.len(), 1);
        assert!(c.uncovered[0].label.contains("#EXT#"));
        // External users who have no user object here may sign in too: not known to exist.
        assert_eq!(
            labels(&c.unknown),
            ["any external user without a user object in this tenant"]
        );
        // The object form with every type behaves the same; some types only is unknown.
        let ps = [base(|v| {
            v["conditions"]["users"]["excludeGuestsOrExternalUsers"] = json!({
                "guestOrExternalUserTypes": "b2bCollaborationGuest", "externalTenants": null
            });
        })];
        let c = run(&tenant(), &ps, &MFA_ALL);
        assert!(c.uncovered.is_empty());
        assert_eq!(
            c.unknown.len(),
            2,
            "the guest, and external users without an object"
        );
    }

    #[test]
    fn users_not_collected_use_named_ids_and_anyone_else() {
        let mut idn = tenant();
        idn.users = None;
        let ps = [base(|_| {})];
        let c = run(&idn, &ps, &MFA_ALL);
        assert!(c.uncovered.is_empty() && c.unknown.is_empty());
        let ps = [base(|v| {
            v["conditions"]["users"]["includeUsers"] = json!([ALICE])
        })];
        let c = run(&idn, &ps, &MFA_ALL);
        assert!(c.uncovered.is_empty(), "nobody is known to be uncovered");
        assert_eq!(c.unknown.len(), 2, "{:?}", labels(&c.unknown));
    }

    #[test]
    fn apps_excluded_app_or_subset_is_not_all_apps() {
        let ps = [base(|v| {
            v["conditions"]["applications"]["excludeApplications"] = json!(["app-x"])
        })];
        let c = run(&tenant(), &ps, &MFA_ALL);
        assert_eq!(c.uncovered.len(), 3);
        assert!(
            c.uncovered[0].why.contains("cloud app app-x"),
            "{}",
            c.uncovered[0].why
        );
        // A second policy for app-x closes the hole: the union counts.
        let ps = [
            ps[0].clone(),
            base(|v| {
                v["id"] = json!("p-2");
                v["conditions"]["applications"]["includeApplications"] = json!(["app-x"]);
            }),
        ];
        assert!(run(&tenant(), &ps, &MFA_ALL).uncovered.is_empty());
        let ps = [base(|v| {
            v["conditions"]["applications"]["includeApplications"] = json!(["Office365"])
        })];
        let c = run(&tenant(), &ps, &MFA_ALL);
        assert!(
            c.uncovered[0].why.contains("(any other app)"),
            "{}",
            c.uncovered[0].why
        );
        // User actions are not cloud apps.
        let ps = [base(|v| {
            v["conditions"]["applications"] = json!({"includeApplications": [],
                "includeUserActions": ["urn:user:registersecurityinfo"]});
        })];
        assert_eq!(run(&tenant(), &ps, &MFA_ALL).uncovered.len(), 3);
    }

    #[test]
    fn client_app_types_activesync_only_is_not_all_clients() {
        let ps = [base(|v| {
            v["conditions"]["clientAppTypes"] = json!(["exchangeActiveSync"])
        })];
        let c = run(&tenant(), &ps, &MFA_ALL);
        assert_eq!(c.uncovered.len(), 3);
        assert!(
            c.uncovered[0].why.contains("client app browser"),
            "{}",
            c.uncovered[0].why
        );
        // For legacy blocking, ActiveSync only leaves "other" open.
        let ps = [base(|v| {
            v["conditions"]["clientAppTypes"] = json!(["exchangeActiveSync"]);
            v["grantControls"]["builtInControls"] = json!(["block"]);
        })];
        let c = run(&tenant(), &ps, &LEGACY);
        assert!(
            c.uncovered[0].why.contains("client app other"),
            "{}",
            c.uncovered[0].why
        );
        // Browser and mobile/desktop in one policy, legacy blocked in another: every client.
        let ps = [
            base(|v| {
                v["conditions"]["clientAppTypes"] =
                    json!(["browser", "mobileAppsAndDesktopClients"])
            }),
            base(|v| {
                v["id"] = json!("p-2");
                v["conditions"]["clientAppTypes"] = json!(["exchangeActiveSync", "other"]);
                v["grantControls"]["builtInControls"] = json!(["block"]);
            }),
        ];
        assert!(run(&tenant(), &ps, &MFA_ALL).uncovered.is_empty());
        // Absent (required by Graph): unknown, never all.
        let ps = [base(|v| {
            v["conditions"]
                .as_object_mut()
                .unwrap()
                .remove("clientAppTypes");
        })];
        let c = run(&tenant(), &ps, &MFA_ALL);
        assert!(c.uncovered.is_empty() && c.unknown.len() == 4);
        assert!(
            c.unknowns.iter().any(|u| u.contains("clientAppTypes")),
            "{:?}",
            c.unknowns
        );
    }

    #[test]
    fn platforms_exclusion_narrows() {
        let ps =
            [base(
                |v| {
                    v["conditions"]["platforms"] =
                        json!({"includePlatforms": ["all"], "excludePlatforms": ["iOS"]})
                },
            )];
        let c = run(&tenant(), &ps, &MFA_ALL);
        assert!(
            c.uncovered[0].why.contains("platform iOS"),
            "{}",
            c.uncovered[0].why
        );
        let ps = [base(|v| {
            v["conditions"]["platforms"] = json!({"includePlatforms": ["windows", "macOS"]})
        })];
        assert_eq!(run(&tenant(), &ps, &MFA_ALL).uncovered.len(), 3);
        let ps = [base(|v| {
            v["conditions"]["platforms"] = json!({"includePlatforms": ["all"]})
        })];
        assert!(run(&tenant(), &ps, &MFA_ALL).uncovered.is_empty());
    }

    #[test]
    fn locations_exclusions_narrow_and_unions_close() {
        let loc = "d2136c9c-b049-47ae-b9cf-316e04ef7198";
        let ps = [base(
            |v| {
                v["conditions"]["locations"] =
                    json!({"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]})
            },
        )];
        let c = run(&tenant(), &ps, &MFA_ALL);
        assert!(
            c.uncovered[0].why.contains("trusted address"),
            "{}",
            c.uncovered[0].why
        );
        let ps = [
            base(|v| {
                v["conditions"]["locations"] =
                    json!({"includeLocations": ["All"], "excludeLocations": [loc]})
            }),
            base(|v| {
                v["id"] = json!("p-2");
                v["conditions"]["locations"] = json!({"includeLocations": [loc]});
            }),
        ];
        assert!(run(&tenant(), &ps, &MFA_ALL).uncovered.is_empty());
        let ps = [base(|v| {
            v["conditions"]["locations"] = json!({"includeLocations": [loc]})
        })];
        let c = run(&tenant(), &ps, &MFA_ALL);
        assert!(
            c.uncovered[0].why.contains("outside every named location"),
            "{}",
            c.uncovered[0].why
        );
    }

    #[test]
    fn risk_levels_narrow_unless_the_claim_is_about_them() {
        let ps = [base(|v| {
            v["conditions"]["signInRiskLevels"] = json!(["medium", "high"])
        })];
        let c = run(&tenant(), &ps, &MFA_ALL);
        assert!(
            c.uncovered[0].why.contains("sign-in risk none"),
            "{}",
            c.uncovered[0].why
        );
        let risky = Claim {
            sign_in_risk: &["medium", "high"],
            ..MFA_ALL
        };
        assert!(run(&tenant(), &ps, &risky).uncovered.is_empty());
        let ps = [base(|v| {
            v["conditions"]["signInRiskLevels"] = json!(["high"])
        })];
        let c = run(&tenant(), &ps, &risky);
        assert!(c.uncovered[0].why.contains("sign-in risk medium"));
        let ps = [base(|v| {
            v["conditions"]["userRiskLevels"] = json!(["high"])
        })];
        assert_eq!(run(&tenant(), &ps, &MFA_ALL).uncovered.len(), 3);
        // Absent (required by Graph): unknown.
        let ps = [base(|v| {
            v["conditions"]
                .as_object_mut()
                .unwrap()
                .remove("userRiskLevels");
        })];
        let c = run(&tenant(), &ps, &MFA_ALL);
        assert!(c.uncovered.is_empty() && !c.unknown.is_empty());
    }

    #[test]
    fn state_report_only_and_disabled_are_not_enforced() {
        for s in ["enabledForReportingButNotEnforced", "disabled"] {
            let ps = [base(|v| v["state"] = json!(s))];
            let c = run(&tenant(), &ps, &MFA_ALL);
            assert_eq!(c.uncovered.len(), 3, "{s}");
            assert!(c.policies[0].credited.is_err());
        }
    }

    #[test]
    fn grant_operator_or_with_a_weaker_control_does_not_require_mfa() {
        let ps = [base(|v| {
            v["grantControls"]["builtInControls"] = json!(["mfa", "compliantDevice"])
        })];
        let c = run(&tenant(), &ps, &MFA_ALL);
        assert_eq!(c.uncovered.len(), 3);
        assert!(
            c.policies[0]
                .credited
                .as_ref()
                .unwrap_err()
                .contains("replaced")
        );
        let ps = [base(|v| {
            v["grantControls"] =
                json!({"operator": "AND", "builtInControls": ["mfa", "compliantDevice"]});
        })];
        assert!(run(&tenant(), &ps, &MFA_ALL).uncovered.is_empty());
        // OR with terms of use: accepting the terms replaces MFA.
        let ps = [base(|v| {
            v["grantControls"]["termsOfUse"] = json!(["tou-1"])
        })];
        assert_eq!(run(&tenant(), &ps, &MFA_ALL).uncovered.len(), 3);
        // A custom authentication strength that does not satisfy MFA is not MFA.
        let ps = [base(|v| {
            v["grantControls"] = json!({"operator": "OR", "builtInControls": [],
                "authenticationStrength": {"id": "custom-1", "requirementsSatisfied": "none"}});
        })];
        assert_eq!(run(&tenant(), &ps, &MFA_ALL).uncovered.len(), 3);
        let ps = [base(|v| {
            v["grantControls"] = json!({"operator": "OR", "builtInControls": [],
                "authenticationStrength": {"id": "custom-2", "requirementsSatisfied": "mfa"}});
        })];
        assert!(run(&tenant(), &ps, &MFA_ALL).uncovered.is_empty());
    }

    #[test]
    fn unknown_condition_and_device_filter_narrow() {
        let ps = [base(|v| {
            v["conditions"]["timeRanges"] = json!({"from": "09:00"})
        })];
        let c = run(&tenant(), &ps, &MFA_ALL);
        assert_eq!(c.uncovered.len(), 3);
        assert!(
            c.policies[0]
                .credited
                .as_ref()
                .unwrap_err()
                .contains("timeRanges")
        );
        let ps = [base(|v| {
            v["conditions"]["devices"] =
                json!({"deviceFilter": {"mode": "exclude", "rule": "device.isCompliant -eq True"}});
        })];
        let c = run(&tenant(), &ps, &MFA_ALL);
        assert!(
            c.policies[0]
                .credited
                .as_ref()
                .unwrap_err()
                .contains("device filter")
        );
        // Present but empty is "not configured".
        let ps = [base(|v| {
            v["conditions"]["devices"] = json!(null);
            v["conditions"]["times"] = json!(null);
        })];
        assert!(run(&tenant(), &ps, &MFA_ALL).uncovered.is_empty());
        let ps = [base(|v| {
            v["conditions"]["authenticationFlows"] = json!({"transferMethods": "deviceCodeFlow"})
        })];
        assert_eq!(run(&tenant(), &ps, &MFA_ALL).uncovered.len(), 3);
    }

    #[test]
    fn break_glass_user_may_be_excluded_through_a_group_of_their_own() {
        let mut idn = tenant();
        idn.group_members
            .as_mut()
            .unwrap()
            .insert("bg-group".into(), vec![member(BG)]);
        let ps = [base(|v| {
            v["conditions"]["users"]["excludeGroups"] = json!(["bg-group"])
        })];
        let c = run(&idn, &ps, &MFA_ALL);
        assert!(c.uncovered.is_empty());
        assert_eq!(c.break_glass.len(), 1);
        let dir = Directory::new(&idn, BTreeMap::new(), Utc::now());
        let (m, unknown) = applies_to_user(&dir, &ps[0], BG, Tri::No);
        assert_eq!(m.applies, Tri::No);
        assert!(unknown.is_empty());
        assert_eq!(m.excluded_by, ["excludeGroups bg-group"]);
    }
}

/// Fixtures shared by the unit tests and the oracle.
#[cfg(test)]
mod tests_support {
    use super::*;

    pub(super) const ALICE: &str = "a0000000-0000-0000-0000-000000000001";
    pub(super) const BOB: &str = "a0000000-0000-0000-0000-000000000002";
    pub(super) const BG: &str = "b0000000-0000-0000-0000-00000000000b";
    pub(super) const GUEST: &str = "a0000000-0000-0000-0000-000000000009";
    pub(super) const GROUP: &str = "c0000000-0000-0000-0000-000000000001";

    pub(super) fn user(id: &str, upn: &str, ty: &str) -> Value {
        json!({"id": id, "userPrincipalName": upn, "userType": ty, "accountEnabled": true})
    }

    pub(super) fn member(id: &str) -> Value {
        json!({"@odata.type": "#microsoft.graph.user", "id": id})
    }

    /// A tenant: Alice (Global Administrator), Bob, the break-glass account (also GA), a guest;
    /// one group holding everyone; eligibilities collected (none).
    pub(super) fn tenant() -> Identity {
        Identity {
            users: Some(vec![
                user(ALICE, "alice@contoso.example", "Member"),
                user(BOB, "bob@contoso.example", "Member"),
                user(BG, "bg@contoso.example", "Member"),
                user(GUEST, "vendor_x.example#EXT#@contoso.example", "Guest"),
            ]),
            directory_roles: Some(vec![json!({
                "id": "r-1", "roleTemplateId": GLOBAL_ADMIN, "displayName": "Global Administrator",
                "members": [member(ALICE), member(BG)]
            })]),
            role_eligibility_schedules: Some(vec![]),
            group_members: Some(BTreeMap::from([(
                GROUP.to_string(),
                vec![member(ALICE), member(BOB), member(BG), member(GUEST)],
            )])),
            named_locations: Some(vec![]),
            ..Identity::default()
        }
    }

    pub(super) const MFA_ALL: Claim = Claim {
        population: Population::AllUsers,
        client_apps: CLIENT_APPS,
        sign_in_risk: RISK_LEVELS,
        user_risk: RISK_LEVELS,
        grant: Grant::Mfa,
    };
    pub(super) const MFA_GA: Claim = Claim {
        population: Population::RoleHolders(GLOBAL_ADMIN, "Global Administrator"),
        ..MFA_ALL
    };
    pub(super) const LEGACY: Claim = Claim {
        client_apps: LEGACY_CLIENTS,
        grant: Grant::Block,
        ..MFA_ALL
    };
}

/// The class-by-class search against a brute-force oracle that tries every sign-in point (every
/// app, client app type, platform, location and risk atom) for every principal.
#[cfg(test)]
mod oracle {
    use proptest::prelude::*;

    use super::tests_support::*;
    use super::*;

    fn pick<T: Clone>(bits: u32, from: &[T]) -> Vec<T> {
        from.iter()
            .enumerate()
            .filter(|(i, _)| bits & (1 << i) != 0)
            .map(|(_, x)| x.clone())
            .collect()
    }

    /// A random policy from small choice sets, by the bits of `seed`.
    fn random_policy(i: usize, seed: [u32; 10]) -> ConditionalAccessPolicy {
        // Each condition is left open half of the time, so that coverage happens.
        let include_users = match seed[0] % 6 {
            0 | 4 | 5 => json!({"includeUsers": ["All"]}),
            1 => json!({"includeUsers": [ALICE]}),
            2 => json!({"includeGroups": [GROUP]}),
            _ => json!({"includeRoles": [GLOBAL_ADMIN]}),
        };
        let mut users = include_users;
        let ex = if !seed[1].is_multiple_of(3) {
            0
        } else {
            seed[1] >> 4
        };
        users["excludeUsers"] = json!(pick(ex % 4, &[json!(BOB), json!("GuestsOrExternalUsers")]));
        users["excludeGroups"] = json!(pick(ex >> 2 & 1, &[json!(GROUP)]));
        users["excludeRoles"] = json!(pick(ex >> 3 & 1, &[json!(GLOBAL_ADMIN)]));
        let apps = match seed[2] % 6 {
            0 | 3 | 4 | 5 => json!(["All"]),
            1 => json!(["app-x"]),
            _ => json!(["Office365"]),
        };
        let clients = if !seed[3].is_multiple_of(4) {
            json!(["all"])
        } else {
            json!(pick(
                seed[3] % 16,
                &CLIENT_APPS.iter().map(|s| json!(s)).collect::<Vec<_>>()
            ))
        };
        let platforms = match seed[4] % 6 {
            0 | 3 | 4 | 5 => json!(null),
            1 => {
                json!({"includePlatforms": ["all"], "excludePlatforms": pick(seed[4] >> 2 & 3, &[json!("iOS"), json!("android")])})
            }
            _ => {
                json!({"includePlatforms": pick(seed[4] >> 2 & 7, &[json!("windows"), json!("iOS"), json!("macOS")])})
            }
        };
        let locations = match seed[5] % 7 {
            0 | 4 | 5 | 6 => json!(null),
            1 => json!({"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}),
            2 => json!({"includeLocations": ["All"], "excludeLocations": ["loc-1"]}),
            _ => {
                json!({"includeLocations": pick(seed[5] >> 2 & 3, &[json!("loc-1"), json!("loc-2")])})
            }
        };
        let levels = |b: u32| {
            let b = if !b.is_multiple_of(4) { 0 } else { b >> 2 };
            json!(pick(
                b & 15,
                &RISK_LEVELS.iter().map(|s| json!(s)).collect::<Vec<_>>()
            ))
        };
        let grant = match seed[8] % 4 {
            0 | 1 => json!({"operator": "OR", "builtInControls": ["mfa"]}),
            2 => json!({"operator": "OR", "builtInControls": ["block"]}),
            _ => json!({"operator": "OR", "builtInControls": ["mfa", "compliantDevice"]}),
        };
        serde_json::from_value(json!({
            "id": format!("p-{i}"),
            "state": if seed[9].is_multiple_of(5) { "disabled" } else { "enabled" },
            "conditions": {
                "users": users,
                "applications": {"includeApplications": apps,
                    "excludeApplications": pick(if seed[2] % 16 < 12 { 0 } else { seed[2] >> 4 & 3 }, &[json!("app-x"), json!("Office365")])},
                "clientAppTypes": clients,
                "platforms": platforms,
                "locations": locations,
                "signInRiskLevels": levels(seed[6]),
                "userRiskLevels": levels(seed[7]),
            },
            "grantControls": grant
        }))
        .unwrap()
    }

    /// Covered / open / unsure for one principal by trying every point.
    fn brute(
        credited: &[&ConditionalAccessPolicy],
        dir: &Directory,
        rep: &Rep,
        claim: &Claim,
    ) -> Outcome {
        let mut sink = BTreeSet::new();
        let users: Vec<Tri> = credited
            .iter()
            .map(|p| user_match(dir, p.users(), workload(p), rep, &mut sink).applies)
            .collect();
        let apps = [
            "app-x",
            "(an Office 365 app)",
            "(a Microsoft admin portal)",
            "(any other app)",
        ];
        let locs = ["loc-1", "loc-2"];
        let mut points = vec![];
        for mask in 0..4u32 {
            let inside: BTreeSet<String> =
                pick(mask, &locs.map(String::from)).into_iter().collect();
            points.push((inside.clone(), true));
            points.push((inside, false));
        }
        let mut unsure = false;
        for a in apps {
            for c in claim.client_apps {
                for pl in PLATFORMS {
                    for pt in &points {
                        for sr in claim.sign_in_risk {
                            for ur in claim.user_risk {
                                let best = credited
                                    .iter()
                                    .zip(&users)
                                    .map(|(p, u)| {
                                        let sl = p
                                            .conditions
                                            .as_ref()
                                            .and_then(|c| c.sign_in_risk_levels.as_ref());
                                        let ul = p
                                            .conditions
                                            .as_ref()
                                            .and_then(|c| c.user_risk_levels.as_ref());
                                        u.and(app_match(p, a, &mut sink))
                                            .and(client_app_match(p, c, &mut sink))
                                            .and(platform_match(p, pl))
                                            .and(location_match(p, pt))
                                            .and(risk_match(sl, sr, "s", p, &mut sink))
                                            .and(risk_match(ul, ur, "u", p, &mut sink))
                                    })
                                    .fold(Tri::No, Tri::or);
                                match best {
                                    Tri::No => return Outcome::Open(String::new()),
                                    Tri::Maybe => unsure = true,
                                    Tri::Yes => {}
                                }
                            }
                        }
                    }
                }
            }
        }
        if unsure {
            Outcome::Unsure(String::new())
        } else {
            Outcome::Covered
        }
    }

    thread_local! {
        static SEEN: std::cell::RefCell<BTreeSet<&'static str>> = const { std::cell::RefCell::new(BTreeSet::new()) };
    }

    /// The property below meets every outcome, so it tests something.
    #[test]
    fn the_oracle_property_meets_every_outcome() {
        coverage_agrees_with_trying_every_point();
        SEEN.with(|s| {
            assert_eq!(
                *s.borrow(),
                BTreeSet::from(["break-glass", "covered", "uncovered", "unknown"])
            )
        });
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]
        #[test]
        fn coverage_agrees_with_trying_every_point(
            seeds in proptest::collection::vec(any::<[u32; 10]>(), 1..4),
            admins in any::<bool>(),
            drop_group in any::<bool>(),
        ) {
            let policies: Vec<ConditionalAccessPolicy> =
                seeds.iter().enumerate().map(|(i, s)| random_policy(i, *s)).collect();
            let mut idn = tenant();
            if drop_group {
                idn.group_members = Some(BTreeMap::new());
            }
            let dir = Directory::new(&idn, BTreeMap::new(), Utc::now());
            let claim = if admins { MFA_GA } else { MFA_ALL };
            let bg = BTreeSet::from([BG.to_string()]);
            let c = evaluate(&policies, &dir, &claim, &bg, false);
            let credited: Vec<&ConditionalAccessPolicy> = c
                .policies
                .iter()
                .filter(|j| j.credited.is_ok())
                .map(|j| j.policy)
                .collect();
            for rep in population(&dir, &policies, claim.population) {
                let truth = brute(&credited, &dir, &rep, &claim);
                let in_list = |h: &[Hole]| h.iter().any(|x| x.label == rep.label);
                let bg_rep = rep.id.as_ref().is_some_and(|i| bg.contains(i));
                let expected = match (&truth, bg_rep) {
                    (Outcome::Covered, _) => "covered",
                    (_, true) => "break-glass",
                    (Outcome::Open(_), false) if rep.certain => "uncovered",
                    _ => "unknown",
                };
                let got = if in_list(&c.uncovered) {
                    "uncovered"
                } else if in_list(&c.unknown) {
                    "unknown"
                } else if in_list(&c.break_glass) {
                    "break-glass"
                } else {
                    "covered"
                };
                prop_assert_eq!(expected, got, "{} under {:#?}", rep.label, policies);
                SEEN.with(|s| s.borrow_mut().insert(expected));
            }
        }
    }
}
