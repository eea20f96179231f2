//! The derive input as this crate sees it: a robot struct, an input struct or a select enum,
//! with attributes parsed and ids and keys resolved.

use proc_macro2::Span;
use syn::{Data as SynData, DeriveInput, Fields, Ident, Path, Type};

use crate::attr::{Attrs, Place, doc_comment};
use crate::case::readable;
use crate::ctxt::Ctxt;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Derive {
    Return,
    Properties,
    Select,
}

impl Derive {
    pub fn name(self) -> &'static str {
        match self {
            Self::Return => "BizprocReturn",
            Self::Properties => "BizprocProperties",
            Self::Select => "BizprocSelect",
        }
    }
}

pub struct Container<'a> {
    pub ident: &'a Ident,
    pub derive: Derive,
    pub attrs: Attrs,
    pub doc: Option<String>,
    pub data: Data<'a>,
    /// The path of the `bizproc` crate in generated code.
    pub krate: Path,
}

pub enum Data<'a> {
    Struct(Vec<Field<'a>>),
    Enum(Vec<Variant<'a>>),
}

pub struct Field<'a> {
    pub member: &'a Ident,
    pub ty: &'a Type,
    pub attrs: Attrs,
    pub doc: Option<String>,
    /// The property id: `rename`, or the field name under `rename_all`.
    pub id: String,
    pub id_span: Span,
    /// `Name` when no `name` is given: the field name made readable.
    pub readable_name: String,
}

pub struct Variant<'a> {
    pub ident: &'a Ident,
    pub attrs: Attrs,
    /// The option key: `rename`, or the variant name under `rename_all`.
    pub key: String,
    pub key_span: Span,
    /// The option label: `label`, or the variant name.
    pub label: String,
}

impl<'a> Container<'a> {
    /// The model of `input`, or `None` when its shape cannot carry this derive (reported).
    pub fn from_ast(cx: &Ctxt, input: &'a DeriveInput, derive: Derive) -> Option<Self> {
        let place = match derive {
            Derive::Return => Place::ReturnContainer,
            Derive::Properties => Place::PropertiesContainer,
            Derive::Select => Place::SelectContainer,
        };
        let attrs = Attrs::parse(cx, &input.attrs, place);
        if input.generics.lt_token.is_some() || input.generics.where_clause.is_some() {
            cx.error_spanned_by(
                &input.generics,
                format!("#[derive({})] does not support generic types", derive.name()),
            );
        }
        let data = match (&input.data, derive) {
            (SynData::Struct(data), Derive::Return | Derive::Properties) => match &data.fields {
                Fields::Named(fields) => {
                    Data::Struct(fields.named.iter().map(|f| Field::from_ast(cx, f, &attrs)).collect())
                }
                Fields::Unit => Data::Struct(Vec::new()),
                Fields::Unnamed(fields) => {
                    cx.error_spanned_by(fields, shape_error(derive));
                    return None;
                }
            },
            (SynData::Enum(data), Derive::Select) => {
                if data.variants.is_empty() {
                    cx.error_spanned_by(input.ident.clone(), "a select enum needs at least one variant: its options");
                }
                Data::Enum(data.variants.iter().filter_map(|v| Variant::from_ast(cx, v, &attrs)).collect())
            }
            (SynData::Struct(data), _) => {
                cx.error_at(data.struct_token.span, shape_error(derive));
                return None;
            }
            (SynData::Enum(data), _) => {
                cx.error_at(data.enum_token.span, shape_error(derive));
                return None;
            }
            (SynData::Union(data), _) => {
                cx.error_at(data.union_token.span, shape_error(derive));
                return None;
            }
        };
        let krate = attrs.krate.clone().unwrap_or_else(|| syn::parse_quote!(::bizproc));
        Some(Self { ident: &input.ident, derive, doc: doc_comment(&input.attrs), attrs, data, krate })
    }

    pub fn fields(&self) -> &[Field<'a>] {
        match &self.data {
            Data::Struct(fields) => fields,
            Data::Enum(_) => &[],
        }
    }

    pub fn variants(&self) -> &[Variant<'a>] {
        match &self.data {
            Data::Enum(variants) => variants,
            Data::Struct(_) => &[],
        }
    }

    /// Fields that are properties (not `skip`ped).
    pub fn properties(&self) -> impl Iterator<Item = &Field<'a>> {
        self.fields().iter().filter(|field| !field.attrs.skip)
    }
}

fn shape_error(derive: Derive) -> String {
    match derive {
        Derive::Return | Derive::Properties => {
            format!("#[derive({})] is only for structs with named fields (or unit structs)", derive.name())
        }
        Derive::Select => "#[derive(BizprocSelect)] is only for enums of unit variants".to_owned(),
    }
}

impl<'a> Field<'a> {
    fn from_ast(cx: &Ctxt, field: &'a syn::Field, container: &Attrs) -> Self {
        let member = field.ident.as_ref().expect("named fields have names");
        let attrs = Attrs::parse(cx, &field.attrs, Place::Field);
        let name = member.to_string();
        let name = name.strip_prefix("r#").unwrap_or(&name).to_owned();
        let (id, id_span) = match &attrs.rename {
            Some(rename) => (rename.value(), rename.span()),
            None => (container.rename_all.map_or_else(|| name.clone(), |rule| rule.apply(&name)), member.span()),
        };
        Self {
            member,
            ty: &field.ty,
            doc: doc_comment(&field.attrs),
            readable_name: readable(&name),
            attrs,
            id,
            id_span,
        }
    }
}

impl<'a> Variant<'a> {
    fn from_ast(cx: &Ctxt, variant: &'a syn::Variant, container: &Attrs) -> Option<Self> {
        let attrs = Attrs::parse(cx, &variant.attrs, Place::Variant);
        if !matches!(variant.fields, Fields::Unit) {
            cx.error_spanned_by(&variant.fields, "select options are unit variants: remove the fields");
            return None;
        }
        if let Some((_, discriminant)) = &variant.discriminant {
            cx.error_spanned_by(
                discriminant,
                "select options take no discriminant: the key is the variant name or `rename`",
            );
        }
        let name = variant.ident.to_string();
        let (key, key_span) = match &attrs.rename {
            Some(rename) => (rename.value(), rename.span()),
            None => (container.rename_all.map_or_else(|| name.clone(), |rule| rule.apply(&name)), variant.ident.span()),
        };
        let label = attrs.label.as_ref().map_or(name, syn::LitStr::value);
        Some(Self { ident: &variant.ident, attrs, key, key_span, label })
    }
}
