//! Group commit: many sessions appending at once all get their rows stored
//! in order, and one conflicting row fails only its own call.

use store::{EventRow, NewSession, NewUser, Store, StoreError};

fn event(session: &str, seq: i64, client_id: Option<&str>) -> EventRow {
    EventRow {
        session_id: session.into(),
        seq,
        kind: "chat".into(),
        actor_role: "customer".into(),
        actor_name: "A".into(),
        body: format!(r#"{{"kind":"chat","text":"{seq}"}}"#),
        client_id: client_id.map(Into::into),
        created_at: seq,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_appends_are_batched_and_isolated() {
    let dir = tempfile::tempdir().expect("dir");
    let store = Store::open(&format!("sqlite://{}", dir.path().join("t.db").display()))
        .await
        .expect("open");
    store
        .create_user(&NewUser {
            id: "u".into(),
            email: "u@example.com".into(),
            name: "U".into(),
            password_hash: "x".into(),
            role: "technician".into(),
            created_at: 0,
            group_id: Some("default".into()),
        })
        .await
        .expect("user");
    let sessions: Vec<String> = (0..20).map(|i| format!("s{i}")).collect();
    for (i, id) in sessions.iter().enumerate() {
        let new = NewSession {
            id: id.clone(),
            technician_id: "u".into(),
            support_key: format!("{i:09}"),
            key_expires_at: 1,
            request_remote_control: false,
            created_at: 0,
            group_id: Some("default".into()),
        };
        store.create_session(&new, &[]).await.expect("session");
    }
    store
        .append_events(&[event("s0", 1, Some("dup"))])
        .await
        .expect("first");
    // Each session writes its own numbers in order; all sessions at once.
    let mut tasks = Vec::new();
    for id in &sessions {
        let (store, id) = (store.clone(), id.clone());
        tasks.push(tokio::spawn(async move {
            let start = if id == "s0" { 2 } else { 1 };
            for seq in start..start + 50 {
                store
                    .append_events(&[event(&id, seq, None)])
                    .await
                    .expect("append");
            }
        }));
    }
    let dup = tokio::spawn(store_dup(store.clone()));
    for t in tasks {
        t.await.expect("task");
    }
    assert!(matches!(
        dup.await.expect("task"),
        Err(StoreError::EventConflict)
    ));
    for id in &sessions {
        let rows = store.events_after(id, 0).await.expect("read");
        let expected = if id == "s0" { 51 } else { 50 };
        assert_eq!(rows.len(), expected, "{id}");
        assert!(rows.windows(2).all(|w| w[1].seq == w[0].seq + 1));
    }
}

async fn store_dup(store: Store) -> Result<(), StoreError> {
    store.append_events(&[event("s0", 1000, Some("dup"))]).await
}
