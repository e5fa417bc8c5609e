//! Embeds every `migrations/NNNN_name.sql` into the core at compile time, in version order,
//! so adding a migration file is all it takes and none can be forgotten.
use std::{env, fs, path::Path};

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut names: Vec<String> = fs::read_dir(&dir)
        .expect("migrations/ directory")
        .map(|e| {
            e.expect("migrations entry")
                .file_name()
                .into_string()
                .expect("UTF-8 file name")
        })
        .filter(|n| n.ends_with(".sql"))
        .collect();
    names.sort();
    let mut out = String::from(
        "/// (file name, SQL) of every migration, in order.\npub static MIGRATIONS: &[(&str, &str)] = &[\n",
    );
    for name in &names {
        let path = dir.join(name);
        out += &format!("    ({name:?}, include_str!({:?})),\n", path.display().to_string());
    }
    out += "];\n";
    fs::write(Path::new(&env::var("OUT_DIR").unwrap()).join("migrations.rs"), out).unwrap();
}
