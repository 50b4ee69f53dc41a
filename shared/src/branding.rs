//! A merchant's pay-page branding: the rules for each setting, in one place for the origin
//! (which refuses a bad value, naming the field) and the edge (which drops a bad value read
//! from KV rather than render it). Nothing a merchant sets can carry markup, script or CSS:
//! colours are exactly `#rrggbb`, URLs are https with a conservative character set, and text
//! is escaped where it is shown.

use serde::{Deserialize, Serialize};

pub const MAX_DISPLAY_NAME_CHARS: usize = 60;
pub const MAX_URL_CHARS: usize = 500;

/// The built-in page layouts (CSS in the edge's templates; merchants cannot add CSS).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    #[default]
    Standard,
    /// Tighter spacing, for long titles and small screens.
    Compact,
    /// Everything centred, the amount large: for a single product or a donation.
    Centered,
}

impl Layout {
    pub const ALL: [Layout; 3] = [Layout::Standard, Layout::Compact, Layout::Centered];

    pub fn as_str(self) -> &'static str {
        match self {
            Layout::Standard => "standard",
            Layout::Compact => "compact",
            Layout::Centered => "centered",
        }
    }

    pub fn parse(s: &str) -> Option<Layout> {
        Layout::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

/// What the pay page shows of a merchant. Every field is optional: unset means linkpay's
/// default look.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Branding {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_color: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background_color: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_color: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_url: Option<String>,
    #[serde(default)]
    pub layout: Layout,
}

pub fn check_display_name(s: &str) -> Result<(), String> {
    if s.chars().count() > MAX_DISPLAY_NAME_CHARS {
        return Err(format!(
            "must be at most {MAX_DISPLAY_NAME_CHARS} characters"
        ));
    }
    if s.chars().any(char::is_control) {
        return Err("must be one line of text".into());
    }
    Ok(())
}

/// Exactly `#` and six hex digits: nothing that could end a CSS declaration.
pub fn check_color(s: &str) -> Result<(), String> {
    let ok = s.len() == 7 && s.starts_with('#') && s[1..].bytes().all(|b| b.is_ascii_hexdigit());
    if ok {
        Ok(())
    } else {
        Err(format!("{s:?} is not a colour: use #rrggbb, e.g. #1d4ed8"))
    }
}

/// `https://host[:port][/path…]` with no credentials and only characters that need no
/// escaping in an HTML attribute or a CSP source.
pub fn check_https_url(s: &str) -> Result<(), String> {
    if s.len() > MAX_URL_CHARS {
        return Err(format!("must be at most {MAX_URL_CHARS} characters"));
    }
    let Some(rest) = s.strip_prefix("https://") else {
        return Err(format!(
            "{s:?} must start with https:// (pages served over https cannot show http content, and other schemes are refused)"
        ));
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let (host, port) = authority.rsplit_once(':').unwrap_or((authority, ""));
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        && !host.starts_with(['.', '-']);
    let port_ok = port.is_empty() || (port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit()));
    if !host_ok || !port_ok {
        return Err(format!(
            "{s:?} does not have a valid host name (and may not contain a user name or password)"
        ));
    }
    let tail_ok = rest[authority.len()..]
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._~/%?=&+,;:@!*()".contains(&b));
    if !tail_ok {
        return Err(format!(
            "{s:?} contains characters a URL should have percent-encoded"
        ));
    }
    Ok(())
}

/// `https://cdn.example:8443` of a URL [`check_https_url`] accepts.
pub fn url_origin(s: &str) -> Option<&str> {
    let rest = s.strip_prefix("https://")?;
    let end = rest
        .find(['/', '?', '#'])
        .map_or(s.len(), |i| i + "https://".len());
    Some(&s[..end])
}

/// A plain address: one `@`, no spaces, quotes or angle brackets. (The origin checks more
/// strictly before saving; this is what the edge re-checks.)
pub fn check_email(s: &str) -> Result<(), String> {
    let ok = s.len() <= 254
        && s.split('@').count() == 2
        && !s.starts_with('@')
        && !s.ends_with('@')
        && s.bytes()
            .all(|b| b.is_ascii_graphic() && !b"\"'<>()[]\\,;:".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(format!("{s:?} is not an email address"))
    }
}

/// E.164: `+` and 8 to 15 digits.
pub fn check_phone(s: &str) -> Result<(), String> {
    let digits = s.strip_prefix('+').unwrap_or("");
    if (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(format!(
            "{s:?} is not a phone number in E.164 form, e.g. +81312345678"
        ))
    }
}

impl Branding {
    /// Every setting that breaks its rule, as (field, why).
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let mut check =
            |field: &'static str, value: &Option<String>, rule: fn(&str) -> Result<(), String>| {
                if let Some(v) = value
                    && let Err(e) = rule(v)
                {
                    out.push((field, e));
                }
            };
        check("display_name", &self.display_name, check_display_name);
        check("logo_url", &self.logo_url, check_https_url);
        check("primary_color", &self.primary_color, check_color);
        check("background_color", &self.background_color, check_color);
        check("text_color", &self.text_color, check_color);
        check("support_email", &self.support_email, check_email);
        check("support_phone", &self.support_phone, check_phone);
        check("support_url", &self.support_url, check_https_url);
        out
    }

    /// This branding without the settings that break their rule: what the edge renders from
    /// a KV value it cannot trust blindly.
    pub fn sanitized(mut self) -> Branding {
        for (field, _) in self.problems() {
            *self.field_mut(field) = None;
        }
        self
    }

    fn field_mut(&mut self, field: &str) -> &mut Option<String> {
        match field {
            "display_name" => &mut self.display_name,
            "logo_url" => &mut self.logo_url,
            "primary_color" => &mut self.primary_color,
            "background_color" => &mut self.background_color,
            "text_color" => &mut self.text_color,
            "support_email" => &mut self.support_email,
            "support_phone" => &mut self.support_phone,
            _ => &mut self.support_url,
        }
    }

    /// CSS custom properties for the colours set (validated, so safe inside a `<style>`).
    pub fn css(&self) -> String {
        let mut vars = String::new();
        for (name, value) in [
            ("--accent", &self.primary_color),
            ("--accent-hover", &self.primary_color),
            ("--bg", &self.background_color),
            ("--ink", &self.text_color),
        ] {
            if let Some(v) = value
                && check_color(v).is_ok()
            {
                vars.push_str(&format!("{name}:{v};"));
            }
        }
        if vars.is_empty() {
            String::new()
        } else {
            format!(":root{{{vars}}}")
        }
    }

    pub fn is_default(&self) -> bool {
        *self == Branding::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_exactly_hex() {
        assert!(check_color("#1d4ED8").is_ok());
        for bad in [
            "red",
            "#1d4ed",
            "#1d4ed80",
            "#1d4ed8;",
            "red;}body{display:none",
            "url(x)",
            "#12345g",
        ] {
            assert!(check_color(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn urls_must_be_plain_https() {
        assert!(check_https_url("https://cdn.example.com/logo.png?v=2").is_ok());
        assert!(check_https_url("https://cdn.example.com:8443/a%20b.svg").is_ok());
        for bad in [
            "http://cdn.example.com/logo.png",
            "javascript:alert(1)",
            "data:image/png;base64,AAAA",
            "https://user:pw@cdn.example.com/logo.png",
            "https://cdn.example.com/logo.png\" onerror=\"alert(1)",
            "https://cdn.example.com/<script>",
            "https:///logo.png",
            "https://cdn.example.com/ space.png",
        ] {
            assert!(check_https_url(bad).is_err(), "{bad}");
        }
        assert_eq!(
            url_origin("https://cdn.example.com:8443/x/y.png"),
            Some("https://cdn.example.com:8443")
        );
        assert_eq!(
            url_origin("https://cdn.example.com"),
            Some("https://cdn.example.com")
        );
    }

    #[test]
    fn problems_name_each_field_and_sanitizing_drops_them() {
        let b = Branding {
            display_name: Some("Kissa <Tanuki>".into()),
            logo_url: Some("http://x.example/l.png".into()),
            primary_color: Some("#ff0000".into()),
            text_color: Some("black".into()),
            support_phone: Some("090-1234".into()),
            ..Default::default()
        };
        let fields: Vec<&str> = b.problems().into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, ["logo_url", "text_color", "support_phone"]);
        let clean = b.sanitized();
        assert_eq!(
            clean.css(),
            ":root{--accent:#ff0000;--accent-hover:#ff0000;}"
        );
        assert_eq!(
            clean.display_name.as_deref(),
            Some("Kissa <Tanuki>"),
            "escaped where shown, not refused"
        );
        assert_eq!(
            (clean.logo_url, clean.text_color, clean.support_phone),
            (None, None, None)
        );
    }

    #[test]
    fn stored_json_round_trips_and_unknown_layouts_fail() {
        let b = Branding {
            layout: Layout::Centered,
            display_name: Some("茶房".into()),
            ..Default::default()
        };
        let json = serde_json::to_string(&b).expect("json");
        assert_eq!(json, r#"{"display_name":"茶房","layout":"centered"}"#);
        assert_eq!(serde_json::from_str::<Branding>(&json).expect("back"), b);
        assert!(serde_json::from_str::<Branding>(r#"{"layout":"fancy"}"#).is_err());
    }
}
