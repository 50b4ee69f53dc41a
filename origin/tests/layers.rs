//! The origin's modules point one way (docs/architecture.md): a module names (`crate::…`)
//! only modules of its own layer or the layers below, and the modules of one layer do not
//! name each other in a circle. Unit tests (after `#[cfg(test)]`) may reach anywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Lowest first; a module may use its own layer and the ones before it.
const LAYERS: &[&[&str]] = &[
    &["base"],
    &["domain"],
    &["providers"],
    &["services"],
    &["config", "state"],
    &["web", "cli"],
];

fn layer_of(top: &str) -> usize {
    LAYERS
        .iter()
        .position(|l| l.contains(&top))
        .unwrap_or_else(|| panic!("origin/src/{top} belongs to no layer: add it to LAYERS"))
}

/// `a/b/c.rs` → `a::b`; `a/mod.rs` → `a`; `lib.rs` and `main.rs` (the crate root) → `None`.
fn module_of(rel: &Path) -> Option<String> {
    let mut parts: Vec<String> = rel
        .with_extension("")
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts.truncate(2);
    (!parts.is_empty()).then(|| parts.join("::"))
}

/// The first two segments of every `crate::` path in `code`, groups (`crate::{a, b::c}`,
/// `crate::a::{b, c}`) expanded.
fn crate_paths(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue; // `linkpay_crate::`, not ours
        }
        for path in expand(path_text(rest)) {
            let two = two_segments(&path);
            if !two.is_empty() {
                found.insert(two);
            }
        }
    }
    found
}

/// The path at the start of `s`: identifiers, `::` and `{…}` groups.
fn path_text(s: &str) -> &str {
    let mut depth = 0;
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth > 0 => depth -= 1,
            c if depth > 0 || c.is_alphanumeric() || c == '_' || c == ':' => {}
            _ if depth == 0 => return &s[..i],
            _ => {}
        }
        if depth == 0 && c == '}' {
            return &s[..=i];
        }
    }
    s
}

/// `a::{b, c::{d, e}}` → `a::b`, `a::c::d`, `a::c::e`.
fn expand(path: &str) -> Vec<String> {
    let Some(open) = path.find('{') else {
        return vec![path.trim().to_owned()];
    };
    let prefix = &path[..open];
    let inner = path[open + 1..]
        .strip_suffix('}')
        .unwrap_or(&path[open + 1..]);
    let (mut items, mut depth, mut start) = (Vec::new(), 0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&inner[start..]);
    items
        .into_iter()
        .map(str::trim)
        .filter(|i| !i.is_empty())
        .flat_map(|i| expand(i).into_iter().map(move |p| format!("{prefix}{p}")))
        .collect()
}

fn two_segments(path: &str) -> String {
    path.split("::")
        .map(|s| {
            s.trim()
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .next()
                .unwrap_or("")
        })
        .take_while(|s| s.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
        .take(2)
        .collect::<Vec<_>>()
        .join("::")
}

/// Every arrow between the origin's modules, with a file that draws it.
fn arrows() -> BTreeMap<(String, String), String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut arrows = BTreeMap::new();
    let mut dirs = vec![src.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("read origin/src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(&src).expect("under src");
            let Some(from) = module_of(rel) else { continue };
            let text = std::fs::read_to_string(&path).expect("read a source file");
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            for to in crate_paths(code) {
                let related = to == from
                    || from.starts_with(&format!("{to}::"))
                    || to.starts_with(&format!("{from}::"));
                if !related {
                    arrows
                        .entry((from.clone(), to))
                        .or_insert_with(|| rel.display().to_string());
                }
            }
        }
    }
    arrows
}

fn top(module: &str) -> &str {
    module.split("::").next().unwrap_or(module)
}

#[test]
fn modules_only_use_their_own_layer_and_the_ones_below() {
    let upward: Vec<String> = arrows()
        .iter()
        .filter(|((from, to), _)| layer_of(top(to)) > layer_of(top(from)))
        .map(|((from, to), file)| format!("{from} → {to} (in {file})"))
        .collect();
    assert!(
        upward.is_empty(),
        "these point up a layer:\n{}",
        upward.join("\n")
    );
}

#[test]
fn no_modules_name_each_other_in_a_circle() {
    let arrows = arrows();
    let mut next: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (from, to) in arrows.keys() {
        next.entry(from).or_default().insert(to);
    }
    // Depth-first; a module met again while still on the path closes a circle.
    fn visit<'a>(
        m: &'a str,
        next: &BTreeMap<&'a str, BTreeSet<&'a str>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<&'a str>> {
        if let Some(i) = path.iter().position(|p| *p == m) {
            return Some(path[i..].iter().copied().chain([m]).collect());
        }
        if !done.insert(m) {
            return None;
        }
        path.push(m);
        for to in next.get(m).into_iter().flatten() {
            if let Some(circle) = visit(to, next, path, done) {
                return Some(circle);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    for m in next.keys() {
        if let Some(circle) = visit(m, &next, &mut Vec::new(), &mut done) {
            let files: Vec<String> = circle
                .windows(2)
                .map(|w| {
                    format!(
                        "{} → {} (in {})",
                        w[0],
                        w[1],
                        arrows[&(w[0].into(), w[1].into())]
                    )
                })
                .collect();
            panic!("a circle of imports:\n{}", files.join("\n"));
        }
    }
}

#[test]
fn the_check_reads_paths_the_way_rust_writes_them() {
    let code = "use crate::domain::{links::{self, Link}, charges};\n\
                let x = crate::base::clock::now();\nuse linkpay_crate::x;";
    let found: Vec<String> = crate_paths(code).into_iter().collect();
    assert_eq!(found, ["base::clock", "domain::charges", "domain::links"]);
    assert_eq!(
        module_of(Path::new("services/notify/sms/mod.rs")).as_deref(),
        Some("services::notify")
    );
    assert_eq!(module_of(Path::new("lib.rs")), None);
}
