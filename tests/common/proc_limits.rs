//! Reading a process's limits from `/proc/<pid>/limits` (Linux).

/// The soft and hard core file size limits of `pid`, as `/proc/<pid>/limits` writes them
/// (`"0"`, `"unlimited"`, …).
pub fn core_size_limits(pid: u32) -> (String, String) {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits"))
        .unwrap_or_else(|err| panic!("read /proc/{pid}/limits: {err}"));
    let core = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap_or_else(|| panic!("no core size line in {limits}"));
    let fields: Vec<&str> = core.split_whitespace().collect();
    (fields[4].to_string(), fields[5].to_string())
}
