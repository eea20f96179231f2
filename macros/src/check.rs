//! The rules a derive input must meet, one function each, run once over the whole model so
//! that every mistake is reported in the same compile.

// The reserved ids and the type names are bizproc-definition's, so that files and derives agree.
use bizproc_definition::{BUILT_IN_TYPES as TYPE_NAMES, RESERVED_IDS};
use syn::{Expr, Lit, UnOp};

use crate::ast::{Container, Derive};
use crate::attr::Localized;
use crate::ctxt::Ctxt;

pub fn check(cx: &Ctxt, cont: &Container) {
    check_code(cx, cont);
    check_robot_name(cx, cont);
    check_localized_texts(cx, cont);
    check_id_syntax(cx, cont);
    check_reserved_ids(cx, cont);
    check_ids_unique_ignoring_case(cx, cont);
    check_type_overrides(cx, cont);
    check_default_literals(cx, cont);
    check_option_keys_unique(cx, cont);
    check_option_labels(cx, cont);
}

/// The server accepts `^[A-Za-z0-9._-]+$` and stores at most 128 characters.
fn check_code(cx: &Ctxt, cont: &Container) {
    if cont.derive != Derive::Return {
        return;
    }
    if let Some(definition) = &cont.attrs.definition {
        // The file is the one source of the robot's code, name and description.
        for (word, given) in [
            ("code", cont.attrs.code.as_ref().map(quote::ToTokens::to_token_stream)),
            ("name", cont.attrs.name.as_ref().map(|_| quote::ToTokens::to_token_stream(definition))),
            ("description", cont.attrs.description.as_ref().map(|_| quote::ToTokens::to_token_stream(definition))),
        ] {
            if given.is_some() {
                cx.error_spanned_by(
                    definition,
                    format!("`{word}` comes from the definition file: remove #[bizproc({word} = ...)]"),
                );
            }
        }
        return;
    }
    let Some(code) = &cont.attrs.code else {
        cx.error_spanned_by(cont.ident, "missing robot code: add #[bizproc(code = \"...\")]");
        return;
    };
    let value = code.value();
    let valid_chars = value.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if valid_chars && value.len() > 128 {
        cx.error_spanned_by(
            code,
            format!("robot code too long: {} characters, Bitrix24 stores at most 128", value.len()),
        );
    } else if !valid_chars || value.is_empty() {
        cx.error_spanned_by(
            code,
            format!("invalid robot code {value:?}: use 1 to 128 characters of A-Z, a-z, 0-9, `.`, `_`, `-`"),
        );
    }
}

/// The server refuses a robot without `NAME`.
fn check_robot_name(cx: &Ctxt, cont: &Container) {
    if cont.derive != Derive::Return || cont.attrs.name.is_some() || cont.attrs.definition.is_some() {
        return;
    }
    match &cont.attrs.code {
        Some(code) => cx.error_spanned_by(code, "`code` without a robot `name`: add #[bizproc(name = \"...\")]"),
        None => cx.error_spanned_by(cont.ident, "missing robot name: add #[bizproc(name = \"...\")]"),
    }
}

/// Names are never empty; maps are looked up by two-letter codes and fall back to `en`.
fn check_localized_texts(cx: &Ctxt, cont: &Container) {
    let container = [&cont.attrs.name, &cont.attrs.description];
    let fields = cont.fields().iter().flat_map(|f| [&f.attrs.name, &f.attrs.description]);
    for text in container.into_iter().chain(fields).flatten() {
        check_localized(cx, text);
    }
}

fn check_localized(cx: &Ctxt, text: &Localized) {
    match text {
        Localized::Text(lit) => {
            if lit.value().trim().is_empty() {
                cx.error_spanned_by(lit, "empty text: Bitrix24 needs a name to show");
            }
        }
        Localized::ByLanguage { span, entries } => {
            let mut seen = Vec::new();
            for (language, lit) in entries {
                let code = language.to_string();
                if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_lowercase()) {
                    cx.error_spanned_by(
                        language,
                        format!("`{code}` is not a two-letter language code, such as `en` or `ru`"),
                    );
                } else if seen.contains(&code) {
                    cx.error_spanned_by(language, format!("duplicate language `{code}`"));
                }
                if lit.value().trim().is_empty() {
                    cx.error_spanned_by(lit, "empty text: Bitrix24 needs a name to show");
                }
                seen.push(code);
            }
            if !seen.iter().any(|code| code == "en") {
                cx.error_at(
                    *span,
                    "a localized text must contain `en`: Bitrix24 shows it to every language the map lacks",
                );
            }
        }
    }
}

/// The server refuses ids outside `^[A-Za-z][A-Za-z0-9_]*$` (`Wrong property key`).
fn check_id_syntax(cx: &Ctxt, cont: &Container) {
    for field in cont.properties() {
        let valid = field.id.starts_with(|c: char| c.is_ascii_alphabetic())
            && field.id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !valid {
            cx.error_at(
                field.id_span,
                format!("invalid property id {:?}: start with a letter and use only A-Z, a-z, 0-9 and `_`", field.id),
            );
        }
    }
}

/// A property with a reserved id is silently skipped by the server.
fn check_reserved_ids(cx: &Ctxt, cont: &Container) {
    for field in cont.properties() {
        let reserved = RESERVED_IDS.iter().find(|id| id.eq_ignore_ascii_case(&field.id));
        if let Some(reserved) = reserved {
            let spelled = if *reserved == field.id { String::new() } else { format!(" (as `{reserved}`)") };
            cx.error_at(
                field.id_span,
                format!(
                    "property id {:?} is reserved by Bitrix24{spelled}, which silently skips it: use #[bizproc(rename = \"...\")]",
                    field.id
                ),
            );
        }
    }
}

/// The server matches ids ignoring case, so such ids collide.
fn check_ids_unique_ignoring_case(cx: &Ctxt, cont: &Container) {
    let fields: Vec<_> = cont.properties().collect();
    for (i, field) in fields.iter().enumerate() {
        if let Some(first) = fields[..i].iter().find(|other| other.id.eq_ignore_ascii_case(&field.id)) {
            cx.error_at(
                field.id_span,
                format!("property id {:?} repeats {:?}: Bitrix24 matches ids ignoring case", field.id, first.id),
            );
        }
    }
}

/// An unknown `Type` is stored as given and breaks the robot in the designer.
fn check_type_overrides(cx: &Ctxt, cont: &Container) {
    for lit in cont.fields().iter().filter_map(|f| f.attrs.type_override.as_ref()) {
        let name = lit.value();
        let known = TYPE_NAMES.contains(&name.as_str()) || (name.contains(':') && !name.trim().is_empty());
        if !known {
            cx.error_spanned_by(
                lit,
                format!(
                    "unknown property type {name:?}: expected one of {}, or a document type such as \"UF:address\"",
                    TYPE_NAMES.join(", ")
                ),
            );
        }
    }
}

/// Defaults are literals so that the compiler can check them against the field's type.
fn check_default_literals(cx: &Ctxt, cont: &Container) {
    for expr in cont.fields().iter().filter_map(|f| f.attrs.default.as_ref()) {
        let ok = match expr {
            Expr::Array(array) => array.elems.iter().all(is_literal),
            other => is_literal(other),
        };
        if !ok {
            cx.error_spanned_by(
                expr,
                "expected `default` to be a literal, such as `default = 100000.0`, `default = \"deny\"` or `default = [\"a\", \"b\"]`",
            );
        }
    }
}

fn is_literal(expr: &Expr) -> bool {
    match expr {
        Expr::Lit(lit) => matches!(lit.lit, Lit::Str(_) | Lit::Int(_) | Lit::Float(_) | Lit::Bool(_)),
        Expr::Unary(unary) => {
            matches!(unary.op, UnOp::Neg(_))
                && matches!(&*unary.expr, Expr::Lit(lit) if matches!(lit.lit, Lit::Int(_) | Lit::Float(_)))
        }
        Expr::Group(group) => is_literal(&group.expr),
        _ => false,
    }
}

/// Option keys are the stored values: two equal keys make two options one.
fn check_option_keys_unique(cx: &Ctxt, cont: &Container) {
    let variants = cont.variants();
    for (i, variant) in variants.iter().enumerate() {
        if let Some(first) = variants[..i].iter().find(|other| other.key == variant.key) {
            cx.error_at(
                variant.key_span,
                format!("duplicate option key {:?}, also the key of `{}`", variant.key, first.ident),
            );
        }
    }
}

/// An option with an empty label cannot be picked in the designer.
fn check_option_labels(cx: &Ctxt, cont: &Container) {
    for label in cont.variants().iter().filter_map(|v| v.attrs.label.as_ref()) {
        if label.value().trim().is_empty() {
            cx.error_spanned_by(label, "empty option label: people pick options by their labels");
        }
    }
}
