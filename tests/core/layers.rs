//! The core's layers, checked on its source: each file names other files only in its own layer or
//! the layers below (`app` → `outside` → `storage` → `domain`; `error`, `digest` and `files` are
//! shared, `files` not by the domain), no files name each other in a circle, only storage reaches
//! SQLite, and nothing reaches tauri or the command line's crates. Test modules may reach anywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Module = Vec<String>;

/// Each layer's rank: a file may name modules of its own rank or lower.
fn rank(module: &Module) -> Option<u8> {
    match module.first().map(String::as_str) {
        Some("error" | "digest" | "files") => Some(0),
        Some("domain") => Some(1),
        Some("storage") => Some(2),
        Some("outside") => Some(3),
        Some("app") => Some(4),
        _ => None,
    }
}

fn sources(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

fn module_of(root: &Path, file: &Path) -> Module {
    let mut parts: Vec<String> = file
        .strip_prefix(root)
        .unwrap()
        .with_extension("")
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("lib" | "mod")) {
        parts.pop();
    }
    parts
}

/// The file's code without comments and without its `#[cfg(test)] mod … { … }` blocks.
fn code(text: &str) -> String {
    let mut kept = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("#[cfg(test)]") {
        kept.push_str(&rest[..at]);
        let after = &rest[at..];
        let Some(open) = after.find('{') else {
            rest = "";
            break;
        };
        let mut depth = 0;
        let mut end = after.len();
        for (i, c) in after[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &after[end..];
    }
    kept.push_str(rest);
    kept.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The module paths a file names through `crate::`, `super::` or `self::`, with `{a, b::c}` groups
/// opened one level (as `../shared/tools/module-cycles.py` reads them).
fn named(module: &Module, text: &str) -> Vec<Module> {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut found = Vec::new();
    for keyword in ["crate::", "super::", "self::"] {
        for (at, _) in text.match_indices(keyword) {
            if text[..at].ends_with(word) {
                continue;
            }
            let rest = &text[at..];
            let (path, after) = rest.split_at(rest.find(|c: char| !word(c) && c != ':').unwrap_or(rest.len()));
            let mut segments = path.split("::").filter(|s| !s.is_empty());
            let mut base: Module = match segments.next() {
                Some("crate") => Vec::new(),
                Some("super") => module[..module.len().saturating_sub(1)].to_vec(),
                _ => module.clone(),
            };
            for segment in segments {
                match segment {
                    "super" => drop(base.pop()),
                    _ => base.push(segment.to_string()),
                }
            }
            // `a::{b, c::d}`: each item of the group, one level deep.
            let group = after.strip_prefix('{').and_then(|g| g.split_once('}')).map(|(g, _)| g);
            for item in group.into_iter().flat_map(|g| g.split(',')) {
                let item = item.split(" as ").next().unwrap_or_default().trim();
                if !item.is_empty() && item != "self" {
                    found.push(
                        base.iter()
                            .cloned()
                            .chain(item.split("::").map(str::to_string))
                            .collect(),
                    );
                }
            }
            found.push(base);
        }
    }
    found
}

/// The longest prefix of `path` that is a file of the crate.
fn resolve<'a>(files: &'a BTreeSet<Module>, path: &Module) -> Option<&'a Module> {
    (1..=path.len()).rev().find_map(|n| files.get(&path[..n].to_vec()))
}

fn graph() -> (BTreeMap<Module, BTreeSet<Module>>, BTreeMap<Module, String>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    sources(&root, &mut paths);
    let texts: BTreeMap<Module, String> = paths
        .iter()
        .map(|p| (module_of(&root, p), code(&std::fs::read_to_string(p).unwrap())))
        .collect();
    let files: BTreeSet<Module> = texts.keys().cloned().collect();
    let mut edges = BTreeMap::new();
    for (module, text) in &texts {
        let targets: BTreeSet<Module> = named(module, text)
            .iter()
            .filter_map(|p| resolve(&files, p))
            .filter(|t| *t != module && !t.is_empty())
            .cloned()
            .collect();
        edges.insert(module.clone(), targets);
    }
    (edges, texts)
}

fn show(m: &Module) -> String {
    m.join("::")
}

#[test]
fn imports_run_down_the_layers_only() {
    let (edges, _) = graph();
    let mut wrong = Vec::new();
    for (from, targets) in &edges {
        let Some(own) = rank(from) else { continue };
        for to in targets {
            let Some(theirs) = rank(to) else { continue };
            let domain_uses_files = from[0] == "domain" && to[0] == "files";
            if theirs > own || domain_uses_files {
                wrong.push(format!("{} -> {}", show(from), show(to)));
            }
        }
    }
    assert!(wrong.is_empty(), "imports that go up a layer:\n{}", wrong.join("\n"));
}

#[test]
fn no_files_import_each_other_in_a_circle() {
    let (edges, _) = graph();
    // Each file's reach; a file that reaches a file reaching it back is in a circle.
    let reach = |start: &Module| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![start.clone()];
        while let Some(m) = todo.pop() {
            for next in edges.get(&m).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    todo.push(next.clone());
                }
            }
        }
        seen
    };
    let circles: Vec<String> = edges
        .keys()
        .filter(|m| reach(m).contains(*m))
        .map(|m| show(m))
        .collect();
    assert!(circles.is_empty(), "files in an import circle:\n{}", circles.join("\n"));
}

#[test]
fn only_storage_reaches_sqlite_or_postgres_and_the_core_never_reaches_tauri_or_the_command_line() {
    let (_, texts) = graph();
    let mut wrong = Vec::new();
    for (module, text) in &texts {
        for (crate_name, allowed) in [
            ("rusqlite", module.first().is_some_and(|m| m == "storage")),
            ("tokio_postgres", module.first().is_some_and(|m| m == "storage")),
            ("tauri", false),
            ("clap", false),
            ("rpassword", false),
        ] {
            if !allowed && text.contains(&format!("{crate_name}::")) {
                wrong.push(format!("{} uses {crate_name}", show(module)));
            }
        }
        if module.first().is_some_and(|m| m == "domain") && text.contains("std::fs") {
            wrong.push(format!("{} reads or writes files", show(module)));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The check itself finds what it is for: a made-up upward import and a circle are seen.
#[test]
fn the_layer_check_sees_an_upward_import_and_a_circle() {
    let domain: Module = vec!["domain".into(), "vitals".into()];
    let found = named(
        &domain,
        "use crate::storage::{Db, vitals::X};\nfn f() { super::alerts::g() }",
    );
    assert!(found.contains(&vec!["storage".into(), "Db".into()]));
    assert!(found.contains(&vec!["storage".into(), "vitals".into(), "X".into()]));
    assert!(found.contains(&vec!["domain".into(), "alerts".into(), "g".into()]));
    assert!(rank(&vec!["storage".into()]) > rank(&domain));
    assert_eq!(
        code("a\n#[cfg(test)]\nmod tests { use crate::app::x; }\nb // crate::app"),
        "a\n\nb "
    );
}
