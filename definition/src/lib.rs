//! Bitrix24 robot and activity definitions in YAML.
//!
//! A definition file holds one robot or activity: the parameters of `bizproc.robot.add`
//! (`CODE`, `NAME`, `DESCRIPTION`, `HANDLER`, `USE_SUBSCRIPTION`, `AUTH_USER_ID`,
//! `PROPERTIES`, `RETURN_PROPERTIES`, `DOCUMENT_TYPE`, `FILTER`, `USE_PLACEMENT`,
//! `PLACEMENT_HANDLER`), plus `kind: robot` (the default) or `kind: activity`. Any documented
//! payload written as YAML, or pasted as JSON (which is YAML), is a valid definition.
//!
//! [`Definition::from_str`] and [`Definition::from_path`] parse a file into a model where every
//! value carries its line and column, apply every rule the `bizproc` derives apply, and report
//! every problem at once as `file:line:column: message`. [`Definition::add_payload`] gives the
//! exact JSON of `bizproc.robot.add` (or `bizproc.activity.add`), identical to what
//! `bizproc::Registration::robot_add_payload()` gives for the same robot.
//!
//! This crate does not depend on the `bizproc` runtime, so that the derive macros can use it.
//! YAML is read with [`marked-yaml`](https://docs.rs/marked-yaml) (`serde_yaml` is archived),
//! which keeps the place of every node.
//!
//! ```
//! use bizproc_definition::{Definition, Kind};
//!
//! let yaml = r#"
//! CODE: credit_check
//! NAME: {en: Credit check, ru: Проверка контрагента}
//! PROPERTIES:
//!   inn:
//!     Name: Inn
//!     Description: Tax id of the counterparty.
//!     Type: string
//!     Required: Y
//! RETURN_PROPERTIES:
//!   decision:
//!     Name: Decision
//!     Type: select
//!     Required: Y
//!     Options: {Approve: Approved, deny: Denied}
//!     Default: deny
//! "#;
//! let def = Definition::from_str(yaml, "credit_check.yaml").unwrap();
//! assert_eq!(def.kind(), Kind::Robot);
//! let decision = def.return_property("decision").unwrap();
//! assert_eq!(decision.option_keys().collect::<Vec<_>>(), ["Approve", "deny"]);
//! assert_eq!(decision.location().to_string(), "11:3");
//!
//! let payload = def.add_payload(Some("https://app.example.com/robots/credit_check")).unwrap();
//! assert_eq!(payload["USE_SUBSCRIPTION"], "Y");
//! assert_eq!(payload["PROPERTIES"]["inn"]["Multiple"], "N");
//! assert_eq!(payload["RETURN_PROPERTIES"]["decision"]["Options"]["deny"], "Denied");
//!
//! let broken = "CODE: credit check\nNAME: {ru: Проверка}\nPROPERTIES:\n  IsTimeout: {Name: T, Type: number}\n";
//! let err = Definition::from_str(broken, "broken.yaml").unwrap_err();
//! let lines: Vec<String> = err.iter().map(ToString::to_string).collect();
//! assert_eq!(lines.len(), 4);
//! assert!(lines[0].starts_with("broken.yaml:1:7: CODE `credit check` must be"));
//! assert!(lines[1].starts_with("broken.yaml:2:7: NAME must contain `en`"));
//! assert!(lines[2].starts_with("broken.yaml:4:3: property id `IsTimeout` is reserved"));
//! assert!(lines[3].starts_with("broken.yaml:4:30: unknown Type `number`"));
//! ```
//!
//! # The format
//!
//! | Key | Value |
//! |---|---|
//! | `kind` | `robot` (default) or `activity` |
//! | `CODE` | required; `^[A-Za-z0-9._-]{1,128}$` |
//! | `NAME` | required; a text, or a map of two-letter language code to text that includes `en` |
//! | `DESCRIPTION` | a text or language map |
//! | `HANDLER` | optional here (a handler URL can be given with the payload); `http`/`https`, a host with a dot, at most 1000 characters |
//! | `USE_SUBSCRIPTION` | `Y`/`N`; **`Y` when left out**, and always written to the payload |
//! | `AUTH_USER_ID` | a whole number (a digit string is read as one) |
//! | `PROPERTIES`, `RETURN_PROPERTIES` | a map of property id to descriptor (below) |
//! | `DOCUMENT_TYPE` | `[module, entity, type]`; for activities one the server knows (spec §2) |
//! | `FILTER` | `{INCLUDE: [...], EXCLUDE: [...]}`; rules `b24`, `box` or a 1–3 part document type |
//! | `USE_PLACEMENT` | `Y`/`N` (`N` when left out); `Y` needs `PLACEMENT_HANDLER` |
//! | `PLACEMENT_HANDLER` | same rules as `HANDLER` |
//! | `auth` | the access token of a pasted REST call: **accepted and ignored**, never part of the payload |
//!
//! A descriptor has `Name` (required), `Description`, `Type` (required: `bool`, `date`,
//! `datetime`, `double`, `file`, `int`, `select`, `string`, `text`, `user`, or a document type
//! `PREFIX:NAME` such as `UF:address`), `Required` and `Multiple` (`N` when left out),
//! `Options` (`select` needs at least one; only `select` and document types may have them) and
//! `Default`.
//!
//! Rules beyond the shapes above: property ids match `^[A-Za-z][A-Za-z0-9_]*$`, are none of
//! [`RESERVED_IDS`] (ignoring case), do not repeat within a set ignoring case, and a return
//! id does not repeat an input id ignoring case; texts are never empty; option keys do not
//! repeat and labels are not empty; a `select` `Default` is an option key (each item of it,
//! for a list); a list `Default` needs `Multiple`; an `int` `Default` is a whole number (or a
//! text, such as a bizproc expression); each property set stays under
//! [`STORED_PROPERTIES_LIMIT`] bytes as the server stores it.
//!
//! # Decisions
//!
//! - **Key case.** Top-level keys, descriptor keys and `INCLUDE`/`EXCLUDE` are matched ignoring
//!   case, as the server does (`code` ≡ `CODE`, `NAME` ≡ `Name` in a descriptor); two keys
//!   equal ignoring case are an error. Property ids and option keys keep their case. Language
//!   codes are two letters in either case, compared ignoring case, and written as given.
//! - **Flags.** `Required`, `Multiple`, `USE_SUBSCRIPTION` and `USE_PLACEMENT` accept `Y`/`N`
//!   and the YAML booleans `true`/`false`, and are always written as `"Y"`/`"N"`. YAML 1.2 is
//!   used, so a plain `Y` is the string `Y`; `yes`/`no` are not flags.
//! - **Scalars.** Plain scalars are typed by YAML 1.2's core schema (`null`, `true`, `42`,
//!   `1.5`); quoted ones are strings. Where a text is expected (`CODE`, names, labels, `Type`),
//!   a number or boolean is taken as written (`NAME: 2024` is the text `2024`).
//! - **Defaults** are sent as written, except that `true`/`false` become `"Y"`/`"N"` for a
//!   `bool` property and whole numbers become floats for a `double` (as the derives write
//!   them). `Default: null` is kept.
//! - **Options** may be a map or a list of `[key, label]` pairs; they are always written as an
//!   object.
//! - **Empty values.** `PROPERTIES: []`, `DOCUMENT_TYPE: []`, `FILTER: []` (how PHP writes an
//!   empty map) or an empty value mean the key is not set.
//! - **The payload** follows the runtime: `AUTH_USER_ID`, `DESCRIPTION`, `DOCUMENT_TYPE`,
//!   `FILTER` and `PLACEMENT_HANDLER` only when written; `PROPERTIES` and `RETURN_PROPERTIES`
//!   only when not empty; `USE_PLACEMENT` only when `Y`.
//! - **YAML features.** One document; anchors, aliases, tags and duplicate keys are errors.
//!
//! A JSON Schema of the format ships at `schema/robot-definition.schema.json` in this crate,
//! for editors.
#![forbid(unsafe_code)]
#![doc(html_root_url = "https://docs.rs/bizproc-definition/0.1.0")]

mod location;
mod model;
mod parse;
mod payload;
mod problem;
mod rules;
mod stored_size;
mod yaml;

pub use location::{Location, Spanned};
pub use model::{
    BUILT_IN_TYPES, CODE_LIMIT, Definition, Filter, FilterRule, HANDLER_LIMIT, Kind, Localized, Property, RESERVED_IDS,
    STORED_PROPERTIES_LIMIT, SelectOption,
};
pub use payload::PayloadError;
pub use problem::{Problem, Problems};
pub use stored_size::serialized_len as php_serialized_len;

/// A YAML document as JSON, with the scalar typing definitions use (YAML 1.2 core schema:
/// plain `42` is a number, `'42'` a string). For checking a definition against the JSON
/// Schema, or for tools that want the raw data.
///
/// # Errors
/// A YAML syntax error, a top level that is not a mapping, or a `.inf`/`.nan` (JSON has no
/// such numbers), with its location.
///
/// ```
/// let json = bizproc_definition::yaml_to_json("CODE: a\nAUTH_USER_ID: 1\nNAME: {en: A}\n", "a.yaml").unwrap();
/// assert_eq!(json, serde_json::json!({"CODE": "a", "AUTH_USER_ID": 1, "NAME": {"en": "A"}}));
/// ```
pub fn yaml_to_json(text: &str, file: &str) -> Result<serde_json::Value, Problem> {
    let root = yaml::load(text, file)?;
    yaml::to_json(&marked_yaml::Node::Mapping(root))
        .map_err(|at| Problem::new(file, Some(at), "JSON has no infinite or NaN numbers"))
}
