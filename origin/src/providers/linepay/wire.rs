//! LINE Pay Online API v3 on the wire: request and response bodies, amounts and
//! transaction ids, and what each `returnCode` means. No I/O here.

use linkpay_shared::{Currency, Money};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;

/// A LINE Pay transaction id: a 19-digit number, beyond what a JSON double holds exactly,
/// so it is read as an integer (or a string) and never through `f64`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct TransactionId(pub u64);

impl fmt::Display for TransactionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::str::FromStr for TransactionId {
    type Err = std::num::ParseIntError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse().map(TransactionId)
    }
}

impl<'de> Deserialize<'de> for TransactionId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Number(u64),
            Text(String),
        }
        match Either::deserialize(d)? {
            Either::Number(n) => Ok(TransactionId(n)),
            Either::Text(s) => s.parse().map_err(de::Error::custom),
        }
    }
}

/// An amount as LINE Pay writes it: a JSON number in the currency's major unit (`1050`
/// US cents are `10.5`). Serialized from integer minor units without rounding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amount(pub Money);

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let m = self.0;
        match m.currency().exponent() {
            0 => s.serialize_i64(m.minor()),
            // Exact for every amount a currency allows: at most 2 decimals below 10^10.
            e => s.serialize_f64(m.minor() as f64 / 10f64.powi(e as i32)),
        }
    }
}

/// Minor units of a LINE Pay amount (a JSON number) in `currency`.
pub fn minor_units(value: &serde_json::Number, currency: Currency) -> Option<i64> {
    let scale = 10i64.pow(currency.exponent());
    if let Some(i) = value.as_i64() {
        return i.checked_mul(scale);
    }
    let f = value.as_f64()? * scale as f64;
    let rounded = f.round();
    ((f - rounded).abs() < 1e-6).then_some(rounded as i64)
}

/// What the buyer paid, in minor units: the sum over the payment methods LINE Pay used.
pub fn paid(pay_info: &[PayInfo], currency: Currency) -> i64 {
    pay_info
        .iter()
        .filter_map(|p| minor_units(&p.amount, currency))
        .sum()
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentRequest<'a> {
    pub amount: Amount,
    pub currency: &'a str,
    pub order_id: &'a str,
    pub packages: Vec<Package<'a>>,
    pub redirect_urls: RedirectUrls,
    pub options: Options,
}

#[derive(Debug, Serialize)]
pub struct Package<'a> {
    pub id: &'a str,
    pub amount: Amount,
    pub name: &'a str,
    pub products: Vec<Product<'a>>,
}

#[derive(Debug, Serialize)]
pub struct Product<'a> {
    pub name: &'a str,
    pub quantity: u32,
    pub price: Amount,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RedirectUrls {
    pub confirm_url: String,
    pub cancel_url: String,
}

#[derive(Debug, Serialize)]
pub struct Options {
    pub payment: PaymentOptions,
}

#[derive(Debug, Serialize)]
pub struct PaymentOptions {
    /// `false`: confirm only authorizes; the money is taken by a later capture.
    pub capture: bool,
}

/// The body of confirm and capture.
#[derive(Debug, Serialize)]
pub struct AmountBody {
    pub amount: Amount,
    pub currency: &'static str,
}

impl From<Money> for AmountBody {
    fn from(m: Money) -> AmountBody {
        AmountBody {
            amount: Amount(m),
            currency: m.currency().code(),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundRequest {
    pub refund_amount: Amount,
}

/// Every answer: `returnCode` `"0000"` is success.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope<T> {
    pub return_code: String,
    #[serde(default)]
    pub return_message: String,
    pub info: Option<T>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestInfo {
    pub payment_url: PaymentUrl,
    pub transaction_id: TransactionId,
}

#[derive(Debug, Deserialize)]
pub struct PaymentUrl {
    pub web: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfirmInfo {
    pub transaction_id: TransactionId,
    #[serde(default)]
    pub pay_info: Vec<PayInfo>,
    /// Present when confirm only authorized: when LINE Pay lets the authorization lapse
    /// (ISO 8601).
    #[serde(default)]
    pub authorization_expire_date: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PayInfo {
    pub method: String,
    pub amount: serde_json::Number,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundInfo {
    pub refund_transaction_id: TransactionId,
}

/// One entry of the payment details API (`GET /v3/payments?transactionId=…`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Detail {
    pub transaction_id: TransactionId,
    /// ISO 8601, e.g. `2026-11-22T05:30:00Z`.
    #[serde(default)]
    pub transaction_date: Option<String>,
    /// For an authorization: `AUTHORIZATION`, `VOIDED_AUTHORIZATION`,
    /// `EXPIRED_AUTHORIZATION`; captured payments say `CAPTURE` or nothing.
    #[serde(default)]
    pub pay_status: Option<String>,
    #[serde(default)]
    pub pay_info: Vec<PayInfo>,
    #[serde(default)]
    pub refund_list: Vec<RefundEntry>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundEntry {
    pub refund_transaction_id: TransactionId,
    /// LINE Pay reports refunds as negative amounts; the sign is ignored.
    pub refund_amount: serde_json::Number,
}

/// What the payment request status check (`GET /v3/payments/requests/{id}/check`) says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestStatus {
    /// `0000`: the buyer has not finished on LINE Pay's page.
    Waiting,
    /// `0110`: authenticated; confirm may be called.
    Authenticated,
    /// `0121`: canceled by the buyer, or timed out (20 minutes).
    Canceled,
    /// `0122`: failed.
    Failed,
    /// `0123`: confirmed already.
    Completed,
}

impl RequestStatus {
    pub fn from_code(code: &str) -> Option<RequestStatus> {
        Some(match code {
            "0000" => RequestStatus::Waiting,
            "0110" => RequestStatus::Authenticated,
            "0121" => RequestStatus::Canceled,
            "0122" => RequestStatus::Failed,
            "0123" => RequestStatus::Completed,
            _ => return None,
        })
    }
}

/// What a `returnCode` other than success means for the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The buyer's payment was refused (balance, card, account).
    Declined,
    /// Done before: a second confirm, a refund of a refunded payment.
    AlreadyDone,
    NotFound,
    /// The request itself was wrong (amount, currency, parameters, refund limits).
    Invalid,
    /// Our credentials or signature were refused: a configuration problem.
    Auth,
    /// LINE Pay failed or is busy: worth retrying.
    Transient,
}

/// The published error codes (LINE Pay appendix), sorted by what the caller should do.
pub fn classify(code: &str) -> Kind {
    match code.parse::<u32>().unwrap_or(0) {
        1101 | 1102 | 1110 | 1141 | 1142 | 1154 | 1169 | 1170 | 1280..=1298 => Kind::Declined,
        1152 | 1165 | 1172 => Kind::AlreadyDone,
        1150 | 1159 => Kind::NotFound,
        1104..=1106 => Kind::Auth,
        1145 | 1198 | 1199 | 9000 => Kind::Transient,
        _ => Kind::Invalid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transaction_ids_keep_all_19_digits_as_number_or_string() {
        let big = 2_023_042_201_206_549_319u64; // above 2^53: a double would round it
        let e: Envelope<RequestInfo> = serde_json::from_str(&format!(
            r#"{{"returnCode":"0000","returnMessage":"OK","info":{{"paymentUrl":{{"web":"w"}},"transactionId":{big}}}}}"#
        ))
        .expect("parses");
        assert_eq!(e.info.expect("info").transaction_id, TransactionId(big));
        let r: RefundInfo =
            serde_json::from_str(&format!(r#"{{"refundTransactionId":"{big}"}}"#)).expect("parses");
        assert_eq!(r.refund_transaction_id.to_string(), big.to_string());
        assert!(
            (big as f64) as u64 != big,
            "the test value is one a double cannot hold"
        );
    }

    #[test]
    fn amounts_are_major_units_on_the_wire_and_exact_back() {
        let usd = Money::new(1050, Currency::Usd).expect("money");
        assert_eq!(serde_json::to_string(&Amount(usd)).expect("json"), "10.5");
        let cents = Money::new(7, Currency::Usd).expect("money");
        assert_eq!(serde_json::to_string(&Amount(cents)).expect("json"), "0.07");
        let thb = Money::new(123_456, Currency::Thb).expect("money");
        assert_eq!(
            serde_json::to_string(&Amount(thb)).expect("json"),
            "1234.56"
        );
        let n = |s: &str| serde_json::from_str::<serde_json::Number>(s).expect("number");
        assert_eq!(minor_units(&n("10.5"), Currency::Usd), Some(1050));
        assert_eq!(minor_units(&n("0.07"), Currency::Usd), Some(7));
        assert_eq!(minor_units(&n("12"), Currency::Usd), Some(1200));
        assert_eq!(minor_units(&n("0.005"), Currency::Usd), None);
    }

    #[test]
    fn return_codes_are_sorted_by_what_to_do() {
        assert_eq!(classify("1142"), Kind::Declined);
        assert_eq!(classify("1165"), Kind::AlreadyDone);
        assert_eq!(classify("1150"), Kind::NotFound);
        assert_eq!(classify("1106"), Kind::Auth);
        assert_eq!(classify("9000"), Kind::Transient);
        assert_eq!(classify("1164"), Kind::Invalid);
        assert_eq!(
            RequestStatus::from_code("0110"),
            Some(RequestStatus::Authenticated)
        );
        assert_eq!(RequestStatus::from_code("1104"), None);
    }
}
