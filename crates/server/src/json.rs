//! A JSON body extractor whose refusals speak our error format.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(JsonBody(v)),
            Err(rejection) => Err(match rejection {
                JsonRejection::MissingJsonContentType(_) => ApiError::BadRequest(
                    "bad_request",
                    "Send the request body as JSON (Content-Type: application/json).".into(),
                ),
                JsonRejection::JsonDataError(e) => {
                    let text = e.body_text();
                    let detail = text
                        .strip_prefix("Failed to deserialize the JSON body into the target type: ")
                        .unwrap_or(&text);
                    ApiError::BadRequest(
                        "bad_request",
                        format!("The request body has a wrong or missing field ({detail})."),
                    )
                }
                JsonRejection::JsonSyntaxError(_) => ApiError::BadRequest(
                    "bad_request",
                    "The request body is not valid JSON.".into(),
                ),
                JsonRejection::BytesRejection(_) => ApiError::TooLarge(
                    "body_too_large",
                    "The request body is too large or could not be read.".into(),
                ),
                _ => ApiError::BadRequest(
                    "bad_request",
                    "The request body could not be read.".into(),
                ),
            }),
        }
    }
}

/// For an optional field where absent and `null` mean different things:
/// absent is `None` (with `#[serde(default)]`), `null` is `Some(None)`.
pub fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    serde::Deserialize::deserialize(d).map(Some)
}
