//! The input crate's error type.

/// The platform's own error, kept as the source so nothing is lost.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why injecting input failed. Each variant names the step that failed.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The display server could not be reached (no `DISPLAY`, no permission, …).
    #[error("cannot connect to the display {display}")]
    Connect {
        display: String,
        #[source]
        source: BoxError,
    },
    /// A request to the display server failed; `request` names it, e.g.
    /// `"X11 FakeInput"`.
    #[error("{request} failed")]
    Request {
        request: &'static str,
        #[source]
        source: BoxError,
    },
    /// The display server lacks something this injector needs (e.g. XTEST).
    #[error("the display server does not support {0}")]
    Unsupported(String),
    /// The text holds a character that cannot be typed (a control character
    /// other than tab, newline and backspace). Nothing was typed.
    #[error("cannot type the control character U+{:04X}", u32::from(*.0))]
    Untypable(char),
    /// Every key code is in use, so a character or key missing from the
    /// keyboard layout has nowhere to be bound. The string says which.
    #[error("no free key code to bind {0} to")]
    NoFreeKeycode(String),
}

/// Attaches the name of the failed request to a platform error.
pub(crate) trait Context<T> {
    fn during(self, request: &'static str) -> Result<T, InputError>;
}

impl<T, E> Context<T> for Result<T, E>
where
    E: std::error::Error + Send + Sync + 'static,
{
    fn during(self, request: &'static str) -> Result<T, InputError> {
        self.map_err(|source| InputError::Request {
            request,
            source: Box::new(source),
        })
    }
}
