//! `BizprocProperties`: a robot's input `PROPERTIES` and the decoding of the handler's values.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::property::{default_checks, descriptors};
use crate::ast::Container;
use crate::definition::{self, Loaded};

pub fn expand(cont: &Container, loaded: Option<&Loaded>) -> TokenStream {
    let krate = &cont.krate;
    let ident = cont.ident;
    let ids = cont.properties().map(|field| &field.id);
    let descriptors = loaded.map_or_else(|| descriptors(cont), |loaded| definition::descriptors(cont, loaded));
    let definition_checks = loaded.map(|loaded| definition::expand_checks(cont, loaded));
    let fields: Vec<_> = cont.properties().collect();
    let vars: Vec<_> = (0..fields.len()).map(|i| format_ident!("__field{}", i)).collect();
    let decodes = fields.iter().zip(&vars).map(|(field, var)| {
        let id = &field.id;
        let ty = field.ty;
        quote!(let #var = #krate::__private::decode::<#ty>(__input, #id, __locale, &mut __errors);)
    });
    let members: Vec<_> = fields.iter().map(|field| field.member).collect();
    let skipped = cont.fields().iter().filter(|field| field.attrs.skip).map(|field| field.member);
    let construct = if cont.fields().is_empty() {
        quote!(Self)
    } else {
        quote!(Self { #(#members: #vars,)* #(#skipped: ::core::default::Default::default(),)* })
    };
    let default_checks = default_checks(cont);
    quote! {
        #[automatically_derived]
        impl #krate::BizprocProperties for #ident {
            const IDS: &'static [&'static ::core::primitive::str] = &[#(#ids),*];

            fn properties() -> #krate::Properties {
                let mut __properties = #krate::Properties::new();
                #descriptors
                __properties
            }

            fn from_input(
                __input: &#krate::PropertyInput,
                __locale: &#krate::PortalLocale,
            ) -> ::core::result::Result<Self, #krate::InputError> {
                let mut __errors = ::std::vec::Vec::new();
                #(#decodes)*
                let _ = (__input, __locale);
                match (#(#vars,)*) {
                    (#(::core::option::Option::Some(#vars),)*) => ::core::result::Result::Ok(#construct),
                    #[allow(unreachable_patterns)]
                    _ => ::core::result::Result::Err(#krate::__private::input_error(__errors)),
                }
            }
        }

        #default_checks
        #definition_checks
    }
}
