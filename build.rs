//! Embeds the built task pane (`addin/dist/`, listed in its `build.txt`) in the binary, and
//! refuses to build without it or with a build older than the pane's sources: a missing or
//! stale pane is a build error naming the command that mends it, never a blank page.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

const MEND: &str = "run `bash scripts/build-pane` (it installs Node.js if needed; the README's \
                    commands run it for you)";

fn newest(path: &Path) -> Option<SystemTime> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.is_file() {
        return meta.modified().ok();
    }
    std::fs::read_dir(path)
        .ok()?
        .flatten()
        .filter_map(|entry| newest(&entry.path()))
        .max()
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let addin = root.join("addin");
    let dist = addin.join("dist");
    let sources = [
        "src",
        "scripts",
        "build.mjs",
        "openapi.json",
        "tsconfig.json",
        "package.json",
        "package-lock.json",
    ];
    for source in sources {
        println!("cargo:rerun-if-changed=addin/{source}");
    }
    println!("cargo:rerun-if-changed=addin/dist");
    let listing = dist.join("build.txt");
    let Ok(text) = std::fs::read_to_string(&listing) else {
        panic!("the task pane is not built (no addin/dist/build.txt): {MEND}");
    };
    let built = newest(&listing);
    let changed = sources.iter().filter_map(|s| newest(&addin.join(s))).max();
    if let (Some(built), Some(changed)) = (built, changed)
        && changed > built
    {
        panic!("the task pane's sources changed after its last build (addin/dist): {MEND}");
    }
    // build.txt: one `file PATH` line per file, one `asset NAME PATH` line per bundle.
    let lines: Vec<Vec<&str>> = text.lines().map(|l| l.split(' ').collect()).collect();
    let mut out = String::from(
        "/// Every file of the built pane: its path under addin/dist and its bytes.\n",
    );
    out.push_str("pub const FILES: &[(&str, &[u8])] = &[\n");
    for line in &lines {
        if let ["file", file] = line.as_slice() {
            let path = dist.join(file);
            assert!(
                path.is_file(),
                "addin/dist/{file} is listed but missing: {MEND}"
            );
            let _ = writeln!(
                out,
                "    ({file:?}, include_bytes!({:?})),",
                path.display().to_string()
            );
        }
    }
    out.push_str(
        "];\n/// The bundles by name (`pane`, `office-host`, …) and their hashed paths.\n",
    );
    out.push_str("pub const ASSETS: &[(&str, &str)] = &[\n");
    for line in &lines {
        if let ["asset", name, path] = line.as_slice() {
            let _ = writeln!(out, "    ({name:?}, {path:?}),");
        }
    }
    out.push_str("];\n");
    let target = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("pane_files.rs");
    if let Err(error) = std::fs::write(&target, out) {
        panic!("writing {}: {error}", target.display());
    }
}
