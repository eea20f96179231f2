//! `BizprocReturn`: a robot's registration, `RETURN_PROPERTIES` and `RETURN_VALUES`.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

use super::property::{default_checks, descriptions_of_robot, descriptors};
use crate::ast::Container;
use crate::definition::{self, Loaded};

pub fn expand(cont: &Container, loaded: Option<&Loaded>) -> TokenStream {
    let krate = &cont.krate;
    let ident = cont.ident;
    let code = match loaded {
        Some(loaded) => syn::LitStr::new(loaded.definition.code().as_str(), loaded.literal.span()),
        None => cont.attrs.code.clone().expect("checked: a robot has a code"),
    };
    let (name, description) = descriptions_of_robot(cont);
    let use_subscription = cont.attrs.use_subscription.as_ref().is_none_or(syn::LitBool::value);
    let input = cont.attrs.input.as_ref().map_or_else(|| quote!(()), |ty| quote!(#ty));
    let descriptors = loaded.map_or_else(|| descriptors(cont), |loaded| definition::descriptors(cont, loaded));
    let encodes = cont.properties().map(|field| {
        let id = &field.id;
        let member = field.member;
        let ty = field.ty;
        // The type named, so that a type without a mapping is reported on the field's type.
        quote!(#krate::__private::encode::<#ty>(&mut __values, #id, &self.#member, __locale);)
    });
    let clash_checks = cont.properties().map(|field| {
        let id = &field.id;
        let message = format!(
            "return property {id:?} has the id of an input property; Bitrix24 silently skips it: use #[bizproc(rename = \"...\")]"
        );
        quote_spanned! {field.id_span=>
            const _: () = {
                if #krate::__private::has_id_ignoring_case(<#input as #krate::BizprocProperties>::IDS, #id) {
                    ::core::panic!(#message);
                }
            };
        }
    });
    let default_checks = default_checks(cont);
    let registration = if let Some(loaded) = loaded {
        definition::registration(cont, loaded)
    } else {
        quote! {
            #krate::__private::registration(
                #code,
                #name,
                #description,
                #use_subscription,
                ::core::convert::Into::into(__handler),
                <#input as #krate::BizprocProperties>::properties(),
                <Self as #krate::BizprocReturn>::return_properties(),
            )
        }
    };
    let field_count = cont.properties().count();
    let definition_checks = loaded.map(|loaded| definition::expand_checks(cont, loaded));
    quote! {
        #[automatically_derived]
        impl #krate::BizprocReturn for #ident {
            const CODE: &'static ::core::primitive::str = #code;
            type Input = #input;

            fn registration(__handler: impl ::core::convert::Into<::std::string::String>) -> #krate::Registration {
                #registration
            }

            fn return_properties() -> #krate::Properties {
                let mut __properties = #krate::Properties::new();
                #descriptors
                __properties
            }

            fn return_values_in(&self, __locale: &#krate::PortalLocale) -> #krate::ReturnValues {
                let mut __values = #krate::__private::return_values(#field_count);
                #(#encodes)*
                let _ = __locale;
                __values
            }
        }

        #(#clash_checks)*
        #default_checks
        #definition_checks
    }
}
