//! The bytes of an uploaded CSV as text: UTF-8 (with or without a BOM), or the Shift_JIS
//! (Windows-31J) that Japanese spreadsheet software saves. Decided without guessing: text that
//! is valid UTF-8 is UTF-8; otherwise it must decode as Shift_JIS with no invalid sequence.

use encoding_rs::SHIFT_JIS;
use std::borrow::Cow;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    ShiftJis,
}

impl Encoding {
    /// The names `parse` takes (any case, `_` for `-`).
    pub const NAMES: &[&str] = &["utf-8", "utf8", "shift-jis", "sjis", "cp932", "windows-31j"];

    pub fn parse(name: &str) -> Option<Encoding> {
        match name.to_ascii_lowercase().replace('_', "-").as_str() {
            "utf-8" | "utf8" => Some(Encoding::Utf8),
            "shift-jis" | "sjis" | "cp932" | "windows-31j" => Some(Encoding::ShiftJis),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::ShiftJis => "shift_jis",
        }
    }
}

/// The text, or why it cannot be read, in words for the person who saved the file.
pub fn decode(bytes: &[u8], given: Option<Encoding>) -> Result<(Cow<'_, str>, Encoding), String> {
    let utf8 = || {
        let b = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
        std::str::from_utf8(b).ok().map(Cow::Borrowed)
    };
    let sjis = || SHIFT_JIS.decode_without_bom_handling_and_without_replacement(bytes);
    match given {
        Some(Encoding::Utf8) => utf8()
            .map(|t| (t, Encoding::Utf8))
            .ok_or_else(|| "The file is not valid UTF-8, as the encoding parameter says it is. Save it as UTF-8 or Shift_JIS, or leave the encoding out.".into()),
        Some(Encoding::ShiftJis) => sjis()
            .map(|t| (t, Encoding::ShiftJis))
            .ok_or_else(|| "The file is not valid Shift_JIS, as the encoding parameter says it is. Save it as UTF-8 or Shift_JIS, or leave the encoding out.".into()),
        None => utf8()
            .map(|t| (t, Encoding::Utf8))
            .or_else(|| sjis().map(|t| (t, Encoding::ShiftJis)))
            .ok_or_else(|| "The file's text encoding is neither UTF-8 nor Shift_JIS. Save it from your spreadsheet as \"CSV UTF-8\" (or as CSV in Shift_JIS) and upload it again.".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_or_without_bom_and_shift_jis_are_read() {
        let (t, e) = decode("title\nお茶".as_bytes(), None).expect("utf-8");
        assert_eq!((t.as_ref(), e), ("title\nお茶", Encoding::Utf8));
        let (t, _) = decode("\u{feff}title".as_bytes(), None).expect("bom");
        assert_eq!(t, "title");
        let (bytes, _, bad) = SHIFT_JIS.encode("title\nお茶のセット①");
        assert!(!bad);
        assert!(
            std::str::from_utf8(&bytes).is_err(),
            "the test needs bytes that are not UTF-8"
        );
        let (t, e) = decode(&bytes, None).expect("shift_jis");
        assert_eq!(
            (t.as_ref(), e),
            ("title\nお茶のセット①", Encoding::ShiftJis)
        );
    }

    #[test]
    fn bytes_that_are_neither_are_refused() {
        // 0x80 0xA0 and 0xFD are not valid in Shift_JIS, nor UTF-8.
        let err = decode(&[b'a', 0x80, 0xA0, 0xFD], None).expect_err("unknown");
        assert!(err.contains("neither UTF-8 nor Shift_JIS"));
        assert!(decode(&[0x82, 0xA0], Some(Encoding::Utf8)).is_err());
        assert_eq!(Encoding::parse("Shift_JIS"), Some(Encoding::ShiftJis));
        assert_eq!(Encoding::parse("latin1"), None);
    }
}
