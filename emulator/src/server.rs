//! The HTTP(S) server: routes, TLS, and the handle that stops it.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::any;
use tokio::task::JoinHandle;

use crate::state::Shared;
use crate::{control, oauth, rest};

pub(crate) fn router(shared: Shared) -> Router {
    Router::new()
        .route("/rest/{*path}", any(rest::handle))
        .route("/oauth/token", any(oauth::token))
        .route("/oauth/token/", any(oauth::token))
        .route("/_emulator/{*path}", any(control::handle))
        .with_state(shared)
}

/// A running server.
pub(crate) struct Running {
    shutdown: axum_server::Handle<SocketAddr>,
    task: JoinHandle<()>,
}

impl Running {
    /// Stops taking requests and waits a moment for those under way.
    pub async fn stop(self) {
        self.shutdown.graceful_shutdown(Some(Duration::from_secs(2)));
        let _ = tokio::time::timeout(Duration::from_secs(3), self.task).await;
    }

    /// Stops at once.
    pub fn abort(&self) {
        self.shutdown.shutdown();
        self.task.abort();
    }
}

/// Binds 127.0.0.1:`port`; 0 picks a free port.
pub(crate) fn bind(port: u16) -> std::io::Result<std::net::TcpListener> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", port))?;
    listener.set_nonblocking(true)?;
    Ok(listener)
}

/// Serves `router` on `listener` until stopped.
pub(crate) fn serve(
    listener: std::net::TcpListener,
    tls: Option<axum_server::tls_rustls::RustlsConfig>,
    router: Router,
) -> std::io::Result<Running> {
    let handle = axum_server::Handle::new();
    let service = router.into_make_service();
    let task = if let Some(config) = tls {
        let server = axum_server::from_tcp_rustls(listener, config)?.handle(handle.clone());
        tokio::spawn(async move {
            let _ = server.serve(service).await;
        })
    } else {
        let server = axum_server::from_tcp(listener)?.handle(handle.clone());
        tokio::spawn(async move {
            let _ = server.serve(service).await;
        })
    };
    Ok(Running { shutdown: handle, task })
}

/// A self-signed certificate for 127.0.0.1 and localhost; the certificate goes to `path` as
/// PEM so that clients can trust it.
pub(crate) async fn tls_config(path: &Path) -> std::io::Result<axum_server::tls_rustls::RustlsConfig> {
    let names = vec!["127.0.0.1".to_owned(), "localhost".to_owned()];
    let certified = rcgen::generate_simple_self_signed(names).map_err(std::io::Error::other)?;
    let cert_pem = certified.cert.pem();
    tokio::fs::write(path, &cert_pem).await?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(std::io::Error::other)?
        .with_no_client_auth()
        .with_single_cert(
            vec![certified.cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::try_from(certified.signing_key.serialize_der())
                .map_err(std::io::Error::other)?,
        )
        .map_err(std::io::Error::other)?;
    Ok(axum_server::tls_rustls::RustlsConfig::from_config(Arc::new(config)))
}
