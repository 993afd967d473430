//! Screen access without a browser: request, download ticket, the support
//! app's connection and consent, and the relay's rules — no frame and no
//! input without a current grant, checked from the outside.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::harness::{Backend, TestApp, assert_error, both_backends, read, spawn_app_with};
use crate::ws::{Ws, connect, next, next_event};

both_backends!(
    guided_flow_from_request_to_live_frames_and_input,
    view_only_grant_drops_input,
    the_viewers_size_reaches_the_app_under_the_current_grant,
    nothing_passes_after_revocation_and_old_input_stays_dropped,
    denial_is_shown_and_grants_nothing,
    tickets_are_single_use_and_expire,
    app_can_end_the_session,
    access_endpoints_refuse_the_wrong_callers,
    remote_control_is_requested_on_arrival,
    app_can_join_with_the_support_key,
);

const FAKE_APP: &[u8] = b"\x7fELF pretend support app";

async fn app(backend: Backend) -> TestApp {
    let bin = tempfile::tempdir().expect("dir").keep();
    std::fs::write(bin.join("tether-support"), FAKE_APP).expect("write fake app");
    spawn_app_with(backend, |c| c.agent_dir = Some(bin)).await
}

async fn request(app: &TestApp, sid: &str, token: &str, access: &str) -> (StatusCode, Value) {
    app.post_json(
        &format!("/api/v1/sessions/{sid}/access/request"),
        Some(token),
        json!({"access": access}),
    )
    .await
}

async fn view(app: &TestApp, sid: &str, token: &str) -> Value {
    app.get(&format!("/api/v1/sessions/{sid}"), Some(token))
        .await
        .1
}

/// Downloads the app as the customer would and reads the ticket from its end.
async fn download(app: &TestApp, url: &str) -> (StatusCode, String) {
    assert!(
        url.starts_with("/api/v1/app/download?ticket="),
        "relative to the page: {url}"
    );
    let resp = app
        .client
        .get(format!("{}{url}", app.url))
        .send()
        .await
        .expect("download");
    let status = resp.status();
    let bytes = resp.bytes().await.expect("bytes").to_vec();
    if status != StatusCode::OK {
        return (status, String::from_utf8_lossy(&bytes).into_owned());
    }
    assert!(bytes.starts_with(FAKE_APP), "the app itself comes first");
    assert_eq!(&bytes[bytes.len() - 8..], b"TETHERv1");
    let len = u32::from_le_bytes(
        bytes[bytes.len() - 12..bytes.len() - 8]
            .try_into()
            .expect("len"),
    ) as usize;
    let config: Value = serde_json::from_slice(&bytes[bytes.len() - 12 - len..bytes.len() - 12])
        .expect("trailer json");
    assert_eq!(config["server"], app.url);
    (
        status,
        config["ticket"].as_str().expect("ticket").to_owned(),
    )
}

async fn redeem(app: &TestApp, ticket: &str) -> (StatusCode, Value) {
    app.post_json("/api/v1/agent/redeem", None, json!({"ticket": ticket}))
        .await
}

async fn agent_ws(app: &TestApp, token: &str) -> Ws {
    let mut req = format!("{}/api/v1/agent/ws", app.ws_url)
        .into_client_request()
        .expect("request");
    req.headers_mut().insert(
        "authorization",
        format!("Bearer {token}").parse().expect("header"),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(req)
        .await
        .expect("agent connects");
    let hello = json!({"type": "hello", "platform": "linux-x86_64", "hostname": "customer-pc",
        "monitors": [{"id": 1, "name": "Virtual-1", "x": 0, "y": 0, "width": 1280, "height": 720, "primary": true}]});
    ws.send(Message::text(hello.to_string()))
        .await
        .expect("hello");
    ws
}

/// Next JSON frame of the given type from the app's connection.
async fn agent_next(ws: &mut Ws, kind: &str) -> Value {
    loop {
        let frame = next(ws).await.expect("agent connection open");
        if frame["type"] == kind {
            return frame;
        }
    }
}

async fn next_binary(ws: &mut Ws) -> Vec<u8> {
    loop {
        match ws.next().await.expect("open").expect("frame") {
            Message::Binary(b) => return b.to_vec(),
            Message::Close(_) => panic!("closed"),
            _ => {}
        }
    }
}

/// A session with a connected app holding a grant of `access`; returns
/// (session, technician ws, app ws, epoch).
async fn granted(app: &TestApp, tech: &str, cust: &str, sid: &str, access: &str) -> (Ws, Ws, u64) {
    let mut t = connect(app, sid, tech, 0).await;
    assert_eq!(request(app, sid, tech, access).await.0, StatusCode::OK);
    let url = view(app, sid, cust).await["access"]["download_url"]
        .as_str()
        .expect("download url")
        .to_owned();
    let (_, ticket) = download(app, &url).await;
    let (_, creds) = redeem(app, &ticket).await;
    let mut a = agent_ws(app, creds["agent_token"].as_str().expect("token")).await;
    let ask = agent_next(&mut a, "request").await;
    a.send(Message::text(
        json!({"type": "consent", "request_id": ask["request_id"], "allow": true}).to_string(),
    ))
    .await
    .expect("consent");
    let grant = agent_next(&mut a, "grant").await;
    let epoch = grant["epoch"].as_u64().expect("epoch");
    next_event(&mut t, "access_granted").await;
    (t, a, epoch)
}

async fn guided_flow_from_request_to_live_frames_and_input(backend: Backend) {
    let app = app(backend).await;
    let tech = app.technician("dana@example.com").await;
    let (sid, cust) = app.joined_session(&tech).await;
    let mut t = connect(&app, &sid, &tech, 0).await;
    let (status, v) = request(&app, &sid, &tech, "control").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["access"]["pending"]["step"], "request_sent");
    assert!(
        v["access"].get("download_url").is_none(),
        "the technician never sees the ticket"
    );
    let cv = view(&app, &sid, &cust).await;
    let url = cv["access"]["download_url"]
        .as_str()
        .expect("customer gets the download")
        .to_owned();

    let (status, ticket) = download(&app, &url).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        view(&app, &sid, &tech).await["access"]["pending"]["step"],
        "download_started"
    );
    let (status, creds) = redeem(&app, &ticket).await;
    assert_eq!(status, StatusCode::OK, "{creds}");
    assert_eq!(creds["session_id"], sid.as_str());
    let mut a = agent_ws(&app, creds["agent_token"].as_str().expect("token")).await;
    let welcome = agent_next(&mut a, "welcome").await;
    assert_eq!(welcome["technician"], "Tech dana@example.com");
    let ask = agent_next(&mut a, "request").await;
    assert_eq!(ask["access"], "control");
    let tv = view(&app, &sid, &tech).await;
    assert_eq!(tv["access"]["pending"]["step"], "app_connected");
    a.send(Message::text(
        json!({"type": "prompted", "request_id": ask["request_id"]}).to_string(),
    ))
    .await
    .expect("prompted");
    loop {
        let f = next(&mut t).await.expect("frame");
        if f["type"] == "session" && f["session"]["access"]["pending"]["step"] == "awaiting_consent"
        {
            break;
        }
    }
    assert_eq!(tv["access"]["monitors"][0]["width"], 1280);
    assert!(
        tv["access"]["grant"].is_null(),
        "nothing is granted before the customer answers"
    );

    a.send(Message::text(
        json!({"type": "consent", "request_id": ask["request_id"], "allow": true}).to_string(),
    ))
    .await
    .expect("consent");
    let grant = agent_next(&mut a, "grant").await;
    let epoch = grant["epoch"].as_u64().expect("epoch");
    let granted = next_event(&mut t, "access_granted").await;
    assert_eq!(
        (granted["actor"]["role"].as_str(), granted["epoch"].as_u64()),
        (Some("customer"), Some(epoch))
    );

    a.send(Message::binary(vec![1u8, 2, 3, 4]))
        .await
        .expect("frame");
    assert_eq!(next_binary(&mut t).await, [1, 2, 3, 4]);
    let input = json!({"type": "input", "epoch": epoch, "events": [{"t": "move", "x": 10, "y": 20}, {"t": "key", "code": "KeyA", "down": true}]});
    t.send(Message::text(input.to_string()))
        .await
        .expect("input");
    let got = agent_next(&mut a, "input").await;
    assert_eq!(got["events"][0], json!({"t": "move", "x": 10, "y": 20}));
    // A forged epoch is refused by the server and never reaches the app.
    t.send(Message::text(
        json!({"type": "input", "epoch": epoch + 7, "events": [{"t": "ctrl_alt_del"}]}).to_string(),
    ))
    .await
    .expect("input");
    loop {
        let f = next(&mut t).await.expect("frame");
        if f["type"] == "error" {
            assert_eq!(f["error"], "no_control");
            break;
        }
    }
    t.send(Message::text(
        json!({"type": "input", "epoch": epoch, "events": [{"t": "wheel", "dx": 0, "dy": 3}]})
            .to_string(),
    ))
    .await
    .expect("input");
    assert_eq!(
        agent_next(&mut a, "input").await["events"][0]["t"],
        "wheel",
        "the forged event was not relayed"
    );
    // The customer's page may not send input.
    let mut c = connect(&app, &sid, &cust, 1000).await;
    c.send(Message::text(
        json!({"type": "input", "epoch": epoch, "events": [{"t": "ctrl_alt_del"}]}).to_string(),
    ))
    .await
    .expect("send");
    loop {
        let f = next(&mut c).await.expect("frame");
        if f["type"] == "error" {
            assert_eq!(f["error"], "bad_frame");
            break;
        }
    }
    app.stop().await;
}

async fn view_only_grant_drops_input(backend: Backend) {
    let app = app(backend).await;
    let tech = app.technician("dana@example.com").await;
    let (sid, cust) = app.joined_session(&tech).await;
    let (mut t, mut a, epoch) = granted(&app, &tech, &cust, &sid, "view").await;
    a.send(Message::binary(vec![9u8])).await.expect("frame");
    assert_eq!(next_binary(&mut t).await, [9]);
    t.send(Message::text(
        json!({"type": "input", "epoch": epoch, "events": [{"t": "move", "x": 1, "y": 1}]})
            .to_string(),
    ))
    .await
    .expect("input");
    loop {
        let f = next(&mut t).await.expect("frame");
        if f["type"] == "error" {
            assert_eq!(f["error"], "no_control");
            break;
        }
    }
    // The upgrade bar: control needs a new answer from the customer.
    assert_eq!(
        request(&app, &sid, &tech, "control").await.0,
        StatusCode::OK
    );
    let ask = agent_next(&mut a, "request").await;
    assert_eq!(ask["access"], "control");
    app.stop().await;
}

async fn the_viewers_size_reaches_the_app_under_the_current_grant(backend: Backend) {
    let app = app(backend).await;
    let tech = app.technician("dana@example.com").await;
    let (sid, cust) = app.joined_session(&tech).await;
    let (mut t, mut a, epoch) = granted(&app, &tech, &cust, &sid, "view").await;
    let size = |epoch: u64, width: u32, height: u32| {
        Message::text(
            json!({"type": "view", "epoch": epoch, "width": width, "height": height}).to_string(),
        )
    };
    // Under another grant's epoch: dropped; then the current one passes.
    t.send(size(epoch + 1, 100, 100)).await.expect("view");
    t.send(size(epoch, 960, 540)).await.expect("view");
    assert_eq!(
        agent_next(&mut a, "view").await,
        json!({"type": "view", "epoch": epoch, "width": 960, "height": 540})
    );
    // No size: refused with a sentence, nothing passed on.
    t.send(size(epoch, 0, 540)).await.expect("view");
    loop {
        let f = next(&mut t).await.expect("frame");
        if f["type"] == "error" {
            assert_eq!(f["error"], "bad_frame");
            assert!(
                f["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("at least 1 × 1"))
            );
            break;
        }
    }
    // The customer's page may not send it.
    let mut c = connect(&app, &sid, &cust, 1000).await;
    c.send(size(epoch, 10, 10)).await.expect("send");
    loop {
        let f = next(&mut c).await.expect("frame");
        if f["type"] == "error" {
            assert_eq!(f["error"], "bad_frame");
            break;
        }
    }
    // Neither the refused frames nor the stale one reached the app: the next
    // thing it gets is the next valid size.
    t.send(size(epoch, 1280, 720)).await.expect("view");
    assert_eq!(agent_next(&mut a, "view").await["width"], 1280);
    app.stop().await;
}

async fn nothing_passes_after_revocation_and_old_input_stays_dropped(backend: Backend) {
    let app = app(backend).await;
    let tech = app.technician("dana@example.com").await;
    let (sid, cust) = app.joined_session(&tech).await;
    let (mut t, mut a, epoch) = granted(&app, &tech, &cust, &sid, "control").await;
    // The customer presses "Stop screen sharing" on the web page.
    let (status, v) = app
        .post_json(
            &format!("/api/v1/sessions/{sid}/access/revoke"),
            Some(&cust),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert!(v["access"]["grant"].is_null());
    assert_eq!(agent_next(&mut a, "revoke").await["epoch"], epoch);
    let revoked = next_event(&mut t, "access_revoked").await;
    assert_eq!(revoked["reason"], "customer");
    // A frame pushed after the revocation is not relayed ...
    a.send(Message::binary(vec![0xAAu8]))
        .await
        .expect("late frame");
    // ... and input under the old grant is refused.
    t.send(Message::text(
        json!({"type": "input", "epoch": epoch, "events": [{"t": "move", "x": 1, "y": 1}]})
            .to_string(),
    ))
    .await
    .expect("input");
    // New consent, new epoch: the first frame the viewer gets is the new one.
    assert_eq!(
        request(&app, &sid, &tech, "control").await.0,
        StatusCode::OK
    );
    let ask = agent_next(&mut a, "request").await;
    a.send(Message::text(
        json!({"type": "consent", "request_id": ask["request_id"], "allow": true}).to_string(),
    ))
    .await
    .expect("consent");
    let epoch2 = agent_next(&mut a, "grant").await["epoch"]
        .as_u64()
        .expect("epoch");
    assert!(epoch2 > epoch);
    a.send(Message::binary(vec![0xBBu8])).await.expect("frame");
    assert_eq!(
        next_binary(&mut t).await,
        [0xBB],
        "the frame sent without a grant was dropped"
    );
    // The replayed old-epoch input never reaches the app; new input does.
    t.send(Message::text(
        json!({"type": "input", "epoch": epoch, "events": [{"t": "text", "text": "old"}]})
            .to_string(),
    ))
    .await
    .expect("replay");
    t.send(Message::text(
        json!({"type": "input", "epoch": epoch2, "events": [{"t": "text", "text": "new"}]})
            .to_string(),
    ))
    .await
    .expect("input");
    assert_eq!(
        agent_next(&mut a, "input").await["events"][0]["text"],
        "new"
    );
    // Stop from the app's own notice works the same way.
    a.send(Message::text(json!({"type": "stop_sharing"}).to_string()))
        .await
        .expect("stop");
    assert_eq!(agent_next(&mut a, "revoke").await["epoch"], epoch2);
    app.stop().await;
}

async fn denial_is_shown_and_grants_nothing(backend: Backend) {
    let app = app(backend).await;
    let tech = app.technician("dana@example.com").await;
    let (sid, cust) = app.joined_session(&tech).await;
    let mut t = connect(&app, &sid, &tech, 0).await;
    request(&app, &sid, &tech, "control").await;
    let url = view(&app, &sid, &cust).await["access"]["download_url"]
        .as_str()
        .expect("url")
        .to_owned();
    let (_, ticket) = download(&app, &url).await;
    let (_, creds) = redeem(&app, &ticket).await;
    let mut a = agent_ws(&app, creds["agent_token"].as_str().expect("token")).await;
    let ask = agent_next(&mut a, "request").await;
    a.send(Message::text(
        json!({"type": "consent", "request_id": ask["request_id"], "allow": false}).to_string(),
    ))
    .await
    .expect("deny");
    let denied = next_event(&mut t, "access_denied").await;
    assert_eq!(denied["access"], "control");
    let v = view(&app, &sid, &tech).await;
    assert!(
        v["access"]["grant"].is_null() && v["access"]["pending"].is_null(),
        "{v}"
    );
    // A late "allow" for the denied request changes nothing.
    a.send(Message::text(
        json!({"type": "consent", "request_id": ask["request_id"], "allow": true}).to_string(),
    ))
    .await
    .expect("late");
    a.send(Message::binary(vec![1u8])).await.expect("frame");
    let kinds = app.timeline_kinds(&sid, &tech).await;
    assert!(!kinds.contains(&"access_granted".to_owned()), "{kinds:?}");
    assert!(view(&app, &sid, &tech).await["access"]["grant"].is_null());
    app.stop().await;
}

async fn tickets_are_single_use_and_expire(backend: Backend) {
    let app = app(backend).await;
    let tech = app.technician("dana@example.com").await;
    let (sid, cust) = app.joined_session(&tech).await;
    request(&app, &sid, &tech, "view").await;
    let url = view(&app, &sid, &cust).await["access"]["download_url"]
        .as_str()
        .expect("url")
        .to_owned();
    let (_, ticket) = download(&app, &url).await;
    assert_eq!(redeem(&app, &ticket).await.0, StatusCode::OK);
    assert_error(
        &redeem(&app, &ticket).await,
        StatusCode::GONE,
        "ticket_used",
    );
    assert_error(
        &redeem(&app, "tk_nonsense").await,
        StatusCode::NOT_FOUND,
        "unknown_ticket",
    );
    // A new request has a new ticket; it runs out after ten minutes.
    app.post_json(
        &format!("/api/v1/sessions/{sid}/access/cancel"),
        Some(&tech),
        json!({}),
    )
    .await;
    assert_eq!(request(&app, &sid, &tech, "view").await.0, StatusCode::OK);
    let url = view(&app, &sid, &cust).await["access"]["download_url"]
        .as_str()
        .expect("url")
        .to_owned();
    app.clock.advance(Duration::from_secs(600));
    let (status, body) = download(&app, &url).await;
    assert_eq!(status, StatusCode::GONE, "{body}");
    assert!(body.contains("ticket_expired"));
    app.stop().await;
}

async fn app_can_end_the_session(backend: Backend) {
    let app = app(backend).await;
    let tech = app.technician("dana@example.com").await;
    let (sid, cust) = app.joined_session(&tech).await;
    let (mut t, mut a, _) = granted(&app, &tech, &cust, &sid, "control").await;
    a.send(Message::text(json!({"type": "end_session"}).to_string()))
        .await
        .expect("end");
    let revoked = next_event(&mut t, "access_revoked").await;
    assert_eq!(revoked["reason"], "session_ended");
    let ended = next_event(&mut t, "ended").await;
    assert_eq!(ended["reason"], "customer");
    assert_eq!(agent_next(&mut a, "ended").await["reason"], "customer");
    assert!(
        next(&mut a).await.is_none(),
        "the app's connection is closed"
    );
    app.stop().await;
}

async fn access_endpoints_refuse_the_wrong_callers(backend: Backend) {
    let app = app(backend).await;
    let tech = app.technician("dana@example.com").await;
    let other = app.technician("other@example.com").await;
    let (sid, cust) = app.joined_session(&tech).await;
    let (_, other_cust) = app.joined_session(&other).await;
    // (path, caller, expected): technician-only doors refuse customers too;
    // revoke is the customer's right, so only strangers are refused there.
    let mut cases = Vec::new();
    for path in ["request", "cancel", "revoke"] {
        cases.push((path, None, StatusCode::UNAUTHORIZED));
        cases.push((path, Some(other.as_str()), StatusCode::FORBIDDEN));
        cases.push((path, Some(other_cust.as_str()), StatusCode::FORBIDDEN));
        if path != "revoke" {
            cases.push((path, Some(cust.as_str()), StatusCode::FORBIDDEN));
        }
    }
    for (path, token, expected) in cases {
        let p = format!("/api/v1/sessions/{sid}/access/{path}");
        let got = app.post_json(&p, token, json!({"access": "view"})).await.0;
        assert_eq!(got, expected, "{p} with {token:?}");
    }
    let revoke = format!("/api/v1/sessions/{sid}/access/revoke");
    assert_error(
        &app.post_json(&revoke, Some(&cust), json!({})).await,
        StatusCode::CONFLICT,
        "not_shared",
    );
    assert_error(
        &request(&app, &sid, &tech, "everything").await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    );
    // The app's own token opens only the app's door.
    request(&app, &sid, &tech, "view").await;
    let url = view(&app, &sid, &cust).await["access"]["download_url"]
        .as_str()
        .expect("url")
        .to_owned();
    let (_, ticket) = download(&app, &url).await;
    let (_, creds) = redeem(&app, &ticket).await;
    let agent = creds["agent_token"].as_str().expect("token");
    assert_eq!(app.say(&sid, agent, "hi").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.get(&format!("/api/v1/sessions/{sid}"), Some(agent))
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    let resp = app
        .client
        .get(format!("{}/api/v1/agent/ws", app.url))
        .bearer_auth(&cust)
        .send()
        .await
        .expect("ws");
    assert_eq!(
        read(resp).await.0,
        StatusCode::UNAUTHORIZED,
        "a customer token is not an app token"
    );
    app.stop().await;
}

async fn remote_control_is_requested_on_arrival(backend: Backend) {
    let app = app(backend).await;
    let tech = app.technician("dana@example.com").await;
    let (_, s) = app
        .post_json(
            "/api/v1/sessions",
            Some(&tech),
            json!({"request_remote_control": true}),
        )
        .await;
    let (_, j) = app.join(s["key"].as_str().expect("key"), "Alex").await;
    let cust = j["customer_token"].as_str().expect("token");
    let v = view(&app, s["id"].as_str().expect("id"), cust).await;
    assert_eq!(v["access"]["pending"]["access"], "control");
    assert!(v["access"]["download_url"].as_str().is_some());
    app.stop().await;
}

async fn app_can_join_with_the_support_key(backend: Backend) {
    let app = app(backend).await;
    let tech = app.technician("dana@example.com").await;
    let s = app.start_session(&tech).await;
    let key = s["key_display"].as_str().expect("key");
    let (status, creds) = app
        .post_json(
            "/api/v1/agent/join",
            None,
            json!({"key": key, "name": "Alex"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{creds}");
    assert_eq!(creds["session_id"], s["id"]);
    // The key is used up, exactly as if the customer had joined in the browser.
    assert_error(
        &app.post_json("/api/v1/agent/join", None, json!({"key": key}))
            .await,
        StatusCode::GONE,
        "key_used",
    );
    assert_error(
        &app.post_json("/api/v1/agent/join", None, json!({"key": "1"}))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_key",
    );
    let v = view(&app, s["id"].as_str().expect("id"), &tech).await;
    assert_eq!(
        (v["state"].as_str(), v["customer"]["name"].as_str()),
        (Some("active"), Some("Alex"))
    );
    let mut a = agent_ws(&app, creds["agent_token"].as_str().expect("token")).await;
    assert_eq!(
        agent_next(&mut a, "welcome").await["technician"],
        "Tech dana@example.com"
    );
    // A request now goes straight to the connected app.
    request(&app, s["id"].as_str().expect("id"), &tech, "view").await;
    assert_eq!(agent_next(&mut a, "request").await["access"], "view");
    app.stop().await;
}
