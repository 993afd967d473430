//! The admin center's API: accounts (create with a set-password link,
//! disable signs out everywhere), groups and policies taking effect, group
//! administrators kept to their group, write-only gateway secrets, the
//! session history with filters and export, the audit log, who may call
//! any of it, and set-password links e-mailed through a real SMTP server.

use futures_util::StreamExt;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::harness::{Backend, PASSWORD, TestApp, assert_error, both_backends, read, spawn_app};
use crate::smtp::SmtpServer;

both_backends!(
    new_account_sets_password_through_one_time_link,
    disabling_signs_out_everywhere_at_once,
    group_policy_takes_effect,
    group_admin_reaches_only_their_group,
    gateway_secrets_are_write_only,
    history_filters_and_exports,
    admin_endpoints_refuse_the_wrong_callers,
    last_admin_cannot_be_removed,
    set_password_links_are_emailed_when_smtp_is_set_up
);

async fn create_group(app: &TestApp, admin: &str, name: &str, settings: Value) -> String {
    let (status, g) = app
        .post_json(
            "/api/v1/admin/groups",
            Some(admin),
            json!({"name": name, "settings": settings}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{g}");
    g["id"].as_str().expect("id").to_owned()
}

/// Creates an account through the API and sets its password through the
/// link; returns (user id, sign-in token).
async fn invited_account(
    app: &TestApp,
    admin: &str,
    email: &str,
    role: &str,
    group: Option<&str>,
) -> (String, String) {
    let (status, created) = app
        .post_json(
            "/api/v1/admin/users",
            Some(admin),
            json!({"email": email, "name": "Kim Tech", "role": role, "group_id": group}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let link = created["link"].as_str().expect("link");
    let token = link.split("token=").nth(1).expect("token in link");
    let (status, body) = app
        .post_json(
            "/api/v1/auth/reset",
            None,
            json!({"token": token, "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, login) = app.login(email, PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{login}");
    (
        created["user"]["id"].as_str().expect("id").to_owned(),
        login["token"].as_str().expect("token").to_owned(),
    )
}

async fn new_account_sets_password_through_one_time_link(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin("root@example.com").await;
    let (status, created) = app
        .post_json(
            "/api/v1/admin/users",
            Some(&admin),
            json!({"email": "Kim@Example.com", "name": "Kim", "role": "technician"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["user"]["email"], "kim@example.com");
    assert_eq!(created["user"]["group_id"], "default");
    assert_eq!(created["user"]["last_login_at"], Value::Null);
    // No password yet: nothing signs in.
    assert_error(
        &app.login("kim@example.com", "").await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    );
    let link = created["link"].as_str().expect("link");
    assert!(
        link.starts_with(&format!("{}/reset?token=", app.url)),
        "{link}"
    );
    let token = link.split("token=").nth(1).expect("token");
    let (status, who) = app
        .post_json("/api/v1/auth/reset/inspect", None, json!({"token": token}))
        .await;
    assert_eq!(status, StatusCode::OK, "{who}");
    assert_eq!(who["email"], "kim@example.com");
    assert_error(
        &app.post_json(
            "/api/v1/auth/reset",
            None,
            json!({"token": token, "password": "short"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "weak_password",
    );
    let (status, _) = app
        .post_json(
            "/api/v1/auth/reset",
            None,
            json!({"token": token, "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    // The link works once.
    assert_error(
        &app.post_json(
            "/api/v1/auth/reset",
            None,
            json!({"token": token, "password": "another password"}),
        )
        .await,
        StatusCode::GONE,
        "link_expired",
    );
    assert_error(
        &app.post_json("/api/v1/auth/reset/inspect", None, json!({"token": "nope"}))
            .await,
        StatusCode::NOT_FOUND,
        "unknown_link",
    );
    assert_eq!(
        app.login("kim@example.com", PASSWORD).await.0,
        StatusCode::OK
    );
    // The list shows when each account last signed in.
    let (_, users) = app.get("/api/v1/admin/users", Some(&admin)).await;
    let kim = users["users"]
        .as_array()
        .expect("users")
        .iter()
        .find(|u| u["email"] == "kim@example.com")
        .expect("kim listed")
        .clone();
    assert!(kim["last_login_at"].is_string(), "{kim}");
    assert_eq!(kim["group_name"], "Default");
    // A duplicate e-mail is refused and changes nothing.
    assert_error(
        &app.post_json(
            "/api/v1/admin/users",
            Some(&admin),
            json!({"email": "kim@example.com", "name": "Kim 2", "role": "technician"}),
        )
        .await,
        StatusCode::CONFLICT,
        "email_taken",
    );
    assert_error(
        &app.post_json(
            "/api/v1/admin/users",
            Some(&admin),
            json!({"email": "x@example.com", "name": "X", "role": "technician", "group_id": "nope"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "unknown_group",
    );
    // A password reset link from the admin: the old password works until it is used.
    let (status, reset) = app
        .post_json(
            &format!(
                "/api/v1/admin/users/{}/password-reset",
                kim["id"].as_str().expect("id")
            ),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{reset}");
    let (_, kim_login) = app.login("kim@example.com", PASSWORD).await;
    let kim_token = kim_login["token"].as_str().expect("token").to_owned();
    let token = reset["link"]
        .as_str()
        .expect("link")
        .split("token=")
        .nth(1)
        .expect("token");
    let (status, _) = app
        .post_json(
            "/api/v1/auth/reset",
            None,
            json!({"token": token, "password": "a brand new password"}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    // A new password ends every sign-in.
    assert_error(
        &app.get("/api/v1/me", Some(&kim_token)).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    assert_eq!(
        app.login("kim@example.com", "a brand new password").await.0,
        StatusCode::OK
    );
    app.stop().await;
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn ws(app: &TestApp, path: &str, token: &str) -> Ws {
    let mut req = format!("{}{path}", app.ws_url)
        .into_client_request()
        .expect("request");
    req.headers_mut().insert(
        "authorization",
        format!("Bearer {token}").parse().expect("header"),
    );
    tokio_tungstenite::connect_async(req)
        .await
        .expect("websocket connects")
        .0
}

/// Reads until the server closes; returns the close code and the last text frame.
async fn until_closed(ws: &mut Ws) -> (u16, Option<Value>) {
    let mut last = None;
    while let Some(msg) = ws.next().await {
        match msg.expect("frame") {
            Message::Text(t) => last = serde_json::from_str(t.as_str()).ok(),
            Message::Close(frame) => {
                return (frame.map(|f| u16::from(f.code)).unwrap_or(0), last);
            }
            _ => {}
        }
    }
    panic!("the connection ended without a close frame");
}

async fn disabling_signs_out_everywhere_at_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin("root@example.com").await;
    let (kim, kim_token) =
        invited_account(&app, &admin, "kim@example.com", "technician", None).await;
    let session = app.start_session(&kim_token).await;
    let sid = session["id"].as_str().expect("id");
    let mut account_ws = ws(&app, "/api/v1/me/events", &kim_token).await;
    let mut session_ws = ws(&app, &format!("/api/v1/sessions/{sid}/ws"), &kim_token).await;
    // The session connection is up once it has said hello.
    let hello = session_ws.next().await.expect("hello").expect("frame");
    assert!(hello.to_text().expect("text").contains("hello"));

    let (status, body) = app
        .patch_json(
            &format!("/api/v1/admin/users/{kim}"),
            Some(&admin),
            json!({"disabled": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user"]["disabled"], true);
    let (code, last) = until_closed(&mut account_ws).await;
    assert_eq!(code, 4001);
    assert_eq!(last.expect("a last message")["reason"], "disabled");
    assert_eq!(until_closed(&mut session_ws).await.0, 4001);
    assert_error(
        &app.get("/api/v1/me", Some(&kim_token)).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    assert_error(
        &app.login("kim@example.com", PASSWORD).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    );
    // Enabled again, the account signs in; its old token stays dead.
    let (status, _) = app
        .patch_json(
            &format!("/api/v1/admin/users/{kim}"),
            Some(&admin),
            json!({"disabled": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        app.login("kim@example.com", PASSWORD).await.0,
        StatusCode::OK
    );
    assert_eq!(
        app.get("/api/v1/me", Some(&kim_token)).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (_, audit) = app.get("/api/v1/admin/audit", Some(&admin)).await;
    let actions: Vec<&str> = audit["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["action"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        &actions[..3],
        ["account_enabled", "account_disabled", "account_created"]
    );
    app.stop().await;
}

async fn group_policy_takes_effect(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin("root@example.com").await;
    let group = create_group(
        &app,
        &admin,
        "Second level",
        json!({"key_lifetime_mins": 15, "request_remote_control_default": true,
               "auto_open_session": true, "max_file_mb": 1,
               "support_website": "https://help.example.com", "sms_default_country": "at"}),
    )
    .await;
    let (_, kim_token) =
        invited_account(&app, &admin, "kim@example.com", "technician", Some(&group)).await;
    let (_, me) = app.get("/api/v1/me", Some(&kim_token)).await;
    let s = &me["settings"];
    assert_eq!(s["key_lifetime_secs"], 900, "{me}");
    assert_eq!(s["request_remote_control_default"], true);
    assert_eq!(s["auto_open_session"], true);
    assert_eq!(s["max_file_bytes"], 1024 * 1024);
    assert_eq!(s["support_website"], "https://help.example.com");
    assert_eq!(s["sms_default_country"], "AT");
    assert_eq!(me["user"]["group_name"], "Second level");
    // The key lives 15 minutes.
    let session = app.start_session(&kim_token).await;
    let created = time::OffsetDateTime::parse(
        session["created_at"].as_str().expect("created"),
        &time::format_description::well_known::Rfc3339,
    )
    .expect("time");
    let expires = time::OffsetDateTime::parse(
        session["expires_at"].as_str().expect("expires"),
        &time::format_description::well_known::Rfc3339,
    )
    .expect("time");
    assert_eq!((expires - created).whole_seconds(), 900);
    // Files above the group's 1 MB are refused, before anything is stored.
    let sid = session["id"].as_str().expect("id");
    let resp = app
        .client
        .post(format!(
            "{}/api/v1/sessions/{sid}/files?name=big.bin",
            app.url
        ))
        .bearer_auth(&kim_token)
        // The server answers before reading the whole body and then closes
        // the connection; it must not go back into the client's pool, where
        // the next request could be written into the closing socket.
        .header(reqwest::header::CONNECTION, "close")
        .body(vec![0u8; 1024 * 1024 + 1])
        .send()
        .await
        .expect("request");
    assert_error(
        &read(resp).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "file_too_large",
    );
    // A change reaches an open console at once.
    let mut account_ws = ws(&app, "/api/v1/me/events", &kim_token).await;
    let (status, g) = app
        .patch_json(
            &format!("/api/v1/admin/groups/{group}"),
            Some(&admin),
            json!({"settings": {"key_lifetime_mins": 30}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{g}");
    // Settings not named in the change stay.
    assert_eq!(g["settings"]["max_file_mb"], 1);
    assert_eq!(g["settings"]["key_lifetime_mins"], 30);
    let pushed = loop {
        let msg = account_ws.next().await.expect("frame").expect("frame");
        if let Message::Text(t) = msg {
            break serde_json::from_str::<Value>(t.as_str()).expect("json");
        }
    };
    assert_eq!(pushed["type"], "settings");
    assert_eq!(pushed["settings"]["key_lifetime_secs"], 1800);
    // Bad values are refused and change nothing.
    assert_error(
        &app.patch_json(
            &format!("/api/v1/admin/groups/{group}"),
            Some(&admin),
            json!({"settings": {"key_lifetime_mins": 0}}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "bad_setting",
    );
    assert_error(
        &app.patch_json(
            &format!("/api/v1/admin/groups/{group}"),
            Some(&admin),
            json!({"settings": {"colour": "red"}}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    );
    let (_, groups) = app.get("/api/v1/admin/groups", Some(&admin)).await;
    let g = groups["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .find(|g| g["id"] == group.as_str())
        .expect("listed")
        .clone();
    assert_eq!(g["settings"]["key_lifetime_mins"], 30);
    assert_eq!(g["member_count"], 1);
    // A group with members cannot be deleted; the audit log names the change.
    assert_error(
        &app.send_json(
            Method::DELETE,
            &format!("/api/v1/admin/groups/{group}"),
            Some(&admin),
            json!({}),
        )
        .await,
        StatusCode::CONFLICT,
        "group_not_empty",
    );
    let (_, audit) = app.get("/api/v1/admin/audit", Some(&admin)).await;
    let change = &audit["entries"][0];
    assert_eq!(change["action"], "group_changed");
    assert_eq!(change["details"]["before"]["key_lifetime_mins"], 15);
    assert_eq!(change["details"]["changed"]["key_lifetime_mins"], 30);
    app.stop().await;
}

async fn group_admin_reaches_only_their_group(backend: Backend) {
    let app = spawn_app(backend).await;
    let root = app.admin("root@example.com").await;
    let blue = create_group(&app, &root, "Blue", json!({})).await;
    let red = create_group(&app, &root, "Red", json!({})).await;
    let (_, blue_admin) =
        invited_account(&app, &root, "ba@example.com", "admin", Some(&blue)).await;
    let (red_tech, red_tech_token) =
        invited_account(&app, &root, "rt@example.com", "technician", Some(&red)).await;
    let (_, blue_tech_token) =
        invited_account(&app, &root, "bt@example.com", "technician", Some(&blue)).await;
    let red_session = app.start_session(&red_tech_token).await;
    let blue_session = app.start_session(&blue_tech_token).await;

    let (_, users) = app.get("/api/v1/admin/users", Some(&blue_admin)).await;
    let emails: Vec<&str> = users["users"]
        .as_array()
        .expect("users")
        .iter()
        .map(|u| u["email"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(emails.len(), 2, "{emails:?}");
    assert!(emails.contains(&"bt@example.com") && emails.contains(&"ba@example.com"));
    // Another group's account, group, sessions: refused.
    assert_eq!(
        app.patch_json(
            &format!("/api/v1/admin/users/{red_tech}"),
            Some(&blue_admin),
            json!({"disabled": true})
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.patch_json(
            &format!("/api/v1/admin/groups/{red}"),
            Some(&blue_admin),
            json!({"name": "Mine"})
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let red_sid = red_session["id"].as_str().expect("id");
    assert_eq!(
        app.get(
            &format!("/api/v1/admin/sessions/{red_sid}"),
            Some(&blue_admin)
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get(
            &format!("/api/v1/admin/sessions?group={red}"),
            Some(&blue_admin)
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let (_, list) = app.get("/api/v1/admin/sessions", Some(&blue_admin)).await;
    assert_eq!(list["total"], 1, "{list}");
    assert_eq!(list["sessions"][0]["id"], blue_session["id"]);
    // Creating groups and the gateways are for administrators of all groups.
    assert_eq!(
        app.post_json(
            "/api/v1/admin/groups",
            Some(&blue_admin),
            json!({"name": "Green"})
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/api/v1/admin/messaging", Some(&blue_admin))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    // A group administrator cannot create an account in another group.
    assert_eq!(
        app.post_json(
            "/api/v1/admin/users",
            Some(&blue_admin),
            json!({"email": "x@example.com", "name": "X", "role": "technician", "group_id": red}),
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    // Nor make anyone an administrator of all groups.
    assert_eq!(
        app.post_json(
            "/api/v1/admin/users",
            Some(&blue_admin),
            json!({"email": "y@example.com", "name": "Y", "role": "admin"}),
        )
        .await
        .1["user"]["group_id"],
        blue.as_str()
    );
    app.stop().await;
}

async fn gateway_secrets_are_write_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin("root@example.com").await;
    let tech = app.technician("kim@example.com").await;
    let (_, me) = app.get("/api/v1/me", Some(&tech)).await;
    assert_eq!(me["settings"]["sms_available"], false);
    let (status, view) = app
        .send_json(
            Method::PUT,
            "/api/v1/admin/messaging",
            Some(&admin),
            json!({
                "sms": {"account_sid": "AC123", "from": "+4930123456", "auth_token": "tok-SECRET-1"},
                "smtp": {"host": "127.0.0.1", "port": 2525, "security": "none", "from": "Support <s@example.com>", "password": "pw-SECRET-2"}
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["sms"]["auth_token_set"], true);
    assert_eq!(view["sms"]["base_url"], "https://api.twilio.com");
    assert_eq!(view["smtp"]["password_set"], true);
    let (_, again) = app.get("/api/v1/admin/messaging", Some(&admin)).await;
    let (_, audit) = app.get("/api/v1/admin/audit", Some(&admin)).await;
    for text in [view.to_string(), again.to_string(), audit.to_string()] {
        assert!(!text.contains("SECRET"), "a secret leaked: {text}");
    }
    let (_, me) = app.get("/api/v1/me", Some(&tech)).await;
    assert_eq!(me["settings"]["sms_available"], true);
    assert_eq!(me["settings"]["email_available"], true);
    // Bad input is refused and keeps what was stored.
    assert_error(
        &app.send_json(
            Method::PUT,
            "/api/v1/admin/messaging",
            Some(&admin),
            json!({"smtp": {"host": "mail", "port": 25, "security": "ssl", "from": "a@b.c"}}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "bad_setting",
    );
    let (_, after) = app.get("/api/v1/admin/messaging", Some(&admin)).await;
    assert_eq!(after, again);
    app.stop().await;
}

async fn history_filters_and_exports(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin("root@example.com").await;
    let (kim, kim_token) =
        invited_account(&app, &admin, "kim@example.com", "technician", None).await;
    let lee_token = app.technician("lee@example.com").await;
    let (sid, customer) = app.joined_session(&kim_token).await;
    app.say(&sid, &customer, "Hello, my printer is broken")
        .await;
    app.say(&sid, &kim_token, "Let me look").await;
    let other = app.start_session(&lee_token).await;

    let (_, all) = app.get("/api/v1/admin/sessions", Some(&admin)).await;
    assert_eq!(all["total"], 2, "{all}");
    let (_, by_kim) = app
        .get(
            &format!("/api/v1/admin/sessions?technician={kim}"),
            Some(&admin),
        )
        .await;
    assert_eq!(by_kim["total"], 1);
    let row = &by_kim["sessions"][0];
    assert_eq!(row["id"], sid.as_str());
    assert_eq!(row["customer_name"], "Alex");
    assert_eq!(row["messages"], 2);
    assert_eq!(row["technician"]["email"], "kim@example.com");
    let (_, by_customer) = app
        .get("/api/v1/admin/sessions?customer=ale", Some(&admin))
        .await;
    assert_eq!(by_customer["total"], 1);
    let (_, nobody) = app
        .get("/api/v1/admin/sessions?customer=%25", Some(&admin))
        .await;
    assert_eq!(nobody["total"], 0, "a % is taken literally");
    let today = time::OffsetDateTime::from_unix_timestamp(app.clock.now() / 1000)
        .expect("time")
        .date();
    let (_, dated) = app
        .get(
            &format!("/api/v1/admin/sessions?from={today}&to={today}"),
            Some(&admin),
        )
        .await;
    assert_eq!(dated["total"], 2, "{dated}");
    let tomorrow = today.next_day().expect("date");
    let (_, later) = app
        .get(
            &format!("/api/v1/admin/sessions?from={tomorrow}"),
            Some(&admin),
        )
        .await;
    assert_eq!(later["total"], 0);
    assert_error(
        &app.get("/api/v1/admin/sessions?from=yesterday", Some(&admin))
            .await,
        StatusCode::BAD_REQUEST,
        "bad_date",
    );
    let (status, detail) = app
        .get(&format!("/api/v1/admin/sessions/{sid}"), Some(&admin))
        .await;
    assert_eq!(status, StatusCode::OK);
    let kinds: Vec<&str> = detail["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["kind"].as_str().unwrap_or_default())
        .collect();
    assert!(
        kinds.contains(&"created") && kinds.contains(&"joined") && kinds.contains(&"chat"),
        "{kinds:?}"
    );

    let resp = app
        .client
        .get(format!(
            "{}/api/v1/admin/sessions/export?format=csv&technician={kim}",
            app.url
        ))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), StatusCode::OK);
    let disposition = resp.headers()["content-disposition"]
        .to_str()
        .expect("header")
        .to_owned();
    assert!(
        disposition.contains("tether-sessions-") && disposition.ends_with(".csv\""),
        "{disposition}"
    );
    let csv = resp.text().await.expect("body");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[0].starts_with("id,started_at"));
    assert!(
        lines[1].starts_with(&sid)
            && lines[1].contains("kim@example.com")
            && lines[1].contains("Alex")
    );
    let resp = app
        .client
        .get(format!(
            "{}/api/v1/admin/sessions/export?format=json",
            app.url
        ))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("request");
    let json: Value = resp.json().await.expect("json");
    let sessions = json["sessions"].as_array().expect("sessions");
    assert_eq!(sessions.len(), 2);
    let exported = sessions
        .iter()
        .find(|s| s["session"]["id"] == sid.as_str())
        .expect("exported");
    assert!(
        exported["events"]
            .to_string()
            .contains("my printer is broken")
    );
    assert!(sessions.iter().any(|s| s["session"]["id"] == other["id"]));
    assert_error(
        &app.get("/api/v1/admin/sessions/export?format=xml", Some(&admin))
            .await,
        StatusCode::BAD_REQUEST,
        "bad_format",
    );
    app.stop().await;
}

async fn last_admin_cannot_be_removed(backend: Backend) {
    let app = spawn_app(backend).await;
    let root = app.admin("root@example.com").await;
    let (_, me) = app.get("/api/v1/me", Some(&root)).await;
    let root_id = me["user"]["id"].as_str().expect("id").to_owned();
    assert_error(
        &app.patch_json(
            &format!("/api/v1/admin/users/{root_id}"),
            Some(&root),
            json!({"disabled": true}),
        )
        .await,
        StatusCode::CONFLICT,
        "self",
    );
    let (other, other_token) = invited_account(&app, &root, "two@example.com", "admin", None).await;
    // Another administrator may disable the first while a second one remains...
    let (status, _) = app
        .patch_json(
            &format!("/api/v1/admin/users/{root_id}"),
            Some(&other_token),
            json!({"disabled": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // ...but the last one stays.
    let (_, third) =
        invited_account(&app, &other_token, "three@example.com", "technician", None).await;
    let _ = third;
    assert_error(
        &app.patch_json(
            &format!("/api/v1/admin/users/{other}"),
            Some(&other_token),
            json!({"role": "technician"}),
        )
        .await,
        StatusCode::CONFLICT,
        "self",
    );
    app.stop().await;
}

/// Every admin endpoint against no token, a forged token, a customer's
/// token and a technician's token.
async fn admin_endpoints_refuse_the_wrong_callers(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin("root@example.com").await;
    let tech = app.technician("kim@example.com").await;
    let (sid, customer) = app.joined_session(&tech).await;
    let (_, me) = app.get("/api/v1/me", Some(&tech)).await;
    let uid = me["user"]["id"].as_str().expect("id").to_owned();
    let endpoints: Vec<(Method, String)> = vec![
        (Method::GET, "/api/v1/admin/users".into()),
        (Method::POST, "/api/v1/admin/users".into()),
        (Method::PATCH, format!("/api/v1/admin/users/{uid}")),
        (
            Method::POST,
            format!("/api/v1/admin/users/{uid}/password-reset"),
        ),
        (Method::POST, format!("/api/v1/admin/users/{uid}/2fa-reset")),
        (Method::GET, "/api/v1/admin/groups".into()),
        (Method::POST, "/api/v1/admin/groups".into()),
        (Method::PATCH, "/api/v1/admin/groups/default".into()),
        (Method::DELETE, "/api/v1/admin/groups/default".into()),
        (Method::GET, "/api/v1/admin/messaging".into()),
        (Method::PUT, "/api/v1/admin/messaging".into()),
        (Method::GET, "/api/v1/admin/audit".into()),
        (Method::GET, "/api/v1/admin/sessions".into()),
        (
            Method::GET,
            "/api/v1/admin/sessions/export?format=csv".into(),
        ),
        (Method::GET, format!("/api/v1/admin/sessions/{sid}")),
    ];
    for (method, path) in &endpoints {
        for (who, token, expected) in [
            ("nobody", None, StatusCode::UNAUTHORIZED),
            ("a forged token", Some("tt_0000"), StatusCode::UNAUTHORIZED),
            (
                "the customer",
                Some(customer.as_str()),
                StatusCode::FORBIDDEN,
            ),
            ("a technician", Some(tech.as_str()), StatusCode::FORBIDDEN),
        ] {
            let (status, body) = app.send_json(method.clone(), path, token, json!({})).await;
            assert_eq!(status, expected, "{method} {path} as {who}: {body}");
            if who == "a technician" {
                assert_eq!(body["error"], "admin_only", "{method} {path}");
            }
        }
        // The administrator reaches each (any answer but a refusal of who they are).
        let (status, body) = app
            .send_json(method.clone(), path, Some(&admin), json!({}))
            .await;
        assert!(
            status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN,
            "{method} {path} as the administrator: {status} {body}"
        );
    }
    // The technician's own console endpoints refuse customers too.
    for path in ["/api/v1/me", "/api/v1/me/events"] {
        assert_eq!(
            app.get(path, Some(&customer)).await.0,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    for path in [
        "/api/v1/me/2fa/setup",
        "/api/v1/me/2fa/enable",
        "/api/v1/me/2fa/disable",
        "/api/v1/me/2fa/recovery-codes",
    ] {
        assert_eq!(
            app.post_json(path, Some(&customer), json!({})).await.0,
            StatusCode::FORBIDDEN,
            "{path}"
        );
        assert_eq!(
            app.post_json(path, None, json!({})).await.0,
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
    }
    app.stop().await;
}

/// With a mail server set up, the set-password link goes out by e-mail in
/// the language asked for; when sending fails, the account and the link
/// exist anyway and the administrator hears why.
async fn set_password_links_are_emailed_when_smtp_is_set_up(backend: Backend) {
    let smtp = SmtpServer::start();
    let app = spawn_app(backend).await;
    let admin = app.admin("root@example.com").await;
    // No mail server yet: the administrator hands the link over.
    let (status, created) = app
        .post_json(
            "/api/v1/admin/users",
            Some(&admin),
            json!({"email": "kim@example.com", "name": "Kim", "role": "technician"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["emailed"], false, "{created}");
    assert!(created.get("email_error").is_none(), "{created}");

    let configure = |port: u16| {
        app.send_json(
            Method::PUT,
            "/api/v1/admin/messaging",
            Some(&admin),
            json!({"smtp": {"host": "127.0.0.1", "port": port, "security": "none",
                            "from": "Tether <support@example.com>"}}),
        )
    };
    let (status, view) = configure(smtp.port).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    let (status, created) = app
        .post_json(
            "/api/v1/admin/users",
            Some(&admin),
            json!({"email": "Jana@Example.de", "name": "Jana Weber", "role": "technician",
                   "language": "de"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["emailed"], true, "{created}");
    assert!(created.get("email_error").is_none(), "{created}");
    let link = created["link"].as_str().expect("link");
    let messages = smtp.messages();
    assert_eq!(messages.len(), 1);
    let m = &messages[0];
    assert_eq!(m["rcpt_tos"], json!(["jana@example.de"]));
    assert_eq!(m["from"], "Tether <support@example.com>");
    assert_eq!(m["subject"], "Ihr Tether-Konto: Passwort festlegen");
    let parts = m["parts"].as_array().expect("parts");
    assert_eq!(parts.len(), 2, "text and HTML: {m}");
    for part in parts {
        let text = part["text"].as_str().expect("text");
        assert!(text.contains(link), "{text}");
        assert!(text.contains("Guten Tag Jana Weber,"), "{text}");
    }
    // The e-mailed link is the account's.
    let token = link.split("token=").nth(1).expect("token");
    let (status, who) = app
        .post_json("/api/v1/auth/reset/inspect", None, json!({"token": token}))
        .await;
    assert_eq!(status, StatusCode::OK, "{who}");
    assert_eq!(who["email"], "jana@example.de");

    // A password reset sends a second message, in English unless asked.
    let jana = created["user"]["id"].as_str().expect("id");
    let reset_path = |id: &str| format!("/api/v1/admin/users/{id}/password-reset");
    let (status, reset) = app
        .post_json(&reset_path(jana), Some(&admin), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{reset}");
    assert_eq!(reset["emailed"], true, "{reset}");
    let reset_link = reset["link"].as_str().expect("link");
    assert_ne!(reset_link, link);
    let messages = smtp.messages();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[1]["rcpt_tos"], json!(["jana@example.de"]));
    assert_eq!(
        messages[1]["subject"],
        "Your Tether account: set a new password"
    );
    for part in messages[1]["parts"].as_array().expect("parts") {
        assert!(
            part["text"].as_str().expect("text").contains(reset_link),
            "{part}"
        );
    }
    for body in [
        json!({"email": "x@example.com", "name": "X", "role": "technician", "language": "fr"}),
        json!({"email": "x@example.com", "name": "X", "role": "technician", "lang": "de"}),
    ] {
        let answer = app
            .post_json("/api/v1/admin/users", Some(&admin), body.clone())
            .await;
        assert_eq!(answer.0, StatusCode::BAD_REQUEST, "{body}: {}", answer.1);
    }
    assert_error(
        &app.post_json(&reset_path(jana), Some(&admin), json!({"language": "fr"}))
            .await,
        StatusCode::BAD_REQUEST,
        "bad_language",
    );
    assert_eq!(
        smtp.messages().len(),
        2,
        "nothing sent for a refused request"
    );

    // Nothing listens on the configured port: the account is created and
    // the link made all the same, with the reason it was not e-mailed.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("address").port()
    };
    let (status, view) = configure(closed).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    let (status, created) = app
        .post_json(
            "/api/v1/admin/users",
            Some(&admin),
            json!({"email": "lee@example.com", "name": "Lee", "role": "technician",
                   "language": "en"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["emailed"], false, "{created}");
    let error = created["email_error"].as_str().expect("email_error");
    assert!(
        error.starts_with(&format!(
            "Could not connect to the mail server at 127.0.0.1:{closed}"
        )),
        "{error}"
    );
    assert!(
        created["link"]
            .as_str()
            .is_some_and(|l| l.contains("token="))
    );
    let lee = created["user"]["id"].as_str().expect("id");
    let (_, users) = app.get("/api/v1/admin/users", Some(&admin)).await;
    assert!(
        users["users"]
            .as_array()
            .expect("users")
            .iter()
            .any(|u| u["id"] == lee),
        "{users}"
    );
    let (status, reset) = app
        .post_json(&reset_path(lee), Some(&admin), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{reset}");
    assert_eq!(reset["emailed"], false, "{reset}");
    assert!(reset["email_error"].is_string(), "{reset}");
    assert!(reset["link"].is_string(), "{reset}");
    assert_eq!(smtp.messages().len(), 2);

    // The audit log says which links went out by e-mail. (Entries made in
    // the same millisecond have no order, so compare as a set.)
    let (_, audit) = app.get("/api/v1/admin/audit", Some(&admin)).await;
    let emailed: std::collections::BTreeSet<(String, String, Option<bool>)> = audit["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["action"] == "account_created" || e["action"] == "password_link_created")
        .map(|e| {
            (
                e["action"].as_str().unwrap_or_default().to_owned(),
                e["target"].as_str().unwrap_or_default().to_owned(),
                e["details"]["emailed"].as_bool(),
            )
        })
        .collect();
    let row = |action: &str, target: &str, emailed: bool| {
        (action.to_owned(), target.to_owned(), Some(emailed))
    };
    assert_eq!(
        emailed,
        [
            row("account_created", "kim@example.com", false),
            row("account_created", "jana@example.de", true),
            row("password_link_created", "jana@example.de", true),
            row("account_created", "lee@example.com", false),
            row("password_link_created", "lee@example.com", false),
        ]
        .into_iter()
        .collect()
    );
    app.stop().await;
}
