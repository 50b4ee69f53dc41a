//! Provider accounts: a merchant's own credentials at a payment provider, in one mode, and
//! which account serves each payment method of that mode. Credentials are stored sealed
//! (`base::secrets`) and never leave the origin; the API shows what the provider said of the
//! account when they were checked.

use crate::base::clock::Clock;
use crate::base::db::{Db, Flag};
use crate::base::ids;
use crate::base::listing::{self, Cursor, Page, Scope, Where};
use crate::base::secrets::MasterKeys;
use crate::domain::payment_methods::PaymentMethod;
use serde_json::{Value, json};

/// The providers an account can be opened with.
pub const PROVIDERS: &[&str] = &["stripe", "gmopg", "linepay"];

/// The payment method an account of `provider` serves: LINE Pay is a wallet, the others
/// take cards.
pub fn method_of(provider: &str) -> PaymentMethod {
    match provider {
        "linepay" => PaymentMethod::Wallet,
        _ => PaymentMethod::Card,
    }
}

pub const COLUMNS: &str = "id, merchant_id, livemode, provider, description, details, \
     credentials AS sealed_credentials, created_at";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProviderAccount {
    pub id: String,
    pub merchant_id: String,
    #[sqlx(try_from = "Flag")]
    pub livemode: bool,
    pub provider: String,
    pub description: Option<String>,
    /// JSON: what the provider said of the account (its id, name); nothing secret.
    pub details: String,
    /// The credentials' JSON, sealed for [`place`].
    pub sealed_credentials: String,
    pub created_at: i64,
}

impl ProviderAccount {
    pub fn scope(&self) -> Scope<'_> {
        Scope {
            merchant_id: &self.merchant_id,
            livemode: self.livemode,
        }
    }

    /// The API object: never the credentials. `methods` are the payment methods it serves;
    /// `webhook_url` is where the provider must send this account's events (none for LINE
    /// Pay, which sends none).
    pub fn to_json(&self, methods: &[PaymentMethod], webhook_url: Option<&str>) -> Value {
        json!({
            "id": self.id,
            "object": "provider_account",
            "provider": self.provider,
            "livemode": self.livemode,
            "description": self.description,
            "account": serde_json::from_str::<Value>(&self.details).unwrap_or(Value::Null),
            "payment_methods": methods.iter().map(|m| m.as_str()).collect::<Vec<_>>(),
            "webhook_url": webhook_url,
            "created": self.created_at,
        })
    }

    /// The credentials, opened.
    pub fn credentials(&self, keys: &MasterKeys) -> Result<Value, String> {
        let text = keys
            .open(&place(&self.id), &self.sealed_credentials)
            .map_err(|e| format!("provider account {}: {e}", self.id))?;
        serde_json::from_str(&text)
            .map_err(|_| format!("provider account {}: credentials are not JSON", self.id))
    }
}

/// Where an account's credentials are sealed for (see [`MasterKeys::seal`]).
pub fn place(id: &str) -> String {
    format!("provider_accounts/{id}")
}

/// A new account's id, before its credentials are sealed for it.
pub fn new_id(clock: &Clock) -> String {
    ids::new_sortable_id("pa", clock.now_millis())
}

pub struct NewAccount<'a> {
    pub id: String,
    pub provider: &'a str,
    pub description: Option<String>,
    pub details: Value,
    pub credentials: Value,
    pub methods: Vec<PaymentMethod>,
}

/// Saves a checked account, and makes it serve `methods` in its mode (taking them over from
/// any other account), in one transaction.
pub async fn create(
    db: &Db,
    clock: &Clock,
    keys: &MasterKeys,
    scope: Scope<'_>,
    new: NewAccount<'_>,
) -> Result<ProviderAccount, sqlx::Error> {
    let account = ProviderAccount {
        sealed_credentials: keys.seal(&place(&new.id), &new.credentials.to_string()),
        id: new.id,
        merchant_id: scope.merchant_id.to_owned(),
        livemode: scope.livemode,
        provider: new.provider.to_owned(),
        description: new.description,
        details: new.details.to_string(),
        created_at: clock.now(),
    };
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO provider_accounts (id, merchant_id, livemode, provider, description, details, credentials, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&account.id)
    .bind(&account.merchant_id)
    .bind(i64::from(account.livemode))
    .bind(&account.provider)
    .bind(&account.description)
    .bind(&account.details)
    .bind(&account.sealed_credentials)
    .bind(account.created_at)
    .execute(&mut *tx)
    .await?;
    for method in new.methods {
        route(&mut tx, scope, method, &account.id).await?;
    }
    tx.commit().await?;
    Ok(account)
}

/// Makes `account_id` serve `method` in the scope's mode.
pub async fn route(
    tx: &mut crate::base::db::Tx,
    scope: Scope<'_>,
    method: PaymentMethod,
    account_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO payment_method_accounts (merchant_id, livemode, method, provider_account_id)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (merchant_id, livemode, method) DO UPDATE SET provider_account_id = excluded.provider_account_id",
    )
    .bind(scope.merchant_id)
    .bind(i64::from(scope.livemode))
    .bind(method.as_str())
    .bind(account_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The payment methods an account serves.
pub async fn methods_of(db: &Db, account_id: &str) -> Result<Vec<PaymentMethod>, sqlx::Error> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT method FROM payment_method_accounts WHERE provider_account_id = $1 ORDER BY method",
    )
    .bind(account_id)
    .fetch_all(db.reader())
    .await?;
    Ok(rows
        .iter()
        .filter_map(|(m,)| PaymentMethod::parse(m))
        .collect())
}

/// The account that serves `method` in the scope's mode, if any.
pub async fn for_method(
    db: &Db,
    scope: Scope<'_>,
    method: PaymentMethod,
) -> Result<Option<ProviderAccount>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {} FROM provider_accounts a JOIN payment_method_accounts r ON r.provider_account_id = a.id
          WHERE r.merchant_id = $1 AND r.livemode = $2 AND r.method = $3 AND a.deleted_at IS NULL",
        COLUMNS
            .split(", ")
            .map(|c| format!("a.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    ))
    .bind(scope.merchant_id)
    .bind(i64::from(scope.livemode))
    .bind(method.as_str())
    .fetch_optional(db.reader())
    .await
}

/// The account with this id, of any merchant and mode (callers check), unless deleted.
pub async fn by_id(db: &Db, id: &str) -> Result<Option<ProviderAccount>, sqlx::Error> {
    one(db, id, "deleted_at IS NULL").await
}

pub async fn list(
    db: &Db,
    scope: Scope<'_>,
    cursor: Option<Cursor>,
    limit: i64,
) -> Result<Page<ProviderAccount>, sqlx::Error> {
    let mut filter = Where::owned_by(scope);
    filter.and("deleted_at IS NULL", []);
    listing::page(db, "provider_accounts", COLUMNS, filter, cursor, limit).await
}

/// Deletes an account: it serves no payment method from now on. Charges made through it keep
/// its credentials for their captures and refunds, so the row stays.
pub async fn delete(db: &Db, now: i64, account: &ProviderAccount) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM payment_method_accounts WHERE provider_account_id = $1")
        .bind(&account.id)
        .execute(&mut *tx)
        .await?;
    let done = sqlx::query(
        "UPDATE provider_accounts SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL",
    )
    .bind(now)
    .bind(&account.id)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    tx.commit().await?;
    Ok(done)
}

/// The account a charge was made through, deleted or not.
pub async fn of_charge(db: &Db, id: &str) -> Result<Option<ProviderAccount>, sqlx::Error> {
    one(db, id, "TRUE").await
}

async fn one(db: &Db, id: &str, and: &str) -> Result<Option<ProviderAccount>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM provider_accounts WHERE id = $1 AND {and}"
    ))
    .bind(id)
    .fetch_optional(db.reader())
    .await
}

/// Changes to an account; `None` leaves a field as it is.
#[derive(Default)]
pub struct Update {
    pub description: Option<Option<String>>,
    /// New credentials, checked by the caller.
    pub credentials: Option<Value>,
    /// What the provider said of the account when the new credentials were checked.
    pub details: Option<Value>,
}

/// Applies `update`, and (if given) exactly which methods the account serves, in one
/// transaction.
pub async fn update(
    db: &Db,
    keys: &MasterKeys,
    account: &ProviderAccount,
    update: Update,
    methods: Option<&[PaymentMethod]>,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    sqlx::query(
        "UPDATE provider_accounts SET description = $1, details = $2, credentials = $3 WHERE id = $4",
    )
    .bind(update.description.unwrap_or_else(|| account.description.clone()))
    .bind(update.details.map_or_else(|| account.details.clone(), |d| d.to_string()))
    .bind(update.credentials.map_or_else(
        || account.sealed_credentials.clone(),
        |c| keys.seal(&place(&account.id), &c.to_string()),
    ))
    .bind(&account.id)
    .execute(&mut *tx)
    .await?;
    if let Some(methods) = methods {
        sqlx::query("DELETE FROM payment_method_accounts WHERE provider_account_id = $1")
            .bind(&account.id)
            .execute(&mut *tx)
            .await?;
        for m in methods {
            route(&mut tx, account.scope(), *m, &account.id).await?;
        }
    }
    tx.commit().await
}
