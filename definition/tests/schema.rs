//! The JSON Schema of the format (`schema/robot-definition.schema.json`): every example
//! definition in the repository is valid against it, and it refuses what it can express.
//!
//! Files named `broken_*.yaml` are meant broken (for tests of the checker); every other
//! `*.yaml` / `*.yml` outside `target/` is an example definition.

use std::path::{Path, PathBuf};

use bizproc_definition::{Definition, yaml_to_json};
use serde_json::{Value, json};

fn schema() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema/robot-definition.schema.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("the schema is there")).expect("the schema is JSON")
}

fn validator() -> jsonschema::Validator {
    jsonschema::draft202012::new(&schema()).expect("the schema is a valid draft 2020-12 schema")
}

/// Every YAML file under `dir`, skipping `target`, hidden folders and `node_modules`.
fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).expect("readable folder").map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if path.is_dir() {
            if !name.starts_with('.') && name != "target" && name != "node_modules" {
                yaml_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

fn definitions() -> (Vec<PathBuf>, Vec<PathBuf>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the crate is in the workspace");
    let mut files = Vec::new();
    yaml_files(root, &mut files);
    files
        .into_iter()
        .partition(|path| !path.file_name().and_then(|n| n.to_str()).is_some_and(|name| name.starts_with("broken_")))
}

#[test]
fn every_example_definition_is_valid() {
    let (valid, _) = definitions();
    let names: Vec<String> = valid.iter().map(|p| p.display().to_string()).collect();
    for expected in ["examples/robots/credit_check.yaml", "examples/robots/md5_action.yaml", "docs_test_robot.yaml"] {
        assert!(names.iter().any(|n| n.ends_with(expected)), "{expected} is among {names:#?}");
    }
    let validator = validator();
    let mut failures = Vec::new();
    for path in &valid {
        if let Err(problems) = Definition::from_path(path) {
            failures.push(format!("{problems}"));
        }
        let text = std::fs::read_to_string(path).unwrap();
        let instance = match yaml_to_json(&text, &path.display().to_string()) {
            Ok(instance) => instance,
            Err(problem) => {
                failures.push(problem.to_string());
                continue;
            }
        };
        for error in validator.iter_errors(&instance) {
            failures.push(format!("{}: {} at {}", path.display(), error, error.instance_path()));
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n(a definition meant broken, e.g. for a test of the checker, is named `broken_*.yaml`)",
        failures.join("\n")
    );
}

#[test]
fn broken_examples_are_refused_by_the_checker() {
    let (_, broken) = definitions();
    assert!(!broken.is_empty());
    for path in broken {
        assert!(Definition::from_path(&path).is_err(), "{} is meant broken", path.display());
    }
}

/// A small valid definition, as JSON.
fn base() -> Value {
    json!({
        "CODE": "a",
        "NAME": {"en": "A", "ru": "А"},
        "PROPERTIES": {"inn": {"Name": "INN", "Type": "string", "Required": "Y"}},
        "RETURN_PROPERTIES": {"decision": {"Name": "Decision", "Type": "select", "Options": {"yes": "Yes"}}},
    })
}

#[test]
fn the_schema_matches_keys_in_any_case() {
    let validator = validator();
    assert!(validator.is_valid(&base()));
    let lower = json!({
        "kind": "activity",
        "code": "a",
        "name": "A",
        "use_subscription": false,
        "Properties": {"inn": {"name": "INN", "TYPE": "string", "required": true}},
        "filter": {"include": ["b24", ["crm"]]},
        "Use_Placement": "Y",
        "placement_handler": "https://app.example.com/settings",
        "auth": "**put_access_token_here**",
    });
    assert!(
        validator.is_valid(&lower),
        "{:?}",
        validator.iter_errors(&lower).map(|e| e.to_string()).collect::<Vec<_>>()
    );
}

#[test]
fn the_schema_refuses_what_it_can_express() {
    let validator = validator();
    let refused = |edit: &dyn Fn(&mut Value)| {
        let mut instance = base();
        edit(&mut instance);
        !validator.is_valid(&instance)
    };
    assert!(refused(&|v| v["COLOR"] = "red".into()), "an unknown key");
    assert!(refused(&|v| v["PROPERTIES"]["inn"]["Label"] = "x".into()), "an unknown descriptor key");
    assert!(refused(&|v| drop(v.as_object_mut().unwrap().remove("CODE"))), "no CODE");
    assert!(refused(&|v| drop(v.as_object_mut().unwrap().remove("NAME"))), "no NAME");
    assert!(refused(&|v| v["CODE"] = "credit check".into()), "a bad CODE");
    assert!(refused(&|v| v["NAME"] = json!({"ru": "А"})), "a language map without en");
    assert!(refused(&|v| v["NAME"] = json!({"eng": "A"})), "a language code of three letters");
    assert!(refused(&|v| v["NAME"] = "".into()), "an empty NAME");
    assert!(refused(&|v| v["HANDLER"] = "http://localhost/robot".into()), "a host without a dot");
    assert!(refused(&|v| v["HANDLER"] = "ftp://files.example.com/robot".into()), "not http");
    assert!(refused(&|v| v["USE_SUBSCRIPTION"] = "yes".into()), "a flag that is not Y/N");
    assert!(refused(&|v| v["USE_PLACEMENT"] = "Y".into()), "a placement without its handler");
    assert!(refused(&|v| v["PROPERTIES"]["2fa"] = json!({"Name": "A", "Type": "string"})), "an id with a digit first");
    for reserved in ["Title", "istimeout", "OPTIONS", "properties"] {
        assert!(refused(&|v| v["PROPERTIES"][reserved] = json!({"Name": "A", "Type": "string"})), "{reserved}");
    }
    assert!(refused(&|v| v["PROPERTIES"]["inn"]["Type"] = "number".into()), "an unknown Type");
    assert!(refused(&|v| drop(v["PROPERTIES"]["inn"].as_object_mut().unwrap().remove("Type"))), "no Type");
    assert!(refused(&|v| drop(v["PROPERTIES"]["inn"].as_object_mut().unwrap().remove("Name"))), "no Name");
    assert!(refused(&|v| v["PROPERTIES"]["inn"]["Required"] = "yes".into()), "Required not Y/N");
    assert!(refused(&|v| drop(v["RETURN_PROPERTIES"]["decision"].as_object_mut().unwrap().remove("Options"))));
    assert!(refused(&|v| v["RETURN_PROPERTIES"]["decision"]["Options"] = json!({})), "select with no options");
    assert!(refused(&|v| v["RETURN_PROPERTIES"]["decision"]["Options"] = json!([["a"]])), "a pair of one");
    assert!(refused(&|v| v["DOCUMENT_TYPE"] = json!(["crm", "CCrmDocumentDeal"])), "two parts");
    assert!(refused(&|v| v["FILTER"] = json!({"INCLUDE": ["cloud"]})), "an unknown platform");
    assert!(refused(&|v| v["kind"] = "bot".into()), "an unknown kind");
    assert!(refused(&|v| v["AUTH_USER_ID"] = json!(-1)), "a negative user id");
    // What the schema accepts in other shapes.
    assert!(!refused(&|v| v["RETURN_PROPERTIES"]["decision"]["Options"] = json!([["yes", "Yes"]])));
    assert!(!refused(&|v| v["PROPERTIES"]["inn"]["Type"] = "UF:address".into()));
    assert!(!refused(&|v| v["HANDLER"] = "http://127.0.0.1:8080/robot".into()));
    assert!(!refused(&|v| v["PROPERTIES"] = json!([])));
}
