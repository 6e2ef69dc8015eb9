//! The schema extension that ends each request's database work once execution is over
//! and before the response leaves: [`TenantScope::finish`] commits the request's
//! transaction behind a transaction pooler, and if that fails the client gets the error
//! instead of answers whose writes were not kept.

use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute};
use async_graphql::{Response, ServerError};

use super::resolve::Caller;
use crate::graphql::internal_error;

/// Registers [`FinishScopeExtension`] on a schema.
pub struct FinishScope;

impl ExtensionFactory for FinishScope {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(FinishScopeExtension)
    }
}

/// Calls [`super::TenantScope::finish`] after the operation ran.
pub struct FinishScopeExtension;

#[async_graphql::async_trait::async_trait]
impl Extension for FinishScopeExtension {
    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let response = next.run(ctx, operation_name).await;
        if let Some(Caller::Tenant(scope)) = ctx.data_opt::<Caller>()
            && let Err(error) = scope.finish().await
        {
            let error: ServerError = internal_error(&error).into_server_error(Default::default());
            return Response::from_errors(vec![error]);
        }
        response
    }
}
