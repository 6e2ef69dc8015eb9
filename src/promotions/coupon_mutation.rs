//! `couponCreate` and `couponUpdate` (admin). A coupon's terms are checked as a whole,
//! as they would be written, so an update cannot leave an inconsistent coupon (a fixed
//! coupon without a currency, a usage limit below the uses already made); the table's
//! CHECKs hold the same rules.

use std::sync::LazyLock;

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};
use bigdecimal::Zero;
use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use regex::Regex;

use super::data::{self, COUPON_CODE_CONSTRAINT};
use super::model::{Coupon, CouponFields, CouponKind};
use crate::graphql::{Decimal, GqlResultExt, MutationError, UserErrorCode, UserErrors, caller_scope, validate};
use crate::money::fits_currency;
use crate::outcome::{Violation, refused};
use crate::tenancy::Role;

static CODE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[A-Z0-9][A-Z0-9_-]{0,39}$").expect("valid regex"));

/// A new coupon.
#[derive(InputObject)]
pub struct CouponCreateInput {
    /// The code customers type: 1 to 40 letters, digits, `-` or `_`; stored in upper case
    /// and unique in the tenant whatever the case.
    pub code: String,
    /// Its campaign (its coupons work only while it is ACTIVE).
    pub campaign_id: Option<ID>,
    /// Percentage or fixed amount.
    pub kind: CouponKind,
    /// The percentage (more than 0, at most 100) or the amount (in `currency`).
    pub value: Decimal,
    /// Required for a fixed coupon or a minimum; the coupon then applies to orders in
    /// this currency only.
    pub currency: Option<String>,
    /// The subtotal an order needs, in `currency`.
    pub minimum_subtotal: Option<Decimal>,
    /// Uses allowed in all.
    pub usage_limit: Option<i32>,
    /// Uses allowed per customer (per email for guests).
    pub per_customer_limit: Option<i32>,
    /// Valid from.
    pub starts_at: Option<DateTime<Utc>>,
    /// Valid until (exclusive).
    pub ends_at: Option<DateTime<Utc>>,
    /// The only store it works in, by code.
    pub store: Option<String>,
    /// Default true.
    #[graphql(default = true)]
    pub active: bool,
}

/// Changes to a coupon's terms; omitted fields stay, null clears. The code and the use
/// count cannot change.
#[derive(InputObject)]
pub struct CouponUpdateInput {
    /// The coupon.
    pub id: ID,
    /// Campaign.
    pub campaign_id: MaybeUndefined<ID>,
    /// Kind.
    pub kind: Option<CouponKind>,
    /// Percentage or amount.
    pub value: Option<Decimal>,
    /// Currency.
    pub currency: MaybeUndefined<String>,
    /// Minimum subtotal.
    pub minimum_subtotal: MaybeUndefined<Decimal>,
    /// Uses allowed in all (not below the uses made).
    pub usage_limit: MaybeUndefined<i32>,
    /// Uses allowed per customer.
    pub per_customer_limit: MaybeUndefined<i32>,
    /// Valid from.
    pub starts_at: MaybeUndefined<DateTime<Utc>>,
    /// Valid until.
    pub ends_at: MaybeUndefined<DateTime<Utc>>,
    /// Store code.
    pub store: MaybeUndefined<String>,
    /// Active.
    pub active: Option<bool>,
}

crate::payload!(
    /// The result of a coupon mutation.
    CouponPayload {
        /// The coupon as it is now; null when refused.
        coupon: Coupon,
    }
);

/// What a coupon's unique code means to the client.
const CONFLICTS: &[Violation] =
    &[Violation::new(COUPON_CODE_CONSTRAINT, "code", UserErrorCode::Duplicate, "another coupon has this code")];

/// A coupon code, upper-cased.
fn coupon_code(errors: &mut UserErrors, value: &str) -> String {
    let value = value.trim().to_uppercase();
    if !CODE.is_match(&value) {
        errors.add("code", UserErrorCode::Invalid, "a coupon code is 1 to 40 letters, digits, '-' or '_'");
    }
    value
}

/// Checks a coupon's terms as they would be written (everything but the references).
fn check_terms(errors: &mut UserErrors, fields: &mut CouponFields, used_count: i32) {
    fields.value = validate::price(errors, &["value"], &fields.value);
    if fields.value.is_zero() {
        errors.add("value", UserErrorCode::Invalid, "the value must be more than zero");
    }
    if fields.kind == CouponKind::Percentage && fields.value > 100 {
        errors.add("value", UserErrorCode::Invalid, "a percentage is at most 100");
    }
    fields.currency = fields.currency.as_deref().map(|c| validate::currency(errors, "currency", c));
    if let Some(minimum) = &fields.minimum_subtotal {
        fields.minimum_subtotal = Some(validate::price(errors, &["minimumSubtotal"], minimum));
    }
    match &fields.currency {
        None if fields.kind == CouponKind::Fixed => {
            errors.add("currency", UserErrorCode::Required, "a fixed coupon needs a currency")
        }
        None if fields.minimum_subtotal.is_some() => {
            errors.add("currency", UserErrorCode::Required, "a minimum subtotal needs a currency")
        }
        Some(currency) => {
            if fields.kind == CouponKind::Fixed && !fits_currency(&fields.value, currency) {
                errors.add("value", UserErrorCode::Invalid, format!("{currency} has fewer decimals than that"));
            }
            if fields.minimum_subtotal.as_ref().is_some_and(|m| !fits_currency(m, currency)) {
                errors.add(
                    "minimumSubtotal",
                    UserErrorCode::Invalid,
                    format!("{currency} has fewer decimals than that"),
                );
            }
        }
        None => {}
    }
    for (field, limit) in [("usageLimit", fields.usage_limit), ("perCustomerLimit", fields.per_customer_limit)] {
        if limit.is_some_and(|l| l < 1) {
            errors.add(field, UserErrorCode::Invalid, "a limit is at least 1");
        }
    }
    if fields.usage_limit.is_some_and(|l| l < used_count) {
        errors.add(
            "usageLimit",
            UserErrorCode::Invalid,
            format!("the coupon has been used {used_count} time(s) already"),
        );
    }
    validate::window(errors, fields.starts_at, fields.ends_at);
}

/// Resolves the campaign id and store code the input names into ids on `fields`.
async fn resolve_references(
    conn: &mut AsyncPgConnection,
    fields: &mut CouponFields,
    store: Option<&str>,
) -> Result<(), MutationError> {
    let mut errors = UserErrors::default();
    if let Some(id) = fields.campaign_id
        && data::campaigns_by_ids(conn, &[id]).await?.is_empty()
    {
        errors.add("campaignId", UserErrorCode::NotFound, "no such campaign");
    }
    if let Some(code) = store {
        match crate::stores::store_by_code(conn, code.trim()).await? {
            Some(store) => fields.store_id = Some(store.id),
            None => errors.add("store", UserErrorCode::NotFound, format!("no store has code '{}'", code.trim())),
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(errors.into()) }
}

/// Coupon mutations (admin only).
#[derive(Default)]
pub struct CouponMutation;

#[Object]
impl CouponMutation {
    /// Creates a coupon.
    async fn coupon_create(&self, ctx: &Context<'_>, input: CouponCreateInput) -> async_graphql::Result<CouponPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let code = coupon_code(&mut errors, &input.code);
        let campaign_id = input.campaign_id.as_ref().and_then(|id| errors.id_at(&["campaignId"], id));
        let mut fields = CouponFields {
            campaign_id,
            kind: input.kind,
            value: input.value.0,
            currency: input.currency,
            minimum_subtotal: input.minimum_subtotal.map(|m| m.0),
            usage_limit: input.usage_limit,
            per_customer_limit: input.per_customer_limit,
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            store_id: None,
            active: input.active,
        };
        check_terms(&mut errors, &mut fields, 0);
        if !errors.is_empty() {
            return CouponPayload::from_outcome(Err(errors.into()));
        }
        let mut conn = scope.conn().await.gql()?;
        let result = async {
            resolve_references(&mut conn, &mut fields, input.store.as_deref()).await?;
            data::insert_coupon(&mut conn, &code, &fields).await.map_err(refused(CONFLICTS))
        }
        .await;
        CouponPayload::from_outcome(result)
    }

    /// Changes a coupon's terms. Orders placed with it keep the discount they got.
    async fn coupon_update(&self, ctx: &Context<'_>, input: CouponUpdateInput) -> async_graphql::Result<CouponPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let Some(id) = errors.id_at(&["id"], &input.id) else {
            return CouponPayload::from_outcome(Err(errors.into()));
        };
        let mut conn = scope.conn().await.gql()?;
        let Some(row) = data::coupons_by_ids(&mut conn, &[id]).await.gql()?.remove(&id) else {
            return CouponPayload::from_outcome(Err(MutationError::user(
                "id",
                UserErrorCode::NotFound,
                "no such coupon",
            )));
        };
        let mut fields = CouponFields {
            campaign_id: row.campaign_id,
            kind: input.kind.unwrap_or(row.kind),
            value: input.value.map_or(row.value, |v| v.0),
            currency: row.currency,
            minimum_subtotal: row.minimum_subtotal,
            usage_limit: row.usage_limit,
            per_customer_limit: row.per_customer_limit,
            starts_at: row.starts_at,
            ends_at: row.ends_at,
            store_id: row.store_id,
            active: input.active.unwrap_or(row.active),
        };
        match input.campaign_id {
            MaybeUndefined::Value(id) => fields.campaign_id = errors.id_at(&["campaignId"], &id),
            MaybeUndefined::Null => fields.campaign_id = None,
            MaybeUndefined::Undefined => {}
        }
        input.currency.update_to(&mut fields.currency);
        input.minimum_subtotal.map_value(|m| m.0).update_to(&mut fields.minimum_subtotal);
        input.usage_limit.update_to(&mut fields.usage_limit);
        input.per_customer_limit.update_to(&mut fields.per_customer_limit);
        input.starts_at.update_to(&mut fields.starts_at);
        input.ends_at.update_to(&mut fields.ends_at);
        let store = match input.store {
            MaybeUndefined::Value(code) => Some(code),
            MaybeUndefined::Null => {
                fields.store_id = None;
                None
            }
            MaybeUndefined::Undefined => None,
        };
        check_terms(&mut errors, &mut fields, row.used_count);
        if !errors.is_empty() {
            return CouponPayload::from_outcome(Err(errors.into()));
        }
        let result = async {
            resolve_references(&mut conn, &mut fields, store.as_deref()).await?;
            match data::update_coupon(&mut conn, id, &fields).await {
                Ok(Some(row)) => Ok(row),
                Ok(None) => Err(MutationError::user("id", UserErrorCode::NotFound, "no such coupon")),
                Err(e) => Err(e.into()),
            }
        }
        .await;
        CouponPayload::from_outcome(result)
    }
}
