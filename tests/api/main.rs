//! Integration tests: the real server over HTTP against a real PostgreSQL.

mod harness;

mod attributes;
mod auth;
mod bad_input;
mod catalog;
mod categories;
mod cli;
mod customers;
mod hostile;
mod http;
mod inventory;
mod isolation;
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
