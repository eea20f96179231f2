//! Compile time: a clean build of a generated crate of robots with the derives, next to the
//! very same structs deriving only serde's `Serialize` and `Deserialize`.
//!
//! Both crates live in one generated workspace with one target directory and the same
//! dependencies, built once before measuring, so that each measured build compiles the one
//! crate alone: the cost a developer pays in the edit-compile loop. The variants alternate so
//! that the load of the machine (other builds) weighs on both alike.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::Verdict;

/// A clean build of the derive crate may take at most this many times the serde crate's.
const TARGET: f64 = 1.5;
const DERIVE: &str = "robots_derive";
const SERDE: &str = "robots_serde";

/// Options of the `compile` benchmark.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Robots in each generated crate (an input and a result struct each).
    #[arg(long, default_value_t = 50)]
    robots: usize,
    /// Fields of every input and result struct.
    #[arg(long, default_value_t = 10)]
    fields: usize,
    /// Clean builds of each crate.
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Builds with the release profile instead of the debug one.
    #[arg(long)]
    release: bool,
    /// Keeps the generated workspace, and prints where it is.
    #[arg(long)]
    keep: bool,
}

impl Default for Args {
    fn default() -> Self {
        Self { robots: 50, fields: 10, runs: 5, release: false, keep: false }
    }
}

pub(crate) fn run(args: &Args) -> Verdict {
    let dir = std::env::temp_dir().join(format!("bizproc-bench-compile-{}", std::process::id()));
    let verdict = match bench(args, &dir) {
        Ok(verdict) => verdict,
        Err(error) => {
            println!("compile: {error}: Missed");
            Verdict::Missed
        }
    };
    if args.keep {
        println!("  the generated workspace is kept in {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
    verdict
}

fn bench(args: &Args, dir: &Path) -> Result<Verdict, String> {
    let runtime = Path::new(env!("CARGO_MANIFEST_DIR")).join("../runtime");
    let runtime = runtime.canonicalize().map_err(|e| format!("cannot find {}: {e}", runtime.display()))?;
    generate(args, dir, &runtime).map_err(|e| format!("cannot write {}: {e}", dir.display()))?;
    let profile = if args.release { "release" } else { "debug" };
    println!(
        "compile: {} robots x {} fields in each crate, {} clean builds of each, {profile} profile; {} cores, {}",
        args.robots,
        args.fields,
        args.runs,
        std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
        rustc_version(),
    );

    // The dependencies and the proc-macro crate once, out of the measurement.
    let warm = Instant::now();
    cargo(args, dir, &["build", "--workspace"])?;
    println!("  dependencies built in {:.1?}", warm.elapsed());

    let mut derive = Vec::with_capacity(args.runs);
    let mut serde = Vec::with_capacity(args.runs);
    for run in 0..args.runs {
        // Alternating which goes first, so that neither always follows the other.
        let order = if run % 2 == 0 { [DERIVE, SERDE] } else { [SERDE, DERIVE] };
        for krate in order {
            let time = clean_build(args, dir, krate)?;
            if krate == DERIVE { derive.push(time) } else { serde.push(time) }
        }
        println!("  run {}: {DERIVE} {:.2?}, {SERDE} {:.2?}", run + 1, derive[run], serde[run]);
    }
    let (derive, serde) = (median(&mut derive), median(&mut serde));
    let ratio = derive.as_secs_f64() / serde.as_secs_f64();
    let verdict = Verdict::of(ratio <= TARGET);
    println!(
        "compile: median clean build of {DERIVE} {derive:.2?}, of {SERDE} {serde:.2?}: {ratio:.2}x, \
         target <= {TARGET}x: {verdict:?}"
    );
    Ok(verdict)
}

/// Removes the crate's own artifacts only, then builds it.
fn clean_build(args: &Args, dir: &Path, krate: &str) -> Result<Duration, String> {
    cargo(args, dir, &["clean", "-p", krate])?;
    let start = Instant::now();
    cargo(args, dir, &["build", "-p", krate])?;
    Ok(start.elapsed())
}

/// Runs cargo in the generated workspace; its output is shown only when it fails.
fn cargo(args: &Args, dir: &Path, command: &[&str]) -> Result<(), String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args(command).arg("--quiet").current_dir(dir).env("CARGO_TARGET_DIR", dir.join("target"));
    if args.release {
        cmd.arg("--release");
    }
    // Set by the `cargo run` that started this benchmark; they would leak into the builds.
    for var in ["RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS", "CARGO_BUILD_TARGET_DIR", "CARGO_MANIFEST_DIR"] {
        cmd.env_remove(var);
    }
    let output = cmd.output().map_err(|e| format!("cannot run cargo: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!("`cargo {}` failed:\n{}", command.join(" "), String::from_utf8_lossy(&output.stderr)))
    }
}

fn rustc_version() -> String {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    Command::new(rustc)
        .arg("-V")
        .output()
        .ok()
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .map_or_else(|| "rustc of unknown version".to_owned(), |version| version.trim().to_owned())
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort_unstable();
    let middle = times.len() / 2;
    if times.len().is_multiple_of(2) { (times[middle - 1] + times[middle]) / 2 } else { times[middle] }
}

/// Writes the workspace: its manifest, the lock file of this one (so that the dependencies
/// resolve to the versions this repository is tested with), and the two crates.
fn generate(args: &Args, dir: &Path, runtime: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(
        dir.join("Cargo.toml"),
        "[workspace]\nmembers = [\"robots_derive\", \"robots_serde\"]\nresolver = \"3\"\n",
    )?;
    let lock = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock");
    if lock.exists() {
        std::fs::copy(lock, dir.join("Cargo.lock"))?;
    }
    for (krate, variant) in [(DERIVE, Variant::Derive), (SERDE, Variant::Serde)] {
        let src: PathBuf = dir.join(krate).join("src");
        std::fs::create_dir_all(&src)?;
        std::fs::write(dir.join(krate).join("Cargo.toml"), manifest(krate, runtime))?;
        std::fs::write(src.join("lib.rs"), source(args, variant))?;
    }
    Ok(())
}

/// The same dependencies in both crates; bizproc without its default features (the client,
/// SQLite), which only lengthen the warm-up.
fn manifest(krate: &str, runtime: &Path) -> String {
    format!(
        "[package]\nname = \"{krate}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\n\
         bizproc = {{ path = {runtime:?}, default-features = false }}\n\
         serde = {{ version = \"1\", features = [\"derive\"] }}\n\
         chrono = {{ version = \"0.4.41\", default-features = false, features = [\"std\", \"clock\", \"serde\"] }}\n",
        runtime = runtime.display().to_string(),
    )
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Variant {
    Derive,
    Serde,
}

/// Field types in turn; a select enum takes one field of every third robot.
const TYPES: [&str; 11] = [
    "String",
    "i64",
    "f64",
    "bool",
    "chrono::NaiveDate",
    "Option<String>",
    "Vec<String>",
    "UserId",
    "Option<f64>",
    "Text",
    "Option<chrono::NaiveDate>",
];

/// One crate's `lib.rs`: the same items either way, only the derives and their attributes differ.
fn source(args: &Args, variant: Variant) -> String {
    let mut out = String::from("//! Generated robots.\n\n");
    match variant {
        Variant::Derive => {
            out.push_str("use bizproc::{BizprocProperties, BizprocReturn, BizprocSelect, Text, UserId};\n");
        }
        // bizproc's `UserId` and `Text` implement no serde traits; these stand in for them.
        Variant::Serde => out.push_str(
            "use serde::{Deserialize, Serialize};\n\n\
             /// A portal user.\n#[derive(Serialize, Deserialize)]\npub struct UserId(pub u32);\n\n\
             /// A multi-line text.\n#[derive(Serialize, Deserialize)]\npub struct Text(pub String);\n",
        ),
    }
    let (select, properties, ret) = match variant {
        Variant::Derive => ("BizprocSelect", "BizprocProperties", "BizprocReturn"),
        Variant::Serde => ("Serialize, Deserialize", "Serialize, Deserialize", "Serialize, Deserialize"),
    };
    let attr = match variant {
        Variant::Derive => "bizproc",
        Variant::Serde => "serde",
    };
    for robot in 0..args.robots {
        let has_select = robot % 3 == 0;
        if has_select {
            let _ = write!(
                out,
                "\n/// The stage robot {robot} moves a deal to.\n#[derive({select})]\npub enum Stage{robot} {{\n"
            );
            for (variant_name, label) in [("Draft", "Draft"), ("Review", "Under review"), ("Done", "Done")] {
                let attr_line = match variant {
                    Variant::Derive => format!("    #[bizproc(label = \"{label}\")]\n"),
                    Variant::Serde => format!("    #[serde(alias = \"{label}\")]\n"),
                };
                let _ = writeln!(out, "{attr_line}    {variant_name},");
            }
            out.push_str("}\n");
        }
        let _ = write!(
            out,
            "\n/// What robot {robot} reads from the deal.\n#[derive({properties})]\npub struct Robot{robot}Input {{\n"
        );
        fields(&mut out, args, robot, "source", has_select, attr);
        out.push_str("}\n");
        let container = match variant {
            Variant::Derive => {
                format!("#[bizproc(code = \"robot_{robot}\", name = \"Robot {robot}\", input = Robot{robot}Input)]\n")
            }
            Variant::Serde => "#[serde(deny_unknown_fields)]\n".to_owned(),
        };
        let _ = write!(
            out,
            "\n/// Robot {robot}: scores a deal and returns the figures.\n#[derive({ret})]\n{container}pub struct Robot{robot} {{\n"
        );
        fields(&mut out, args, robot, "result", has_select, attr);
        out.push_str("}\n");
    }
    out
}

/// The fields of one struct, each with a doc comment, one of them renamed.
fn fields(out: &mut String, args: &Args, robot: usize, prefix: &str, has_select: bool, attr: &str) {
    for field in 0..args.fields {
        let ty = if has_select && field == args.fields / 2 {
            format!("Stage{robot}")
        } else {
            TYPES[(robot + field) % TYPES.len()].to_owned()
        };
        let _ = writeln!(out, "    /// The {prefix} figure number {field} of the robot, as the deal holds it.");
        if field == 1 {
            let _ = writeln!(out, "    #[{attr}(rename = \"{prefix}Renamed\")]");
        }
        let _ = writeln!(out, "    pub {prefix}_{field}: {ty},");
    }
}
