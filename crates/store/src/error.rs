//! The store's errors: what went wrong, with the step it went wrong in.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    #[error("cannot connect to the database at {0}")]
    Connect(String, #[source] sqlx::Error),
    #[error("cannot bring the database schema up to date")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    #[error("database error while trying to {0}")]
    Query(&'static str, #[source] sqlx::Error),
    #[error("an account with the e-mail address {0} already exists")]
    EmailTaken(String),
    #[error("a group with the name {0} already exists")]
    GroupNameTaken(String),
    #[error("the support key is live in another session")]
    KeyTaken,
    #[error("an event with this number or client id already exists")]
    EventConflict,
    #[error("the database writer has stopped")]
    Closed,
    #[error("stored value in column {0} is invalid")]
    Corrupt(&'static str),
}

impl StoreError {
    pub(crate) fn query(step: &'static str, e: sqlx::Error) -> StoreError {
        StoreError::Query(step, e)
    }
}
