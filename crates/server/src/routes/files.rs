//! Files from technician to customer: streamed to disk on upload, streamed
//! back on download, only to the session's participants.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use protocol::Event;
use serde::Deserialize;
use store::FileRow;
use tokio::io::AsyncWriteExt;

use crate::auth::{Caller, Technician};
use crate::error::ApiError;
use crate::routes::sessions::participant_session;
use crate::sessions;
use crate::state::AppState;
use crate::views;

#[derive(Debug, Deserialize)]
pub struct NameQuery {
    #[serde(default)]
    name: Option<String>,
}

fn too_large(max: u64) -> ApiError {
    ApiError::TooLarge(
        "file_too_large",
        format!(
            "The file is too large. Files up to {} can be sent.",
            human_size(max)
        ),
    )
}

pub async fn upload(
    State(state): State<AppState>,
    tech: Technician,
    Path(id): Path<String>,
    Query(q): Query<NameQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<Event>), ApiError> {
    let caller = Caller::Technician(tech.clone());
    let row = participant_session(&state, &caller, &id).await?;
    if row.state == "ended" {
        return Err(ApiError::Conflict(
            "session_ended",
            "This session has already ended.".into(),
        ));
    }
    let name = safe_file_name(q.name.as_deref().unwrap_or_default());
    // The limit of the group the session was started in.
    let policy = crate::policy::GroupPolicy::load(&state, row.group_id.as_deref()).await?;
    let max = policy.policy.max_file_bytes(&state);
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > max) {
        return Err(too_large(max));
    }
    tokio::fs::create_dir_all(&state.files_dir)
        .await
        .map_err(ApiError::internal)?;
    let file_id = uuid::Uuid::new_v4().to_string();
    let part = state.files_dir.join(format!("{file_id}.part"));
    let size = match receive(body, &part, max).await {
        Ok(size) => size,
        Err(e) => {
            remove_quietly(&part).await;
            return Err(e);
        }
    };
    let stored_name = file_id.clone();
    let final_path = state.files_dir.join(&stored_name);
    if let Err(e) = tokio::fs::rename(&part, &final_path).await {
        remove_quietly(&part).await;
        return Err(ApiError::internal(e));
    }
    let file = FileRow {
        id: file_id,
        session_id: row.id.clone(),
        name,
        size: i64::try_from(size).unwrap_or(i64::MAX),
        stored_name,
        created_at: state.now(),
        removed_at: None,
    };
    match sessions::add_file(&state, &row, &tech, file).await {
        Ok(event) => {
            tracing::info!(session = %row.id, bytes = size, "file sent");
            Ok((StatusCode::CREATED, Json(views::event(&event))))
        }
        Err(e) => {
            remove_quietly(&final_path).await;
            Err(e)
        }
    }
}

/// Writes the body to `path`, never holding more than one chunk in memory,
/// and stops as soon as it passes `max` bytes.
async fn receive(body: Body, path: &std::path::Path, max: u64) -> Result<u64, ApiError> {
    let mut out = tokio::fs::File::create(path)
        .await
        .map_err(ApiError::internal)?;
    let mut stream = body.into_data_stream();
    let mut size: u64 = 0;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| {
            ApiError::BadRequest(
                "upload_interrupted",
                "The upload was interrupted. Please try again.".into(),
            )
        })?;
        size += chunk.len() as u64;
        if size > max {
            return Err(too_large(max));
        }
        out.write_all(&chunk).await.map_err(ApiError::internal)?;
    }
    // On disk before the chat announces it: a crash must not lose a sent file.
    out.sync_all().await.map_err(ApiError::internal)?;
    Ok(size)
}

async fn remove_quietly(path: &std::path::Path) {
    if let Err(e) = tokio::fs::remove_file(path).await
        && e.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!(path = %path.display(), error = %e, "cannot remove partial upload");
    }
}

pub async fn download(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, file_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let row = match participant_session(&state, &caller, &id).await {
        Ok(row) => row,
        // Administrators read the files of their groups' sessions (history).
        Err(ApiError::Forbidden(..)) if caller.is_admin() => {
            let row = state
                .store
                .session(&id)
                .await?
                .ok_or_else(ApiError::session_not_found)?;
            if let Caller::Technician(t) = &caller {
                crate::auth::Admin {
                    user: t.user.clone(),
                }
                .ensure_manages(row.group_id.as_deref())?;
            }
            row
        }
        Err(e) => return Err(e),
    };
    let not_found =
        || ApiError::NotFound("not_found", "There is no such file in this session.".into());
    let file = state
        .store
        .file(&file_id)
        .await?
        .filter(|f| f.session_id == row.id)
        .ok_or_else(not_found)?;
    let removed = || {
        ApiError::Gone(
            "file_removed",
            "This file is no longer available: files are removed some time after the session ends."
                .into(),
        )
    };
    if file.removed_at.is_some() {
        return Err(removed());
    }
    let handle = match tokio::fs::File::open(state.files_dir.join(&file.stored_name)).await {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(removed()),
        Err(e) => return Err(ApiError::internal(e)),
    };
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(handle));
    let mut response = body.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    if let Ok(v) = HeaderValue::from_str(&file.size.to_string()) {
        h.insert(header::CONTENT_LENGTH, v);
    }
    if let Ok(v) = HeaderValue::from_str(&content_disposition(&file.name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}

const RFC5987: &AsciiSet = &NON_ALPHANUMERIC.remove(b'.').remove(b'-').remove(b'_');

fn content_disposition(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "attachment; filename=\"{fallback}\"; filename*=UTF-8''{}",
        utf8_percent_encode(name, RFC5987)
    )
}

/// A name that is safe on every platform the customer may save it on: no
/// folders, no control or reserved characters, not empty, not too long.
pub fn safe_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| {
            if matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*') {
                '_'
            } else {
                c
            }
        })
        .take(200)
        .collect();
    let trimmed = cleaned.trim_matches(|c: char| c == '.' || c.is_whitespace());
    if trimmed.is_empty() {
        return "file".into();
    }
    let stem = trimmed
        .split('.')
        .next()
        .unwrap_or_default()
        .to_ascii_uppercase();
    let reserved = matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || (stem.len() == 4
            && (stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.as_bytes()[3].is_ascii_digit());
    if reserved {
        format!("_{trimmed}")
    } else {
        trimmed.into()
    }
}

fn human_size(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if bytes >= MB {
        format!("{} MB", bytes / MB)
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_folders_and_dangerous_characters() {
        assert_eq!(safe_file_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_file_name("C:\\Users\\x\\report.pdf"), "report.pdf");
        assert_eq!(safe_file_name("a<b>:c?.txt"), "a_b__c_.txt");
        assert_eq!(safe_file_name("..."), "file");
        assert_eq!(safe_file_name(""), "file");
        assert_eq!(safe_file_name("con.txt"), "_con.txt");
        assert_eq!(safe_file_name("Über Straße.pdf"), "Über Straße.pdf");
        assert_eq!(safe_file_name(&"x".repeat(500)).chars().count(), 200);
    }

    #[test]
    fn content_disposition_has_ascii_fallback_and_utf8_name() {
        assert_eq!(
            content_disposition("Grüße \"x\".pdf"),
            "attachment; filename=\"Gr__e _x_.pdf\"; filename*=UTF-8''Gr%C3%BC%C3%9Fe%20%22x%22.pdf"
        );
    }
}
