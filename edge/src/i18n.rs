//! Every word a buyer reads, in each supported language.
//!
//! One [`Text`] per [`Locale`]; templates take `&'static Text` and never hold literal copy.

use linkpay_shared::Locale;

/// The strings of one language.
#[derive(Debug)]
pub struct Text {
    pub lang: &'static str,
    pub brand_note: &'static str,

    // Pay page.
    pub pay_page_title: &'static str,
    pub paying_to: &'static str,
    pub amount: &'static str,
    pub reference: &'static str,
    pub expires: &'static str,
    pay_button: (&'static str, &'static str),
    /// The button on a buyer-chosen link, where the amount is not known yet.
    pub pay_button_plain: &'static str,
    /// The amount field's label; `{}` is the currency code.
    amount_label: &'static str,
    /// "Between {min} and {max}", as (before min, between, after max).
    amount_range: (&'static str, &'static str, &'static str),
    pub amount_errors: AmountErrors,
    /// The optional email field, and what it says when the address cannot be used.
    pub email_label: &'static str,
    pub email_invalid: &'static str,
    pub card_entry_note: &'static str,
    /// Before the merchant's support contact.
    pub support_label: &'static str,
    /// The banner of the dashboard's preview.
    pub preview_banner: &'static str,
    /// Over a test link's pay page: nothing it takes is real money.
    pub test_mode_banner: &'static str,
    pub preview_title: &'static str,
    /// The payment method choice, shown when the merchant offers more than one.
    pub method_legend: &'static str,
    pub method_card: &'static str,
    pub method_wallet: &'static str,
    pub method_unavailable: &'static str,

    // Result page.
    pub result_page_title: &'static str,
    pub paid_heading: &'static str,
    pub paid_body: &'static str,
    pub declined_heading: &'static str,
    pub failed_heading: &'static str,
    pub failed_body: &'static str,
    pub try_another_card: &'static str,
    pub merchant: &'static str,
    pub item: &'static str,
    pub card: &'static str,
    pub charge_id: &'static str,
    pub reason_card_declined: &'static str,
    pub reason_insufficient_funds: &'static str,
    pub reason_generic: &'static str,
    pub reason_authentication_failed: &'static str,
    pub reason_canceled: &'static str,

    // Error pages: (heading, explanation).
    pub link_not_found: (&'static str, &'static str),
    pub result_not_found: (&'static str, &'static str),
    pub page_not_found: (&'static str, &'static str),
    pub expired: (&'static str, &'static str),
    pub already_paid: (&'static str, &'static str),
    pub in_progress: (&'static str, &'static str),
    pub deactivated: (&'static str, &'static str),
    pub used_up: (&'static str, &'static str),
    pub short_link_not_found: (&'static str, &'static str),
    pub unavailable: (&'static str, &'static str),
    /// The explanation has a `{}` where the variable's name goes.
    pub misconfigured: (&'static str, &'static str),
    /// Labels the note a merchant left when turning a link off.
    pub merchant_message: &'static str,
}

/// What is wrong with a typed amount. `{}` is the currency code, the number of decimals or
/// the formatted bound, as each says.
#[derive(Debug)]
pub struct AmountErrors {
    pub missing: &'static str,
    pub not_a_number_whole: &'static str,
    pub not_a_number_decimal: &'static str,
    pub no_decimals: &'static str,
    pub too_precise: &'static str,
    pub below_minimum: &'static str,
    pub above_maximum: &'static str,
}

impl Text {
    /// The pay button's label, e.g. "Pay ¥1,500" / "¥1,500 を支払う".
    pub fn pay_button(&self, amount: &str) -> String {
        format!("{}{amount}{}", self.pay_button.0, self.pay_button.1)
    }

    /// The amount field's label, e.g. "Amount (JPY)".
    pub fn amount_label(&self, currency_code: &str) -> String {
        self.amount_label.replace("{}", currency_code)
    }

    /// The allowed range under the amount field, e.g. "Between ¥500 and ¥50,000".
    pub fn amount_range(&self, min: &str, max: &str) -> String {
        let (before, between, after) = self.amount_range;
        format!("{before}{min}{between}{max}{after}")
    }

    /// A card's brand and last four digits as buyers see them on receipts: "Visa •••• 4242".
    pub fn card(brand: Option<&str>, last4: Option<&str>) -> Option<String> {
        let brand = brand.map(|b| match b.to_ascii_lowercase().as_str() {
            "visa" => "Visa".to_owned(),
            "mastercard" => "Mastercard".to_owned(),
            "amex" | "american_express" => "American Express".to_owned(),
            "jcb" => "JCB".to_owned(),
            "diners" | "diners_club" => "Diners Club".to_owned(),
            "discover" => "Discover".to_owned(),
            "unionpay" => "UnionPay".to_owned(),
            _ => b.to_owned(),
        });
        match (brand, last4) {
            (Some(b), Some(l)) => Some(format!("{b} •••• {l}")),
            (Some(b), None) => Some(b),
            (None, Some(l)) => Some(format!("•••• {l}")),
            (None, None) => None,
        }
    }

    /// Why a payment was declined, from the provider's reason code.
    pub fn decline_reason(&self, failure_code: Option<&str>) -> &'static str {
        match failure_code {
            Some("card_declined") => self.reason_card_declined,
            Some("insufficient_funds") => self.reason_insufficient_funds,
            Some("authentication_failed") => self.reason_authentication_failed,
            Some("payment_canceled") => self.reason_canceled,
            _ => self.reason_generic,
        }
    }
}

pub fn text(locale: Locale) -> &'static Text {
    match locale {
        Locale::En => &EN,
        Locale::Ja => &JA,
    }
}

static EN: Text = Text {
    lang: "en",
    brand_note: "Secure payment link",

    pay_page_title: "Payment",
    paying_to: "Payment to",
    amount: "Amount",
    reference: "Reference",
    expires: "Link valid until",
    pay_button: ("Pay ", ""),
    pay_button_plain: "Pay",
    amount_label: "Amount ({})",
    amount_range: ("Between ", " and ", ""),
    amount_errors: AmountErrors {
        missing: "Enter the amount to pay.",
        not_a_number_whole: "Enter the amount in digits, for example 1500.",
        not_a_number_decimal: "Enter the amount in digits, for example 15.00.",
        no_decimals: "{} amounts have no decimal places.",
        too_precise: "Use at most {} digits after the decimal point.",
        below_minimum: "The minimum amount is {}.",
        above_maximum: "The maximum amount is {}.",
    },
    email_label: "Email for your receipt (optional)",
    email_invalid: "Enter an email address like name@example.com, or leave this empty.",
    card_entry_note: "You will enter your card details on our payment provider's secure page. \
                      This page never asks for them.",
    support_label: "Questions about this payment?",
    preview_banner: "Preview: this is how buyers see your pay page. It cannot be paid.",
    test_mode_banner: "Test mode: no real money is charged. Pay with a test card.",
    preview_title: "Sample order",
    method_legend: "Pay with",
    method_card: "Card",
    method_wallet: "Wallet",
    method_unavailable: "This payment method is not available. Choose another one.",

    result_page_title: "Payment result",
    paid_heading: "Payment complete",
    paid_body: "Thank you. Your payment was successful.",
    declined_heading: "Payment declined",
    failed_heading: "Payment not completed",
    failed_body: "The payment could not be completed. Please try again later.",
    try_another_card: "Go back to the payment link to try another card.",
    merchant: "Merchant",
    item: "For",
    card: "Card",
    charge_id: "Payment ID",
    reason_card_declined: "Your card was declined.",
    reason_insufficient_funds: "Insufficient funds.",
    reason_generic: "Your card issuer did not approve the payment.",
    reason_authentication_failed: "The card could not be verified with 3-D Secure.",
    reason_canceled: "The payment was canceled.",

    link_not_found: (
        "Payment link not found",
        "This link is not valid. Check that you opened the whole address, or ask the merchant \
         for a new link.",
    ),
    result_not_found: (
        "Payment result not available",
        "This page has expired or its address is incomplete. Check your email or contact the \
         merchant to confirm your payment.",
    ),
    page_not_found: ("Page not found", "There is nothing at this address."),
    expired: (
        "This payment link has expired",
        "Ask the merchant for a new link. Nothing was charged.",
    ),
    already_paid: (
        "This link has already been paid",
        "There is nothing more to pay. If you think this is a mistake, contact the merchant.",
    ),
    in_progress: (
        "Someone is paying this link right now",
        "If that payment does not complete, the link becomes available again in a few minutes.",
    ),
    deactivated: (
        "This payment link is no longer active",
        "The merchant has turned this link off. Contact them if you still need to pay.",
    ),
    used_up: (
        "This link is no longer accepting payments",
        "It has taken all the payments it was set up for. Nothing was charged. Contact the \
         merchant if you still need to pay.",
    ),
    short_link_not_found: (
        "Payment link not found",
        "There is no payment link at this short address. Check that you typed it correctly, \
         or ask the merchant for a new link.",
    ),
    unavailable: (
        "Payment service unavailable",
        "We could not reach the payment service. Nothing was charged. Please try again.",
    ),
    misconfigured: (
        "This payment page is not available",
        "The site is not set up correctly (setting {}). Nothing was charged.",
    ),
    merchant_message: "Message from the merchant",
};

static JA: Text = Text {
    lang: "ja",
    brand_note: "安全なお支払いリンク",

    pay_page_title: "お支払い",
    paying_to: "お支払い先",
    amount: "金額",
    reference: "参照番号",
    expires: "有効期限",
    pay_button: ("", " を支払う"),
    pay_button_plain: "支払う",
    amount_label: "金額（{}）",
    amount_range: ("", "〜", "の範囲でご入力ください"),
    amount_errors: AmountErrors {
        missing: "お支払い金額を入力してください。",
        not_a_number_whole: "金額は数字で入力してください（例: 1500）。",
        not_a_number_decimal: "金額は数字で入力してください（例: 15.00）。",
        no_decimals: "{}の金額に小数点以下は入力できません。",
        too_precise: "小数点以下は{}桁までで入力してください。",
        below_minimum: "{}以上の金額を入力してください。",
        above_maximum: "{}以下の金額を入力してください。",
    },
    email_label: "領収書を受け取るメールアドレス（任意）",
    email_invalid: "name@example.com の形でメールアドレスを入力するか、空欄にしてください。",
    card_entry_note: "カード情報は決済代行会社の安全なページで入力します。このページでカード情報を\
                      お尋ねすることはありません。",
    support_label: "このお支払いについてのお問い合わせ",
    preview_banner: "プレビュー：お客様に表示される支払いページです。お支払いはできません。",
    test_mode_banner: "テストモード：実際の請求は発生しません。テスト用カードでお支払いください。",
    preview_title: "サンプルのご注文",
    method_legend: "お支払い方法",
    method_card: "クレジットカード",
    method_wallet: "ウォレット",
    method_unavailable: "このお支払い方法はご利用いただけません。別の方法をお選びください。",

    result_page_title: "お支払い結果",
    paid_heading: "お支払いが完了しました",
    paid_body: "ありがとうございました。お支払いは正常に完了しました。",
    declined_heading: "お支払いが承認されませんでした",
    failed_heading: "お支払いを完了できませんでした",
    failed_body: "決済処理を完了できませんでした。時間をおいて再度お試しください。",
    try_another_card: "別のカードでお支払いいただくには、お支払いリンクに戻ってください。",
    merchant: "お支払い先",
    item: "内容",
    card: "カード",
    charge_id: "決済ID",
    reason_card_declined: "カードが承認されませんでした。",
    reason_insufficient_funds: "ご利用可能額が不足しています。",
    reason_generic: "カード発行会社によりお支払いが承認されませんでした。",
    reason_authentication_failed: "3-Dセキュアによる本人認証ができませんでした。",
    reason_canceled: "お支払いはキャンセルされました。",

    link_not_found: (
        "お支払いリンクが見つかりません",
        "リンクが正しくありません。URLをすべて開いたかご確認いただくか、販売者に新しいリンクを\
         お問い合わせください。",
    ),
    result_not_found: (
        "お支払い結果を表示できません",
        "このページの有効期限が切れているか、URLが不完全です。お支払い状況はメールでご確認いただくか、\
         販売者にお問い合わせください。",
    ),
    page_not_found: (
        "ページが見つかりません",
        "このアドレスにはページがありません。",
    ),
    expired: (
        "このお支払いリンクは有効期限が切れています",
        "販売者に新しいリンクをお問い合わせください。請求は発生していません。",
    ),
    already_paid: (
        "このリンクはお支払い済みです",
        "追加のお支払いは不要です。お心当たりがない場合は販売者にお問い合わせください。",
    ),
    in_progress: (
        "現在、このリンクで別のお支払いが進行中です",
        "そのお支払いが完了しなかった場合、数分後に再びご利用いただけます。",
    ),
    deactivated: (
        "このお支払いリンクは無効になっています",
        "販売者によりこのリンクは停止されました。お支払いが必要な場合は販売者にお問い合わせください。",
    ),
    used_up: (
        "このリンクでのお支払いの受付は終了しました",
        "このリンクで受け付けるお支払いの上限に達しました。請求は発生していません。お支払いが\
         必要な場合は販売者にお問い合わせください。",
    ),
    short_link_not_found: (
        "お支払いリンクが見つかりません",
        "この短縮URLに対応するお支払いリンクはありません。入力に誤りがないかご確認いただくか、\
         販売者に新しいリンクをお問い合わせください。",
    ),
    unavailable: (
        "決済サービスに接続できません",
        "決済サービスに接続できませんでした。請求は発生していません。もう一度お試しください。",
    ),
    misconfigured: (
        "このお支払いページは現在ご利用いただけません",
        "サイトの設定に誤りがあります（設定項目 {}）。請求は発生していません。",
    ),
    merchant_message: "販売者からのメッセージ",
};

/// A link's expiry as buyers read it: English in UTC, Japanese in Japan Standard Time (where
/// Japanese-speaking buyers almost always are). Also returns the ISO 8601 form for `<time>`.
pub fn expiry(locale: Locale, unix_secs: i64) -> (String, String) {
    let iso = {
        let (y, mo, d, h, mi) = civil(unix_secs);
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}Z")
    };
    let shown = match locale {
        Locale::En => {
            let (y, mo, d, h, mi) = civil(unix_secs);
            const MONTHS: [&str; 12] = [
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
            ];
            let month = MONTHS.get(mo as usize - 1).copied().unwrap_or("");
            format!("{month} {d}, {y}, {h:02}:{mi:02} UTC")
        }
        Locale::Ja => {
            let (y, mo, d, h, mi) = civil(unix_secs.saturating_add(9 * 3600));
            format!("{y}年{mo}月{d}日 {h:02}:{mi:02}（日本時間）")
        }
    };
    (shown, iso)
}

/// Unix seconds → (year, month 1-12, day, hour, minute) in UTC, proleptic Gregorian.
/// Howard Hinnant's `civil_from_days`.
fn civil(unix_secs: i64) -> (i64, u32, u32, u32, u32) {
    let days = unix_secs.div_euclid(86_400);
    let secs = unix_secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        month,
        day,
        (secs / 3600) as u32,
        ((secs % 3600) / 60) as u32,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_language_by_locale() {
        assert_eq!(text(Locale::En).lang, "en");
        assert_eq!(text(Locale::Ja).lang, "ja");
        assert_eq!(text(Locale::En).pay_button("¥1,500"), "Pay ¥1,500");
        assert_eq!(text(Locale::Ja).pay_button("¥1,500"), "¥1,500 を支払う");
        assert_eq!(
            text(Locale::En).amount_range("¥500", "¥50,000"),
            "Between ¥500 and ¥50,000"
        );
        assert_eq!(
            text(Locale::Ja).amount_range("¥500", "¥50,000"),
            "¥500〜¥50,000の範囲でご入力ください"
        );
        assert_eq!(text(Locale::En).amount_label("JPY"), "Amount (JPY)");
        assert_eq!(text(Locale::Ja).amount_label("JPY"), "金額（JPY）");
    }

    #[test]
    fn decline_reasons_are_friendly() {
        let en = text(Locale::En);
        assert_eq!(
            en.decline_reason(Some("card_declined")),
            "Your card was declined."
        );
        assert_eq!(
            en.decline_reason(Some("insufficient_funds")),
            "Insufficient funds."
        );
        assert_eq!(en.decline_reason(Some("do_not_honor")), en.reason_generic);
        assert_eq!(en.decline_reason(None), en.reason_generic);
        assert_eq!(
            text(Locale::Ja).decline_reason(Some("insufficient_funds")),
            "ご利用可能額が不足しています。"
        );
    }

    #[test]
    fn cards_read_like_receipts() {
        assert_eq!(
            Text::card(Some("visa"), Some("4242")).as_deref(),
            Some("Visa •••• 4242")
        );
        assert_eq!(Text::card(Some("jcb"), None).as_deref(), Some("JCB"));
        assert_eq!(Text::card(None, Some("0005")).as_deref(), Some("•••• 0005"));
        assert_eq!(Text::card(None, None), None);
    }

    #[test]
    fn expiry_is_shown_in_utc_or_japan_time() {
        // 2026-12-31T15:30:00Z is 2027-01-01 00:30 in Japan.
        let t = 1_798_731_000;
        assert_eq!(
            expiry(Locale::En, t),
            (
                "Dec 31, 2026, 15:30 UTC".to_owned(),
                "2026-12-31T15:30Z".to_owned()
            )
        );
        assert_eq!(expiry(Locale::Ja, t).0, "2027年1月1日 00:30（日本時間）");
        assert_eq!(expiry(Locale::En, 0).1, "1970-01-01T00:00Z");
        assert_eq!(expiry(Locale::En, 951_782_400).1, "2000-02-29T00:00Z");
    }

    #[test]
    fn every_language_fills_every_message() {
        for locale in [Locale::En, Locale::Ja] {
            let t = text(locale);
            for (heading, body) in [
                t.link_not_found,
                t.result_not_found,
                t.page_not_found,
                t.expired,
                t.already_paid,
                t.in_progress,
                t.deactivated,
                t.used_up,
                t.short_link_not_found,
                t.unavailable,
                t.misconfigured,
            ] {
                assert!(!heading.is_empty() && !body.is_empty());
            }
            assert!(t.misconfigured.1.contains("{}"));
        }
    }
}
