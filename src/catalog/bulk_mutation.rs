//! `productBulkCreate`: many products with their variants in one call, for imports. Each
//! product is validated on its own and its problems are reported at its index; the error
//! policy decides whether one bad product stops the whole call.

use std::collections::HashSet;

use async_graphql::{Context, Enum, InputObject, Object, SimpleObject};

use super::model::Product;
use super::mutation::{ProductCreateInput, ValidProduct, validate_create};
use super::product_objects::ProductView;
use crate::graphql::{MutationError, UserError, UserErrorCode, UserErrors, caller_scope};
use crate::tenancy::Role;

/// The most products one call may create.
const MAX_PRODUCTS: usize = 100;

/// What a bulk mutation does when some of its items are bad.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkErrorPolicy {
    /// Any bad item: nothing is written.
    RejectEverything,
    /// Bad items are skipped; the good ones are written.
    RejectFailedRows,
}

/// Products to create.
#[derive(InputObject)]
pub struct ProductBulkCreateInput {
    /// The products, each with its variants and images (at most 100).
    products: Vec<ProductCreateInput>,
    /// What to do when some are bad (REJECT_EVERYTHING unless given).
    #[graphql(default_with = "BulkErrorPolicy::RejectEverything")]
    error_policy: BulkErrorPolicy,
}

/// What happened to one product of a bulk call.
#[derive(SimpleObject)]
pub struct ProductBulkResult {
    /// The product created; null when it was not.
    product: Option<ProductView>,
    /// What was wrong with it (paths start at `input.products.<index>`).
    user_errors: Vec<UserError>,
}

/// The result of `productBulkCreate`.
#[derive(SimpleObject)]
pub struct ProductBulkCreatePayload {
    /// How many products were created.
    count: i32,
    /// One result per input product, in input order.
    results: Vec<ProductBulkResult>,
    /// Every problem of every product, and problems of the call itself.
    user_errors: Vec<UserError>,
}

/// Moves errors of one item under `input.products.<index>`.
fn nested(errors: Vec<UserError>, index: usize) -> Vec<UserError> {
    errors
        .into_iter()
        .map(|mut error| {
            error.field.splice(1..1, ["products".to_owned(), index.to_string()]);
            error
        })
        .collect()
}

fn payload(
    results: Vec<(Option<Product>, Vec<UserError>)>,
    mut call_errors: Vec<UserError>,
) -> ProductBulkCreatePayload {
    let count = results.iter().filter(|(p, _)| p.is_some()).count() as i32;
    call_errors.extend(results.iter().flat_map(|(_, e)| e.clone()));
    ProductBulkCreatePayload {
        count,
        results: results
            .into_iter()
            .map(|(product, user_errors)| ProductBulkResult { product: product.map(ProductView::from), user_errors })
            .collect(),
        user_errors: call_errors,
    }
}

/// Bulk catalog mutations (admin only).
#[derive(Default)]
pub struct BulkMutation;

#[Object]
impl BulkMutation {
    /// Creates many products with their variants and images. Slugs and SKUs must be new,
    /// in the catalog and within the call.
    async fn product_bulk_create(
        &self,
        ctx: &Context<'_>,
        input: ProductBulkCreateInput,
    ) -> async_graphql::Result<ProductBulkCreatePayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        if input.products.is_empty() || input.products.len() > MAX_PRODUCTS {
            let mut errors = UserErrors::default();
            errors.add("products", UserErrorCode::Invalid, format!("give 1 to {MAX_PRODUCTS} products"));
            return Ok(payload(Vec::new(), errors.0));
        }
        let (mut slugs, mut skus) = (HashSet::new(), HashSet::new());
        let items: Vec<(Option<ValidProduct>, Vec<UserError>)> = input
            .products
            .iter()
            .enumerate()
            .map(|(i, product)| {
                let mut errors = UserErrors::default();
                let valid = validate_create(&mut errors, product, &mut slugs, &mut skus);
                if errors.is_empty() { (Some(valid), Vec::new()) } else { (None, nested(errors.0, i)) }
            })
            .collect();
        let reject_all = input.error_policy == BulkErrorPolicy::RejectEverything;
        if reject_all && items.iter().any(|(_, e)| !e.is_empty()) {
            return Ok(payload(items.into_iter().map(|(_, e)| (None, e)).collect(), Vec::new()));
        }
        let outcome = crate::in_transaction!(scope, async |conn| {
            let mut results = Vec::with_capacity(items.len());
            for (i, (valid, errors)) in items.iter().enumerate() {
                let Some(valid) = valid else {
                    results.push((None, errors.clone()));
                    continue;
                };
                // A savepoint per product: a taken slug or SKU undoes that product only.
                match conn.transaction::<_, MutationError, _>(async |conn| valid.insert(conn).await).await {
                    Ok(product) => results.push((Some(product), Vec::new())),
                    Err(MutationError::User(errors)) if !reject_all => results.push((None, nested(errors, i))),
                    Err(MutationError::User(errors)) => return Err(MutationError::User(nested(errors, i))),
                    Err(error) => return Err(error),
                }
            }
            Ok(results)
        });
        match outcome {
            Ok(results) => Ok(payload(results, Vec::new())),
            Err(MutationError::User(errors)) => {
                let results = items.iter().map(|_| (None, Vec::new())).collect();
                Ok(payload(results, errors))
            }
            Err(MutationError::Db(error)) => Err(crate::graphql::internal_error(&error)),
        }
    }
}
