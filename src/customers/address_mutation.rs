//! Saved addresses: add, change, delete, and choose the defaults. A customer has at most
//! one default shipping and one default billing address; a customer with addresses has
//! both (the first address takes them, and deleting a default passes it on to the newest
//! remaining address). Every mutation locks the customer row first, so concurrent
//! changes to one customer's defaults run one after the other.

use async_graphql::{Context, ID, InputObject, Object};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use super::address_data;
use super::model::{AddressRow, Customer};
use super::mutation::live_customer;
use crate::graphql::{AddressInput, AddressKind, GqlResultExt, MutationError, UserErrorCode, UserErrors, caller_scope};
use crate::tenancy::Role;

/// A new saved address.
#[derive(InputObject)]
pub struct CustomerAddressCreateInput {
    /// The customer.
    customer_id: ID,
    /// The postal address.
    address: AddressInput,
    /// Make it the default shipping address (it becomes it anyway when the customer has none).
    #[graphql(default)]
    default_shipping: bool,
    /// Make it the default billing address (it becomes it anyway when the customer has none).
    #[graphql(default)]
    default_billing: bool,
}

/// Changes to a saved address; fields left out stay as they are.
#[derive(InputObject)]
pub struct CustomerAddressUpdateInput {
    /// The address.
    id: ID,
    /// The new postal address, replacing the old one whole.
    address: Option<AddressInput>,
    /// true: make it the default shipping address; false: stop it being the default
    /// (the customer then has none).
    default_shipping: Option<bool>,
    /// true: make it the default billing address; false: stop it being the default
    /// (the customer then has none).
    default_billing: Option<bool>,
}

/// A saved address to delete.
#[derive(InputObject)]
pub struct CustomerAddressDeleteInput {
    /// The address.
    id: ID,
}

/// A new default address.
#[derive(InputObject)]
pub struct CustomerDefaultAddressSetInput {
    /// The address; it becomes the default of its customer.
    address_id: ID,
    /// Which default.
    kind: AddressKind,
}

crate::payload!(
    /// The result of an address mutation.
    CustomerAddressPayload {
        /// The address as it is now; null when the mutation was refused.
        customer_address: AddressRow,
        /// Its customer, with the defaults as they are now.
        customer: Customer,
    }
);

crate::payload!(
    /// The result of `customerAddressDelete`.
    CustomerAddressDeletePayload {
        /// The id of the deleted address; null when the mutation was refused.
        deleted_id: ID,
        /// Its customer, with the defaults as they are now.
        customer: Customer,
    }
);

/// The customer of address `id`, locked; NOT_FOUND (at `input.<field>`) when there is no
/// such address, CUSTOMER_ANONYMIZED when the customer is anonymized.
async fn owner(conn: &mut AsyncPgConnection, id: Uuid, field: &str) -> Result<Customer, MutationError> {
    let not_found = || MutationError::user(field, UserErrorCode::NotFound, "no address has this id");
    let owner = address_data::owner_of(conn, id).await?.ok_or_else(not_found)?;
    live_customer(conn, owner, field).await
}

/// The address `id` as it is now.
async fn reread(conn: &mut AsyncPgConnection, id: Uuid, field: &str) -> Result<AddressRow, MutationError> {
    address_data::by_id(conn, id)
        .await?
        .ok_or_else(|| MutationError::user(field, UserErrorCode::NotFound, "no address has this id"))
}

/// Address mutations (admin only).
#[derive(Default)]
pub struct CustomerAddressMutation;

#[Object]
impl CustomerAddressMutation {
    /// Saves an address for a customer. Asking for it to be a default unsets the old
    /// default; a customer's first address becomes both defaults.
    async fn customer_address_create(
        &self,
        ctx: &Context<'_>,
        input: CustomerAddressCreateInput,
    ) -> async_graphql::Result<CustomerAddressPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let customer_id = errors.id_at(&["customerId"], &input.customer_id);
        let values = input.address.validate(&mut errors, &["address"]);
        let (Some(customer_id), true) = (customer_id, errors.is_empty()) else {
            return CustomerAddressPayload::from_outcome(Err(errors.into()));
        };
        let mut conn = scope.conn().await.gql()?;
        let result = conn
            .transaction::<_, MutationError, _>(async |conn| {
                let customer = live_customer(conn, customer_id, "customerId").await?;
                let mut defaults = [false; 2];
                for (n, (kind, wanted)) in
                    [(AddressKind::Shipping, input.default_shipping), (AddressKind::Billing, input.default_billing)]
                        .into_iter()
                        .enumerate()
                {
                    defaults[n] = wanted || !address_data::has_default(conn, customer_id, kind).await?;
                    if wanted {
                        address_data::set_default(conn, customer_id, kind, None).await?;
                    }
                }
                let row = address_data::insert(conn, customer_id, &values, defaults[0], defaults[1]).await?;
                Ok((row, customer))
            })
            .await;
        CustomerAddressPayload::from_outcome(result)
    }

    /// Changes a saved address: its postal fields (replaced whole) and whether it is a
    /// default.
    async fn customer_address_update(
        &self,
        ctx: &Context<'_>,
        input: CustomerAddressUpdateInput,
    ) -> async_graphql::Result<CustomerAddressPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let id = errors.id_at(&["id"], &input.id);
        let values = input.address.as_ref().map(|a| a.validate(&mut errors, &["address"]));
        let (Some(id), true) = (id, errors.is_empty()) else {
            return CustomerAddressPayload::from_outcome(Err(errors.into()));
        };
        let mut conn = scope.conn().await.gql()?;
        let result = conn
            .transaction::<_, MutationError, _>(async |conn| {
                let customer = owner(conn, id, "id").await?;
                let mut row = reread(conn, id, "id").await?;
                if let Some(values) = &values {
                    row = address_data::update(conn, id, values).await?;
                }
                for (kind, wanted, is) in [
                    (AddressKind::Shipping, input.default_shipping, row.is_default_shipping),
                    (AddressKind::Billing, input.default_billing, row.is_default_billing),
                ] {
                    match wanted {
                        Some(true) if !is => address_data::set_default(conn, customer.id, kind, Some(id)).await?,
                        Some(false) if is => address_data::set_default(conn, customer.id, kind, None).await?,
                        _ => {}
                    }
                }
                Ok((reread(conn, id, "id").await?, customer))
            })
            .await;
        CustomerAddressPayload::from_outcome(result)
    }

    /// Deletes a saved address. If it was a default, the customer's newest remaining
    /// address takes its place.
    async fn customer_address_delete(
        &self,
        ctx: &Context<'_>,
        input: CustomerAddressDeleteInput,
    ) -> async_graphql::Result<CustomerAddressDeletePayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let Some(id) = errors.id_at(&["id"], &input.id) else {
            return CustomerAddressDeletePayload::from_outcome(Err(errors.into()));
        };
        let mut conn = scope.conn().await.gql()?;
        let result = conn
            .transaction::<_, MutationError, _>(async |conn| {
                let customer = owner(conn, id, "id").await?;
                let row = reread(conn, id, "id").await?;
                address_data::delete(conn, id).await?;
                let heir = address_data::newest_of(conn, customer.id).await?;
                for (kind, was) in
                    [(AddressKind::Shipping, row.is_default_shipping), (AddressKind::Billing, row.is_default_billing)]
                {
                    if was && heir.is_some() {
                        address_data::set_default(conn, customer.id, kind, heir).await?;
                    }
                }
                Ok((input.id.clone(), customer))
            })
            .await;
        CustomerAddressDeletePayload::from_outcome(result)
    }

    /// Makes an address its customer's default shipping or billing address, unsetting
    /// the previous one in the same transaction.
    async fn customer_default_address_set(
        &self,
        ctx: &Context<'_>,
        input: CustomerDefaultAddressSetInput,
    ) -> async_graphql::Result<CustomerAddressPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let Some(id) = errors.id_at(&["addressId"], &input.address_id) else {
            return CustomerAddressPayload::from_outcome(Err(errors.into()));
        };
        let mut conn = scope.conn().await.gql()?;
        let result = conn
            .transaction::<_, MutationError, _>(async |conn| {
                let customer = owner(conn, id, "addressId").await?;
                address_data::set_default(conn, customer.id, input.kind, Some(id)).await?;
                Ok((reread(conn, id, "addressId").await?, customer))
            })
            .await;
        CustomerAddressPayload::from_outcome(result)
    }
}
