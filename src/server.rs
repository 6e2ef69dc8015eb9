//! `storegraph serve`: check what sits in front of the database, migrate, optionally load
//! the demo, and serve HTTP until told to stop, finishing the requests in flight for at
//! most the shutdown timeout.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context as _;
use axum::Router;

use crate::db::{Database, PoolConfig, migrate, pooler};
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
    /// Pool sizing, and what sits in front of the database.
    pub pool: PoolConfig,
    /// A URL that bypasses the transaction pooler, for LISTEN, migrations and provisioning.
    pub direct_url: Option<String>,
    /// How long requests in flight may take to finish after SIGTERM or ctrl-c.
    pub shutdown_timeout: Duration,
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
    let control = ControlPlane::cached(db.control.clone(), db.listen_url()).await;
    http::router(AppState::new(build_schema_with(limits, idempotency), db, control, limits, graphiql_headers))
}

/// Runs the server on the database at `url` until SIGTERM or ctrl-c.
pub async fn serve(url: &str, options: ServeOptions) -> anyhow::Result<()> {
    pooler::refuse_undeclared_transaction_pooler(url, options.pool.pooler).await?;
    let db = Database::connect(url, &options.pool).await?.with_direct_url(options.direct_url.clone());
    let report = migrate::migrate_all(db.admin_url(), 4).await?;
    for failure in report.failures() {
        tracing::warn!(tenant = %failure.slug, "tenant not migrated; run `storegraph migrate` after fixing it");
    }
    let mut graphiql_headers = serde_json::Map::new();
    if options.demo {
        let tenants = crate::demo::provision(db.admin_url(), &db).await?;
        graphiql_headers = crate::demo::graphiql_headers(&tenants[0]);
        crate::demo::print_instructions(&tenants, options.listen);
    }
    let listener = tokio::net::TcpListener::bind(options.listen)
        .await
        .with_context(|| format!("cannot listen on {}", options.listen))?;
    let address = listener.local_addr()?;
    tracing::info!(%address, "serving GraphQL at http://{address}/graphql and GraphiQL at http://{address}/graphiql");
    let (signalled, on_signal) = tokio::sync::oneshot::channel::<()>();
    let app = app_with(db, options.limits, options.idempotency, graphiql_headers).await;
    let server = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).with_graceful_shutdown(
        async move {
            shutdown_signal().await;
            let _ = signalled.send(());
        },
    );
    let deadline = async move {
        match on_signal.await {
            Ok(()) => tokio::time::sleep(options.shutdown_timeout).await,
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        result = std::future::IntoFuture::into_future(server) => result?,
        () = deadline => tracing::warn!(
            timeout = ?options.shutdown_timeout,
            "requests still in flight at the shutdown deadline; stopping without them"
        ),
    }
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
