//! The quickstart's robot (`examples/quickstart.rs`), declared from the same definition file.

use bizproc::handler::Run;
use bizproc::{BizprocProperties, BizprocReturn, BizprocSelect, Text, UserId};
use chrono::NaiveDate;

/// What the reviewer decided.
#[derive(BizprocSelect, Debug)]
pub(crate) enum Decision {
    #[bizproc(label = "Approved")]
    Approve,
    #[bizproc(rename = "deny", label = "Denied")]
    Deny,
}

/// The robot's input.
#[derive(BizprocProperties, Debug)]
#[bizproc(definition = "../examples/robots/credit_check.yaml")]
pub(crate) struct CreditInput {
    /// Tax id of the counterparty.
    inn: String,
    /// The largest limit the robot may grant.
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
#[bizproc(definition = "../examples/robots/credit_check.yaml", input = CreditInput)]
pub(crate) struct CreditCheck {
    pub decision: Decision,
    pub score: i64,
    #[bizproc(rename = "limitAmount")]
    pub limit: f64,
    pub reviewer: UserId,
    pub comment: Option<Text>,
    pub checked_on: NaiveDate,
    pub flags: Vec<String>,
}

/// A toy score from the tax id, capped by the input's limit.
#[allow(clippy::unused_async)] // a robot is an async function
pub(crate) async fn credit_check(
    input: CreditInput,
    run: Run<CreditCheck>,
) -> Result<CreditCheck, std::convert::Infallible> {
    let score = input.inn.bytes().map(|b| i64::from(b % 10)).sum::<i64>() * 2;
    let approved = score >= 50;
    Ok(CreditCheck {
        decision: if approved { Decision::Approve } else { Decision::Deny },
        score,
        limit: if approved { input.max_limit } else { 0.0 },
        reviewer: input.manager.unwrap_or(UserId(1)),
        comment: Some(Text::new(match input.signed_on {
            Some(signed) => format!("Scored {score} for {}, signed on {signed}", run.document_id[2]),
            None => format!("Scored {score} for {}", run.document_id[2]),
        })),
        checked_on: run.queued_at.date_naive(),
        flags: input.tags.iter().map(|tag| format!("checked:{tag}")).collect(),
    })
}

/// The input properties of a typical run, as the portal is asked to send them.
pub(crate) fn sample_properties(n: u64) -> serde_json::Value {
    serde_json::json!({
        "inn": format!("77070{n:05}"),
        "max_limit": "250000.50",
        "manager": 7,
        "signed_on": "2026-11-02",
        "tags": ["vip", "repeat"],
    })
}
