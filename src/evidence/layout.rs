//! Where each evidence file kind lives under the evidence root: the one place that names paths,
//! so the builders, the readers (`Snapshot`), the schemas and the report agree.

use crate::model::InventoryPart;

pub const MANIFEST: &str = "manifest.json";
pub const SUMMARY: &str = "summary.json";
pub const WAIVERS: &str = "waivers.json";

pub fn control_path(id: &str) -> String {
    format!("controls/{id}.json")
}
pub fn check_path(id: &str) -> String {
    format!("checks/{id}.json")
}
pub fn changes_path(month: &str) -> String {
    format!("changes/{month}.json")
}
pub fn inventory_path(part: InventoryPart) -> String {
    format!("inventory/{}.json", part.name())
}

/// The files of the previous snapshot that [`super::build`] reads: its manifest (hash chain)
/// and the change population it appends to. Callers may pass a snapshot holding only these.
pub fn read_from_previous(path: &str) -> bool {
    path == MANIFEST || path.starts_with("changes/")
}
