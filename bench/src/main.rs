//! Whole-system benchmarks: what `cargo bench` cannot measure in isolation.
//!
//! ```text
//! cargo run --release -p bizproc-bench -- all
//! ```
//!
//! - `delivery`: results delivered to the emulator through a small rate-limit bucket, with
//!   and without batching, against the ceiling the bucket allows.
//! - `throughput`: robot calls per second the app accepts over keep-alive connections, next
//!   to a bare axum route that only reads the body.
//! - `parse`: the throughput benchmark's requests parsed in a loop, no target: its
//!   instructions, counted with callgrind, do not move with the host's load.
//! - `handle`: the same requests through the app's router in-process, outbox write included,
//!   no TCP: its instructions, counted with callgrind, are the app's own work per request.
//! - `compile`: a clean build of a generated crate of robots with the derives, next to the
//!   same structs deriving only serde's traits.
//!
//! Each prints its figures and whether its target was met; the process fails when one was
//! missed. `BENCHMARKS.md` records the figures.

// Counts and durations become rates and ratios here; they are far below 2^52.
#![allow(clippy::cast_precision_loss)]

mod compile;
mod delivery;
mod load;
mod robot;
mod throughput;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

// The quickstart's allocator: the app under load is measured as it would be served.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(about = "Whole-system benchmarks of bizproc")]
struct Cli {
    #[command(subcommand)]
    bench: Bench,
}

#[derive(Subcommand)]
enum Bench {
    /// Results delivered against the rate-limit ceiling.
    Delivery(delivery::Args),
    /// Robot calls accepted per second, next to a bare route.
    Throughput(throughput::Args),
    /// Clean build time of generated robots, next to serde's derives only.
    Compile(compile::Args),
    /// The throughput benchmark's requests parsed in a loop, to count instructions.
    Parse(throughput::Requests),
    /// The throughput benchmark's requests through the app's router in-process, to count
    /// instructions.
    Handle(throughput::Requests),
    /// Delivery, throughput and compile, each with its defaults.
    All,
}

/// Whether a benchmark met its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Met,
    Missed,
}

impl Verdict {
    pub(crate) fn of(met: bool) -> Self {
        if met { Self::Met } else { Self::Missed }
    }
}

fn main() -> ExitCode {
    let verdicts = match Cli::parse().bench {
        Bench::Delivery(args) => vec![delivery::run(&args)],
        Bench::Throughput(args) => vec![throughput::run(&args)],
        Bench::Compile(args) => vec![compile::run(&args)],
        Bench::Parse(args) => vec![throughput::parse(&args)],
        Bench::Handle(args) => vec![throughput::handle(&args)],
        Bench::All => vec![
            delivery::run(&delivery::Args::default()),
            throughput::run(&throughput::Args::default()),
            compile::run(&compile::Args::default()),
        ],
    };
    if verdicts.iter().all(|v| *v == Verdict::Met) { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
