//! The module DAG: imports run one way, top to bottom, so a module can be read (and changed)
//! knowing only what is below it. Every `crate::` path in `src/` (the `use crate::` lines and
//! the paths written out in code, tests included) is an edge from the module of the file to
//! the module it names; an edge to a module in a higher layer fails, naming the file and the
//! edge. CONTRIBUTING.md explains the layers.
//!
//! `config` sits just below `gitops`: the configuration names checks settings, waiver and
//! attestation files and collection endpoints, so it imports those modules; only the top
//! layers (the CLI and the publishing policy) read it, and they hand plain values down.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "integration tests and their helpers: a panic is a failed test with its message"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, top first. A module may import modules of lower layers; within a layer only
/// the edges in [`PEER_EDGES`].
const LAYERS: &[&[&str]] = &[
    &["cli"],
    &["gitops"],
    &["config"],
    &["report", "export", "drift", "store", "forge"],
    &["evidence"],
    &["assess"],
    &["controls", "waivers", "attestations"],
    &["checks"],
    &["collect"],
    &["model"],
    &["digest"],
];

/// Edges between two modules of one layer, each allowed in this direction only: the report
/// shows drift; attestations and waivers name criteria of the catalogue.
const PEER_EDGES: &[(&str, &str)] = &[
    ("report", "drift"),
    ("attestations", "controls"),
    ("waivers", "controls"),
];

/// Sibling files of which the first must not import the second (path inside `src/`). The HTTP
/// client takes its tokens from `auth`; the credentials draw on `collect::retry` for their
/// retry policy and counters, never on the HTTP client, so the two no longer import each other.
const APART: &[(&str, &str)] = &[("collect/auth.rs", "collect/http.rs")];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// Rust source with comments, string and char literals blanked out, so a `crate::` in a doc
/// comment or a message is not an edge.
fn code_only(src: &str) -> String {
    let c: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let ident = |ch: char| ch.is_alphanumeric() || ch == '_';
    let mut i = 0;
    while i < c.len() {
        let at = |k: usize| c.get(k).copied().unwrap_or('\0');
        if c[i] == '/' && at(i + 1) == '/' {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if c[i] == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            out.push(' ');
        } else if c[i] == 'r'
            && (at(i + 1) == '"' || at(i + 1) == '#')
            && (i == 0 || !ident(c[i - 1]) || (c[i - 1] == 'b' && (i < 2 || !ident(c[i - 2]))))
        {
            // Raw string: r"…", r#"…"#, br"…".
            let mut j = i + 1;
            let mut hashes = 0;
            while at(j) == '#' {
                hashes += 1;
                j += 1;
            }
            if at(j) != '"' {
                out.push(c[i]);
                i += 1;
                continue;
            }
            j += 1;
            let close: String = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            let rest: String = c[j..].iter().collect();
            let end = rest
                .find(&close)
                .map_or(c.len(), |p| j + rest[..p].chars().count());
            i = end + close.chars().count();
            out.push_str("\"\"");
        } else if c[i] == '"' {
            i += 1;
            while i < c.len() && c[i] != '"' {
                if c[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if c[i] == '\'' && at(i + 1) == '\\' {
            // An escaped char literal: '\n', '\'', '\u{…}'.
            i += 2;
            while i < c.len() && c[i] != '\'' {
                i += 1;
            }
            i += 1;
            out.push_str("' '");
        } else if c[i] == '\'' && at(i + 2) == '\'' {
            i += 3;
            out.push_str("' '");
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

/// The top-level modules a piece of code names through `crate::` (or `$crate::` in macros):
/// `crate::a::b` names `a`; `crate::{a::b, c}` names `a` and `c`.
fn named_modules(code: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = code;
    while let Some(p) = rest.find("crate::") {
        let before = rest[..p].chars().next_back();
        rest = &rest[p + "crate::".len()..];
        if before.is_some_and(|ch| ch.is_alphanumeric() || ch == '_') {
            continue; // e.g. `my_crate::`
        }
        let trimmed = rest.trim_start();
        if let Some(group) = trimmed.strip_prefix('{') {
            // Top-level names of the group: the first segment of each comma-separated item.
            let mut depth = 0;
            let mut item_start = true;
            let mut current = String::new();
            for ch in group.chars() {
                match ch {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        if item_start && !current.is_empty() {
                            names.insert(std::mem::take(&mut current));
                        }
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    _ => {}
                }
                if depth == 0 && item_start {
                    if ch.is_alphanumeric() || ch == '_' {
                        current.push(ch);
                    } else if !current.is_empty() {
                        names.insert(std::mem::take(&mut current));
                        item_start = false;
                    }
                }
            }
        } else {
            let name: String = trimmed
                .chars()
                .take_while(|ch| ch.is_alphanumeric() || *ch == '_')
                .collect();
            if !name.is_empty() {
                names.insert(name);
            }
        }
    }
    names
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Every library source file (path relative to `src/`, module, code without comments and
/// literals). `lib.rs` and `main.rs` are the crate root, `bin/` are separate programs.
fn library_files() -> Vec<(String, String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    files
        .into_iter()
        .filter_map(|p| {
            let rel = p
                .strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if rel == "lib.rs" || rel == "main.rs" || rel.starts_with("bin/") {
                return None;
            }
            let module = rel.split('/').next().unwrap().trim_end_matches(".rs");
            let module = module.to_string();
            let code = code_only(&std::fs::read_to_string(&p).unwrap());
            Some((rel, module, code))
        })
        .collect()
}

#[test]
fn no_module_edge_runs_back_up() {
    let files = library_files();
    let mut problems = Vec::new();
    let mut edges: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for (rel, from, code) in &files {
        let Some(from_layer) = layer_of(from) else {
            problems.push(format!(
                "src/{rel}: module `{from}` is in no layer: place it in LAYERS of \
                 tests/module_dag.rs (and in CONTRIBUTING.md)"
            ));
            continue;
        };
        for to in named_modules(code) {
            if &to == from {
                continue;
            }
            let Some(to_layer) = layer_of(&to) else {
                problems.push(format!(
                    "src/{rel}: {from} -> {to}: `{to}` is in no layer of tests/module_dag.rs"
                ));
                continue;
            };
            edges
                .entry((from.clone(), to.clone()))
                .or_default()
                .push(rel.clone());
            let peer_ok = PEER_EDGES.contains(&(from.as_str(), to.as_str()));
            if to_layer < from_layer || (to_layer == from_layer && !peer_ok) {
                problems.push(format!(
                    "src/{rel}: {from} -> {to} runs back up: `{from}` is in layer {from_layer} \
                     ({}), `{to}` in layer {to_layer} ({})",
                    LAYERS[from_layer].join(" / "),
                    LAYERS[to_layer].join(" / ")
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // Not vacuous: the scan sees the pipeline's edges.
    for (from, to) in [
        ("cli", "config"),
        ("evidence", "assess"),
        ("assess", "waivers"),
        ("waivers", "checks"),
        ("checks", "model"),
        ("evidence", "digest"),
    ] {
        assert!(
            edges.contains_key(&(from.to_string(), to.to_string())),
            "the scan found no {from} -> {to} edge: {:?}",
            edges.keys().collect::<Vec<_>>()
        );
    }
}

#[test]
fn sibling_modules_kept_apart_do_not_import_back() {
    let files = library_files();
    let code_of = |rel: &str| {
        files
            .iter()
            .find(|(r, ..)| r == rel)
            .map(|(.., c)| c.clone())
            .unwrap_or_else(|| panic!("src/{rel} is gone: update APART in tests/module_dag.rs"))
    };
    let mut problems = Vec::new();
    for (from, to) in APART {
        let to_module = to.rsplit('/').next().unwrap().trim_end_matches(".rs");
        let parent = to.rsplit_once('/').unwrap().0.replace('/', "::");
        let code = code_of(from);
        for needle in [
            format!("super::{to_module}::"),
            format!("crate::{parent}::{to_module}::"),
        ] {
            if code.contains(&needle) {
                problems.push(format!("src/{from} imports src/{to} (`{needle}`)"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The scanner itself: comments and literals are not edges, groups and macros are.
#[test]
fn scanner_reads_paths_not_comments_or_strings() {
    let code = code_only(
        r##"
        //! Uses [`crate::report`] in a doc comment.
        use crate::{checks::{self, Check}, model::Inventory, digest};
        use crate::evidence as ev;
        /* crate::drift in a block comment */
        let s = "crate::forge in a string";
        let r = r#"crate::store in a raw string"#;
        let c = '"'; let l: &'static str = "x";
        let x = crate::waivers::FILE_NAME;
        macro_rules! m { () => { $crate::cli::x() } }
        let y = other_crate::export::z;
        "##,
    );
    let got: Vec<String> = named_modules(&code).into_iter().collect();
    assert_eq!(
        got,
        ["checks", "cli", "digest", "evidence", "model", "waivers"]
    );
}
