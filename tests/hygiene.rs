//! The derives' generated code names nothing through the prelude: it must compile, without a
//! warning, in a module where `Result`, `Option`, `Some`, `None`, `Ok`, `Err`, `Vec`,
//! `String`, `Default`, `Into` and friends are the user's own items, `str` is a struct, and
//! constants are named like the locals generated code might use.
#![deny(warnings)]

mod shadowed {
    // Type-namespace shadows of prelude types and traits.
    struct Result;
    struct Option;
    struct Vec;
    struct String;
    #[allow(dead_code)]
    struct Box;
    #[allow(dead_code)]
    trait Default {}
    #[allow(dead_code)]
    trait Into {}
    #[allow(dead_code)]
    trait From {}
    #[allow(dead_code)]
    trait Iterator {}
    #[allow(dead_code)]
    trait IntoIterator {}
    #[allow(dead_code)]
    trait ToString {}
    #[allow(dead_code)]
    trait Clone {}
    #[allow(dead_code)]
    trait PartialEq {}

    // A primitive type's name, and lower-case constants named like locals a derive might use.
    #[allow(non_camel_case_types, dead_code)]
    struct str;
    #[allow(non_upper_case_globals, dead_code)]
    const errors: () = ();
    #[allow(non_upper_case_globals, dead_code)]
    const input: () = ();
    #[allow(non_upper_case_globals, dead_code)]
    const locale: () = ();
    #[allow(non_upper_case_globals, dead_code)]
    const values: () = ();
    #[allow(non_upper_case_globals, dead_code)]
    const properties: () = ();
    #[allow(non_upper_case_globals, dead_code)]
    const keys: () = ();
    #[allow(non_upper_case_globals, dead_code)]
    const handler: () = ();
    #[allow(non_upper_case_globals, dead_code)]
    const text: () = ();
    #[allow(non_upper_case_globals, dead_code)]
    const value: () = ();
    #[allow(non_upper_case_globals, dead_code)]
    const key: () = ();

    // Value-namespace shadows of the prelude's variants: a generated `Some(x)` or `Ok(x)`
    // would now call these functions, and a pattern `None` would match this constant.
    #[allow(non_snake_case)]
    fn Some() {}
    #[allow(non_snake_case)]
    fn Ok() {}
    #[allow(non_snake_case)]
    fn Err() {}
    #[allow(non_upper_case_globals)]
    const None: () = ();

    // Make sure the shadows are really in effect here: these names resolve to the items above.
    const _: () = {
        let _: Result = Result;
        let _: Option = Option;
        let _: Vec = Vec;
        let _: String = String;
        let _: fn() = Some;
        let _: fn() = Ok;
        let _: fn() = Err;
        let (): () = None;
    };

    use bizproc::{BizprocProperties, BizprocReturn, BizprocSelect, PortalLocale, PropertyInput, UserId};

    #[derive(BizprocSelect, Debug, PartialEq)]
    #[bizproc(rename_all = "lowercase")]
    enum Decision {
        Approve,
        #[bizproc(rename = "deny", label = "Denied")]
        Reject,
    }

    /// The robot's inputs.
    #[derive(BizprocProperties, Debug, PartialEq)]
    struct Input {
        /// Tax id.
        inn: ::std::string::String,
        #[bizproc(default = "approve")]
        suggestion: Decision,
        #[bizproc(default = "Author;")]
        manager: ::core::option::Option<UserId>,
        #[bizproc(default = ["vip"])]
        tags: ::std::vec::Vec<::std::string::String>,
        #[bizproc(skip)]
        cache: u32,
    }

    /// No inputs at all.
    #[derive(BizprocProperties, Debug, PartialEq)]
    struct NoInput;

    /// Decides on a request.
    #[derive(BizprocReturn)]
    #[bizproc(code = "hygiene", name(en = "Hygiene", ru = "Гигиена"), input = Input)]
    struct Robot {
        #[bizproc(default = "deny")]
        decision: Decision,
        #[bizproc(rename = "reviewerId")]
        reviewer: ::core::option::Option<UserId>,
        notes: ::std::vec::Vec<::std::string::String>,
        #[bizproc(type = "text")]
        comment: ::std::string::String,
        #[bizproc(skip)]
        scratch: u8,
    }

    #[derive(BizprocReturn)]
    #[bizproc(code = "hygiene.empty", name = "Empty", input = NoInput, use_subscription = false)]
    struct EmptyRobot;

    #[test]
    fn derives_work_with_the_prelude_shadowed() {
        use bizproc::BizprocSelect as _;

        let registration = <Robot as BizprocReturn>::registration("https://app.example.com/robot");
        registration.validate().expect("valid registration");
        let payload = registration.robot_add_payload();
        assert_eq!(payload["CODE"], "hygiene");
        assert_eq!(payload["PROPERTIES"]["suggestion"]["Default"], "approve");
        assert_eq!(
            payload["PROPERTIES"]["suggestion"]["Options"],
            serde_json::json!({"approve": "Approve", "deny": "Denied"})
        );
        assert_eq!(payload["PROPERTIES"]["tags"]["Multiple"], "Y");
        assert_eq!(payload["PROPERTIES"]["manager"]["Required"], "N");
        assert_eq!(payload["RETURN_PROPERTIES"]["decision"]["Default"], "deny");
        assert_eq!(payload["RETURN_PROPERTIES"]["comment"]["Type"], "text");
        assert_eq!(Decision::KEYS, ["approve", "deny"]);

        let robot = Robot {
            decision: Decision::Reject,
            reviewer: ::core::option::Option::Some(UserId(7)),
            notes: ::std::vec!["a".into()],
            comment: "done".into(),
            scratch: 1,
        };
        assert_eq!(robot.scratch, 1);
        assert_eq!(
            robot.return_values().into_json(),
            serde_json::json!({
                "decision": "deny",
                "reviewerId": "user_7",
                "notes": ["a"],
                "comment": "done",
            })
        );

        let mut raw = PropertyInput::new();
        raw.insert("inn", "7707083893");
        raw.insert("suggestion", "deny");
        raw.insert("tags", ::std::vec!["vip".to_owned(), "new".to_owned()]);
        let decoded = Input::from_input(&raw, &PortalLocale::default()).expect("valid input");
        assert_eq!(
            decoded,
            Input {
                inn: "7707083893".into(),
                suggestion: Decision::Reject,
                manager: ::core::option::Option::None,
                tags: ::std::vec!["vip".into(), "new".into()],
                cache: 0,
            }
        );
        assert_eq!(decoded.cache, 0);

        let bad = PropertyInput::from_iter([("suggestion", "maybe")]);
        let err = Input::from_input(&bad, &PortalLocale::default()).unwrap_err();
        let failed: ::std::vec::Vec<&::core::primitive::str> =
            err.errors().iter().map(bizproc::PropertyError::property).collect();
        assert_eq!(failed, ["inn", "suggestion"]);

        assert_eq!(
            NoInput::from_input(&PropertyInput::new(), &PortalLocale::default()),
            ::core::result::Result::Ok(NoInput)
        );
        let empty = <EmptyRobot as BizprocReturn>::registration("https://app.example.com/empty");
        assert_eq!(empty.robot_add_payload()["USE_SUBSCRIPTION"], "N");
        assert!(EmptyRobot.return_values().is_empty());
        assert_eq!(<EmptyRobot as BizprocReturn>::CODE, "hygiene.empty");
    }
}
