//! Checking an email address a buyer typed: the common `local@domain` form that mail systems
//! deliver to (RFC 5321 dot-atom local part, DNS host name, length limits). Quoted local parts
//! and IP-literal domains are refused: real buyers do not type them, and mail senders treat
//! them differently.

pub const MAX_LEN: usize = 254;
const MAX_LOCAL_LEN: usize = 64;

/// The address, trimmed, or why it is not one.
pub fn check(input: &str) -> Result<String, &'static str> {
    let s = input.trim();
    if s.len() > MAX_LEN {
        return Err("An email address is at most 254 characters.");
    }
    let (local, domain) = match s.split_once('@') {
        Some((l, d)) if !d.contains('@') => (l, d),
        _ => return Err("An email address has one @, like name@example.com."),
    };
    let atext = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c);
    if local.is_empty()
        || local.len() > MAX_LOCAL_LEN
        || local
            .split('.')
            .any(|part| part.is_empty() || !part.chars().all(atext))
    {
        return Err("The part before @ is not valid in an email address.");
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    let tld_ok = labels
        .last()
        .is_some_and(|t| !t.chars().all(|c| c.is_ascii_digit()));
    if labels.len() < 2 || !labels.iter().all(label_ok) || !tld_ok || domain.len() > 253 {
        return Err("The part after @ is not a valid domain, like example.com.");
    }
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn ordinary_addresses_pass() {
        for ok in [
            "buyer@example.com",
            "first.last+shop@mail.example.co.jp",
            "o'brien@example.ie",
            "x@xn--eckwd4c7c.xn--zckzah",
            "taro@例え.jp",
        ] {
            assert_eq!(check(ok).as_deref(), Ok(ok), "{ok}");
        }
        // Internationalised local parts need SMTPUTF8 end to end; not accepted yet.
        assert!(check("買い物@例え.jp").is_err());
        assert_eq!(check("  a@b.jp \n").as_deref(), Ok("a@b.jp"));
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
        assert!(check(&format!("{}@example.com", "a".repeat(65))).is_err());
        assert!(check(&format!("a@{}.com", "b".repeat(250))).is_err());
    }
}
