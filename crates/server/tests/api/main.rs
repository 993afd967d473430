//! Integration tests: the real server on 127.0.0.1:0 with a fresh database,
//! driven over HTTP and WebSocket. Every scenario runs on SQLite and on
//! PostgreSQL (the test script starts a throwaway cluster and sets
//! `TETHER_TEST_DATABASE_URL`).

mod harness;

mod access;
mod admin;
mod authz;
mod chat;
mod files;
mod invitations;
mod keys;
mod restart;
mod signin;
mod smtp;
mod twofactor;
mod ws;
