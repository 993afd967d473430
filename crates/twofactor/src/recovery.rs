//! Single-use recovery codes for a lost phone: generated once, stored only as hashes.
//!
//! # Why SHA-256 and not Argon2
//! A recovery code carries 60 bits from the CSPRNG, not a person's choice, so
//! there is no dictionary to try: finding any one of an account's ten codes
//! from their hashes takes 2⁵⁶ tries on average, some two months of a fast
//! GPU (10¹⁰ SHA-256 a second). No salt is needed either, as
//! no two codes are alike and tables for 2⁶⁰ inputs cannot be built. And the
//! same database holds the TOTP secret itself, which must stay readable to
//! check codes: whoever has a copy of it already has the second factor, so a
//! slow hash here would raise no bar. A plain digest also lets the caller find
//! the code with one indexed lookup. Tether stores its tokens the same way.

use rand::RngExt;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Crockford's Base32 alphabet in lower case: digits and letters without
/// `i`, `l`, `o` and `u`, so nothing reads as something else.
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// Characters per group and groups per code: `k7f3-9q2m-x8dp`, 12 × 5 = 60 bits.
const GROUP_LEN: usize = 4;
const GROUPS: usize = 3;

/// Recovery codes: each signs in once instead of a TOTP code.
#[derive(Debug)]
pub struct RecoveryCodes;

impl RecoveryCodes {
    /// Codes in one set.
    pub const COUNT: usize = 10;

    /// A new set: the codes to show the person once (`k7f3-9q2m-x8dp`), and
    /// their hashes, in the same order, to store instead of them. A new set
    /// replaces the whole old one.
    pub fn generate() -> (Vec<String>, Vec<String>) {
        let mut rng = rand::rng();
        let codes: Vec<String> = (0..Self::COUNT)
            .map(|_| {
                let mut code = String::with_capacity(GROUPS * (GROUP_LEN + 1));
                for i in 0..GROUPS * GROUP_LEN {
                    if i > 0 && i % GROUP_LEN == 0 {
                        code.push('-');
                    }
                    code.push(char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]));
                }
                code
            })
            .collect();
        let hashes = codes.iter().map(|code| hash_recovery_code(code)).collect();
        (codes, hashes)
    }

    /// Whether `input` is the code whose hash is `stored_hash`, compared in
    /// constant time.
    pub fn matches(input: &str, stored_hash: &str) -> bool {
        hash_recovery_code(input)
            .as_bytes()
            .ct_eq(stored_hash.as_bytes())
            .into()
    }

    /// The position of the stored hash that `input` matches, if any. Every
    /// hash is compared, in constant time; the caller deletes the one found,
    /// which makes the code single-use.
    pub fn find<S: AsRef<str>>(input: &str, stored_hashes: &[S]) -> Option<usize> {
        let hash = hash_recovery_code(input);
        let mut found = None;
        for (i, stored) in stored_hashes.iter().enumerate() {
            let matched: bool = hash.as_bytes().ct_eq(stored.as_ref().as_bytes()).into();
            if matched {
                found = Some(i);
            }
        }
        found
    }
}

/// The stored form of a recovery code: lower-case hex SHA-256 of the code
/// normalised as people type it (any case, with or without spaces and dashes,
/// `o` for `0` and `i` or `l` for `1`).
pub fn hash_recovery_code(input: &str) -> String {
    let normalised: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_lowercase() {
            'o' => '0',
            'i' | 'l' => '1',
            c => c,
        })
        .collect();
    data_encoding::HEXLOWER.encode(&Sha256::digest(normalised.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_ten_grouped_codes_from_the_alphabet() {
        let (codes, hashes) = RecoveryCodes::generate();
        assert_eq!(codes.len(), RecoveryCodes::COUNT);
        assert_eq!(hashes.len(), RecoveryCodes::COUNT);
        for code in &codes {
            let groups: Vec<&str> = code.split('-').collect();
            assert_eq!(groups.len(), GROUPS, "{code}");
            for group in groups {
                assert_eq!(group.len(), GROUP_LEN, "{code}");
                assert!(group.bytes().all(|b| ALPHABET.contains(&b)), "{code}");
            }
        }
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), RecoveryCodes::COUNT);
    }

    #[test]
    fn hashes_are_the_codes_hashes_in_order() {
        let (codes, hashes) = RecoveryCodes::generate();
        for (code, hash) in codes.iter().zip(&hashes) {
            assert_eq!(&hash_recovery_code(code), hash);
            assert!(!hash.contains(code.as_str()));
        }
    }

    #[test]
    fn hash_is_hex_sha256_of_the_normalised_code() {
        // FIPS 180-2's "abc" vector pins the stored format.
        assert_eq!(
            hash_recovery_code("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(hash_recovery_code("A-B c"), hash_recovery_code("abc"));
    }

    #[test]
    fn hash_normalises_what_people_type() {
        let stored = hash_recovery_code("k7f3-9q2m-x8d1");
        for typed in [
            "k7f3-9q2m-x8d1",
            "K7F3-9Q2M-X8D1",
            "k7f39q2mx8d1",
            " k7f3 9q2m x8d1 ",
            "k7f3 - 9q2m - x8dl",
            "K7F3-9Q2M-X8DI",
        ] {
            assert_eq!(hash_recovery_code(typed), stored, "{typed:?}");
        }
        assert_eq!(hash_recovery_code("0000"), hash_recovery_code("oOoO"));
        assert_ne!(hash_recovery_code("k7f3-9q2m-x8d2"), stored);
    }

    #[test]
    fn matches_only_the_right_code() {
        let (codes, hashes) = RecoveryCodes::generate();
        assert!(RecoveryCodes::matches(&codes[3].to_uppercase(), &hashes[3]));
        assert!(!RecoveryCodes::matches(&codes[3], &hashes[4]));
        assert!(!RecoveryCodes::matches(&codes[3], ""));
        assert!(!RecoveryCodes::matches(&codes[3], &codes[3]));
    }

    #[test]
    fn find_returns_the_position_of_the_match() {
        let (codes, hashes) = RecoveryCodes::generate();
        for (i, code) in codes.iter().enumerate() {
            assert_eq!(RecoveryCodes::find(code, &hashes), Some(i));
        }
        assert_eq!(RecoveryCodes::find("zzzz-zzzz-zzzz", &hashes), None);
        assert_eq!(RecoveryCodes::find(&codes[0], &[] as &[String]), None);
        // A used code, once its hash is deleted, no longer signs in.
        let remaining: Vec<&String> = hashes.iter().skip(1).collect();
        assert_eq!(RecoveryCodes::find(&codes[0], &remaining), None);
    }
}
