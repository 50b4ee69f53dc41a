//! Messages to buyers and merchants: payment requests (email and SMS), receipts and merchant
//! notices (email). They are rendered from templates and queued in the `notifications` table
//! in the same transaction as the change that causes them (`outbox`); the sender in
//! `services::notify` sends them with a lease and retries, so a crash loses none.

pub mod outbox;
pub mod phone;
pub mod segments;
pub mod settings;
pub mod templates;

use linkpay_shared::{Currency, Locale, Money};

/// Why a message is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// To the buyer: the link, asking them to pay.
    PaymentRequest,
    /// To the buyer after a successful payment.
    Receipt,
    /// To the merchant after a successful payment.
    MerchantNotice,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::PaymentRequest => "payment_request",
            Kind::Receipt => "receipt",
            Kind::MerchantNotice => "merchant_notice",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Email,
    Sms,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        match s {
            "email" => Some(Channel::Email),
            "sms" => Some(Channel::Sms),
            _ => None,
        }
    }
}

/// Who a link is for (checked: an address that parses, an E.164 number, a name of at most
/// 100 characters), and on which channels to send them the payment request at creation.
#[derive(Debug, Clone, Default)]
pub struct Customer {
    pub email: Option<String>,
    pub phone: Option<String>,
    pub name: Option<String>,
    pub send: Vec<Channel>,
}

/// A time for people: Japanese messages in Japan time, English ones in UTC, each saying which.
pub fn format_time(unix: i64, locale: &str) -> String {
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp(unix) else {
        return String::new();
    };
    if locale == "ja" {
        let jst = time::UtcOffset::from_hms(9, 0, 0).unwrap_or(time::UtcOffset::UTC);
        let t = t.to_offset(jst);
        format!(
            "{}年{}月{}日 {:02}:{:02}（日本時間）",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute()
        )
    } else {
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        format!(
            "{} {} {}, {:02}:{:02} UTC",
            t.day(),
            MONTHS[usize::from(u8::from(t.month())) - 1],
            t.year(),
            t.hour(),
            t.minute()
        )
    }
}

/// `¥1,500`, or `¥500 – ¥10,000` for an amount the buyer chooses.
pub fn format_amount(
    currency: &str,
    amount: Option<i64>,
    range: Option<(i64, i64)>,
    locale: &str,
) -> String {
    let locale = Locale::from_tag(locale).unwrap_or(Locale::En);
    let Some(currency) = Currency::from_code(currency) else {
        return String::new();
    };
    let one = |minor: i64| {
        Money::new(minor, currency)
            .map(|m| m.format(locale))
            .unwrap_or_default()
    };
    match (amount, range) {
        (Some(a), _) => one(a),
        (None, Some((min, max))) => format!("{} – {}", one(min), one(max)),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_amounts_read_naturally() {
        assert_eq!(
            format_time(1_800_000_000, "ja"),
            "2027年1月15日 17:00（日本時間）"
        );
        assert_eq!(format_time(1_800_000_000, "en"), "15 Jan 2027, 08:00 UTC");
        assert_eq!(format_amount("JPY", Some(12800), None, "ja"), "¥12,800");
        assert_eq!(format_amount("USD", Some(1500), None, "en"), "$15.00");
        assert_eq!(
            format_amount("JPY", None, Some((500, 10000)), "en"),
            "¥500 – ¥10,000"
        );
    }
}
