//! Checking an email address a buyer typed: the common `local@domain` form that mail systems
//! deliver to (RFC 5321 dot-atom local part, DNS host name, length limits). Quoted local parts
//! and IP-literal domains are refused: real buyers do not type them, and mail senders treat
//! them differently.

use regex::Regex;
use std::sync::LazyLock;

pub const MAX_LEN: usize = 254;
const MAX_LOCAL_LEN: usize = 64;

/// The characters of a dot-atom (RFC 5321) besides letters and digits (`-` last, so that
/// they make a character class as they are).
pub const ATEXT_SYMBOLS: &str = "!#$%&'*+/=?^_`{|}~-";

/// The shape of an address, as a pattern (the same in the OpenAPI document): a dot-atom local
/// part, `@`, two or more DNS labels of ASCII letters, digits and inner hyphens, the last not
/// all digits; spaces around are trimmed. Internationalised domains go in their `xn--` form.
/// Lengths are checked apart: a pattern cannot bound the parts of a whole.
pub fn shape_pattern(symbols: &str) -> String {
    // In a class none of these needs escaping, with `-` last and `^` not first.
    debug_assert!(symbols.ends_with('-') && !symbols.starts_with('^'));
    let atext = format!("[A-Za-z0-9{symbols}]");
    let label = "[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?";
    let tld = "(?:[A-Za-z0-9]+-+)*[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*(?:-+[A-Za-z0-9]+)*";
    format!("^\\s*{atext}+(?:\\.{atext}+)*@(?:{label}\\.)+{tld}\\s*$")
}

static SHAPE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&shape_pattern(ATEXT_SYMBOLS)).expect("the address pattern"));

/// Why an address is refused: its shape (what the pattern says), or a length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Shape(&'static str),
    Length(&'static str),
}

impl Refusal {
    pub fn message(self) -> &'static str {
        match self {
            Refusal::Shape(m) | Refusal::Length(m) => m,
        }
    }
}

/// The address, trimmed, or why it is not one.
pub fn check(input: &str) -> Result<String, &'static str> {
    examine(input).map_err(Refusal::message)
}

/// As [`check`], saying whether the shape or a length is wrong.
pub fn examine(input: &str) -> Result<String, Refusal> {
    examine_shaped(input, &SHAPE)
}

/// As [`examine`], with fewer symbols allowed before `@` (the pay page's support address
/// takes no apostrophe). Compiles its pattern each time: for rare callers.
pub fn examine_with(input: &str, symbols: &str) -> Result<String, Refusal> {
    let shape = Regex::new(&shape_pattern(symbols)).expect("the address pattern");
    examine_shaped(input, &shape)
}

fn examine_shaped(input: &str, shape: &Regex) -> Result<String, Refusal> {
    let s = input.trim();
    if !shape.is_match(input) {
        return Err(Refusal::Shape(match s.split_once('@') {
            Some((_, d)) if !d.contains('@') && !s.starts_with('@') => {
                if valid_local(s.split('@').next().unwrap_or_default()) {
                    "The part after @ is not a valid domain, like example.com."
                } else {
                    "The part before @ is not valid in an email address."
                }
            }
            _ => "An email address has one @, like name@example.com.",
        }));
    }
    let (local, domain) = s.split_once('@').unwrap_or_default();
    if s.len() > MAX_LEN {
        return Err(Refusal::Length(
            "An email address is at most 254 characters.",
        ));
    }
    if local.len() > MAX_LOCAL_LEN {
        return Err(Refusal::Length(
            "The part before @ is at most 64 characters.",
        ));
    }
    if domain.len() > 253 || domain.split('.').any(|l| l.len() > 63) {
        return Err(Refusal::Length(
            "The part after @ is too long: at most 253 characters, 63 between dots.",
        ));
    }
    Ok(s.to_owned())
}

fn valid_local(local: &str) -> bool {
    let atext = |c: char| c.is_ascii_alphanumeric() || ATEXT_SYMBOLS.contains(c);
    !local.is_empty()
        && local
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(atext))
}

#[cfg(test)]
mod tests {
    use super::{Refusal, check, examine};

    #[test]
    fn ordinary_addresses_pass() {
        for ok in [
            "buyer@example.com",
            "first.last+shop@mail.example.co.jp",
            "o'brien@example.ie",
            "x@xn--eckwd4c7c.xn--zckzah",
        ] {
            assert_eq!(check(ok).as_deref(), Ok(ok), "{ok}");
        }
        // Internationalised local parts need SMTPUTF8 end to end; not accepted yet.
        assert!(check("買い物@例え.jp").is_err());
        assert_eq!(check("  a@b.jp \n").as_deref(), Ok("a@b.jp"));
        // Internationalised domains go in their xn-- form (the pattern is ASCII, as the
        // OpenAPI document's must be to mean the same in every regex engine).
        assert!(check("taro@例え.jp").is_err());
    }

    #[test]
    fn broken_addresses_say_which_part_is_wrong() {
        for bad in [
            "",
            "buyer",
            "@example.com",
            "buyer@",
            "a@b@example.com",
            "a..b@example.com",
            ".a@example.com",
            "a.@example.com",
            "a b@example.com",
            "\"a\"@example.com",
            "a@localhost",
            "a@example..com",
            "a@-example.com",
            "a@example-.com",
            "a@example.123",
            "a@[127.0.0.1]",
            "a@exa_mple.com",
            "<script>@example.com",
        ] {
            assert!(check(bad).is_err(), "{bad}");
        }
        let long_local = format!("{}@example.com", "a".repeat(65));
        assert!(matches!(examine(&long_local), Err(Refusal::Length(_))));
        let long_domain = format!("a@{}.com", "b".repeat(250));
        assert!(matches!(examine(&long_domain), Err(Refusal::Length(_))));
        assert!(matches!(examine("a b@example.com"), Err(Refusal::Shape(_))));
        assert!(check("a-b_c@x-y.example").is_ok());
        assert!(check("a\\b@example.com").is_err());
    }
}
