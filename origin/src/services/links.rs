//! Making and stopping payment links: what happens around the row (its events, its short
//! code and state for the edge, its payment requests), in one transaction each.

use crate::base::db::Tx;
use crate::base::error::ApiError;
use crate::base::ids;
use crate::domain::edge_state;
use crate::domain::links::{self, InsertLink, Link};
use crate::domain::merchants::Merchant;
use crate::domain::webhooks::outbox;
use crate::services::Services;
use linkpay_shared::Locale;
use linkpay_shared::token::{Amount, LinkClaims, TokenError, Usage};

/// A link as the merchant asks for it, checked.
pub struct NewLink {
    pub amount: Amount,
    pub title: String,
    pub description: Option<String>,
    pub reference: Option<String>,
    pub usage: Usage,
    pub expires_at: i64,
    pub locale: Locale,
    pub free: [Option<String>; 3],
    /// Keys ascending.
    pub metadata: Vec<(String, String)>,
    /// The merchant's return URL (`ru_…`) buyers go back to, checked to be theirs.
    pub return_url: Option<String>,
    /// Who the link is for, and where to send the payment request now.
    pub customer: crate::domain::notifications::Customer,
    pub capture_method: crate::domain::charges::CaptureMethod,
}

/// Signs and stores a new link and queues its short code for the edge. The token is minted
/// before the row is written, so a stored link always has a URL that verifies. The token
/// carries only what the pay page shows: free fields and metadata stay in the database.
pub async fn create(
    svc: &Services,
    merchant: &Merchant,
    livemode: bool,
    new: NewLink,
) -> Result<Link, ApiError> {
    let mut tx = svc.db.begin().await?;
    let link = create_in(&mut tx, svc, merchant, livemode, new, "api").await?;
    tx.commit().await?;
    svc.edge_sync.notify_one();
    svc.outbox.notify_one();
    Ok(link)
}

/// As [`create`], inside the caller's transaction (a batch creates all its links in one):
/// the link, its `link.created` event, its short code for the edge and its payment requests.
/// The caller commits, then wakes `edge_sync` and `outbox`.
pub async fn create_in(
    tx: &mut Tx,
    svc: &Services,
    merchant: &Merchant,
    livemode: bool,
    new: NewLink,
    source: &'static str,
) -> Result<Link, ApiError> {
    let id = ids::new_id("lnk");
    let claims = LinkClaims {
        link_id: id.clone(),
        merchant_id: merchant.id.clone(),
        merchant_name: merchant.name.clone(),
        amount: new.amount,
        expires_at: new.expires_at,
        usage: new.usage,
        title: new.title,
        description: new.description,
        reference: new.reference,
        locale: new.locale,
        free: Default::default(),
        metadata: Vec::new(),
        livemode,
    };
    let keys = &svc.link_keys;
    let token = keys.sign(&claims).map_err(|e| match e {
        TokenError::NoSigningKey(_) => ApiError::bad_request(
            "livemode_unavailable",
            "This linkpay has no live link-signing key, so live links cannot be made yet. Its \
             operator adds one with `linkpay keys rotate --live --file <key file>`, then gives the \
             worker the new ring and restarts the origin (docs/cli.md).",
        ),
        e => ApiError::internal(format_args!("signing a validated link: {e}")),
    })?;
    let link = links::insert(
        tx,
        InsertLink {
            claims: &claims,
            livemode,
            kid: keys.current_kid(livemode).unwrap_or_default(),
            token,
            short_code: Some(ids::short_code()),
            free: new.free,
            metadata: links::metadata_text(&new.metadata),
            source,
            return_url_id: new.return_url,
            customer_email: new.customer.email.clone(),
            customer_phone: new.customer.phone.clone(),
            customer_name: new.customer.name.clone(),
            capture_method: new.capture_method.as_str(),
            created_at: svc.clock.now(),
        },
    )
    .await?
    .0;
    outbox::record(
        tx,
        &svc.clock,
        link.scope(),
        "link.created",
        link.to_json(&svc.edge_url, svc.clock.now()),
    )
    .await?;
    if let Some(code) = &link.short_code {
        edge_state::put(
            tx,
            svc.clock.now(),
            &edge_state::short_code_key(code),
            &link.token,
            Some(link.expires_at + links::SHORT_CODE_GRACE_SECS),
        )
        .await?;
    }
    crate::domain::notifications::outbox::on_link_created(
        tx,
        svc.clock.now(),
        &svc.edge_url,
        &link,
        &new.customer.send,
    )
    .await?;
    Ok(link)
}

/// What a deactivation did.
pub enum Deactivated {
    Now(Link),
    Already(Link),
    /// A used link has nothing left to stop.
    Used(Link),
}

/// Stops a link taking payments and tells the edge. A payment already at the provider when
/// this happens still completes (the buyer has been asked for money; refusing it would mean
/// a refund); new checkouts are refused from this transaction on.
pub async fn deactivate(
    svc: &Services,
    merchant_id: &str,
    id: &str,
    message: Option<String>,
) -> Result<Option<Deactivated>, ApiError> {
    let now = svc.clock.now();
    let mut tx = svc.db.begin().await?;
    let changed =
        links::mark_deactivated(&mut tx, merchant_id, id, message.as_deref(), now).await?;
    let link = links::by_id(&mut *tx, id)
        .await?
        .filter(|l| l.merchant_id == merchant_id);
    let Some(link) = link else {
        return Ok(None);
    };
    if changed {
        edge_state::put_link_state(
            &mut tx,
            svc.clock.now(),
            &link,
            "deactivated",
            message.as_deref(),
        )
        .await?;
        outbox::record(
            &mut tx,
            &svc.clock,
            link.scope(),
            "link.deactivated",
            link.to_json(&svc.edge_url, svc.clock.now()),
        )
        .await?;
        tx.commit().await?;
        svc.edge_sync.notify_one();
        svc.outbox.notify_one();
        tracing::info!(link = %id, "link deactivated");
        return Ok(Some(Deactivated::Now(link)));
    }
    Ok(Some(match link.status.as_str() {
        "used" => Deactivated::Used(link),
        _ => Deactivated::Already(link),
    }))
}
