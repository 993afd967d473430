//! Support keys, the session life cycle and key-guess throttling.
//!
//! Architecture invariant: this crate does no I/O and reads no clock. Callers
//! pass the current time in, which keeps every rule here deterministic and
//! unit-testable. Only the life cycle here decides whether a key may be
//! redeemed or a session may still change.

mod key;
mod lifecycle;
mod throttle;

pub use key::{KeyParseError, SupportKey};
pub use lifecycle::{Lifecycle, LifecycleError};
pub use throttle::{GuessThrottle, Refusal, ThrottleConfig};

/// Milliseconds since the Unix epoch; the one time unit of Tether's logic.
pub type Millis = i64;
