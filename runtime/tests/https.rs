//! The emulator serves HTTPS with a self-signed certificate that clients can be told to trust.

use bizproc::client::Client;
use bizproc_emulator::Emulator;

#[tokio::test]
async fn client_reaches_the_emulator_over_https_with_its_certificate() {
    let dir = std::env::temp_dir().join(format!("bizproc-https-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pem_path = dir.join("emulator.pem");
    let emulator = Emulator::builder().https(&pem_path).start().await.unwrap();
    assert!(emulator.base_url().starts_with("https://127.0.0.1:"));
    let pem = std::fs::read(&pem_path).unwrap();
    assert!(String::from_utf8_lossy(&pem).contains("BEGIN CERTIFICATE"));

    let trusted = Client::builder()
        .webhook(emulator.credentials().webhook_url)
        .add_root_certificate_pem(&pem)
        .unwrap()
        .build()
        .unwrap();
    let time: String = trusted.call_idempotent("server.time", serde_json::json!({})).await.unwrap();
    assert!(time.ends_with("+03:00"), "the portal's clock carries its offset: {time}");

    // Without the certificate the TLS handshake fails: the portal is not blindly trusted.
    let untrusted = Client::builder()
        .webhook(emulator.credentials().webhook_url)
        .retry_policy(bizproc::client::RetryPolicy { max_attempts: 1, ..Default::default() })
        .build()
        .unwrap();
    let err = untrusted.call::<String>("server.time", serde_json::json!({})).await.unwrap_err();
    assert!(matches!(err, bizproc::client::Error::Transport { .. }), "{err:?}");
    std::fs::remove_dir_all(dir).unwrap();
}
