//! The HTTP surface: `/graphql` (POST, and GET for queries), `/graphiql`, `/healthz` and
//! `/readyz`, each response carrying an `x-request-id`.

mod graphiql;
mod graphql;
mod health;
mod params;
mod persisted;
mod request_id;
mod response;

use std::sync::Arc;

use axum::Router;
use axum::routing::get;

use crate::db::Database;
use crate::graphql::cost::{Budgets, CostModel};
use crate::graphql::{AppSchema, Limits};
use crate::tenancy::ControlPlane;

pub use persisted::PersistedQueries;

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
    /// The limits checked before execution.
    pub limits: Limits,
    /// What each field costs, read from the schema.
    pub cost_model: CostModel,
    /// The cost budgets of tenants, keys and anonymous clients.
    pub budgets: Budgets,
    /// Automatic persisted queries.
    pub persisted: PersistedQueries,
}

impl AppState {
    /// The state for `schema` on `db`, with empty budgets and persisted-query store.
    pub fn new(
        schema: AppSchema,
        db: Database,
        control: ControlPlane,
        limits: Limits,
        graphiql_headers: serde_json::Map<String, serde_json::Value>,
    ) -> Self {
        Self {
            cost_model: CostModel::from_sdl(&schema.sdl()),
            schema,
            db,
            control,
            graphiql_headers,
            limits,
            budgets: Budgets::default(),
            persisted: PersistedQueries::new(limits.persisted_queries),
        }
    }
}

/// The axum router of the whole service.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/graphql", get(graphql::get_handler).post(graphql::post_handler))
        .route("/graphiql", get(graphiql::page))
        .route("/graphiql/assets/{file}", get(graphiql::asset))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .layer(axum::middleware::from_fn(request_id::with_request_id))
        .with_state(Arc::new(state))
}
