//! Helpers shared by the workspace's examples and end-to-end tests. Not published.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

/// A directory of its own under the system's temp dir, removed when dropped.
///
/// ```
/// let dir = bizproc_suite::TempDir::new("doc");
/// assert!(dir.0.is_dir());
/// ```
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// A new, empty directory whose name starts with `bizproc-<name>`.
    ///
    /// # Panics
    /// When the directory cannot be created.
    #[must_use]
    pub fn new(name: &str) -> Self {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970").subsec_nanos();
        let path = std::env::temp_dir().join(format!("bizproc-{name}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).expect("a temp dir");
        Self(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
