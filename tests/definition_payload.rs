//! The YAML definition of the quickstart robot (`examples/robots/credit_check.yaml`) gives the
//! same `bizproc.robot.add` JSON, key order included, as the robot written with derive
//! attributes alone (the structs below are copied from `examples/quickstart.rs`).

use bizproc::{BizprocProperties, BizprocReturn, BizprocSelect, Text, UserId};
use bizproc_definition::Definition;
use chrono::NaiveDate;

/// What the reviewer decided.
#[derive(BizprocSelect, Debug)]
#[allow(dead_code)] // only the registration is compared
enum Decision {
    #[bizproc(label = "Approved")]
    Approve,
    #[bizproc(rename = "deny", label = "Denied")]
    Deny,
}

#[derive(BizprocProperties, Debug)]
#[allow(dead_code)] // only the registration is compared
struct CreditInput {
    /// Tax id of the counterparty.
    inn: String,
    /// The largest limit the robot may grant.
    #[bizproc(default = 100_000.0)]
    max_limit: f64,
    /// Who manages the deal.
    manager: Option<UserId>,
    /// When the contract was signed.
    signed_on: Option<NaiveDate>,
    /// Markers set on the counterparty.
    tags: Vec<String>,
}

/// Scores the counterparty of a deal.
#[derive(BizprocReturn, Debug)]
#[bizproc(code = "credit_check", name(en = "Credit check", ru = "Проверка контрагента"), input = CreditInput)]
#[allow(dead_code)] // only the registration is compared
struct CreditCheck {
    #[bizproc(name = "Decision", default = "deny")]
    decision: Decision,
    score: i64,
    #[bizproc(rename = "limitAmount")]
    limit: f64,
    reviewer: UserId,
    comment: Option<Text>,
    checked_on: NaiveDate,
    flags: Vec<String>,
}

const HANDLER: &str = "https://app.example.com/robots/credit_check";

fn definition() -> Definition {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/robots/credit_check.yaml");
    Definition::from_path(path).unwrap_or_else(|problems| panic!("{problems}"))
}

#[test]
fn the_yaml_definition_gives_the_derived_robots_payload() {
    let runtime = CreditCheck::registration(HANDLER).robot_add_payload();
    let definition = definition().add_payload(Some(HANDLER)).unwrap();
    // Text, so that key order counts too.
    assert_eq!(serde_json::to_string_pretty(&definition).unwrap(), serde_json::to_string_pretty(&runtime).unwrap());
}

#[test]
fn the_definitions_model_matches_the_derived_types() {
    let def = definition();
    assert_eq!(def.code().value, CreditCheck::CODE);
    let inputs: Vec<&str> = def.properties().iter().map(|p| p.id().as_str()).collect();
    assert_eq!(inputs, CreditInput::IDS);
    let registration = CreditCheck::registration(HANDLER);
    assert_eq!(def.return_properties().len(), registration.output_properties().len());
    for (yaml, (id, derived)) in def.return_properties().iter().zip(registration.output_properties().iter()) {
        assert_eq!(yaml.id().as_str(), id);
        assert_eq!(yaml.type_name().as_str(), derived.property_type.as_str(), "{id}");
        assert_eq!(yaml.required().value, derived.required, "{id}");
        assert_eq!(yaml.multiple().value, derived.multiple, "{id}");
    }
    let decision = def.return_property("decision").unwrap();
    assert_eq!(decision.option_keys().collect::<Vec<_>>(), <Decision as BizprocSelect>::KEYS);
}

/// The same robot backed by the definition file: its fields are checked against the file at
/// compile time, and its registration comes from the file.
mod backed {
    use bizproc::{BizprocProperties, BizprocReturn, Text, UserId};
    use chrono::NaiveDate;

    #[derive(BizprocProperties)]
    #[bizproc(definition = "examples/robots/credit_check.yaml")]
    #[allow(dead_code)] // only the registration is compared
    pub struct CreditInput {
        inn: String,
        max_limit: f64,
        manager: Option<UserId>,
        signed_on: Option<NaiveDate>,
        tags: Vec<String>,
    }

    #[derive(BizprocReturn)]
    #[bizproc(definition = "examples/robots/credit_check.yaml", input = CreditInput)]
    #[allow(dead_code)] // only the registration is compared
    pub struct CreditCheck {
        decision: super::Decision,
        score: i64,
        #[bizproc(rename = "limitAmount")]
        limit: f64,
        reviewer: UserId,
        comment: Option<Text>,
        checked_on: NaiveDate,
        flags: Vec<String>,
    }
}

#[test]
fn a_definition_backed_type_registers_exactly_as_the_attribute_one() {
    let attributes = CreditCheck::registration(HANDLER).robot_add_payload();
    let backed = backed::CreditCheck::registration(HANDLER).robot_add_payload();
    assert_eq!(serde_json::to_string_pretty(&backed).unwrap(), serde_json::to_string_pretty(&attributes).unwrap());
    assert_eq!(backed::CreditCheck::CODE, "credit_check");
    assert_eq!(backed::CreditInput::properties(), CreditInput::properties());
}

#[test]
fn the_runtime_definition_loads_the_same_registration() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/robots/credit_check.yaml");
    let loaded = bizproc::Definition::from_path(path).unwrap();
    assert_eq!(loaded.registration(Some(HANDLER)).unwrap(), CreditCheck::registration(HANDLER));
    let broken = bizproc::Definition::from_str("CODE: x y\nNAME: {ru: Имя}\n", "inline.yaml").unwrap_err();
    let text = broken.to_string();
    assert!(text.contains("inline.yaml:1:7") && text.contains("inline.yaml:2:7"), "{text}");
}
