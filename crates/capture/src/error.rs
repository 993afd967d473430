//! The capture crate's error type.

use crate::Rect;

/// The platform's own error, kept as the source so nothing is lost.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why a capture call failed. Each variant names the step that failed.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// The display server could not be reached (no `DISPLAY`, no permission, …).
    #[error("cannot connect to the display {display}")]
    Connect {
        display: String,
        #[source]
        source: BoxError,
    },
    /// A request to the display server failed; `request` names it, e.g.
    /// `"X11 ShmGetImage"`.
    #[error("{request} failed")]
    Request {
        request: &'static str,
        #[source]
        source: BoxError,
    },
    /// The display server lacks something this capturer needs.
    #[error("the display server does not support {0}")]
    Unsupported(String),
    /// The requested area is empty or reaches outside the screen.
    #[error("capture area {area} is empty or not inside the screen {screen}")]
    OutOfBounds { area: Rect, screen: Rect },
    /// Creating or attaching the shared-memory segment failed.
    #[error("shared memory: {call} failed")]
    SharedMemory {
        call: &'static str,
        #[source]
        source: std::io::Error,
    },
}

/// Attaches the name of the failed request to a platform error.
pub(crate) trait Context<T> {
    fn during(self, request: &'static str) -> Result<T, CaptureError>;
}

impl<T, E> Context<T> for Result<T, E>
where
    E: std::error::Error + Send + Sync + 'static,
{
    fn during(self, request: &'static str) -> Result<T, CaptureError> {
        self.map_err(|source| CaptureError::Request {
            request,
            source: Box::new(source),
        })
    }
}
