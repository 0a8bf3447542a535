//! The layering of `src/`, read from the source: the lower layers never reach up into the HTTP
//! layer, no two files import each other, and only the demo command knows the sandbox. A new
//! import that breaks one of these fails here, naming the files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The only modules that may import `http`: it, and what builds and runs the server. Everything
/// else (identity, Salesforce, Graph, storage, jobs, the state, …) sits below it.
const ABOVE_OR_HTTP: &[&str] = &["http", "startup", "cli"];

/// The only product file that may use the emulators.
const SANDBOX_USER: &str = "cli::demo";

/// The layers of `src/`, from the bottom: a module imports modules of its own layer or below,
/// never above. A module is in the layer of the longest path listed that it is or lies under
/// (`sync::model` is below storage, which keeps its types; the rest of `sync` is above the
/// state it runs on).
const LAYERS: &[&[&str]] = &[
    // Pure vocabulary and rules, and the process's own plumbing.
    &[
        "column",
        "config",
        "ids",
        "secrets",
        "telemetry",
        "tls",
        "outbound",
        "meeting",
        "people",
        "relations",
        "matching",
        "salesforce::datetime",
        "sync::model",
    ],
    // The only module that speaks SQL.
    &["storage"],
    // The outside world, and the queue.
    &[
        "identity",
        "connections",
        "reps",
        "salesforce",
        "graph",
        "jobs",
        "live",
        "match_cache",
        "manifest",
        "telemetry::metrics",
    ],
    &["state"],
    &["sync"],
    &["http", "startup", "cli", "shutdown"],
];

/// The layer `module` is in (`None` for the crate's root).
fn layer(module: &str) -> Option<usize> {
    LAYERS
        .iter()
        .enumerate()
        .flat_map(|(at, paths)| paths.iter().map(move |path| (at, *path)))
        .filter(|(_, path)| module == *path || module.starts_with(&format!("{path}::")))
        .max_by_key(|(_, path)| path.len())
        .map(|(at, _)| at)
}

struct Crate {
    /// Module path (`http::api::me`) to its source, without comments and test modules.
    modules: BTreeMap<String, String>,
}

impl Crate {
    fn read() -> Self {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut modules = BTreeMap::new();
        for file in rust_files(&src) {
            let relative = file.strip_prefix(&src).unwrap().with_extension("");
            let name = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("::");
            if name == "main" {
                continue;
            }
            let module = if name == "lib" { String::new() } else { name };
            modules.insert(
                module,
                product_code(&std::fs::read_to_string(&file).unwrap()),
            );
        }
        Self { modules }
    }

    /// Every module a module's code names, resolved to the files that define them.
    fn imports(&self, module: &str) -> BTreeSet<String> {
        let code = &self.modules[module];
        let mut found = BTreeSet::new();
        for path in paths(code) {
            if let Some(target) = self.resolve(module, &path)
                && target != module
            {
                found.insert(target);
            }
        }
        found
    }

    /// The file a path leads into: the longest prefix of it that is a module.
    fn resolve(&self, from: &str, path: &[String]) -> Option<String> {
        let mut at: Vec<&str> = if from.is_empty() {
            Vec::new()
        } else {
            from.split("::").collect()
        };
        let mut rest = path;
        match path.first().map(String::as_str) {
            Some("crate") => {
                at.clear();
                rest = &path[1..];
            }
            Some("self") => rest = &path[1..],
            Some("super") => {
                while rest.first().map(String::as_str) == Some("super") {
                    at.pop();
                    rest = &rest[1..];
                }
            }
            // A child module named without `self::`.
            Some(first) if self.modules.contains_key(&join(&at, first)) => {}
            _ => return None,
        }
        let mut best = at.join("::");
        let mut current = at;
        for segment in rest {
            current.push(segment);
            let candidate = current.join("::");
            if self.modules.contains_key(&candidate) {
                best = candidate;
            } else {
                break;
            }
        }
        Some(best)
    }
}

fn join(at: &[&str], next: &str) -> String {
    if at.is_empty() {
        next.to_string()
    } else {
        format!("{}::{next}", at.join("::"))
    }
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// The code that ships: line comments removed, and everything from the test module on (a test
/// module's `super::*` is the file itself).
fn product_code(source: &str) -> String {
    let code = source.split("#[cfg(test)]").next().unwrap_or_default();
    code.lines()
        .map(|line| match line.find("//") {
            Some(at) if !line[..at].contains('"') => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every path in the code: each `use` tree expanded, and each `a::b::c` written inline.
fn paths(code: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(at) = find_use(rest) {
        let tree = &rest[at + 4..];
        let end = tree.find(';').unwrap_or(tree.len());
        let compact: String = without_aliases(&tree[..end])
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        // Prose that happens to say "use " is not a use tree.
        if compact
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_:{},*".contains(c))
        {
            expand(&compact, &mut Vec::new(), &mut found);
        }
        rest = &tree[end..];
    }
    let bytes = code.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut i = 0;
    while i < bytes.len() {
        if is_ident(bytes[i]) && (i == 0 || !(is_ident(bytes[i - 1]) || bytes[i - 1] == b':')) {
            let start = i;
            while i < bytes.len() && (is_ident(bytes[i]) || bytes[i] == b':') {
                i += 1;
            }
            let word = &code[start..i];
            if word.contains("::") {
                found.push(
                    word.split("::")
                        .filter(|s| !s.is_empty())
                        .map(String::from)
                        .collect(),
                );
            }
        } else {
            i += 1;
        }
    }
    found
}

fn find_use(code: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(at) = code[from..].find("use ") {
        let at = from + at;
        let before = code[..at].chars().last();
        if before.is_none_or(|c| c == '\n' || c == ' ' || c == '\t' || c == ')' || c == ';') {
            return Some(at);
        }
        from = at + 4;
    }
    None
}

/// `a as b` reads as `a`: the alias names nothing in the crate.
fn without_aliases(tree: &str) -> String {
    let words: Vec<&str> = tree.split_whitespace().collect();
    let mut kept = Vec::new();
    let mut i = 0;
    while i < words.len() {
        if words[i] == "as" && i + 1 < words.len() {
            // The alias, and whatever punctuation followed it.
            let alias = words[i + 1];
            let tail = alias.trim_start_matches(|c: char| c.is_alphanumeric() || c == '_');
            kept.push(tail);
            i += 2;
        } else {
            kept.push(words[i]);
            i += 1;
        }
    }
    kept.join(" ")
}

/// Expands `a::{b, c::{d, e}}` into `a::b`, `a::c::d`, `a::c::e`.
fn expand(tree: &str, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    let (head, group) = match tree.find('{') {
        Some(open) => {
            let close = tree
                .rfind('}')
                .filter(|&close| close > open)
                .unwrap_or(tree.len());
            (&tree[..open], Some(&tree[open + 1..close]))
        }
        None => (tree, None),
    };
    let depth = prefix.len();
    prefix.extend(
        head.split("::")
            .filter(|s| !s.is_empty() && *s != "*")
            .map(String::from),
    );
    match group {
        Some(group) => {
            for item in split_top_level(group) {
                expand(item, prefix, out);
            }
        }
        None => out.push(prefix.clone()),
    }
    prefix.truncate(depth);
}

fn split_top_level(group: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&group[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&group[start..]);
    items.into_iter().filter(|s| !s.is_empty()).collect()
}

fn top(module: &str) -> &str {
    module.split("::").next().unwrap_or_default()
}

#[test]
fn no_lower_layer_imports_the_http_layer() {
    let krate = Crate::read();
    let mut offences = Vec::new();
    for module in krate.modules.keys() {
        if ABOVE_OR_HTTP.contains(&top(module)) || module.is_empty() {
            continue;
        }
        for target in krate.imports(module) {
            if top(&target) == "http" {
                offences.push(format!("{module} imports {target}"));
            }
        }
    }
    assert!(offences.is_empty(), "{offences:#?}");
}

#[test]
fn every_module_imports_only_its_own_layer_and_those_below() {
    let krate = Crate::read();
    let mut unplaced = Vec::new();
    let mut offences = Vec::new();
    for module in krate.modules.keys().filter(|m| !m.is_empty()) {
        let Some(own) = layer(module) else {
            unplaced.push(module.clone());
            continue;
        };
        for target in krate.imports(module) {
            if let Some(theirs) = layer(&target)
                && theirs > own
            {
                offences.push(format!(
                    "{module} (layer {own}) imports {target} (layer {theirs})"
                ));
            }
        }
    }
    assert!(unplaced.is_empty(), "modules in no layer: {unplaced:#?}");
    assert!(offences.is_empty(), "{offences:#?}");
}

#[test]
fn no_two_files_import_each_other() {
    let krate = Crate::read();
    let imports: BTreeMap<&str, BTreeSet<String>> = krate
        .modules
        .keys()
        .map(|m| (m.as_str(), krate.imports(m)))
        .collect();
    let mut loops = Vec::new();
    for (module, targets) in &imports {
        for target in targets {
            if target.as_str() > *module
                && imports
                    .get(target.as_str())
                    .is_some_and(|back| back.contains(*module))
            {
                loops.push(format!("{module} <-> {target}"));
            }
        }
    }
    assert!(loops.is_empty(), "{loops:#?}");
}

#[test]
fn only_the_demo_command_uses_the_sandbox() {
    let krate = Crate::read();
    let users: Vec<&String> = krate
        .modules
        .iter()
        .filter(|(_, code)| code.contains("outforce_sandbox"))
        .map(|(module, _)| module)
        .filter(|module| !module.starts_with(&format!("{SANDBOX_USER}::")))
        .collect();
    assert_eq!(
        users,
        [SANDBOX_USER],
        "the demo command and its own modules only"
    );
}

#[test]
fn the_reader_sees_imports_in_every_form() {
    let code = "use super::{a, b::{c, d as e}};\nuse crate::x::*;\nfn f() { crate::y::z(); }";
    let found = paths(code);
    for expected in [
        vec!["super", "a"],
        vec!["super", "b", "c"],
        vec!["super", "b", "d"],
        vec!["crate", "x"],
        vec!["crate", "y", "z"],
    ] {
        assert!(
            found.iter().any(|p| p == &expected),
            "{expected:?} in {found:?}"
        );
    }
}
