//! One feature set per shared crate, whatever cargo is asked to build: the workspace's tests,
//! the service alone (`cargo run -- demo`), or the sandbox's tests alone. When one of these
//! would build a crate with other features, that crate and everything above it is built twice;
//! the fix is a line in `workspace-hack/Cargo.toml`, which this test names.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

/// `cargo tree` for a selection: each package built for the target (not proc macros and what
/// they use) and its features.
fn features(selection: &[&str]) -> BTreeMap<String, BTreeSet<String>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["tree", "--locked", "--offline", "--prefix", "none"])
        .args(["-e", "no-proc-macro", "-f", "{p}|{f}"])
        .args(selection)
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut found: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Some((package, features)) = line.trim_end_matches(" (*)").split_once('|') else {
            continue;
        };
        // `name v1.2.3 (/path)` for workspace members: the name and version are enough.
        let package: String = package.split(' ').take(2).collect::<Vec<_>>().join(" ");
        let features = features.split(',').filter(|f| !f.is_empty());
        found
            .entry(package)
            .or_default()
            .extend(features.map(String::from));
    }
    found
}

fn differences(
    whole: &BTreeMap<String, BTreeSet<String>>,
    part: &BTreeMap<String, BTreeSet<String>>,
) -> Vec<String> {
    part.iter()
        .filter_map(|(package, features)| {
            let all = whole.get(package)?;
            let missing: Vec<&String> = all.difference(features).collect();
            (!missing.is_empty()).then(|| format!("{package}: add {missing:?}"))
        })
        .collect()
}

#[test]
fn the_service_alone_and_the_sandbox_alone_build_shared_crates_as_the_tests_do() {
    let whole = features(&["--workspace", "-e", "normal,build,dev"]);
    let service = features(&["-p", "outforce", "-e", "normal,build"]);
    let sandbox = features(&["-p", "outforce-sandbox", "-e", "normal,build,dev"]);
    let mut found = differences(&whole, &service);
    found.extend(differences(&whole, &sandbox));
    assert!(found.is_empty(), "{found:#?}");
}
