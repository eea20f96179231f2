//! `bizproc-emulator`: a local Bitrix24 portal on 127.0.0.1.
//!
//! Prints the base URL and every portal's credentials (OAuth pair, client id and secret,
//! application token, webhook URL), then serves until Ctrl-C or SIGTERM.
//!
//! ```text
//! bizproc-emulator --port 8080 --portals 2 --rate 2 --burst 50 --token-lifetime 3600
//! bizproc-emulator --json            # one line of JSON: {"base_url": ..., "portals": [...]}
//! bizproc-emulator --https cert.pem  # HTTPS with a new self-signed certificate written to cert.pem
//! ```

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use bizproc_emulator::{Credentials, Emulator, PortalConfig, RateLimit};
use clap::Parser;

/// A local Bitrix24 portal for developing and testing business-process robots.
#[derive(Debug, Parser)]
#[command(name = "bizproc-emulator", version, about)]
struct Args {
    /// Port to listen on at 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Serve HTTPS with a new self-signed certificate for 127.0.0.1, written as PEM to this file.
    #[arg(long, value_name = "CERT_PEM")]
    https: Option<PathBuf>,
    /// How many portals to emulate.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=1000))]
    portals: u16,
    /// Requests drained from the rate-limit bucket per second (default: 2, or 5 with --enterprise).
    #[arg(long, value_name = "PER_SECOND")]
    rate: Option<f64>,
    /// Requests the rate-limit bucket holds (default: 50, or 250 with --enterprise).
    #[arg(long, value_name = "N")]
    burst: Option<f64>,
    /// Use the Enterprise plan's rate limit (5 per second, 250 at once).
    #[arg(long)]
    enterprise: bool,
    /// Lifetime of access tokens in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 3600)]
    token_lifetime: u64,
    /// Print the credentials as one line of JSON.
    #[arg(long)]
    json: bool,
}

impl Args {
    fn rate_limit(&self) -> RateLimit {
        let plan = if self.enterprise { RateLimit::ENTERPRISE } else { RateLimit::STANDARD };
        RateLimit::new(self.rate.unwrap_or(plan.drain_per_second), self.burst.unwrap_or(plan.burst))
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = Args::parse();
    let mut builder = Emulator::builder()
        .port(args.port)
        .rate_limit(args.rate_limit())
        .token_lifetime(Duration::from_secs(args.token_lifetime));
    for i in 1..=args.portals {
        let domain =
            if args.portals == 1 { "portal.bitrix24.test".to_owned() } else { format!("portal{i}.bitrix24.test") };
        builder = builder.portal(PortalConfig::new(domain));
    }
    if let Some(certificate) = &args.https {
        builder = builder.https(certificate);
    }
    let emulator = match builder.start().await {
        Ok(emulator) => emulator,
        Err(error) => {
            eprintln!("bizproc-emulator: {error}");
            return ExitCode::FAILURE;
        }
    };
    let portals: Vec<Credentials> =
        emulator.portals().iter().filter_map(|member_id| emulator.credentials_of(member_id)).collect();
    if args.json {
        let out = serde_json::json!({ "base_url": emulator.base_url(), "portals": portals });
        println!("{out}");
    } else {
        print_human(&emulator, &portals, &args);
    }

    shutdown_signal().await;
    eprintln!("bizproc-emulator: stopping");
    emulator.shutdown().await;
    ExitCode::SUCCESS
}

fn print_human(emulator: &Emulator, portals: &[Credentials], args: &Args) {
    let base = emulator.base_url();
    let limit = args.rate_limit();
    println!("bizproc-emulator listening on {base}");
    println!("  control:    {base}/_emulator/state");
    println!("  rate limit: {} per second, burst {}", limit.drain_per_second, limit.burst);
    if let Some(certificate) = &args.https {
        println!("  TLS certificate: {}", certificate.display());
    }
    for portal in portals {
        println!();
        println!("portal {}", portal.domain);
        println!("  member_id:         {}", portal.member_id);
        println!("  client_endpoint:   {}", portal.client_endpoint);
        println!("  webhook:           {}", portal.webhook_url);
        println!("  access_token:      {}", portal.access_token);
        println!("  refresh_token:     {}", portal.refresh_token);
        println!("  client_id:         {}", portal.client_id);
        println!("  client_secret:     {}", portal.client_secret);
        println!("  application_token: {}", portal.application_token);
        println!("  oauth_token_url:   {}", portal.oauth_token_url);
        println!("  server_endpoint:   {}", portal.server_endpoint);
        println!("  user_id:           {}", portal.user_id);
    }
    println!();
    println!("Press Ctrl-C to stop.");
}

/// Ctrl-C, or SIGTERM on Unix.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
