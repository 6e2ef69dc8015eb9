//! Mutation payloads: every mutation answers with the objects it changed (null when it was
//! refused) and its `userErrors`, so one macro declares them all.

/// Declares a mutation payload: one nullable field per changed object, each with its
/// doc comment, and `userErrors`; `from_outcome` turns the mutation's result (the object,
/// or a tuple of them) into it, and a database failure into a GraphQL error.
#[macro_export]
macro_rules! payload {
    ($(#[$doc:meta])* $name:ident { $(#[$fdoc:meta])* $field:ident: $ty:ty $(,)? }) => {
        $(#[$doc])*
        #[derive(async_graphql::SimpleObject)]
        pub struct $name {
            $(#[$fdoc])*
            pub $field: Option<$ty>,
            /// What was wrong with the input; empty on success.
            pub user_errors: Vec<$crate::graphql::UserError>,
        }

        impl $name {
            /// The payload of a mutation's result.
            pub fn from_outcome(result: Result<$ty, $crate::outcome::MutationError>) -> async_graphql::Result<Self> {
                let ($field, user_errors) = $crate::graphql::mutation_outcome(result)?;
                Ok(Self { $field, user_errors })
            }
        }
    };
    ($(#[$doc:meta])* $name:ident { $($(#[$fdoc:meta])* $field:ident: $ty:ty),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(async_graphql::SimpleObject)]
        pub struct $name {
            $($(#[$fdoc])* pub $field: Option<$ty>,)+
            /// What was wrong with the input; empty on success.
            pub user_errors: Vec<$crate::graphql::UserError>,
        }

        impl $name {
            /// The payload of a mutation's result.
            pub fn from_outcome(
                result: Result<($($ty,)+), $crate::outcome::MutationError>,
            ) -> async_graphql::Result<Self> {
                let (done, user_errors) = $crate::graphql::mutation_outcome(result)?;
                let ($($field,)+) = match done {
                    Some(($($field,)+)) => ($(Some($field),)+),
                    None => ($(None::<$ty>,)+),
                };
                Ok(Self { $($field,)+ user_errors })
            }
        }
    };
}

/// Runs a mutation's work (an async closure taking the connection and returning
/// `Result<T, MutationError>`) in one transaction on the scope's tenant connection, so any
/// refusal rolls back what the work wrote. Not getting the connection returns from the
/// resolver with a GraphQL error, as `scope.conn().await.gql()?` does.
#[macro_export]
macro_rules! in_transaction {
    ($scope:expr, $work:expr $(,)?) => {{
        use diesel_async::AsyncConnection as _;
        use $crate::graphql::GqlResultExt as _;
        let mut conn = $scope.conn().await.gql()?;
        conn.transaction::<_, $crate::outcome::MutationError, _>($work).await
    }};
}
