//! Support keys, the session life cycle, the customer's consent to screen
//! access, and key-guess throttling.
//!
//! Architecture invariant: this crate does no I/O and reads no clock. Callers
//! pass the current time in, which keeps every rule here deterministic and
//! unit-testable. Only the life cycle here decides whether a key may be
//! redeemed or a session may still change, and only [`Consent`] decides
//! whether a screen frame may be relayed or an input event injected.

mod consent;
mod key;
mod lifecycle;
mod throttle;

pub use consent::{Access, Consent, ConsentError, Grant, Request, Step};
pub use key::{KeyParseError, SupportKey};
pub use lifecycle::{Lifecycle, LifecycleError};
pub use throttle::{GuessThrottle, Refusal, Throttle, ThrottleConfig};

/// Milliseconds since the Unix epoch; the one time unit of Tether's logic.
pub type Millis = i64;
