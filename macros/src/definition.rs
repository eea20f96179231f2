//! `#[bizproc(definition = "robots/x.yaml")]`: the type checked against a definition file.
//!
//! The file is read at compile time, with every rule of `bizproc-definition`; then each
//! property it declares must have a field and each field a property. What only the type
//! system knows (a field's property type, `Required`, `Multiple`, a select's keys) is
//! checked by constants the expansion emits, so a mismatch is a compile error too.

use std::path::PathBuf;

use bizproc_definition::{Definition, Property};
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::LitStr;
use syn::spanned::Spanned;

use crate::ast::{Container, Derive, Field};
use crate::ctxt::Ctxt;

/// A definition file, read and valid.
pub struct Loaded {
    pub definition: Definition,
    /// The file's absolute path, tracked so that editing it rebuilds the crate.
    pub path: String,
    pub literal: LitStr,
}

impl Loaded {
    /// The property set this derive describes: `RETURN_PROPERTIES` or `PROPERTIES`.
    pub fn properties<'a>(&'a self, cont: &Container) -> &'a [Property] {
        match cont.derive {
            Derive::Return => self.definition.return_properties(),
            Derive::Properties | Derive::Select => self.definition.properties(),
        }
    }

    fn key(cont: &Container) -> &'static str {
        match cont.derive {
            Derive::Return => "RETURN_PROPERTIES",
            Derive::Properties | Derive::Select => "PROPERTIES",
        }
    }

    fn at(&self, property: &Property) -> String {
        format!("{}:{}", self.definition.file(), property.location())
    }
}

/// Reads and checks the definition file named by the container, reporting every problem.
pub fn load(cx: &Ctxt, cont: &Container) -> Option<Loaded> {
    let literal = cont.attrs.definition.clone()?;
    let relative = literal.value();
    let root = std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(PathBuf::new, PathBuf::from);
    let path = root.join(&relative);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) => {
            cx.error_spanned_by(&literal, format!("cannot read definition {relative}: {error}"));
            return None;
        }
    };
    match Definition::from_str(&text, relative.as_str()) {
        Ok(definition) => Some(Loaded { definition, path: path.display().to_string(), literal }),
        Err(problems) => {
            for problem in &problems {
                cx.error_spanned_by(&literal, problem.to_string());
            }
            None
        }
    }
}

/// Each declared property needs a field; each field a declared property; descriptors come
/// from the file alone.
pub fn check(cx: &Ctxt, cont: &Container, loaded: &Loaded) {
    for field in cont.properties() {
        let given = [
            ("name", field.attrs.name.is_some()),
            ("description", field.attrs.description.is_some()),
            ("default", field.attrs.default.is_some()),
        ];
        for (word, _) in given.into_iter().filter(|(_, given)| *given) {
            cx.error_at(
                field.id_span,
                format!(
                    "the `{word}` of field `{}` comes from {}: remove #[bizproc({word} = ...)]",
                    field.member,
                    loaded.definition.file()
                ),
            );
        }
    }
    let declared = loaded.properties(cont);
    for property in declared {
        if !cont.properties().any(|field| field.id == **property.id()) {
            cx.error_spanned_by(
                &loaded.literal,
                format!(
                    "{}: {} `{}` has no field in `{}`: add one, or #[bizproc(rename = \"{}\")] an existing field",
                    loaded.at(property),
                    Loaded::key(cont),
                    property.id().as_str(),
                    cont.ident,
                    property.id().as_str()
                ),
            );
        }
    }
    for field in cont.properties() {
        if !declared.iter().any(|property| **property.id() == field.id) {
            cx.error_at(
                field.id_span,
                format!(
                    "field `{}` (property `{}`) is not declared in {} {}",
                    field.member,
                    field.id,
                    loaded.definition.file(),
                    Loaded::key(cont)
                ),
            );
        }
    }
}

/// The file is tracked, and every field's type is checked against its declaration.
pub fn expand_checks(cont: &Container, loaded: &Loaded) -> TokenStream {
    let krate = &cont.krate;
    let path = &loaded.path;
    let checks = cont.properties().filter_map(|field| {
        let property = loaded.properties(cont).iter().find(|p| **p.id() == field.id)?;
        Some(field_checks(krate, field, property, &loaded.at(property)))
    });
    quote! {
        const _: &[u8] = ::core::include_bytes!(#path);
        #(#checks)*
    }
}

fn field_checks(krate: &syn::Path, field: &Field, property: &Property, at: &str) -> TokenStream {
    let ty = field.ty;
    let member = field.member;
    let declared_type = property.type_name().as_str();
    // An override names the type outright, so `check_overrides` compares it.
    let type_check = if field.attrs.type_override.is_some() {
        quote!()
    } else {
        let message = format!("field `{member}` does not have type `{declared_type}`, which {at} declares");
        quote_spanned! {ty.span()=>
            const _: () = {
                let __type = <#ty as #krate::PropertyValue>::TYPE;
                let __matches = #krate::__private::type_is(&__type, #declared_type);
                // A property type may own a name; constants cannot run its destructor.
                ::core::mem::forget(__type);
                if !__matches {
                    ::core::panic!(#message);
                }
            };
        }
    };
    let required = **property.required();
    let multiple = **property.multiple();
    let flags = |flag: &str, value: bool, hint: &str| -> TokenStream {
        let constant = quote::format_ident!("{}", flag.to_uppercase());
        let yn = if value { "Y" } else { "N" };
        let message = format!("field `{member}`: {at} declares {flag} {yn}; {hint}");
        quote_spanned! {ty.span()=>
            const _: () = {
                if <#ty as #krate::PropertyValue>::#constant != #value {
                    ::core::panic!(#message);
                }
            };
        }
    };
    let required_check = flags(
        "Required",
        required,
        if required { "make the field a plain type, not `Option`" } else { "make the field an `Option` (or a `Vec`)" },
    );
    let multiple_check =
        flags("Multiple", multiple, if multiple { "make the field a `Vec`" } else { "make the field not a `Vec`" });
    let keys: Vec<&str> = property.option_keys().collect();
    let keys_check = if keys.is_empty() {
        quote!()
    } else {
        let listed = keys.join("`, `");
        let message = format!("field `{member}`: the select's keys are not `{listed}`, the options {at} declares");
        quote_spanned! {ty.span()=>
            const _: () = {
                if !#krate::__private::same_keys(<#ty as #krate::PropertyValue>::KEYS, &[#(#keys),*]) {
                    ::core::panic!(#message);
                }
            };
        }
    };
    quote!(#type_check #required_check #multiple_check #keys_check)
}

/// Statements inserting every declared property's descriptor, in the file's order.
pub fn descriptors(cont: &Container, loaded: &Loaded) -> TokenStream {
    let krate = &cont.krate;
    let inserts = loaded.properties(cont).iter().map(|property| {
        let id = property.id().as_str();
        let json = property.descriptor().to_string();
        quote!(__properties.insert(#id, #krate::__private::property_from_json(#json));)
    });
    quote!(#(#inserts)*)
}

/// The registration: everything from the file, at the handler given.
pub fn registration(cont: &Container, loaded: &Loaded) -> TokenStream {
    let krate = &cont.krate;
    let payload = loaded
        .definition
        .add_payload(Some("https://handler.invalid/"))
        .map(|payload| payload.to_string())
        .unwrap_or_default();
    quote!(#krate::__private::registration_from_json(#payload, &::core::convert::Into::<::std::string::String>::into(__handler)))
}

/// A type override that differs from the declared type is reported at compile time.
pub fn check_overrides(cx: &Ctxt, cont: &Container, loaded: &Loaded) {
    for field in cont.properties() {
        let (Some(lit), Some(property)) =
            (&field.attrs.type_override, loaded.properties(cont).iter().find(|p| **p.id() == field.id))
        else {
            continue;
        };
        if lit.value() != property.type_name().as_str() {
            cx.error_spanned_by(
                lit,
                format!(
                    "field `{}` has type `{}`, but {} declares `{}`",
                    field.member,
                    lit.value(),
                    loaded.at(property),
                    property.type_name().as_str()
                ),
            );
        }
    }
}
