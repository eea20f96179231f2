//! Compile time: not measured yet.

use crate::Verdict;

/// Options of the `compile` benchmark.
#[derive(Debug, Default, clap::Args)]
pub(crate) struct Args {}

pub(crate) fn run(_args: &Args) -> Verdict {
    println!("compile: not measured yet");
    Verdict::Missed
}
