//! Event tokens, typed by the robot whose run they belong to.

use std::fmt;
use std::marker::PhantomData;

/// The `event_token` of one robot run, typed by the robot's result type `R`, so that only an
/// `R` can complete it.
///
/// The handler side hands out typed tokens; [`EventToken::from_raw`] wraps a string kept
/// elsewhere. `Debug` shows only the workflow id.
///
/// ```
/// use bizproc::BizprocReturn;
/// use bizproc::EventToken;
///
/// #[derive(BizprocReturn)]
/// #[bizproc(code = "ping", name = "Ping")]
/// struct Pong {
///     answer: String,
/// }
///
/// let token: EventToken<Pong> = EventToken::from_raw("55c1dc1c3f0d75.78875596|A51601_82584|hsyUws1j.47dd5d");
/// assert_eq!(token.workflow_id(), "55c1dc1c3f0d75.78875596");
/// assert_eq!(format!("{token:?}"), "EventToken<ping>(55c1dc1c3f0d75.78875596|…)");
/// ```
pub struct EventToken<R> {
    raw: String,
    robot: PhantomData<fn() -> R>,
}

impl<R> EventToken<R> {
    /// Wraps a token string for robot `R`. Nothing checks that the run belongs to `R`: the
    /// handler side does that when it hands out tokens.
    pub fn from_raw(raw: impl Into<String>) -> Self {
        Self { raw: raw.into(), robot: PhantomData }
    }

    /// The token as sent in `EVENT_TOKEN`.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The workflow instance id, the token's first part.
    #[must_use]
    pub fn workflow_id(&self) -> &str {
        self.raw.split('|').next().unwrap_or_default()
    }
}

impl<R> Clone for EventToken<R> {
    fn clone(&self) -> Self {
        Self::from_raw(self.raw.clone())
    }
}

impl<R> PartialEq for EventToken<R> {
    fn eq(&self, other: &Self) -> bool {
        self.raw == other.raw
    }
}

impl<R> Eq for EventToken<R> {}

impl<R> std::hash::Hash for EventToken<R> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.raw.hash(state);
    }
}

impl<R: crate::BizprocReturn> fmt::Debug for EventToken<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EventToken<{}>({}|…)", R::CODE, self.workflow_id())
    }
}
