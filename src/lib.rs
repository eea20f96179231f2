//! Helpers shared by the workspace's examples and end-to-end tests. Not published.
