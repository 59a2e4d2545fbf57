//! The files a user keeps beside the demo's evidence: accepted risks (`waivers.toml`) and two
//! manual attestations, committed before the first assessment so they are evidence input. Dates
//! are fixed against the demo's collection times: one waiver holds through both runs, one
//! expires between the baseline and the drifted run; one attestation is fresh, one stale.

use std::collections::BTreeMap;

const WAIVERS: &str = r#"# Accepted risks. Each waiver turns matching `fail` findings into `waived` until it expires.
[[waivers]]
id = "W-001"
check = "network_nsg_rdp_restricted"
resource = "/subscriptions/*/resourceGroups/rg-staging/providers/Microsoft.Network/networkSecurityGroups/nsg-stg-jump"
reason = "Staging jump host keeps RDP open to the vendor's support range until the Bastion migration (CHG-1042)."
owner = "platform-team@contoso.example"
approved_by = "ciso@contoso.example"
created = 2026-10-20
expires = 2027-01-31

[[waivers]]
id = "W-002"
check = "keyvault_logging_enabled"
resource = "/subscriptions/*/resourceGroups/rg-staging/providers/Microsoft.KeyVault/vaults/kv-stg-*"
reason = "Staging vault diagnostics wait for the staging Log Analytics workspace (CHG-1038)."
owner = "platform-team@contoso.example"
approved_by = "ciso@contoso.example"
created = 2026-08-01
expires = 2026-11-05
"#;

const CC1_1: &str = "---
owner: Dana Whitfield (Chief People Officer)
date: 2026-10-15
period: 2026-01-01 to 2026-12-31
evidence:
  - https://contoso.sharepoint.example/sites/isms/Code-of-Conduct-2026.pdf
  - https://contoso.sharepoint.example/sites/isms/Acknowledgements-2026.xlsx
---

Every employee and contractor acknowledged the 2026 Code of Conduct at onboarding or in the
annual campaign (98.7% by 2026-10-01; the remainder are on leave and tracked by HR). Breaches are
handled under the disciplinary policy; none were open at the date above.
";

const CC2_1: &str = "---
owner: Sam Okafor (Head of Security)
date: 2025-09-30
period: 2025-01-01 to 2025-12-31
evidence:
  - https://contoso.sharepoint.example/sites/isms/Information-Classification-Register.xlsx
---

The information classification register lists the systems in scope, their owners and the data
they hold; it was reviewed by the security committee on the date above.
";

/// Path relative to the repository root → bytes.
pub fn repository_files() -> BTreeMap<String, Vec<u8>> {
    [
        ("waivers.toml", WAIVERS),
        ("attestations/CC1.1.md", CC1_1),
        ("attestations/CC2.1.md", CC2_1),
    ]
    .into_iter()
    .map(|(p, t)| (p.to_string(), t.as_bytes().to_vec()))
    .collect()
}
