//! Everything `bizproc.robot.add` and `bizproc.activity.add` take, and the checks that only
//! runtime values can fail.

mod document;
mod from_payload;
mod problem;
mod stored_size;

use serde_json::{Map, Value, json};

pub use document::{DocumentType, Filter, FilterRule};
pub use problem::{InvalidRegistration, RegistrationProblem};

use crate::{Localized, Properties};

/// The server stores `PROPERTIES` and `RETURN_PROPERTIES` in columns of this many bytes.
///
/// ```
/// use bizproc::{Properties, Property, PropertyType, Registration, RegistrationProblem, STORED_PROPERTIES_LIMIT};
///
/// let long = Property::new("Comment", PropertyType::Text).with_description("x".repeat(STORED_PROPERTIES_LIMIT));
/// let reg = Registration::new("big", "Big", "https://app.example.com/robot")
///     .properties(Properties::from_iter([("comment", long)]));
/// let err = reg.validate().unwrap_err();
/// assert!(matches!(err.problems(), [RegistrationProblem::TooLarge { key: "PROPERTIES", .. }]));
/// ```
pub const STORED_PROPERTIES_LIMIT: usize = 65_535;
/// The longest `HANDLER` or `PLACEMENT_HANDLER` the server stores.
///
/// ```
/// use bizproc::{HANDLER_LIMIT, Registration};
///
/// let base = "https://app.example.com/";
/// let longest = format!("{base}{}", "a".repeat(HANDLER_LIMIT - base.len()));
/// assert!(Registration::new("a", "A", longest.clone()).validate().is_ok());
/// assert!(Registration::new("a", "A", longest + "a").validate().is_err());
/// ```
pub const HANDLER_LIMIT: usize = 1000;
/// The longest `CODE` the server stores.
///
/// ```
/// use bizproc::{CODE_LIMIT, Registration, RegistrationProblem};
///
/// let longest = "a".repeat(CODE_LIMIT);
/// assert!(Registration::new(longest.clone(), "A", "https://app.example.com/robot").validate().is_ok());
/// let err = Registration::new(longest + "a", "A", "https://app.example.com/robot").validate().unwrap_err();
/// assert!(matches!(err.problems(), [RegistrationProblem::Code { .. }]));
/// ```
pub const CODE_LIMIT: usize = 128;

/// A robot or activity registration: the parameters of `bizproc.robot.add`.
///
/// Get one from a derived type with `T::registration(handler)`, or build one from parts.
/// `USE_SUBSCRIPTION` is always written as `"Y"` or `"N"`, since servers disagree on what an
/// empty value means.
///
/// ```
/// use bizproc::{DocumentType, Registration};
///
/// let reg = Registration::new("ping", "Ping", "https://app.example.com/robots/ping")
///     .auth_user_id(1)
///     .use_subscription(false)
///     .document_type(DocumentType::deal());
/// let payload = reg.robot_add_payload();
/// assert_eq!(payload["CODE"], "ping");
/// assert_eq!(payload["USE_SUBSCRIPTION"], "N");
/// assert!(reg.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Registration {
    code: String,
    handler: String,
    name: Localized,
    description: Option<Localized>,
    auth_user_id: Option<u32>,
    use_subscription: bool,
    properties: Properties,
    return_properties: Properties,
    document_type: Option<DocumentType>,
    filter: Option<Filter>,
    use_placement: bool,
    placement_handler: Option<String>,
}

impl Registration {
    /// A registration that waits for `bizproc.event.send`, with no properties.
    ///
    /// ```
    /// use bizproc::Registration;
    ///
    /// let reg = Registration::new("ping", "Ping", "https://app.example.com/robots/ping");
    /// assert!(reg.waits_for_result());
    /// assert!(reg.input_properties().is_empty() && reg.output_properties().is_empty());
    /// assert_eq!(
    ///     reg.robot_add_payload(),
    ///     serde_json::json!({
    ///         "CODE": "ping",
    ///         "HANDLER": "https://app.example.com/robots/ping",
    ///         "USE_SUBSCRIPTION": "Y",
    ///         "NAME": "Ping",
    ///     }),
    /// );
    /// ```
    pub fn new(code: impl Into<String>, name: impl Into<Localized>, handler: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            handler: handler.into(),
            name: name.into(),
            description: None,
            auth_user_id: None,
            use_subscription: true,
            properties: Properties::new(),
            return_properties: Properties::new(),
            document_type: None,
            filter: None,
            use_placement: false,
            placement_handler: None,
        }
    }

    /// Sets `DESCRIPTION`.
    ///
    /// ```
    /// let reg = bizproc::Registration::new("a", "A", "https://x.example.com").description("Does A");
    /// assert_eq!(reg.robot_add_payload()["DESCRIPTION"], "Does A");
    /// ```
    #[must_use]
    pub fn description(mut self, description: impl Into<Localized>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Sets `PROPERTIES`.
    ///
    /// ```
    /// use bizproc::{Properties, Property, PropertyType, Registration};
    ///
    /// let inputs = Properties::from_iter([("inn", Property::new("INN", PropertyType::String))]);
    /// let reg = Registration::new("a", "A", "https://app.example.com/robot").properties(inputs);
    /// assert_eq!(reg.input_properties().ids().collect::<Vec<_>>(), ["inn"]);
    /// assert_eq!(reg.robot_add_payload()["PROPERTIES"]["inn"]["Type"], "string");
    /// ```
    #[must_use]
    pub fn properties(mut self, properties: Properties) -> Self {
        self.properties = properties;
        self
    }

    /// Sets `RETURN_PROPERTIES`.
    ///
    /// ```
    /// use bizproc::{Properties, Property, PropertyType, Registration};
    ///
    /// let outputs = Properties::from_iter([("score", Property::new("Score", PropertyType::Int))]);
    /// let reg = Registration::new("a", "A", "https://app.example.com/robot").return_properties(outputs);
    /// assert_eq!(reg.output_properties().len(), 1);
    /// assert_eq!(reg.robot_add_payload()["RETURN_PROPERTIES"]["score"]["Type"], "int");
    /// ```
    #[must_use]
    pub fn return_properties(mut self, properties: Properties) -> Self {
        self.return_properties = properties;
        self
    }

    /// Sets `HANDLER`.
    ///
    /// ```
    /// let reg = bizproc::Registration::new("a", "A", "https://old.example.com/robot")
    ///     .handler("https://new.example.com/robot");
    /// assert_eq!(reg.handler_url(), "https://new.example.com/robot");
    /// assert_eq!(reg.robot_add_payload()["HANDLER"], "https://new.example.com/robot");
    /// ```
    #[must_use]
    pub fn handler(mut self, handler: impl Into<String>) -> Self {
        self.handler = handler.into();
        self
    }

    /// Sets `AUTH_USER_ID`: the user whose OAuth token the handler receives.
    ///
    /// ```
    /// let reg = bizproc::Registration::new("a", "A", "https://x.example.com").auth_user_id(1);
    /// assert_eq!(reg.robot_add_payload()["AUTH_USER_ID"], 1);
    /// ```
    #[must_use]
    pub fn auth_user_id(mut self, user_id: u32) -> Self {
        self.auth_user_id = Some(user_id);
        self
    }

    /// Sets `USE_SUBSCRIPTION`: whether a run waits for `bizproc.event.send` (default `true`).
    ///
    /// ```
    /// let reg = bizproc::Registration::new("a", "A", "https://app.example.com/robot").use_subscription(false);
    /// assert!(!reg.waits_for_result());
    /// assert_eq!(reg.robot_add_payload()["USE_SUBSCRIPTION"], "N");
    /// ```
    #[must_use]
    pub fn use_subscription(mut self, wait: bool) -> Self {
        self.use_subscription = wait;
        self
    }

    /// Sets `DOCUMENT_TYPE`.
    ///
    /// ```
    /// use bizproc::{DocumentType, Registration};
    ///
    /// let reg = Registration::new("a", "A", "https://app.example.com/robot").document_type(DocumentType::lead());
    /// assert_eq!(reg.robot_add_payload()["DOCUMENT_TYPE"], serde_json::json!(["crm", "CCrmDocumentLead", "LEAD"]));
    /// ```
    #[must_use]
    pub fn document_type(mut self, document_type: DocumentType) -> Self {
        self.document_type = Some(document_type);
        self
    }

    /// Sets `FILTER`.
    ///
    /// ```
    /// use bizproc::{Filter, FilterRule, Registration};
    ///
    /// let cloud_only = Filter::new().exclude(FilterRule::OnPremise);
    /// let reg = Registration::new("a", "A", "https://app.example.com/robot").filter(cloud_only);
    /// assert_eq!(reg.robot_add_payload()["FILTER"], serde_json::json!({"EXCLUDE": ["box"]}));
    /// ```
    #[must_use]
    pub fn filter(mut self, filter: Filter) -> Self {
        self.filter = Some(filter);
        self
    }

    /// Opens the robot's settings in the app's own page: `USE_PLACEMENT = Y` with this
    /// `PLACEMENT_HANDLER`.
    ///
    /// ```
    /// let reg = bizproc::Registration::new("a", "A", "https://x.example.com")
    ///     .placement("https://x.example.com/settings");
    /// assert_eq!(reg.robot_add_payload()["USE_PLACEMENT"], "Y");
    /// ```
    #[must_use]
    pub fn placement(mut self, handler: impl Into<String>) -> Self {
        self.use_placement = true;
        self.placement_handler = Some(handler.into());
        self
    }

    /// Sets `USE_PLACEMENT` alone; [`validate`](Self::validate) reports a missing
    /// `PLACEMENT_HANDLER`.
    ///
    /// ```
    /// use bizproc::{Registration, RegistrationProblem};
    ///
    /// let reg = Registration::new("a", "A", "https://app.example.com/robot").use_placement(true);
    /// assert_eq!(reg.robot_add_payload()["USE_PLACEMENT"], "Y");
    /// assert!(matches!(reg.validate().unwrap_err().problems(), [RegistrationProblem::MissingPlacementHandler]));
    /// ```
    #[must_use]
    pub fn use_placement(mut self, use_placement: bool) -> Self {
        self.use_placement = use_placement;
        self
    }

    /// Sets `PLACEMENT_HANDLER` alone.
    ///
    /// ```
    /// let reg = bizproc::Registration::new("a", "A", "https://app.example.com/robot")
    ///     .placement_handler("https://app.example.com/settings");
    /// let payload = reg.robot_add_payload();
    /// assert_eq!(payload["PLACEMENT_HANDLER"], "https://app.example.com/settings");
    /// assert!(payload.get("USE_PLACEMENT").is_none(), "USE_PLACEMENT stays off");
    /// ```
    #[must_use]
    pub fn placement_handler(mut self, handler: impl Into<String>) -> Self {
        self.placement_handler = Some(handler.into());
        self
    }

    /// `CODE`.
    ///
    /// ```
    /// use bizproc::BizprocReturn;
    ///
    /// /// Pings the app.
    /// #[derive(BizprocReturn)]
    /// #[bizproc(code = "ping", name = "Ping")]
    /// struct Pong {
    ///     ok: bool,
    /// }
    ///
    /// let reg = Pong::registration("https://app.example.com/robots/ping");
    /// assert_eq!(reg.code(), "ping");
    /// assert_eq!(reg.code(), Pong::CODE);
    /// ```
    #[must_use]
    pub fn code(&self) -> &str {
        &self.code
    }

    /// `NAME`.
    ///
    /// ```
    /// use bizproc::{Localized, Registration};
    ///
    /// let name = Localized::by_language([("en", "Ping"), ("de", "Anpingen")]);
    /// let reg = Registration::new("ping", name, "https://app.example.com/robots/ping");
    /// assert_eq!(reg.name().get("de"), Some("Anpingen"));
    /// assert_eq!(reg.name().get("fr"), Some("Ping"));
    /// ```
    #[must_use]
    pub fn name(&self) -> &Localized {
        &self.name
    }

    /// `HANDLER`.
    ///
    /// ```
    /// use bizproc::BizprocReturn;
    ///
    /// /// Pings the app.
    /// #[derive(BizprocReturn)]
    /// #[bizproc(code = "ping", name = "Ping")]
    /// struct Pong {
    ///     ok: bool,
    /// }
    ///
    /// let reg = Pong::registration("https://app.example.com/robots/ping");
    /// assert_eq!(reg.handler_url(), "https://app.example.com/robots/ping");
    /// ```
    #[must_use]
    pub fn handler_url(&self) -> &str {
        &self.handler
    }

    /// `PROPERTIES`.
    ///
    /// ```
    /// use bizproc::{BizprocProperties, BizprocReturn};
    ///
    /// #[derive(BizprocProperties)]
    /// struct Query {
    ///     inn: String,
    /// }
    ///
    /// /// Scores a counterparty.
    /// #[derive(BizprocReturn)]
    /// #[bizproc(code = "score", name = "Score", input = Query)]
    /// struct Score {
    ///     score: i64,
    ///     comment: Option<String>,
    /// }
    ///
    /// let reg = Score::registration("https://app.example.com/robots/score");
    ///
    /// assert_eq!(reg.input_properties(), &Query::properties());
    /// assert_eq!(reg.input_properties().ids().collect::<Vec<_>>(), ["inn"]);
    /// ```
    #[must_use]
    pub fn input_properties(&self) -> &Properties {
        &self.properties
    }

    /// `RETURN_PROPERTIES`.
    ///
    /// ```
    /// use bizproc::{BizprocProperties, BizprocReturn};
    ///
    /// #[derive(BizprocProperties)]
    /// struct Query {
    ///     inn: String,
    /// }
    ///
    /// /// Scores a counterparty.
    /// #[derive(BizprocReturn)]
    /// #[bizproc(code = "score", name = "Score", input = Query)]
    /// struct Score {
    ///     score: i64,
    ///     comment: Option<String>,
    /// }
    ///
    /// let reg = Score::registration("https://app.example.com/robots/score");
    ///
    /// assert_eq!(reg.output_properties().ids().collect::<Vec<_>>(), ["score", "comment"]);
    /// assert!(!reg.output_properties().get("comment").unwrap().required);
    /// ```
    #[must_use]
    pub fn output_properties(&self) -> &Properties {
        &self.return_properties
    }

    /// Whether runs wait for `bizproc.event.send`.
    ///
    /// ```
    /// use bizproc::BizprocReturn;
    ///
    /// /// Logs a line and lets the workflow go on at once.
    /// #[derive(BizprocReturn)]
    /// #[bizproc(code = "log", name = "Log", use_subscription = false)]
    /// struct Log {}
    ///
    /// assert!(!Log::registration("https://app.example.com/robots/log").waits_for_result());
    /// ```
    #[must_use]
    pub fn waits_for_result(&self) -> bool {
        self.use_subscription
    }

    /// The parameters of `bizproc.robot.add`.
    ///
    /// Optional keys appear only when set; `PROPERTIES` and `RETURN_PROPERTIES` only when not
    /// empty.
    ///
    /// ```
    /// use bizproc::Registration;
    ///
    /// let reg = Registration::new("ping", "Ping", "https://app.example.com/robots/ping").description("Pings the app");
    /// let payload = reg.robot_add_payload();
    /// assert_eq!(payload["DESCRIPTION"], "Pings the app");
    /// assert!(payload.get("PROPERTIES").is_none(), "an empty PROPERTIES is left out");
    /// assert!(payload.get("AUTH_USER_ID").is_none(), "so is an unset AUTH_USER_ID");
    /// ```
    #[must_use]
    pub fn robot_add_payload(&self) -> Value {
        let mut params = Map::new();
        params.insert("CODE".into(), self.code.clone().into());
        self.write_fields(&mut params, false);
        Value::Object(params)
    }

    /// The parameters of `bizproc.activity.add`: the same as for robots.
    ///
    /// ```
    /// let reg = bizproc::Registration::new("ping", "Ping", "https://app.example.com/robots/ping").auth_user_id(1);
    /// assert_eq!(reg.activity_add_payload(), reg.robot_add_payload());
    /// ```
    #[must_use]
    pub fn activity_add_payload(&self) -> Value {
        self.robot_add_payload()
    }

    /// The parameters of `bizproc.robot.update` and `bizproc.activity.update`: `CODE` and
    /// `FIELDS` with every field, so that the stored registration becomes exactly this one
    /// (each field replaces the stored value; empty values clear it).
    ///
    /// `PLACEMENT_HANDLER` is also sent at the top level, where older servers look for it.
    ///
    /// ```
    /// let reg = bizproc::Registration::new("a", "A", "https://x.example.com");
    /// let update = reg.update_payload();
    /// assert_eq!(update["CODE"], "a");
    /// assert_eq!(update["FIELDS"]["USE_PLACEMENT"], "N");
    /// assert_eq!(update["FIELDS"]["PROPERTIES"], serde_json::json!({}));
    /// ```
    #[must_use]
    pub fn update_payload(&self) -> Value {
        let mut fields = Map::new();
        self.write_fields(&mut fields, true);
        let mut params = Map::new();
        params.insert("CODE".into(), self.code.clone().into());
        if let Some(handler) = &self.placement_handler {
            params.insert("PLACEMENT_HANDLER".into(), handler.clone().into());
        }
        params.insert("FIELDS".into(), Value::Object(fields));
        Value::Object(params)
    }

    fn write_fields(&self, out: &mut Map<String, Value>, complete: bool) {
        let mut put = |key: &str, value: Value| {
            out.insert(key.to_owned(), value);
        };
        put("HANDLER", self.handler.clone().into());
        match self.auth_user_id {
            Some(id) => put("AUTH_USER_ID", id.into()),
            None if complete => put("AUTH_USER_ID", 0.into()),
            None => {}
        }
        put("USE_SUBSCRIPTION", yes_no(self.use_subscription));
        put("NAME", json!(self.name));
        match &self.description {
            Some(description) => put("DESCRIPTION", json!(description)),
            None if complete => put("DESCRIPTION", "".into()),
            None => {}
        }
        for (key, properties) in [("PROPERTIES", &self.properties), ("RETURN_PROPERTIES", &self.return_properties)] {
            if complete || !properties.is_empty() {
                put(key, json!(properties));
            }
        }
        match &self.document_type {
            Some(document_type) => put("DOCUMENT_TYPE", json!(document_type)),
            None if complete => put("DOCUMENT_TYPE", json!([])),
            None => {}
        }
        match &self.filter {
            Some(filter) => put("FILTER", json!(filter)),
            None if complete => put("FILTER", json!([])),
            None => {}
        }
        if complete || self.use_placement {
            put("USE_PLACEMENT", yes_no(self.use_placement));
        }
        if let Some(handler) = &self.placement_handler {
            put("PLACEMENT_HANDLER", handler.clone().into());
        }
    }

    /// Checks everything the server would refuse or silently mangle, and reports every
    /// problem at once: `CODE`, `NAME`, handler URLs (`http`/`https`, a host with a dot, at
    /// most 1000 characters), a placement without its handler, property ids and names, and
    /// property sets the server cannot store (65 535 bytes or more, serialized).
    ///
    /// # Errors
    /// [`InvalidRegistration`] listing each problem.
    ///
    /// ```
    /// let reg = bizproc::Registration::new("a", "A", "http://localhost/robot").use_placement(true);
    /// let err = reg.validate().unwrap_err();
    /// assert_eq!(err.problems().len(), 2);
    /// assert!(err.to_string().contains("HANDLER"));
    /// ```
    pub fn validate(&self) -> Result<(), InvalidRegistration> {
        let mut problems = Vec::new();
        if let Some(problem) = problem::code(&self.code) {
            problems.push(problem);
        }
        if self.name.is_empty() {
            problems.push(RegistrationProblem::EmptyName);
        }
        problems.extend(problem::handler_url("HANDLER", &self.handler));
        match (&self.placement_handler, self.use_placement) {
            (Some(url), _) => problems.extend(problem::handler_url("PLACEMENT_HANDLER", url)),
            (None, true) => problems.push(RegistrationProblem::MissingPlacementHandler),
            (None, false) => {}
        }
        for (key, properties) in [("PROPERTIES", &self.properties), ("RETURN_PROPERTIES", &self.return_properties)] {
            problems.extend(problem::properties(key, properties));
            let size = stored_size::stored_size(properties);
            if size >= STORED_PROPERTIES_LIMIT {
                problems.push(RegistrationProblem::TooLarge { key, size });
            }
        }
        problems.extend(problem::shared_ids(&self.properties, &self.return_properties));
        if problems.is_empty() { Ok(()) } else { Err(InvalidRegistration::new(&self.code, problems)) }
    }
}

fn yes_no(value: bool) -> Value {
    if value { "Y" } else { "N" }.into()
}
