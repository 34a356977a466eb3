//! The `kamaki` command-line client.

fn main() {
    println!("kamaki {}", env!("CARGO_PKG_VERSION"));
}
