//! Embeds every `migrations/NNNN_name.sql` (the laptop's SQLite) and `migrations/server/NNNN_name.sql`
//! (the clinic server's PostgreSQL) into the core at compile time, in version order, so adding a
//! migration file is all it takes and none can be forgotten.
use std::{env, fs, path::Path};

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    embed(&root, "MIGRATIONS", "migrations.rs");
    embed(&root.join("server"), "SERVER_MIGRATIONS", "server_migrations.rs");
}

/// Writes `OUT_DIR/file`: a static `name` of (file name, SQL) for every `.sql` file in `dir`.
fn embed(dir: &Path, name: &str, file: &str) {
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            e.expect("migrations entry")
                .file_name()
                .into_string()
                .expect("UTF-8 file name")
        })
        .filter(|n| n.ends_with(".sql"))
        .collect();
    names.sort();
    let mut out =
        format!("/// (file name, SQL) of every migration, in order.\npub static {name}: &[(&str, &str)] = &[\n");
    for migration in &names {
        let path = dir.join(migration);
        out += &format!("    ({migration:?}, include_str!({:?})),\n", path.display().to_string());
    }
    out += "];\n";
    fs::write(Path::new(&env::var("OUT_DIR").unwrap()).join(file), out).unwrap();
}
