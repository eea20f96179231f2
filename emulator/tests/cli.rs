//! The `bizproc-emulator` binary: starts, prints its credentials, serves, and stops on a signal.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

/// Kills the child if a test fails before stopping it.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(args: &[&str]) -> (Running, BufReader<ChildStdout>) {
    let child = Command::new(env!("CARGO_BIN_EXE_bizproc-emulator"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut running = Running(child);
    let stdout = running.0.stdout.take().expect("stdout is piped");
    (running, BufReader::new(stdout))
}

fn line(stdout: &mut BufReader<ChildStdout>) -> String {
    let mut line = String::new();
    stdout.read_line(&mut line).expect("a line of output");
    line
}

#[tokio::test]
async fn prints_json_credentials_that_work_then_stops_on_a_signal() {
    let (mut running, mut stdout) = start(&["--port", "0", "--json", "--portals", "2", "--burst", "7"]);
    let printed: Value = serde_json::from_str(&line(&mut stdout)).expect("one line of JSON");
    let base_url = printed["base_url"].as_str().expect("base_url");
    assert!(base_url.starts_with("http://127.0.0.1:"), "{base_url}");
    let portals = printed["portals"].as_array().expect("portals");
    assert_eq!(portals.len(), 2);

    let http = reqwest::Client::new();
    for portal in portals {
        for key in ["member_id", "client_id", "client_secret", "refresh_token", "application_token", "oauth_token_url"]
        {
            assert!(portal[key].as_str().is_some_and(|v| !v.is_empty()), "{key} in {portal}");
        }
        let endpoint = portal["client_endpoint"].as_str().expect("client_endpoint");
        let answer: Value = http
            .post(format!("{endpoint}app.info"))
            .json(&json!({ "auth": portal["access_token"] }))
            .send()
            .await
            .expect("an answer")
            .json()
            .await
            .expect("JSON");
        assert_eq!(answer["result"]["CODE"], portal["client_id"], "{answer}");

        let webhook = portal["webhook_url"].as_str().expect("webhook_url");
        let status = http.get(format!("{webhook}app.info")).send().await.expect("an answer").status();
        assert_eq!(status, 200);
    }

    #[cfg(unix)]
    {
        let pid = running.0.id().to_string();
        let sent = Command::new("kill").args(["-INT", &pid]).status().expect("kill runs");
        assert!(sent.success());
        let mut exit = None;
        for _ in 0..100 {
            if let Some(status) = running.0.try_wait().expect("the child can be waited for") {
                exit = Some(status);
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let exit = exit.expect("the emulator stops on SIGINT");
        assert!(exit.success(), "{exit:?}");
    }
    #[cfg(not(unix))]
    let _ = running.0.kill();
}

#[test]
fn prints_human_readable_credentials() {
    let (_running, mut stdout) = start(&["--enterprise", "--token-lifetime", "60"]);
    let first = line(&mut stdout);
    assert!(first.starts_with("bizproc-emulator listening on http://127.0.0.1:"), "{first}");
    let mut text = first;
    while !text.contains("Press Ctrl-C") {
        let next = line(&mut stdout);
        assert!(!next.is_empty(), "the output ends early: {text}");
        text.push_str(&next);
    }
    assert!(text.contains("rate limit: 5 per second, burst 250"), "{text}");
    for label in ["member_id:", "access_token:", "refresh_token:", "client_secret:", "application_token:", "webhook:"] {
        assert!(text.contains(label), "{label} in {text}");
    }
}

#[test]
fn rejects_bad_arguments() {
    let output = Command::new(env!("CARGO_BIN_EXE_bizproc-emulator"))
        .args(["--portals", "0"])
        .output()
        .expect("the binary runs");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("--portals"));
}

#[test]
fn https_writes_the_certificate_and_prints_an_https_url() {
    let path = std::env::temp_dir().join(format!("bizproc-emulator-cli-{}.pem", std::process::id()));
    let (_running, mut stdout) = start(&["--json", "--https", path.to_str().expect("a UTF-8 temp path")]);
    let printed: Value = serde_json::from_str(&line(&mut stdout)).expect("one line of JSON");
    assert!(printed["base_url"].as_str().is_some_and(|url| url.starts_with("https://127.0.0.1:")), "{printed}");
    assert!(printed["portals"][0]["client_endpoint"].as_str().is_some_and(|url| url.starts_with("https://")));
    let pem = std::fs::read_to_string(&path).expect("the certificate was written");
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
    let _ = std::fs::remove_file(&path);
}
