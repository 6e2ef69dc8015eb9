//! `storegraph serve`: migrate, optionally load the demo, and serve HTTP until told to
//! stop, finishing the requests in flight.

use std::net::SocketAddr;

use anyhow::Context as _;
use axum::Router;

use crate::db::{Database, PoolConfig, migrate};
use crate::graphql::{Limits, build_schema_with};
use crate::http::{self, AppState};
use crate::orders::IdempotencySettings;
use crate::tenancy::ControlPlane;

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Load the demo tenants and print their tokens.
    pub demo: bool,
    /// Pool sizing.
    pub pool: PoolConfig,
    /// GraphQL limits.
    pub limits: Limits,
    /// How long `orderCreate` idempotency keys live.
    pub idempotency: IdempotencySettings,
}

/// The whole HTTP application on `db`, ready to serve; tests mount it on a port of their own.
/// It returns once the control-plane listener is listening (or has failed to for a
/// while), so the first requests already use the lookup cache.
pub async fn app(db: Database, limits: Limits, graphiql_headers: serde_json::Map<String, serde_json::Value>) -> Router {
    app_with(db, limits, IdempotencySettings::default(), graphiql_headers).await
}

/// [`app`] with how long `orderCreate` idempotency keys live.
pub async fn app_with(
    db: Database,
    limits: Limits,
    idempotency: IdempotencySettings,
    graphiql_headers: serde_json::Map<String, serde_json::Value>,
) -> Router {
    http::router(AppState {
        schema: build_schema_with(limits, idempotency),
        control: ControlPlane::cached(db.control.clone(), &db.url).await,
        db,
        graphiql_headers,
    })
}

/// Runs the server on the database at `url` until SIGTERM or ctrl-c.
pub async fn serve(url: &str, options: ServeOptions) -> anyhow::Result<()> {
    let report = migrate::migrate_all(url, 4).await?;
    for failure in report.failures() {
        tracing::warn!(tenant = %failure.slug, "tenant not migrated; run `storegraph migrate` after fixing it");
    }
    let db = Database::connect(url, &options.pool).await?;
    let mut graphiql_headers = serde_json::Map::new();
    if options.demo {
        let tenants = crate::demo::provision(url, &db).await?;
        graphiql_headers = crate::demo::graphiql_headers(&tenants[0]);
        crate::demo::print_instructions(&tenants, options.listen);
    }
    let listener = tokio::net::TcpListener::bind(options.listen)
        .await
        .with_context(|| format!("cannot listen on {}", options.listen))?;
    let address = listener.local_addr()?;
    tracing::info!(%address, "serving GraphQL at http://{address}/graphql and GraphiQL at http://{address}/graphiql");
    axum::serve(listener, app_with(db, options.limits, options.idempotency, graphiql_headers).await)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on ctrl-c or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
