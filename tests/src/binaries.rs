//! Where the server binaries the tests start live: the override variable's path, else
//! the name on the `PATH`, else Debian's path. A missing binary is an error naming
//! the package, never a skipped test.

use std::path::PathBuf;

/// The binary `name`, overridden by the environment variable `override_var`, with
/// `debian_path` as the last resort.
pub fn server_binary(name: &str, override_var: &str, debian_path: &str) -> anyhow::Result<PathBuf> {
    if let Ok(path) = std::env::var(override_var) {
        return Ok(PathBuf::from(path));
    }
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file());
    let binary = on_path.unwrap_or_else(|| PathBuf::from(debian_path));
    anyhow::ensure!(binary.is_file(), "{name} is missing: install it (`apt-get install {name}`) or set {override_var}");
    Ok(binary)
}
