//! storegraph: a GraphQL backend for multi-tenant commerce.
//!
//! One PostgreSQL schema per tenant, one GraphQL schema for all of them. A request flows
//! one way: HTTP ([`http`]) → tenancy ([`tenancy`]: tenant, store, role) → GraphQL
//! execution ([`graphql`]) → domain resolvers ([`stores`], …) → the tenant-scoped
//! connection ([`db::tenant_connection`]) → PostgreSQL.

#![warn(missing_docs)]
// The merged Query and Mutation objects nest one future per domain object in their
// resolvers; with every domain merged that outgrows rustc's default query depth (128).
#![recursion_limit = "256"]

pub mod address;
pub mod attributes;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod customers;
pub mod db;
pub mod demo;
pub mod events;
pub mod graphql;
pub mod http;
pub mod inventory;
pub mod loyalty;
pub mod money;
pub mod orders;
pub mod outcome;
pub mod pricing;
pub mod promotions;
pub mod royalty;
pub mod server;
pub mod stores;
pub mod tenancy;
