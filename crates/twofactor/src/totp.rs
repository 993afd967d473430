//! HOTP (RFC 4226) and TOTP (RFC 6238) with HMAC-SHA1: making and checking codes.

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use subtle::ConstantTimeEq;

use crate::{Secret, TotpError};

/// Digits in a code. Six is what every authenticator app shows by default.
pub const DIGITS: usize = 6;

/// Seconds in one time step: a code changes every 30 seconds.
pub const STEP_SECS: u64 = 30;

/// Steps either side of the server's own step that are still accepted, for
/// phones whose clock is a little off and people who type slowly.
const SKEW_STEPS: u64 = 1;

/// The code an authenticator app shows at `unix_secs`, for tests and tools
/// (the server only ever checks codes with [`verify`]).
pub fn code_at(secret: &Secret, unix_secs: u64) -> String {
    code_for_step(secret, unix_secs / STEP_SECS)
        .iter()
        .map(|&digit| char::from(digit))
        .collect()
}

/// Checks a code typed at `unix_secs` and returns the time step it belongs
/// to. The caller stores that step and passes it back as `last_used_step`
/// next time: a code whose step is not after it is refused, so a code seen
/// over someone's shoulder (or replayed from a log) cannot sign in again.
///
/// Accepts six digits with any spaces between them, from the current step or
/// one step either side. The comparison is constant-time, and all three steps
/// are computed and compared whichever matches.
pub fn verify(
    secret: &Secret,
    code: &str,
    unix_secs: u64,
    last_used_step: Option<u64>,
) -> Result<u64, TotpError> {
    let typed = parse_code(code)?;
    let now = unix_secs / STEP_SECS;
    let mut fresh = None;
    let mut replayed = false;
    // Ascending, so `fresh` ends as the latest unused step that matches: if a
    // code happens to repeat in two neighbouring steps, the later one is
    // recorded, which refuses the earlier one too.
    for step in now.saturating_sub(SKEW_STEPS)..=now + SKEW_STEPS {
        let matched: bool = code_for_step(secret, step).ct_eq(&typed).into();
        if matched {
            if last_used_step.is_some_and(|last| step <= last) {
                replayed = true;
            } else {
                fresh = Some(step);
            }
        }
    }
    match fresh {
        Some(step) => Ok(step),
        None if replayed => Err(TotpError::Replayed),
        None => Err(TotpError::Wrong),
    }
}

/// Six ASCII digits, or [`TotpError::Format`]. Whitespace anywhere is
/// ignored because apps show codes as `123 456`.
fn parse_code(code: &str) -> Result<[u8; DIGITS], TotpError> {
    let mut digits = [0; DIGITS];
    let mut count = 0;
    for c in code.chars().filter(|c| !c.is_whitespace()) {
        if !c.is_ascii_digit() || count == DIGITS {
            return Err(TotpError::Format);
        }
        digits[count] = c as u8;
        count += 1;
    }
    if count != DIGITS {
        return Err(TotpError::Format);
    }
    Ok(digits)
}

/// The code of one time step as ASCII digits, zero-padded.
fn code_for_step(secret: &Secret, step: u64) -> [u8; DIGITS] {
    let mut value = hotp(secret.as_bytes(), step, DIGITS as u32);
    let mut digits = [b'0'; DIGITS];
    for slot in digits.iter_mut().rev() {
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
    digits
}

/// RFC 4226 section 5.3: HMAC-SHA1 of the big-endian counter, dynamic
/// truncation to 31 bits, the last `digits` decimal digits. The digit count is
/// a parameter only so that the RFCs' 8-digit vectors can be checked.
fn hotp(key: &[u8], counter: u64, digits: u32) -> u32 {
    let mut mac = Hmac::<Sha1>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(&counter.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = usize::from(hash[hash.len() - 1] & 0x0f);
    let word = u32::from_be_bytes([
        hash[offset],
        hash[offset + 1],
        hash[offset + 2],
        hash[offset + 3],
    ]);
    (word & 0x7fff_ffff) % 10u32.pow(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The key of both RFCs' SHA-1 vectors.
    const RFC_KEY: &[u8; 20] = b"12345678901234567890";

    fn rfc_secret() -> Secret {
        Secret::from_bytes(*RFC_KEY)
    }

    #[test]
    fn rfc_4226_appendix_d_hotp() {
        let expected = [
            755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489,
        ];
        for (counter, code) in expected.into_iter().enumerate() {
            assert_eq!(hotp(RFC_KEY, counter as u64, 6), code, "counter {counter}");
        }
    }

    #[test]
    fn rfc_6238_appendix_b_totp_sha1() {
        let vectors = [
            (59, 94287082),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
            (20000000000, 65353130),
        ];
        for (time, code) in vectors {
            assert_eq!(hotp(RFC_KEY, time / STEP_SECS, 8), code, "time {time}");
        }
    }

    #[test]
    fn six_digit_codes_are_zero_padded() {
        // 07081804 in the RFC: the six-digit code keeps its leading zero.
        assert_eq!(code_at(&rfc_secret(), 1111111109), "081804");
        assert_eq!(code_at(&rfc_secret(), 59), "287082");
    }

    #[test]
    fn verify_accepts_the_current_code_and_returns_its_step() {
        let secret = rfc_secret();
        let now = 1234567890;
        let code = code_at(&secret, now);
        assert_eq!(verify(&secret, &code, now, None), Ok(now / STEP_SECS));
    }

    #[test]
    fn verify_tolerates_one_step_of_skew_either_way() {
        let secret = Secret::generate();
        let now = 1_700_000_010;
        let step = now / STEP_SECS;
        let previous = code_at(&secret, now - STEP_SECS);
        let next = code_at(&secret, now + STEP_SECS);
        assert_eq!(verify(&secret, &previous, now, None), Ok(step - 1));
        assert_eq!(verify(&secret, &next, now, None), Ok(step + 1));
    }

    #[test]
    fn verify_refuses_codes_two_steps_away() {
        // The RFC key's codes in these five steps are all different, so a
        // match cannot come from a repeated code.
        let secret = rfc_secret();
        let now = 1111111111;
        let old = code_at(&secret, now - 2 * STEP_SECS);
        let future = code_at(&secret, now + 2 * STEP_SECS);
        assert_eq!(verify(&secret, &old, now, None), Err(TotpError::Wrong));
        assert_eq!(verify(&secret, &future, now, None), Err(TotpError::Wrong));
    }

    #[test]
    fn verify_refuses_a_wrong_code() {
        let secret = rfc_secret();
        let now = 59;
        let code = code_at(&secret, now);
        let wrong = if code == "000000" { "000001" } else { "000000" };
        assert_eq!(verify(&secret, wrong, now, None), Err(TotpError::Wrong));
        // The right code for another secret.
        let other = Secret::from_bytes([7; Secret::LEN]);
        assert_eq!(verify(&other, &code, now, None), Err(TotpError::Wrong));
    }

    #[test]
    fn verify_tolerates_spaces() {
        let secret = rfc_secret();
        assert_eq!(verify(&secret, " 287 082 ", 59, None), Ok(1));
        assert_eq!(verify(&secret, "2 8 7\t0 8 2", 59, None), Ok(1));
    }

    #[test]
    fn verify_refuses_anything_but_six_digits() {
        let secret = rfc_secret();
        for input in [
            "",
            "28708",
            "2870820",
            "94287082",
            "28708a",
            "287-082",
            "٢٨٧٠٨٢",
            "k7f3-9q2m-x8dp",
        ] {
            assert_eq!(
                verify(&secret, input, 59, None),
                Err(TotpError::Format),
                "{input:?}"
            );
        }
    }

    #[test]
    fn verify_refuses_a_step_already_used() {
        let secret = rfc_secret();
        let now = 1234567890;
        let code = code_at(&secret, now);
        let step = verify(&secret, &code, now, None).expect("first use passes");
        assert_eq!(
            verify(&secret, &code, now + 5, Some(step)),
            Err(TotpError::Replayed)
        );
        // A later step's code passes; an earlier one, even if in the window, does not.
        let next = code_at(&secret, now + STEP_SECS);
        assert_eq!(
            verify(&secret, &next, now + STEP_SECS, Some(step)),
            Ok(step + 1)
        );
        let previous = code_at(&secret, now - STEP_SECS);
        assert_eq!(
            verify(&secret, &previous, now, Some(step)),
            Err(TotpError::Replayed)
        );
        assert_eq!(verify(&secret, &code, now, Some(step - 1)), Ok(step));
    }

    #[test]
    fn verify_works_at_the_start_of_time() {
        let secret = rfc_secret();
        assert_eq!(verify(&secret, &code_at(&secret, 0), 0, None), Ok(0));
        assert_eq!(verify(&secret, &code_at(&secret, 30), 0, None), Ok(1));
    }
}
