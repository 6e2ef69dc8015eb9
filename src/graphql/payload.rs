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
