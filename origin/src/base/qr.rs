//! QR codes for link URLs, drawn as SVG or PNG.
//!
//! The `qrcode` crate lays out the module matrix (error correction level M, so a code survives
//! about 15% damage: a crease, a smudge, a logo sticker); the drawing is ours, so the output is
//! small and exactly what a scanner wants: square modules, black on white, and a quiet zone of
//! four light modules on every side (ISO/IEC 18004).

use qrcode::{Color, EcLevel, QrCode};
use std::fmt::Write as _;

/// Light modules around the code, on every side.
pub const QUIET_ZONE: usize = 4;
/// Largest PNG scale (pixels per module). A full-size code (177 modules) at 32 px is
/// 5,920 px square, which is already more than any printer needs.
pub const MAX_SCALE: u32 = 32;
/// Pixels per module that an SVG asks for as its intrinsic size; it scales freely.
const SVG_PX_PER_MODULE: usize = 4;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QrError {
    /// Level M holds at most 2,331 bytes (version 40); long link tokens can exceed it.
    #[error("the text is {0} bytes, more than a QR code holds at error correction level M")]
    TooLong(usize),
    #[error("the text cannot be encoded as a QR code: {0}")]
    Encode(String),
    #[error("the PNG scale must be 1 to {MAX_SCALE} pixels per module, not {0}")]
    BadScale(u32),
    #[error("PNG encoding failed: {0}")]
    Png(String),
}

/// The module matrix: `width` modules a side, row by row, `true` for dark.
struct Matrix {
    width: usize,
    dark: Vec<bool>,
}

impl Matrix {
    fn encode(text: &str) -> Result<Matrix, QrError> {
        let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).map_err(
            |e| match e {
                qrcode::types::QrError::DataTooLong => QrError::TooLong(text.len()),
                other => QrError::Encode(other.to_string()),
            },
        )?;
        let width = code.width();
        let dark = code
            .into_colors()
            .into_iter()
            .map(|c| c == Color::Dark)
            .collect();
        Ok(Matrix { width, dark })
    }

    fn is_dark(&self, x: usize, y: usize) -> bool {
        self.dark[y * self.width + x]
    }

    /// Width in modules including the quiet zone.
    fn outer(&self) -> usize {
        self.width + 2 * QUIET_ZONE
    }
}

/// An SVG image of `text` as a QR code: one path for the dark modules (a rectangle per
/// horizontal run) on a white square, `viewBox` in modules, quiet zone included, crisp edges.
pub fn svg(text: &str) -> Result<String, QrError> {
    let m = Matrix::encode(text)?;
    let mut d = String::new();
    for y in 0..m.width {
        let mut x = 0;
        while x < m.width {
            if !m.is_dark(x, y) {
                x += 1;
                continue;
            }
            let start = x;
            while x < m.width && m.is_dark(x, y) {
                x += 1;
            }
            let run = x - start;
            // Writing to a String cannot fail.
            let _ = write!(
                d,
                "M{},{}h{run}v1h-{run}z",
                start + QUIET_ZONE,
                y + QUIET_ZONE
            );
        }
    }
    let n = m.outer();
    let px = n * SVG_PX_PER_MODULE;
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {n} {n}\" width=\"{px}\" \
         height=\"{px}\" shape-rendering=\"crispEdges\"><rect width=\"{n}\" height=\"{n}\" \
         fill=\"#fff\"/><path fill=\"#000\" d=\"{d}\"/></svg>\n"
    ))
}

/// A PNG image of `text` as a QR code: 1-bit grayscale, `scale` pixels per module
/// (1..=`MAX_SCALE`), so `(modules + 8) * scale` pixels square with the quiet zone.
pub fn png(text: &str, scale: u32) -> Result<Vec<u8>, QrError> {
    if !(1..=MAX_SCALE).contains(&scale) {
        return Err(QrError::BadScale(scale));
    }
    let m = Matrix::encode(text)?;
    let scale = scale as usize;
    let side = m.outer() * scale;
    let stride = side.div_ceil(8);
    // 1 is white in 1-bit grayscale; dark modules clear their bits.
    let mut pixels = vec![0xFFu8; stride * side];
    for y in 0..m.width {
        for x in 0..m.width {
            if !m.is_dark(x, y) {
                continue;
            }
            for row in (y + QUIET_ZONE) * scale..(y + QUIET_ZONE + 1) * scale {
                for col in (x + QUIET_ZONE) * scale..(x + QUIET_ZONE + 1) * scale {
                    pixels[row * stride + col / 8] &= !(0x80 >> (col % 8));
                }
            }
        }
    }
    let side = u32::try_from(side).map_err(|_| QrError::BadScale(scale as u32))?;
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side, side);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::One);
    let png_err = |e: png::EncodingError| QrError::Png(e.to_string());
    let mut writer = encoder.write_header().map_err(png_err)?;
    writer.write_image_data(&pixels).map_err(png_err)?;
    writer.finish().map_err(png_err)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://pay.example.com/l/AQJrMQEAF2xua180ZksyWmE5UXBMbVgwTnZCY0RlRgIADm1\
        jaF8xMjM0NTY3ODkwBAADSlBZBQAIAAAAAAAABdwGAAgAAAAAaJ2a8AcAAQAIAAxUZWEgY2VyZW1vbnkLAAJqYQ.\
        0C4hW7kRz9ZPq3Uu6sHq2xYV9nqgG8b3mQ0f1pXyA2E";

    /// The dark modules an SVG path draws, as a matrix without the quiet zone.
    fn svg_modules(svg: &str, width: usize) -> Vec<bool> {
        let d = svg
            .split(" d=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a path");
        let mut dark = vec![false; width * width];
        for rect in d.split('z').filter(|r| !r.is_empty()) {
            // M{x},{y}h{run}v1h-{run}
            let rect = rect.strip_prefix('M').expect("a move");
            let (xy, rest) = rect.split_once('h').expect("h");
            let (x, y) = xy.split_once(',').expect("x,y");
            let (run, back) = rest.split_once("v1h-").expect("v1h-");
            assert_eq!(run, back, "each rectangle closes on itself");
            let (x, y, run): (usize, usize, usize) = (
                x.parse().expect("x"),
                y.parse().expect("y"),
                run.parse().expect("run"),
            );
            for i in 0..run {
                let (mx, my) = (x + i - QUIET_ZONE, y - QUIET_ZONE);
                assert!(!dark[my * width + mx], "modules are drawn once");
                dark[my * width + mx] = true;
            }
        }
        dark
    }

    #[test]
    fn svg_draws_exactly_the_dark_modules() {
        let m = Matrix::encode(URL).expect("encodes");
        let svg = svg(URL).expect("svg");
        let n = m.width + 8;
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains(&format!("viewBox=\"0 0 {n} {n}\"")));
        assert!(svg.contains("shape-rendering=\"crispEdges\""));
        assert_eq!(svg.matches("<path").count(), 1);
        let drawn = svg_modules(&svg, m.width);
        assert_eq!(
            drawn.iter().filter(|d| **d).count(),
            m.dark.iter().filter(|d| **d).count()
        );
        assert_eq!(drawn, m.dark);
    }

    /// Decodes a 1-bit PNG into (side, luminance per pixel), checking its header on the way.
    fn decode_png(bytes: &[u8]) -> (usize, Vec<u8>) {
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().expect("a PNG header");
        let info = reader.info();
        assert_eq!(info.color_type, png::ColorType::Grayscale);
        assert_eq!(info.bit_depth, png::BitDepth::One);
        assert_eq!(info.width, info.height);
        let side = info.width as usize;
        let mut buf = vec![0; reader.output_buffer_size().expect("a size")];
        let frame = reader.next_frame(&mut buf).expect("image data");
        let stride = frame.line_size;
        let luma = (0..side * side)
            .map(|i| {
                let (row, col) = (i / side, i % side);
                if buf[row * stride + col / 8] & (0x80 >> (col % 8)) == 0 {
                    0
                } else {
                    255
                }
            })
            .collect();
        (side, luma)
    }

    #[test]
    fn png_pixels_follow_the_matrix_with_a_quiet_zone() {
        let m = Matrix::encode(URL).expect("encodes");
        for scale in [1, 3, 8] {
            let (side, luma) = decode_png(&png(URL, scale).expect("png"));
            let scale = scale as usize;
            assert_eq!(side, (m.width + 8) * scale);
            for py in 0..side {
                for px in 0..side {
                    let (mx, my) = (px / scale, py / scale);
                    let inside = (QUIET_ZONE..QUIET_ZONE + m.width).contains(&mx)
                        && (QUIET_ZONE..QUIET_ZONE + m.width).contains(&my);
                    let dark = inside && m.is_dark(mx - QUIET_ZONE, my - QUIET_ZONE);
                    assert_eq!(luma[py * side + px] == 0, dark, "pixel {px},{py}");
                }
            }
        }
    }

    #[test]
    fn png_reads_back_as_the_same_text() {
        let (side, luma) = decode_png(&png(URL, 4).expect("png"));
        let mut image =
            rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| luma[y * side + x]);
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1);
        let (meta, content) = grids[0].decode().expect("decodes");
        assert_eq!(content, URL);
        // The format information's two level bits: 00 is M (01 L, 10 H, 11 Q).
        assert_eq!(meta.ecc_level, 0, "error correction level M");
    }

    #[test]
    fn refuses_what_does_not_fit_and_silly_scales() {
        let huge = "x".repeat(3000);
        assert_eq!(svg(&huge), Err(QrError::TooLong(3000)));
        assert_eq!(png(&huge, 4), Err(QrError::TooLong(3000)));
        assert_eq!(png(URL, 0), Err(QrError::BadScale(0)));
        assert_eq!(
            png(URL, MAX_SCALE + 1),
            Err(QrError::BadScale(MAX_SCALE + 1))
        );
        assert!(png(URL, MAX_SCALE).is_ok());
    }
}
