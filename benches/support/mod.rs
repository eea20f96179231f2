//! The ratio summary each bench prints once criterion has measured.

use std::path::PathBuf;

/// Criterion's mean estimate of one benchmark, in nanoseconds, from the report it just wrote.
pub fn mean_ns(group: &str, id: &str) -> Option<f64> {
    let dir = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from("target"), PathBuf::from);
    // `cargo bench` runs the binary from the package root; the workspace's target dir is there.
    let path = dir.join("criterion").join(group).join(id).join("new").join("estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json["mean"]["point_estimate"].as_f64()
}

/// Prints `ours` against `baseline` of `group` with the target ratio, as MET or MISSED.
pub fn report(group: &str, ours: &str, baseline: &str, target: f64) {
    match (mean_ns(group, ours), mean_ns(group, baseline)) {
        (Some(ours_ns), Some(base_ns)) => {
            let ratio = ours_ns / base_ns;
            let verdict = if ratio <= target { "MET" } else { "MISSED" };
            println!(
                "SUMMARY {group}: {ours} {ours_ns:.0} ns, {baseline} {base_ns:.0} ns, ratio {ratio:.2}x, target <= {target:.1}x: {verdict}"
            );
        }
        _ => println!("SUMMARY {group}: no estimates (filtered out or not measured)"),
    }
}
