//! The pieces every property field expands to: its descriptor, its default, its checks.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Expr, Lit, LitStr, Path};

use crate::ast::{Container, Field};
use crate::attr::Localized;

/// A `bizproc::Localized` value.
pub fn localized(krate: &Path, text: &Localized) -> TokenStream {
    match text {
        Localized::Text(lit) => quote!(#krate::__private::text(#lit)),
        Localized::ByLanguage { entries, .. } => {
            let pairs = entries.iter().map(|(language, lit)| {
                let language = LitStr::new(&language.to_string(), language.span());
                quote!((#language, #lit))
            });
            quote!(#krate::__private::by_language(&[#(#pairs),*]))
        }
    }
}

/// `Some(description)` from the attribute or the doc comment, else `None`.
pub fn description(krate: &Path, attr: Option<&Localized>, doc: Option<&String>) -> TokenStream {
    option(match (attr, doc) {
        (Some(text), _) => Some(localized(krate, text)),
        (None, Some(doc)) => Some(quote!(#krate::__private::text(#doc))),
        (None, None) => None,
    })
}

/// Statements inserting each property field's descriptor into `properties`.
pub fn descriptors(cont: &Container) -> TokenStream {
    let krate = &cont.krate;
    let inserts = cont.properties().map(|field| {
        let id = &field.id;
        let ty = field.ty;
        let name = field.attrs.name.as_ref().map_or_else(
            || {
                let readable = &field.readable_name;
                quote!(#krate::__private::text(#readable))
            },
            |name| localized(krate, name),
        );
        let description = description(krate, field.attrs.description.as_ref(), field.doc.as_ref());
        let type_override = option(field.attrs.type_override.as_ref().map(|lit| quote!(#lit)));
        let default = option(field.attrs.default.as_ref().map(|expr| {
            let literal = default_literal(expr);
            // Spanned on the literal: a literal of the wrong type is reported there.
            quote_spanned!(expr.span()=> #krate::__private::literal::<#ty>(#literal))
        }));
        let property = quote_spanned!(ty.span()=> #krate::__private::property::<#ty>);
        quote! {
            __properties.insert(#id, #property(#name, #description, #type_override, #default));
        }
    });
    quote!(#(#inserts)*)
}

/// `Some(value)` or `None`, with absolute paths.
fn option(value: Option<TokenStream>) -> TokenStream {
    value.map_or_else(|| quote!(::core::option::Option::None), |value| quote!(::core::option::Option::Some(#value)))
}

/// `[a, b]` becomes `&[a, b]`, the slice a multiple field's default is.
fn default_literal(expr: &Expr) -> TokenStream {
    match expr {
        Expr::Array(array) => quote_spanned!(array.span()=> &#array),
        other => quote!(#other),
    }
}

/// Compile-time checks that need the field's type: a select default must be an option key.
pub fn default_checks(cont: &Container) -> TokenStream {
    let krate = &cont.krate;
    let checks = cont.properties().flat_map(|field: &Field| {
        let ty = field.ty;
        let strings: Vec<LitStr> = match &field.attrs.default {
            Some(Expr::Array(array)) => array.elems.iter().filter_map(string_literal).collect(),
            Some(expr) => string_literal(expr).into_iter().collect(),
            None => Vec::new(),
        };
        strings.into_iter().map(move |lit| {
            let message = format!(
                "default {:?} is not one of the option keys of `{}`",
                lit.value(),
                quote!(#ty).to_string().replace(' ', "")
            )
            .replace('{', "{{")
            .replace('}', "}}"); // `panic!` reads the message as a format string
            quote_spanned! {lit.span()=>
                const _: () = {
                    let __keys = <#ty as #krate::PropertyValue>::KEYS;
                    if !__keys.is_empty() && !#krate::__private::has_key(__keys, #lit) {
                        ::core::panic!(#message);
                    }
                };
            }
        })
    });
    quote!(#(#checks)*)
}

fn string_literal(expr: &Expr) -> Option<LitStr> {
    match expr {
        Expr::Lit(syn::ExprLit { lit: Lit::Str(lit), .. }) => Some(lit.clone()),
        _ => None,
    }
}

/// The robot's `NAME` and `Option<DESCRIPTION>`, the latter from the attribute or the doc comment.
pub fn descriptions_of_robot(cont: &Container) -> (TokenStream, TokenStream) {
    let krate = &cont.krate;
    let name =
        cont.attrs.name.as_ref().map_or_else(|| quote!(#krate::__private::text("")), |name| localized(krate, name));
    (name, description(krate, cont.attrs.description.as_ref(), cont.doc.as_ref()))
}
