//! How many SMS segments a body takes, and how to cut it when a gateway does not concatenate.
//!
//! A body that fits the GSM 03.38 alphabet is sent as 7-bit septets: 160 in a single message,
//! 153 per part once it is split (the user data header takes the rest). Anything else forces
//! UCS-2 for the whole body: 70 UTF-16 code units single, 67 per part. An extension-table
//! character (an escape plus one septet) and a surrogate pair are never cut in half, so parts
//! can hold one unit fewer than the limit.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    Gsm7,
    Ucs2,
}

impl Encoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Gsm7 => "gsm7",
            Encoding::Ucs2 => "ucs2",
        }
    }

    /// Units in a message that is not split.
    pub fn single_limit(self) -> u32 {
        match self {
            Encoding::Gsm7 => 160,
            Encoding::Ucs2 => 70,
        }
    }

    /// Units in each part of a concatenated message.
    pub fn part_limit(self) -> u32 {
        match self {
            Encoding::Gsm7 => 153,
            Encoding::Ucs2 => 67,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Segments {
    pub encoding: Encoding,
    /// Messages the body takes; 0 for an empty body (nothing to send).
    pub segments: u32,
    /// Septets (GSM-7) or UTF-16 code units (UCS-2) in the whole body.
    pub units: u32,
}

/// GSM 03.38 default alphabet: one septet each. (ESC, 0x1B, is not text.)
const GSM_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/// GSM 03.38 extension table: an escape septet plus one, so two septets each.
const GSM_EXTENSION: &str = "\u{0C}^{}\\[~]|€";

/// Septets `c` takes in GSM-7, or `None` if GSM-7 cannot carry it.
fn gsm_septets(c: char) -> Option<u32> {
    if GSM_BASIC.contains(c) {
        Some(1)
    } else if GSM_EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

fn encoding_of(body: &str) -> Encoding {
    if body.chars().all(|c| gsm_septets(c).is_some()) {
        Encoding::Gsm7
    } else {
        Encoding::Ucs2
    }
}

fn units_of(c: char, encoding: Encoding) -> u32 {
    match encoding {
        Encoding::Gsm7 => gsm_septets(c).unwrap_or(2),
        Encoding::Ucs2 => c.len_utf16() as u32,
    }
}

/// Byte ranges of the parts `body` is sent as; one range when it fits a single message.
/// `count` and `split` both come from here, so they always agree.
fn parts(body: &str, encoding: Encoding) -> (Vec<std::ops::Range<usize>>, u32) {
    let units: u32 = body.chars().map(|c| units_of(c, encoding)).sum();
    if body.is_empty() {
        return (Vec::new(), 0);
    }
    if units <= encoding.single_limit() {
        let whole = 0..body.len();
        return (Vec::from([whole]), units);
    }
    let limit = encoding.part_limit();
    let mut ranges = Vec::new();
    let (mut start, mut filled) = (0, 0);
    for (i, c) in body.char_indices() {
        let u = units_of(c, encoding);
        // A character never straddles two parts: it starts the next one instead.
        if filled + u > limit {
            ranges.push(start..i);
            start = i;
            filled = 0;
        }
        filled += u;
    }
    ranges.push(start..body.len());
    (ranges, units)
}

pub fn count(body: &str) -> Segments {
    let encoding = encoding_of(body);
    let (ranges, units) = parts(body, encoding);
    Segments {
        encoding,
        segments: ranges.len() as u32,
        units,
    }
}

/// The parts to send one by one through a gateway that does not concatenate; as many as
/// `count(body).segments`, and joined they give `body` back.
pub fn split(body: &str) -> Vec<String> {
    let (ranges, _) = parts(body, encoding_of(body));
    ranges.into_iter().map(|r| body[r].to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(encoding: Encoding, segments: u32, units: u32) -> Segments {
        Segments {
            encoding,
            segments,
            units,
        }
    }

    fn units(part: &str, encoding: Encoding) -> u32 {
        part.chars().map(|c| units_of(c, encoding)).sum()
    }

    #[test]
    fn gsm7_limits() {
        let s = |n| "a".repeat(n);
        let c = |n| count(&s(n));
        assert_eq!(c(0).segments, 0);
        assert_eq!(c(1).segments, 1);
        assert_eq!(c(160), seg(Encoding::Gsm7, 1, 160));
        assert_eq!(c(161).segments, 2);
        assert_eq!(c(306).segments, 2);
        assert_eq!(c(307).segments, 3);
        assert_eq!(
            split(&s(161)).iter().map(String::len).collect::<Vec<_>>(),
            [153, 8]
        );
    }

    #[test]
    fn extension_characters_take_two_septets() {
        let body = "{".repeat(80);
        assert_eq!(count(&body), seg(Encoding::Gsm7, 1, 160));
        let body = "€".repeat(81);
        assert_eq!(count(&body).units, 162);
        assert_eq!(count(&body).segments, 2);
        // 152 plain septets then an escape pair: the pair would end at 154, so it opens part 2.
        let body = format!("{}[{}", "a".repeat(152), "b".repeat(10));
        let parts = split(&body);
        assert_eq!(parts[0], "a".repeat(152));
        assert!(parts[1].starts_with('['));
        assert_eq!(count(&body).segments, 2);
    }

    #[test]
    fn basic_table_characters_are_gsm7() {
        let body = "Ça coûte £5 @ Ñandú: ¿Δ? ¡Ø! ß § à\n\r_¤";
        assert_eq!(
            count(body).encoding,
            Encoding::Ucs2,
            "û is not in GSM 03.38"
        );
        let body = "Ça cóute £5 @ Ñandú: ¿Δ? ¡Ø! ß § à\n\r_¤";
        assert_eq!(
            count(body).encoding,
            Encoding::Ucs2,
            "ó and ú are not either"
        );
        let body = "Ça coste £5 @ Ñandü: ¿Δ? ¡Ø! ß § à\n\r_¤ é è ù ì ò";
        assert_eq!(count(body).encoding, Encoding::Gsm7);
        assert_eq!(count(body).units, body.chars().count() as u32);
    }

    #[test]
    fn japanese_is_ucs2() {
        let body = "お支払いのお願い";
        assert_eq!(count(body), seg(Encoding::Ucs2, 1, 8));
        assert_eq!(count(&"あ".repeat(70)).segments, 1);
        assert_eq!(count(&"あ".repeat(71)).segments, 2);
        assert_eq!(count(&"あ".repeat(134)).segments, 2);
        assert_eq!(count(&"あ".repeat(135)).segments, 3);
        // One non-GSM character turns the whole body into UCS-2.
        let body = format!("{}あ", "a".repeat(69));
        assert_eq!(count(&body), seg(Encoding::Ucs2, 1, 70));
    }

    #[test]
    fn surrogate_pairs_are_never_split() {
        let body = "😀".repeat(35);
        assert_eq!(count(&body), seg(Encoding::Ucs2, 1, 70));
        // 66 units then an emoji (2 units): 68 > 67, so the emoji starts part 2.
        let body = format!("{}😀{}", "あ".repeat(66), "い".repeat(10));
        let parts = split(&body);
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0], "あ".repeat(66));
        assert!(parts[1].starts_with('😀'));
    }

    /// A small deterministic generator, so the property below needs no extra crate and every
    /// run checks the same thousands of bodies.
    struct XorShift(u64);
    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    #[test]
    fn split_parts_rejoin_fit_and_agree_with_count() {
        let gsm: Vec<char> = "ab Z09.,\n@£Δ€{}[]~|^\\".chars().collect();
        let other: Vec<char> = "あい漢字ー😀👍🏽é".chars().collect();
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        for round in 0..3000 {
            let len = rng.below(400);
            let mixed = round % 2 == 0;
            let body: String = (0..len)
                .map(|_| {
                    if mixed && rng.below(20) == 0 {
                        other[rng.below(other.len())]
                    } else {
                        gsm[rng.below(gsm.len())]
                    }
                })
                .collect();
            let counted = count(&body);
            let parts = split(&body);
            assert_eq!(parts.concat(), body);
            assert_eq!(parts.len() as u32, counted.segments, "{body:?}");
            let limit = if parts.len() > 1 {
                counted.encoding.part_limit()
            } else {
                counted.encoding.single_limit()
            };
            for p in &parts {
                assert!(!p.is_empty());
                assert!(units(p, counted.encoding) <= limit, "{p:?} exceeds {limit}");
            }
            let total: u32 = parts.iter().map(|p| units(p, counted.encoding)).sum();
            assert_eq!(total, counted.units);
            // Greedy packing: no part could have taken the next part's first character.
            for w in parts.windows(2) {
                let next = w[1].chars().next().map(|c| units_of(c, counted.encoding));
                assert!(units(&w[0], counted.encoding) + next.unwrap_or(0) > limit);
            }
        }
    }
}
