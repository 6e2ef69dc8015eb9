use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// Why a database call failed: the pool could not hand out a connection, or the query failed.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// No connection could be had (the pool timed out, or connecting failed).
    #[error("database connection unavailable: {0}")]
    Pool(String),
    /// The statement itself failed.
    #[error(transparent)]
    Query(#[from] DieselError),
}

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
}

impl From<bb8::RunError<diesel_async::pooled_connection::PoolError>> for DbError {
    fn from(e: bb8::RunError<diesel_async::pooled_connection::PoolError>) -> Self {
        DbError::Pool(e.to_string())
    }
}
