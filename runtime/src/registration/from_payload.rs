//! A registration read back from the parameters of `bizproc.robot.add`.

use serde::Deserialize;
use serde_json::Value;

use super::{DocumentType, Filter, Registration};
use crate::{Localized, Properties};

/// The parameters of `bizproc.robot.add`, keys as the server reads them after upper-casing.
#[derive(Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
struct Payload {
    code: String,
    #[serde(default)]
    handler: String,
    name: Localized,
    #[serde(default)]
    description: Option<Localized>,
    #[serde(default)]
    auth_user_id: Option<u32>,
    #[serde(default)]
    use_subscription: Option<String>,
    #[serde(default)]
    properties: Option<Properties>,
    #[serde(default)]
    return_properties: Option<Properties>,
    #[serde(default)]
    document_type: Option<DocumentType>,
    #[serde(default)]
    filter: Option<Filter>,
    #[serde(default)]
    use_placement: Option<String>,
    #[serde(default)]
    placement_handler: Option<String>,
}

impl Registration {
    /// Reads the parameters of `bizproc.robot.add` (or `bizproc.activity.add`), with keys
    /// in upper case as [`robot_add_payload`](Self::robot_add_payload) writes them. An empty
    /// `handler` keeps the payload's `HANDLER`.
    ///
    /// # Errors
    /// A message naming the key that does not read.
    ///
    /// ```
    /// use bizproc::Registration;
    ///
    /// let original = Registration::new("ping", "Ping", "https://app.example.com/ping").auth_user_id(1);
    /// let read = Registration::from_payload(&original.robot_add_payload(), "").unwrap();
    /// assert_eq!(read, original);
    /// ```
    pub fn from_payload(payload: &Value, handler: &str) -> Result<Self, String> {
        let payload = Payload::deserialize(payload).map_err(|e| format!("not a bizproc.robot.add payload: {e}"))?;
        let mut registration = Registration::new(
            payload.code,
            payload.name,
            if handler.is_empty() { payload.handler } else { handler.to_owned() },
        );
        registration.description = payload.description;
        registration.auth_user_id = payload.auth_user_id;
        registration.use_subscription = payload.use_subscription.as_deref() != Some("N");
        registration.properties = payload.properties.unwrap_or_default();
        registration.return_properties = payload.return_properties.unwrap_or_default();
        registration.document_type = payload.document_type;
        registration.filter = payload.filter;
        registration.use_placement = payload.use_placement.as_deref() == Some("Y");
        registration.placement_handler = payload.placement_handler;
        Ok(registration)
    }
}
