//! Derive macros of [`bizproc`](https://docs.rs/bizproc): `BizprocReturn`,
//! `BizprocProperties` and `BizprocSelect`. Use them through `bizproc`, which documents them.
//!
//! Each derive parses its input into the model of `ast`, runs the rules of `check` once,
//! and expands to code that calls `bizproc::__private`. Errors are collected and reported
//! together, each spanned on the token that is wrong.
#![forbid(unsafe_code)]

mod ast;
mod attr;
mod case;
mod check;
mod ctxt;
mod definition;
mod expand;
mod symbol;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Derives `bizproc::BizprocReturn`: a robot's `RETURN_PROPERTIES`, registration and
/// `RETURN_VALUES`.
#[proc_macro_derive(BizprocReturn, attributes(bizproc))]
pub fn derive_return(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive(&input, ast::Derive::Return).into()
}

/// Derives `bizproc::BizprocProperties`: a robot's input `PROPERTIES` and their decoding.
#[proc_macro_derive(BizprocProperties, attributes(bizproc))]
pub fn derive_properties(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive(&input, ast::Derive::Properties).into()
}

/// Derives `bizproc::BizprocSelect` and `bizproc::ScalarValue` for a unit enum: a `select`
/// property whose options are the variants.
#[proc_macro_derive(BizprocSelect, attributes(bizproc))]
pub fn derive_select(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive(&input, ast::Derive::Select).into()
}
