//! `linkpay link sign`: a payment link minted offline from a key file, the way CloudFront
//! signed URLs work. No API call and no database: the edge verifies the token with the same
//! key ring. Only the URL goes to stdout, so scripts can capture it; notes go to stderr.

use super::{CliError, key_file_error, output_error};
use crate::domain::keyfile::{KeyFile, KeyFileError};
use crate::domain::links::{DEFAULT_TTL_SECS, MAX_TTL_SECS};
use crate::{base::clock, base::ids, base::qr};
use clap::{Args, Subcommand};
use linkpay_shared::metadata;
use linkpay_shared::money::parse_major;
use linkpay_shared::token::mode_name;
use linkpay_shared::token::{
    self, Amount, LinkClaims, MAX_DESCRIPTION_CHARS, MAX_FREE_CHARS, MAX_MERCHANT_NAME_CHARS,
    MAX_REFERENCE_CHARS, MAX_TITLE_CHARS, MAX_TOKEN_LEN, MAX_USE_LIMIT, TokenError, Usage,
};
use linkpay_shared::{Currency, Locale, Money, MoneyError};
use std::io::Write;
use std::path::{Path, PathBuf};

pub const DEFAULT_EDGE_URL: &str = "http://127.0.0.1:8787";
/// Pixels per module in a PNG written by `--qr`.
pub const QR_PNG_SCALE: u32 = 8;

#[derive(Debug, Subcommand)]
pub enum LinkCommand {
    /// Mint a payment link offline from a key file: no API call, no database.
    ///
    /// Prints only the link URL on stdout. Amounts are in minor units, as in the API:
    /// --amount 1500 --currency JPY is ¥1,500 and --amount 1500 --currency USD is $15.00
    /// (add --major to write 15.00). Bad input exits with status 2 and names the option.
    Sign(Box<SignArgs>),
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    linkpay link sign --keys keys.txt --merchant-id mch_123 --title 'Tea ceremony' \\\n      \
        --amount 1500 --currency JPY --locale ja\n  \
    linkpay link sign --keys keys.txt --merchant-id mch_123 --title Donation \\\n      \
        --currency USD --min 500 --max 100000 --usage multi --expires-in 90d --qr donate.svg")]
pub struct SignArgs {
    /// The key file (made by `linkpay keys new`). Signs with its current key of the link's
    /// mode.
    #[arg(long, value_name = "PATH", env = "LINKPAY_LINK_KEYS_FILE")]
    pub keys: PathBuf,
    /// Sign with this key from the file instead of the current one; it must be of the
    /// link's mode.
    #[arg(long)]
    pub kid: Option<String>,
    /// A live link, signed with a live key: it takes real money through the merchant's live
    /// provider accounts. Without it the link is a test link.
    #[arg(long)]
    pub live: bool,
    /// The merchant's id, as the API shows it (mch_…).
    #[arg(long, value_name = "ID")]
    pub merchant_id: String,
    /// The merchant's name, shown on the pay page.
    #[arg(long, value_name = "TEXT")]
    pub merchant_name: Option<String>,
    /// A fixed price, in minor units of --currency (1500 is ¥1,500 or $15.00).
    #[arg(long, value_name = "MINOR", allow_hyphen_values = true, conflicts_with_all = ["min", "max"])]
    pub amount: Option<String>,
    /// ISO 4217 code: JPY, USD, EUR, GBP, THB, SGD, MYR or KRW.
    #[arg(long, value_name = "CODE")]
    pub currency: String,
    /// The buyer chooses the amount: at least this, in minor units (default 1).
    #[arg(long, value_name = "MINOR", allow_hyphen_values = true)]
    pub min: Option<String>,
    /// The buyer chooses the amount: at most this, in minor units (default: the currency's
    /// maximum, e.g. 99999999 for JPY).
    #[arg(long, value_name = "MINOR", allow_hyphen_values = true)]
    pub max: Option<String>,
    /// Read --amount, --min and --max in major units (15.00, 1,500) instead of minor units.
    #[arg(long)]
    pub major: bool,
    /// What is being paid for, shown on the pay page (1-100 characters).
    #[arg(long, value_name = "TEXT")]
    pub title: String,
    /// More detail for the pay page (1-300 characters).
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,
    /// Your own reference, e.g. an order number (1-64 characters).
    #[arg(long, value_name = "TEXT")]
    pub reference: Option<String>,
    /// Free text field 1 (1-100 characters). Free fields and metadata travel inside the
    /// link, where anyone who has the link can read them.
    #[arg(long, value_name = "TEXT")]
    pub free1: Option<String>,
    /// Free text field 2.
    #[arg(long, value_name = "TEXT")]
    pub free2: Option<String>,
    /// Free text field 3.
    #[arg(long, value_name = "TEXT")]
    pub free3: Option<String>,
    /// A metadata pair; repeat for more (up to 20 keys of A-Z a-z 0-9 _ - .).
    #[arg(long, value_name = "KEY=VALUE")]
    pub metadata: Vec<String>,
    /// single (one payment), multi (any number), or N: at most N payments (N ≥ 2).
    #[arg(long, value_name = "single|multi|N", default_value = "single")]
    pub usage: String,
    /// How long the link works: 30m, 12h, 7d … (default 30d, at most 365d).
    #[arg(long, value_name = "SPAN", conflicts_with = "expires_at")]
    pub expires_in: Option<String>,
    /// When the link stops working, in unix seconds (at most 365 days ahead).
    #[arg(long, value_name = "UNIX", allow_hyphen_values = true)]
    pub expires_at: Option<String>,
    /// The pay page's language: en or ja.
    #[arg(long, value_name = "en|ja", default_value = "en")]
    pub locale: String,
    /// The link's id (default: a new random lnk_… id).
    #[arg(long, value_name = "ID")]
    pub link_id: Option<String>,
    /// The edge worker's base URL; the link is EDGE_URL/l/TOKEN [default: http://127.0.0.1:8787]
    #[arg(long, value_name = "URL", env = "LINKPAY_EDGE_URL")]
    pub edge_url: Option<String>,
    /// Also write the link as a QR code to PATH, which ends in .svg or .png.
    #[arg(long, value_name = "PATH")]
    pub qr: Option<PathBuf>,
}

fn usage(message: impl Into<String>) -> CliError {
    CliError::Usage(message.into())
}

pub fn run(args: &SignArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let now = clock::system_now();
    let qr_format = args.qr.as_deref().map(qr_format).transpose()?;
    let edge_url = match &args.edge_url {
        Some(url) => edge_url(url)?,
        None => DEFAULT_EDGE_URL.to_owned(),
    };
    let claims = claims(args, now)?;

    let keys = KeyFile::load(&args.keys).map_err(|e| key_file_error("--keys", &args.keys, e))?;
    if let Some(kid) = &args.kid
        && let Some(live) = keys.livemode_of(kid)
        && live != args.live
    {
        return Err(usage(format!(
            "--kid: key {kid:?} is a {} key, and a {} link must be signed with a {} key{}",
            mode_name(live),
            mode_name(args.live),
            mode_name(args.live),
            if args.live {
                ""
            } else {
                " (add --live for a live link)"
            }
        )));
    }
    let ring = match &args.kid {
        None => keys.keyring(),
        Some(kid) => keys.keyring_signing_with(kid),
    }
    .map_err(|e| match e {
        KeyFileError::UnknownKid(kid) => usage(format!(
            "--kid: there is no key {kid:?} in {}",
            args.keys.display()
        )),
        KeyFileError::Retired(kid) => usage(format!(
            "--kid: key {kid:?} in {} is retired (its secret was removed), so it cannot sign",
            args.keys.display()
        )),
        other => key_file_error("--keys", &args.keys, other),
    })?;
    let token = ring.sign(&claims).map_err(|e| match e {
        TokenError::TooLong => usage(format!(
            "the link token would be longer than {MAX_TOKEN_LEN} bytes; shorten --title, \
             --description, --free1, --free2, --free3 or --metadata"
        )),
        TokenError::BadClaims(field) => usage(claim_problem(field)),
        TokenError::NoSigningKey(live) => usage(format!(
            "--keys: {} has no {mode} key to sign a {mode} link with; add one with \
             `linkpay keys rotate{} --file {}`",
            args.keys.display(),
            if live { " --live" } else { "" },
            args.keys.display(),
            mode = mode_name(live),
        )),
        other => CliError::Failure(format!("signing the link: {other}")),
    })?;
    let url = format!("{edge_url}/l/{token}");

    if let (Some(path), Some(format)) = (&args.qr, qr_format) {
        write_qr(path, format, &url)?;
        eprintln!("linkpay: wrote the QR code to {}", path.display());
    }
    writeln!(out, "{url}").map_err(output_error)?;
    if args.edge_url.is_none() {
        eprintln!(
            "linkpay: note: no --edge-url or LINKPAY_EDGE_URL, so the link points at \
             {DEFAULT_EDGE_URL} (a local worker)"
        );
    }
    eprintln!(
        "linkpay: signed {} link {} with key {}; it works until {}",
        mode_name(claims.livemode),
        claims.link_id,
        ring.current_kid(claims.livemode).unwrap_or_default(),
        clock::rfc3339(claims.expires_at)
    );
    Ok(())
}

/// The claims the options describe, checked as the token format checks them, with every
/// problem named by its option.
pub fn claims(args: &SignArgs, now: i64) -> Result<LinkClaims, CliError> {
    let currency = Currency::from_code(args.currency.trim()).ok_or_else(|| {
        let codes: Vec<&str> = Currency::ALL.iter().map(|c| c.code()).collect();
        usage(format!(
            "--currency: {:?} is not a supported currency ({})",
            args.currency,
            codes.join(", ")
        ))
    })?;
    let amount = amount(args, currency)?;
    let mut metadata = Vec::new();
    for pair in &args.metadata {
        let (k, v) = pair
            .split_once('=')
            .ok_or_else(|| usage(format!("--metadata: {pair:?} is not KEY=VALUE")))?;
        metadata.push((k.to_owned(), v.to_owned()));
    }
    metadata::validate(&metadata).map_err(|e| usage(format!("--metadata: {e}")))?;
    // The token wants keys in ascending order, so that one claim set has one encoding.
    metadata.sort_by(|a, b| a.0.cmp(&b.0));

    let claims = LinkClaims {
        link_id: args.link_id.clone().unwrap_or_else(|| ids::new_id("lnk")),
        merchant_id: args.merchant_id.clone(),
        merchant_name: args.merchant_name.clone().unwrap_or_default(),
        amount,
        expires_at: expires_at(args, now)?,
        usage: parse_usage(&args.usage)?,
        title: args.title.clone(),
        description: args.description.clone(),
        reference: args.reference.clone(),
        locale: parse_locale(&args.locale)?,
        free: [args.free1.clone(), args.free2.clone(), args.free3.clone()],
        metadata,
        livemode: args.live,
    };
    if args.merchant_name.as_deref() == Some("") {
        return Err(usage(claim_problem("merchant_name")));
    }
    token::validate(&claims).map_err(|e| match e {
        TokenError::BadClaims(field) => usage(claim_problem(field)),
        TokenError::AmountOutOfRange => usage("--min, --max: out of range for the currency"),
        other => usage(other.to_string()),
    })?;
    Ok(claims)
}

fn amount(args: &SignArgs, currency: Currency) -> Result<Amount, CliError> {
    let read = |option: &str, value: &str| -> Result<Money, CliError> {
        let minor = if args.major {
            parse_major(value, currency).map_err(|e| usage(format!("{option}: {e}")))?
        } else {
            value.trim().parse::<i64>().map_err(|_| {
                usage(format!(
                    "{option}: {value:?} is not a whole number of minor units (1500 is ¥1,500 \
                     or $15.00; add --major to write 15.00)"
                ))
            })?
        };
        Money::new(minor, currency).map_err(|e| match e {
            MoneyError::NotPositive => usage(format!(
                "{option}: {minor} is not a positive amount in minor units"
            )),
            MoneyError::OverMaximum { max, .. } => usage(format!(
                "{option}: {minor} exceeds the {currency} maximum of {max} minor units{}",
                Money::new(max, currency)
                    .map(|m| format!(" ({})", m.format(Locale::En)))
                    .unwrap_or_default()
            )),
        })
    };
    match (&args.amount, &args.min, &args.max) {
        (Some(a), None, None) => Ok(Amount::Fixed(read("--amount", a)?)),
        (None, None, None) => Err(usage(
            "--amount: required; give --amount for a fixed price, or --min and/or --max to let \
             the buyer choose",
        )),
        (None, min, max) => {
            let min = match min {
                Some(v) => read("--min", v)?.minor(),
                None => 1,
            };
            let max = match max {
                Some(v) => read("--max", v)?.minor(),
                None => currency.max_minor(),
            };
            if min > max {
                return Err(usage(format!("--min: {min} is above --max {max}")));
            }
            Ok(Amount::BuyerChosen { currency, min, max })
        }
        _ => Err(usage("--amount cannot be used with --min or --max")),
    }
}

fn expires_at(args: &SignArgs, now: i64) -> Result<i64, CliError> {
    const LIMIT: &str = "links live at most 365 days, so that an old key can be retired a year \
                         after rotation";
    if let Some(value) = &args.expires_at {
        let at: i64 = value
            .trim()
            .parse()
            .map_err(|_| usage(format!("--expires-at: {value:?} is not unix seconds")))?;
        if at <= now {
            return Err(usage(format!(
                "--expires-at: {at} ({}) is in the past",
                clock::rfc3339(at)
            )));
        }
        if at - now > MAX_TTL_SECS {
            return Err(usage(format!(
                "--expires-at: {at} ({}) is more than 365 days ahead; {LIMIT}",
                clock::rfc3339(at)
            )));
        }
        return Ok(at);
    }
    let secs = match &args.expires_in {
        None => DEFAULT_TTL_SECS,
        Some(span) => parse_span(span).ok_or_else(|| {
            usage(format!(
                "--expires-in: {span:?} is not a span like 30m, 12h or 7d"
            ))
        })?,
    };
    if secs > MAX_TTL_SECS {
        return Err(usage(format!(
            "--expires-in: {} is more than 365d; {LIMIT}",
            args.expires_in.as_deref().unwrap_or_default()
        )));
    }
    Ok(now + secs)
}

/// `90s`, `30m`, `12h`, `7d` → seconds; zero is refused.
fn parse_span(s: &str) -> Option<i64> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = s.split_at(split);
    let n: i64 = n.parse().ok()?;
    let unit = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return None,
    };
    n.checked_mul(unit).filter(|secs| *secs > 0)
}

fn parse_usage(s: &str) -> Result<Usage, CliError> {
    match s.trim() {
        "single" => Ok(Usage::SingleUse),
        "multi" => Ok(Usage::MultiUse),
        "1" => Err(usage(
            "--usage: 1 payment is --usage single; a limit must be at least 2",
        )),
        n => match n.parse::<u32>() {
            Ok(n) if (2..=MAX_USE_LIMIT).contains(&n) => Ok(Usage::Limited(n)),
            _ => Err(usage(format!(
                "--usage: {s:?} must be single, multi, or a number of payments from 2 to \
                 {MAX_USE_LIMIT}"
            ))),
        },
    }
}

fn parse_locale(s: &str) -> Result<Locale, CliError> {
    match s.trim().to_ascii_lowercase().as_str() {
        "en" => Ok(Locale::En),
        "ja" => Ok(Locale::Ja),
        _ => Err(usage(format!("--locale: {s:?} must be en or ja"))),
    }
}

/// What the token format wants of a claim, said in terms of the option that sets it.
fn claim_problem(field: &str) -> String {
    let text = |max: usize| format!("1-{max} characters, not blank, with no control characters");
    let id = "1-64 characters of A-Z a-z 0-9 _".to_owned();
    let (option, rule) = match field {
        "link_id" => ("--link-id", id),
        "merchant_id" => ("--merchant-id", id),
        "merchant_name" => ("--merchant-name", text(MAX_MERCHANT_NAME_CHARS)),
        "title" => ("--title", text(MAX_TITLE_CHARS)),
        "description" => ("--description", text(MAX_DESCRIPTION_CHARS)),
        "reference" => ("--reference", text(MAX_REFERENCE_CHARS)),
        "free1" => ("--free1", text(MAX_FREE_CHARS)),
        "free2" => ("--free2", text(MAX_FREE_CHARS)),
        "free3" => ("--free3", text(MAX_FREE_CHARS)),
        "usage" => ("--usage", format!("single, multi or 2-{MAX_USE_LIMIT}")),
        "metadata" => (
            "--metadata",
            "KEY=VALUE pairs with distinct keys".to_owned(),
        ),
        "expires_at" => ("--expires-at", "a time in the future".to_owned()),
        other => return format!("the link's {other} is not valid"),
    };
    format!("{option}: must be {rule}")
}

fn edge_url(url: &str) -> Result<String, CliError> {
    crate::base::url::normalize_base_url(url).ok_or_else(|| {
        usage(format!(
            "--edge-url: {url:?} must be an http(s) base URL such as https://pay.example.com"
        ))
    })
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum QrFormat {
    Svg,
    Png,
}

fn qr_format(path: &Path) -> Result<QrFormat, CliError> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    match ext.as_deref() {
        Some("svg") => Ok(QrFormat::Svg),
        Some("png") => Ok(QrFormat::Png),
        _ => Err(usage(format!(
            "--qr: {} must end in .svg or .png",
            path.display()
        ))),
    }
}

fn write_qr(path: &Path, format: QrFormat, url: &str) -> Result<(), CliError> {
    let bytes = match format {
        QrFormat::Svg => qr::svg(url).map(String::into_bytes),
        QrFormat::Png => qr::png(url, QR_PNG_SCALE),
    }
    .map_err(|e| match e {
        qr::QrError::TooLong(n) => usage(format!(
            "--qr: the link is {n} bytes, more than a QR code holds at error correction \
             level M (2331); shorten --title, --description, --free1..3 or --metadata, or \
             leave out --qr"
        )),
        other => CliError::Failure(format!("--qr: {other}")),
    })?;
    std::fs::write(path, bytes)
        .map_err(|e| CliError::Failure(format!("--qr {}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_parse_and_zero_is_refused() {
        assert_eq!(parse_span("30m"), Some(1800));
        assert_eq!(parse_span("12h"), Some(43_200));
        assert_eq!(parse_span("7d"), Some(604_800));
        assert_eq!(parse_span("365d"), Some(MAX_TTL_SECS));
        assert_eq!(parse_span("0d"), None);
        assert_eq!(parse_span("7"), None);
        assert_eq!(parse_span("1w"), None);
        assert_eq!(parse_span("-1d"), None);
        assert_eq!(parse_span("99999999999999999999d"), None);
    }

    #[test]
    fn usage_and_locale() {
        assert_eq!(parse_usage("single").ok(), Some(Usage::SingleUse));
        assert_eq!(parse_usage("multi").ok(), Some(Usage::MultiUse));
        assert_eq!(parse_usage("5").ok(), Some(Usage::Limited(5)));
        for bad in ["1", "0", "many", "1000001"] {
            let e = parse_usage(bad).expect_err(bad);
            assert!(e.to_string().starts_with("--usage: "), "{e}");
            assert_eq!(e.exit_code(), 2);
        }
        assert_eq!(parse_locale("JA").ok(), Some(Locale::Ja));
        assert!(parse_locale("fr").is_err());
    }

    #[test]
    fn every_claim_problem_names_an_option() {
        for field in [
            "link_id",
            "merchant_id",
            "merchant_name",
            "title",
            "description",
            "reference",
            "free1",
            "free2",
            "free3",
            "usage",
            "metadata",
            "expires_at",
        ] {
            let msg = claim_problem(field);
            assert!(msg.starts_with("--"), "{field}: {msg}");
        }
    }

    #[test]
    fn qr_format_comes_from_the_extension() {
        assert_eq!(qr_format(Path::new("a.SVG")).ok(), Some(QrFormat::Svg));
        assert_eq!(qr_format(Path::new("x/a.png")).ok(), Some(QrFormat::Png));
        assert!(qr_format(Path::new("a.jpg")).is_err());
        assert!(qr_format(Path::new("svg")).is_err());
    }
}
