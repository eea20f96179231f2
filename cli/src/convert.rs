//! A definition as the runtime's `bizproc::Registration`, through its public setters.
//!
//! The result's `robot_add_payload()` is the definition's own `add_payload()`, byte for byte;
//! [`registration`] checks that, so the two cannot drift apart unnoticed.

use bizproc::{DocumentType, Filter, FilterRule, Localized, Options, Properties, Property, PropertyType, Registration};
use bizproc_definition::{Definition, Spanned};

/// The registration of `def` with `handler` as `HANDLER`.
///
/// # Errors
/// A message when the runtime would send other JSON than the definition's payload (a bug).
pub(crate) fn registration(def: &Definition, handler: &str) -> Result<Registration, String> {
    let mut reg = Registration::new(def.code().value.clone(), localized(def.name()), handler)
        .use_subscription(def.use_subscription().value)
        .properties(properties(def.properties()))
        .return_properties(properties(def.return_properties()));
    if let Some(description) = def.description() {
        reg = reg.description(localized(description));
    }
    if let Some(id) = def.auth_user_id() {
        reg = reg.auth_user_id(id.value);
    }
    if let Some(document_type) = def.document_type() {
        let [module, entity, document] = document_type.value.clone();
        reg = reg.document_type(DocumentType::new(module, entity, document));
    }
    if let Some(filter) = def.filter() {
        let mut runtime = Filter::new();
        for rule in filter.included() {
            runtime = runtime.include(filter_rule(rule));
        }
        for rule in filter.excluded() {
            runtime = runtime.exclude(filter_rule(rule));
        }
        reg = reg.filter(runtime);
    }
    reg = reg.use_placement(def.use_placement().value);
    if let Some(url) = def.placement_handler() {
        reg = reg.placement_handler(url.value.clone());
    }
    let expected = def.add_payload(Some(handler)).map_err(|e| format!("{}: {e}", def.file()))?;
    let actual = reg.robot_add_payload();
    if serde_json::to_string(&actual).ok() != serde_json::to_string(&expected).ok() {
        return Err(format!(
            "{}: the runtime's registration differs from the definition's payload (a bug in bizproc-cli)",
            def.file()
        ));
    }
    Ok(reg)
}

fn localized(text: &Spanned<bizproc_definition::Localized>) -> Localized {
    match &text.value {
        bizproc_definition::Localized::Text(text) => Localized::Text(text.clone()),
        bizproc_definition::Localized::ByLanguage(texts) => {
            Localized::by_language(texts.iter().map(|(lang, text)| (lang.as_str(), text.as_str())))
        }
    }
}

fn properties(defined: &[bizproc_definition::Property]) -> Properties {
    defined.iter().map(|p| (p.id().value.clone(), property(p))).collect()
}

fn property(p: &bizproc_definition::Property) -> Property {
    let type_name = p.type_name().value.as_str();
    Property {
        name: localized(p.name()),
        description: p.description().map(localized),
        property_type: PropertyType::from_name(type_name).unwrap_or_else(|| PropertyType::Document(type_name.into())),
        required: p.required().value,
        multiple: p.multiple().value,
        options: p
            .options()
            .map(|options| options.iter().map(|o| (o.key().value.clone(), o.label().to_owned())).collect::<Options>()),
        // Set directly: `Default: null` is kept, as the definition writes it.
        default: p.default().map(|d| d.value.clone()),
    }
}

fn filter_rule(rule: &bizproc_definition::FilterRule) -> FilterRule {
    match rule {
        bizproc_definition::FilterRule::Cloud => FilterRule::Cloud,
        bizproc_definition::FilterRule::OnPremise => FilterRule::OnPremise,
        bizproc_definition::FilterRule::Document(parts) => FilterRule::document(parts.iter().cloned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn examples() -> Vec<Definition> {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        let mut files = Vec::new();
        for dir in ["examples/robots", "definition/tests/fixtures", "cli/tests/fixtures"] {
            let Ok(entries) = std::fs::read_dir(format!("{root}/{dir}")) else { continue };
            for entry in entries {
                let path = entry.unwrap().path();
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                let yaml = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("yaml"));
                if yaml && !name.starts_with("broken_") {
                    files.push(path);
                }
            }
        }
        files.iter().map(|path| Definition::from_path(path).unwrap_or_else(|e| panic!("{e}"))).collect()
    }

    #[test]
    fn every_example_gives_the_same_json_through_the_runtime() {
        let examples = examples();
        assert!(examples.len() >= 4);
        for def in examples {
            let reg = registration(&def, "https://app.example.com/robots/x").unwrap_or_else(|e| panic!("{e}"));
            reg.validate().unwrap_or_else(|e| panic!("{}: {e}", def.file()));
            assert_eq!(reg.code(), def.code().value);
            assert_eq!(reg.waits_for_result(), def.use_subscription().value);
        }
    }
}
