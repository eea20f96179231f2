//! Robot runs: the handler request the portal sends, signed event tokens, and what became
//! of each run.

/// Every run of every portal.
#[derive(Debug, Default)]
pub(crate) struct Runs {}
