//! Compute checks: virtual machines (managed disks, encryption at host, Trusted Launch with
//! Secure Boot and vTPM, Azure Backup protection, boot diagnostics, patching, SSH-key-only
//! Linux sign-in), managed disks (customer-managed keys, network export, Entra data access) and
//! scale sets (automatic OS upgrades, zone redundancy).
//!
//! Where Azure documents the value an absent property stands for (encryption at host,
//! security type, automatic OS upgrades, automatic updates), the check applies it and says so;
//! every other absence is an error.

use serde_json::{Value, json};

use super::props;
use super::{Check, CheckMeta, Ctx, Eval, Severity, Verdict, require_str};
use crate::model::Resource;

const VM: &str = "microsoft.compute/virtualmachines";
const DISK: &str = "microsoft.compute/disks";
const VMSS: &str = "microsoft.compute/virtualmachinescalesets";
const VAULT: &str = "microsoft.recoveryservices/vaults";
const RG: &str = "resource_graph.resources";

pub(super) const CHECKS: &[Check] = &[
    Check {
        meta: CheckMeta {
            id: "compute_vm_managed_disks",
            title: "Virtual machines use managed disks",
            service: "compute",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.8", "CC8.1"],
            cis: &["2.1.0:7.2", "3.0.0:8.2"],
            policies: &["06a78e20-9358-41c9-923c-fb736d382a4d"],
            description: "Passes when properties.storageProfile.osDisk.managedDisk is present and \
                          every entry of storageProfile.dataDisks has managedDisk too; fails \
                          naming each disk that is an unmanaged VHD (vhd.uri in a storage \
                          account). Absent storageProfile.osDisk is an error.",
            rationale: "Managed disks are always encrypted at rest, are isolated from storage \
                        account keys and support RBAC, backup and disk access policies; \
                        unmanaged VHDs sit in page blobs anyone with the account key can copy \
                        (CC6.1, and CC6.8/CC8.1 as Microsoft maps its policy).",
            remediation: "Portal: Virtual machine > Disks > Migrate to managed disks (the VM is \
                          deallocated). CLI: az vm deallocate -g <rg> -n <vm> && az vm \
                          convert -g <rg> -n <vm>",
            sources: &[RG],
        },
        eval: Eval::Resource(VM, managed_disks),
    },
    Check {
        meta: CheckMeta {
            id: "compute_vm_encryption_at_host",
            title: "Virtual machines encrypt temporary disks and caches at the host",
            service: "compute",
            severity: Severity::Medium,
            criteria: &["CC6.1"],
            cis: &[],
            policies: &[],
            description: "Passes when properties.securityProfile.encryptionAtHost is true; false \
                          fails, and so does an absent value: Azure documents that encryption at \
                          host is disabled unless the property is set to true (recorded as \
                          null). Since catalogue 2026.12.0: absent properties.securityProfile.encryptionAtHost is its documented default (false) (docs/ABSENT_FIELDS.md), and a resource returned without its properties is an error.",
            rationale: "Server-side encryption covers managed disks only; temporary disks and \
                        disk caches on the host stay unencrypted without encryption at host, \
                        leaving copies of data unprotected (CC6.1).",
            remediation: "Portal: Virtual machine (deallocated) > Disks > Additional settings > \
                          Encryption at host = Yes. CLI: az vm update -g <rg> -n <vm> --set \
                          securityProfile.encryptionAtHost=true (after az feature register \
                          --namespace Microsoft.Compute --name EncryptionAtHost)",
            sources: &[RG],
        },
        eval: Eval::Resource(VM, encryption_at_host),
    },
    Check {
        meta: CheckMeta {
            id: "compute_vm_trusted_launch",
            title: "Virtual machines use Trusted Launch or confidential computing",
            service: "compute",
            severity: Severity::Medium,
            criteria: &["CC6.8"],
            cis: &["2.1.0:7.9", "3.0.0:8.11"],
            policies: &[],
            description: "Passes when properties.securityProfile.securityType is TrustedLaunch or \
                          ConfidentialVM; fails otherwise. An absent securityType fails: Azure \
                          documents that UEFI security features are not enabled unless it is set \
                          (a Standard VM; recorded as null).",
            rationale: "Trusted Launch provides Secure Boot, a virtual TPM and boot integrity \
                        monitoring, which block and detect bootkits and rootkits that run below \
                        the operating system's defences (CC6.8).",
            remediation: "Portal: Virtual machine > Configuration > Security type = Trusted launch \
                          (Generation 2 images; upgrade existing VMs when deallocated). CLI: az vm \
                          update -g <rg> -n <vm> --security-type TrustedLaunch \
                          --enable-secure-boot true --enable-vtpm true",
            sources: &[RG],
        },
        eval: Eval::Resource(VM, trusted_launch),
    },
    Check {
        meta: CheckMeta {
            id: "compute_vm_secure_boot_enabled",
            title: "Virtual machines have Secure Boot enabled",
            service: "compute",
            severity: Severity::Medium,
            criteria: &["CC6.8", "CC8.1"],
            cis: &[],
            policies: &["97566dd7-78ae-4997-8b36-1c7bfe0d8121"],
            description: "Passes when properties.securityProfile.uefiSettings.secureBootEnabled \
                          is true; false fails, and a VM whose securityType is not TrustedLaunch \
                          or ConfidentialVM fails (Secure Boot is unavailable without UEFI). A \
                          Trusted Launch VM without uefiSettings.secureBootEnabled is an error.",
            rationale: "Secure Boot allows only signed boot loaders, kernels and drivers to \
                        start, preventing boot-level malware (CC6.8, and CC8.1 as Microsoft maps \
                        its policy).",
            remediation: "Portal: Virtual machine > Configuration > Security type: Trusted launch, \
                          Enable secure boot. CLI: az vm update -g <rg> -n <vm> \
                          --enable-secure-boot true",
            sources: &[RG],
        },
        eval: Eval::Resource(VM, secure_boot),
    },
    Check {
        meta: CheckMeta {
            id: "compute_vm_vtpm_enabled",
            title: "Virtual machines have a virtual TPM enabled",
            service: "compute",
            severity: Severity::Low,
            criteria: &["CC6.8", "CC8.1"],
            cis: &[],
            policies: &["1c30f9cd-b84c-49cc-aa2c-9288447cc3b3"],
            description: "Passes when properties.securityProfile.uefiSettings.vTpmEnabled is true; \
                          false fails, and a VM whose securityType is not TrustedLaunch or \
                          ConfidentialVM fails (no vTPM without UEFI). A Trusted Launch VM \
                          without uefiSettings.vTpmEnabled is an error.",
            rationale: "The vTPM measures the boot chain so that boot integrity monitoring and \
                        attestation can detect tampering (CC6.8, and CC8.1 as Microsoft maps its \
                        policy).",
            remediation: "Portal: Virtual machine > Configuration > Security type: Trusted launch, \
                          Enable vTPM. CLI: az vm update -g <rg> -n <vm> --enable-vtpm true",
            sources: &[RG],
        },
        eval: Eval::Resource(VM, vtpm),
    },
    Check {
        meta: CheckMeta {
            id: "compute_vm_backup_enabled",
            title: "Virtual machines are protected by Azure Backup",
            service: "compute",
            severity: Severity::High,
            criteria: &["A1.2", "CC7.5", "PI1.5"],
            cis: &[],
            policies: &["013e242c-8828-4970-87b3-ab247555486d"],
            description: "Looks through the collected backupProtectedItems of every Recovery \
                          Services vault for an item whose properties.sourceResourceId or \
                          properties.virtualMachineId equals the VM's id (case-insensitive). \
                          Passes when found and its protectionState is not ProtectionStopped or \
                          ProtectionError; fails when the state is one of those, or when no \
                          vault protects the VM. When the VM is not found and some vault's \
                          protected items were not collected, the result is an error naming \
                          those vaults.",
            rationale: "Without a backup the machine's data and configuration cannot be restored \
                        after deletion, corruption or ransomware (A1.2 backup and recovery \
                        infrastructure, CC7.5 recovery, PI1.5 stored data kept complete).",
            remediation: "Portal: Virtual machine > Backup > select a Recovery Services vault and \
                          policy > Enable backup. CLI: az backup protection enable-for-vm -g \
                          <vault-rg> -v <vault> --vm <vm-id> -p DefaultPolicy",
            sources: &[RG, "arm.backup_protected_items"],
        },
        eval: Eval::ResourceCtx(VM, vm_backup),
    },
    Check {
        meta: CheckMeta {
            id: "compute_vm_boot_diagnostics_enabled",
            title: "Virtual machines have boot diagnostics enabled",
            service: "compute",
            severity: Severity::Low,
            criteria: &["CC7.2"],
            cis: &[],
            policies: &[],
            description: "Passes when properties.diagnosticsProfile.bootDiagnostics.enabled is \
                          true (storageUri empty means managed storage); false fails; absent is \
                          an error.",
            rationale: "Boot diagnostics keep the serial log and a screenshot of the console, \
                        needed to detect and diagnose a machine that fails or is tampered with \
                        at boot (CC7.2).",
            remediation: "Portal: Virtual machine > Help > Boot diagnostics > Settings > Enable \
                          with managed storage account. CLI: az vm boot-diagnostics enable -g \
                          <rg> -n <vm>",
            sources: &[RG],
        },
        eval: Eval::Resource(VM, boot_diagnostics),
    },
    Check {
        meta: CheckMeta {
            id: "compute_vm_automatic_patching",
            title: "Virtual machines install operating system updates automatically",
            service: "compute",
            severity: Severity::Medium,
            criteria: &["CC7.1"],
            cis: &[],
            policies: &[],
            description: "Windows (osProfile.windowsConfiguration): passes when \
                          patchSettings.patchMode is AutomaticByPlatform or AutomaticByOS, fails \
                          for Manual; without a patchMode, enableAutomaticUpdates decides (true \
                          passes, false fails; absent passes because Azure documents its default \
                          as true). Linux (osProfile.linuxConfiguration): passes when \
                          patchSettings.patchMode is AutomaticByPlatform; ImageDefault fails, and \
                          so does an absent patchMode, whose documented default is ImageDefault. \
                          A VM without either configuration (e.g. created from a specialised \
                          disk, with no osProfile) is an error.",
            rationale: "Machines that do not patch themselves stay exposed to newly disclosed \
                        vulnerabilities until someone remembers; automatic patching is the \
                        control that closes them (CC7.1).",
            remediation: "Portal: Virtual machine > Updates > Update settings > Patch \
                          orchestration = Azure-orchestrated. CLI: az vm update -g <rg> -n <vm> \
                          --set osProfile.windowsConfiguration.patchSettings.patchMode=\
                          AutomaticByPlatform (linuxConfiguration for Linux)",
            sources: &[RG],
        },
        eval: Eval::Resource(VM, automatic_patching),
    },
    Check {
        meta: CheckMeta {
            id: "compute_vm_linux_ssh_key_auth",
            title: "Linux virtual machines allow SSH key authentication only",
            service: "compute",
            severity: Severity::Medium,
            criteria: &["CC6.1"],
            cis: &[],
            policies: &[],
            description: "For Linux VMs (properties.osProfile.linuxConfiguration present), passes \
                          when linuxConfiguration.disablePasswordAuthentication is true; false \
                          fails; absent is an error. Windows VMs are not applicable; a VM without \
                          osProfile is an error.",
            rationale: "Password sign-in over SSH is exposed to guessing and credential stuffing; \
                        keys cannot be guessed (CC6.1 authentication).",
            remediation: "Portal: redeploy or reset access with Virtual machine > Help > Reset \
                          password using an SSH public key, then set PasswordAuthentication no in \
                          sshd_config. CLI: az vm user update -g <rg> -n <vm> -u <user> \
                          --ssh-key-value @~/.ssh/id_rsa.pub",
            sources: &[RG],
        },
        eval: Eval::Resource(VM, linux_ssh_key_auth),
    },
    Check {
        meta: CheckMeta {
            id: "compute_disk_cmk_encryption",
            title: "Managed disks are encrypted with a customer-managed key",
            service: "compute",
            severity: Severity::Low,
            criteria: &["CC6.1", "CC6.5"],
            cis: &["2.1.0:7.3", "3.0.0:8.3"],
            policies: &[],
            description: "Passes when properties.encryption.type is \
                          EncryptionAtRestWithCustomerKey or \
                          EncryptionAtRestWithPlatformAndCustomerKeys; \
                          EncryptionAtRestWithPlatformKey fails; absent is an error. Low \
                          severity: every managed disk is encrypted at rest; this is about who \
                          controls the key.",
            rationale: "A customer-managed key (through a disk encryption set) lets the \
                        organisation control, rotate and revoke the key protecting disk data \
                        (CC6.1); revoking it renders retired disks and their snapshots \
                        unrecoverable (crypto-shredding, CC6.5).",
            remediation: "Portal: Disk > Encryption > Key management = Customer-managed key, \
                          select a disk encryption set (disk detached or VM deallocated). CLI: az \
                          disk update -g <rg> -n <disk> --encryption-type \
                          EncryptionAtRestWithCustomerKey --disk-encryption-set <des-id>",
            sources: &[RG],
        },
        eval: Eval::Resource(DISK, disk_cmk),
    },
    Check {
        meta: CheckMeta {
            id: "compute_disk_unattached_cmk_encrypted",
            title: "Unattached managed disks are encrypted with a customer-managed key",
            service: "compute",
            severity: Severity::Low,
            criteria: &["CC6.1", "CC6.5", "C1.1"],
            cis: &["2.1.0:7.4", "3.0.0:8.4"],
            policies: &[],
            description: "For disks whose properties.diskState is Unattached, applies the same \
                          test as compute_disk_cmk_encryption (encryption.type with a customer \
                          key passes, platform key fails, absent is an error). Disks in any other \
                          state are not applicable; an absent diskState is an error.",
            rationale: "Detached disks often outlive the machine and its owner, holding \
                        confidential data nobody watches; a customer-managed key keeps them \
                        under the organisation's key control and revocable (C1.1, CC6.1); \
                        revoking the key makes a disk that is disposed of unreadable (CC6.5).",
            remediation: "Delete disks that are no longer needed, or: Portal: Disk > Encryption > \
                          Customer-managed key. CLI: az disk update -g <rg> -n <disk> \
                          --encryption-type EncryptionAtRestWithCustomerKey \
                          --disk-encryption-set <des-id>",
            sources: &[RG],
        },
        eval: Eval::Resource(DISK, unattached_disk_cmk),
    },
    Check {
        meta: CheckMeta {
            id: "compute_disk_network_access_restricted",
            title: "Managed disks cannot be exported over public networks",
            service: "compute",
            severity: Severity::Medium,
            criteria: &["CC6.1", "CC6.6", "CC6.7"],
            cis: &["3.0.0:8.5"],
            policies: &[],
            description: "Passes when properties.networkAccessPolicy is DenyAll or AllowPrivate \
                          (export or import only through a disk access private endpoint, or not \
                          at all), or when properties.publicNetworkAccess is Disabled. Fails when \
                          networkAccessPolicy is AllowAll and public access is not disabled. Both \
                          absent is an error.",
            rationale: "With AllowAll, anyone holding a disk export SAS can download the whole \
                        disk from any network; restricting export keeps disk data from leaving \
                        the organisation's networks (CC6.7, CC6.6).",
            remediation: "Portal: Disk > Networking > Disable public access and enable private \
                          access (or Disable public and private access). CLI: az disk update -g \
                          <rg> -n <disk> --network-access-policy DenyAll \
                          --public-network-access Disabled",
            sources: &[RG],
        },
        eval: Eval::Resource(DISK, disk_network_access),
    },
    Check {
        meta: CheckMeta {
            id: "compute_disk_data_access_entra_auth",
            title: "Managed disk exports require Microsoft Entra authentication",
            service: "compute",
            severity: Severity::Low,
            criteria: &["CC6.1"],
            cis: &["3.0.0:8.6"],
            policies: &[],
            description: "Passes when properties.dataAccessAuthMode is AzureActiveDirectory; None \
                          fails; absent is an error.",
            rationale: "With Entra data access, a disk export or upload SAS is usable only by an \
                        identity authorised to read or write the disk, so a leaked SAS URL is not \
                        enough (CC6.1).",
            remediation: "Portal: Disk > Disk Export > Enable data access authentication mode. \
                          CLI: az disk update -g <rg> -n <disk> --data-access-auth-mode \
                          AzureActiveDirectory",
            sources: &[RG],
        },
        eval: Eval::Resource(DISK, disk_data_access_auth),
    },
    Check {
        meta: CheckMeta {
            id: "compute_vmss_automatic_os_upgrade",
            title: "Virtual machine scale sets upgrade OS images automatically",
            service: "compute",
            severity: Severity::Medium,
            criteria: &["CC7.1"],
            cis: &[],
            policies: &[],
            description: "Passes when properties.upgradePolicy.automaticOSUpgradePolicy\
                          .enableAutomaticOSUpgrade is true; false fails, and so does an absent \
                          value, which Azure documents as defaulting to false (recorded as null). Since catalogue 2026.12.0: absent properties.upgradePolicy.automaticOSUpgradePolicy.enableAutomaticOSUpgrade is its documented default (false) (docs/ABSENT_FIELDS.md), and a resource returned without its properties is an error.",
            rationale: "Automatic OS image upgrades roll patched images out to every instance \
                        safely, closing newly disclosed vulnerabilities without manual work \
                        (CC7.1).",
            remediation: "Portal: Virtual machine scale set > Upgrade policy > Automatic OS \
                          upgrade = Enabled (platform images). CLI: az vmss update -g <rg> -n \
                          <vmss> --enable-auto-os-upgrade true",
            sources: &[RG],
        },
        eval: Eval::Resource(VMSS, vmss_automatic_os_upgrade),
    },
    Check {
        meta: CheckMeta {
            id: "compute_vmss_zone_redundant",
            title: "Virtual machine scale sets span at least two availability zones",
            service: "compute",
            severity: Severity::Medium,
            criteria: &["A1.2"],
            cis: &[],
            policies: &[],
            description: "Reads the scale set's top-level zones. Passes with two or more zones; \
                          fails with one or none (a regional or single-zone scale set). Regions \
                          without availability zones cannot pass; accept those with a waiver.",
            rationale: "Instances spread across zones keep the workload running when one \
                        datacenter fails, part of the environmental protections and recovery \
                        infrastructure (A1.2).",
            remediation: "Zones are set at creation: Portal: create the scale set with \
                          Availability zones 1, 2 and 3 and migrate. CLI: az vmss create -g <rg> \
                          -n <vmss> --image <image> --zones 1 2 3",
            sources: &[RG],
        },
        eval: Eval::Resource(VMSS, vmss_zone_redundant),
    },
];

fn managed_disks(r: &Resource) -> Verdict {
    let Some(os) = props::value(r, "/storageProfile/osDisk") else {
        return Verdict::error(
            "properties.storageProfile.osDisk is not present in the collected data",
        )
        .observe("properties.storageProfile.osDisk", None);
    };
    // Azure lists no data disks as `[]`; absent is not "none".
    let Some(data) = props::value(r, "/storageProfile/dataDisks").and_then(Value::as_array) else {
        return Verdict::error(
            "properties.storageProfile.dataDisks is not present in the collected data (or is not \
             a list)",
        )
        .observe_prop(
            "properties.storageProfile.dataDisks",
            r,
            "/storageProfile/dataDisks",
        );
    };
    let name = |d: &Value, fallback: &str| {
        d.get("name")
            .and_then(Value::as_str)
            .unwrap_or(fallback)
            .to_string()
    };
    let unmanaged: Vec<String> = std::iter::once((os, name(os, "OS disk")))
        .chain(data.iter().map(|d| (d, name(d, "data disk"))))
        .filter(|(d, _)| d.get("managedDisk").is_none_or(Value::is_null))
        .map(|(_, n)| n)
        .collect();
    let v = if unmanaged.is_empty() {
        Verdict::pass(format!(
            "the OS disk and {} data disks are managed disks",
            data.len()
        ))
    } else {
        Verdict::fail(format!("unmanaged (VHD) disks: {}", unmanaged.join(", ")))
    };
    v.observe_value("unmanaged_disks", Value::from(unmanaged))
        .observe(
            "properties.storageProfile.osDisk.managedDisk",
            os.get("managedDisk"),
        )
        .observe("properties.storageProfile.osDisk.vhd", os.get("vhd"))
}

fn encryption_at_host(r: &Resource) -> Verdict {
    let key = "properties.securityProfile.encryptionAtHost";
    let value = props::value(r, "/securityProfile/encryptionAtHost");
    match value {
        Some(Value::Bool(true)) => Verdict::pass("encryption at host is enabled"),
        Some(Value::Bool(false)) => Verdict::fail("encryption at host is disabled"),
        None => Verdict::error(props::absent_reason(r, "/securityProfile/encryptionAtHost")),
        Some(other) => Verdict::error(format!("{key} has unexpected value {other}")),
    }
    .observe_prop(key, r, "/securityProfile/encryptionAtHost")
}

/// Whether the VM has UEFI security (Trusted Launch or confidential).
fn security_type(r: &Resource) -> Option<&str> {
    props::value(r, "/securityProfile/securityType").and_then(Value::as_str)
}

fn is_uefi(t: Option<&str>) -> bool {
    t.is_some_and(|t| {
        t.eq_ignore_ascii_case("TrustedLaunch") || t.eq_ignore_ascii_case("ConfidentialVM")
    })
}

fn trusted_launch(r: &Resource) -> Verdict {
    if !props::body_present(r) {
        return Verdict::error(props::absent_reason(r, "/securityProfile/securityType"));
    }
    let key = "properties.securityProfile.securityType";
    let t = security_type(r);
    match t {
        Some(s) if is_uefi(t) => Verdict::pass(format!("the VM uses {s}")),
        Some(s) => Verdict::fail(format!("the VM security type is {s}")),
        None => Verdict::fail(
            "securityType was not returned; Azure documents that UEFI security features are not \
             enabled unless it is set (a Standard VM)",
        ),
    }
    .observe_prop(key, r, "/securityProfile/securityType")
}

/// A `uefiSettings` flag, which exists only on Trusted Launch or confidential VMs.
fn uefi_flag(r: &Resource, flag: &str, what: &str) -> Verdict {
    if !props::body_present(r) {
        return Verdict::error(props::absent_reason(r, "/securityProfile/securityType"));
    }
    let key = format!("properties.securityProfile.uefiSettings.{flag}");
    let value = props::value(r, &format!("/securityProfile/uefiSettings/{flag}"));
    let t = security_type(r);
    let v = if !is_uefi(t) {
        Verdict::fail(format!(
            "{what} requires Trusted Launch; the VM security type is {}",
            t.unwrap_or("Standard (not set)")
        ))
    } else {
        match value {
            Some(Value::Bool(true)) => Verdict::pass(format!("{what} is enabled")),
            Some(Value::Bool(false)) => Verdict::fail(format!("{what} is disabled")),
            None => Verdict::error(format!("{key} is not present in the collected data")),
            Some(other) => Verdict::error(format!("{key} has unexpected value {other}")),
        }
    };
    v.observe(&key, value).observe_prop(
        "properties.securityProfile.securityType",
        r,
        "/securityProfile/securityType",
    )
}

fn secure_boot(r: &Resource) -> Verdict {
    uefi_flag(r, "secureBootEnabled", "Secure Boot")
}

fn vtpm(r: &Resource) -> Verdict {
    uefi_flag(r, "vTpmEnabled", "the virtual TPM")
}

/// The ARM type of a vault's protected item, the rows of its properties (`props::ROWS`).
const PROTECTED_ITEM: &str =
    "microsoft.recoveryservices/vaults/backupfabrics/protectioncontainers/protecteditems";

/// Protection states in which a VM's backups no longer run or keep failing.
const BAD_PROTECTION_STATES: [&str; 2] = ["ProtectionStopped", "ProtectionError"];

/// A vault's collected protected items (the array itself or an ARM list); `None` when they
/// were not collected.
fn protected_items(vault: &Resource) -> Option<&[Value]> {
    let items = vault.child("backupProtectedItems")?;
    Some(
        items
            .as_array()
            .or_else(|| items.get("value").and_then(Value::as_array))
            .map_or(&[], Vec::as_slice),
    )
}

/// The resource ids a protected item names (`sourceResourceId`, `virtualMachineId`).
fn protected_ids(item: &Value) -> impl Iterator<Item = &str> {
    ["sourceResourceId", "virtualMachineId"]
        .into_iter()
        .filter_map(|k| item.get("properties")?.get(k)?.as_str())
}

/// For [`Ctx::lookup`]: the resources a vault protects; a vault whose items were not collected
/// may protect any (`None`), so the VM check still sees it and says so.
fn vault_protects(vault: &Resource) -> Option<Vec<String>> {
    let items = protected_items(vault)?;
    // An item returned without its properties may protect any VM.
    if !items.iter().all(props::item_present) {
        return None;
    }
    Some(
        items
            .iter()
            .flat_map(protected_ids)
            .map(str::to_ascii_lowercase)
            .collect(),
    )
}

fn vm_backup(r: &Resource, ctx: &Ctx) -> Verdict {
    // Only the vaults that list this VM, or whose items were not collected, in inventory
    // order: a scan of every vault's items per VM is quadratic in tenant size.
    let vaults = ctx.lookup("compute.vault_protects", VAULT, vault_protects);
    let mut not_collected = Vec::new();
    let mut found: Option<(&Resource, &Value)> = None;
    for vault in vaults.get([r.id.as_str()]) {
        let Some(items) = protected_items(vault) else {
            not_collected.push(vault.id.as_str());
            continue;
        };
        // Which VM an item without properties protects cannot be told.
        let unreadable = !items.iter().all(props::item_present);
        let hit = items
            .iter()
            .find(|item| protected_ids(item).any(|id| id.eq_ignore_ascii_case(&r.id)));
        if let Some(item) = hit {
            found = Some((vault, item));
            break;
        }
        if unreadable {
            not_collected.push(vault.id.as_str());
        }
    }
    match found {
        Some((vault, item)) => {
            let state = props::item_value(PROTECTED_ITEM, item, "/protectionState");
            let v = match state.and_then(Value::as_str) {
                Some(s)
                    if BAD_PROTECTION_STATES
                        .iter()
                        .any(|b| b.eq_ignore_ascii_case(s)) =>
                {
                    Verdict::fail(format!("backup in vault {} is in state {s}", vault.name))
                }
                Some(_) => Verdict::pass(format!("the VM is backed up by vault {}", vault.name)),
                // A stopped or failing protection would fail: without the state, unknown.
                None => Verdict::error(format!(
                    "the VM's protected item in vault {} has no protectionState in the \
                     collected data",
                    vault.name
                )),
            };
            v.observe_value("vault", Value::from(vault.id.as_str()))
                .observe("protectedItem.protectionState", state)
                .observe(
                    "protectedItem.lastBackupTime",
                    item.pointer("/properties/lastBackupTime"),
                )
                .observe(
                    "protectedItem.policyId",
                    item.pointer("/properties/policyId"),
                )
        }
        None if !not_collected.is_empty() => Verdict::error(format!(
            "the VM is in no collected protected-item list, and the protected items of these \
             vaults were not collected or were returned without their properties: {}",
            not_collected.join(", ")
        ))
        .observe_value("vaults_not_collected", Value::from(not_collected)),
        None => Verdict::fail(format!(
            "no Recovery Services vault protects the VM ({} vaults searched)",
            vaults.len()
        ))
        .observe_value("vaults_searched", Value::from(vaults.len())),
    }
}

fn boot_diagnostics(r: &Resource) -> Verdict {
    let key = "properties.diagnosticsProfile.bootDiagnostics.enabled";
    let value = props::value(r, "/diagnosticsProfile/bootDiagnostics/enabled");
    match value {
        Some(Value::Bool(true)) => Verdict::pass("boot diagnostics are enabled"),
        Some(Value::Bool(false)) => Verdict::fail("boot diagnostics are disabled"),
        None => Verdict::error(format!("{key} is not present in the collected data")),
        Some(other) => Verdict::error(format!("{key} has unexpected value {other}")),
    }
    .observe(key, value)
}

fn automatic_patching(r: &Resource) -> Verdict {
    const WIN: &str = "/osProfile/windowsConfiguration";
    const LINUX: &str = "/osProfile/linuxConfiguration";
    let win = props::value(r, WIN).is_some();
    let linux = props::value(r, LINUX).is_some();
    // Each setting below is read by its row (`props::ROWS`) only under the configuration the
    // VM has, so a default of one OS never stands in for the other.
    let read = |p: &str| props::value(r, p);
    let mode = |cfg: &str| read(&format!("{cfg}/patchSettings/patchMode")).and_then(Value::as_str);
    if win {
        let auto = read(&format!("{WIN}/enableAutomaticUpdates"));
        let win_mode = mode(WIN);
        let v = match (win_mode, auto) {
            (Some(m), _)
                if m.eq_ignore_ascii_case("AutomaticByPlatform")
                    || m.eq_ignore_ascii_case("AutomaticByOS") =>
            {
                Verdict::pass(format!("Windows patch mode is {m}"))
            }
            (Some(m), _) => Verdict::fail(format!("Windows patch mode is {m}")),
            (None, Some(Value::Bool(true))) => {
                Verdict::pass("Windows Automatic Updates is enabled")
            }
            (None, Some(Value::Bool(false))) => {
                Verdict::fail("Windows Automatic Updates is disabled")
            }
            (None, None) => Verdict::error(
                "properties.osProfile.windowsConfiguration.enableAutomaticUpdates is not present \
                 in the collected data",
            ),
            (None, Some(other)) => Verdict::error(format!(
                "enableAutomaticUpdates has unexpected value {other}"
            )),
        };
        let v = v.observe(
            "properties.osProfile.windowsConfiguration.patchSettings.patchMode",
            r.prop(&format!("{WIN}/patchSettings/patchMode")),
        );
        // The default of enableAutomaticUpdates speaks only where no patch mode decided.
        return if win_mode.is_none() {
            v.observe_prop(
                "properties.osProfile.windowsConfiguration.enableAutomaticUpdates",
                r,
                &format!("{WIN}/enableAutomaticUpdates"),
            )
        } else {
            v.observe(
                "properties.osProfile.windowsConfiguration.enableAutomaticUpdates",
                auto,
            )
        };
    }
    if linux {
        return match mode(LINUX) {
            Some(m) if m.eq_ignore_ascii_case("AutomaticByPlatform") => {
                Verdict::pass("Linux patch mode is AutomaticByPlatform")
            }
            Some(m) => Verdict::fail(format!("Linux patch mode is {m}")),
            None => Verdict::error(
                "properties.osProfile.linuxConfiguration.patchSettings.patchMode is not present \
                 in the collected data",
            ),
        }
        .observe_prop(
            "properties.osProfile.linuxConfiguration.patchSettings.patchMode",
            r,
            &format!("{LINUX}/patchSettings/patchMode"),
        );
    }
    Verdict::error(
        "neither osProfile.windowsConfiguration nor osProfile.linuxConfiguration is present in \
         the collected data",
    )
    .observe_prop("properties.osProfile", r, "/osProfile")
}

fn linux_ssh_key_auth(r: &Resource) -> Verdict {
    let key = "properties.osProfile.linuxConfiguration.disablePasswordAuthentication";
    if props::value(r, "/osProfile/windowsConfiguration").is_some() {
        return Verdict::not_applicable("the VM runs Windows");
    }
    if props::value(r, "/osProfile/linuxConfiguration").is_none() {
        return Verdict::error(
            "properties.osProfile.linuxConfiguration is not present in the collected data",
        )
        .observe_prop("properties.osProfile", r, "/osProfile");
    }
    let value = props::value(
        r,
        "/osProfile/linuxConfiguration/disablePasswordAuthentication",
    );
    match value {
        Some(Value::Bool(true)) => Verdict::pass("SSH password authentication is disabled"),
        Some(Value::Bool(false)) => Verdict::fail("SSH password authentication is allowed"),
        None | Some(Value::Null) => {
            Verdict::error(format!("{key} is not present in the collected data"))
        }
        Some(other) => Verdict::error(format!("{key} has unexpected value {other}")),
    }
    .observe(key, value)
}

/// Disk encryption types that use a customer-managed key.
const CMK_TYPES: [&str; 2] = [
    "EncryptionAtRestWithCustomerKey",
    "EncryptionAtRestWithPlatformAndCustomerKeys",
];

fn disk_cmk(r: &Resource) -> Verdict {
    match require_str(r, "/encryption/type") {
        Ok(t) if CMK_TYPES.iter().any(|c| c.eq_ignore_ascii_case(t)) => {
            Verdict::pass(format!("the disk is encrypted with {t}"))
        }
        Ok(t) => Verdict::fail(format!("the disk is encrypted with {t}")),
        Err(v) => return v,
    }
    .observe_prop("properties.encryption.type", r, "/encryption/type")
    .observe_prop(
        "properties.encryption.diskEncryptionSetId",
        r,
        "/encryption/diskEncryptionSetId",
    )
}

fn unattached_disk_cmk(r: &Resource) -> Verdict {
    let state = props::value(r, "/diskState");
    match state.and_then(Value::as_str) {
        Some(s) if s.eq_ignore_ascii_case("Unattached") => {
            disk_cmk(r).observe("properties.diskState", state)
        }
        Some(s) => Verdict::not_applicable(format!("the disk is {s}"))
            .observe("properties.diskState", state),
        None => Verdict::error("properties.diskState is not present in the collected data")
            .observe("properties.diskState", state),
    }
}

fn disk_network_access(r: &Resource) -> Verdict {
    let nap = props::value(r, "/networkAccessPolicy");
    let pna = props::value(r, "/publicNetworkAccess");
    let v = match (nap.and_then(Value::as_str), pna.and_then(Value::as_str)) {
        (_, Some(p)) if p.eq_ignore_ascii_case("Disabled") => {
            Verdict::pass("public network access to the disk is disabled")
        }
        (Some(n), _) if n.eq_ignore_ascii_case("DenyAll") => {
            Verdict::pass("the disk cannot be exported over any network")
        }
        (Some(n), _) if n.eq_ignore_ascii_case("AllowPrivate") => {
            Verdict::pass("the disk can be exported only through a private endpoint")
        }
        (Some(n), _) => Verdict::fail(format!(
            "network access policy {n} lets the disk be exported from any network"
        )),
        (None, Some(p)) => Verdict::fail(format!(
            "public network access is {p} and no network access policy was returned"
        )),
        (None, None) => Verdict::error(
            "neither properties.networkAccessPolicy nor properties.publicNetworkAccess is present \
             in the collected data",
        ),
    };
    v.observe("properties.networkAccessPolicy", nap)
        .observe("properties.publicNetworkAccess", pna)
}

fn disk_data_access_auth(r: &Resource) -> Verdict {
    match require_str(r, "/dataAccessAuthMode") {
        Ok(m) if m.eq_ignore_ascii_case("AzureActiveDirectory") => {
            Verdict::pass("disk export and upload require Microsoft Entra authorisation")
        }
        Ok(m) => Verdict::fail(format!("data access authentication mode is {m}")),
        Err(v) => return v,
    }
    .observe_prop("properties.dataAccessAuthMode", r, "/dataAccessAuthMode")
}

fn vmss_automatic_os_upgrade(r: &Resource) -> Verdict {
    let key = "properties.upgradePolicy.automaticOSUpgradePolicy.enableAutomaticOSUpgrade";
    let value = props::value(
        r,
        "/upgradePolicy/automaticOSUpgradePolicy/enableAutomaticOSUpgrade",
    );
    match value {
        Some(Value::Bool(true)) => Verdict::pass("automatic OS image upgrades are enabled"),
        Some(Value::Bool(false)) => Verdict::fail("automatic OS image upgrades are disabled"),
        None => Verdict::error(props::absent_reason(
            r,
            "/upgradePolicy/automaticOSUpgradePolicy/enableAutomaticOSUpgrade",
        )),
        Some(other) => Verdict::error(format!("{key} has unexpected value {other}")),
    }
    .observe_prop(
        key,
        r,
        "/upgradePolicy/automaticOSUpgradePolicy/enableAutomaticOSUpgrade",
    )
}

fn vmss_zone_redundant(r: &Resource) -> Verdict {
    let zones = &r.zones;
    let v = match zones.len() {
        n if n >= 2 => Verdict::pass(format!("instances span zones {}", zones.join(", "))),
        1 => Verdict::fail(format!("instances are pinned to zone {}", zones[0])),
        _ => Verdict::fail("the scale set is not zonal: no zones are set"),
    };
    v.observe_value("zones", json!(zones))
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::checks::FindingStatus as S;
    use crate::checks::network::ctx_eval;
    use crate::checks::testutil::{
        eval_resource, fixture_resource, resource, set_prop, without_body,
    };
    use crate::model::Resource;

    /// Windows VM on managed disks, enableAutomaticUpdates false, boot diagnostics on, no
    /// securityProfile.
    const VM_GET: &str = "compute/virtual_machine_get.2025-04-01.json";
    /// securityProfile.encryptionAtHost true, enableAutomaticUpdates true.
    const VM_EAH: &str = "compute/virtual_machine_create_encryption_at_host.2025-04-01.json";
    /// Three disks with EncryptionAtRestWithPlatformKey, no diskState or network fields.
    const DISKS: &str = "compute/managed_disks_list.2025-01-02.json";
    const VAULT_GET: &str = "backup/recovery_services_vault_get.2025-02-01.json";
    const VMSS_GET: &str =
        include_str!("../../tests/fixtures/handmade/compute/virtual_machine_scale_set_get.json");
    const PROTECTED: &str =
        include_str!("../../tests/fixtures/handmade/backup/backup_protected_items_list.json");

    fn vm(edit: impl FnOnce(&mut Resource)) -> Resource {
        let mut r = fixture_resource(VM_GET, 0);
        edit(&mut r);
        r
    }

    fn disk(edit: impl FnOnce(&mut Resource)) -> Resource {
        let mut r = fixture_resource(DISKS, 1);
        edit(&mut r);
        r
    }

    fn vmss(edit: impl FnOnce(&mut Resource)) -> Resource {
        let mut r = resource(serde_json::from_str(VMSS_GET).unwrap());
        edit(&mut r);
        r
    }

    fn trusted(r: &mut Resource) {
        set_prop(
            r,
            "/securityProfile",
            json!({"securityType": "TrustedLaunch", "uefiSettings": {"secureBootEnabled": true, "vTpmEnabled": true}}),
        );
    }

    #[test]
    fn compute_vm_managed_disks_pass() {
        let v = eval_resource("compute_vm_managed_disks", &vm(|_| {}));
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Pass, "the OS disk and 2 data disks are managed disks")
        );
    }
    #[test]
    fn compute_vm_managed_disks_fail() {
        let r = vm(|r| {
            set_prop(r, "/storageProfile/dataDisks/1/managedDisk", json!(null));
            set_prop(
                r,
                "/storageProfile/dataDisks/1/vhd",
                json!({"uri": "https://sa.blob.core.windows.net/vhds/d1.vhd"}),
            );
        });
        let v = eval_resource("compute_vm_managed_disks", &r);
        assert_eq!(v.status, S::Fail);
        assert_eq!(v.observed["unmanaged_disks"], json!(["myDataDisk1"]));
    }
    #[test]
    fn compute_vm_managed_disks_missing() {
        let v = eval_resource(
            "compute_vm_managed_disks",
            &vm(|r| set_prop(r, "/storageProfile/osDisk", json!(null))),
        );
        assert_eq!(v.status, S::Error);
        assert_eq!(v.observed["properties.storageProfile.osDisk"], Value::Null);
        // Azure lists no data disks as []: an absent list may hide an unmanaged disk.
        let v = eval_resource(
            "compute_vm_managed_disks",
            &vm(|r| set_prop(r, "/storageProfile/dataDisks", json!(null))),
        );
        assert_eq!(v.status, S::Error, "{}", v.reason);
        assert!(v.reason.contains("dataDisks"), "{}", v.reason);
    }

    #[test]
    fn compute_vm_encryption_at_host_pass() {
        let v = eval_resource(
            "compute_vm_encryption_at_host",
            &fixture_resource(VM_EAH, 0),
        );
        assert_eq!(v.status, S::Pass);
        assert_eq!(
            v.observed["properties.securityProfile.encryptionAtHost"],
            json!(true)
        );
    }
    #[test]
    fn compute_vm_encryption_at_host_fail() {
        let r = vm(|r| set_prop(r, "/securityProfile", json!({"encryptionAtHost": false})));
        assert_eq!(
            eval_resource("compute_vm_encryption_at_host", &r).status,
            S::Fail
        );
    }
    #[test]
    fn compute_vm_encryption_at_host_missing() {
        // Documented default: disabled unless set. Fails, recorded as null.
        let v = eval_resource("compute_vm_encryption_at_host", &vm(|_| {}));
        assert_eq!(v.status, S::Fail);
        assert!(
            v.reason.contains("documented default false"),
            "{}",
            v.reason
        );
        assert_eq!(
            v.observed["properties.securityProfile.encryptionAtHost"],
            Value::Null
        );
        let v = eval_resource("compute_vm_encryption_at_host", &without_body(&vm(|_| {})));
        assert_eq!(v.status, S::Error);
    }

    #[test]
    fn compute_vm_trusted_launch_pass() {
        let v = eval_resource("compute_vm_trusted_launch", &vm(trusted));
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Pass, "the VM uses TrustedLaunch")
        );
    }
    #[test]
    fn compute_vm_trusted_launch_fail() {
        let r = vm(|r| set_prop(r, "/securityProfile", json!({"securityType": "Standard"})));
        assert_eq!(
            eval_resource("compute_vm_trusted_launch", &r).status,
            S::Fail
        );
    }
    #[test]
    fn compute_vm_trusted_launch_missing() {
        let v = eval_resource("compute_vm_trusted_launch", &vm(|_| {}));
        assert_eq!(v.status, S::Fail);
        assert!(v.reason.contains("Standard VM"));
        assert_eq!(
            v.observed["properties.securityProfile.securityType"],
            Value::Null
        );
    }

    #[test]
    fn compute_vm_secure_boot_enabled_pass() {
        assert_eq!(
            eval_resource("compute_vm_secure_boot_enabled", &vm(trusted)).status,
            S::Pass
        );
    }
    #[test]
    fn compute_vm_secure_boot_enabled_fail() {
        let r = vm(|r| {
            trusted(r);
            set_prop(
                r,
                "/securityProfile/uefiSettings/secureBootEnabled",
                json!(false),
            );
        });
        assert_eq!(
            eval_resource("compute_vm_secure_boot_enabled", &r).reason,
            "Secure Boot is disabled"
        );
        // A Standard VM has no Secure Boot at all.
        let v = eval_resource("compute_vm_secure_boot_enabled", &vm(|_| {}));
        assert_eq!(v.status, S::Fail);
        assert!(v.reason.contains("requires Trusted Launch"));
    }
    #[test]
    fn compute_vm_secure_boot_enabled_missing() {
        let r = vm(|r| {
            set_prop(
                r,
                "/securityProfile",
                json!({"securityType": "TrustedLaunch"}),
            )
        });
        let v = eval_resource("compute_vm_secure_boot_enabled", &r);
        assert_eq!(v.status, S::Error);
        assert_eq!(
            v.observed["properties.securityProfile.uefiSettings.secureBootEnabled"],
            Value::Null
        );
    }

    #[test]
    fn compute_vm_vtpm_enabled_pass() {
        assert_eq!(
            eval_resource("compute_vm_vtpm_enabled", &vm(trusted)).status,
            S::Pass
        );
    }
    #[test]
    fn compute_vm_vtpm_enabled_fail() {
        let r = vm(|r| {
            trusted(r);
            set_prop(r, "/securityProfile/uefiSettings/vTpmEnabled", json!(false));
        });
        assert_eq!(
            eval_resource("compute_vm_vtpm_enabled", &r).reason,
            "the virtual TPM is disabled"
        );
    }
    #[test]
    fn compute_vm_vtpm_enabled_missing() {
        let r = vm(|r| {
            set_prop(
                r,
                "/securityProfile",
                json!({"securityType": "ConfidentialVM", "uefiSettings": {"secureBootEnabled": true}}),
            )
        });
        assert_eq!(
            eval_resource("compute_vm_vtpm_enabled", &r).status,
            S::Error
        );
    }

    /// Microsoft's vault example with Microsoft's protected-item list pointed at `vm_id`.
    fn vault_protecting(vm_id: &str, state: &str) -> Resource {
        let mut vault = fixture_resource(VAULT_GET, 0);
        let mut items: Value = serde_json::from_str(PROTECTED).unwrap();
        let p = &mut items["value"][0]["properties"];
        p["sourceResourceId"] = json!(vm_id);
        p["virtualMachineId"] = json!(vm_id);
        p["protectionState"] = json!(state);
        vault
            .children
            .insert("backupProtectedItems".into(), items["value"].clone());
        vault
    }

    #[test]
    fn compute_vm_backup_enabled_pass() {
        let r = vm(|_| {});
        let vault = vault_protecting(&r.id.to_uppercase(), "Protected");
        let v = ctx_eval::resource("compute_vm_backup_enabled", &r, &[vault]);
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert_eq!(
            v.observed["protectedItem.protectionState"],
            json!("Protected")
        );
        assert!(
            v.observed["protectedItem.policyId"]
                .as_str()
                .unwrap()
                .ends_with("testPolicy1")
        );
    }
    #[test]
    fn compute_vm_backup_enabled_fail() {
        let r = vm(|_| {});
        // Microsoft's list protects a classic VM, not this one.
        let mut vault = fixture_resource(VAULT_GET, 0);
        let items: Value = serde_json::from_str(PROTECTED).unwrap();
        vault
            .children
            .insert("backupProtectedItems".into(), items["value"].clone());
        let v = ctx_eval::resource("compute_vm_backup_enabled", &r, &[vault]);
        assert_eq!(v.status, S::Fail);
        assert_eq!(v.observed["vaults_searched"], json!(1));
        // Stopped protection keeps old recovery points but takes no new backups.
        let vault = vault_protecting(&r.id, "ProtectionStopped");
        let v = ctx_eval::resource("compute_vm_backup_enabled", &r, &[vault]);
        assert_eq!(v.status, S::Fail);
        assert!(v.reason.contains("ProtectionStopped"));
    }
    #[test]
    fn compute_vm_backup_enabled_missing() {
        let r = vm(|_| {});
        let vault = fixture_resource(VAULT_GET, 0);
        let v = ctx_eval::resource("compute_vm_backup_enabled", &r, &[vault]);
        assert_eq!(v.status, S::Error);
        assert!(v.reason.contains("not collected"));
        assert_eq!(
            v.observed["vaults_not_collected"][0],
            json!(fixture_resource(VAULT_GET, 0).id)
        );
        // The VM's item without a protectionState: stopped protection would fail, so unknown.
        let mut vault = vault_protecting(&r.id, "Protected");
        let items = vault.children.get_mut("backupProtectedItems").unwrap();
        for item in items.as_array_mut().unwrap() {
            item["properties"]
                .as_object_mut()
                .unwrap()
                .remove("protectionState");
        }
        let v = ctx_eval::resource("compute_vm_backup_enabled", &r, &[vault]);
        assert_eq!(v.status, S::Error, "{}", v.reason);
        assert!(v.reason.contains("protectionState"), "{}", v.reason);
        // An item returned without its properties may be this VM's: not a fail.
        let mut vault = vault_protecting(&r.id, "Protected");
        let items = vault.children.get_mut("backupProtectedItems").unwrap();
        for item in items.as_array_mut().unwrap() {
            item["properties"] = json!({});
        }
        let v = ctx_eval::resource("compute_vm_backup_enabled", &r, &[vault]);
        assert_eq!(v.status, S::Error, "{}", v.reason);
        assert!(
            v.reason.contains("without their properties"),
            "{}",
            v.reason
        );
    }

    #[test]
    fn compute_vm_boot_diagnostics_enabled_pass() {
        assert_eq!(
            eval_resource("compute_vm_boot_diagnostics_enabled", &vm(|_| {})).status,
            S::Pass
        );
    }
    #[test]
    fn compute_vm_boot_diagnostics_enabled_fail() {
        let r = vm(|r| {
            set_prop(
                r,
                "/diagnosticsProfile/bootDiagnostics/enabled",
                json!(false),
            )
        });
        assert_eq!(
            eval_resource("compute_vm_boot_diagnostics_enabled", &r).status,
            S::Fail
        );
    }
    #[test]
    fn compute_vm_boot_diagnostics_enabled_missing() {
        let v = eval_resource(
            "compute_vm_boot_diagnostics_enabled",
            &fixture_resource(VM_EAH, 0),
        );
        assert_eq!(v.status, S::Error);
    }

    #[test]
    fn compute_vm_automatic_patching_pass() {
        // Microsoft's create example: enableAutomaticUpdates true.
        let v = eval_resource(
            "compute_vm_automatic_patching",
            &fixture_resource(VM_EAH, 0),
        );
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Pass, "Windows Automatic Updates is enabled")
        );
        let r = vm(|r| {
            set_prop(
                r,
                "/osProfile/windowsConfiguration/patchSettings",
                json!({"patchMode": "AutomaticByPlatform"}),
            )
        });
        assert_eq!(
            eval_resource("compute_vm_automatic_patching", &r).status,
            S::Pass
        );
    }
    #[test]
    fn compute_vm_automatic_patching_fail() {
        // Microsoft's get example: enableAutomaticUpdates false.
        let v = eval_resource("compute_vm_automatic_patching", &vm(|_| {}));
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "Windows Automatic Updates is disabled")
        );
        let r = vm(|r| {
            set_prop(r, "/osProfile/windowsConfiguration", json!(null));
            set_prop(
                r,
                "/osProfile/linuxConfiguration",
                json!({"disablePasswordAuthentication": true, "patchSettings": {"patchMode": "ImageDefault"}}),
            );
        });
        assert_eq!(
            eval_resource("compute_vm_automatic_patching", &r).status,
            S::Fail
        );
    }
    #[test]
    fn compute_vm_automatic_patching_missing() {
        let v = eval_resource(
            "compute_vm_automatic_patching",
            &vm(|r| set_prop(r, "/osProfile", json!(null))),
        );
        assert_eq!(v.status, S::Error);
        assert_eq!(v.observed["properties.osProfile"], Value::Null);
    }

    /// What each absent patch setting reads as, by its row: Windows Automatic Updates default
    /// on; a Linux VM without a patch mode has ImageDefault (no orchestrated patching).
    #[test]
    fn compute_vm_automatic_patching_absent_settings() {
        let r = vm(|r| {
            set_prop(
                r,
                "/osProfile/windowsConfiguration/enableAutomaticUpdates",
                json!(null),
            );
        });
        let v = eval_resource("compute_vm_automatic_patching", &r);
        assert_eq!(v.status, S::Pass, "{}", v.reason);
        assert!(v.reason.contains("documented default true"), "{}", v.reason);
        let r = vm(|r| {
            set_prop(r, "/osProfile/windowsConfiguration", json!(null));
            set_prop(
                r,
                "/osProfile/linuxConfiguration",
                json!({"disablePasswordAuthentication": true}),
            );
        });
        let v = eval_resource("compute_vm_automatic_patching", &r);
        assert_eq!(v.status, S::Fail, "{}", v.reason);
        assert!(v.reason.contains("ImageDefault"), "{}", v.reason);
    }

    fn linux(edit: impl FnOnce(&mut Value)) -> Resource {
        vm(|r| {
            set_prop(r, "/osProfile/windowsConfiguration", json!(null));
            let mut cfg = json!({"disablePasswordAuthentication": true});
            edit(&mut cfg);
            set_prop(r, "/osProfile/linuxConfiguration", cfg);
        })
    }

    #[test]
    fn compute_vm_linux_ssh_key_auth_pass() {
        assert_eq!(
            eval_resource("compute_vm_linux_ssh_key_auth", &linux(|_| {})).status,
            S::Pass
        );
        assert_eq!(
            eval_resource("compute_vm_linux_ssh_key_auth", &vm(|_| {})).status,
            S::NotApplicable
        );
    }
    #[test]
    fn compute_vm_linux_ssh_key_auth_fail() {
        let r = linux(|c| c["disablePasswordAuthentication"] = json!(false));
        assert_eq!(
            eval_resource("compute_vm_linux_ssh_key_auth", &r).reason,
            "SSH password authentication is allowed"
        );
    }
    #[test]
    fn compute_vm_linux_ssh_key_auth_missing() {
        let r = linux(|c| {
            c.as_object_mut()
                .unwrap()
                .remove("disablePasswordAuthentication");
        });
        assert_eq!(
            eval_resource("compute_vm_linux_ssh_key_auth", &r).status,
            S::Error
        );
    }

    const DES: &str = "/subscriptions/{subscriptionId}/resourceGroups/myResourceGroup/providers/Microsoft.Compute/diskEncryptionSets/myDes";

    #[test]
    fn compute_disk_cmk_encryption_pass() {
        let r = disk(|r| {
            set_prop(
                r,
                "/encryption",
                json!({"type": "EncryptionAtRestWithCustomerKey", "diskEncryptionSetId": DES}),
            )
        });
        let v = eval_resource("compute_disk_cmk_encryption", &r);
        assert_eq!(v.status, S::Pass);
        assert_eq!(
            v.observed["properties.encryption.diskEncryptionSetId"],
            json!(DES)
        );
    }
    #[test]
    fn compute_disk_cmk_encryption_fail() {
        let v = eval_resource("compute_disk_cmk_encryption", &disk(|_| {}));
        assert_eq!(
            (v.status, v.reason.as_str()),
            (
                S::Fail,
                "the disk is encrypted with EncryptionAtRestWithPlatformKey"
            )
        );
    }
    #[test]
    fn compute_disk_cmk_encryption_missing() {
        let v = eval_resource(
            "compute_disk_cmk_encryption",
            &disk(|r| set_prop(r, "/encryption", json!(null))),
        );
        assert_eq!(v.status, S::Error);
    }

    #[test]
    fn compute_disk_unattached_cmk_encrypted_pass() {
        let r = disk(|r| {
            set_prop(r, "/diskState", json!("Unattached"));
            set_prop(
                r,
                "/encryption/type",
                json!("EncryptionAtRestWithPlatformAndCustomerKeys"),
            );
        });
        assert_eq!(
            eval_resource("compute_disk_unattached_cmk_encrypted", &r).status,
            S::Pass
        );
        let r = disk(|r| set_prop(r, "/diskState", json!("Attached")));
        assert_eq!(
            eval_resource("compute_disk_unattached_cmk_encrypted", &r).status,
            S::NotApplicable
        );
    }
    #[test]
    fn compute_disk_unattached_cmk_encrypted_fail() {
        let r = disk(|r| set_prop(r, "/diskState", json!("Unattached")));
        let v = eval_resource("compute_disk_unattached_cmk_encrypted", &r);
        assert_eq!(v.status, S::Fail);
        assert_eq!(v.observed["properties.diskState"], json!("Unattached"));
    }
    #[test]
    fn compute_disk_unattached_cmk_encrypted_missing() {
        // Microsoft's list example carries no diskState.
        let v = eval_resource("compute_disk_unattached_cmk_encrypted", &disk(|_| {}));
        assert_eq!(v.status, S::Error);
        assert_eq!(v.observed["properties.diskState"], Value::Null);
    }

    #[test]
    fn compute_disk_network_access_restricted_pass() {
        for (nap, pna) in [
            ("DenyAll", "Enabled"),
            ("AllowPrivate", "Enabled"),
            ("AllowAll", "Disabled"),
        ] {
            let r = disk(|r| {
                set_prop(r, "/networkAccessPolicy", json!(nap));
                set_prop(r, "/publicNetworkAccess", json!(pna));
            });
            let v = eval_resource("compute_disk_network_access_restricted", &r);
            assert_eq!(v.status, S::Pass, "{nap}/{pna}: {}", v.reason);
        }
    }
    #[test]
    fn compute_disk_network_access_restricted_fail() {
        let r = disk(|r| set_prop(r, "/networkAccessPolicy", json!("AllowAll")));
        let v = eval_resource("compute_disk_network_access_restricted", &r);
        assert_eq!(v.status, S::Fail);
        assert_eq!(
            v.observed["properties.networkAccessPolicy"],
            json!("AllowAll")
        );
    }
    #[test]
    fn compute_disk_network_access_restricted_missing() {
        let v = eval_resource("compute_disk_network_access_restricted", &disk(|_| {}));
        assert_eq!(v.status, S::Error);
        assert_eq!(v.observed["properties.networkAccessPolicy"], Value::Null);
    }

    #[test]
    fn compute_disk_data_access_entra_auth_pass() {
        let r = disk(|r| set_prop(r, "/dataAccessAuthMode", json!("AzureActiveDirectory")));
        assert_eq!(
            eval_resource("compute_disk_data_access_entra_auth", &r).status,
            S::Pass
        );
    }
    #[test]
    fn compute_disk_data_access_entra_auth_fail() {
        let r = disk(|r| set_prop(r, "/dataAccessAuthMode", json!("None")));
        assert_eq!(
            eval_resource("compute_disk_data_access_entra_auth", &r).reason,
            "data access authentication mode is None"
        );
    }
    #[test]
    fn compute_disk_data_access_entra_auth_missing() {
        assert_eq!(
            eval_resource("compute_disk_data_access_entra_auth", &disk(|_| {})).status,
            S::Error
        );
    }

    #[test]
    fn compute_vmss_automatic_os_upgrade_pass() {
        let r = vmss(|r| {
            set_prop(
                r,
                "/upgradePolicy/automaticOSUpgradePolicy/enableAutomaticOSUpgrade",
                json!(true),
            )
        });
        assert_eq!(
            eval_resource("compute_vmss_automatic_os_upgrade", &r).status,
            S::Pass
        );
    }
    #[test]
    fn compute_vmss_automatic_os_upgrade_fail() {
        // Microsoft's example: enableAutomaticOSUpgrade false.
        let v = eval_resource("compute_vmss_automatic_os_upgrade", &vmss(|_| {}));
        assert_eq!(
            (v.status, v.reason.as_str()),
            (S::Fail, "automatic OS image upgrades are disabled")
        );
    }
    #[test]
    fn compute_vmss_automatic_os_upgrade_missing() {
        // Documented default false: an absent value fails, recorded as null.
        let v = eval_resource(
            "compute_vmss_automatic_os_upgrade",
            &vmss(|r| set_prop(r, "/upgradePolicy", json!(null))),
        );
        assert_eq!(v.status, S::Fail);
        assert!(
            v.reason.contains("documented default false"),
            "{}",
            v.reason
        );
        assert_eq!(
            v.observed["properties.upgradePolicy.automaticOSUpgradePolicy.enableAutomaticOSUpgrade"],
            Value::Null
        );
    }

    #[test]
    fn compute_vmss_zone_redundant_pass() {
        let r = vmss(|r| r.zones = vec!["1".into(), "2".into(), "3".into()]);
        let v = eval_resource("compute_vmss_zone_redundant", &r);
        assert_eq!(v.status, S::Pass);
        assert_eq!(v.observed["zones"], json!(["1", "2", "3"]));
    }
    #[test]
    fn compute_vmss_zone_redundant_fail() {
        let r = vmss(|r| r.zones = vec!["2".into()]);
        assert_eq!(
            eval_resource("compute_vmss_zone_redundant", &r).reason,
            "instances are pinned to zone 2"
        );
    }
    #[test]
    fn compute_vmss_zone_redundant_missing() {
        // Microsoft's example has no zones: a regional scale set.
        let v = eval_resource("compute_vmss_zone_redundant", &vmss(|_| {}));
        assert_eq!(v.status, S::Fail);
        assert_eq!(v.observed["zones"], json!([]));
    }
}
