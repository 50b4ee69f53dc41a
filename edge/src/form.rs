//! Reading the pay form's `application/x-www-form-urlencoded` body. Small on purpose: the
//! form has one field, and a URL crate would add to every buyer's download of the worker.

/// The first value of `name` in a form body, decoded; `None` if it is absent or is not UTF-8
/// after decoding (no browser sends that for a text field).
pub fn field(body: &[u8], name: &str) -> Option<String> {
    let value = body.split(|&b| b == b'&').find_map(|pair| {
        let (key, value) = match pair.iter().position(|&b| b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &[][..]),
        };
        (decode(key).as_deref() == Some(name)).then_some(value)
    })?;
    decode(value)
}

/// `+` is a space; `%XX` is a byte; a `%` not followed by two hex digits stays as it is
/// (as browsers and the WHATWG URL standard do).
fn decode(s: &[u8]) -> Option<String> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while let Some(&b) = s.get(i) {
        let byte = match b {
            b'+' => b' ',
            b'%' => match (s.get(i + 1).and_then(hex), s.get(i + 2).and_then(hex)) {
                (Some(hi), Some(lo)) => {
                    i += 2;
                    hi << 4 | lo
                }
                _ => b'%',
            },
            _ => b,
        };
        out.push(byte);
        i += 1;
    }
    String::from_utf8(out).ok()
}

fn hex(b: &u8) -> Option<u8> {
    char::from(*b).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_field_as_browsers_encode_it() {
        assert_eq!(field(b"amount=1500", "amount").as_deref(), Some("1500"));
        assert_eq!(
            field(b"x=1&amount=1%2C500", "amount").as_deref(),
            Some("1,500")
        );
        assert_eq!(field(b"amount=15+00", "amount").as_deref(), Some("15 00"));
        // Full-width digits from a Japanese keyboard arrive as UTF-8 percent-escapes.
        assert_eq!(
            field(b"amount=%EF%BC%91%EF%BC%95", "amount").as_deref(),
            Some("１５")
        );
        assert_eq!(field(b"amount=", "amount").as_deref(), Some(""));
        assert_eq!(field(b"amount", "amount").as_deref(), Some(""));
        assert_eq!(field(b"amount=1&amount=2", "amount").as_deref(), Some("1"));
        assert_eq!(field(b"am%6Funt=7", "amount").as_deref(), Some("7"));
        assert_eq!(field(b"amount=100%", "amount").as_deref(), Some("100%"));
        assert_eq!(field(b"amount=%zz1", "amount").as_deref(), Some("%zz1"));
    }

    #[test]
    fn missing_or_undecodable_fields_are_absent() {
        assert_eq!(field(b"", "amount"), None);
        assert_eq!(field(b"amounts=1&xamount=2", "amount"), None);
        assert_eq!(field(b"amount=%FF&amount=2", "amount"), None);
        assert_eq!(field(b"\xff=1&amount=3", "amount").as_deref(), Some("3"));
    }
}
