//! The fake GitLab. STUB.
fn main() {}
