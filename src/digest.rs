//! SHA-256 and lower-case hex: migration checksums, the audit hash chain, instance ids, wrapped
//! keys, report ids, the stored logo.

use sha2::{Digest, Sha256};

pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The bytes a hex string stands for; None if it is not hex.
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    // Digits only: `from_str_radix` alone would also take a sign, as in "+f".
    if text.len() % 2 != 0 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_vector() {
        assert_eq!(
            super::sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn unhex_takes_hex_digits_only() {
        assert_eq!(super::unhex("00fF7a"), Some(vec![0x00, 0xff, 0x7a]));
        assert_eq!(super::unhex(&super::hex(&[1, 254])), Some(vec![1, 254]));
        assert_eq!(super::unhex(""), Some(vec![]));
        for bad in ["+f", "0+f0", "-1", " f", "0g", "abc", "éé"] {
            assert_eq!(super::unhex(bad), None, "{bad:?}");
        }
    }
}
