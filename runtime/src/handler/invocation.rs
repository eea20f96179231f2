//! The request Bitrix24 sends when a workflow runs a robot, typed.

use std::fmt;
use std::time::Duration;

use super::fields::{Fields, shorten};
use super::{InvocationError, RequestLimits};
use crate::form::{Level, Node};
use crate::{BizprocProperties, BizprocReturn, EventToken, InputValue, PortalLocale, PropertyInput, Secret};
use chrono::{DateTime, Utc};

/// A robot call of robot `R`: the input properties decoded into `R::Input`, and every other
/// field of the handler request in [`Run`], with the event token typed for `R`.
///
/// ```
/// use bizproc::handler::{Invocation, RequestLimits};
/// use bizproc::{BizprocProperties, BizprocReturn, PortalLocale};
///
/// #[derive(BizprocProperties)]
/// struct Input { text: String }
///
/// #[derive(BizprocReturn)]
/// #[bizproc(code = "send_invoice", name = "Send invoice", input = Input)]
/// struct Sent { sent: bool }
///
/// let body = "workflow_id=55c1dc1c3f0d75.78875596&code=send_invoice&document_id%5B0%5D=crm\
///     &document_id%5B1%5D=CCrmDocumentDeal&document_id%5B2%5D=DEAL_123&document_type%5B0%5D=crm\
///     &document_type%5B1%5D=CCrmDocumentDeal&document_type%5B2%5D=DEAL\
///     &event_token=55c1dc1c3f0d75.78875596%7CA1%7Cabc.def&properties%5Btext%5D=Hello+world\
///     &use_subscription=Y&timeout_duration=3600&ts=1738152544\
///     &auth%5Bmember_id%5D=a223c6b3&auth%5Bapplication_token%5D=51856fef\
///     &auth%5Bclient_endpoint%5D=https%3A%2F%2Fsome-domain.bitrix24.com%2Frest%2F";
/// let call = Invocation::<Sent>::parse(body.as_bytes(), None, &PortalLocale::default(), &RequestLimits::default()).unwrap();
/// assert_eq!(call.input.text, "Hello world");
/// assert_eq!(call.run.document_id[2], "DEAL_123");
/// assert_eq!(call.run.auth.member_id, "a223c6b3");
/// assert!(call.run.use_subscription);
/// ```
pub struct Invocation<R: BizprocReturn> {
    /// The input properties, decoded.
    pub input: R::Input,
    /// Everything else the request says about the run.
    pub run: Run<R>,
}

/// One run of robot `R`, as its handler request describes it.
pub struct Run<R: BizprocReturn> {
    /// `workflow_id`.
    pub workflow_id: String,
    /// `code`: always `R::CODE`.
    pub code: String,
    /// `document_id`: module, class, id (`crm`, `CCrmDocumentDeal`, `DEAL_123`).
    pub document_id: [String; 3],
    /// `document_type`: module, class, type (`crm`, `CCrmDocumentDeal`, `DEAL`).
    pub document_type: [String; 3],
    /// `event_token`, for `R::send_result`.
    pub event_token: EventToken<R>,
    /// `use_subscription`: whether the run waits for a result.
    pub use_subscription: bool,
    /// `timeout_duration`: how long the run waits; `None` when it waits without limit.
    pub timeout: Option<Duration>,
    /// `ts`: when the request was queued.
    pub queued_at: DateTime<Utc>,
    /// The `auth[...]` block.
    pub auth: InvocationAuth,
    /// The input properties as sent.
    pub properties: PropertyInput,
}

impl<R: BizprocReturn> Invocation<R> {
    /// Reads a handler request: a form body with PHP brackets, or JSON when `content_type` says
    /// so or the body is an object. The body is refused unread when it is over the limit.
    ///
    /// # Errors
    /// An [`InvocationError`] naming the field and what was wrong.
    pub fn parse(
        body: &[u8],
        content_type: Option<&str>,
        locale: &PortalLocale,
        limits: &RequestLimits,
    ) -> Result<Self, InvocationError> {
        let run = Run::<R>::parse(body, content_type, limits)?;
        let input = run.input(locale)?;
        Ok(Self { input, run })
    }
}

impl<R: BizprocReturn> Run<R> {
    /// Reads every field of a handler request but the input's values, which
    /// [`input`](Self::input) decodes: a request whose origin is verified can then still be
    /// completed when its input does not fit the robot.
    ///
    /// # Errors
    /// An [`InvocationError`] naming the field and what was wrong.
    pub fn parse(body: &[u8], content_type: Option<&str>, limits: &RequestLimits) -> Result<Self, InvocationError> {
        let mut fields = Fields(decode_body(body, content_type, limits)?);
        let code = fields.required("code")?;
        if code != R::CODE {
            return Err(InvocationError::WrongCode { expected: R::CODE, found: shorten(&code) });
        }
        let properties = properties(&mut fields)?;
        let auth = InvocationAuth::read(fields.object("auth")?.ok_or(InvocationError::MissingField("auth"))?)?;
        let ts = fields.integer("ts")?.ok_or(InvocationError::MissingField("ts"))?;
        let queued_at = DateTime::from_timestamp(ts, 0)
            .ok_or_else(|| InvocationError::InvalidField { field: "ts", reason: format!("`{ts}` is not a time") })?;
        let timeout = match fields.integer("timeout_duration")? {
            None | Some(0) => None,
            Some(seconds) => Some(Duration::from_secs(u64::try_from(seconds).map_err(|_| {
                InvocationError::InvalidField { field: "timeout_duration", reason: format!("`{seconds}` is negative") }
            })?)),
        };
        let use_subscription = match fields.text("use_subscription")?.as_deref() {
            Some("Y") => true,
            None | Some("N" | "") => false,
            Some(other) => {
                let reason = format!("must be `Y` or `N`, not `{}`", shorten(other));
                return Err(InvocationError::InvalidField { field: "use_subscription", reason });
            }
        };
        let run = Run {
            workflow_id: fields.required("workflow_id")?,
            code,
            document_id: fields.triple("document_id")?,
            document_type: fields.triple("document_type")?,
            event_token: EventToken::from_raw(fields.required("event_token")?),
            use_subscription,
            timeout,
            queued_at,
            auth,
            properties,
        };
        Ok(run)
    }

    /// The input properties decoded into `R::Input`.
    ///
    /// # Errors
    /// An [`InvocationError::Input`] naming every property that does not fit.
    pub fn input(&self, locale: &PortalLocale) -> Result<R::Input, InvocationError> {
        Ok(<R::Input as BizprocProperties>::from_input(&self.properties, locale)?)
    }
}

impl<R: BizprocReturn> Run<R> {
    /// When the run stops waiting, if it has a timeout.
    #[must_use]
    pub fn deadline(&self) -> Option<DateTime<Utc>> {
        // A timeout past the end of representable time has no deadline rather than a panic.
        self.timeout.and_then(|t| chrono::Duration::from_std(t).ok()).and_then(|t| self.queued_at.checked_add_signed(t))
    }
}

impl<R: BizprocReturn> fmt::Debug for Invocation<R>
where
    R::Input: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Invocation").field("input", &self.input).field("run", &self.run).finish()
    }
}

impl<R: BizprocReturn> fmt::Debug for Run<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Run")
            .field("code", &self.code)
            .field("workflow_id", &self.workflow_id)
            .field("document_id", &self.document_id)
            .field("use_subscription", &self.use_subscription)
            .field("timeout", &self.timeout)
            .field("queued_at", &self.queued_at)
            .field("auth", &self.auth)
            .finish_non_exhaustive()
    }
}

/// The `auth[...]` block of a handler request or app event. Tokens are [`Secret`]s.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InvocationAuth {
    /// `member_id`: the portal.
    pub member_id: String,
    /// `application_token`: proves the request came from Bitrix24.
    pub application_token: Secret,
    /// `access_token` of the run's user (absent in uninstall events).
    pub access_token: Option<Secret>,
    /// `refresh_token`.
    pub refresh_token: Option<Secret>,
    /// `expires` (Unix time).
    pub expires: Option<i64>,
    /// `expires_in` (seconds).
    pub expires_in: Option<i64>,
    /// `scope`, split on commas and spaces.
    pub scope: Vec<String>,
    /// `domain`.
    pub domain: String,
    /// `client_endpoint`: the REST base to answer through.
    pub client_endpoint: String,
    /// `server_endpoint`.
    pub server_endpoint: String,
    /// `status`: `L`, `F`, `D`, `T` or `P`.
    pub status: String,
    /// `user_id`.
    pub user_id: Option<i64>,
}

impl InvocationAuth {
    pub(crate) fn read(mut auth: Fields) -> Result<Self, InvocationError> {
        let member_id = Some(text(&mut auth, "member_id")?)
            .filter(|t| !t.is_empty())
            .ok_or(InvocationError::MissingField("auth[member_id]"))?;
        let application_token =
            secret(&mut auth, "application_token")?.ok_or(InvocationError::MissingField("auth[application_token]"))?;
        Ok(Self {
            member_id,
            application_token,
            access_token: secret(&mut auth, "access_token")?,
            refresh_token: secret(&mut auth, "refresh_token")?,
            expires: auth.integer("expires").map_err(in_auth)?,
            expires_in: auth.integer("expires_in").map_err(in_auth)?,
            scope: text(&mut auth, "scope")?.split([',', ' ']).filter(|s| !s.is_empty()).map(str::to_owned).collect(),
            domain: text(&mut auth, "domain")?,
            client_endpoint: text(&mut auth, "client_endpoint")?,
            server_endpoint: text(&mut auth, "server_endpoint")?,
            status: text(&mut auth, "status")?,
            user_id: auth.integer("user_id").map_err(in_auth)?,
        })
    }
}

/// A text field of the `auth` block; absent reads as empty.
fn text(auth: &mut Fields, field: &'static str) -> Result<String, InvocationError> {
    auth.text(field).map(Option::unwrap_or_default).map_err(in_auth)
}

/// A token of the `auth` block; empty reads as absent.
fn secret(auth: &mut Fields, field: &'static str) -> Result<Option<Secret>, InvocationError> {
    auth.text(field).map(|t| t.filter(|t| !t.is_empty()).map(Secret::new)).map_err(in_auth)
}

/// Names a field of the `auth` block as the request writes it: `auth[expires]`, not `expires`.
fn in_auth(error: InvocationError) -> InvocationError {
    match error {
        InvocationError::InvalidField { field, reason } => {
            let field = match field {
                "member_id" => "auth[member_id]",
                "application_token" => "auth[application_token]",
                "access_token" => "auth[access_token]",
                "refresh_token" => "auth[refresh_token]",
                "expires" => "auth[expires]",
                "expires_in" => "auth[expires_in]",
                "scope" => "auth[scope]",
                "domain" => "auth[domain]",
                "client_endpoint" => "auth[client_endpoint]",
                "server_endpoint" => "auth[server_endpoint]",
                "status" => "auth[status]",
                "user_id" => "auth[user_id]",
                other => other,
            };
            InvocationError::InvalidField { field, reason }
        }
        other => other,
    }
}

/// The body as a tree of fields: size checked first, form unless it is JSON.
pub(crate) fn decode_body(
    body: &[u8],
    content_type: Option<&str>,
    limits: &RequestLimits,
) -> Result<Level, InvocationError> {
    if body.len() > limits.max_body {
        return Err(InvocationError::TooLarge { size: body.len(), limit: limits.max_body });
    }
    let json = content_type.is_some_and(|t| t.contains("json")) || body.trim_ascii_start().first() == Some(&b'{');
    if !json {
        return Ok(crate::form::decode_tree(body, limits.form)?);
    }
    match serde_json::from_slice::<serde_json::Value>(body).map_err(|e| InvocationError::Json(e.to_string()))? {
        serde_json::Value::Object(map) => Ok(Level::from_object(map)),
        _ => Err(InvocationError::Json("the body must be an object".to_owned())),
    }
}

/// `properties[id]` and `properties[id][n]` as raw input.
fn properties(fields: &mut Fields) -> Result<PropertyInput, InvocationError> {
    let mut input = PropertyInput::new();
    let Some(properties) = fields.object("properties")? else {
        return Ok(input);
    };
    for (id, value) in properties.0.into_entries() {
        let value = match value {
            Node::Text(text) => InputValue::One(text),
            Node::Null => InputValue::One(String::new()),
            Node::Level(level) => InputValue::Many(
                level
                    .into_items()
                    .into_iter()
                    .map(|item| match item {
                        Node::Text(text) => Ok(text),
                        Node::Null => Ok(String::new()),
                        Node::Level(_) => Err(InvocationError::InvalidField {
                            field: "properties",
                            reason: format!("`{}` is nested deeper than a list of values", shorten(&id)),
                        }),
                    })
                    .collect::<Result<_, _>>()?,
            ),
        };
        input.insert(id, value);
    }
    Ok(input)
}
