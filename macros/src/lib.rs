//! Derive macros of [`bizproc`](https://docs.rs/bizproc). Use them through `bizproc`.
#![forbid(unsafe_code)]

use proc_macro::TokenStream;

/// Derives `bizproc::BizprocReturn`.
#[proc_macro_derive(BizprocReturn, attributes(bizproc))]
pub fn derive_return(input: TokenStream) -> TokenStream {
    TokenStream::new()
}

/// Derives `bizproc::BizprocProperties`.
#[proc_macro_derive(BizprocProperties, attributes(bizproc))]
pub fn derive_properties(input: TokenStream) -> TokenStream {
    TokenStream::new()
}

/// Derives `bizproc::BizprocSelect`.
#[proc_macro_derive(BizprocSelect, attributes(bizproc))]
pub fn derive_select(input: TokenStream) -> TokenStream {
    TokenStream::new()
}
