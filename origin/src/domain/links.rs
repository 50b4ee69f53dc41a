//! Payment links: what a merchant sells through one URL.

use crate::base::clock::Clock;
use crate::base::db::{Db, Tx};
use crate::base::listing::{Cursor, Page, Scope, SqlValue, Where, page};
use crate::domain::webhooks::outbox;
use linkpay_shared::token::{Amount, LinkClaims};
use linkpay_shared::{Currency, Money};
use serde_json::{Map, Value, json};
use sqlx::{Any, Executor};

/// Links expire after 30 days unless the merchant says otherwise, and within a year at most,
/// so that a key can be retired a year after rotation without breaking a live link.
pub const DEFAULT_TTL_SECS: i64 = 30 * 86_400;
pub const MAX_TTL_SECS: i64 = 365 * 86_400;
/// The longest message a merchant can show buyers of a deactivated link.
pub const MAX_DEACTIVATION_MESSAGE_CHARS: usize = 500;
/// Short codes stay resolvable this long after the link expires, so a late buyer sees
/// "expired" rather than "no such link".
pub const SHORT_CODE_GRACE_SECS: i64 = 30 * 86_400;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Link {
    pub id: String,
    pub merchant_id: String,
    #[sqlx(try_from = "crate::base::db::Flag")]
    pub livemode: bool,
    pub currency: String,
    pub amount: Option<i64>,
    pub amount_min: Option<i64>,
    pub amount_max: Option<i64>,
    pub title: String,
    pub description: Option<String>,
    pub reference: Option<String>,
    pub usage_limit: Option<i64>,
    pub locale: String,
    pub expires_at: i64,
    pub token: String,
    pub status: String,
    pub paid_count: i64,
    /// Uses held by buyers at the provider (limited links): see `services::checkout`.
    pub held_count: i64,
    pub free1: Option<String>,
    pub free2: Option<String>,
    pub free3: Option<String>,
    pub metadata: String,
    pub short_code: Option<String>,
    pub source: String,
    pub deactivation_message: Option<String>,
    pub deactivated_at: Option<i64>,
    pub created_at: i64,
    pub return_url_id: Option<String>,
    pub customer_email: Option<String>,
    pub customer_phone: Option<String>,
    pub customer_name: Option<String>,
    /// `automatic`, or `manual` to authorize at payment and capture by API later.
    pub capture_method: String,
}

pub const COLUMNS: &str = "id, merchant_id, livemode, currency, amount, amount_min, amount_max, \
    title, description, reference, usage_limit, locale, expires_at, token, status, paid_count, held_count, \
    free1, free2, free3, metadata, short_code, source, deactivation_message, deactivated_at, created_at, \
    return_url_id, customer_email, customer_phone, customer_name, capture_method";

impl Link {
    /// Whose data it is, and in which mode.
    pub fn scope(&self) -> Scope<'_> {
        Scope {
            merchant_id: &self.merchant_id,
            livemode: self.livemode,
        }
    }

    /// `expired` is derived from the clock rather than stored, so it is never stale.
    pub fn status_at(&self, now: i64) -> &str {
        if self.status == "active" && now >= self.expires_at {
            "expired"
        } else {
            &self.status
        }
    }

    pub fn single_use(&self) -> bool {
        self.usage_limit == Some(1)
    }

    pub fn url(&self, edge_url: &str) -> String {
        format!("{edge_url}/l/{}", self.token)
    }

    pub fn short_url(&self, edge_url: &str) -> Option<String> {
        self.short_code
            .as_ref()
            .map(|code| format!("{edge_url}/p/{code}"))
    }

    /// The URL to share: the short one where there is one (it fits in an SMS and a small QR).
    pub fn share_url(&self, edge_url: &str) -> String {
        self.short_url(edge_url)
            .unwrap_or_else(|| self.url(edge_url))
    }

    /// The terms as the link's token states them.
    pub fn amount_terms(&self) -> Option<Amount> {
        let currency = Currency::from_code(&self.currency)?;
        match (self.amount, self.amount_min, self.amount_max) {
            (Some(a), _, _) => Money::new(a, currency).ok().map(Amount::Fixed),
            (None, Some(min), Some(max)) => Some(Amount::BuyerChosen { currency, min, max }),
            _ => None,
        }
    }

    pub fn metadata_json(&self) -> Value {
        serde_json::from_str(&self.metadata).unwrap_or_else(|_| Value::Object(Map::new()))
    }

    pub fn to_json(&self, edge_url: &str, now: i64) -> Value {
        let custom_amount = match (self.amount_min, self.amount_max) {
            (Some(min), Some(max)) => json!({"minimum": min, "maximum": max}),
            _ => Value::Null,
        };
        json!({
            "id": self.id,
            "object": "payment_link",
            "url": self.url(edge_url),
            "short_url": self.short_url(edge_url),
            "status": self.status_at(now),
            "amount": self.amount,
            "custom_amount": custom_amount,
            "currency": self.currency,
            "title": self.title,
            "description": self.description,
            "reference": self.reference,
            "single_use": self.single_use(),
            "usage_limit": self.usage_limit,
            "paid_count": self.paid_count,
            "locale": self.locale,
            "expires_at": self.expires_at,
            "free1": self.free1,
            "free2": self.free2,
            "free3": self.free3,
            "metadata": self.metadata_json(),
            "deactivation_message": self.deactivation_message,
            "deactivated_at": self.deactivated_at,
            "source": self.source,
            "return_url": self.return_url_id,
            "capture_method": self.capture_method,
            "customer_email": self.customer_email,
            "customer_phone": self.customer_phone,
            "customer_name": self.customer_name,
            "livemode": self.livemode,
            "created": self.created_at,
        })
    }
}

pub fn metadata_text(pairs: &[(String, String)]) -> String {
    let map: Map<String, Value> = pairs
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    Value::Object(map).to_string()
}

fn amount_columns(amount: &Amount) -> (Option<i64>, Option<i64>, Option<i64>) {
    match *amount {
        Amount::Fixed(m) => (Some(m.minor()), None, None),
        Amount::BuyerChosen { min, max, .. } => (None, Some(min), Some(max)),
    }
}

/// A link's row as stored, for [`insert`].
pub struct InsertLink<'a> {
    pub claims: &'a LinkClaims,
    pub livemode: bool,
    pub kid: &'a str,
    pub token: String,
    pub short_code: Option<String>,
    pub free: [Option<String>; 3],
    pub metadata: String,
    pub source: &'static str,
    pub return_url_id: Option<String>,
    pub customer_email: Option<String>,
    pub customer_phone: Option<String>,
    pub customer_name: Option<String>,
    pub capture_method: &'static str,
    pub created_at: i64,
}

/// Inserts a link; answers it and whether this call inserted it (not a racing one).
pub async fn insert(tx: &mut Tx, new: InsertLink<'_>) -> Result<(Link, bool), sqlx::Error> {
    let c = new.claims;
    let (amount, amount_min, amount_max) = amount_columns(&c.amount);
    let [free1, free2, free3] = new.free;
    let link = Link {
        id: c.link_id.clone(),
        merchant_id: c.merchant_id.clone(),
        livemode: new.livemode,
        currency: c.amount.currency().code().to_owned(),
        amount,
        amount_min,
        amount_max,
        title: c.title.clone(),
        description: c.description.clone(),
        reference: c.reference.clone(),
        usage_limit: c.usage.limit().map(i64::from),
        locale: c.locale.tag().to_owned(),
        expires_at: c.expires_at,
        token: new.token,
        status: "active".into(),
        paid_count: 0,
        held_count: 0,
        free1,
        free2,
        free3,
        metadata: new.metadata,
        short_code: new.short_code,
        source: new.source.into(),
        deactivation_message: None,
        deactivated_at: None,
        created_at: new.created_at,
        return_url_id: new.return_url_id,
        customer_email: new.customer_email,
        customer_phone: new.customer_phone,
        customer_name: new.customer_name,
        capture_method: new.capture_method.to_owned(),
    };
    // ON CONFLICT: two first checkouts of one offline link may race to record it.
    let inserted = sqlx::query(&format!(
        "INSERT INTO links ({COLUMNS}, kid) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, \
         $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32) ON CONFLICT (id) DO NOTHING"
    ))
    .bind(&link.id)
    .bind(&link.merchant_id)
    .bind(i64::from(link.livemode))
    .bind(&link.currency)
    .bind(link.amount)
    .bind(link.amount_min)
    .bind(link.amount_max)
    .bind(&link.title)
    .bind(&link.description)
    .bind(&link.reference)
    .bind(link.usage_limit)
    .bind(&link.locale)
    .bind(link.expires_at)
    .bind(&link.token)
    .bind(&link.status)
    .bind(link.paid_count)
    .bind(link.held_count)
    .bind(&link.free1)
    .bind(&link.free2)
    .bind(&link.free3)
    .bind(&link.metadata)
    .bind(&link.short_code)
    .bind(&link.source)
    .bind(&link.deactivation_message)
    .bind(link.deactivated_at)
    .bind(link.created_at)
    .bind(&link.return_url_id)
    .bind(&link.customer_email)
    .bind(&link.customer_phone)
    .bind(&link.customer_name)
    .bind(&link.capture_method)
    .bind(new.kid)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1;
    Ok((link, inserted))
}

/// Records a link signed offline (`linkpay link sign`) the first time a buyer pays it, from
/// the verified token alone, with its `link.created` event. Returns false if the merchant it
/// names does not exist here.
pub async fn record_offline(
    tx: &mut Tx,
    clock: &Clock,
    claims: &LinkClaims,
    token: &str,
    kid: &str,
    edge_url: &str,
) -> Result<bool, sqlx::Error> {
    let merchant: Option<(String,)> = sqlx::query_as("SELECT id FROM merchants WHERE id = $1")
        .bind(&claims.merchant_id)
        .fetch_optional(&mut **tx)
        .await?;
    if merchant.is_none() {
        return Ok(false);
    }
    let (link, inserted) = insert(
        tx,
        InsertLink {
            claims,
            // The token's mode, which only a key of that mode could sign.
            livemode: claims.livemode,
            kid,
            token: token.to_owned(),
            short_code: None,
            free: claims.free.clone(),
            metadata: metadata_text(&claims.metadata),
            source: "offline",
            // A token cannot name a return URL yet.
            return_url_id: None,
            customer_email: None,
            customer_phone: None,
            customer_name: None,
            // Nor a capture method: offline links capture automatically.
            capture_method: "automatic",
            created_at: clock.now(),
        },
    )
    .await?;
    if inserted {
        outbox::record(
            tx,
            clock,
            link.scope(),
            "link.created",
            link.to_json(edge_url, clock.now()),
        )
        .await?;
    }
    Ok(true)
}

/// Gives `n` held uses back to a limited link: their charges have left `pending`.
pub async fn release_holds(tx: &mut Tx, link_id: &str, n: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE links SET held_count = held_count - $1 WHERE id = $2")
        .bind(n)
        .bind(link_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The link with this id, whoever it belongs to, on the read pool or inside a transaction.
pub async fn by_id<'e>(
    db: impl Executor<'e, Database = Any>,
    id: &str,
) -> Result<Option<Link>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM links WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// The merchant's link with this id.
pub async fn get(db: &Db, merchant_id: &str, id: &str) -> Result<Option<Link>, sqlx::Error> {
    Ok(by_id(db.reader(), id)
        .await?
        .filter(|l| l.merchant_id == merchant_id))
}

/// Marks the merchant's active link deactivated with `message`, in the caller's
/// transaction; true if this call changed it.
pub async fn mark_deactivated(
    tx: &mut Tx,
    merchant_id: &str,
    id: &str,
    message: Option<&str>,
    at: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE links SET status = 'deactivated', deactivation_message = $1, deactivated_at = $2
          WHERE id = $3 AND merchant_id = $4 AND status = 'active'",
    )
    .bind(message)
    .bind(at)
    .bind(id)
    .bind(merchant_id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Filters for listing links. Times are unix seconds, inclusive.
#[derive(Default)]
pub struct LinkFilter {
    pub status: Option<String>,
    pub created_gte: Option<i64>,
    pub created_lte: Option<i64>,
    pub reference: Option<String>,
    /// References that start with this (the dashboard's search box).
    pub reference_prefix: Option<String>,
    pub customer_email: Option<String>,
    /// Fixed amounts in `currency`, minor units, inclusive.
    pub currency: Option<String>,
    pub amount_gte: Option<i64>,
    pub amount_lte: Option<i64>,
}

/// `LIKE` pattern for "starts with `prefix`", with the wildcards in it taken literally.
pub fn like_prefix(prefix: &str) -> String {
    let mut p = String::with_capacity(prefix.len() + 1);
    for c in prefix.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

pub async fn list(
    db: &Db,
    merchant_id: &str,
    livemode: bool,
    filter: &LinkFilter,
    now: i64,
    cursor: Option<Cursor>,
    limit: i64,
) -> Result<Page<Link>, sqlx::Error> {
    let mut w = Where::owned_by(Scope {
        merchant_id,
        livemode,
    });
    match filter.status.as_deref() {
        Some("active") => w.and("status = 'active' AND expires_at > ?", [SqlValue::Int(now)]),
        Some("expired") => w.and(
            "status = 'active' AND expires_at <= ?",
            [SqlValue::Int(now)],
        ),
        Some(other) => w.and("status = ?", [SqlValue::Text(other.to_owned())]),
        None => {}
    }
    w.and_if("created_at >= ?", filter.created_gte);
    w.and_if("created_at <= ?", filter.created_lte);
    w.and_if("reference = ?", filter.reference.as_ref());
    let prefix = filter.reference_prefix.as_deref().map(like_prefix);
    w.and_if("reference LIKE ? ESCAPE '\\'", prefix);
    let email = filter
        .customer_email
        .as_ref()
        .map(|e| e.trim().to_lowercase());
    w.and_if("LOWER(customer_email) = ?", email);
    w.and_if("currency = ?", filter.currency.as_ref());
    w.and_if("amount >= ?", filter.amount_gte);
    w.and_if("amount <= ?", filter.amount_lte);
    page(db, "links", COLUMNS, w, cursor, limit).await
}
