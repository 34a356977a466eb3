//! kamaki-devcloud binary.
fn main() {}
