//! Robot definitions as data: a YAML (or JSON) file loaded into a [`Registration`], with the
//! same rules the derives apply. The format is described by `bizproc-definition`.

use std::fmt;
use std::path::Path;

use crate::Registration;

/// A robot or activity definition, validated.
///
/// ```
/// let text = "CODE: ping\nNAME: {en: Ping}\nHANDLER: https://app.example.com/robots/ping\n\
///             RETURN_PROPERTIES:\n  answer: {Name: Answer, Type: string}\n";
/// let definition = bizproc::Definition::from_str(text, "ping.yaml").unwrap();
/// let registration = definition.registration(None).unwrap();
/// assert_eq!(registration.code(), "ping");
/// assert!(registration.output_properties().get("answer").is_some());
/// ```
#[derive(Debug, Clone)]
pub struct Definition {
    inner: bizproc_definition::Definition,
}

/// What is wrong with a definition: every problem, each as `file:line:column: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionError {
    lines: Vec<String>,
}

impl DefinitionError {
    /// The problems, one line each.
    #[must_use]
    pub fn lines(&self) -> &[String] {
        &self.lines
    }
}

impl fmt::Display for DefinitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.lines.join("\n"))
    }
}

impl std::error::Error for DefinitionError {}

impl Definition {
    /// Reads a definition; `file` names it in messages.
    ///
    /// # Errors
    /// Every problem of the text.
    #[allow(clippy::should_implement_trait)] // a file name goes with the text
    pub fn from_str(text: &str, file: &str) -> Result<Self, DefinitionError> {
        bizproc_definition::Definition::from_str(text, file)
            .map(|inner| Self { inner })
            .map_err(|problems| DefinitionError { lines: problems.iter().map(ToString::to_string).collect() })
    }

    /// Reads a definition file.
    ///
    /// # Errors
    /// Every problem of the file, or why it could not be read.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, DefinitionError> {
        bizproc_definition::Definition::from_path(path)
            .map(|inner| Self { inner })
            .map_err(|problems| DefinitionError { lines: problems.iter().map(ToString::to_string).collect() })
    }

    /// Whether it is an activity rather than a robot.
    #[must_use]
    pub fn is_activity(&self) -> bool {
        self.inner.kind() == bizproc_definition::Kind::Activity
    }

    /// The registration, at `handler` or the definition's own `HANDLER`.
    ///
    /// # Errors
    /// When there is no handler, or it is not one the server takes.
    pub fn registration(&self, handler: Option<&str>) -> Result<Registration, DefinitionError> {
        let payload = self.inner.add_payload(handler).map_err(|e| DefinitionError { lines: vec![e.to_string()] })?;
        Registration::from_payload(&payload, "").map_err(|e| DefinitionError { lines: vec![e] })
    }
}
