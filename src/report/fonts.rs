//! The report's typeface: DejaVu Sans and DejaVu Sans Bold, compiled into the binary
//! (`assets/fonts/`, licence in `assets/fonts/LICENSE-DejaVu.txt`) so that resource, user and
//! organisation names outside Latin-1 (Cyrillic, Greek, accented Latin…) render and extract
//! correctly, on any machine, with the same bytes.
//!
//! This module owns three things: which characters can be drawn ([`clean`]), how wide a string
//! is ([`width`]), and the font programs embedded in a PDF ([`subset`]).
//!
//! Coverage: DejaVu covers Latin, Greek, Cyrillic, Armenian, Georgian, Hebrew, Arabic (isolated
//! forms) and many symbols, but not CJK ideographs, kana or Hangul. A character neither face
//! has is replaced by U+FFFD (�), which is drawn and extracted as such, so a reader sees that
//! something was there; text is never dropped silently. Characters are drawn one glyph each,
//! without shaping: scripts that need contextual forms (Arabic joining, Indic) are legible but
//! not typeset properly.
//!
//! Subsetting: printpdf (without its text-layout feature) embeds whole font files, 1.5 MB for
//! the two faces. We subset with allsorts before handing the font to printpdf: the glyph list
//! is sorted and the subset's glyph ids are positions in that list, so the embedded program is
//! a pure function of the characters used, identical across processes and machines.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use printpdf::ParsedFont;

static REGULAR_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// What is drawn in place of a character neither face has.
pub(super) const MARKER: char = '\u{FFFD}';

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub(super) enum Face {
    Regular,
    Bold,
}

impl Face {
    pub(super) const ALL: [Face; 2] = [Face::Regular, Face::Bold];

    /// PostScript name of the face (the subset keeps it, after the subset tag).
    fn postscript_name(self) -> &'static str {
        match self {
            Face::Regular => "DejaVuSans",
            Face::Bold => "DejaVuSans-Bold",
        }
    }

    /// The name the content streams use for the face: fixed, because printpdf would otherwise
    /// draw a resource name from its process-wide counter.
    pub(super) fn resource_id(self) -> &'static str {
        match self {
            Face::Regular => "FRegular",
            Face::Bold => "FBold",
        }
    }

    fn bytes(self) -> &'static [u8] {
        match self {
            Face::Regular => REGULAR_TTF,
            Face::Bold => BOLD_TTF,
        }
    }
}

/// A parsed face: glyph ids and advances, for measuring and subsetting.
struct Metrics {
    units_per_em: f32,
    /// Codepoint → glyph id, from the font's Unicode cmap.
    glyphs: BTreeMap<u32, u16>,
    /// Advance of each codepoint below U+10000 in font units; `u16::MAX` where the face has no
    /// glyph. A dense table because measuring is the layout's inner loop.
    bmp: Vec<u16>,
    astral: BTreeMap<u32, u16>,
}

const MISSING: u16 = u16::MAX;

impl Metrics {
    fn parse(face: Face) -> Metrics {
        let mut warnings = Vec::new();
        // The fonts are compiled in and covered by tests; failing to parse them is a build
        // defect, not a runtime condition.
        let f = ParsedFont::from_bytes(face.bytes(), 0, &mut warnings)
            .unwrap_or_else(|| panic!("embedded {} does not parse", face.postscript_name()));
        let mut bmp = vec![MISSING; 0x10000];
        let mut astral = BTreeMap::new();
        for (&cp, &gid) in &f.codepoint_to_glyph {
            let adv = f
                .glyph_widths
                .get(&gid)
                .copied()
                .unwrap_or(0)
                .min(MISSING - 1);
            match usize::try_from(cp) {
                Ok(i) if i < bmp.len() => bmp[i] = adv,
                _ => {
                    astral.insert(cp, adv);
                }
            }
        }
        Metrics {
            units_per_em: f32::from(f.units_per_em),
            glyphs: f.codepoint_to_glyph,
            bmp,
            astral,
        }
    }

    fn advance(&self, c: char) -> Option<u16> {
        let cp = c as u32;
        let a = match self.bmp.get(cp as usize) {
            Some(a) => *a,
            None => *self.astral.get(&cp)?,
        };
        (a != MISSING).then_some(a)
    }
}

fn metrics(face: Face) -> &'static Metrics {
    static REGULAR: OnceLock<Metrics> = OnceLock::new();
    static BOLD: OnceLock<Metrics> = OnceLock::new();
    match face {
        Face::Regular => REGULAR.get_or_init(|| Metrics::parse(Face::Regular)),
        Face::Bold => BOLD.get_or_init(|| Metrics::parse(Face::Bold)),
    }
}

/// True when both faces can draw `c`, so a string drawn in either face looks the same.
fn drawable(c: char) -> bool {
    metrics(Face::Regular).advance(c).is_some() && metrics(Face::Bold).advance(c).is_some()
}

/// `s` made drawable: control characters (which have no glyph) become spaces, characters the
/// faces lack become [`MARKER`]. Every string passes through here before it is measured or
/// drawn, so what is drawn is what a text extractor (an auditor's search) reads back.
pub(super) fn clean(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() {
                ' '
            } else if drawable(c) {
                c
            } else {
                MARKER
            }
        })
        .collect()
}

/// Advance of one character in em; a character the face lacks is measured as the marker.
pub(super) fn advance(c: char, face: Face) -> f32 {
    let m = metrics(face);
    let units = m
        .advance(c)
        .or_else(|| m.advance(MARKER))
        .unwrap_or(MISSING);
    f32::from(units) / m.units_per_em
}

/// Width of `s` in points at `size`, as it will be set (no kerning, one glyph per character).
pub(super) fn width(s: &str, size: f32, face: Face) -> f32 {
    s.chars().map(|c| advance(c, face)).sum::<f32>() * size
}

/// The font program to embed for `face`, reduced to the glyphs of `chars` (plus `.notdef`).
///
/// Glyph ids in the subset are positions in the sorted glyph list, and the returned font's
/// character map is set from that list directly (not read back from the subset's own cmap), so
/// every drawn character maps to the glyph it was measured with. The PostScript name carries a
/// subset tag derived from the glyph list, as ISO 32000 asks of subset fonts.
pub(super) fn subset(face: Face, chars: &BTreeSet<char>) -> Result<ParsedFont, String> {
    use allsorts::binary::read::ReadScope;
    use allsorts::font_data::FontData;
    use allsorts::subset::{CmapTarget, SubsetProfile};

    let m = metrics(face);
    let mut by_glyph: BTreeMap<u16, Vec<char>> = BTreeMap::new();
    for &c in chars {
        if let Some(&gid) = m.glyphs.get(&(c as u32))
            && gid != 0
        {
            by_glyph.entry(gid).or_default().push(c);
        }
    }
    let gids: Vec<u16> = std::iter::once(0).chain(by_glyph.keys().copied()).collect();

    let font = ReadScope::new(face.bytes())
        .read::<FontData<'_>>()
        .map_err(|e| format!("{}: {e}", face.postscript_name()))?;
    let provider = font
        .table_provider(0)
        .map_err(|e| format!("{}: {e}", face.postscript_name()))?;
    let bytes =
        allsorts::subset::subset(&provider, &gids, &SubsetProfile::Pdf, CmapTarget::Unicode)
            .map_err(|e| format!("subsetting {}: {e}", face.postscript_name()))?;

    let mut warnings = Vec::new();
    let mut parsed = ParsedFont::from_bytes(&bytes, 0, &mut warnings)
        .ok_or_else(|| format!("the subset of {} does not parse", face.postscript_name()))?;
    let mut map = BTreeMap::new();
    for (new_gid, old_gid) in gids.iter().enumerate().skip(1) {
        let new_gid = u16::try_from(new_gid).map_err(|_| "too many glyphs".to_string())?;
        for c in &by_glyph[old_gid] {
            map.insert(*c as u32, new_gid);
        }
    }
    parsed.codepoint_to_glyph = map;
    parsed.font_name = Some(format!("{}+{}", subset_tag(&gids), face.postscript_name()));
    Ok(parsed)
}

/// Six upper-case letters derived from the glyph list: the same glyphs, the same tag.
fn subset_tag(gids: &[u16]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for g in gids {
        h.update(g.to_be_bytes());
    }
    h.finalize()
        .iter()
        .take(6)
        .map(|b| char::from(b'A' + b % 26))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_latin_names_are_drawable_and_cjk_is_marked() {
        assert_eq!(clean("склад-данных"), "склад-данных");
        assert_eq!(clean("Zoë Ångström"), "Zoë Ångström");
        assert_eq!(clean("Ωmega\tline\n"), "Ωmega line ");
        // DejaVu has no CJK ideographs: each becomes the visible marker, never nothing.
        assert_eq!(clean("倉庫-01"), "\u{FFFD}\u{FFFD}-01");
    }

    #[test]
    fn widths_come_from_the_font() {
        // DejaVu Sans digits are 1303/2048 em wide.
        let w = width("0", 10.0, Face::Regular);
        assert!((w - 6.362).abs() < 0.01, "{w}");
        assert!(width("Bold", 10.0, Face::Bold) > width("Bold", 10.0, Face::Regular));
        assert_eq!(width("", 10.0, Face::Regular), 0.0);
    }

    #[test]
    fn subset_is_small_deterministic_and_maps_every_character() {
        let chars: BTreeSet<char> = "Zoë Ångström склад-данных 0123".chars().collect();
        let a = subset(Face::Regular, &chars).unwrap();
        let b = subset(Face::Regular, &chars).unwrap();
        assert_eq!(a.original_bytes, b.original_bytes);
        assert!(
            a.original_bytes.len() < 40_000,
            "{}",
            a.original_bytes.len()
        );
        for c in &chars {
            let gid = a.lookup_glyph_index(*c as u32);
            assert!(gid.is_some_and(|g| g > 0), "{c:?} unmapped");
        }
        let name = a.font_name.unwrap();
        assert!(
            name.ends_with("+DejaVuSans") && name.len() == 6 + 1 + 10,
            "{name}"
        );
    }
}
