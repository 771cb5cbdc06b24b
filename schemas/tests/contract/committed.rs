//! The committed files under `schemas/json/` are the generated schemas.
//!
//! Programs that do not link this crate read those files, so they must not drift.
//! `EMPORIUM_UPDATE_SCHEMAS=1 cargo test -p emporium-schemas` rewrites them.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use emporium_schemas::documents;
use serde_json::Value;

/// Set to `1` to rewrite the committed files instead of failing.
const UPDATE: &str = "EMPORIUM_UPDATE_SCHEMAS";

fn json_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("json")
}

/// Every `.json` file under `dir`, as `/`-separated paths relative to `root`.
fn json_files(root: &Path, dir: &Path, found: &mut BTreeSet<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            json_files(root, &path, found);
        } else if path.extension().is_some_and(|e| e == "json") {
            let relative = path.strip_prefix(root).unwrap().components();
            found.insert(relative.map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/"));
        }
    }
}

#[test]
fn committed_schema_files_match_the_generated_schemas() {
    let update = std::env::var(UPDATE).is_ok_and(|v| v == "1");
    let root = json_dir();
    let mut problems = Vec::new();
    let mut expected = BTreeSet::new();
    for document in documents() {
        expected.insert(document.path.clone());
        let path = root.join(&document.path);
        let committed: Option<Value> =
            std::fs::read_to_string(&path).ok().and_then(|text| serde_json::from_str(&text).ok());
        // Compared as JSON, not text: key order depends on serde_json's features.
        if committed.as_ref() == Some(&document.schema) {
            continue;
        }
        if update {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, document.contents()).unwrap();
            eprintln!("rewrote schemas/json/{}", document.path);
        } else {
            problems.push(format!("{}: {}", document.path, if committed.is_some() { "differs" } else { "missing" }));
        }
    }
    let mut found = BTreeSet::new();
    json_files(&root, &root, &mut found);
    for stale in found.difference(&expected) {
        problems.push(format!(
            "{stale}: no longer generated; delete it, or if its version was retired, freeze it in schemas/src/history.rs"
        ));
    }
    assert!(
        problems.is_empty(),
        "the committed schemas under schemas/json/ are out of date:\n  {}\n\
         Review the change, then refresh them with:\n  {UPDATE}=1 cargo test -p emporium-schemas --test contract committed",
        problems.join("\n  ")
    );
}
