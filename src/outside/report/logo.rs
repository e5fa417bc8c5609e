//! The clinic's logo for report headers: a PNG an admin uploads, checked once when it is set and
//! decoded for each report.

use crate::error::{Error, Result};

/// Largest logo accepted; a header logo needs no more.
const MAX_BYTES: usize = 256 * 1024;
const MAX_SIDE: u32 = 2000;

/// Decoded pixels, 8 bits per channel.
#[derive(Debug)]
pub struct Logo {
    pub width: u32,
    pub height: u32,
    pub channels: u8,
    pub pixels: Vec<u8>,
}

impl Logo {
    /// Width over height.
    pub fn aspect(&self) -> f64 {
        self.width as f64 / self.height as f64
    }
}

/// Decodes `png`, or says in words why it cannot be a logo.
pub fn decode(png_bytes: &[u8]) -> Result<Logo> {
    // Rounded up, so a file just over the limit never reads as "at most 256 KB: this file is 256 KB".
    let kb = |bytes: usize| bytes.div_ceil(1024);
    let bad = |why: String| {
        Error::Validation(format!(
            "The logo must be a PNG image of at most {} KB and {MAX_SIDE}×{MAX_SIDE} pixels: {why}",
            kb(MAX_BYTES)
        ))
    };
    if png_bytes.len() > MAX_BYTES {
        return Err(bad(format!("this file is {} KB.", kb(png_bytes.len()))));
    }
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder
        .read_info()
        .map_err(|_| bad("the file is damaged or is not a PNG image.".into()))?;
    let (width, height) = (reader.info().width, reader.info().height);
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(bad(format!("this one is {width}×{height} pixels.")));
    }
    let mut pixels = vec![
        0;
        reader
            .output_buffer_size()
            .ok_or_else(|| bad("it is too large to decode.".into()))?
    ];
    let frame = reader
        .next_frame(&mut pixels)
        .map_err(|_| bad("the file is damaged or is not a PNG image.".into()))?;
    pixels.truncate(frame.buffer_size());
    let channels = match frame.color_type {
        png::ColorType::Grayscale => 1,
        png::ColorType::GrayscaleAlpha => 2,
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba | png::ColorType::Indexed => 4,
    };
    Ok(Logo {
        width,
        height,
        channels,
        pixels,
    })
}

/// The bytes a hex string stands for (the window sends the file as hex).
pub fn from_hex(hex: &str) -> Result<Vec<u8>> {
    crate::digest::unhex(hex)
        .ok_or_else(|| Error::InvalidRequest("The logo was not sent as hexadecimal bytes. Nothing was saved.".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_readable_png_of_reasonable_size_is_a_logo() {
        assert_eq!(from_hex("89504e47").unwrap(), [0x89, 0x50, 0x4e, 0x47]);
        assert_eq!(from_hex("8").unwrap_err().kind(), "invalid_request");
        assert!(decode(b"GIF89a not a png")
            .unwrap_err()
            .to_string()
            .starts_with("The logo must be a PNG image"));
        let mut png_bytes = Vec::new();
        {
            let mut encoder = png::Encoder::new(&mut png_bytes, 2, 1);
            encoder.set_color(png::ColorType::Rgb);
            encoder.set_depth(png::BitDepth::Eight);
            encoder
                .write_header()
                .unwrap()
                .write_image_data(&[255, 0, 0, 0, 0, 255])
                .unwrap();
        }
        let logo = decode(&png_bytes).unwrap();
        assert_eq!(
            (logo.width, logo.height, logo.channels, logo.pixels.len()),
            (2, 1, 3, 6)
        );
    }
}
