use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::data::{self, CODE_TAKEN_CONSTRAINT, DOMAIN_TAKEN_CONSTRAINT};
use super::model::{NewStore, Store, StoreChanges};
use super::validate;
use crate::graphql::{MutationError, UserErrorCode, UserErrors, caller_scope};
use crate::outcome::{Violation, refuse, refused};
use crate::tenancy::{self, Role};

/// A new store.
#[derive(InputObject)]
pub struct StoreCreateInput {
    /// Business key, unique in the tenant: 1 to 40 of `a-z 0-9 - _`.
    code: String,
    /// Display name.
    name: String,
    /// Host name shoppers reach the store at; it must not belong to any other store.
    domain: Option<String>,
    /// BCP 47 locale tag.
    #[graphql(default = "en-US")]
    locale: String,
    /// ISO 4217 currency code.
    default_currency: String,
    /// Theme name.
    theme: Option<String>,
    /// Whether storefronts see it.
    #[graphql(default = true)]
    active: bool,
}

/// Changes to a store; fields left out stay as they are.
#[derive(InputObject)]
pub struct StoreUpdateInput {
    /// The store to change.
    id: ID,
    /// New display name.
    name: Option<String>,
    /// New host name; `null` removes it.
    domain: MaybeUndefined<String>,
    /// New locale tag.
    locale: Option<String>,
    /// New currency code.
    default_currency: Option<String>,
    /// New theme; `null` removes it.
    theme: MaybeUndefined<String>,
    /// Show or hide the store.
    active: Option<bool>,
}

crate::payload!(
    /// The result of a store mutation.
    StorePayload {
        /// The store as it is now; null when the mutation was refused.
        store: Store,
    }
);

/// What a store's unique constraints mean to the client.
const CONFLICTS: &[Violation] = &[
    Violation::new(CODE_TAKEN_CONSTRAINT, "code", UserErrorCode::Duplicate, "another store has this code"),
    Violation::new(DOMAIN_TAKEN_CONSTRAINT, "domain", UserErrorCode::DomainTaken, DOMAIN_TAKEN),
    Violation::new(tenancy::DOMAIN_TAKEN_CONSTRAINT, "domain", UserErrorCode::DomainTaken, DOMAIN_TAKEN),
];
const DOMAIN_TAKEN: &str = "this domain belongs to another store";

/// Points the control plane's domain registry at `store`'s current domain (or none), in
/// the caller's transaction.
async fn register_domain(conn: &mut AsyncPgConnection, tenant_id: Uuid, store: &Store) -> Result<(), MutationError> {
    tenancy::set_store_domain(conn, tenant_id, &store.code, store.domain.as_deref()).await.map_err(refused(CONFLICTS))
}

/// Store mutations (admin only).
#[derive(Default)]
pub struct StoreMutation;

#[Object]
impl StoreMutation {
    /// Creates a store, and registers its domain so requests to it resolve to this store.
    async fn store_create(&self, ctx: &Context<'_>, input: StoreCreateInput) -> async_graphql::Result<StorePayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let new = NewStore {
            code: validate::code(&mut errors, &input.code),
            name: validate::name(&mut errors, &input.name),
            domain: input.domain.as_deref().and_then(|d| validate::domain(&mut errors, d)),
            locale: validate::locale(&mut errors, &input.locale),
            default_currency: crate::graphql::validate::currency(
                &mut errors,
                "defaultCurrency",
                &input.default_currency,
            ),
            theme: input.theme.as_deref().and_then(|t| validate::theme(&mut errors, t)),
            active: input.active,
        };
        if !errors.is_empty() {
            return StorePayload::from_outcome(Err(errors.into()));
        }
        let tenant_id = scope.tenant().id;
        let result = crate::in_transaction!(scope, async |conn| {
            let store = data::insert(conn, &new).await.map_err(refused(CONFLICTS))?;
            register_domain(conn, tenant_id, &store).await?;
            Ok(store)
        });
        StorePayload::from_outcome(result)
    }

    /// Changes a store. Changing its domain moves the domain's registration with it.
    async fn store_update(&self, ctx: &Context<'_>, input: StoreUpdateInput) -> async_graphql::Result<StorePayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let id = errors.id_at(&["id"], &input.id);
        let changes = StoreChanges {
            name: input.name.as_deref().map(|n| validate::name(&mut errors, n)),
            domain: input.domain.as_opt_ref().map(|d| d.and_then(|d| validate::domain(&mut errors, d))),
            locale: input.locale.as_deref().map(|l| validate::locale(&mut errors, l)),
            default_currency: input
                .default_currency
                .as_deref()
                .map(|c| crate::graphql::validate::currency(&mut errors, "defaultCurrency", c)),
            theme: input.theme.as_opt_ref().map(|t| t.and_then(|t| validate::theme(&mut errors, t))),
            active: input.active,
        };
        let (Some(id), true) = (id, errors.is_empty()) else {
            return StorePayload::from_outcome(Err(errors.into()));
        };
        let tenant_id = scope.tenant().id;
        let result = crate::in_transaction!(scope, async |conn| {
            let Some(before) = data::by_id_for_update(conn, id).await? else {
                return refuse("id", UserErrorCode::NotFound, "no store has this id");
            };
            let store = data::update(conn, id, &changes).await.map_err(refused(CONFLICTS))?;
            if store.domain != before.domain {
                register_domain(conn, tenant_id, &store).await?;
            }
            Ok(store)
        });
        if result.is_ok() {
            // The old domain may be remembered by this server's lookups: forget it now
            // rather than when the control plane's notification arrives.
            if let Ok(control) = ctx.data::<tenancy::ControlPlane>() {
                control.forget_lookups();
            }
        }
        StorePayload::from_outcome(result)
    }
}
