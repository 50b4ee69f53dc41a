use super::*;
use serde_json::json;

fn doc() -> Value {
    document_json().clone()
}

fn properties(doc: &Value, schema: &str) -> Vec<String> {
    let mut names: Vec<String> = doc["components"]["schemas"][schema]["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("schema {schema} has properties"))
        .keys()
        .cloned()
        .collect();
    names.sort();
    names
}

fn sorted(list: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = list.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

#[test]
fn it_is_openapi_3_1_and_describes_every_route() {
    let d = doc();
    assert!(d["openapi"].as_str().expect("version").starts_with("3.1"));
    let paths = d["paths"].as_object().expect("paths");
    for (path, method) in super::super::ROUTES {
        assert!(
            paths
                .get(*path)
                .and_then(|p| p.get(method.to_ascii_lowercase()))
                .is_some(),
            "{method} {path} is not in the OpenAPI document"
        );
    }
}

#[test]
fn request_schemas_list_exactly_the_accepted_fields() {
    let d = doc();
    assert_eq!(
        properties(&d, "CreateLink"),
        sorted(super::super::links::FIELDS)
    );
    assert_eq!(
        properties(&d, "CreateReturnUrl"),
        sorted(super::super::return_urls::FIELDS)
    );
    assert_eq!(
        properties(&d, "CustomAmount"),
        sorted(&["minimum", "maximum"])
    );
    use super::super::provider_accounts as accounts;
    assert_eq!(
        properties(&d, "CreateProviderAccount"),
        sorted(accounts::FIELDS)
    );
    assert_eq!(
        properties(&d, "UpdateProviderAccount"),
        sorted(accounts::UPDATE_FIELDS)
    );
    assert_eq!(
        properties(&d, "ProviderCredentials"),
        sorted(&accounts::credential_fields())
    );
}

#[test]
fn response_schemas_list_exactly_the_returned_fields() {
    let d = doc();
    let link = crate::domain::links::Link {
        id: "lnk_1".into(),
        merchant_id: "mch_1".into(),
        livemode: false,
        currency: "JPY".into(),
        amount: Some(1),
        amount_min: None,
        amount_max: None,
        title: "t".into(),
        description: None,
        reference: None,
        usage_limit: Some(1),
        locale: "en".into(),
        expires_at: 1,
        token: "x".into(),
        status: "active".into(),
        paid_count: 0,
        held_count: 0,
        free1: None,
        free2: None,
        free3: None,
        metadata: "{}".into(),
        short_code: None,
        source: "api".into(),
        deactivation_message: None,
        deactivated_at: None,
        created_at: 1,
        return_url_id: None,
        customer_email: None,
        customer_phone: None,
        customer_name: None,
        capture_method: "automatic".into(),
    };
    let keys = |v: Value| {
        let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(
        properties(&d, "PaymentLink"),
        keys(link.to_json("https://e", 0))
    );
    let charge = crate::domain::charges::Charge {
        id: "ch_1".into(),
        link_id: "lnk_1".into(),
        merchant_id: "mch_1".into(),
        livemode: false,
        amount: 1,
        currency: "JPY".into(),
        status: "pending".into(),
        provider: "sandbox".into(),
        provider_ref: None,
        failure_code: None,
        failure_message: None,
        card_brand: None,
        card_last4: None,
        reference: None,
        free1: None,
        free2: None,
        free3: None,
        metadata: "{}".into(),
        buyer_email: None,
        amount_refunded: 0,
        created_at: 1,
        updated_at: 1,
        payment_method: "card".into(),
        capture_method: "automatic".into(),
        amount_captured: 0,
        amount_refunding: 0,
        capture_before: None,
        provider_account_id: None,
        reserved_until: None,
    };
    assert_eq!(properties(&d, "Charge"), keys(charge.to_json()));
    let ru = crate::domain::return_urls::ReturnUrl {
        id: "ru_1".into(),
        merchant_id: "mch_1".into(),
        livemode: false,
        url: "https://s".into(),
        method: "get".into(),
        description: None,
        sealed_secret: "lps1:m1:sealed".into(),
        created_at: 1,
    };
    assert_eq!(
        properties(&d, "ReturnUrl"),
        keys(ru.to_json(Some("rsec_x")))
    );
    let endpoint = crate::domain::webhooks::endpoints::Endpoint {
        id: "we_1".into(),
        merchant_id: "mch_1".into(),
        livemode: true,
        url: "https://s/hooks".into(),
        sealed_secret: "lps1:m1:sealed".into(),
        enabled: 1,
        enabled_events: r#"["*"]"#.into(),
        description: None,
        disabled_reason: None,
        sealed_previous_secret: None,
        previous_secret_expires_at: None,
        created_at: 1,
    };
    assert_eq!(
        properties(&d, "WebhookEndpoint"),
        keys(endpoint.to_json_with_secret(0, "whsec_x"))
    );
    let event = crate::domain::webhooks::events::Event {
        id: "evt_1".into(),
        merchant_id: "mch_1".into(),
        livemode: true,
        kind: "link.created".into(),
        payload: r#"{"data": {}}"#.into(),
        created_at: 1,
    };
    assert_eq!(properties(&d, "Event"), keys(event.to_json()));
    let account = crate::domain::provider_accounts::ProviderAccount {
        id: "pa_1".into(),
        merchant_id: "mch_1".into(),
        livemode: false,
        provider: "stripe".into(),
        description: None,
        details: "{}".into(),
        sealed_credentials: "lps1:m1:sealed".into(),
        created_at: 1,
    };
    assert_eq!(
        properties(&d, "ProviderAccount"),
        keys(account.to_json(
            &[],
            Some("https://o/providers/stripe/accounts/pa_1/webhooks")
        ))
    );
    let error = json!({"error": {"type": "", "code": "", "message": "", "param": null}});
    assert_eq!(properties(&d, "ErrorDetail"), keys(error["error"].clone()));
}

/// Each operation, as (path, method, operation).
fn operations(d: &Value) -> Vec<(String, String, Value)> {
    let mut ops = Vec::new();
    for (path, item) in d["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            ops.push((path.clone(), method.clone(), op.clone()));
        }
    }
    ops
}

#[test]
fn operation_ids_are_unique_and_named_by_resource() {
    let d = doc();
    let mut seen = std::collections::HashSet::new();
    for (path, method, op) in operations(&d) {
        let id = op["operationId"].as_str().unwrap_or_default();
        assert!(seen.insert(id.to_owned()), "{method} {path}: {id:?} twice");
        let resource = path
            .trim_start_matches("/v1/")
            .split('/')
            .next()
            .expect("a resource");
        assert!(
            id.starts_with(&format!("{resource}_"))
                && id.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
            "{method} {path}: {id:?} is not {resource}_<action>"
        );
    }
    assert_eq!(seen.len(), super::super::ROUTES.len());
}

#[test]
fn every_operation_lists_the_answers_any_operation_can_give() {
    let d = doc();
    for (path, method, op) in operations(&d) {
        let responses = op["responses"].as_object().expect("responses");
        let mut expected = vec!["400", "401", "500"];
        if path.contains('{') {
            expected.push("404");
        }
        if method == "post" {
            expected.push("409");
            let header = op["parameters"]
                .as_array()
                .and_then(|ps| ps.iter().find(|p| p["name"] == "Idempotency-Key"));
            assert!(header.is_some(), "{method} {path} has no Idempotency-Key");
        }
        for status in expected {
            assert_eq!(
                responses[status]["content"]["application/json"]["schema"]["$ref"],
                "#/components/schemas/Error",
                "{method} {path} does not list {status} with the error schema"
            );
        }
    }
}

#[test]
fn request_bodies_refuse_unknown_fields_as_the_handlers_do() {
    let d = doc();
    for name in [
        "CreateLink",
        "CustomAmount",
        "CreateProviderAccount",
        "ProviderCredentials",
        "UpdateBranding",
    ] {
        assert_eq!(
            d["components"]["schemas"][name]["additionalProperties"],
            json!(false),
            "{name}"
        );
    }
    let mut update_branding = super::super::branding::TEXT_FIELDS.to_vec();
    update_branding.extend(["layout", "default_locale"]);
    assert_eq!(properties(&d, "UpdateBranding"), sorted(&update_branding));
}

#[test]
fn webhooks_describe_every_event_type() {
    let d = doc();
    let hooks = d["webhooks"].as_object().expect("webhooks");
    let types = crate::domain::webhooks::endpoints::EVENT_TYPES;
    assert_eq!(hooks.len(), types.len());
    for t in types {
        let body = &hooks[*t]["post"]["requestBody"]["content"]["application/json"]["schema"];
        assert_eq!(body["allOf"][1]["properties"]["type"]["const"], *t);
    }
    assert_eq!(
        d["components"]["schemas"]["Event"]["properties"]["type"]["enum"],
        json!(types)
    );
}

#[test]
fn every_request_body_has_an_example() {
    let d = doc();
    let mut bodies = 0;
    for (path, method, op) in operations(&d) {
        for (media, content) in op["requestBody"]["content"]
            .as_object()
            .into_iter()
            .flatten()
        {
            bodies += 1;
            assert!(
                !content["example"].is_null(),
                "{method} {path} ({media}) has no example"
            );
        }
    }
    assert!(bodies >= 18, "only {bodies} request bodies seen");
}

/// The links of the answer `status` of the operation `id`: target operation → its `id`.
fn links_of(d: &Value, id: &str, status: &str) -> std::collections::BTreeMap<String, String> {
    let (_, _, op) = operations(d)
        .into_iter()
        .find(|(_, _, op)| op["operationId"] == id)
        .unwrap_or_else(|| panic!("{id} is in the document"));
    op["responses"][status]["links"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, link)| {
            assert_eq!(link["operationId"], *name);
            let param = link["parameters"]["id"].as_str().unwrap_or_default();
            (name.clone(), param.to_owned())
        })
        .collect()
}

#[test]
fn answers_link_to_the_operations_on_the_object_they_hold() {
    let d = doc();
    let created = links_of(&d, "links_create", "201");
    for target in [
        "links_retrieve",
        "links_send",
        "links_deactivate",
        "links_charges_list",
    ] {
        assert_eq!(
            created[target], "$response.body#/id",
            "links_create → {target}"
        );
    }
    assert!(!created.contains_key("charges_capture"));
    let charges = links_of(&d, "charges_list", "200");
    for target in [
        "charges_retrieve",
        "charges_capture",
        "charges_refund",
        "charges_void",
    ] {
        assert_eq!(
            charges[target], "$response.body#/data/0/id",
            "charges_list → {target}"
        );
    }
    // A link's charges are charges too; a captured charge can be refunded.
    assert_eq!(
        links_of(&d, "links_charges_list", "200")["charges_refund"],
        "$response.body#/data/0/id"
    );
    assert_eq!(
        links_of(&d, "charges_capture", "200")["charges_refund"],
        "$response.body#/id"
    );
    // An operation does not link to itself.
    assert!(!links_of(&d, "links_retrieve", "200").contains_key("links_retrieve"));
}
