//! Rebuilds the crate when a migration changes: `sqlx::migrate!` embeds the SQL files at
//! compile time, but on stable Rust cargo does not track them by itself.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
