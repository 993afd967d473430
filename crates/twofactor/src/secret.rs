//! The shared TOTP secret: 20 bytes from the CSPRNG, stored and shown in Base32.

use std::fmt;

use data_encoding::BASE32_NOPAD;
use rand::RngExt;

use crate::TotpError;

/// A TOTP secret: 160 bits, the length RFC 4226 recommends for HMAC-SHA1.
///
/// `Debug` never shows the bytes, so a secret that ends up in a log line does
/// not leak.
#[derive(Clone)]
pub struct Secret([u8; Secret::LEN]);

impl Secret {
    /// Length of a secret in bytes.
    pub const LEN: usize = 20;

    /// Draws a new secret from the thread-local CSPRNG (ChaCha, seeded and
    /// periodically reseeded from the operating system).
    pub fn generate() -> Secret {
        Secret(rand::rng().random())
    }

    /// A secret with known bytes, for test vectors and tools.
    pub fn from_bytes(bytes: [u8; Secret::LEN]) -> Secret {
        Secret(bytes)
    }

    /// The raw bytes, the HMAC key.
    pub fn as_bytes(&self) -> &[u8; Secret::LEN] {
        &self.0
    }

    /// RFC 4648 Base32 without padding, upper case: 32 characters. This is
    /// the form to store and the form `otpauth://` URIs carry.
    pub fn to_base32(&self) -> String {
        BASE32_NOPAD.encode(&self.0)
    }

    /// The Base32 form in groups of four (`JBSW Y3DP …`), for a person to type
    /// into an authenticator app that cannot scan the QR code.
    pub fn to_base32_grouped(&self) -> String {
        let mut grouped = String::with_capacity(40);
        for (i, c) in self.to_base32().chars().enumerate() {
            if i > 0 && i % 4 == 0 {
                grouped.push(' ');
            }
            grouped.push(c);
        }
        grouped
    }

    /// Reads the Base32 form back. Accepts what people and other tools
    /// write: lower case, spaces, dashes and trailing `=` padding.
    pub fn from_base32(text: &str) -> Result<Secret, TotpError> {
        let cleaned: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let bytes = BASE32_NOPAD
            .decode(cleaned.trim_end_matches('=').as_bytes())
            .map_err(|_| TotpError::InvalidSecret)?;
        let bytes: [u8; Secret::LEN] = bytes.try_into().map_err(|_| TotpError::InvalidSecret)?;
        Ok(Secret(bytes))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_KEY: &[u8; 20] = b"12345678901234567890";

    #[test]
    fn base32_matches_rfc_4648() {
        // The RFC 6238 test key in Base32, as authenticator apps know it.
        let secret = Secret::from_bytes(*RFC_KEY);
        assert_eq!(secret.to_base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(
            secret.to_base32_grouped(),
            "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ"
        );
    }

    #[test]
    fn base32_round_trips_and_tolerates_typing() {
        let secret = Secret::generate();
        let back = Secret::from_base32(&secret.to_base32()).expect("own Base32 reads back");
        assert_eq!(back.as_bytes(), secret.as_bytes());

        let typed = secret
            .to_base32_grouped()
            .to_lowercase()
            .replace(' ', " - ");
        let back = Secret::from_base32(&typed).expect("typed form reads back");
        assert_eq!(back.as_bytes(), secret.as_bytes());

        let padded = format!("{}====", secret.to_base32());
        assert!(Secret::from_base32(&padded).is_ok());
    }

    #[test]
    fn base32_refuses_wrong_length_and_alphabet() {
        assert_eq!(
            Secret::from_base32("GEZDGNBVGY3TQOJQ").err(),
            Some(TotpError::InvalidSecret)
        );
        assert_eq!(
            Secret::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ1").err(),
            Some(TotpError::InvalidSecret)
        );
        assert_eq!(
            Secret::from_base32("").err(),
            Some(TotpError::InvalidSecret)
        );
    }

    #[test]
    fn generated_secrets_differ() {
        assert_ne!(Secret::generate().as_bytes(), Secret::generate().as_bytes());
    }

    #[test]
    fn debug_hides_the_bytes() {
        let secret = Secret::from_bytes(*RFC_KEY);
        let shown = format!("{secret:?}");
        assert_eq!(shown, "Secret(***)");
        assert!(!shown.contains(&secret.to_base32()));
    }
}
