//! Where the buyer goes back to once a charge has settled: the merchant's registered return
//! URL, read from the link's stored return URL and nothing else, with the signed fields.
//! `web::back` sends them there (a `303`, or a page that posts the form by itself).

use super::Method;
use crate::domain::charges::Charge;
use linkpay_shared::redirect::{ResultCode, ReturnFields, ReturnSecret, percent_encode};

/// Where a settled buyer goes, with what.
#[derive(Debug)]
pub struct Back {
    pub url: String,
    pub method: Method,
    /// The signed fields and `signature`.
    pub fields: Vec<(&'static str, String)>,
    pub merchant_name: String,
    /// Whether the page on the way (POST) speaks Japanese.
    pub japanese: bool,
}

/// The signed redirect for a settled `charge` whose link names a return URL that still
/// exists; `None` sends the buyer to the edge's result page as before.
pub async fn for_charge(
    db: &crate::base::db::Db,
    now: i64,
    keys: &crate::base::secrets::MasterKeys,
    charge: &Charge,
) -> Result<Option<Back>, sqlx::Error> {
    let rc = match charge.status.as_str() {
        "succeeded" => ResultCode::Ok,
        "failed" | "expired" => ResultCode::Failed,
        _ => return Ok(None),
    };
    let row: Option<(Option<String>, String, String)> = sqlx::query_as(
        "SELECT l.return_url_id, l.locale, m.name FROM links l JOIN merchants m ON m.id = l.merchant_id WHERE l.id = $1",
    )
    .bind(&charge.link_id)
    .fetch_optional(db.reader())
    .await?;
    let Some((Some(return_url_id), locale, merchant_name)) = row else {
        return Ok(None);
    };
    // The merchant check is belt and braces: links only ever name their merchant's own.
    let Some(target) = super::get(db.reader(), &charge.merchant_id, &return_url_id).await? else {
        return Ok(None);
    };
    let Some(method) = Method::parse(&target.method) else {
        tracing::error!(return_url = %target.id, method = %target.method, "stored return URL has an unknown method");
        return Ok(None);
    };
    let opened = keys.open(&super::place(&target.id), &target.sealed_secret);
    let secret = match opened.as_deref().map(ReturnSecret::parse) {
        Ok(Ok(secret)) => secret,
        Ok(Err(_)) => {
            tracing::error!(return_url = %target.id, "stored return URL secret does not parse");
            return Ok(None);
        }
        Err(e) => {
            tracing::error!(return_url = %target.id, error = %e, "stored return URL secret does not open");
            return Ok(None);
        }
    };
    let fields = signed_fields(charge, rc, &secret, now);
    Ok(Some(Back {
        url: target.url.clone(),
        method,
        fields,
        merchant_name,
        japanese: locale == "ja",
    }))
}

fn signed_fields(
    charge: &Charge,
    rc: ResultCode,
    secret: &ReturnSecret,
    now: i64,
) -> Vec<(&'static str, String)> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    ReturnFields {
        rc,
        reference: text(&charge.reference),
        link_id: charge.link_id.clone(),
        charge_id: charge.id.clone(),
        amount: charge.amount,
        currency: charge.currency.clone(),
        email: text(&charge.buyer_email),
        free: [
            text(&charge.free1),
            text(&charge.free2),
            text(&charge.free3),
        ],
        timestamp: now,
    }
    .signed_pairs(secret)
}

/// The origin of the GET return URL that the buyer of a provider's payment will be redirected
/// to, if their link names one. Browsers check `form-action` on every hop of the redirects
/// after a form is posted, so the provider's card page must allow it (see `page_headers`).
pub async fn redirect_origin(
    db: &crate::base::db::Db,
    provider: &str,
    provider_ref: &str,
) -> Result<Option<String>, sqlx::Error> {
    let url: Option<(String,)> = sqlx::query_as(
        "SELECT r.url FROM charges c
           JOIN links l ON l.id = c.link_id
           JOIN return_urls r ON r.id = l.return_url_id AND r.merchant_id = c.merchant_id
          WHERE c.provider = $1 AND c.provider_ref = $2 AND r.method = 'get'",
    )
    .bind(provider)
    .bind(provider_ref)
    .fetch_optional(db.reader())
    .await?;
    Ok(url.map(|(u,)| crate::base::url::web_origin(&u).to_owned()))
}

/// The registered URL with the fields appended to whatever query it already has.
pub fn with_query(url: &str, fields: &[(&'static str, String)]) -> String {
    let sep = match url.find('?') {
        None => "?",
        Some(_) if url.ends_with(['?', '&']) => "",
        Some(_) => "&",
    };
    let query: Vec<String> = fields
        .iter()
        .map(|(name, value)| format!("{name}={}", percent_encode(value)))
        .collect();
    format!("{url}{sep}{}", query.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_appended_to_the_merchants_own_query() {
        let f = vec![("rc", "0".to_owned()), ("reference", "A&B 1".to_owned())];
        assert_eq!(
            with_query("https://s.example/back", &f),
            "https://s.example/back?rc=0&reference=A%26B%201"
        );
        assert_eq!(
            with_query("https://s.example/back?session=x", &f),
            "https://s.example/back?session=x&rc=0&reference=A%26B%201"
        );
        assert_eq!(
            with_query("https://s.example/back?", &f),
            "https://s.example/back?rc=0&reference=A%26B%201"
        );
    }
}
