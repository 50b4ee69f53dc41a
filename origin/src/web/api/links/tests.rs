use super::*;

fn read(body: &str) -> Result<NewLink, ApiError> {
    read_new_link(&Params::parse(body.as_bytes(), FIELDS)?, "en", 1_000_000)
}

fn param_of(body: &str) -> (String, &'static str) {
    let e = read(body).err().expect("an error");
    (e.param.unwrap_or_default(), e.code)
}

#[test]
fn accepts_a_minimal_link_with_defaults() {
    let l = read(r#"{"amount":1500,"currency":"JPY","title":"Tea"}"#).expect("valid");
    assert_eq!(l.amount.fixed().map(|m| m.minor()), Some(1500));
    assert_eq!(l.usage, Usage::SingleUse);
    assert_eq!(l.expires_at, 1_000_000 + DEFAULT_TTL_SECS);
    assert_eq!(l.locale, Locale::En);
}

#[test]
fn each_bad_field_is_named() {
    let cases = [
        (
            r#"{"currency":"JPY","title":"T"}"#,
            "amount",
            "parameter_missing",
        ),
        (
            r#"{"amount":0,"currency":"JPY","title":"T"}"#,
            "amount",
            "amount_invalid",
        ),
        (
            r#"{"amount":-5,"currency":"JPY","title":"T"}"#,
            "amount",
            "amount_invalid",
        ),
        (
            r#"{"amount":100000000,"currency":"JPY","title":"T"}"#,
            "amount",
            "amount_invalid",
        ),
        (
            r#"{"amount":1.5,"currency":"USD","title":"T"}"#,
            "amount",
            "parameter_invalid",
        ),
        (
            r#"{"amount":100,"currency":"XXX","title":"T"}"#,
            "currency",
            "currency_unsupported",
        ),
        (
            r#"{"amount":100,"title":"T"}"#,
            "currency",
            "parameter_missing",
        ),
        (
            r#"{"amount":100,"currency":"JPY"}"#,
            "title",
            "parameter_missing",
        ),
        (
            r#"{"amount":100,"currency":"JPY","title":"  "}"#,
            "title",
            "parameter_invalid",
        ),
        (
            r#"{"amount":100,"currency":"JPY","title":"T","expires_at":999999}"#,
            "expires_at",
            "parameter_invalid",
        ),
        (
            r#"{"amount":100,"currency":"JPY","title":"T","locale":"fr"}"#,
            "locale",
            "parameter_invalid",
        ),
        (
            r#"{"amount":100,"currency":"JPY","title":"T","single_use":"yes"}"#,
            "single_use",
            "parameter_invalid",
        ),
        (
            r#"{"amount":100,"currency":"JPY","title":"T","colour":"red"}"#,
            "colour",
            "parameter_unknown",
        ),
    ];
    for (body, param, code) in cases {
        assert_eq!(param_of(body), (param.to_owned(), code), "{body}");
    }
    let long = format!(
        r#"{{"amount":100,"currency":"JPY","title":"{}"}}"#,
        "x".repeat(101)
    );
    assert_eq!(param_of(&long).0, "title");
}
