use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;

use super::AppState;

/// Liveness: the process answers.
pub async fn healthz() -> &'static str {
    "ok"
}

/// How long readiness waits for each pool: a request that cannot get a connection this
/// quickly is not being served well.
const READY_WAIT: Duration = Duration::from_secs(1);

/// Readiness: both pools hand out a connection that answers within a second. The tenant
/// pool is checked too, since it is the one requests wait on; while the database cannot
/// be reached, neither answers.
pub async fn readyz(State(state): State<Arc<AppState>>) -> (StatusCode, &'static str) {
    if state.db.pool.database_down() {
        return (StatusCode::SERVICE_UNAVAILABLE, "database unavailable");
    }
    let (tenant, control) =
        tokio::join!(state.db.pool.answers_within(READY_WAIT), state.db.control.answers_within(READY_WAIT));
    match (tenant, control) {
        (true, true) => (StatusCode::OK, "ready"),
        (false, true) => (StatusCode::SERVICE_UNAVAILABLE, "no database connection free"),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable"),
    }
}
