//! Is this request from Bitrix24? The portal's application token, compared in constant time.

use std::time::Duration;

use chrono::{DateTime, Utc};
use subtle::ConstantTimeEq;

use super::{InvocationAuth, PortalRecord, PortalStore, VerifyError};

/// Checks `auth` against the record of its portal: the portal must be installed and the
/// application token must match, compared in constant time. With `freshness`, `queued_at`
/// must also lie within that window of now.
///
/// # Errors
/// A [`VerifyError`]; nothing of the request should be acted on.
///
/// ```
/// use bizproc::handler::{InvocationAuth, MemoryPortalStore, PortalRecord, PortalStore, VerifyError, verify};
///
/// let store = MemoryPortalStore::default();
/// store.put(&PortalRecord::new("m1", "a.example.com", "https://a.example.com/rest/", "right")).unwrap();
/// let mut auth = InvocationAuth { member_id: "m1".into(), application_token: "right".into(), ..Default::default() };
/// assert!(verify(&store, &auth, None, None).is_ok());
/// auth.application_token = "wrong".into();
/// assert_eq!(verify(&store, &auth, None, None).unwrap_err(), VerifyError::TokenMismatch);
/// ```
pub fn verify(
    store: &dyn PortalStore,
    auth: &InvocationAuth,
    queued_at: Option<DateTime<Utc>>,
    freshness: Option<Duration>,
) -> Result<PortalRecord, VerifyError> {
    let record = store.get(&auth.member_id).map_err(VerifyError::Store)?.ok_or(VerifyError::UnknownPortal)?;
    let matches: bool =
        record.application_token.expose().as_bytes().ct_eq(auth.application_token.expose().as_bytes()).into();
    if !matches {
        return Err(VerifyError::TokenMismatch);
    }
    if let (Some(queued_at), Some(window)) = (queued_at, freshness) {
        let age = (Utc::now() - queued_at).num_seconds();
        if age.unsigned_abs() > window.as_secs() {
            return Err(VerifyError::Stale { age_seconds: age, window_seconds: window.as_secs() });
        }
    }
    Ok(record)
}
