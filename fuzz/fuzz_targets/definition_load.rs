//! Arbitrary UTF-8 as a robot definition: `Definition::from_str` (and the payload of what loads)
//! must answer with problems or a definition, never panic.
#![no_main]

use bizproc_definition::Definition;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(definition) = Definition::from_str(text, "fuzz.yaml") {
        let _ = definition.add_payload(Some("https://app.example.com/robots/fuzz"));
        let _ = definition.add_payload(None);
    }
    let _ = bizproc_definition::yaml_to_json(text, "fuzz.yaml");
});
