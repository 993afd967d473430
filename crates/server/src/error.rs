//! API errors: each kind maps to a status code, a stable code and a sentence
//! a person understands. Internal details are logged, never sent.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use protocol::ErrorBody;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{1}")]
    BadRequest(&'static str, String),
    #[error("Please sign in first.")]
    Unauthorized,
    /// Not signed in, for a reason of its own (a wrong code, an expired challenge).
    #[error("{1}")]
    Unauthenticated(&'static str, String),
    #[error("The e-mail address or the password is wrong.")]
    InvalidCredentials,
    #[error("{1}")]
    Forbidden(&'static str, String),
    #[error("{1}")]
    NotFound(&'static str, String),
    #[error("{1}")]
    Conflict(&'static str, String),
    #[error("{1}")]
    Gone(&'static str, String),
    #[error("{1}")]
    TooLarge(&'static str, String),
    #[error("{message}")]
    TooManyRequests {
        code: &'static str,
        message: String,
        retry_after_secs: u64,
    },
    /// A gateway or mail server we depend on refused or failed.
    #[error("{1}")]
    BadGateway(&'static str, String),
    /// Something this server is not set up for.
    #[error("{1}")]
    Unavailable(&'static str, String),
    #[error("Something went wrong on the server. Please try again.")]
    Internal(#[source] BoxError),
}

/// A boxed error with its context chain, for logging only.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

impl ApiError {
    pub fn internal(e: impl std::error::Error + Send + Sync + 'static) -> ApiError {
        ApiError::Internal(Box::new(e))
    }

    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::BadRequest(code, _) => (StatusCode::BAD_REQUEST, code),
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::InvalidCredentials => (StatusCode::UNAUTHORIZED, "invalid_credentials"),
            ApiError::Unauthenticated(code, _) => (StatusCode::UNAUTHORIZED, code),
            ApiError::Forbidden(code, _) => (StatusCode::FORBIDDEN, code),
            ApiError::NotFound(code, _) => (StatusCode::NOT_FOUND, code),
            ApiError::Conflict(code, _) => (StatusCode::CONFLICT, code),
            ApiError::Gone(code, _) => (StatusCode::GONE, code),
            ApiError::TooLarge(code, _) => (StatusCode::PAYLOAD_TOO_LARGE, code),
            ApiError::TooManyRequests { code, .. } => (StatusCode::TOO_MANY_REQUESTS, code),
            ApiError::BadGateway(code, _) => (StatusCode::BAD_GATEWAY, code),
            ApiError::Unavailable(code, _) => (StatusCode::SERVICE_UNAVAILABLE, code),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }

    pub fn code(&self) -> &'static str {
        self.status_and_code().1
    }

    pub fn forbidden_session() -> ApiError {
        ApiError::Forbidden(
            "forbidden",
            "You are not a participant of this session.".into(),
        )
    }

    pub fn session_not_found() -> ApiError {
        ApiError::NotFound("not_found", "There is no such session.".into())
    }
}

impl From<store::StoreError> for ApiError {
    fn from(e: store::StoreError) -> ApiError {
        ApiError::internal(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if let ApiError::Internal(e) = &self {
            let mut chain = e.to_string();
            let mut source = e.source();
            while let Some(s) = source {
                chain.push_str(": ");
                chain.push_str(&s.to_string());
                source = s.source();
            }
            tracing::error!(error = %chain, "request failed");
        }
        let body = ErrorBody {
            error: code.to_owned(),
            message: self.to_string(),
        };
        let mut response = (status, axum::Json(body)).into_response();
        if let ApiError::TooManyRequests {
            retry_after_secs, ..
        } = self
            && let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}
