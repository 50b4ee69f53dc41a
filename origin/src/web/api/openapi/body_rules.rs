//! The rules of request bodies, written into the document from the constants and patterns
//! the handlers check them with: each field's form, the rules between fields a schema can
//! say, and which operations answer 422 (rules it cannot say) or 404 for a field's id.

use super::param_rules::{any_case, currency};
use linkpay_shared::Currency;
use serde_json::{Value, json};

/// One line of text: no control characters (newlines included) and not blank, at most `max`
/// characters: what `links::text` and its kin accept.
fn line(max: usize) -> Value {
    json!({"minLength": 1, "maxLength": max, "pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$"})
}

/// As [`line`], or empty, which means not given.
fn optional_line(max: usize) -> Value {
    let l = line(max);
    let pattern = l["pattern"].as_str().unwrap_or_default();
    json!({"maxLength": max, "pattern": format!("^$|{pattern}")})
}

/// An email address as `base::email_address` takes it, or blank (not given).
fn email_or_blank(symbols: &str) -> Value {
    let shape = crate::base::email_address::shape_pattern(symbols);
    json!({"pattern": format!("^\\s*$|{shape}")})
}

/// An E.164 number as `notifications::phone::parse_e164` takes it: `+`, a country code not
/// starting with 0, 8 to 15 digits in all, with spaces, hyphens, dots and parentheses
/// anywhere; or blank.
fn phone_or_blank() -> Value {
    let sep = "[ ().\\u3000-]*";
    json!({"pattern": format!("^\\s*$|^{sep}\\+{sep}[1-9](?:{sep}[0-9]){{7,14}}{sep}$")})
}

/// Merges `keywords` into the schema of `schema.property`.
fn field(schemas: &mut Value, schema: &str, property: &str, keywords: Value) {
    let p = &mut schemas[schema]["properties"][property];
    assert!(p.is_object(), "{schema}.{property} is in the document");
    for (k, v) in keywords.as_object().expect("keywords").clone() {
        p[k] = v;
    }
}

/// The rules of request bodies the handlers check field by field.
pub fn body_fields(schemas: &mut Value) {
    use crate::services::payments::refund::REASONS;
    use linkpay_shared::branding::{Layout, MAX_DISPLAY_NAME_CHARS, MAX_URL_CHARS};
    // More than any charge can hold is never left to capture or refund.
    let top = Currency::ALL
        .iter()
        .map(|c| c.max_minor())
        .max()
        .unwrap_or(i64::MAX);
    field(
        schemas,
        "CaptureCharge",
        "amount",
        json!({"minimum": 1, "maximum": top}),
    );
    field(
        schemas,
        "RefundCharge",
        "amount",
        json!({"minimum": 1, "maximum": top}),
    );
    let mut reasons: Vec<Value> = REASONS.iter().map(|r| (*r).into()).collect();
    reasons.push(Value::Null);
    field(schemas, "RefundCharge", "reason", json!({"enum": reasons}));
    field(
        schemas,
        "Deactivate",
        "message",
        optional_line(crate::domain::links::MAX_DEACTIVATION_MESSAGE_CHARS),
    );
    field(
        schemas,
        "SendLink",
        "channel",
        json!({"enum": ["email", "sms"]}),
    );
    field(
        schemas,
        "Resend",
        "endpoint",
        json!({"pattern": "^we_[A-Za-z0-9]+$", "maxLength": 64}),
    );
    field(
        schemas,
        "RotateSecret",
        "expire_previous_in",
        json!({"minimum": 0, "maximum": crate::domain::webhooks::endpoints::MAX_ROTATION_OVERLAP_SECS}),
    );
    // Branding: a text field may be blank (it clears the setting); values are trimmed first.
    let trimmed = |inner: &str| format!("^\\s*(?:{inner})?\\s*$");
    // As linkpay_shared::branding::check_https_url takes them: characters that need no
    // escaping in an HTML attribute or a CSP source.
    let https = "https://[A-Za-z0-9][A-Za-z0-9.-]{0,252}(?::[0-9]{0,5})?(?:[/?][A-Za-z0-9._~/%?=&+,;:@!*()-]*)?";
    for colour in ["primary_color", "background_color", "text_color"] {
        field(
            schemas,
            "UpdateBranding",
            colour,
            json!({"pattern": trimmed("#[0-9a-fA-F]{6}")}),
        );
    }
    for url in ["logo_url", "support_url"] {
        field(
            schemas,
            "UpdateBranding",
            url,
            json!({"pattern": trimmed(https), "maxLength": MAX_URL_CHARS}),
        );
    }
    field(
        schemas,
        "UpdateBranding",
        "support_phone",
        json!({"pattern": trimmed("\\+[0-9]{8,15}")}),
    );
    field(
        schemas,
        "UpdateBranding",
        "display_name",
        json!({"pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f]*$", "maxLength": MAX_DISPLAY_NAME_CHARS}),
    );
    let layouts: Vec<Value> = Layout::ALL
        .iter()
        .map(|l| l.as_str().into())
        .chain([Value::Null])
        .collect();
    field(
        schemas,
        "UpdateBranding",
        "layout",
        json!({"enum": layouts}),
    );
    field(
        schemas,
        "UpdateBranding",
        "default_locale",
        json!({"enum": ["en", "ja", null]}),
    );
    use crate::base::email_address::ATEXT_SYMBOLS;
    let branding_symbols: String = ATEXT_SYMBOLS.chars().filter(|c| *c != '\'').collect();
    field(
        schemas,
        "UpdateBranding",
        "support_email",
        email_or_blank(&branding_symbols),
    );
    field(
        schemas,
        "MerchantNoticeSetting",
        "email",
        email_or_blank(ATEXT_SYMBOLS),
    );
    // `to` is an address or a number, by channel.
    schemas["SendLink"]["allOf"] = json!([
        {"if": {"properties": {"channel": {"const": "email"}}},
         "then": {"properties": {"to": email_or_blank(ATEXT_SYMBOLS)}}},
        {"if": {"properties": {"channel": {"const": "sms"}}},
         "then": {"properties": {"to": phone_or_blank()}}}
    ]);
    let wallet_providers: Vec<Value> = ["sandbox", "linepay"].iter().map(|p| (*p).into()).collect();
    field(
        schemas,
        "WalletSetting",
        "provider",
        json!({"enum": wallet_providers}),
    );
    for s in ["SaveNotificationTemplate", "PreviewNotificationTemplate"] {
        field(schemas, s, "locale", json!({"enum": ["ja", "en", null]}));
    }
    for s in ["CreateWebhookEndpoint", "UpdateWebhookEndpoint"] {
        field(schemas, s, "enabled_events", json!({"minItems": 1}));
    }
    use crate::base::url::shape;
    let return_url = json!({"pattern": shape::return_url(),
        "maxLength": crate::domain::return_urls::MAX_URL_LEN});
    field(schemas, "CreateReturnUrl", "url", return_url);
    field(
        schemas,
        "CreateReturnUrl",
        "method",
        json!({"enum": ["get", "post", null]}),
    );
    for s in ["CreateWebhookEndpoint", "UpdateWebhookEndpoint"] {
        field(
            schemas,
            s,
            "url",
            json!({"pattern": shape::webhook_url(), "maxLength": 2048}),
        );
    }
    provider_accounts(schemas);
    create_link(schemas);
    for update in ["UpdateNotificationSettings", "UpdatePaymentMethodSettings"] {
        loosen_nested(schemas, update);
    }
}

/// An update's nested objects as the handlers read them: every field may be left out or null
/// (null is "not given"). The answers' schemas, which the updates share, stay as they are: the
/// update gets its own copy of each, named `…Change`.
fn loosen_nested(schemas: &mut Value, update: &str) {
    let names: Vec<(String, String)> = schemas[update]["properties"]
        .as_object()
        .map(|props| {
            props
                .iter()
                .filter_map(|(field, p)| {
                    let r = p["$ref"].as_str().or_else(|| {
                        p["oneOf"]
                            .as_array()?
                            .iter()
                            .find_map(|a| a["$ref"].as_str())
                    })?;
                    Some((field.clone(), r.rsplit('/').next()?.to_owned()))
                })
                .collect()
        })
        .unwrap_or_default();
    for (field_name, shared) in names {
        let change = format!("{shared}Change");
        let mut copy = schemas[&shared].clone();
        if let Some(obj) = copy.as_object_mut() {
            obj.remove("required");
            obj.insert("additionalProperties".into(), Value::Bool(false));
        }
        if let Some(props) = copy["properties"].as_object_mut() {
            for p in props.values_mut() {
                if let Some(t) = p["type"].as_str().map(str::to_owned) {
                    p["type"] = json!([t, "null"]);
                }
                if let Some(list) = p.get_mut("enum").and_then(Value::as_array_mut)
                    && !list.contains(&Value::Null)
                {
                    list.push(Value::Null);
                }
            }
        }
        schemas[&change] = copy;
        schemas[update]["properties"][&field_name] = json!({"oneOf": [
            {"type": "null"}, {"$ref": format!("#/components/schemas/{change}")}
        ]});
    }
}

/// `/v1/provider_accounts`: which provider, the credentials each takes and their forms, and
/// the one payment method each serves.
fn provider_accounts(schemas: &mut Value) {
    use crate::domain::provider_accounts::{PROVIDERS, method_of};
    use crate::web::api::provider_credentials::fields;
    field(
        schemas,
        "CreateProviderAccount",
        "provider",
        json!({"enum": PROVIDERS}),
    );
    let non_blank = json!({"type": "string", "pattern": "\\S"});
    let forms = [
        (
            "secret_key",
            json!({"type": "string", "pattern": "^[sr]k_(?:test|live)_[A-Za-z0-9_]+$"}),
        ),
        (
            "webhook_secret",
            json!({"type": "string", "pattern": crate::providers::stripe::WEBHOOK_SECRET_PATTERN}),
        ),
        (
            "shop_id",
            json!({"type": "string", "pattern": "^[A-Za-z0-9]{1,13}$"}),
        ),
        ("shop_pass", non_blank.clone()),
        ("config_id", non_blank.clone()),
        (
            "channel_id",
            json!({"type": "string", "pattern": "^[0-9]{1,20}$"}),
        ),
        ("channel_secret", non_blank),
    ];
    for (name, form) in &forms {
        field(schemas, "ProviderCredentials", name, form.clone());
    }
    let mut by_provider = Vec::new();
    for provider in PROVIDERS {
        let allowed = fields(provider);
        // Stripe's webhook secret may follow later; every other field is needed at once.
        let required: Vec<&str> = allowed
            .iter()
            .copied()
            .filter(|f| *f != "webhook_secret")
            .collect();
        let method = method_of(provider).as_str();
        by_provider.push(json!({
            "if": {"required": ["provider"], "properties": {"provider": {"const": provider}}},
            "then": {"properties": {
                "credentials": {"propertyNames": {"enum": allowed}, "required": required},
                "payment_methods": {"items": {"const": method}}
            }}
        }));
    }
    schemas["CreateProviderAccount"]["allOf"] = Value::Array(by_provider);
    for s in ["CreateProviderAccount", "UpdateProviderAccount"] {
        field(
            schemas,
            s,
            "description",
            json!({"maxLength": crate::web::api::provider_accounts::MAX_DESCRIPTION_CHARS,
                   "pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"}),
        );
    }
}

/// `POST /v1/links`: each field's rule, and the rules between fields a schema can say.
fn create_link(schemas: &mut Value) {
    use linkpay_shared::metadata::{MAX_KEY_CHARS, MAX_PAIRS, MAX_VALUE_CHARS};
    use linkpay_shared::token::{
        MAX_DESCRIPTION_CHARS, MAX_FREE_CHARS, MAX_REFERENCE_CHARS, MAX_TITLE_CHARS, MAX_USE_LIMIT,
    };
    let s = "CreateLink";
    field(schemas, s, "currency", currency());
    field(schemas, s, "title", line(MAX_TITLE_CHARS));
    field(
        schemas,
        s,
        "description",
        optional_line(MAX_DESCRIPTION_CHARS),
    );
    field(schemas, s, "reference", optional_line(MAX_REFERENCE_CHARS));
    for f in ["free1", "free2", "free3"] {
        field(schemas, s, f, optional_line(MAX_FREE_CHARS));
    }
    field(
        schemas,
        s,
        "usage_limit",
        json!({"minimum": 2, "maximum": MAX_USE_LIMIT}),
    );
    field(schemas, s, "locale", json!({"enum": ["ja", "en", null]}));
    field(
        schemas,
        s,
        "capture_method",
        json!({"enum": ["automatic", "manual", null]}),
    );
    field(
        schemas,
        s,
        "return_url",
        json!({"pattern": "^ru_[A-Za-z0-9]+$", "maxLength": 64}),
    );
    field(
        schemas,
        s,
        "send",
        json!({"items": {"enum": ["email", "sms"]}}),
    );
    let symbols = crate::base::email_address::ATEXT_SYMBOLS;
    field(schemas, s, "customer_email", email_or_blank(symbols));
    field(schemas, s, "customer_phone", phone_or_blank());
    let name_max = crate::web::api::notifications::MAX_CUSTOMER_NAME_CHARS;
    field(
        schemas,
        s,
        "customer_name",
        json!({"maxLength": name_max,
               "pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f]*$|^\\s*$"}),
    );
    field(
        schemas,
        s,
        "metadata",
        json!({
            "maxProperties": MAX_PAIRS,
            "propertyNames": {"pattern": format!("^[A-Za-z0-9_.-]{{1,{MAX_KEY_CHARS}}}$")},
            "additionalProperties": {"type": "string", "minLength": 1, "maxLength": MAX_VALUE_CHARS,
                                     "pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"}
        }),
    );
    let given =
        |name: &str, schema: Value| json!({"required": [name], "properties": {name: schema}});
    let not_given = |name: &str| json!({"not": given(name, json!({"not": {"type": "null"}}))});
    let mut all_of = vec![
        // amount (a fixed price) or custom_amount (the buyer chooses), exactly one.
        json!({"oneOf": [
            {"allOf": [given("amount", json!({"type": "integer"})), not_given("custom_amount")]},
            {"allOf": [given("custom_amount", json!({"type": "object"})), not_given("amount")]}
        ]}),
        // usage_limit is for multi-use links only.
        json!({"if": given("usage_limit", json!({"type": "integer"})),
               "then": given("single_use", json!({"const": false}))}),
    ];
    // What send names needs its customer field.
    for (channel, customer) in [("email", "customer_email"), ("sms", "customer_phone")] {
        all_of.push(json!({
            "if": given("send", json!({"type": "array", "contains": {"const": channel}})),
            "then": given(customer, json!({"type": "string", "pattern": "\\S"}))
        }));
    }
    // Each currency's largest amount: the largest of all on the field, and one rule per
    // lower maximum for the currencies that have it (few branches keep it generatable).
    let top = Currency::ALL
        .iter()
        .map(|c| c.max_minor())
        .max()
        .unwrap_or(i64::MAX);
    field(schemas, s, "amount", json!({"minimum": 1, "maximum": top}));
    for f in ["minimum", "maximum"] {
        field(
            schemas,
            "CustomAmount",
            f,
            json!({"minimum": 1, "maximum": top}),
        );
    }
    let mut maxima: Vec<i64> = Currency::ALL
        .iter()
        .map(|c| c.max_minor())
        .filter(|m| *m < top)
        .collect();
    maxima.sort_unstable();
    maxima.dedup();
    for max in maxima {
        let codes: Vec<&str> = Currency::ALL
            .iter()
            .filter(|c| c.max_minor() == max)
            .map(|c| c.code())
            .collect();
        let max = json!({"maximum": max});
        all_of.push(json!({
            "if": {"required": ["currency"], "properties": {"currency": {"pattern": any_case(&codes)}}},
            "then": {"properties": {
                "amount": max,
                "custom_amount": {"properties": {"minimum": max, "maximum": max}}
            }}
        }));
    }
    schemas[s]["allOf"] = Value::Array(all_of);
}

/// Operations that refuse, with 422, requests that fit the document: the rules it cannot
/// express, said in the operation's 422 answer.
pub const UNPROCESSABLE: &[(&str, &str)] = &[
    (
        "links_create",
        "`custom_amount[minimum]` above `custom_amount[maximum]`, `expires_at` not in the next 365 days, or an email address with a part too long",
    ),
    ("links_send", "an email address with a part too long"),
    ("branding_update", "a `support_email` with a part too long"),
    (
        "return_urls_create",
        "a `url` with a query parameter of its own that linkpay adds and signs, or a bracketed host that is not an IPv6 address",
    ),
    (
        "webhook_endpoints_create",
        "a `url` whose host is on a private network, or that the URL parser refuses",
    ),
    (
        "webhook_endpoints_update",
        "a `url` whose host is on a private network, or that the URL parser refuses",
    ),
    (
        "charges_list",
        "`amount[gte]` or `amount[lte]` without `currency`",
    ),
    (
        "provider_accounts_create",
        "the provider refused the credentials (`credentials_invalid`, naming the field)",
    ),
    (
        "provider_accounts_update",
        "the provider refused the credentials (`credentials_invalid`, naming the field)",
    ),
    (
        "notification_settings_update",
        "an email address with a part too long",
    ),
    (
        "batches_create",
        "what is wrong in the CSV file: `errors` lists each row and column (`csv_invalid`, `csv_too_many_rows`, `csv_unreadable`)",
    ),
    (
        "notification_templates_save",
        "a template that does not parse (`template_syntax_error`, with line and column), a variable its kind lacks (`template_unknown_variable`), a subject or html part for an SMS template, or a part blank or too long for its kind (`parameter_invalid`: subject 300, text and html 20,000, SMS 1,000 characters)",
    ),
    (
        "notification_templates_preview",
        "a template that does not parse, a variable its kind lacks, a subject or html part for an SMS template, or a part blank or too long for its kind",
    ),
];

/// Operations whose body names another object, answered 404 when it names nothing of yours.
pub const NAMES_BY_FIELD: &[(&str, &str)] =
    &[("links_create", "`return_url` names no return URL of yours")];
