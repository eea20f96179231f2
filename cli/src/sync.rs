//! `bizproc sync`: make the portal's registrations the declared ones.
//!
//! The portal lists only codes (`bizproc.robot.list`), so what a registration holds cannot be
//! read back. A code the portal lacks is added; one it has is updated with every field, unless
//! `--state` records that exactly this registration was sent last time, in which case nothing is
//! sent for it. With `--delete-undeclared`, the app's codes that no file declares are deleted.
//! Every definition is checked, and every code checked against the one namespace robots and
//! activities share, before the first call.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use bizproc::Registration;
use bizproc::client::{AppCredentials, Client, Error, ErrorCode, PortalTokens, TokenStore};
use bizproc_definition::Kind;
use serde_json::{Value, json};

use crate::SyncArgs;

/// One declared registration.
struct Declared {
    kind: Kind,
    file: String,
    registration: Registration,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Action {
    Add,
    Update,
    Unchanged,
    Delete,
}

impl Action {
    fn done(self) -> &'static str {
        match self {
            Self::Add => "added",
            Self::Update => "updated",
            Self::Unchanged => "unchanged",
            Self::Delete => "deleted",
        }
    }

    fn planned(self) -> &'static str {
        match self {
            Self::Add => "would add",
            Self::Update => "would update",
            Self::Unchanged => "unchanged",
            Self::Delete => "would delete",
        }
    }
}

struct Step<'a> {
    action: Action,
    kind: Kind,
    code: String,
    declared: Option<&'a Declared>,
}

pub(crate) async fn run(args: &SyncArgs) -> ExitCode {
    match sync(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("{message}");
            }
            ExitCode::FAILURE
        }
    }
}

async fn sync(args: &SyncArgs) -> Result<(), String> {
    let declared = declare(args)?;
    let client = client(args)?;
    let listed_robots = client.robot_list().await.map_err(|e| call_error("bizproc.robot.list", &e))?;
    let listed_activities = client.activity_list().await.map_err(|e| call_error("bizproc.activity.list", &e))?;
    let listed = |kind: Kind| if kind == Kind::Robot { &listed_robots } else { &listed_activities };

    // A code the portal has as the other kind is refused, unless it is about to be deleted.
    for d in &declared {
        let other = if d.kind == Kind::Robot { Kind::Activity } else { Kind::Robot };
        if listed(other).iter().any(|c| c == d.registration.code()) && !args.delete_undeclared {
            return Err(format!(
                "{}: CODE `{}` is registered on the portal as {} {other}: robots and activities share one \
                 namespace; rename it, or pass --delete-undeclared to replace the {other}",
                d.file,
                d.registration.code(),
                if other == Kind::Activity { "an" } else { "a" },
            ));
        }
    }

    let endpoint = args.client_endpoint.trim_end_matches('/').to_owned();
    let mut state = State::load(args.state.as_deref(), &endpoint)?;
    let mut steps = Vec::new();
    if args.delete_undeclared {
        for kind in [Kind::Robot, Kind::Activity] {
            for code in listed(kind) {
                if !declared.iter().any(|d| d.kind == kind && d.registration.code() == code) {
                    steps.push(Step { action: Action::Delete, kind, code: code.clone(), declared: None });
                }
            }
        }
    }
    for d in &declared {
        let code = d.registration.code().to_owned();
        let action = if !listed(d.kind).contains(&code) {
            Action::Add
        } else if state.get(d.kind, &code) == Some(&d.registration.update_payload()) {
            Action::Unchanged
        } else {
            Action::Update
        };
        steps.push(Step { action, kind: d.kind, code, declared: Some(d) });
    }

    if args.dry_run {
        for step in &steps {
            println!("{} {} {}{}", step.action.planned(), step.kind, step.code, from(step.declared));
        }
        println!("dry run: {}; nothing was changed", summary(&steps, Action::planned));
        return Ok(());
    }

    let mut result = Ok(());
    for step in &steps {
        if let Err(message) = execute(&client, step, &mut state).await {
            result = Err(message);
            break;
        }
        println!("{} {} {}{}", step.action.done(), step.kind, step.code, from(step.declared));
    }
    // What did succeed is recorded even when a later call failed.
    state.save()?;
    result?;
    println!("synced: {}", summary(&steps, Action::done));
    Ok(())
}

/// Loads, checks and converts every file; prints every problem before failing.
fn declare(args: &SyncArgs) -> Result<Vec<Declared>, String> {
    let definitions = crate::load_all(&args.files).map_err(|problems| {
        format!("bizproc: {} in the definitions; nothing was sent", crate::plural(problems, "problem"))
    })?;
    let mut declared: Vec<Declared> = Vec::new();
    let mut errors = Vec::new();
    let mut codes = HashSet::new();
    for def in &definitions {
        let handler = match (def.handler(), &args.app_url) {
            (Some(own), _) => own.value.clone(),
            (None, Some(app)) => format!("{}/robots/{}", app.trim_end_matches('/'), def.code().value),
            (None, None) => {
                errors.push(format!("{}: no HANDLER: write one in the definition, or pass --app-url", def.file()));
                continue;
            }
        };
        let registration = match crate::convert::registration(def, &handler) {
            Ok(registration) => registration,
            Err(message) => {
                errors.push(message);
                continue;
            }
        };
        if let Err(invalid) = registration.validate() {
            errors.push(format!("{}: {invalid}", def.file()));
            continue;
        }
        if !codes.insert(def.code().value.clone()) {
            let first = declared.iter().find(|d| d.registration.code() == def.code().value).map_or("", |d| &d.file);
            errors.push(format!(
                "{}:{}: CODE `{}` is also declared in {first}: robots and activities share one namespace",
                def.file(),
                def.code().location,
                def.code().value
            ));
            continue;
        }
        declared.push(Declared { kind: def.kind(), file: def.file().to_owned(), registration });
    }
    if errors.is_empty() {
        Ok(declared)
    } else {
        errors.push("bizproc: nothing was sent".to_owned());
        Err(errors.join("\n"))
    }
}

fn client(args: &SyncArgs) -> Result<Client, String> {
    let mut app =
        AppCredentials::new(args.client_id.clone().unwrap_or_default(), args.client_secret.clone().unwrap_or_default());
    if let Some(url) = &args.token_url {
        app = app.token_url(url.clone());
    }
    let tokens = PortalTokens::new(
        args.member_id.clone().unwrap_or_default(),
        args.client_endpoint.clone(),
        args.access_token.clone(),
        args.refresh_token.clone().unwrap_or_default(),
    );
    let mut builder = Client::builder().oauth(app, tokens);
    if let Some(path) = &args.token_file {
        builder = builder.token_store(Arc::new(TokenFile { path: path.clone() }));
    }
    builder.build().map_err(|e| format!("bizproc: cannot set up the client: {e}"))
}

async fn execute(client: &Client, step: &Step<'_>, state: &mut State) -> Result<(), String> {
    let Some(declared) = step.declared else {
        let (method, result) = match step.kind {
            Kind::Robot => ("bizproc.robot.delete", client.robot_delete(&step.code).await),
            Kind::Activity => ("bizproc.activity.delete", client.activity_delete(&step.code).await),
        };
        result.map_err(|e| call_error(method, &e))?;
        state.forget(step.kind, &step.code);
        return Ok(());
    };
    let registration = &declared.registration;
    let update = |kind| async move {
        match kind {
            Kind::Robot => client.robot_update(registration).await.map_err(|e| call_error("bizproc.robot.update", &e)),
            Kind::Activity => {
                client.activity_update(registration).await.map_err(|e| call_error("bizproc.activity.update", &e))
            }
        }
    };
    match step.action {
        Action::Unchanged | Action::Delete => return Ok(()),
        Action::Update => update(step.kind).await?,
        Action::Add => {
            let (method, added) = match step.kind {
                Kind::Robot => ("bizproc.robot.add", client.robot_add(registration).await),
                Kind::Activity => ("bizproc.activity.add", client.activity_add(registration).await),
            };
            match added {
                Ok(()) => {}
                // Added by someone else since the list: update it instead.
                Err(e) if e.code() == Some(&ErrorCode::ActivityAlreadyInstalled) => update(step.kind).await?,
                Err(e) => return Err(call_error(method, &e)),
            }
        }
    }
    state.remember(step.kind, &step.code, registration.update_payload());
    Ok(())
}

fn call_error(method: &str, error: &Error) -> String {
    format!("bizproc: {method} failed: {error}")
}

fn from(declared: Option<&Declared>) -> String {
    declared.map_or_else(String::new, |d| format!(" ({})", d.file))
}

fn summary(steps: &[Step<'_>], word: fn(Action) -> &'static str) -> String {
    [Action::Add, Action::Update, Action::Unchanged, Action::Delete]
        .iter()
        .map(|&action| format!("{} {}", steps.iter().filter(|s| s.action == action).count(), word(action)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `--state`: the update payload last sent for each kind and code, per portal.
struct State {
    path: Option<PathBuf>,
    endpoint: String,
    all: serde_json::Map<String, Value>,
}

impl State {
    fn load(path: Option<&Path>, endpoint: &str) -> Result<Self, String> {
        let mut all = serde_json::Map::new();
        if let Some(path) = path
            && path.exists()
        {
            let text = std::fs::read_to_string(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
            match serde_json::from_str::<Value>(&text) {
                Ok(Value::Object(map)) => all = map,
                _ => return Err(format!("{}: not a bizproc sync state file", path.display())),
            }
        }
        Ok(Self { path: path.map(Path::to_path_buf), endpoint: endpoint.to_owned(), all })
    }

    fn key(kind: Kind, code: &str) -> String {
        format!("{kind}:{code}")
    }

    fn get(&self, kind: Kind, code: &str) -> Option<&Value> {
        self.path.as_ref()?;
        self.all.get(&self.endpoint)?.get(Self::key(kind, code))
    }

    fn remember(&mut self, kind: Kind, code: &str, payload: Value) {
        let portal = self.all.entry(self.endpoint.clone()).or_insert_with(|| json!({}));
        if let Value::Object(portal) = portal {
            portal.insert(Self::key(kind, code), payload);
        }
    }

    fn forget(&mut self, kind: Kind, code: &str) {
        if let Some(Value::Object(portal)) = self.all.get_mut(&self.endpoint) {
            portal.remove(&Self::key(kind, code));
        }
    }

    fn save(&self) -> Result<(), String> {
        let Some(path) = &self.path else { return Ok(()) };
        // Sorted, so that the file diffs well.
        let sorted: BTreeMap<&String, &Value> = self.all.iter().collect();
        let mut text = serde_json::to_string_pretty(&sorted).expect("a JSON value always serializes");
        text.push('\n');
        std::fs::write(path, text).map_err(|e| format!("{}: cannot write: {e}", path.display()))
    }
}

/// `--token-file`: renewed tokens, kept before they are used (a refresh token works once).
struct TokenFile {
    path: PathBuf,
}

impl TokenStore for TokenFile {
    fn save(&self, tokens: &PortalTokens) -> Result<(), String> {
        let text = serde_json::to_string_pretty(&json!({
            "member_id": tokens.member_id,
            "client_endpoint": tokens.client_endpoint,
            "access_token": tokens.access_token.expose(),
            "refresh_token": tokens.refresh_token.expose(),
        }))
        .expect("a JSON value always serializes");
        write_private(&self.path, text.as_bytes()).map_err(|e| format!("{}: cannot write: {e}", self.path.display()))
    }

    fn load(&self, member_id: &str) -> Result<Option<PortalTokens>, String> {
        let Ok(text) = std::fs::read_to_string(&self.path) else { return Ok(None) };
        let value: Value =
            serde_json::from_str(&text).map_err(|_| format!("{}: not a token file", self.path.display()))?;
        let field = |key: &str| value.get(key).and_then(Value::as_str).unwrap_or_default().to_owned();
        if field("member_id") != member_id {
            return Ok(None);
        }
        Ok(Some(PortalTokens::new(
            field("member_id"),
            field("client_endpoint"),
            field("access_token"),
            field("refresh_token"),
        )))
    }
}

/// Writes a file only its owner can read.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(bytes)
}
