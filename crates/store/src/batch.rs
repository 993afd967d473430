//! Group commit for timeline events: concurrent `append_events` calls from
//! many sessions are written in one transaction and one multi-row INSERT,
//! so the database commits once per batch instead of once per message. A
//! caller still returns only after its events are durable, and events of one
//! session stay in order because each session's writer waits for its own
//! commit before it writes again.
//!
//! At low load a batch holds one call and costs what a single INSERT costs;
//! under load batches grow by themselves while the previous one commits.

use sqlx::AnyPool;
use tokio::sync::{mpsc, oneshot};

use crate::{EventRow, Result, StoreError, insert_event};

/// Rows gathered into one transaction.
const MAX_ROWS: usize = 1000;
/// Rows in one INSERT statement. Binding costs grow faster than linearly
/// with the number of parameters in one statement (sqlx looks each one up
/// by name), so a batch is written as several statements of this size:
/// measured with `cargo xtask bench chat`, 1000 rows a statement spent half
/// the writer's time in `sqlite3_bind_parameter_name`.
const ROWS_PER_STATEMENT: usize = 32;

type Job = (Vec<EventRow>, oneshot::Sender<Result<()>>);

#[derive(Debug, Clone)]
pub(crate) struct Batcher {
    tx: mpsc::Sender<Job>,
}

impl Batcher {
    pub(crate) fn start(writer: AnyPool) -> Batcher {
        let (tx, rx) = mpsc::channel(4096);
        tokio::spawn(run(writer, rx));
        Batcher { tx }
    }

    pub(crate) async fn append(&self, events: Vec<EventRow>) -> Result<()> {
        let (done, result) = oneshot::channel();
        self.tx
            .send((events, done))
            .await
            .map_err(|_| StoreError::Closed)?;
        result.await.map_err(|_| StoreError::Closed)?
    }
}

async fn run(writer: AnyPool, mut rx: mpsc::Receiver<Job>) {
    let mut jobs: Vec<Job> = Vec::new();
    while let Some(first) = rx.recv().await {
        let mut rows = first.0.len();
        jobs.push(first);
        while rows < MAX_ROWS {
            match rx.try_recv() {
                Ok(job) => {
                    rows += job.0.len();
                    jobs.push(job);
                }
                Err(_) => break,
            }
        }
        match write_all(&writer, &jobs).await {
            Ok(()) => {
                for (_, done) in jobs.drain(..) {
                    // The caller may have given up waiting; the rows are stored anyway.
                    let _ = done.send(Ok(()));
                }
            }
            // One bad job (a resent message id) must not fail the others:
            // write them one by one, each with its own answer.
            Err(_) => {
                for (events, done) in jobs.drain(..) {
                    let _ = done.send(write_one(&writer, &events).await);
                }
            }
        }
    }
}

async fn write_all(writer: &AnyPool, jobs: &[Job]) -> Result<()> {
    let rows: Vec<&EventRow> = jobs.iter().flat_map(|(events, _)| events.iter()).collect();
    let mut tx = writer
        .begin()
        .await
        .map_err(|e| StoreError::query("begin transaction", e))?;
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut sql = String::from(
            "INSERT INTO events (session_id, seq, kind, actor_role, actor_name, body, client_id, created_at) VALUES ",
        );
        for i in 0..chunk.len() {
            let p = i * 8;
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "(${},${},${},${},${},${},${},${})",
                p + 1,
                p + 2,
                p + 3,
                p + 4,
                p + 5,
                p + 6,
                p + 7,
                p + 8
            ));
        }
        // Built only from the fixed text above and parameter numbers.
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for e in chunk {
            query = query
                .bind(&e.session_id)
                .bind(e.seq)
                .bind(&e.kind)
                .bind(&e.actor_role)
                .bind(&e.actor_name)
                .bind(&e.body)
                .bind(&e.client_id)
                .bind(e.created_at);
        }
        query
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::query("append events", e))?;
    }
    tx.commit()
        .await
        .map_err(|e| StoreError::query("commit events", e))
}

async fn write_one(writer: &AnyPool, events: &[EventRow]) -> Result<()> {
    if let [event] = events {
        return insert_event(writer, event).await;
    }
    let mut tx = writer
        .begin()
        .await
        .map_err(|e| StoreError::query("begin transaction", e))?;
    for e in events {
        insert_event(&mut *tx, e).await?;
    }
    tx.commit()
        .await
        .map_err(|e| StoreError::query("commit events", e))
}
