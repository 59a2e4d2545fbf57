//! Demo governance data: RBAC role assignments and custom roles, Azure Policy assignments,
//! exemptions and non-compliant states, Defender recommendations, activity log alerts, locks.

use serde_json::{Value, json};

use super::directory::{ALICE, BOB, CAROL, DEPLOYER_SP, GUEST_VENDOR_GROUP, OPS_GROUP};
use super::{DemoState, SUBSCRIPTIONS, arm_id, resource};
use crate::model::Resource;

const OWNER: &str = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
const CONTRIBUTOR: &str = "b24988ac-6180-42a0-ab88-20f7382dd24c";
const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
/// Microsoft's built-in "SOC 2 Type 2" initiative.
const SOC2_INITIATIVE: &str = "4054785f-702b-4a98-9215-009cbd58b141";
/// Microsoft cloud security benchmark.
const MCSB: &str = "1f3afdf9-d0c9-4c3d-847f-89da613e70a8";

fn bare(id: String, ty: &str, name: &str, sub: &str, properties: Value) -> Resource {
    Resource {
        id,
        r#type: ty.to_ascii_lowercase(),
        name: name.to_string(),
        location: None,
        subscription_id: sub.to_string(),
        resource_group: None,
        tags: Default::default(),
        sku: None,
        kind: None,
        zones: vec![],
        identity: None,
        properties,
        children: Default::default(),
    }
}

fn assignment(sub: &str, n: u32, role: &str, principal: &str, kind: &str) -> Resource {
    let name = format!("00000000-0000-4000-8000-{:012}", n);
    bare(
        format!("/subscriptions/{sub}/providers/Microsoft.Authorization/roleAssignments/{name}"),
        "Microsoft.Authorization/roleAssignments",
        &name,
        sub,
        json!({
            "roleDefinitionId": format!("/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{role}"),
            "principalId": principal,
            "principalType": kind,
            "scope": format!("/subscriptions/{sub}")
        }),
    )
}

fn custom_role(sub: &str, name: &str, actions: &[&str]) -> Resource {
    let id = "c0ffee00-0000-4000-8000-000000000001";
    bare(
        format!("/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{id}"),
        "Microsoft.Authorization/roleDefinitions",
        id,
        sub,
        json!({
            "roleName": name,
            "type": "CustomRole",
            "description": "Operations break-fix role",
            "assignableScopes": [format!("/subscriptions/{sub}")],
            "permissions": [{"actions": actions, "notActions": [], "dataActions": [], "notDataActions": []}]
        }),
    )
}

fn policy_assignment(sub: &str, name: &str, definition: &str, enforce: bool) -> Resource {
    bare(
        format!("/subscriptions/{sub}/providers/Microsoft.Authorization/policyAssignments/{name}"),
        "Microsoft.Authorization/policyAssignments",
        name,
        sub,
        json!({
            "displayName": name,
            "policyDefinitionId": definition,
            "scope": format!("/subscriptions/{sub}"),
            "enforcementMode": if enforce { "Default" } else { "DoNotEnforce" },
            "parameters": {}
        }),
    )
}

fn policy_state(sub: &str, n: u32, resource_id: &str, policy: &str) -> Resource {
    let name = format!("state-{n}");
    bare(
        format!("/subscriptions/{sub}/providers/Microsoft.PolicyInsights/policyStates/{name}"),
        "Microsoft.PolicyInsights/policyStates",
        &name,
        sub,
        json!({
            "resourceId": resource_id,
            "complianceState": "NonCompliant",
            "policyAssignmentName": "soc2-type2",
            "policyDefinitionName": policy,
            "policySetDefinitionName": SOC2_INITIATIVE
        }),
    )
}

fn assessment(sub: &str, name: &str, resource_id: &str, severity: &str, title: &str) -> Resource {
    bare(
        format!("{resource_id}/providers/Microsoft.Security/assessments/{name}"),
        "Microsoft.Security/assessments",
        name,
        sub,
        json!({
            "displayName": title,
            "status": {"code": "Unhealthy", "cause": "", "description": ""},
            "resourceDetails": {"Source": "Azure", "Id": resource_id},
            "metadata": {"displayName": title, "severity": severity, "assessmentType": "BuiltIn"}
        }),
    )
}

fn alert(sub: &str, rg: &str, name: &str, operation: Option<&str>, category: &str) -> Resource {
    let mut all_of = vec![json!({"field": "category", "equals": category})];
    if let Some(op) = operation {
        all_of.push(json!({"field": "operationName", "equals": op}));
    }
    resource(
        sub,
        rg,
        "microsoft.insights/activityLogAlerts",
        name,
        json!({
            "scopes": [format!("/subscriptions/{sub}")],
            "condition": {"allOf": all_of},
            "actions": {"actionGroups": [{"actionGroupId": arm_id(sub, rg, "microsoft.insights/actionGroups", "ag-secops")}]},
            "enabled": true,
            "description": format!("Notify security operations: {name}")
        }),
    )
}

const ALERTED_OPERATIONS: [&str; 12] = [
    "Microsoft.Network/networkSecurityGroups/securityRules/write",
    "Microsoft.Network/networkSecurityGroups/securityRules/delete",
    "Microsoft.Authorization/policyAssignments/write",
    "Microsoft.Authorization/policyAssignments/delete",
    "Microsoft.Network/networkSecurityGroups/write",
    "Microsoft.Network/networkSecurityGroups/delete",
    "Microsoft.Sql/servers/firewallRules/write",
    "Microsoft.Sql/servers/firewallRules/delete",
    "Microsoft.Security/securitySolutions/write",
    "Microsoft.Security/securitySolutions/delete",
    "Microsoft.Network/publicIPAddresses/write",
    "Microsoft.Network/publicIPAddresses/delete",
];

/// RBAC, policy, Defender recommendations and alerts of the three subscriptions.
pub(super) fn resources(state: DemoState) -> Vec<Resource> {
    let drifted = state == DemoState::Drifted;
    let [prod, stg, shared] = SUBSCRIPTIONS.map(|(id, _)| id);
    let soc2 = format!("/providers/Microsoft.Authorization/policySetDefinitions/{SOC2_INITIATIVE}");
    let mut out = vec![
        // Two owners per subscription, the pipeline as contributor, operations as readers.
        assignment(prod, 1, OWNER, ALICE, "User"),
        assignment(prod, 2, OWNER, BOB, "User"),
        assignment(prod, 3, CONTRIBUTOR, DEPLOYER_SP, "ServicePrincipal"),
        assignment(prod, 4, READER, OPS_GROUP, "Group"),
        assignment(stg, 11, OWNER, ALICE, "User"),
        assignment(stg, 12, OWNER, BOB, "User"),
        assignment(stg, 13, CONTRIBUTOR, CAROL, "User"),
        assignment(stg, 14, READER, GUEST_VENDOR_GROUP, "Group"),
        assignment(stg, 17, CONTRIBUTOR, DEPLOYER_SP, "ServicePrincipal"),
        custom_role(
            stg,
            "VM Operator",
            &[
                "Microsoft.Compute/virtualMachines/read",
                "Microsoft.Compute/virtualMachines/restart/action",
            ],
        ),
        assignment(shared, 21, OWNER, ALICE, "User"),
        assignment(shared, 23, OWNER, BOB, "User"),
        assignment(shared, 22, CONTRIBUTOR, DEPLOYER_SP, "ServicePrincipal"),
        bare(
            format!(
                "/subscriptions/{prod}/providers/Microsoft.Authorization/policyExemptions/legacy-sftp"
            ),
            "Microsoft.Authorization/policyExemptions",
            "legacy-sftp",
            prod,
            json!({
                "policyAssignmentId": format!("/subscriptions/{prod}/providers/Microsoft.Authorization/policyAssignments/soc2-type2"),
                "exemptionCategory": "Waiver",
                "displayName": "Legacy SFTP partner integration",
                "expiresOn": "2027-03-31T00:00:00Z"
            }),
        ),
    ];
    for sub in [prod, stg, shared] {
        // Microsoft's SOC 2 Type 2 initiative and the cloud security benchmark, enforced.
        out.push(policy_assignment(sub, "soc2-type2", &soc2, true));
        out.push(policy_assignment(
            sub,
            "mcsb",
            &format!("/providers/Microsoft.Authorization/policySetDefinitions/{MCSB}"),
            true,
        ));
        let rg = match sub {
            s if s == prod => "rg-prod",
            s if s == stg => "rg-staging",
            _ => "rg-shared",
        };
        out.push(alert(sub, rg, "service-health", None, "ServiceHealth"));
        for (i, op) in ALERTED_OPERATIONS.iter().enumerate() {
            // In the drifted week someone deleted production's NSG-change alert.
            if drifted && sub == prod && *op == "Microsoft.Network/networkSecurityGroups/write" {
                continue;
            }
            let category = if op.starts_with("Microsoft.Security/") {
                "Security"
            } else {
                "Administrative"
            };
            out.push(alert(sub, rg, &format!("alert-{i:02}"), Some(op), category));
        }
    }
    if drifted {
        // The SSH rule opened by hand is flagged by Defender and by Azure Policy.
        let nsg = arm_id(
            prod,
            "rg-prod",
            "Microsoft.Network/networkSecurityGroups",
            "nsg-prod-app",
        );
        out.push(assessment(
            prod,
            "d57a4221-a804-52ca-3dea-768284f06bb7",
            &nsg,
            "High",
            "Management ports should be closed on your virtual machines",
        ));
        out.push(policy_state(
            prod,
            1,
            &nsg,
            "22730e10-96f6-4aac-ad84-9383d35b5917",
        ));
        out.push(policy_state(
            stg,
            2,
            &arm_id(
                stg,
                "rg-staging",
                "Microsoft.Storage/storageAccounts",
                "ststgorders",
            ),
            "34c877ad-507e-4c82-993e-3452a6e0ad3c",
        ));
    }
    out
}

/// Management locks of a subscription: CanNotDelete on every resource group.
pub(super) fn locks(sub_index: usize) -> Vec<Value> {
    let (sub, _) = SUBSCRIPTIONS[sub_index];
    let rg = ["rg-prod", "rg-staging", "rg-shared"][sub_index];
    vec![json!({
        "id": format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Authorization/locks/do-not-delete"),
        "type": "Microsoft.Authorization/locks",
        "name": "do-not-delete",
        "properties": {"level": "CanNotDelete", "notes": "Protected by the platform team"}
    })]
}
