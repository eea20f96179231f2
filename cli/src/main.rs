//! `bizproc`: check Bitrix24 robot definitions, print their registration payloads, and sync
//! them to a portal.
//!
//! ```text
//! bizproc check examples/robots/*.yaml
//! bizproc payload examples/robots/credit_check.yaml --handler https://app.example.com/robots/credit_check
//! bizproc sync examples/robots/*.yaml --app-url https://app.example.com \
//!     --client-endpoint https://acme.bitrix24.com/rest/ --access-token "$TOKEN" --dry-run
//! ```
//!
//! Exit status: 0 on success, 1 when a definition has a problem or a call fails, 2 on a usage
//! error. Problems are printed one per line as `file:line:column: message`. Tokens and the
//! client secret are never printed; pass them through the environment
//! (`BIZPROC_ACCESS_TOKEN`, …) to keep them out of the process list.
#![forbid(unsafe_code)]

mod convert;
mod sync;

use std::path::PathBuf;
use std::process::ExitCode;

use bizproc_definition::{Definition, PayloadError};
use clap::{Args, Parser, Subcommand};

/// Check Bitrix24 robot and activity definitions (YAML), print their `bizproc.robot.add`
/// payloads, and register them on a portal.
#[derive(Debug, Parser)]
#[command(name = "bizproc", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate definition files: one line per problem (`file:line:column: message`), exit 1 on any.
    Check {
        /// Definition files (YAML, or JSON).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Print the exact JSON of `bizproc.robot.add` (or `bizproc.activity.add` for `kind: activity`).
    Payload {
        /// A definition file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// The handler URL to register; the definition's own HANDLER unless given.
        #[arg(long, value_name = "URL")]
        handler: Option<String>,
        /// One line of JSON instead of an indented one.
        #[arg(long)]
        compact: bool,
    },
    /// Register definitions on a portal: add what is missing, update what is there.
    Sync(Box<SyncArgs>),
}

/// Where and how `sync` registers.
#[derive(Debug, Args)]
pub(crate) struct SyncArgs {
    /// Definition files (YAML, or JSON).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// The portal's REST address (`client_endpoint`), such as `https://acme.bitrix24.com/rest/`.
    #[arg(long, env = "BIZPROC_CLIENT_ENDPOINT", value_name = "URL")]
    pub client_endpoint: String,
    /// An OAuth access token of an administrator, issued to the app.
    #[arg(long, env = "BIZPROC_ACCESS_TOKEN", hide_env_values = true, value_name = "TOKEN")]
    pub access_token: String,
    /// The refresh token, to renew an expired access token (needs --client-id,
    /// --client-secret and --token-file, since a refresh token works once).
    #[arg(
        long,
        env = "BIZPROC_REFRESH_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN",
        requires_all = ["client_id", "client_secret", "token_file"]
    )]
    pub refresh_token: Option<String>,
    /// The app's OAuth client id.
    #[arg(long, env = "BIZPROC_CLIENT_ID", value_name = "ID")]
    pub client_id: Option<String>,
    /// The app's OAuth client secret.
    #[arg(long, env = "BIZPROC_CLIENT_SECRET", hide_env_values = true, value_name = "SECRET")]
    pub client_secret: Option<String>,
    /// The OAuth token endpoint (Bitrix24's own unless given).
    #[arg(long, env = "BIZPROC_TOKEN_URL", value_name = "URL")]
    pub token_url: Option<String>,
    /// The portal's member id, as the app stores it.
    #[arg(long, env = "BIZPROC_MEMBER_ID", value_name = "ID")]
    pub member_id: Option<String>,
    /// Where renewed tokens are written (JSON, readable by the owner only); never printed.
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// The app's address: a definition without HANDLER is registered at
    /// `<URL>/robots/<CODE>`, where `bizproc::app::RobotApp` serves it.
    #[arg(long, value_name = "URL")]
    pub app_url: Option<String>,
    /// A file recording what was last registered, so that a repeated sync sends nothing for
    /// unchanged definitions (the portal cannot be asked what it stores). Without it, every
    /// definition the portal has is updated.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Show what would be added, updated and deleted, and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Delete the app's robots and activities that no file declares.
    #[arg(long)]
    pub delete_undeclared: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check { files } => check(&files),
        Command::Payload { file, handler, compact } => payload(&file, handler.as_deref(), compact),
        Command::Sync(args) => {
            let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(runtime) => runtime,
                Err(e) => {
                    eprintln!("bizproc: cannot start: {e}");
                    return ExitCode::FAILURE;
                }
            };
            runtime.block_on(sync::run(&args))
        }
    }
}

/// Loads every file, printing each problem as a line on stdout.
pub(crate) fn load_all(files: &[PathBuf]) -> Result<Vec<Definition>, usize> {
    let mut definitions = Vec::new();
    let mut problems = 0;
    for file in files {
        match Definition::from_path(file) {
            Ok(definition) => definitions.push(definition),
            Err(err) => {
                problems += err.len();
                for problem in &err {
                    println!("{problem}");
                }
            }
        }
    }
    if problems == 0 { Ok(definitions) } else { Err(problems) }
}

fn check(files: &[PathBuf]) -> ExitCode {
    let mut failed_files = 0;
    let mut problems = 0;
    for file in files {
        match Definition::from_path(file) {
            Ok(def) => println!(
                "{}: ok ({} {}, {}, {})",
                def.file(),
                def.kind(),
                def.code().value,
                plural(def.properties().len(), "input"),
                plural(def.return_properties().len(), "output")
            ),
            Err(err) => {
                failed_files += 1;
                problems += err.len();
                for problem in &err {
                    println!("{problem}");
                }
            }
        }
    }
    if problems == 0 {
        ExitCode::SUCCESS
    } else {
        eprintln!("bizproc: {} in {}", plural(problems, "problem"), plural(failed_files, "file"));
        ExitCode::FAILURE
    }
}

/// `1 problem`, `2 problems`.
pub(crate) fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("{n} {word}") } else { format!("{n} {word}s") }
}

fn payload(file: &std::path::Path, handler: Option<&str>, compact: bool) -> ExitCode {
    let def = match Definition::from_path(file) {
        Ok(def) => def,
        Err(err) => {
            eprintln!("{err}");
            return ExitCode::FAILURE;
        }
    };
    match def.add_payload(handler) {
        Ok(payload) => {
            let text = if compact { serde_json::to_string(&payload) } else { serde_json::to_string_pretty(&payload) };
            println!("{}", text.expect("a JSON value always serializes"));
            ExitCode::SUCCESS
        }
        Err(PayloadError::MissingHandler) => {
            eprintln!("{}: the definition has no HANDLER: pass --handler <URL>", def.file());
            ExitCode::FAILURE
        }
        Err(err @ PayloadError::InvalidHandler { .. }) => {
            eprintln!("bizproc: --handler: {err}");
            ExitCode::FAILURE
        }
    }
}
