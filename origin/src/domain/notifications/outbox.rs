//! Queueing notifications: each is rendered and written in the transaction of the change that
//! causes it (a link created, a charge settled), so it exists exactly when the change does.
//! A template that fails on real data does not undo the change: the notification is recorded
//! as failed with the reason.

use super::templates::{self, Name, Template, Vars};
use super::{Channel, Kind, format_amount, format_time, settings};
use crate::base::db::{Db, Flag, Tx};
use crate::base::ids;
use crate::base::listing::{Cursor, Page, Scope, Where, page};
use crate::domain::charges::Charge;
use crate::domain::links::Link;
use serde_json::{Value, json};
use sqlx::{Any, Executor};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Notification {
    pub id: String,
    pub merchant_id: String,
    #[sqlx(try_from = "Flag")]
    pub livemode: bool,
    pub kind: String,
    pub channel: String,
    pub recipient: String,
    pub locale: String,
    pub subject: Option<String>,
    pub text_body: String,
    pub html_body: Option<String>,
    pub segments: Option<i64>,
    pub encoding: Option<String>,
    pub link_id: Option<String>,
    pub charge_id: Option<String>,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    pub provider_message_id: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

pub const COLUMNS: &str = "id, merchant_id, livemode, kind, channel, recipient, locale, subject, \
    text_body, html_body, segments, encoding, link_id, charge_id, status, attempts, next_attempt_at, \
    last_error, provider_message_id, created_at, sent_at";

impl Notification {
    pub fn to_json(&self) -> Value {
        let pending = self.status == "pending";
        json!({
            "id": self.id,
            "object": "notification",
            "kind": self.kind,
            "channel": self.channel,
            "to": self.recipient,
            "locale": self.locale,
            "subject": self.subject,
            "text": self.text_body,
            "html": self.html_body,
            "segments": self.segments,
            "encoding": self.encoding,
            "link": self.link_id,
            "charge": self.charge_id,
            "status": self.status,
            "attempts": self.attempts,
            "next_attempt_at": pending.then_some(self.next_attempt_at),
            "last_error": self.last_error,
            "provider_message_id": self.provider_message_id,
            "livemode": self.livemode,
            "created": self.created_at,
            "sent_at": self.sent_at,
        })
    }
}

/// The template a merchant saved for this name and locale, or the built-in one.
pub async fn effective_template<'e>(
    db: impl Executor<'e, Database = Any>,
    merchant_id: &str,
    name: Name,
    locale: &str,
) -> Result<(Template, bool), sqlx::Error> {
    let row: Option<(Option<String>, String, Option<String>)> = sqlx::query_as(
        "SELECT subject, text_body, html_body FROM notification_templates
          WHERE merchant_id = $1 AND name = $2 AND locale = $3",
    )
    .bind(merchant_id)
    .bind(name.as_str())
    .bind(locale)
    .fetch_optional(db)
    .await?;
    Ok(match row {
        Some((subject, text, html)) => (
            Template {
                subject,
                text,
                html,
            },
            true,
        ),
        None => (templates::default(name, locale), false),
    })
}

/// What a queued message is about.
pub struct Subject<'a> {
    pub merchant_id: &'a str,
    pub livemode: bool,
    pub kind: Kind,
    pub channel: Channel,
    pub to: &'a str,
    pub locale: &'a str,
    pub vars: Vars,
    pub link_id: Option<&'a str>,
    pub charge_id: Option<&'a str>,
}

/// Renders the merchant's template and queues the message in `tx`.
pub async fn queue(tx: &mut Tx, now: i64, s: Subject<'_>) -> Result<Notification, sqlx::Error> {
    let name = Name::of(s.kind, s.channel).ok_or_else(|| {
        sqlx::Error::Protocol(format!(
            "no {} template for {}",
            s.channel.as_str(),
            s.kind.as_str()
        ))
    })?;
    let (template, _) = effective_template(&mut **tx, s.merchant_id, name, s.locale).await?;
    let rendered = templates::render(&template, &s.vars);
    let (status, error, rendered) = match rendered {
        Ok(r) => ("pending", None, r),
        Err(e) => (
            "failed",
            Some(format!(
                "The {} template could not be rendered: {e}",
                name.as_str()
            )),
            templates::Rendered {
                subject: None,
                text: String::new(),
                html: None,
            },
        ),
    };
    let (segments, encoding) = match s.channel {
        Channel::Sms => {
            let c = super::segments::count(&rendered.text);
            let encoding = match c.encoding {
                super::segments::Encoding::Gsm7 => "gsm7",
                super::segments::Encoding::Ucs2 => "ucs2",
            };
            (Some(i64::from(c.segments)), Some(encoding.to_owned()))
        }
        Channel::Email => (None, None),
    };
    let n = Notification {
        id: ids::new_id("ntf"),
        merchant_id: s.merchant_id.to_owned(),
        livemode: s.livemode,
        kind: s.kind.as_str().to_owned(),
        channel: s.channel.as_str().to_owned(),
        recipient: s.to.to_owned(),
        locale: s.locale.to_owned(),
        subject: rendered.subject,
        text_body: rendered.text,
        html_body: rendered.html,
        segments,
        encoding,
        link_id: s.link_id.map(str::to_owned),
        charge_id: s.charge_id.map(str::to_owned),
        status: status.to_owned(),
        attempts: 0,
        next_attempt_at: now,
        last_error: error,
        provider_message_id: None,
        created_at: now,
        sent_at: None,
    };
    sqlx::query(&format!(
        "INSERT INTO notifications ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
         $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)"
    ))
    .bind(&n.id)
    .bind(&n.merchant_id)
    .bind(i64::from(n.livemode))
    .bind(&n.kind)
    .bind(&n.channel)
    .bind(&n.recipient)
    .bind(&n.locale)
    .bind(&n.subject)
    .bind(&n.text_body)
    .bind(&n.html_body)
    .bind(n.segments)
    .bind(&n.encoding)
    .bind(&n.link_id)
    .bind(&n.charge_id)
    .bind(&n.status)
    .bind(n.attempts)
    .bind(n.next_attempt_at)
    .bind(&n.last_error)
    .bind(&n.provider_message_id)
    .bind(n.created_at)
    .bind(n.sent_at)
    .execute(&mut **tx)
    .await?;
    Ok(n)
}

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

/// The variables every kind has, from the link (and the charge, when there is one).
pub fn link_vars(link: &Link, merchant_name: &str, edge_url: &str, locale: &str) -> Vars {
    let mut v = Vars::new();
    let mut set = |k: &str, val: String| {
        v.insert(k.to_owned(), val);
    };
    set("merchant_name", merchant_name.to_owned());
    set("customer_name", opt(&link.customer_name));
    set("title", link.title.clone());
    set("description", opt(&link.description));
    let range = link.amount_min.zip(link.amount_max);
    set(
        "amount",
        format_amount(&link.currency, link.amount, range, locale),
    );
    set("currency", link.currency.clone());
    set("reference", opt(&link.reference));
    set("free1", opt(&link.free1));
    set("free2", opt(&link.free2));
    set("free3", opt(&link.free3));
    set("link_id", link.id.clone());
    set("url", link.url(edge_url));
    set("short_url", link.share_url(edge_url));
    set("expires_at", format_time(link.expires_at, locale));
    v
}

fn charge_vars(v: &mut Vars, charge: &Charge, locale: &str, with_email: bool) {
    for k in ["url", "short_url", "expires_at"] {
        v.remove(k);
    }
    // What was actually paid, which for a buyer-chosen amount is not the link's range; the
    // charge also carries the link's reference and free fields as they were at payment.
    v.insert(
        "amount".into(),
        format_amount(&charge.currency, Some(charge.amount), None, locale),
    );
    v.insert("reference".into(), opt(&charge.reference));
    v.insert("free1".into(), opt(&charge.free1));
    v.insert("free2".into(), opt(&charge.free2));
    v.insert("free3".into(), opt(&charge.free3));
    v.insert("charge_id".into(), charge.id.clone());
    v.insert("paid_at".into(), format_time(charge.updated_at, locale));
    v.insert("card_brand".into(), opt(&charge.card_brand));
    v.insert("card_last4".into(), opt(&charge.card_last4));
    if with_email {
        v.insert("buyer_email".into(), opt(&charge.buyer_email));
    }
}

/// Variables for a receipt or a merchant notice.
pub fn paid_vars(
    link: &Link,
    charge: &Charge,
    merchant_name: &str,
    kind: Kind,
    locale: &str,
) -> Vars {
    let mut v = link_vars(link, merchant_name, "", locale);
    charge_vars(&mut v, charge, locale, kind == Kind::MerchantNotice);
    if kind == Kind::MerchantNotice && charge.buyer_email.is_none() {
        v.insert("buyer_email".into(), opt(&link.customer_email));
    }
    v
}

async fn merchant_name<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    merchant_id: &str,
) -> Result<(String, String), sqlx::Error> {
    sqlx::query_as("SELECT name, default_locale FROM merchants WHERE id = $1")
        .bind(merchant_id)
        .fetch_one(db)
        .await
}

/// Queues the payment request on each channel asked for, to the link's customer.
pub async fn on_link_created(
    tx: &mut Tx,
    now: i64,
    edge_url: &str,
    link: &Link,
    channels: &[Channel],
) -> Result<Vec<Notification>, sqlx::Error> {
    let mut out = Vec::new();
    for channel in channels {
        let to = match channel {
            Channel::Email => link.customer_email.as_deref(),
            Channel::Sms => link.customer_phone.as_deref(),
        };
        if let Some(to) = to {
            out.push(payment_request(tx, now, edge_url, link, *channel, to).await?);
        }
    }
    Ok(out)
}

/// Queues one payment request for `link` to `to`.
pub async fn payment_request(
    tx: &mut Tx,
    now: i64,
    edge_url: &str,
    link: &Link,
    channel: Channel,
    to: &str,
) -> Result<Notification, sqlx::Error> {
    let (name, _) = merchant_name(&mut **tx, &link.merchant_id).await?;
    queue(
        tx,
        now,
        Subject {
            merchant_id: &link.merchant_id,
            livemode: link.livemode,
            kind: Kind::PaymentRequest,
            channel,
            to,
            locale: &link.locale,
            vars: link_vars(link, &name, edge_url, &link.locale),
            link_id: Some(&link.id),
            charge_id: None,
        },
    )
    .await
}

/// What the receipt and merchant notice of a paid charge are made from. Hot paths read it
/// before their write transaction, on the reader (see `webhooks::outbox::Subscribers`).
pub struct PaidContext {
    link: Link,
    settings: settings::Settings,
    merchant_name: String,
    merchant_locale: String,
}

impl PaidContext {
    /// Read on one of the reader's connections. `None` if the charge's link is gone.
    pub async fn read(db: &Db, charge: &Charge) -> Result<Option<PaidContext>, sqlx::Error> {
        Self::load(&mut *db.reader().acquire().await?, charge).await
    }

    async fn load(
        conn: &mut sqlx::AnyConnection,
        charge: &Charge,
    ) -> Result<Option<PaidContext>, sqlx::Error> {
        let Some(link) = crate::domain::links::by_id(&mut *conn, &charge.link_id).await? else {
            return Ok(None);
        };
        let settings = settings::get(&mut *conn, &charge.merchant_id).await?;
        let (merchant_name, merchant_locale) =
            merchant_name(&mut *conn, &charge.merchant_id).await?;
        Ok(Some(PaidContext {
            link,
            settings,
            merchant_name,
            merchant_locale,
        }))
    }
}

/// After a successful payment: the receipt to the buyer (the email they gave on the pay page,
/// else the link's customer email) and the notice to the merchant, each if switched on.
/// `read` is the context read before the transaction; without it, it is read here.
pub async fn on_charge_succeeded(
    tx: &mut Tx,
    now: i64,
    charge: &Charge,
    read: Option<&PaidContext>,
) -> Result<(), sqlx::Error> {
    let read_here;
    let c = match read {
        Some(c) => c,
        None => match PaidContext::load(tx, charge).await? {
            Some(c) => {
                read_here = c;
                &read_here
            }
            None => return Ok(()),
        },
    };
    let (link, s) = (&c.link, &c.settings);
    let buyer = charge
        .buyer_email
        .as_deref()
        .or(link.customer_email.as_deref());
    let paid = |kind, to, locale| Subject {
        merchant_id: &charge.merchant_id,
        livemode: charge.livemode,
        kind,
        channel: Channel::Email,
        to,
        locale,
        vars: paid_vars(link, charge, &c.merchant_name, kind, locale),
        link_id: Some(&link.id),
        charge_id: Some(&charge.id),
    };
    if s.receipt
        && let Some(to) = buyer
    {
        queue(tx, now, paid(Kind::Receipt, to, &link.locale)).await?;
    }
    if s.merchant_notice
        && let Some(to) = &s.notice_email
    {
        queue(tx, now, paid(Kind::MerchantNotice, to, &c.merchant_locale)).await?;
    }
    Ok(())
}

pub async fn get(
    db: &Db,
    merchant_id: &str,
    id: &str,
) -> Result<Option<Notification>, sqlx::Error> {
    let table = ("notifications", COLUMNS);
    crate::base::db::owned_row(db.reader(), table, "TRUE", merchant_id, id).await
}

#[derive(Default)]
pub struct Filter {
    pub link: Option<String>,
    pub charge: Option<String>,
    pub status: Option<String>,
}

pub async fn list(
    db: &Db,
    merchant_id: &str,
    livemode: bool,
    filter: &Filter,
    cursor: Option<Cursor>,
    limit: i64,
) -> Result<Page<Notification>, sqlx::Error> {
    let mut w = Where::owned_by(Scope {
        merchant_id,
        livemode,
    });
    w.and_if("link_id = ?", filter.link.as_ref());
    w.and_if("charge_id = ?", filter.charge.as_ref());
    w.and_if("status = ?", filter.status.as_ref());
    page(db, "notifications", COLUMNS, w, cursor, limit).await
}
