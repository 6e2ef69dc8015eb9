use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};
use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::data::{self, NAME_TAKEN_CONSTRAINT};
use super::model::{NewPriceList, PriceList, PriceListChanges, SalesChannel};
use crate::graphql::{Decimal, MutationError, UserErrorCode, UserErrors, caller_scope, validate};
use crate::outcome::{Violation, refuse, refused};
use crate::tenancy::Role;

/// The most entries one call may set or remove.
const MAX_ENTRIES: usize = 500;

/// A new price list.
#[derive(InputObject)]
pub struct PriceListCreateInput {
    /// Unique name in the tenant.
    name: String,
    /// ISO 4217 code of every price in the list.
    currency: String,
    /// Only in this store (any store when left out).
    store_id: Option<ID>,
    /// Only in this channel (any when left out).
    channel: Option<SalesChannel>,
    /// Applies from (always, when left out).
    starts_at: Option<DateTime<Utc>>,
    /// Applies until, exclusive (always, when left out).
    ends_at: Option<DateTime<Utc>>,
    /// Higher wins where several lists match.
    #[graphql(default)]
    priority: i32,
    /// Switched on.
    #[graphql(default = true)]
    active: bool,
}

/// Changes to a price list; fields left out stay as they are, `null` clears.
#[derive(InputObject)]
pub struct PriceListUpdateInput {
    /// The list to change.
    id: ID,
    /// New name.
    name: Option<String>,
    /// New currency (its prices keep their amounts).
    currency: Option<String>,
    /// New store; `null`: every store.
    store_id: MaybeUndefined<ID>,
    /// New channel; `null`: every channel.
    channel: MaybeUndefined<SalesChannel>,
    /// New start; `null`: always.
    starts_at: MaybeUndefined<DateTime<Utc>>,
    /// New end; `null`: never.
    ends_at: MaybeUndefined<DateTime<Utc>>,
    /// New priority.
    priority: Option<i32>,
    /// Switch on or off.
    active: Option<bool>,
}

/// One variant's price in a list.
#[derive(InputObject)]
pub struct PriceListEntryInput {
    /// The variant, by id…
    variant_id: Option<ID>,
    /// …or by SKU.
    sku: Option<String>,
    /// Its price, in the list's currency.
    amount: Decimal,
}

/// Prices to set in a list (added, or replacing the variant's price there).
#[derive(InputObject)]
pub struct PriceListEntriesSetInput {
    /// The list.
    price_list_id: ID,
    /// The prices, at most 500.
    entries: Vec<PriceListEntryInput>,
}

/// Variants to take out of a list.
#[derive(InputObject)]
pub struct PriceListEntriesRemoveInput {
    /// The list.
    price_list_id: ID,
    /// The variants, by id.
    variant_ids: Vec<ID>,
}

crate::payload!(
    /// The result of a price list mutation.
    PriceListPayload {
        /// The list as it is now; null when the mutation was refused.
        price_list: PriceList,
    }
);

/// Checks that a store exists.
async fn check_store(conn: &mut AsyncPgConnection, store: Option<Uuid>) -> Result<(), MutationError> {
    match store {
        Some(id) if crate::stores::store_by_id(conn, id).await?.is_none() => {
            Err(MutationError::user("storeId", UserErrorCode::NotFound, "no such store"))
        }
        _ => Ok(()),
    }
}

/// What a price list's unique constraint means to the client.
const CONFLICTS: &[Violation] =
    &[Violation::new(NAME_TAKEN_CONSTRAINT, "name", UserErrorCode::Duplicate, "another price list has this name")];

fn not_found() -> MutationError {
    MutationError::user("priceListId", UserErrorCode::NotFound, "no such price list")
}

/// Pricing mutations (admin only).
#[derive(Default)]
pub struct PricingMutation;

#[Object]
impl PricingMutation {
    /// Adds a price list.
    async fn price_list_create(
        &self,
        ctx: &Context<'_>,
        input: PriceListCreateInput,
    ) -> async_graphql::Result<PriceListPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let new = NewPriceList {
            name: validate::name(&mut errors, &input.name),
            currency: validate::currency(&mut errors, "currency", &input.currency),
            store_id: input.store_id.as_ref().and_then(|id| errors.id_at(&["storeId"], id)),
            channel: input.channel,
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            priority: input.priority,
            active: input.active,
        };
        validate::window(&mut errors, new.starts_at, new.ends_at);
        if !errors.is_empty() {
            return PriceListPayload::from_outcome(Err(errors.into()));
        }
        let result = crate::in_transaction!(scope, async |conn| {
            check_store(conn, new.store_id).await?;
            data::insert(conn, &new).await.map_err(refused(CONFLICTS))
        });
        PriceListPayload::from_outcome(result)
    }

    /// Changes a price list.
    async fn price_list_update(
        &self,
        ctx: &Context<'_>,
        input: PriceListUpdateInput,
    ) -> async_graphql::Result<PriceListPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let id = errors.id_at(&["id"], &input.id);
        let store_id = match &input.store_id {
            MaybeUndefined::Value(id) => Some(errors.id_at(&["storeId"], id)),
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Undefined => None,
        };
        let changes = PriceListChanges {
            name: input.name.as_deref().map(|n| validate::name(&mut errors, n)),
            currency: input.currency.as_deref().map(|c| validate::currency(&mut errors, "currency", c)),
            store_id,
            channel: input.channel.as_opt_ref().map(|v| v.copied()),
            starts_at: input.starts_at.as_opt_ref().map(|v| v.copied()),
            ends_at: input.ends_at.as_opt_ref().map(|v| v.copied()),
            priority: input.priority,
            active: input.active,
        };
        if !errors.is_empty() {
            return PriceListPayload::from_outcome(Err(errors.into()));
        }
        let id = id.expect("valid when no errors");
        let result = crate::in_transaction!(scope, async |conn| {
            check_store(conn, changes.store_id.flatten()).await?;
            let list = data::update(conn, id, &changes)
                .await
                .map_err(refused(CONFLICTS))?
                .ok_or_else(|| MutationError::user("id", UserErrorCode::NotFound, "no such price list"))?;
            let mut errors = UserErrors::default();
            validate::window(&mut errors, list.starts_at, list.ends_at);
            if errors.is_empty() { Ok(list) } else { Err(errors.into()) }
        });
        PriceListPayload::from_outcome(result)
    }

    /// Sets variants' prices in a list.
    async fn price_list_entries_set(
        &self,
        ctx: &Context<'_>,
        input: PriceListEntriesSetInput,
    ) -> async_graphql::Result<PriceListPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let list = errors.id_at(&["priceListId"], &input.price_list_id);
        if input.entries.is_empty() || input.entries.len() > MAX_ENTRIES {
            errors.add("entries", UserErrorCode::Invalid, format!("give 1 to {MAX_ENTRIES} entries"));
        }
        let mut wanted: Vec<(Option<Uuid>, Option<String>, BigDecimal)> = Vec::new();
        for (n, entry) in input.entries.iter().enumerate() {
            let n = n.to_string();
            let (id, sku) = errors.variant_ref(&["entries", &n], &entry.variant_id, &entry.sku);
            let amount = validate::price(&mut errors, &["entries", &n, "amount"], &entry.amount.0);
            wanted.push((id, sku, amount));
        }
        if !errors.is_empty() {
            return PriceListPayload::from_outcome(Err(errors.into()));
        }
        let list = list.expect("valid when no errors");
        let result = crate::in_transaction!(scope, async |conn| {
            let found = data::by_key(conn, Some(list), None).await?.ok_or_else(not_found)?;
            let mut entries = Vec::with_capacity(wanted.len());
            let mut errors = UserErrors::default();
            for (n, (id, sku, amount)) in wanted.iter().enumerate() {
                match crate::catalog::variant_id(conn, *id, sku.as_deref()).await? {
                    Some(variant) => entries.push((variant, amount.clone())),
                    None => errors.add_at(
                        &["entries", &n.to_string(), if id.is_some() { "variantId" } else { "sku" }],
                        UserErrorCode::NotFound,
                        "no such variant",
                    ),
                }
            }
            if !errors.is_empty() {
                return Err(errors.into());
            }
            entries.sort_by_key(|(variant, _)| *variant);
            if entries.windows(2).any(|pair| pair[0].0 == pair[1].0) {
                return refuse("entries", UserErrorCode::Invalid, "a variant is listed twice");
            }
            data::upsert_entries(conn, list, &entries).await?;
            Ok(found)
        });
        PriceListPayload::from_outcome(result)
    }

    /// Takes variants out of a list.
    async fn price_list_entries_remove(
        &self,
        ctx: &Context<'_>,
        input: PriceListEntriesRemoveInput,
    ) -> async_graphql::Result<PriceListPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let list = errors.id_at(&["priceListId"], &input.price_list_id);
        if input.variant_ids.is_empty() || input.variant_ids.len() > MAX_ENTRIES {
            errors.add("variantIds", UserErrorCode::Invalid, format!("give 1 to {MAX_ENTRIES} variant ids"));
        }
        let variants: Vec<Uuid> = input
            .variant_ids
            .iter()
            .enumerate()
            .filter_map(|(n, id)| errors.id_at(&["variantIds", &n.to_string()], id))
            .collect();
        if !errors.is_empty() {
            return PriceListPayload::from_outcome(Err(errors.into()));
        }
        let list = list.expect("valid when no errors");
        let result = crate::in_transaction!(scope, async |conn| {
            let found = data::by_key(conn, Some(list), None).await?.ok_or_else(not_found)?;
            data::delete_entries(conn, list, &variants).await?;
            Ok(found)
        });
        PriceListPayload::from_outcome(result)
    }
}
