//! Embeds the tenant migrations (`migrations/tenant/<version>_<name>/{up,down}.sql`) as a
//! list of `SqlMigration`s that `src/db/tenant_migrations.rs` includes. diesel's
//! `embed_migrations!` keeps each migration's SQL private; provisioning needs the text
//! itself to send every migration in one round trip, so the list is made here, from the
//! same folders, in the same (name) order, with the same versions diesel derives.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let root = Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR")).to_owned();
    let folder = root.join("migrations/tenant");
    // Cargo scans a folder given here for any change below it.
    println!("cargo:rerun-if-changed=migrations/tenant");

    let mut migrations: Vec<(String, PathBuf)> = std::fs::read_dir(&folder)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", folder.display()))
        .map(|entry| entry.expect("readable migrations folder"))
        .filter(|entry| entry.path().is_dir() && !entry.file_name().to_string_lossy().starts_with('.'))
        .map(|entry| (entry.file_name().into_string().expect("UTF-8 migration folder name"), entry.path()))
        .collect();
    migrations.sort();

    let mut versions = std::collections::HashSet::new();
    let mut out = String::from("&[\n");
    for (name, path) in &migrations {
        // diesel's rule: the version is the part before the first '_', without '-'.
        let version: String = name.split('_').next().unwrap_or_default().replace('-', "");
        assert!(
            !version.is_empty() && version.bytes().all(|b| b.is_ascii_digit()) && name.contains('_'),
            "tenant migration folder {name:?} is not named <version>_<name> with a numeric version"
        );
        assert!(versions.insert(version.clone()), "two tenant migrations have version {version}");
        assert!(
            !path.join("metadata.toml").exists(),
            "tenant migration {name}: metadata.toml is not supported (provisioning runs every tenant \
             migration in one transaction)"
        );
        let up = path.join("up.sql");
        assert!(up.is_file(), "tenant migration {name} has no up.sql");
        let down = path.join("down.sql");
        let down = if down.is_file() {
            format!("Some(include_str!({:?}))", down.display().to_string())
        } else {
            "None".into()
        };
        writeln!(
            out,
            "    SqlMigration::embedded({name:?}, {version:?}, include_str!({:?}), {down}),",
            up.display().to_string()
        )
        .expect("write to a String");
    }
    out.push(']');

    let target = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("tenant_migrations.rs");
    std::fs::write(&target, out).unwrap_or_else(|e| panic!("cannot write {}: {e}", target.display()));
}
