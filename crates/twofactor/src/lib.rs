//! Two-factor sign-in: TOTP secrets and codes (RFC 6238), the enrolment URI
//! and its QR code, and single-use recovery codes.
//!
//! Architecture invariant: this crate does no I/O and reads no clock. Callers
//! pass the time in as Unix seconds and store what it hands back (the secret in
//! Base32, the last accepted time step, the recovery-code hashes), which keeps
//! every rule here deterministic and unit-tested. It does not throttle either:
//! a 6-digit code with ±1 step of skew is guessed with probability 3 in a
//! million per try, so the caller must limit attempts per account and per
//! address (`session::Throttle`).
//!
//! # Enrolment
//! 1. [`Secret::generate`], show [`qr_svg`] of [`otpauth_uri`] and
//!    [`Secret::to_base32_grouped`] for typing by hand.
//! 2. The person types the first code: [`verify`] with `last_used_step: None`.
//!    On success store [`Secret::to_base32`] and the returned step, and show
//!    the codes from [`RecoveryCodes::generate`] once (store only the hashes).
//!
//! # Sign-in
//! Six digits go to [`verify`] with the stored last step; on success store the
//! returned step, so the same code cannot be used twice. Anything that is not
//! a 6-digit code ([`TotpError::Format`]) may be a recovery code: look it up
//! with [`RecoveryCodes::find`] and delete the hash that matched.
//!
//! ```
//! use twofactor::{Secret, code_at, verify};
//!
//! let secret = Secret::generate();
//! let stored = secret.to_base32();
//! let now = 1_700_000_000;
//! let code = code_at(&secret, now); // what the person's app shows
//!
//! let secret = Secret::from_base32(&stored)?;
//! let step = verify(&secret, &code, now + 20, None)?;
//! assert!(verify(&secret, &code, now + 25, Some(step)).is_err()); // replayed
//! # Ok::<(), twofactor::TotpError>(())
//! ```

mod error;
mod recovery;
mod secret;
mod totp;
mod uri;

pub use error::TotpError;
pub use recovery::{RecoveryCodes, hash_recovery_code};
pub use secret::Secret;
pub use totp::{DIGITS, STEP_SECS, code_at, verify};
pub use uri::{otpauth_uri, qr_svg};
