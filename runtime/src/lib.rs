//! Typed, compile-time checked Bitrix24 business-process robots.
//!
//! A Bitrix24 robot is registered with `bizproc.robot.add` (its code, name, handler URL, input
//! `PROPERTIES` and output `RETURN_PROPERTIES`), called with a form POST when a workflow runs
//! it, and answered with `bizproc.event.send` carrying `RETURN_VALUES`. Bitrix24 silently
//! drops what is wrong in those maps: a misspelt key, a reserved id, a value of the wrong type.
//! Here the robot is declared once, as Rust types, and those mistakes are compile errors.
//!
//! ```
//! use bizproc::{BizprocProperties, BizprocReturn, BizprocSelect, Text, UserId};
//!
//! #[derive(BizprocSelect)]
//! enum Decision {
//!     #[bizproc(label = "Approved")]
//!     Approve,
//!     #[bizproc(rename = "deny", label = "Denied")]
//!     Deny,
//! }
//!
//! #[derive(BizprocProperties)]
//! struct CreditInput {
//!     /// Tax id of the counterparty.
//!     inn: String,
//!     #[bizproc(default = 100000.0)]
//!     max_limit: f64,
//!     manager: Option<UserId>,
//! }
//!
//! /// Scores the counterparty of a deal.
//! #[derive(BizprocReturn)]
//! #[bizproc(code = "credit_check", name(en = "Credit check", ru = "Проверка контрагента"), input = CreditInput)]
//! struct CreditCheck {
//!     #[bizproc(name = "Decision", default = "deny")]
//!     decision: Decision,
//!     score: i64,
//!     #[bizproc(rename = "limitAmount")]
//!     limit: f64,
//!     reviewer: UserId,
//!     comment: Option<Text>,
//!     checked_on: chrono::NaiveDate,
//!     flags: Vec<String>,
//! }
//!
//! let reg = CreditCheck::registration("https://app.example.com/robots/credit_check");
//! let payload = reg.robot_add_payload();
//! assert_eq!(payload["CODE"], "credit_check");
//! assert_eq!(payload["PROPERTIES"]["inn"]["Description"], "Tax id of the counterparty.");
//! assert_eq!(payload["RETURN_PROPERTIES"]["checked_on"]["Name"], "Checked on");
//! assert_eq!(payload["RETURN_PROPERTIES"]["decision"]["Options"]["deny"], "Denied");
//!
//! let result = CreditCheck {
//!     decision: Decision::Approve,
//!     score: 87,
//!     limit: 250000.0,
//!     reviewer: UserId(7),
//!     comment: None,
//!     checked_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
//!     flags: vec!["vip".into()],
//! };
//! assert_eq!(
//!     result.return_values().into_json(),
//!     serde_json::json!({
//!         "decision": "Approve",
//!         "score": 87,
//!         "limitAmount": 250000.0,
//!         "reviewer": "user_7",
//!         "checked_on": "2026-11-28T00:00:00+00:00",
//!         "flags": ["vip"],
//!     }),
//! );
//! ```
//!
//! # Type mapping
//!
//! | Rust type | `Type` | `RETURN_VALUES` |
//! |---|---|---|
//! | `String` / [`Text`] | `string` / `text` | the string |
//! | `i8`–`i64`, `u8`–`u32` | `int` | a JSON number |
//! | `f32`, `f64` | `double` | a JSON number |
//! | `bool` | `bool` | `"Y"` / `"N"` |
//! | `chrono::NaiveDate` | `date` | ISO date-time at midnight, at the portal's offset |
//! | `chrono::NaiveDateTime`, `DateTime<FixedOffset>`, `DateTime<Utc>` | `datetime` | ISO date-time with offset |
//! | [`UserId`] | `user` | `"user_<id>"` |
//! | [`FileId`] | `file` | a JSON number |
//! | a [`BizprocSelect`] enum | `select` | the option key |
//! | `Option<T>` | `Required: N` | left out when `None` |
//! | `Vec<T>` | `Multiple: Y` | a JSON array |
//!
//! The mapping goes through [`PropertyValue`] and [`ScalarValue`]; a field type with no mapping
//! is a compile error on that field.
//!
//! # Derive attributes
//!
//! On a `BizprocReturn` struct: `code = ".."` (required), `name = ".."` or
//! `name(en = "..", ru = "..")` (required), `description = ".."` (default: the doc comment),
//! `input = Type` (a `BizprocProperties` type), `use_subscription = false` (default `true`),
//! `rename_all = ".."`, `crate = "path"`.
//!
//! On a `BizprocProperties` struct: `rename_all`, `crate`.
//!
//! On fields: `rename = "id"`, `name`, `description` (default: the doc comment), `default =
//! literal` (checked against the field's type; for a select, one of its keys),
//! `type = "text"` (an override, or a document type such as `"UF:address"`), `skip`.
//!
//! On a `BizprocSelect` enum: `rename_all`, `crate`; on its variants `rename = "key"` and
//! `label = ".."` (default: the variant name).
//!
//! Checked at compile time: property ids (`^[A-Za-z][A-Za-z0-9_]*$`), ids reserved by
//! Bitrix24, ids equal ignoring case, return ids that repeat an input id, the robot code
//! (`^[A-Za-z0-9._-]{1,128}$`), language maps (two-letter codes, `en` present), defaults,
//! select options, and unknown or repeated attributes. All errors of a derive are reported
//! in one compile.
#![forbid(unsafe_code)]
#![doc(html_root_url = "https://docs.rs/bizproc/0.1.0")]

#[cfg(feature = "axum")]
pub mod app;
#[cfg(feature = "client")]
pub mod client;
mod definition;
mod event_token;
pub mod form;
pub mod handler;
mod input;
mod localized;
pub mod outbox;
mod property;
mod registration;
mod robot;
mod secret;
mod types;
mod value;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use bizproc_macros::{BizprocProperties, BizprocReturn, BizprocSelect};

#[cfg(feature = "client")]
pub use client::Client;
pub use definition::{Definition, DefinitionError};
pub use event_token::EventToken;
pub use input::{InputError, InputValue, PropertyError, PropertyInput};
pub use localized::Localized;
pub use property::{Options, Properties, Property, PropertyType, UnknownPropertyType};
pub use registration::{
    CODE_LIMIT, DocumentType, Filter, FilterRule, HANDLER_LIMIT, InvalidRegistration, Registration,
    RegistrationProblem, STORED_PROPERTIES_LIMIT,
};
pub use robot::{BizprocProperties, BizprocReturn, BizprocSelect, ReturnValues};
pub use secret::Secret;
pub use types::{FileId, ParseUserIdError, Text, UserId};
pub use value::{DateFormat, DateOrder, PortalLocale, PropertyValue, ScalarValue, UnknownDateFormat, ValueError};
