//! Integration tests: the real server over HTTP against a real PostgreSQL.

mod fixtures;
mod harness;
mod harness_pgbouncer;

mod attributes;
mod auth;
mod bad_input;
mod catalog;
mod categories;
mod cli;
mod customers;
mod faults;
mod hostile;
mod http;
mod http_audit;
mod inventory;
mod isolation;
mod limits;
mod loyalty;
mod migrations;
mod orders;
mod pooler;
mod promotions;
mod provisioning;
mod readme;
mod royalty;
mod schema;
mod serve;
mod statements;
mod storefront;
mod stores;
