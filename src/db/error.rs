use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// Why a database call failed: no connection could be had, or the statement failed.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The database cannot be reached: connecting failed, or the connection was lost.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Every connection the request may use is taken (the pool, or the tenant's share
    /// of it) and none came free in time.
    #[error("database busy: {0}")]
    Busy(String),
    /// The statement itself failed.
    #[error(transparent)]
    Query(#[from] DieselError),
}

/// What kind of failure a [`DbError`] is, as far as a client can act on it: the first
/// three are worth retrying, the last one is a bug or bad data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The database could not be reached or the connection was lost.
    Unavailable,
    /// A statement ran longer than allowed (or waited too long for a lock) and was cancelled.
    Timeout,
    /// No connection came free in time.
    Busy,
    /// Anything else.
    Other,
}

/// PostgreSQL (and PgBouncer) messages of errors that mean the connection is gone or the
/// server is not serving, whatever the statement was. The SQLSTATE is not exposed by
/// diesel's error type, so they are recognised by message.
const UNAVAILABLE_MESSAGES: &[&str] = &[
    "terminating connection",
    "the database system is",
    "server closed the connection",
    "connection closed",
    "connection reset",
    "broken pipe",
    "no connection to the server",
    "server conn crashed",
    "server_login_retry",
    "query_wait_timeout",
    "pgbouncer cannot connect to server",
];

/// Messages of statements cancelled for running or waiting too long.
const TIMEOUT_MESSAGES: &[&str] = &[
    "canceling statement due to statement timeout",
    "canceling statement due to lock timeout",
    "canceling statement due to user request",
];

impl DbError {
    /// The name of the foreign key this error violated, if it is a foreign key violation
    /// (a reference to a row that does not exist).
    pub fn foreign_key_violation(&self) -> Option<&str> {
        match self {
            DbError::Query(DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info)) => {
                info.constraint_name()
            }
            _ => None,
        }
    }

    /// The name of the unique constraint this error violated, if it is a unique violation.
    /// Domains turn these into `userErrors` (a duplicate code, a taken domain).
    pub fn unique_violation(&self) -> Option<&str> {
        match self {
            DbError::Query(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info)) => {
                info.constraint_name()
            }
            _ => None,
        }
    }

    /// What kind of failure this is (see [`Failure`]).
    pub fn failure(&self) -> Failure {
        match self {
            DbError::Unavailable(_) => Failure::Unavailable,
            DbError::Busy(_) => Failure::Busy,
            DbError::Query(error) => query_failure(error),
        }
    }

    /// Whether this error means the connection is gone (so another connection may succeed).
    pub fn is_connection_lost(&self) -> bool {
        self.failure() == Failure::Unavailable
    }
}

/// The kind of failure of a failed statement.
pub fn query_failure(error: &DieselError) -> Failure {
    match error {
        DieselError::DatabaseError(DatabaseErrorKind::UnableToSendCommand | DatabaseErrorKind::ClosedConnection, _) => {
            Failure::Unavailable
        }
        DieselError::DatabaseError(_, info) => {
            let message = info.message().to_ascii_lowercase();
            if TIMEOUT_MESSAGES.iter().any(|m| message.contains(m)) {
                Failure::Timeout
            } else if UNAVAILABLE_MESSAGES.iter().any(|m| message.contains(m)) {
                Failure::Unavailable
            } else {
                Failure::Other
            }
        }
        DieselError::BrokenTransactionManager => Failure::Unavailable,
        _ => Failure::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn database_error(kind: DatabaseErrorKind, message: &str) -> DbError {
        DbError::Query(DieselError::DatabaseError(kind, Box::new(message.to_owned())))
    }

    #[test]
    fn failures_are_told_apart() {
        let timeout = database_error(DatabaseErrorKind::Unknown, "canceling statement due to statement timeout");
        assert_eq!(timeout.failure(), Failure::Timeout);
        let shutdown =
            database_error(DatabaseErrorKind::Unknown, "terminating connection due to administrator command");
        assert_eq!(shutdown.failure(), Failure::Unavailable);
        assert_eq!(database_error(DatabaseErrorKind::UnableToSendCommand, "closed").failure(), Failure::Unavailable);
        assert_eq!(database_error(DatabaseErrorKind::UniqueViolation, "duplicate key").failure(), Failure::Other);
        assert_eq!(DbError::Busy("x".into()).failure(), Failure::Busy);
    }
}
