//! The one error type of this crate, worded for the person signing in.

/// Why a code, a secret or a QR code was refused. The messages are sentences
/// that can be shown as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TotpError {
    /// The input is not six digits (spaces aside). It may be a recovery code.
    #[error("The code must be 6 digits.")]
    Format,
    /// No code of the current, previous or next 30 seconds matches.
    #[error("The code is wrong or has expired.")]
    Wrong,
    /// The code matches, but for a time step already used to sign in.
    #[error("This code was already used; wait for the next one.")]
    Replayed,
    /// A stored or typed secret is not Base32 for exactly 20 bytes.
    #[error("The two-factor secret is not valid; set up two-factor sign-in again.")]
    InvalidSecret,
    /// The issuer and account name are too long to fit in a QR code.
    #[error("The name is too long to fit in a QR code.")]
    TooLongForQr,
}
