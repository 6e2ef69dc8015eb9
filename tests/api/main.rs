//! Integration tests: the real server over HTTP against a real PostgreSQL.

mod harness;

mod auth;
mod catalog;
mod cli;
mod hostile;
mod http;
mod isolation;
mod migrations;
mod schema;
mod serve;
mod statements;
mod stores;
