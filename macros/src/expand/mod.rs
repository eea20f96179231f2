//! Generated code: small, absolute paths only, calling `bizproc::__private`.

mod properties;
mod property;
mod return_type;
mod select;

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

use crate::ast::{Container, Derive};
use crate::check::check;
use crate::ctxt::Ctxt;
use crate::definition;

pub fn derive(input: &DeriveInput, derive: Derive) -> TokenStream {
    let cx = Ctxt::default();
    let container = Container::from_ast(&cx, input, derive);
    let mut loaded = None;
    if let Some(container) = &container {
        check(&cx, container);
        loaded = definition::load(&cx, container);
        if let Some(loaded) = &loaded {
            definition::check(&cx, container, loaded);
            definition::check_overrides(&cx, container, loaded);
        }
    }
    match (cx.check(), container) {
        (Ok(()), Some(container)) => match derive {
            Derive::Return => return_type::expand(&container, loaded.as_ref()),
            Derive::Properties => properties::expand(&container, loaded.as_ref()),
            Derive::Select => select::expand(&container),
        },
        (Err(errors), _) => {
            let errors = errors.to_compile_error();
            let stub = stub(input, derive);
            quote!(#errors #stub)
        }
        (Ok(()), None) => unreachable!("a missing model is always reported"),
    }
}

/// An impl with the right signature, so that the user sees the derive's errors and not a
/// cascade of "trait not implemented" ones.
fn stub(input: &DeriveInput, derive: Derive) -> TokenStream {
    let ident = &input.ident;
    let krate = quote!(::bizproc);
    let unreachable = quote!(::core::unreachable!("the derive failed to compile"));
    let body = match derive {
        Derive::Return => quote! {
            impl #krate::BizprocReturn for #ident {
                const CODE: &'static ::core::primitive::str = "";
                type Input = ();
                fn registration(_: impl ::core::convert::Into<::std::string::String>) -> #krate::Registration { #unreachable }
                fn return_properties() -> #krate::Properties { #unreachable }
                fn return_values_in(&self, _: &#krate::PortalLocale) -> #krate::ReturnValues { #unreachable }
            }
        },
        Derive::Properties => quote! {
            impl #krate::BizprocProperties for #ident {
                const IDS: &'static [&'static ::core::primitive::str] = &[];
                fn properties() -> #krate::Properties { #unreachable }
                fn from_input(_: &#krate::PropertyInput, _: &#krate::PortalLocale)
                    -> ::core::result::Result<Self, #krate::InputError> { #unreachable }
            }
        },
        Derive::Select => quote! {
            impl #krate::BizprocSelect for #ident {
                const KEYS: &'static [&'static ::core::primitive::str] = &[];
                const LABELS: &'static [&'static ::core::primitive::str] = &[];
                fn key(&self) -> &'static ::core::primitive::str { #unreachable }
                fn from_key(_: &::core::primitive::str) -> ::core::option::Option<Self> { #unreachable }
            }
        },
    };
    if input.generics.lt_token.is_some() {
        // Generic types cannot take this stub; their error stands alone.
        return TokenStream::new();
    }
    quote!(#[automatically_derived] #body)
}
