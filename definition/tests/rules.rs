//! Every rule of the format, each with the location and message it reports, and the payloads
//! of the documented examples.

use bizproc_definition::{Definition, Kind, Localized, PayloadError, RESERVED_IDS};
use serde_json::{Value, json};

const HANDLER: &str = "https://app.example.com/robots/a";

/// The problems of `yaml` as `line:column: message`.
#[track_caller]
fn problems(yaml: &str) -> Vec<String> {
    match Definition::from_str(yaml, "t.yaml") {
        Ok(_) => panic!("expected problems in:\n{yaml}"),
        Err(err) => err
            .iter()
            .map(|p| {
                assert_eq!(p.file(), "t.yaml");
                let at = p.location().expect("every parser problem has a location");
                format!("{at}: {}", p.message())
            })
            .collect(),
    }
}

/// The one problem of `yaml`.
#[track_caller]
fn problem(yaml: &str) -> String {
    let all = problems(yaml);
    assert_eq!(all.len(), 1, "expected one problem, got {all:#?}");
    all.into_iter().next().unwrap()
}

#[track_caller]
fn ok(yaml: &str) -> Definition {
    Definition::from_str(yaml, "t.yaml").unwrap_or_else(|err| panic!("{err}\nin:\n{yaml}"))
}

/// A robot with this `PROPERTIES` block (indented by two spaces).
fn with_properties(block: &str) -> String {
    format!("CODE: a\nNAME: A\nPROPERTIES:\n{block}")
}

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

// ---------------------------------------------------------------------------------------------
// YAML
// ---------------------------------------------------------------------------------------------

#[test]
fn yaml_syntax_errors_have_a_line_and_column() {
    assert_eq!(
        problem("CODE: a\nNAME: {en: A\nPROPERTIES: {}\n"),
        "3:11: YAML syntax error: while parsing a flow mapping, did not find expected ',' or '}'"
    );
    let tab = problem("CODE: a\nNAME: A\nPROPERTIES:\n\tinn: {}\n");
    assert!(tab.starts_with("4:2: YAML syntax error: tabs disallowed"), "{tab}");
    let err = Definition::from_str(&fixture("broken_syntax.yaml"), "robots/broken_syntax.yaml").unwrap_err();
    assert_eq!(err.len(), 1);
    assert!(err.to_string().starts_with("robots/broken_syntax.yaml:4:11: YAML syntax error: "), "{err}");
}

#[test]
fn yaml_features_definitions_do_not_use_are_errors() {
    assert_eq!(problem("CODE: a\nCODE: b\nNAME: A\n"), "2:1: duplicate key `CODE` (first at 1:1)");
    assert_eq!(problem("CODE: &c a\nNAME: A\n"), "1:10: YAML anchors and aliases are not supported in definitions");
    assert_eq!(problem("CODE: !str a\nNAME: A\n"), "1:12: YAML tags (`!name`) are not supported in definitions");
    assert!(problem("CODE: *nothing\nNAME: A\n").starts_with("1:7: YAML syntax error: "));
    assert_eq!(
        problem("[CODE, NAME]\n"),
        "1:1: a definition must be a YAML mapping of keys such as CODE, NAME and PROPERTIES"
    );
    assert_eq!(
        problem("just text\n"),
        "1:1: a definition must be a YAML mapping of keys such as CODE, NAME and PROPERTIES"
    );
    assert_eq!(problem("? [a]\n: b\n"), "1:3: a mapping key must be a plain value, not a list or a mapping");
    assert_eq!(
        problem("CODE: a\nNAME: A\n---\nCODE: b\n"),
        "3:1: a definition file holds one YAML document: remove this `---` and what follows, or the `...`"
    );
    assert_eq!(ok("# robot\n---\nCODE: a\nNAME: A\n...\n").code().value, "a");
    assert_eq!(ok("%YAML 1.2\n---\nCODE: a\nNAME: A\n").code().value, "a");
}

#[test]
fn a_default_that_is_not_a_finite_number_is_an_error() {
    assert_eq!(
        problem(&with_properties("  x: {Name: X, Type: double, Default: .inf}\n")),
        "4:39: the Default of property `x` is not a finite number"
    );
}

#[test]
fn an_empty_file_lacks_code_and_name() {
    assert_eq!(problems(""), ["1:1: CODE is missing", "1:1: NAME is missing"]);
    assert_eq!(problems("# nothing\n"), ["1:1: CODE is missing", "1:1: NAME is missing"]);
}

// ---------------------------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------------------------

#[test]
fn unknown_keys_are_errors_with_their_location() {
    assert_eq!(
        problem("CODE: a\nNAME: A\nCOLOR: red\n"),
        "3:1: unknown key `COLOR` at the top level: expected one of kind, CODE, NAME, DESCRIPTION, HANDLER, \
         AUTH_USER_ID, USE_SUBSCRIPTION, PROPERTIES, RETURN_PROPERTIES, DOCUMENT_TYPE, FILTER, USE_PLACEMENT, \
         PLACEMENT_HANDLER"
    );
    assert_eq!(
        problem(&with_properties("  inn:\n    Name: INN\n    Type: string\n    Label: x\n")),
        "7:5: unknown key `Label` in property `inn`: expected one of Name, Description, Type, Required, Multiple, \
         Options, Default"
    );
    assert_eq!(
        problem("CODE: a\nNAME: A\nFILTER: {INCLUDE: [b24], ONLY: [box]}\n"),
        "3:26: unknown key `ONLY` in FILTER: expected one of INCLUDE, EXCLUDE"
    );
}

#[test]
fn keys_are_matched_ignoring_case_but_only_once() {
    let def = ok("Code: a\nname: A\nUse_Subscription: N\nproperties:\n  inn: {NAME: INN, tYpE: string, REQUIRED: Y}\n");
    assert_eq!(def.code().value, "a");
    assert!(!def.use_subscription().value);
    assert!(def.properties()[0].required().value);
    assert_eq!(
        problem("CODE: a\ncode: b\nNAME: A\n"),
        "2:1: key `code` repeats `CODE` (at 1:1): keys are matched ignoring case"
    );
    assert_eq!(
        problem(&with_properties("  inn: {Name: INN, NAME: Inn, Type: string}\n")),
        "4:20: key `NAME` repeats `Name` (at 4:9): keys are matched ignoring case"
    );
}

#[test]
fn the_auth_of_a_pasted_call_is_ignored() {
    let def = ok("CODE: a\nNAME: A\nauth: '**put_access_token_here**'\n");
    let payload = def.add_payload(Some(HANDLER)).unwrap();
    assert!(payload.get("auth").is_none() && payload.get("AUTH").is_none());
}

// ---------------------------------------------------------------------------------------------
// CODE, NAME, kind
// ---------------------------------------------------------------------------------------------

#[test]
fn code_is_required_and_checked() {
    assert_eq!(problem("NAME: A\n"), "1:1: CODE is missing");
    assert_eq!(problem("CODE:\nNAME: A\n"), "1:1: CODE is empty");
    assert_eq!(problem("CODE: ''\nNAME: A\n"), "1:7: CODE is empty");
    assert_eq!(problem("CODE: a\nNAME: A\nHANDLER: ''\n"), "3:10: HANDLER is empty");
    assert_eq!(
        problem("CODE: credit check\nNAME: A\n"),
        "1:7: CODE `credit check` must be 1 to 128 characters of A-Z, a-z, 0-9, `.`, `_`, `-`"
    );
    assert_eq!(
        problem(&format!("CODE: {}\nNAME: A\n", "a".repeat(129))),
        format!("1:7: CODE `{}…` must be 1 to 128 characters of A-Z, a-z, 0-9, `.`, `_`, `-`", "a".repeat(80))
    );
    assert_eq!(ok(&format!("CODE: {}\nNAME: A\n", "a".repeat(128))).code().len(), 128);
    assert_eq!(ok("CODE: A.b-c_9\nNAME: A\n").code().value, "A.b-c_9");
    assert_eq!(problem("CODE: [a]\nNAME: A\n"), "1:7: CODE must be a text, not a list or a mapping");
}

#[test]
fn name_is_required_and_never_empty() {
    assert_eq!(problem("CODE: a\n"), "1:1: NAME is missing");
    assert_eq!(problem("CODE: a\nNAME: ''\n"), "2:7: NAME is empty");
    assert_eq!(problem("CODE: a\nNAME: ' '\n"), "2:7: NAME is empty: Bitrix24 needs a text to show");
    assert_eq!(problem("CODE: a\nNAME: ~\n"), "2:7: NAME is empty");
    assert_eq!(problem("CODE: a\nNAME: {}\n"), "2:7: NAME has no languages: write a text, or `en: …` and more");
    assert_eq!(problem("CODE: a\nNAME: [A]\n"), "2:7: NAME must be a text, or a mapping of language code to text");
    assert_eq!(
        problem("CODE: a\nDESCRIPTION: ' '\nNAME: A\n"),
        "2:14: DESCRIPTION is empty: Bitrix24 needs a text to show"
    );
}

#[test]
fn language_maps_need_en_and_two_letter_codes() {
    assert_eq!(
        problem("CODE: a\nNAME: {ru: Проверка, de: Prüfung}\n"),
        "2:7: NAME must contain `en`: Bitrix24 shows it to every language the map lacks"
    );
    assert_eq!(
        problem("CODE: a\nNAME: {en: A, eng: B}\n"),
        "2:15: `eng` in NAME is not a two-letter language code, such as `en` or `ru`"
    );
    assert_eq!(
        problem("CODE: a\nNAME: {en: A, EN: B}\n"),
        "2:15: language `EN` in NAME repeats `en` (at 2:8): languages are matched ignoring case"
    );
    assert_eq!(problem("CODE: a\nNAME: {en: A, de: ''}\n"), "2:19: the `de` text of NAME is empty");
    assert_eq!(
        problem("CODE: a\nNAME: {en: A, de: ' '}\n"),
        "2:19: the `de` text of NAME is empty: Bitrix24 needs a text to show"
    );
    assert_eq!(
        problem(&with_properties("  inn: {Name: {de: Steuer}, Type: string}\n")),
        "4:15: the Name of property `inn` must contain `en`: Bitrix24 shows it to every language the map lacks"
    );
    // Codes in either case, written as given; `EN` counts as `en`.
    let def = ok("CODE: a\nNAME: {EN: A, De: B}\n");
    assert_eq!(def.name().value, Localized::ByLanguage(vec![("EN".into(), "A".into()), ("De".into(), "B".into())]));
}

#[test]
fn kind_is_robot_or_activity() {
    assert_eq!(ok("CODE: a\nNAME: A\n").kind(), Kind::Robot);
    assert_eq!(ok("KIND: activity\nCODE: a\nNAME: A\n").kind(), Kind::Activity);
    assert_eq!(problem("kind: bot\nCODE: a\nNAME: A\n"), "1:7: kind `bot` must be `robot` or `activity`");
}

// ---------------------------------------------------------------------------------------------
// Property ids
// ---------------------------------------------------------------------------------------------

#[test]
fn property_ids_start_with_a_letter() {
    assert_eq!(
        problem(&with_properties("  2fa: {Name: A, Type: string}\n")),
        "4:3: property id `2fa` in PROPERTIES must start with a letter and hold only A-Z, a-z, 0-9 and `_`"
    );
    assert_eq!(
        problem("CODE: a\nNAME: A\nRETURN_PROPERTIES:\n  max-limit: {Name: A, Type: string}\n"),
        "4:3: property id `max-limit` in RETURN_PROPERTIES must start with a letter and hold only A-Z, a-z, 0-9 and `_`"
    );
    assert!(ok(&with_properties("  a_1B: {Name: A, Type: string}\n")).property("a_1B").is_some());
}

#[test]
fn every_reserved_id_is_refused_in_any_case() {
    for reserved in RESERVED_IDS {
        for id in [reserved.to_owned(), reserved.to_ascii_lowercase(), reserved.to_ascii_uppercase()] {
            let message = problem(&with_properties(&format!("  {id}: {{Name: A, Type: string}}\n")));
            assert!(message.starts_with(&format!("4:3: property id `{id}` is reserved by Bitrix24")), "{message}");
            if id != reserved {
                assert!(message.contains(&format!("(as `{reserved}`)")), "{message}");
            }
        }
    }
}

#[test]
fn ids_equal_ignoring_case_collide() {
    assert_eq!(
        problem(&with_properties("  inn: {Name: A, Type: string}\n  INN: {Name: B, Type: string}\n")),
        "5:3: property id `INN` repeats `inn` (at 4:3): Bitrix24 matches ids ignoring case"
    );
    assert_eq!(
        problem(
            "CODE: a\nNAME: A\nPROPERTIES:\n  inn: {Name: A, Type: string}\nRETURN_PROPERTIES:\n  Inn: {Name: B, Type: string}\n"
        ),
        "6:3: return property `Inn` has the id of input property `inn` (at 4:3); Bitrix24 silently skips it"
    );
}

// ---------------------------------------------------------------------------------------------
// Descriptors
// ---------------------------------------------------------------------------------------------

#[test]
fn every_property_has_a_name_and_a_type() {
    assert_eq!(problem(&with_properties("  inn: {Type: string}\n")), "4:3: property `inn` has no Name");
    assert_eq!(
        problem(&with_properties("  inn: {Name: '', Type: string}\n")),
        "4:15: the Name of property `inn` is empty"
    );
    assert_eq!(
        problem(&with_properties("  inn: {Name: INN}\n")),
        "4:3: property `inn` has no Type: use one of bool, date, datetime, double, file, int, select, string, text, \
         user, or a document type"
    );
    assert_eq!(
        problem(&with_properties("  inn: string\n")),
        "4:8: property `inn` in PROPERTIES must be a mapping of Name, Type, Required, Multiple, …"
    );
}

#[test]
fn types_are_the_ten_or_a_document_type() {
    for ty in bizproc_definition::BUILT_IN_TYPES {
        let options = if ty == "select" { ", Options: {a: A}" } else { "" };
        let def = ok(&with_properties(&format!("  x: {{Name: X, Type: {ty}{options}}}\n")));
        assert_eq!(def.properties()[0].type_name().value, ty);
        assert!(!def.properties()[0].is_document_type());
    }
    let def = ok(&with_properties("  x: {Name: X, Type: 'UF:address'}\n"));
    assert!(def.properties()[0].is_document_type());
    assert_eq!(
        problem(&with_properties("  x: {Name: X, Type: number}\n")),
        "4:22: unknown Type `number` of property `x`: expected one of bool, date, datetime, double, file, int, \
         select, string, text, user, or a document type such as `UF:address`"
    );
    assert_eq!(
        problem(&with_properties("  x: {Name: X, Type: String}\n")),
        "4:22: unknown Type `String` of property `x`: types are written in lower case, `string`"
    );
    assert!(
        problem(&with_properties("  x: {Name: X, Type: ':address'}\n")).starts_with("4:22: unknown Type `:address`")
    );
}

#[test]
fn flags_are_y_n_or_booleans_and_always_written() {
    let def = ok(&with_properties(
        "  a: {Name: A, Type: int, Required: Y, Multiple: N}\n  b: {Name: B, Type: int, Required: false, Multiple: true}\n  c: {Name: C, Type: int}\n",
    ));
    let payload = def.add_payload(Some(HANDLER)).unwrap();
    let flags =
        |id: &str| (payload["PROPERTIES"][id]["Required"].clone(), payload["PROPERTIES"][id]["Multiple"].clone());
    assert_eq!(flags("a"), (json!("Y"), json!("N")));
    assert_eq!(flags("b"), (json!("N"), json!("Y")));
    assert_eq!(flags("c"), (json!("N"), json!("N")));
    assert_eq!(
        problem(&with_properties("  a: {Name: A, Type: int, Required: yes}\n")),
        "4:37: Required of property `a` must be Y or N (or true or false), found `yes`"
    );
    assert_eq!(
        problem(&with_properties("  a: {Name: A, Type: int, Multiple: 'true'}\n")),
        "4:37: Multiple of property `a` must be Y or N (or true or false), found `true`"
    );
}

#[test]
fn use_subscription_is_y_unless_written_and_always_sent() {
    let payload = |yaml: &str| ok(yaml).add_payload(Some(HANDLER)).unwrap()["USE_SUBSCRIPTION"].clone();
    assert_eq!(payload("CODE: a\nNAME: A\n"), "Y");
    assert_eq!(payload("CODE: a\nNAME: A\nUSE_SUBSCRIPTION: N\n"), "N");
    assert_eq!(payload("CODE: a\nNAME: A\nUSE_SUBSCRIPTION: true\n"), "Y");
    assert_eq!(
        problem("CODE: a\nNAME: A\nUSE_SUBSCRIPTION: ''\n"),
        "3:19: USE_SUBSCRIPTION must be Y or N (or true or false), found an empty value"
    );
}

#[test]
fn select_needs_options_as_a_map_or_pairs() {
    assert_eq!(problem(&with_properties("  f: {Name: F, Type: select}\n")), "4:3: select property `f` needs Options");
    assert_eq!(
        problem(&with_properties("  f: {Name: F, Type: select, Options: {}}\n")),
        "4:39: select property `f` needs at least one option"
    );
    assert_eq!(
        problem(&with_properties("  f: {Name: F, Type: select, Options: []}\n")),
        "4:39: select property `f` needs at least one option"
    );
    let map = ok(&with_properties("  f: {Name: F, Type: select, Options: {pdf: PDF, docx: DOCX}}\n"));
    let pairs = ok(&with_properties("  f: {Name: F, Type: select, Options: [[pdf, PDF], [docx, DOCX]]}\n"));
    assert_eq!(map.add_payload(Some(HANDLER)), pairs.add_payload(Some(HANDLER)));
    assert_eq!(
        map.add_payload(Some(HANDLER)).unwrap()["PROPERTIES"]["f"]["Options"],
        json!({"pdf": "PDF", "docx": "DOCX"})
    );
    assert_eq!(
        problem(&with_properties("  f: {Name: F, Type: select, Options: [[pdf, PDF], [docx]]}\n")),
        "4:52: an option of property `f` must be a [key, label] pair"
    );
    assert_eq!(
        problem(&with_properties("  f: {Name: F, Type: select, Options: pdf}\n")),
        "4:39: the Options of property `f` must be a mapping of key to label, or a list of [key, label] pairs"
    );
    assert_eq!(
        problem(&with_properties("  f: {Name: F, Type: select, Options: [[a, A], [a, B]]}\n")),
        "4:49: option key `a` of property `f` repeats the one at 4:41"
    );
    assert_eq!(
        problem(&with_properties("  f: {Name: F, Type: select, Options: {a: ''}}\n")),
        "4:43: the label of option `a` is empty"
    );
    assert_eq!(
        problem(&with_properties("  f: {Name: F, Type: select, Options: {a: ' '}}\n")),
        "4:43: option `a` of property `f` has an empty label"
    );
    assert_eq!(
        problem(&with_properties("  f: {Name: F, Type: string, Options: {a: A}}\n")),
        "4:39: property `f` has Options, but Options are only for select properties"
    );
    // Option keys keep their case, and numbers are keys as written.
    let def = ok(&with_properties("  f: {Name: F, Type: select, Options: {Approve: Approved, 1: One}}\n"));
    assert_eq!(def.properties()[0].option_keys().collect::<Vec<_>>(), ["Approve", "1"]);
}

#[test]
fn a_select_default_is_an_option_key() {
    let def = ok(&with_properties("  f: {Name: F, Type: select, Options: {pdf: PDF, docx: DOCX}, Default: docx}\n"));
    assert_eq!(def.properties()[0].default().unwrap().value, "docx");
    assert_eq!(
        problem(&with_properties("  f: {Name: F, Type: select, Options: {pdf: PDF}, Default: PDF}\n")),
        "4:60: the Default of property `f` `PDF` is not one of its option keys `pdf`"
    );
    let multiple = "  f: {Name: F, Type: select, Multiple: Y, Options: {a: A, b: B}, Default: [a, c]}\n";
    assert_eq!(
        problem(&with_properties(multiple)),
        "4:75: the Default of property `f` `c` is not one of its option keys `a`, `b`"
    );
}

#[test]
fn defaults_are_checked_against_the_type_and_normalized() {
    let def = ok(&with_properties(
        "  b: {Name: B, Type: bool, Default: true}\n  d: {Name: D, Type: double, Default: 5}\n  i: {Name: I, Type: int, Default: '{=Document:ID}'}\n  u: {Name: U, Type: user, Default: Author;}\n  n: {Name: N, Type: string, Default: null}\n  m: {Name: M, Type: int, Multiple: Y, Default: [1, 2]}\n",
    ));
    let payload = def.add_payload(Some(HANDLER)).unwrap();
    let default = |id: &str| payload["PROPERTIES"][id]["Default"].clone();
    assert_eq!(default("b"), json!("Y"));
    assert_eq!(serde_json::to_string(&default("d")).unwrap(), "5.0");
    assert_eq!(default("i"), json!("{=Document:ID}"));
    assert_eq!(default("u"), json!("Author;"));
    assert_eq!(payload["PROPERTIES"]["n"].get("Default"), Some(&Value::Null));
    assert_eq!(default("m"), json!([1, 2]));
    assert_eq!(
        problem(&with_properties("  i: {Name: I, Type: int, Default: 1.5}\n")),
        "4:36: the Default of property `i` `1.5` is not a whole number"
    );
    assert_eq!(
        problem(&with_properties("  i: {Name: I, Type: int, Default: [1, 2]}\n")),
        "4:36: the Default of property `i` is a list, but the property is not Multiple"
    );
    assert_eq!(
        problem(&with_properties("  i: {Name: I, Type: string, Default: {a: 1}}\n")),
        "4:39: the Default of property `i` must be a value, or a list of values"
    );
}

// ---------------------------------------------------------------------------------------------
// URLs, placement, AUTH_USER_ID, DOCUMENT_TYPE, FILTER
// ---------------------------------------------------------------------------------------------

#[test]
fn handler_urls_follow_the_servers_rules() {
    let with_handler = |url: &str| format!("CODE: a\nNAME: A\nHANDLER: '{url}'\n");
    assert_eq!(
        problem(&with_handler("http://localhost/robot")),
        "3:10: HANDLER `http://localhost/robot` needs a host with a dot (use 127.0.0.1, not localhost)"
    );
    assert_eq!(
        problem(&with_handler("ftp://files.example.com/robot")),
        "3:10: HANDLER `ftp://files.example.com/robot` must use http or https"
    );
    assert_eq!(problem(&with_handler("app.example.com/robot")), "3:10: HANDLER `app.example.com/robot` is not a URL");
    let base = "https://app.example.com/";
    let longest = format!("{base}{}", "a".repeat(1000 - base.len()));
    assert_eq!(ok(&with_handler(&longest)).handler().unwrap().value, longest);
    assert!(problem(&with_handler(&format!("{longest}a"))).ends_with("is longer than 1000 characters"));
    assert_eq!(ok(&with_handler("http://127.0.0.1:8080/robot")).handler().unwrap().location.line, 3);
}

#[test]
fn a_placement_needs_its_handler() {
    assert_eq!(
        problem("CODE: a\nNAME: A\nUSE_PLACEMENT: Y\n"),
        "3:16: USE_PLACEMENT is Y but PLACEMENT_HANDLER is not set"
    );
    assert_eq!(
        problem("CODE: a\nNAME: A\nUSE_PLACEMENT: Y\nPLACEMENT_HANDLER: http://localhost/settings\n"),
        "4:20: PLACEMENT_HANDLER `http://localhost/settings` needs a host with a dot (use 127.0.0.1, not localhost)"
    );
    let def = ok("CODE: a\nNAME: A\nUSE_PLACEMENT: N\nPLACEMENT_HANDLER: https://app.example.com/settings\n");
    let payload = def.add_payload(Some(HANDLER)).unwrap();
    assert!(payload.get("USE_PLACEMENT").is_none(), "USE_PLACEMENT is written only when Y");
    assert_eq!(payload["PLACEMENT_HANDLER"], "https://app.example.com/settings");
}

#[test]
fn auth_user_id_is_a_whole_number() {
    assert_eq!(ok("CODE: a\nNAME: A\nAUTH_USER_ID: 1\n").auth_user_id().unwrap().value, 1);
    assert_eq!(ok("CODE: a\nNAME: A\nAUTH_USER_ID: '12'\n").auth_user_id().unwrap().value, 12);
    for bad in ["-1", "1.5", "admin", "[1]", "4294967296"] {
        assert_eq!(
            problem(&format!("CODE: a\nNAME: A\nAUTH_USER_ID: {bad}\n")),
            "3:15: AUTH_USER_ID must be a user id: a whole number from 0 to 4294967295"
        );
    }
}

#[test]
fn document_types_are_three_texts_and_known_for_activities() {
    let robot = ok("CODE: a\nNAME: A\nDOCUMENT_TYPE: [crm, Anything, AT_ALL]\n");
    assert_eq!(robot.document_type().unwrap().value[1], "Anything");
    assert_eq!(
        problem("CODE: a\nNAME: A\nDOCUMENT_TYPE: [crm, CCrmDocumentDeal]\n"),
        "3:16: DOCUMENT_TYPE must be a list of three texts: [module, entity, type]"
    );
    for known in [
        "[crm, CCrmDocumentDeal, DEAL]",
        "[lists, BizprocDocument, iblock_164]",
        "[crm, 'Bitrix\\Crm\\Integration\\BizProc\\Document\\Dynamic', DYNAMIC_128]",
        "[disk, 'Bitrix\\Disk\\BizProcDocument', STORAGE_3]",
    ] {
        ok(&format!("kind: activity\nCODE: a\nNAME: A\nDOCUMENT_TYPE: {known}\n"));
    }
    let unknown = problem("kind: activity\nCODE: a\nNAME: A\nDOCUMENT_TYPE: [lists, BizprocDocument, iblock_x]\n");
    assert!(
        unknown.starts_with(
            "4:16: DOCUMENT_TYPE [lists, BizprocDocument, iblock_x] is not one the server knows for activities"
        ),
        "{unknown}"
    );
    assert!(ok("CODE: a\nNAME: A\nDOCUMENT_TYPE: []\n").document_type().is_none());
}

#[test]
fn filters_hold_platforms_and_document_types() {
    let def = ok("CODE: a\nNAME: A\nfilter: {include: [b24, [crm], [crm, CCrmDocumentDeal, DEAL]], exclude: [box]}\n");
    assert_eq!(
        def.add_payload(Some(HANDLER)).unwrap()["FILTER"],
        json!({"INCLUDE": ["b24", ["crm"], ["crm", "CCrmDocumentDeal", "DEAL"]], "EXCLUDE": ["box"]})
    );
    assert_eq!(
        problem("CODE: a\nNAME: A\nFILTER: {INCLUDE: [cloud]}\n"),
        "3:20: a FILTER INCLUDE rule must be `b24` (cloud), `box` (on-premise), or a document type list such as [crm, CCrmDocumentDeal]"
    );
    assert_eq!(
        problem("CODE: a\nNAME: A\nFILTER: [b24]\n"),
        "3:9: FILTER must be a mapping with INCLUDE and/or EXCLUDE lists"
    );
    assert_eq!(problem("CODE: a\nNAME: A\nFILTER: {EXCLUDE: box}\n"), "3:19: FILTER EXCLUDE must be a list of rules");
}

#[test]
fn property_sets_the_server_cannot_store_are_errors() {
    let long = "x".repeat(bizproc_definition::STORED_PROPERTIES_LIMIT);
    let message =
        problem(&format!("CODE: a\nNAME: A\nPROPERTIES:\n  c: {{Name: C, Type: text, Description: {long}}}\n"));
    assert!(message.starts_with("3:1: PROPERTIES is 65700 bytes"), "{message}");
    assert!(message.ends_with("bytes as the server stores it; it must stay under 65535"), "{message}");
}

#[test]
fn empty_property_sets_are_no_properties() {
    for empty in ["[]", "{}", "~", ""] {
        let def = ok(&format!("CODE: a\nNAME: A\nPROPERTIES: {empty}\n"));
        assert!(def.properties().is_empty());
        assert!(def.add_payload(Some(HANDLER)).unwrap().get("PROPERTIES").is_none());
    }
    assert_eq!(
        problem("CODE: a\nNAME: A\nPROPERTIES: [inn]\n"),
        "3:13: PROPERTIES must be a mapping of property id to descriptor"
    );
}

// ---------------------------------------------------------------------------------------------
// All at once
// ---------------------------------------------------------------------------------------------

#[test]
fn every_problem_is_reported_in_file_order() {
    let err = Definition::from_str(&fixture("broken_many_mistakes.yaml"), "broken.yaml").unwrap_err();
    let lines: Vec<String> = err.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "broken.yaml:2:7: CODE `credit check` must be 1 to 128 characters of A-Z, a-z, 0-9, `.`, `_`, `-`",
            "broken.yaml:3:7: NAME must contain `en`: Bitrix24 shows it to every language the map lacks",
            "broken.yaml:4:19: USE_SUBSCRIPTION must be Y or N (or true or false), found `maybe`",
            "broken.yaml:5:10: HANDLER `http://localhost/robot` needs a host with a dot (use 127.0.0.1, not localhost)",
            "broken.yaml:7:3: property id `Title` is reserved by Bitrix24, which silently skips such a property",
            "broken.yaml:8:26: unknown Type `number` of property `inn`: expected one of bool, date, datetime, double, \
             file, int, select, string, text, user, or a document type such as `UF:address`",
            "broken.yaml:9:70: the Default of property `decision` `b` is not one of its option keys `a`",
            "broken.yaml:11:3: return property `INN` has the id of input property `inn` (at 8:3); Bitrix24 silently \
             skips it",
            "broken.yaml:12:1: unknown key `COLOR` at the top level: expected one of kind, CODE, NAME, DESCRIPTION, \
             HANDLER, AUTH_USER_ID, USE_SUBSCRIPTION, PROPERTIES, RETURN_PROPERTIES, DOCUMENT_TYPE, FILTER, \
             USE_PLACEMENT, PLACEMENT_HANDLER",
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Payloads
// ---------------------------------------------------------------------------------------------

/// `bitrix24/b24restdocs: api-reference/bizproc/bizproc-activity/bizproc-activity-add.md`, the
/// JSON body of the cURL example, copied exactly from spec §2.
const MD5_ACTION_DOCUMENTED: &str = r#"{"CODE":"md5_action","HANDLER":"https://your_domain/ping.php","AUTH_USER_ID":1,"USE_SUBSCRIPTION":"Y","NAME":{"de":"MD5 Generator","en":"MD5 generator"},"DESCRIPTION":{"de":"Die Aktion gibt den MD5-Hash des Eingabeparameters zurück","en":"Activity returns MD5 hash of input parameter"},"PROPERTIES":{"inputString":{"Name":{"de":"Eingabestring","en":"Input string"},"Description":{"de":"Geben Sie den String ein, den Sie hashen möchten","en":"Input string for hashing"},"Type":"string","Required":"Y","Multiple":"N","Default":"{=Document:NAME}"}},"RETURN_PROPERTIES":{"outputString":{"Name":{"de":"MD5","en":"MD5"},"Type":"string","Multiple":"N","Default":null}},"DOCUMENT_TYPE":["lists","BizprocDocument","iblock_164"],"FILTER":{"INCLUDE":[["lists"]]},"auth":"**put_access_token_here**"}"#;

/// The documented payload as it is replayed (spec §2): no `auth`, a dotted `HANDLER` host.
/// One deliberate difference: `Required` is always written, and the documented
/// `outputString` has none, which the server reads as `N`.
fn md5_action_expected() -> Value {
    let mut expected: Value = serde_json::from_str(MD5_ACTION_DOCUMENTED).unwrap();
    expected.as_object_mut().unwrap().remove("auth");
    expected["HANDLER"] = "https://app.example.com/ping.php".into();
    let output = expected["RETURN_PROPERTIES"]["outputString"].as_object_mut().unwrap();
    assert!(output.get("Required").is_none());
    // Insert `Required` where the runtime writes it: after `Type`, before `Multiple`.
    let entries: Vec<(String, Value)> = std::mem::take(output).into_iter().collect();
    for (key, value) in entries {
        output.insert(key.clone(), value);
        if key == "Type" {
            output.insert("Required".into(), "N".into());
        }
    }
    expected
}

#[test]
fn the_md5_action_example_gives_the_documented_payload() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/robots/md5_action.yaml");
    let def = Definition::from_path(path).unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(def.kind(), Kind::Activity);
    assert_eq!(def.add_method(), "bizproc.activity.add");
    let payload = def.add_payload(None).unwrap();
    // As text, so that key order counts too.
    assert_eq!(serde_json::to_string(&payload).unwrap(), serde_json::to_string(&md5_action_expected()).unwrap());
}

#[test]
fn the_documented_payload_pasted_as_json_is_a_definition() {
    let def = Definition::from_str(&fixture("docs_md5_action_pasted.yaml"), "md5.json").unwrap();
    let payload = def.add_payload(None).unwrap();
    assert_eq!(serde_json::to_string(&payload).unwrap(), serde_json::to_string(&md5_action_expected()).unwrap());
}

#[test]
fn the_documented_robot_example_gives_its_payload() {
    // bitrix24/b24restdocs: api-reference/bizproc/bizproc-robot/bizproc-robot-add.md (spec §2).
    let documented = r#"{"CODE":"test_robot","HANDLER":"https://your_domain/robot.php","AUTH_USER_ID":1,"USE_SUBSCRIPTION":"Y","NAME":"Send Message","PROPERTIES":{"datetime":{"Name":"When","Type":"datetime"},"text":{"Name":"Text","Type":"text"},"user":{"Name":"To","Type":"user","Default":"Author;"}},"FILTER":{"INCLUDE":[["crm","CCrmDocumentDeal"],["crm","CCrmDocumentLead"]]},"auth":"**put_access_token_here**"}"#;
    let mut expected: Value = serde_json::from_str(documented).unwrap();
    expected.as_object_mut().unwrap().remove("auth");
    expected["HANDLER"] = "https://app.example.com/robot.php".into();
    // Required and Multiple are always written; the server reads the missing ones as N.
    for property in expected["PROPERTIES"].as_object_mut().unwrap().values_mut() {
        property["Required"] = "N".into();
        property["Multiple"] = "N".into();
    }
    let def = Definition::from_str(&fixture("docs_test_robot.yaml"), "test_robot.yaml").unwrap();
    assert_eq!(def.add_payload(None).unwrap(), expected);
}

#[test]
fn the_payload_takes_the_given_handler_or_the_definitions_own() {
    let def = ok("CODE: a\nNAME: A\nHANDLER: https://own.example.com/a\n");
    assert_eq!(def.add_payload(None).unwrap()["HANDLER"], "https://own.example.com/a");
    assert_eq!(def.add_payload(Some(HANDLER)).unwrap()["HANDLER"], HANDLER);
    assert_eq!(
        def.add_payload(Some("ftp://files.example.com/a")),
        Err(PayloadError::InvalidHandler { url: "ftp://files.example.com/a".into(), reason: "must use http or https" })
    );
    assert_eq!(ok("CODE: a\nNAME: A\n").add_payload(None), Err(PayloadError::MissingHandler));
}

#[test]
fn every_key_in_any_case_gives_the_canonical_payload() {
    let def = Definition::from_str(&fixture("any_case_keys.yaml"), "any_case_keys.yaml").unwrap();
    let payload = def.add_payload(None).unwrap();
    let expected = json!({
        "CODE": "send.document-v2",
        "HANDLER": "http://127.0.0.1:8080/robots/send",
        "AUTH_USER_ID": 7,
        "USE_SUBSCRIPTION": "N",
        "NAME": {"en": "Send document", "de": "Dokument senden"},
        "DESCRIPTION": "Sends a document to a contact.",
        "PROPERTIES": {
            "docType": {
                "Name": {"de": "Dokumenttyp", "en": "Document type"},
                "Type": "select", "Required": "Y", "Multiple": "N",
                "Options": {"pdf": "PDF", "docx": "DOCX"},
                "Default": "pdf",
            },
            "attachment": {
                "Name": {"de": "Datei", "en": "File"},
                "Description": {"de": "Datei zum Senden", "en": "File to send"},
                "Type": "file", "Required": "N", "Multiple": "Y",
            },
            "address": {"Name": "Address", "Type": "UF:address", "Required": "N", "Multiple": "N"},
            "notify": {"Name": "Notify", "Type": "bool", "Required": "N", "Multiple": "N", "Default": "Y"},
        },
        "RETURN_PROPERTIES": {
            "sentAt": {"Name": "Sent at", "Type": "datetime", "Required": "N", "Multiple": "N"},
        },
        "DOCUMENT_TYPE": ["crm", "CCrmDocumentDeal", "DEAL"],
        "FILTER": {"INCLUDE": ["b24"], "EXCLUDE": [["lists"]]},
        "USE_PLACEMENT": "Y",
        "PLACEMENT_HANDLER": "https://app.example.com/settings/send",
    });
    assert_eq!(serde_json::to_string(&payload).unwrap(), serde_json::to_string(&expected).unwrap());
}

#[test]
fn locations_point_at_what_was_written() {
    let yaml = "\
CODE: a
NAME: A
PROPERTIES:
  format:
    Name: Format
    Type: select
    Required: Y
    Options:
      pdf: PDF
      docx: DOCX
    Default: pdf
";
    let def = ok(yaml);
    let format = &def.properties()[0];
    let at = |l: bizproc_definition::Location| (l.line, l.column);
    assert_eq!(at(format.location()), (4, 3));
    assert_eq!(at(format.id().location), (4, 3));
    assert_eq!(at(format.name().location), (5, 11));
    assert_eq!(at(format.type_name().location), (6, 11));
    assert_eq!(at(format.required().location), (7, 15));
    assert_eq!(at(format.multiple().location), (4, 3), "a flag left out is located at the entry");
    assert_eq!(at(format.options().unwrap().location), (9, 7));
    assert_eq!(at(format.options().unwrap()[1].key().location), (10, 7));
    assert_eq!(at(format.default().unwrap().location), (11, 14));
}

// ---------------------------------------------------------------------------------------------
// Robustness: the macro crate runs this parser inside the compiler
// ---------------------------------------------------------------------------------------------

#[test]
fn no_input_makes_the_parser_panic() {
    let odd = [
        "---\n",
        "...\n",
        "--- a\n",
        "- a\n",
        "a: *b\n",
        "&a a: 1\n",
        "? a\n",
        "? [a]\n",
        "{a: [b, {c: *d}]}\n",
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "%YAML 1.2\n---\nCODE: a\n",
        "CODE: a\n---\nCODE: b\n",
        "'\n",
        "\"\n",
        "[\n",
        "{\n",
        "a: |\n  text\n",
        "a: >-\n  folded\n",
        "\u{feff}CODE: a\n",
        "\t\n",
        ":\n",
        "- - -\n",
    ];
    for yaml in odd {
        let _ = Definition::from_str(yaml, "odd.yaml");
        let _ = bizproc_definition::yaml_to_json(yaml, "odd.yaml");
    }
    let sources = [
        fixture("docs_md5_action_pasted.yaml"),
        fixture("any_case_keys.yaml"),
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/robots/credit_check.yaml")).unwrap(),
    ];
    for source in &sources {
        let boundaries: Vec<usize> = source.char_indices().map(|(i, _)| i).collect();
        for (n, &at) in boundaries.iter().enumerate() {
            // Every prefix, and the text without one character.
            let _ = Definition::from_str(&source[..at], "cut.yaml");
            let next = boundaries.get(n + 1).copied().unwrap_or(source.len());
            let _ = Definition::from_str(&format!("{}{}", &source[..at], &source[next..]), "cut.yaml");
        }
    }
}
