//! What is wrong with a definition, and where.

use std::fmt;

use crate::Location;

/// One problem of a definition file: the file, the line and column (when the problem has a
/// place in the file), and a message.
///
/// Displays as `file:line:column: message`, the form editors and terminals link to.
///
/// ```
/// use bizproc_definition::{Definition, Location};
///
/// let err = Definition::from_str("CODE: bad code\nNAME: Bad\n", "bad.yaml").unwrap_err();
/// let problem = &err.problems()[0];
/// assert_eq!(problem.file(), "bad.yaml");
/// assert_eq!(problem.location(), Some(Location { line: 1, column: 7 }));
/// assert!(problem.message().starts_with("CODE `bad code` must be 1 to 128 characters"));
/// assert!(problem.to_string().starts_with("bad.yaml:1:7: CODE `bad code`"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Problem {
    file: String,
    location: Option<Location>,
    message: String,
}

impl Problem {
    /// A problem at `location` of `file`, or of the whole file when `location` is `None`.
    ///
    /// The macro crate uses this for its own findings (a field with no property, …) so that
    /// they read like the parser's.
    ///
    /// ```
    /// use bizproc_definition::{Location, Problem};
    ///
    /// let at = Problem::new("robot.yaml", Some(Location { line: 4, column: 3 }), "no field for property `inn`");
    /// assert_eq!(at.to_string(), "robot.yaml:4:3: no field for property `inn`");
    /// let whole = Problem::new("robot.yaml", None, "cannot read the file");
    /// assert_eq!(whole.to_string(), "robot.yaml: cannot read the file");
    /// ```
    pub fn new(file: impl Into<String>, location: Option<Location>, message: impl Into<String>) -> Self {
        Self { file: file.into(), location, message: message.into() }
    }

    /// The file name, as given to the parser.
    ///
    /// ```
    /// let problem = bizproc_definition::Problem::new("a.yaml", None, "empty");
    /// assert_eq!(problem.file(), "a.yaml");
    /// ```
    #[must_use]
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Where in the file, if the problem has a place.
    ///
    /// ```
    /// use bizproc_definition::{Location, Problem};
    ///
    /// assert_eq!(Problem::new("a.yaml", Some(Location::START), "x").location(), Some(Location::START));
    /// ```
    #[must_use]
    pub fn location(&self) -> Option<Location> {
        self.location
    }

    /// The message, without file and location.
    ///
    /// ```
    /// assert_eq!(bizproc_definition::Problem::new("a.yaml", None, "empty").message(), "empty");
    /// ```
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.location {
            Some(location) => write!(f, "{}:{location}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for Problem {}

/// Every problem of one definition file, in file order; never empty.
///
/// Displays one problem per line.
///
/// ```
/// use bizproc_definition::Definition;
///
/// let yaml = "CODE: ok\nNAME: Ok\nPROPERTIES:\n  Title: {Name: Title, Type: string}\n  2fa: {Type: string}\n";
/// let err = Definition::from_str(yaml, "ok.yaml").unwrap_err();
/// assert_eq!(err.len(), 3);
/// let lines: Vec<String> = err.to_string().lines().map(str::to_owned).collect();
/// assert!(lines[0].starts_with("ok.yaml:4:3: property id `Title` is reserved"));
/// assert!(lines[1].starts_with("ok.yaml:5:3: property id `2fa`"));
/// assert!(lines[2].starts_with("ok.yaml:5:3: property `2fa` has no Name"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problems {
    problems: Vec<Problem>,
}

impl Problems {
    pub(crate) fn new(mut problems: Vec<Problem>) -> Self {
        debug_assert!(!problems.is_empty(), "an error without problems");
        // Stable: problems at the same place keep the order they were found in.
        problems.sort_by_key(|p| p.location.map(|l| (l.line, l.column)));
        Self { problems }
    }

    /// The problems, in file order (those without a place first).
    ///
    /// ```
    /// let err = bizproc_definition::Definition::from_str("NAME: x\n", "x.yaml").unwrap_err();
    /// assert_eq!(err.problems()[0].message(), "CODE is missing");
    /// ```
    #[must_use]
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// How many problems there are (at least one).
    ///
    /// ```
    /// let err = bizproc_definition::Definition::from_str("{}", "x.yaml").unwrap_err();
    /// assert_eq!(err.len(), 2); // CODE and NAME are missing
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.problems.len()
    }

    /// Always `false`: an error has at least one problem.
    ///
    /// ```
    /// let err = bizproc_definition::Definition::from_str("{}", "x.yaml").unwrap_err();
    /// assert!(!err.is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.problems.is_empty()
    }

    /// The problems, by value.
    ///
    /// ```
    /// let err = bizproc_definition::Definition::from_str("{}", "x.yaml").unwrap_err();
    /// let problems: Vec<bizproc_definition::Problem> = err.into_vec();
    /// assert_eq!(problems.len(), 2);
    /// ```
    #[must_use]
    pub fn into_vec(self) -> Vec<Problem> {
        self.problems
    }

    /// The problems, in file order.
    ///
    /// ```
    /// let err = bizproc_definition::Definition::from_str("{}", "x.yaml").unwrap_err();
    /// assert!(err.iter().all(|p| p.file() == "x.yaml"));
    /// ```
    pub fn iter(&self) -> std::slice::Iter<'_, Problem> {
        self.problems.iter()
    }
}

impl From<Problem> for Problems {
    fn from(problem: Problem) -> Self {
        Self { problems: vec![problem] }
    }
}

impl<'a> IntoIterator for &'a Problems {
    type Item = &'a Problem;
    type IntoIter = std::slice::Iter<'a, Problem>;

    fn into_iter(self) -> Self::IntoIter {
        self.problems.iter()
    }
}

impl IntoIterator for Problems {
    type Item = Problem;
    type IntoIter = std::vec::IntoIter<Problem>;

    fn into_iter(self) -> Self::IntoIter {
        self.problems.into_iter()
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}
