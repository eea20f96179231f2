//! Compile-fail tests: every mistake the derives catch, with its error pinned in a `.stderr`.
//!
//! Regenerate the expected output with `TRYBUILD=overwrite cargo test --test ui`, then read it.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
