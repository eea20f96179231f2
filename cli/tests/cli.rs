//! The `bizproc` binary run as a user runs it, from the workspace root: `check`, `payload` and
//! `sync` (against a local `bizproc_emulator::Emulator`), with their exit codes and messages.

use std::path::{Path, PathBuf};
use std::process::Output;

use bizproc_definition::Definition;
use bizproc_emulator::{Credentials, Emulator, Fault, Kind};
use serde_json::{Value, json};

const CREDIT_CHECK: &str = "examples/robots/credit_check.yaml";
const MD5_ACTION: &str = "examples/robots/md5_action.yaml";
const BROKEN: &str = "definition/tests/fixtures/broken_many_mistakes.yaml";
const BROKEN_SYNTAX: &str = "definition/tests/fixtures/broken_syntax.yaml";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the crate is in the workspace").to_path_buf()
}

/// Runs `bizproc args…` in the workspace root, with none of its variables from the environment.
fn bizproc(args: &[&str]) -> Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_bizproc"));
    command.args(args).current_dir(root());
    for var in [
        "BIZPROC_CLIENT_ENDPOINT",
        "BIZPROC_ACCESS_TOKEN",
        "BIZPROC_REFRESH_TOKEN",
        "BIZPROC_CLIENT_ID",
        "BIZPROC_CLIENT_SECRET",
        "BIZPROC_TOKEN_URL",
        "BIZPROC_MEMBER_ID",
    ] {
        command.env_remove(var);
    }
    command.output().expect("the binary runs")
}

/// As [`bizproc`], off the async runtime that serves the emulator.
async fn bizproc_async(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || bizproc(&args.iter().map(String::as_str).collect::<Vec<_>>()))
        .await
        .expect("the command thread finishes")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("UTF-8 output")
}

#[track_caller]
fn assert_exit(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

// ---------------------------------------------------------------------------------------------
// check
// ---------------------------------------------------------------------------------------------

#[test]
fn check_passes_good_files() {
    let output = bizproc(&["check", CREDIT_CHECK, MD5_ACTION]);
    assert_exit(&output, 0);
    assert_eq!(
        stdout(&output),
        "examples/robots/credit_check.yaml: ok (robot credit_check, 5 inputs, 7 outputs)\n\
         examples/robots/md5_action.yaml: ok (activity md5_action, 1 input, 1 output)\n"
    );
    assert_eq!(stderr(&output), "");
}

#[test]
fn check_reports_every_problem_with_file_line_and_column() {
    let output = bizproc(&["check", CREDIT_CHECK, BROKEN]);
    assert_exit(&output, 1);
    let out = stdout(&output);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "examples/robots/credit_check.yaml: ok (robot credit_check, 5 inputs, 7 outputs)");
    let problems = &lines[1..];
    assert_eq!(problems.len(), 9, "{out}");
    assert!(problems.iter().all(|line| line.starts_with(&format!("{BROKEN}:"))), "{out}");
    assert_eq!(
        problems[0],
        format!("{BROKEN}:2:7: CODE `credit check` must be 1 to 128 characters of A-Z, a-z, 0-9, `.`, `_`, `-`")
    );
    assert_eq!(
        problems[4],
        format!("{BROKEN}:7:3: property id `Title` is reserved by Bitrix24, which silently skips such a property")
    );
    assert!(problems[8].starts_with(&format!("{BROKEN}:12:1: unknown key `COLOR` at the top level")), "{out}");
    assert_eq!(stderr(&output), "bizproc: 9 problems in 1 file\n");
}

#[test]
fn check_reports_yaml_syntax_errors_and_unreadable_files() {
    let output = bizproc(&["check", BROKEN_SYNTAX, "no/such/robot.yaml"]);
    assert_exit(&output, 1);
    let out = stdout(&output);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        format!(
            "{BROKEN_SYNTAX}:4:11: YAML syntax error: while parsing a flow mapping, did not find expected ',' or '}}'"
        )
    );
    assert!(lines[1].starts_with("no/such/robot.yaml: cannot read the file: "), "{out}");
    assert_eq!(stderr(&output), "bizproc: 2 problems in 2 files\n");
}

#[test]
fn usage_errors_exit_with_2() {
    assert_exit(&bizproc(&["check"]), 2);
    assert_exit(&bizproc(&["payload"]), 2);
    assert_exit(&bizproc(&["sync", CREDIT_CHECK]), 2);
    let help = bizproc(&["--help"]);
    assert_exit(&help, 0);
    for command in ["check", "payload", "sync"] {
        assert!(stdout(&help).contains(command));
    }
}

// ---------------------------------------------------------------------------------------------
// payload
// ---------------------------------------------------------------------------------------------

#[test]
fn payload_prints_the_exact_registration_json() {
    let handler = "https://app.example.com/robots/credit_check";
    let output = bizproc(&["payload", CREDIT_CHECK, "--handler", handler]);
    assert_exit(&output, 0);
    let expected = Definition::from_path(root().join(CREDIT_CHECK)).unwrap().add_payload(Some(handler)).unwrap();
    assert_eq!(stdout(&output), format!("{}\n", serde_json::to_string_pretty(&expected).unwrap()));
    let printed: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(printed["HANDLER"], handler);
    assert_eq!(printed["RETURN_PROPERTIES"]["decision"]["Options"], json!({"Approve": "Approved", "deny": "Denied"}));
}

#[test]
fn payload_of_an_activity_uses_its_own_handler() {
    let output = bizproc(&["payload", MD5_ACTION, "--compact"]);
    assert_exit(&output, 0);
    let out = stdout(&output);
    assert_eq!(out.lines().count(), 1);
    assert!(out.starts_with(r#"{"CODE":"md5_action","HANDLER":"https://app.example.com/ping.php","AUTH_USER_ID":1,"#));
    assert!(out.contains(r#""RETURN_PROPERTIES":{"outputString":{"Name":{"de":"MD5","en":"MD5"},"Type":"string","Required":"N","Multiple":"N","Default":null}}"#));
}

#[test]
fn payload_of_a_broken_file_prints_its_problems() {
    let output = bizproc(&["payload", BROKEN, "--handler", "https://app.example.com/robot"]);
    assert_exit(&output, 1);
    assert_eq!(stdout(&output), "");
    let err = stderr(&output);
    assert_eq!(err.lines().count(), 9, "{err}");
    assert!(err.lines().all(|line| line.starts_with(&format!("{BROKEN}:"))), "{err}");

    let output = bizproc(&["payload", BROKEN_SYNTAX]);
    assert_exit(&output, 1);
    assert!(stderr(&output).starts_with(&format!("{BROKEN_SYNTAX}:4:11: YAML syntax error")));
}

#[test]
fn payload_needs_a_good_handler() {
    let output = bizproc(&["payload", CREDIT_CHECK]);
    assert_exit(&output, 1);
    assert_eq!(stderr(&output), format!("{CREDIT_CHECK}: the definition has no HANDLER: pass --handler <URL>\n"));
    let output = bizproc(&["payload", CREDIT_CHECK, "--handler", "http://localhost:8080/robot"]);
    assert_exit(&output, 1);
    assert_eq!(
        stderr(&output),
        "bizproc: --handler: handler URL `http://localhost:8080/robot` needs a host with a dot (use 127.0.0.1, not localhost)\n"
    );
}

// ---------------------------------------------------------------------------------------------
// sync
// ---------------------------------------------------------------------------------------------

const APP_URL: &str = "https://app.example.com";

/// `sync files… --app-url … --client-endpoint … --access-token … extra…`.
fn sync_args(portal: &Credentials, files: &[&str], extra: &[&str]) -> Vec<String> {
    let mut args = vec!["sync".to_owned()];
    args.extend(files.iter().map(|f| (*f).to_owned()));
    args.extend(
        ["--app-url", APP_URL, "--client-endpoint", &portal.client_endpoint, "--access-token", &portal.access_token]
            .map(str::to_owned),
    );
    args.extend(extra.iter().map(|a| (*a).to_owned()));
    args
}

/// The `bizproc.*.add`, `.update` and `.delete` calls the portal answered so far.
fn changes(emulator: &Emulator) -> Vec<String> {
    emulator
        .requests()
        .into_iter()
        .map(|entry| entry.method)
        .filter(|method| [".add", ".update", ".delete"].iter().any(|verb| method.ends_with(verb)))
        .collect()
}

fn stored(emulator: &Emulator, portal: &Credentials) -> Vec<(Kind, String, Value)> {
    emulator.registrations(&portal.member_id).into_iter().map(|r| (r.kind, r.code, r.fields)).collect()
}

/// No secret of `portal` appears in what a command printed.
#[track_caller]
fn assert_no_secrets(output: &Output, portal: &Credentials) {
    let printed = format!("{}{}", stdout(output), stderr(output));
    for secret in [&portal.access_token, &portal.refresh_token, &portal.client_secret] {
        assert!(!printed.contains(secret.as_str()), "a secret was printed:\n{printed}");
    }
}

fn temp_file(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bizproc-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    path
}

#[tokio::test(flavor = "multi_thread")]
async fn sync_registers_definitions_and_a_second_sync_changes_nothing() {
    let emulator = Emulator::builder().start().await.expect("the emulator starts");
    let portal = emulator.credentials();
    let state = temp_file("state.json");
    let state_arg = state.to_str().unwrap();
    let files = [CREDIT_CHECK, MD5_ACTION];

    // A dry run shows what would happen and changes nothing.
    let output = bizproc_async(sync_args(&portal, &files, &["--state", state_arg, "--dry-run"])).await;
    assert_exit(&output, 0);
    assert_eq!(
        stdout(&output),
        "would add robot credit_check (examples/robots/credit_check.yaml)\n\
         would add activity md5_action (examples/robots/md5_action.yaml)\n\
         dry run: 2 would add, 0 would update, 0 unchanged, 0 would delete; nothing was changed\n"
    );
    assert_no_secrets(&output, &portal);
    assert!(stored(&emulator, &portal).is_empty());
    assert!(changes(&emulator).is_empty());
    assert!(!state.exists(), "a dry run writes no state");

    // The sync adds both.
    let output = bizproc_async(sync_args(&portal, &files, &["--state", state_arg])).await;
    assert_exit(&output, 0);
    assert_eq!(
        stdout(&output),
        "added robot credit_check (examples/robots/credit_check.yaml)\n\
         added activity md5_action (examples/robots/md5_action.yaml)\n\
         synced: 2 added, 0 updated, 0 unchanged, 0 deleted\n"
    );
    assert_no_secrets(&output, &portal);
    assert_eq!(changes(&emulator), ["bizproc.robot.add", "bizproc.activity.add"]);
    let registered = stored(&emulator, &portal);
    assert_eq!(registered.len(), 2);
    let (kind, code, fields) = &registered[0];
    assert_eq!((*kind, code.as_str()), (Kind::Robot, "credit_check"));
    assert_eq!(fields["HANDLER"], "https://app.example.com/robots/credit_check");
    assert_eq!(fields["RETURN_PROPERTIES"]["decision"]["DEFAULT"], "deny");
    assert_eq!((registered[1].0, registered[1].1.as_str()), (Kind::Activity, "md5_action"));
    assert_eq!(registered[1].2["HANDLER"], "https://app.example.com/ping.php");
    let state_text = std::fs::read_to_string(&state).unwrap();
    assert!(!state_text.contains(&portal.access_token), "the state file holds no token");

    // The second sync sends nothing.
    let output = bizproc_async(sync_args(&portal, &files, &["--state", state_arg])).await;
    assert_exit(&output, 0);
    assert_eq!(
        stdout(&output),
        "unchanged robot credit_check (examples/robots/credit_check.yaml)\n\
         unchanged activity md5_action (examples/robots/md5_action.yaml)\n\
         synced: 0 added, 0 updated, 2 unchanged, 0 deleted\n"
    );
    assert_eq!(changes(&emulator).len(), 2, "no add, update or delete call");
    assert_eq!(stored(&emulator, &portal), registered);

    // Without a state file the portal cannot tell what it holds: both are sent again, the same.
    let output = bizproc_async(sync_args(&portal, &files, &[])).await;
    assert_exit(&output, 0);
    assert!(stdout(&output).ends_with("synced: 0 added, 2 updated, 0 unchanged, 0 deleted\n"), "{}", stdout(&output));
    assert_eq!(stored(&emulator, &portal), registered);

    // Undeclared registrations are deleted only when asked, and a dry run deletes nothing.
    let output =
        bizproc_async(sync_args(&portal, &[CREDIT_CHECK], &["--state", state_arg, "--delete-undeclared", "--dry-run"]))
            .await;
    assert_exit(&output, 0);
    assert_eq!(
        stdout(&output),
        "would delete activity md5_action\n\
         unchanged robot credit_check (examples/robots/credit_check.yaml)\n\
         dry run: 0 would add, 0 would update, 1 unchanged, 1 would delete; nothing was changed\n"
    );
    assert_eq!(stored(&emulator, &portal).len(), 2);
    let output =
        bizproc_async(sync_args(&portal, &[CREDIT_CHECK], &["--state", state_arg, "--delete-undeclared"])).await;
    assert_exit(&output, 0);
    assert!(stdout(&output).starts_with("deleted activity md5_action\n"), "{}", stdout(&output));
    assert_eq!(stored(&emulator, &portal).len(), 1);

    // A changed definition is updated.
    let edited = temp_file("credit_check.yaml");
    let text = std::fs::read_to_string(root().join(CREDIT_CHECK)).unwrap();
    std::fs::write(&edited, text.replace("DESCRIPTION: Scores the counterparty of a deal.", "DESCRIPTION: Scores it."))
        .unwrap();
    let output = bizproc_async(sync_args(&portal, &[edited.to_str().unwrap()], &["--state", state_arg])).await;
    assert_exit(&output, 0);
    assert!(stdout(&output).starts_with("updated robot credit_check"), "{}", stdout(&output));
    assert_eq!(stored(&emulator, &portal)[0].2["DESCRIPTION"], "Scores it.");
    emulator.shutdown().await;
    for file in [state, edited] {
        let _ = std::fs::remove_file(file);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sync_of_a_broken_file_sends_nothing() {
    let emulator = Emulator::builder().start().await.expect("the emulator starts");
    let portal = emulator.credentials();
    let output = bizproc_async(sync_args(&portal, &[CREDIT_CHECK, BROKEN], &[])).await;
    assert_exit(&output, 1);
    let out = stdout(&output);
    assert_eq!(out.lines().count(), 9);
    assert!(out.lines().all(|line| line.starts_with(&format!("{BROKEN}:"))), "{out}");
    assert_eq!(stderr(&output), "bizproc: 9 problems in the definitions; nothing was sent\n");
    assert!(emulator.requests().is_empty(), "not a single call");

    // A definition without HANDLER needs --app-url.
    let mut args = sync_args(&portal, &[CREDIT_CHECK], &[]);
    let at = args.iter().position(|a| a == "--app-url").unwrap();
    args.drain(at..at + 2);
    let output = bizproc_async(args).await;
    assert_exit(&output, 1);
    assert_eq!(
        stderr(&output),
        format!(
            "{CREDIT_CHECK}: no HANDLER: write one in the definition, or pass --app-url\nbizproc: nothing was sent\n"
        )
    );
    assert!(emulator.requests().is_empty());
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sync_refuses_a_code_the_portal_has_as_the_other_kind() {
    let emulator = Emulator::builder().start().await.expect("the emulator starts");
    let portal = emulator.credentials();
    let as_robot = temp_file("md5_as_robot.yaml");
    let text = std::fs::read_to_string(root().join(MD5_ACTION)).unwrap();
    std::fs::write(&as_robot, text.replace("kind: activity", "kind: robot")).unwrap();
    assert_exit(&bizproc_async(sync_args(&portal, &[MD5_ACTION], &[])).await, 0);

    let output = bizproc_async(sync_args(&portal, &[as_robot.to_str().unwrap()], &[])).await;
    assert_exit(&output, 1);
    assert!(
        stderr(&output).contains("CODE `md5_action` is registered on the portal as an activity"),
        "{}",
        stderr(&output)
    );
    assert_eq!(changes(&emulator), ["bizproc.activity.add"]);
    emulator.shutdown().await;
    let _ = std::fs::remove_file(as_robot);
}

#[tokio::test(flavor = "multi_thread")]
async fn sync_keeps_renewed_tokens_in_the_token_file_and_prints_none() {
    let emulator = Emulator::builder().start().await.expect("the emulator starts");
    let portal = emulator.credentials();
    emulator.fail_next("bizproc.robot.list", 1, Fault::expired_token());
    let tokens = temp_file("tokens.json");
    let extra = [
        "--refresh-token",
        &portal.refresh_token,
        "--client-id",
        &portal.client_id,
        "--client-secret",
        &portal.client_secret,
        "--token-url",
        &portal.oauth_token_url,
        "--member-id",
        &portal.member_id,
        "--token-file",
        tokens.to_str().unwrap(),
    ];
    let output = bizproc_async(sync_args(&portal, &[CREDIT_CHECK], &extra)).await;
    assert_exit(&output, 0);
    assert_no_secrets(&output, &portal);
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&tokens).unwrap()).unwrap();
    let renewed = saved["access_token"].as_str().unwrap();
    assert!(!renewed.is_empty() && renewed != portal.access_token);
    assert_ne!(saved["refresh_token"], portal.refresh_token.as_str());
    assert!(!stdout(&output).contains(renewed) && !stderr(&output).contains(renewed));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(std::fs::metadata(&tokens).unwrap().permissions().mode() & 0o777, 0o600);
    }
    assert_eq!(stored(&emulator, &portal).len(), 1);

    // A refresh token without a place to keep the renewed one is refused before any call.
    let output = bizproc_async(sync_args(&portal, &[CREDIT_CHECK], &extra[..10])).await;
    assert_exit(&output, 2);
    assert_no_secrets(&output, &portal);
    emulator.shutdown().await;
    let _ = std::fs::remove_file(tokens);
}
