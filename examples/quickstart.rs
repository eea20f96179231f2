//! The main job: declare a robot, print what `bizproc.robot.add` receives and the
//! `RETURN_VALUES` one run sends back.
//!
//! ```text
//! cargo run --example quickstart
//! ```

use bizproc::{BizprocProperties, BizprocReturn, BizprocSelect, DateFormat, PortalLocale, PropertyInput, Text, UserId};
use chrono::{FixedOffset, NaiveDate};

/// What the reviewer decided.
#[derive(BizprocSelect)]
enum Decision {
    #[bizproc(label = "Approved")]
    Approve,
    #[bizproc(rename = "deny", label = "Denied")]
    Deny,
}

#[derive(BizprocProperties)]
struct CreditInput {
    /// Tax id of the counterparty.
    inn: String,
    /// The largest limit the robot may grant.
    #[bizproc(default = 100_000.0)]
    max_limit: f64,
    manager: Option<UserId>,
}

/// Scores the counterparty of a deal.
#[derive(BizprocReturn)]
#[bizproc(
    code = "credit_check",
    name(en = "Credit check", ru = "Проверка контрагента"),
    input = CreditInput
)]
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

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let registration = CreditCheck::registration("https://app.example.com/robots/credit_check");
    registration.validate()?;
    println!("bizproc.robot.add parameters:");
    println!("{}", serde_json::to_string_pretty(&registration.robot_add_payload())?);

    let moscow =
        PortalLocale::new(DateFormat::DAY_MONTH_YEAR, FixedOffset::east_opt(3 * 3600).ok_or("invalid offset")?);
    // The `properties[...]` of a handler request, as Bitrix24 sends them.
    let sent = PropertyInput::from_iter([("inn", "7707083893"), ("max_limit", "500000.50"), ("manager", "user_3")]);
    let input = CreditInput::from_input(&sent, &moscow)?;
    println!("\nDecoded input: inn {}, max_limit {}, manager {:?}", input.inn, input.max_limit, input.manager);

    let result = CreditCheck {
        decision: Decision::Approve,
        score: 87,
        limit: 250_000.0,
        reviewer: UserId(7),
        comment: Some(Text::new("Good payment history")),
        checked_on: NaiveDate::from_ymd_opt(2026, 11, 28).ok_or("invalid date")?,
        flags: vec!["vip".into(), "repeat".into()],
    };
    println!("\nRETURN_VALUES for a portal at +03:00:");
    println!("{}", serde_json::to_string_pretty(&result.return_values_in(&moscow))?);
    Ok(())
}
