//! The administrators' session history: every session of the groups they
//! manage, with filters, each with its transcript, files and consent/audit
//! trail, and an export as CSV or JSON.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use store::{HistoryFilter, HistoryRow, SessionRow};
use time::macros::format_description;

use crate::auth::Admin;
use crate::error::ApiError;
use crate::state::AppState;
use crate::views::{self, timestamp};

/// The most sessions one export holds.
const EXPORT_LIMIT: i64 = 10_000;

#[derive(Debug, Default, Deserialize)]
pub struct HistoryQuery {
    #[serde(default)]
    technician: Option<String>,
    #[serde(default)]
    customer: Option<String>,
    /// `YYYY-MM-DD`, UTC, inclusive.
    #[serde(default)]
    from: Option<String>,
    /// `YYYY-MM-DD`, UTC, inclusive.
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    group: Option<String>,
    #[serde(default)]
    limit: Option<i64>,
    #[serde(default)]
    offset: Option<i64>,
    #[serde(default)]
    format: Option<String>,
}

/// Turns the query into a store filter within the administrator's groups.
fn filter(admin: &Admin, q: &HistoryQuery) -> Result<HistoryFilter, ApiError> {
    let nonempty = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let group = nonempty(&q.group);
    let group_id = match (admin.scope(), group) {
        (Some(mine), Some(g)) if g != mine => {
            return Err(ApiError::Forbidden(
                "forbidden",
                "This belongs to a group you do not manage.".into(),
            ));
        }
        (Some(mine), _) => Some(mine.to_owned()),
        (None, g) => g,
    };
    let day = |v: &Option<String>, name: &str| -> Result<Option<i64>, ApiError> {
        let Some(text) = nonempty(v) else {
            return Ok(None);
        };
        let date = time::Date::parse(&text, format_description!("[year]-[month]-[day]")).map_err(
            |_| {
                ApiError::BadRequest(
                    "bad_date",
                    format!("The {name} date must look like 2026-11-21."),
                )
            },
        )?;
        Ok(Some(date.midnight().assume_utc().unix_timestamp() * 1000))
    };
    let from = day(&q.from, "from")?;
    // "to" is inclusive: sessions started before the next midnight.
    let to = day(&q.to, "to")?.map(|ms| ms + 86_400_000);
    Ok(HistoryFilter {
        group_id,
        technician_id: nonempty(&q.technician),
        customer: nonempty(&q.customer),
        from,
        to,
    })
}

fn summary(state: &AppState, h: &HistoryRow, names: &Names) -> Value {
    let s = &h.session;
    let view = views::session_view(
        s,
        views::Audience::Technician,
        state.hubs.lookup(&s.id).as_deref(),
        &state.public_url,
        state.now(),
    );
    let duration_secs = s
        .key_used_at
        .map(|start| (s.ended_at.unwrap_or_else(|| state.now()) - start).max(0) / 1000);
    json!({
        "id": s.id,
        "key": s.support_key,
        "state": view.state,
        "end_reason": view.end_reason,
        "created_at": timestamp(s.created_at),
        "joined_at": s.key_used_at.map(timestamp),
        "ended_at": s.ended_at.map(timestamp),
        "duration_secs": duration_secs,
        "group_id": s.group_id,
        "group_name": s.group_id.as_ref().and_then(|g| names.groups.get(g)),
        "technician": {"id": s.technician_id, "name": s.technician_name, "email": names.emails.get(&s.technician_id)},
        "customer_name": s.customer_name,
        "messages": h.messages,
        "files": h.files,
    })
}

/// Group names and technicians' e-mail addresses by id, read once per
/// request (an export covers many sessions).
struct Names {
    groups: HashMap<String, String>,
    emails: HashMap<String, String>,
}

impl Names {
    async fn load(state: &AppState) -> Result<Names, ApiError> {
        let groups = crate::routes::admin::group_names(state).await?;
        let emails = state
            .store
            .users(None)
            .await?
            .into_iter()
            .map(|u| (u.id, u.email))
            .collect();
        Ok(Names { groups, emails })
    }
}

pub async fn list(
    State(state): State<AppState>,
    admin: Admin,
    Query(q): Query<HistoryQuery>,
) -> Result<Json<Value>, ApiError> {
    let f = filter(&admin, &q)?;
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    let offset = q.offset.unwrap_or(0).max(0);
    let (rows, total) = state.store.history(&f, limit, offset).await?;
    let names = Names::load(&state).await?;
    let sessions: Vec<Value> = rows.iter().map(|h| summary(&state, h, &names)).collect();
    Ok(Json(json!({ "sessions": sessions, "total": total })))
}

/// A session this administrator may see.
async fn managed_session(
    state: &AppState,
    admin: &Admin,
    id: &str,
) -> Result<SessionRow, ApiError> {
    let row = state
        .store
        .session(id)
        .await?
        .ok_or_else(ApiError::session_not_found)?;
    admin.ensure_manages(row.group_id.as_deref())?;
    Ok(row)
}

pub async fn detail(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let row = managed_session(&state, &admin, &id).await?;
    Ok(Json(
        session_detail(&state, row, &Names::load(&state).await?).await?,
    ))
}

async fn session_detail(
    state: &AppState,
    row: SessionRow,
    names: &Names,
) -> Result<Value, ApiError> {
    let events: Vec<protocol::Event> = state
        .store
        .events_after(&row.id, 0)
        .await?
        .iter()
        .map(views::event)
        .collect();
    let files: Vec<Value> = state
        .store
        .files_of(&row.id)
        .await?
        .iter()
        .map(|f| {
            json!({
                "id": f.id, "name": f.name, "size": f.size,
                "created_at": timestamp(f.created_at),
                "removed": f.removed_at.is_some(),
                "url": format!("/api/v1/sessions/{}/files/{}", f.session_id, f.id),
            })
        })
        .collect();
    let messages = events
        .iter()
        .filter(|e| matches!(e.body, protocol::EventBody::Chat { .. }))
        .count();
    let h = HistoryRow {
        session: row,
        messages: i64::try_from(messages).unwrap_or(0),
        files: i64::try_from(files.len()).unwrap_or(0),
    };
    Ok(json!({ "session": summary(state, &h, names), "events": events, "files": files }))
}

pub async fn export(
    State(state): State<AppState>,
    admin: Admin,
    Query(q): Query<HistoryQuery>,
) -> Result<Response, ApiError> {
    let f = filter(&admin, &q)?;
    let format = q.format.as_deref().unwrap_or("csv");
    if format != "csv" && format != "json" {
        return Err(ApiError::BadRequest(
            "bad_format",
            "The export format must be csv or json.".into(),
        ));
    }
    let (rows, _) = state.store.history(&f, EXPORT_LIMIT, 0).await?;
    let names = Names::load(&state).await?;
    let today = time::OffsetDateTime::from_unix_timestamp(state.now() / 1000)
        .ok()
        .and_then(|t| t.format(format_description!("[year]-[month]-[day]")).ok())
        .unwrap_or_default();
    let (body, content_type) = if format == "json" {
        let mut sessions = Vec::with_capacity(rows.len());
        for h in &rows {
            sessions.push(session_detail(&state, h.session.clone(), &names).await?);
        }
        let body = serde_json::to_vec_pretty(
            &json!({ "exported_at": timestamp(state.now()), "sessions": sessions }),
        )
        .map_err(ApiError::internal)?;
        (body, "application/json")
    } else {
        let mut csv = String::from(
            "id,started_at,joined_at,ended_at,duration_secs,state,end_reason,group,technician,technician_email,customer,messages,files\r\n",
        );
        for h in &rows {
            let v = summary(&state, h, &names);
            let field = |p: &str| match v.pointer(p) {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Null) | None => String::new(),
                Some(other) => other.to_string().trim_matches('"').to_owned(),
            };
            let line = [
                "/id",
                "/created_at",
                "/joined_at",
                "/ended_at",
                "/duration_secs",
                "/state",
                "/end_reason",
                "/group_name",
                "/technician/name",
                "/technician/email",
                "/customer_name",
                "/messages",
                "/files",
            ]
            .map(|p| csv_field(&field(p)))
            .join(",");
            csv.push_str(&line);
            csv.push_str("\r\n");
        }
        (csv.into_bytes(), "text/csv; charset=utf-8")
    };
    let mut response = body.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"tether-sessions-{today}.{format}\""
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

/// One CSV field (RFC 4180), with a leading `'` before anything a
/// spreadsheet would run as a formula (customer names are anyone's input).
fn csv_field(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if guarded.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_and_formulas_disarmed() {
        assert_eq!(csv_field("Alex"), "Alex");
        assert_eq!(csv_field("Doe, Jane"), "\"Doe, Jane\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
    }
}
