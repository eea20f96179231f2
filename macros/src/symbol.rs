//! The words of `#[bizproc(...)]`, named once.

pub const BIZPROC: &str = "bizproc";

pub const CODE: &str = "code";
pub const CRATE: &str = "crate";
pub const DEFAULT: &str = "default";
pub const DEFINITION: &str = "definition";
pub const DESCRIPTION: &str = "description";
pub const INPUT: &str = "input";
pub const LABEL: &str = "label";
pub const NAME: &str = "name";
pub const RENAME: &str = "rename";
pub const RENAME_ALL: &str = "rename_all";
pub const SKIP: &str = "skip";
pub const TYPE: &str = "type";
pub const USE_SUBSCRIPTION: &str = "use_subscription";
