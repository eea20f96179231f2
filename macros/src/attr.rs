//! `#[bizproc(...)]` attributes, parsed into values with their spans.

use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned;
use syn::{Attribute, Expr, LitBool, LitStr, Path, Token, Type};

use crate::case::{RULE_NAMES, RenameRule};
use crate::ctxt::Ctxt;
use crate::symbol::{
    BIZPROC, CODE, CRATE, DEFAULT, DEFINITION, DESCRIPTION, INPUT, LABEL, NAME, RENAME, RENAME_ALL, SKIP, TYPE,
    USE_SUBSCRIPTION,
};

/// Where an attribute stands, which decides the words it may use.
#[derive(Clone, Copy)]
pub enum Place {
    ReturnContainer,
    PropertiesContainer,
    SelectContainer,
    Field,
    Variant,
}

impl Place {
    fn words(self) -> &'static [&'static str] {
        match self {
            Self::ReturnContainer => &[CODE, NAME, DESCRIPTION, INPUT, USE_SUBSCRIPTION, RENAME_ALL, CRATE, DEFINITION],
            Self::PropertiesContainer => &[RENAME_ALL, CRATE, DEFINITION],
            Self::SelectContainer => &[RENAME_ALL, CRATE],
            Self::Field => &[RENAME, NAME, DESCRIPTION, DEFAULT, TYPE, SKIP],
            Self::Variant => &[RENAME, LABEL],
        }
    }

    /// The error for a word this place does not take, listing the words it does.
    fn unknown(self, path: &str) -> String {
        let (kind, derive) = match self {
            Self::ReturnContainer => ("container", " for #[derive(BizprocReturn)]"),
            Self::PropertiesContainer => ("container", " for #[derive(BizprocProperties)]"),
            Self::SelectContainer => ("container", " for #[derive(BizprocSelect)]"),
            Self::Field => ("field", ""),
            Self::Variant => ("variant", ""),
        };
        let expected: Vec<String> = self.words().iter().map(|w| format!("`{w}`")).collect();
        format!("unknown bizproc {kind} attribute `{path}`{derive}, expected one of {}", expected.join(", "))
    }
}

/// A name or description: `name = ".."` or `name(en = "..", ru = "..")`.
pub enum Localized {
    Text(LitStr),
    ByLanguage { span: Span, entries: Vec<(syn::Ident, LitStr)> },
}

/// Every value an attribute can carry; which ones are set depends on the [`Place`].
#[derive(Default)]
pub struct Attrs {
    pub code: Option<LitStr>,
    pub name: Option<Localized>,
    pub description: Option<Localized>,
    pub input: Option<Type>,
    pub use_subscription: Option<LitBool>,
    pub rename_all: Option<RenameRule>,
    pub krate: Option<Path>,
    pub rename: Option<LitStr>,
    pub default: Option<Expr>,
    pub type_override: Option<LitStr>,
    pub skip: bool,
    pub label: Option<LitStr>,
    pub definition: Option<LitStr>,
}

impl Attrs {
    pub fn parse(cx: &Ctxt, attrs: &[Attribute], place: Place) -> Self {
        let mut parsed = Self::default();
        let mut seen: Vec<String> = Vec::new();
        for attr in attrs.iter().filter(|attr| attr.path().is_ident(BIZPROC)) {
            if let syn::Meta::Path(_) = attr.meta {
                cx.error_spanned_by(attr, "expected attribute arguments in parentheses: #[bizproc(...)]");
                continue;
            }
            let result = attr.parse_nested_meta(|meta| {
                let word = meta.path.get_ident().map(ToString::to_string).unwrap_or_default();
                if !place.words().contains(&word.as_str()) {
                    let path = meta.path.to_token_stream_string();
                    cx.error_spanned_by(&meta.path, place.unknown(&path));
                    return skip_value(&meta);
                }
                if seen.contains(&word) {
                    cx.error_spanned_by(&meta.path, format!("duplicate bizproc attribute `{word}`"));
                    return skip_value(&meta);
                }
                seen.push(word.clone());
                parsed.set(cx, &word, &meta)
            });
            if let Err(error) = result {
                cx.syn_error(error);
            }
        }
        parsed
    }

    fn set(&mut self, cx: &Ctxt, word: &str, meta: &ParseNestedMeta) -> syn::Result<()> {
        match word {
            CODE => self.code = Some(string(meta, word)?),
            NAME => self.name = Some(localized(meta, word)?),
            DESCRIPTION => self.description = Some(localized(meta, word)?),
            INPUT => self.input = Some(meta.value()?.parse()?),
            USE_SUBSCRIPTION => {
                self.use_subscription = Some(if meta.input.peek(Token![=]) {
                    meta.value()?.parse()?
                } else {
                    LitBool::new(true, meta.path.span())
                });
            }
            RENAME_ALL => {
                let rule = string(meta, word)?;
                match RenameRule::from_name(&rule.value()) {
                    Some(parsed) => self.rename_all = Some(parsed),
                    None => cx.error_spanned_by(
                        &rule,
                        format!("unknown rename rule `rename_all = {:?}`, expected one of {RULE_NAMES}", rule.value()),
                    ),
                }
            }
            CRATE => {
                let path = string(meta, word)?;
                match path.parse::<Path>() {
                    Ok(parsed) => self.krate = Some(parsed),
                    Err(_) => cx.error_spanned_by(&path, format!("`crate = {:?}` is not a path", path.value())),
                }
            }
            RENAME => self.rename = Some(string(meta, word)?),
            DEFAULT => self.default = Some(meta.value()?.parse()?),
            TYPE => self.type_override = Some(string(meta, word)?),
            SKIP => self.skip = true,
            LABEL => self.label = Some(string(meta, word)?),
            DEFINITION => self.definition = Some(string(meta, word)?),
            _ => unreachable!("`{word}` is listed in `Place::words` but has no parser"),
        }
        Ok(())
    }
}

trait PathString {
    fn to_token_stream_string(&self) -> String;
}

impl PathString for Path {
    fn to_token_stream_string(&self) -> String {
        quote::ToTokens::to_token_stream(self).to_string().replace(' ', "")
    }
}

/// Consumes the value of an attribute that is being rejected, so that parsing goes on.
fn skip_value(meta: &ParseNestedMeta) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        meta.value()?.parse::<Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        meta.parse_nested_meta(|inner| skip_value(&inner))?;
    }
    Ok(())
}

fn string(meta: &ParseNestedMeta, word: &str) -> syn::Result<LitStr> {
    let expr: Expr = meta.value()?.parse()?;
    match expr {
        Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(lit), .. }) => Ok(lit),
        other => Err(syn::Error::new_spanned(
            other,
            format!("expected bizproc {word} attribute to be a string: `{word} = \"...\"`"),
        )),
    }
}

fn localized(meta: &ParseNestedMeta, word: &str) -> syn::Result<Localized> {
    if meta.input.peek(syn::token::Paren) {
        let mut entries = Vec::new();
        meta.parse_nested_meta(|inner| {
            let Some(language) = inner.path.get_ident().cloned() else {
                return Err(inner.error("expected a language code, such as `en = \"...\"`"));
            };
            entries.push((language, string(&inner, word)?));
            Ok(())
        })?;
        Ok(Localized::ByLanguage { span: meta.path.span(), entries })
    } else {
        Ok(Localized::Text(
            string(meta, word).map_err(|_| {
                meta.error(format!("expected `{word} = \"...\"` or `{word}(en = \"...\", ru = \"...\")`"))
            })?,
        ))
    }
}

/// The doc comment as Bitrix24 shows it: the lines of a paragraph joined by spaces,
/// paragraphs by a blank line.
pub fn doc_comment(attrs: &[Attribute]) -> Option<String> {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|attr| attr.path().is_ident("doc"))
        .filter_map(|attr| match &attr.meta {
            syn::Meta::NameValue(syn::MetaNameValue {
                value: Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(text), .. }),
                ..
            }) => Some(text.value()),
            _ => None,
        })
        .flat_map(|text| text.lines().map(|line| line.trim().to_owned()).collect::<Vec<_>>())
        .collect();
    let paragraphs: Vec<String> = lines
        .split(String::is_empty)
        .filter(|paragraph| !paragraph.is_empty())
        .map(|paragraph| paragraph.join(" "))
        .collect();
    (!paragraphs.is_empty()).then(|| paragraphs.join("\n\n"))
}
