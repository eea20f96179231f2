//! `BizprocSelect`: a unit enum as a `select` property, and its `ScalarValue`.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ast::Container;

pub fn expand(cont: &Container) -> TokenStream {
    let krate = &cont.krate;
    let ident = cont.ident;
    let variants = cont.variants();
    let keys: Vec<_> = variants.iter().map(|v| &v.key).collect();
    let labels = variants.iter().map(|v| &v.label);
    let idents: Vec<_> = variants.iter().map(|v| v.ident).collect();
    quote! {
        #[automatically_derived]
        impl #krate::BizprocSelect for #ident {
            const KEYS: &'static [&'static ::core::primitive::str] = &[#(#keys),*];
            const LABELS: &'static [&'static ::core::primitive::str] = &[#(#labels),*];

            fn key(&self) -> &'static ::core::primitive::str {
                match self {
                    #(Self::#idents => #keys,)*
                }
            }

            fn from_key(__key: &::core::primitive::str) -> ::core::option::Option<Self> {
                match __key {
                    #(#keys => ::core::option::Option::Some(Self::#idents),)*
                    _ => ::core::option::Option::None,
                }
            }
        }

        #[automatically_derived]
        impl #krate::ScalarValue for #ident {
            const TYPE: #krate::PropertyType = #krate::PropertyType::Select;
            const KEYS: &'static [&'static ::core::primitive::str] = <Self as #krate::BizprocSelect>::KEYS;
            type Literal = &'static ::core::primitive::str;

            fn options() -> ::core::option::Option<#krate::Options> {
                ::core::option::Option::Some(<Self as #krate::BizprocSelect>::options())
            }

            fn encode(&self, _: &#krate::PortalLocale) -> #krate::__private::Value {
                #krate::__private::select_encode(self)
            }

            fn decode(__text: &::core::primitive::str, _: &#krate::PortalLocale) -> ::core::result::Result<Self, #krate::ValueError> {
                #krate::__private::select_decode(__text)
            }

            fn literal(__value: &'static ::core::primitive::str) -> #krate::__private::Value {
                #krate::__private::Value::from(__value)
            }
        }
    }
}
