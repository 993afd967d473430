//! The nine-digit support key: drawn from a CSPRNG, parsed once at the edge.

use std::fmt;

use rand::RngExt;

/// A support key: exactly nine decimal digits (leading zeros allowed).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SupportKey(u32);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyParseError {
    #[error("A support key has exactly nine digits.")]
    WrongLength,
    #[error("A support key contains only digits.")]
    NotDigits,
}

impl SupportKey {
    pub const SPACE: u32 = 1_000_000_000;

    /// Draws a key uniformly from all 10⁹ keys using the thread-local CSPRNG
    /// (ChaCha, seeded and periodically reseeded from the operating system).
    pub fn generate() -> SupportKey {
        SupportKey(rand::rng().random_range(0..Self::SPACE))
    }

    /// Accepts what people type: digits, optionally grouped with spaces or dashes.
    pub fn parse(input: &str) -> Result<SupportKey, KeyParseError> {
        let mut value: u32 = 0;
        let mut digits = 0;
        for c in input.trim().chars() {
            match c {
                ' ' | '-' | '\u{a0}' => continue,
                '0'..='9' => {
                    digits += 1;
                    if digits > 9 {
                        return Err(KeyParseError::WrongLength);
                    }
                    value = value * 10 + (c as u32 - '0' as u32);
                }
                _ => return Err(KeyParseError::NotDigits),
            }
        }
        if digits != 9 {
            return Err(KeyParseError::WrongLength);
        }
        Ok(SupportKey(value))
    }

    /// The canonical form: nine digits, no spaces.
    pub fn digits(&self) -> String {
        format!("{:09}", self.0)
    }

    /// The form shown to people: `123 456 789`.
    pub fn grouped(&self) -> String {
        let d = self.digits();
        format!("{} {} {}", &d[0..3], &d[3..6], &d[6..9])
    }
}

impl fmt::Display for SupportKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.digits())
    }
}

/// Keys are secrets: debug output never shows them whole.
impl fmt::Debug for SupportKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SupportKey(***{:03})", self.0 % 1000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_grouped_and_plain_forms() {
        let k = SupportKey::parse("012 345-678").expect("valid");
        assert_eq!(k.digits(), "012345678");
        assert_eq!(k.grouped(), "012 345 678");
        assert_eq!(SupportKey::parse(" 012345678 "), Ok(k));
    }

    #[test]
    fn refuses_wrong_lengths_and_letters() {
        assert_eq!(
            SupportKey::parse("12345678"),
            Err(KeyParseError::WrongLength)
        );
        assert_eq!(
            SupportKey::parse("1234567890"),
            Err(KeyParseError::WrongLength)
        );
        assert_eq!(SupportKey::parse(""), Err(KeyParseError::WrongLength));
        assert_eq!(
            SupportKey::parse("12345678a"),
            Err(KeyParseError::NotDigits)
        );
        assert_eq!(
            SupportKey::parse("１２３４５６７８９"),
            Err(KeyParseError::NotDigits)
        );
    }

    #[test]
    fn generated_keys_are_nine_digits_and_vary() {
        let keys: std::collections::HashSet<String> =
            (0..1000).map(|_| SupportKey::generate().digits()).collect();
        assert!(keys.iter().all(|k| k.len() == 9));
        // 1000 draws from 10^9 collide with probability ~5e-4; 990 distinct is a
        // safe floor that still catches a broken generator.
        assert!(keys.len() > 990, "only {} distinct keys", keys.len());
    }

    #[test]
    fn debug_hides_the_key() {
        let k = SupportKey::parse("123456789").expect("valid");
        assert!(!format!("{k:?}").contains("123456"));
    }
}
