//! The HTTP surface: `/graphql` (POST, and GET for queries), `/graphiql`, `/healthz` and
//! `/readyz`.

mod graphiql;
mod graphql;
mod health;

use std::sync::Arc;

use axum::Router;
use axum::routing::get;

use crate::db::Database;
use crate::graphql::AppSchema;
use crate::tenancy::ControlPlane;

/// What every handler shares.
pub struct AppState {
    /// The GraphQL schema.
    pub schema: AppSchema,
    /// The database.
    pub db: Database,
    /// The tenant directory.
    pub control: ControlPlane,
    /// Headers GraphiQL starts with (the demo tenant's token in demo mode).
    pub graphiql_headers: serde_json::Map<String, serde_json::Value>,
}

/// The axum router of the whole service.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/graphql", get(graphql::get_handler).post(graphql::post_handler))
        .route("/graphiql", get(graphiql::page))
        .route("/graphiql/assets/{file}", get(graphiql::asset))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .with_state(Arc::new(state))
}
