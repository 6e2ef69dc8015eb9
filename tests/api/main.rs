//! Integration tests: the real server over HTTP against a real PostgreSQL.

mod harness;

mod attributes;
mod auth;
mod catalog;
mod categories;
mod cli;
mod customers;
mod hostile;
mod http;
mod http_audit;
mod inventory;
mod isolation;
mod limits;
mod loyalty;
mod migrations;
mod orders;
mod promotions;
mod provisioning;
mod royalty;
mod schema;
mod serve;
mod statements;
mod storefront;
mod stores;
