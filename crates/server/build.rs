//! Embeds the browser apps from `web/` into the server binary, so that one
//! file is all an installation needs.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let web = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web");
    println!("cargo:rerun-if-changed={}", web.display());
    let mut entries = Vec::new();
    if let Ok(dir) = std::fs::read_dir(&web) {
        for entry in dir.flatten() {
            let path = entry.path();
            if path.is_file() {
                println!("cargo:rerun-if-changed={}", path.display());
                entries.push(path);
            }
        }
    }
    entries.sort();
    let mut out = String::from(
        "/// Files of `web/`, embedded at build time: (name, bytes).\npub static ASSETS: &[(&str, &[u8])] = &[\n",
    );
    for path in entries {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let abs = path.canonicalize().unwrap_or(path.clone());
        let _ = writeln!(
            out,
            "    ({name:?}, include_bytes!({:?})),",
            abs.display().to_string()
        );
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap_or_default()).join("assets.rs");
    if let Err(e) = std::fs::write(&dest, out) {
        panic!("cannot write {}: {e}", dest.display());
    }
}
