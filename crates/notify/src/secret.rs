//! `Secret`: a credential (SMTP password, Twilio auth token) that never prints.

use std::fmt;

/// A credential. `Debug` and `Display` print `***`, so a `Secret` inside a
/// config struct, an error or a `tracing` field never shows its value; only
/// [`Secret::expose`] reads it, at the one place that sends it.
///
/// It deliberately implements no `Serialize`: settings storage reads and
/// writes the string itself and wraps it here, so a `Secret` cannot end up
/// in a JSON answer by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The credential itself, for the request that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `text` with every occurrence of the secret replaced by `***`: applied
    /// to anything a remote server says before it goes into an error, so
    /// even a server that echoes the credential cannot leak it.
    pub(crate) fn redact(&self, text: &str) -> String {
        // A very short secret would match innocent text and tells nothing.
        if self.0.len() < 4 {
            return text.to_owned();
        }
        text.replace(&self.0, "***")
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Secret {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Secret {
        Secret(value.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_its_value() {
        let secret = Secret::new("hunter2-token");
        assert_eq!(format!("{secret}"), "***");
        assert_eq!(format!("{secret:?}"), "***");
        assert_eq!(format!("{secret:#?}"), "***");
        assert_eq!(secret.expose(), "hunter2-token");

        #[derive(Debug)]
        #[allow(dead_code)]
        struct Config {
            token: Secret,
        }
        let config = format!("{:?}", Config { token: secret });
        assert!(!config.contains("hunter2"), "{config}");
    }

    #[test]
    fn redacts_echoed_values() {
        let secret = Secret::new("s3cr3t-value");
        assert_eq!(
            secret.redact("bad login s3cr3t-value for s3cr3t-value"),
            "bad login *** for ***"
        );
        assert_eq!(Secret::new("").redact("anything"), "anything");
    }
}
