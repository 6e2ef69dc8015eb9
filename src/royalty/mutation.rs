//! Creating and changing royalty rules (admin only). A rule's scope is fixed when it is
//! created; its name, beneficiary, rate and whether it is active can change, and apply to
//! orders paid from then on (allocations keep the terms they were computed with).

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};
use bigdecimal::BigDecimal;
use bigdecimal::num_bigint::Sign;
use diesel_async::{AsyncConnection, AsyncPgConnection};

use super::data::{self, NAME_TAKEN, UNKNOWN_CATEGORY, UNKNOWN_PRODUCT};
use super::model::{NewRule, RoyaltyRateKind, RoyaltyRule, RoyaltyScope, RuleTerms};
use crate::attributes::AttributeType;
use crate::graphql::{
    Decimal, GqlResultExt, MutationError, UserErrorCode, UserErrors, caller_scope, enum_name, validate,
};
use crate::money::fits_currency;
use crate::outcome::{Violation, refused};
use crate::tenancy::Role;

/// An attribute value a rule covers, named as `productAttributesSet` names it.
#[derive(InputObject)]
pub struct RoyaltyAttributeValueInput {
    /// The attribute's code (a SELECT, MULTISELECT or TEXT attribute).
    code: String,
    /// One of its options' values (SELECT, MULTISELECT), or the exact text (TEXT).
    value: String,
}

/// A new royalty rule. Give exactly one of `productId`, `categoryId` or `attribute`.
#[derive(InputObject)]
pub struct RoyaltyRuleCreateInput {
    /// Display name, unique in the tenant (case-insensitively), 1 to 200 characters.
    name: String,
    /// Who earns the royalty, e.g. `Acme Brand Licensing` (1 to 200 characters).
    beneficiary: String,
    /// Covers this product, every variant of it.
    product_id: Option<ID>,
    /// Covers the products in this category or in any category below it.
    category_id: Option<ID>,
    /// Covers the products, and variants, that have this attribute value (a brand).
    attribute: Option<RoyaltyAttributeValueInput>,
    /// How the amount is computed.
    rate_kind: RoyaltyRateKind,
    /// PERCENTAGE: percent of what was paid for the line, more than 0 and at most 100,
    /// up to 4 decimals. FIXED_PER_UNIT: amount per unit in `currency`, more than 0,
    /// within the currency's minor unit.
    rate: Decimal,
    /// The currency of a FIXED_PER_UNIT rate (required for it, refused for PERCENTAGE);
    /// such a rule applies to orders in this currency only.
    currency: Option<String>,
    /// Whether it allocates on orders paid from now on.
    #[graphql(default = true)]
    active: bool,
}

/// Changes to a royalty rule; fields left out stay as they are. The scope cannot change.
#[derive(InputObject)]
pub struct RoyaltyRuleUpdateInput {
    /// The rule to change.
    id: ID,
    /// New name.
    name: Option<String>,
    /// New beneficiary (allocations already made keep the one they were made for).
    beneficiary: Option<String>,
    /// New rate kind; `rate` must come with it (a switch to PERCENTAGE drops the currency
    /// unless one is given, which is refused).
    rate_kind: Option<RoyaltyRateKind>,
    /// New rate.
    rate: Option<Decimal>,
    /// New currency of a fixed rate.
    currency: MaybeUndefined<String>,
    /// Activate or deactivate.
    active: Option<bool>,
}

crate::payload!(
    /// The result of a royalty rule mutation.
    RoyaltyRulePayload {
        /// The rule as it is now; null when the mutation was refused.
        royalty_rule: RoyaltyRule,
    }
);

/// What a rule's unique name and foreign keys mean to the client.
const CONFLICTS: &[Violation] = &[
    Violation::new(NAME_TAKEN, "name", UserErrorCode::Duplicate, "another royalty rule has this name"),
    Violation::new(UNKNOWN_PRODUCT, "productId", UserErrorCode::NotFound, "no product has this id"),
    Violation::new(UNKNOWN_CATEGORY, "categoryId", UserErrorCode::NotFound, "no category has this id"),
];

/// The largest rate a `numeric(19,4)` holds comfortably, as prices are bounded.
const MAX_RATE: i64 = 1_000_000_000_000_000;

/// Checks a rate, its kind and its currency together; returns the rate and currency to
/// store.
fn terms(
    errors: &mut UserErrors,
    kind: RoyaltyRateKind,
    rate: &BigDecimal,
    currency: Option<&str>,
) -> (BigDecimal, Option<String>) {
    let rate = rate.normalized();
    let positive = rate.sign() == Sign::Plus;
    match kind {
        RoyaltyRateKind::Percentage => {
            if currency.is_some() {
                errors.add(
                    "currency",
                    UserErrorCode::Invalid,
                    "a PERCENTAGE rule has no currency: it applies to orders in any currency",
                );
            }
            if !positive || rate > 100 {
                errors.add("rate", UserErrorCode::Invalid, "a percentage must be more than 0 and at most 100");
            } else if rate.as_bigint_and_exponent().1 > 4 {
                errors.add("rate", UserErrorCode::Invalid, "a percentage has at most 4 decimal places");
            }
            (rate, None)
        }
        RoyaltyRateKind::FixedPerUnit => {
            let currency = match currency {
                Some(code) => Some(validate::currency(errors, "currency", code)),
                None => {
                    errors.add("currency", UserErrorCode::Required, "a FIXED_PER_UNIT rule needs a currency");
                    None
                }
            };
            if !positive {
                errors.add("rate", UserErrorCode::Invalid, "a fixed rate must be more than 0");
            } else if rate >= MAX_RATE {
                errors.add("rate", UserErrorCode::Invalid, "a fixed rate must be below 10^15");
            } else if let Some(code) = currency.as_deref().filter(|c| !fits_currency(&rate, c)) {
                errors.add(
                    "rate",
                    UserErrorCode::Invalid,
                    format!("{code} has fewer decimals than {}", rate.to_plain_string()),
                );
            }
            (rate, currency)
        }
    }
}

fn beneficiary(errors: &mut UserErrors, value: &str) -> String {
    validate::required_text(errors, &["beneficiary"], value, 200)
}

/// The scope of a new rule, as far as it can be checked without the database.
enum ScopeInput {
    Product(uuid::Uuid),
    Category(uuid::Uuid),
    Attribute { code: String, value: String },
}

fn scope_input(errors: &mut UserErrors, input: &RoyaltyRuleCreateInput) -> Option<ScopeInput> {
    match (&input.product_id, &input.category_id, &input.attribute) {
        (Some(id), None, None) => errors.id_at(&["productId"], id).map(ScopeInput::Product),
        (None, Some(id), None) => errors.id_at(&["categoryId"], id).map(ScopeInput::Category),
        (None, None, Some(attribute)) => {
            let code = validate::required_text(errors, &["attribute", "code"], &attribute.code, 40);
            let value = validate::required_text(errors, &["attribute", "value"], &attribute.value, 200);
            Some(ScopeInput::Attribute { code, value })
        }
        _ => {
            errors.add("productId", UserErrorCode::Required, "give exactly one of productId, categoryId or attribute");
            None
        }
    }
}

/// Resolves an attribute value to the attribute's id, or says why it cannot be covered.
async fn attribute_of(conn: &mut AsyncPgConnection, code: &str, value: &str) -> Result<uuid::Uuid, MutationError> {
    let refuse = |field: &str, code: UserErrorCode, message: String| {
        let mut errors = UserErrors::default();
        errors.add_at(&["attribute", field], code, message);
        MutationError::from(errors)
    };
    let Some((definition, options)) = crate::attributes::definition_by_code(conn, code).await? else {
        return Err(refuse("code", UserErrorCode::NotFound, format!("there is no attribute '{code}'")));
    };
    match definition.attribute_type {
        AttributeType::Select | AttributeType::Multiselect if !options.iter().any(|o| o.value == value) => Err(refuse(
            "value",
            UserErrorCode::InvalidAttributeValue,
            format!("'{}' is not an option of '{code}'", value.escape_debug()),
        )),
        AttributeType::Select | AttributeType::Multiselect | AttributeType::Text => Ok(definition.id),
        other => Err(refuse(
            "code",
            UserErrorCode::Invalid,
            format!("royalties cover SELECT, MULTISELECT or TEXT attribute values, not {}", enum_name(&other)),
        )),
    }
}

/// Royalty rule mutations (admin only).
#[derive(Default)]
pub struct RoyaltyMutation;

#[Object]
impl RoyaltyMutation {
    /// Creates a royalty rule. It allocates on orders paid from now on.
    async fn royalty_rule_create(
        &self,
        ctx: &Context<'_>,
        input: RoyaltyRuleCreateInput,
    ) -> async_graphql::Result<RoyaltyRulePayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let name = validate::name(&mut errors, &input.name);
        let beneficiary = beneficiary(&mut errors, &input.beneficiary);
        let target = scope_input(&mut errors, &input);
        let (rate, currency) = terms(&mut errors, input.rate_kind, &input.rate.0, input.currency.as_deref());
        let Some(target) = target.filter(|_| errors.is_empty()) else {
            return RoyaltyRulePayload::from_outcome(Err(errors.into()));
        };
        let mut conn = scope.conn().await.gql()?;
        let result = conn
            .transaction::<_, MutationError, _>(async |conn| {
                let mut new = NewRule {
                    name,
                    beneficiary,
                    scope: RoyaltyScope::Product,
                    product_id: None,
                    category_id: None,
                    attribute_id: None,
                    attribute_value: None,
                    rate_kind: input.rate_kind,
                    rate,
                    currency,
                    active: input.active,
                };
                match target {
                    ScopeInput::Product(id) => new.product_id = Some(id),
                    ScopeInput::Category(id) => {
                        new.scope = RoyaltyScope::Category;
                        new.category_id = Some(id);
                    }
                    ScopeInput::Attribute { code, value } => {
                        new.scope = RoyaltyScope::AttributeValue;
                        new.attribute_id = Some(attribute_of(conn, &code, &value).await?);
                        new.attribute_value = Some(value);
                    }
                }
                data::insert_rule(conn, &new).await.map_err(refused(CONFLICTS))
            })
            .await;
        RoyaltyRulePayload::from_outcome(result)
    }

    /// Changes a royalty rule's name, beneficiary, rate or activity. Allocations already
    /// made keep the terms they were computed with.
    async fn royalty_rule_update(
        &self,
        ctx: &Context<'_>,
        input: RoyaltyRuleUpdateInput,
    ) -> async_graphql::Result<RoyaltyRulePayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let id = errors.id_at(&["id"], &input.id);
        let name = input.name.as_deref().map(|n| validate::name(&mut errors, n));
        let new_beneficiary = input.beneficiary.as_deref().map(|b| beneficiary(&mut errors, b));
        if input.rate_kind.is_some() && input.rate.is_none() {
            errors.add("rate", UserErrorCode::Required, "a new rateKind needs its rate");
        }
        let Some(id) = id.filter(|_| errors.is_empty()) else {
            return RoyaltyRulePayload::from_outcome(Err(errors.into()));
        };
        let mut conn = scope.conn().await.gql()?;
        let result = conn
            .transaction::<_, MutationError, _>(async |conn| {
                let current = data::rule_for_update(conn, id)
                    .await?
                    .ok_or_else(|| MutationError::user("id", UserErrorCode::NotFound, "no royalty rule has this id"))?;
                let kind = input.rate_kind.unwrap_or(current.rate_kind);
                let currency = match &input.currency {
                    MaybeUndefined::Value(code) => Some(code.as_str()),
                    MaybeUndefined::Null => None,
                    // A switch to PERCENTAGE drops the currency it does not have.
                    MaybeUndefined::Undefined if kind == RoyaltyRateKind::Percentage => None,
                    MaybeUndefined::Undefined => current.currency.as_deref(),
                };
                let rate = input.rate.as_ref().map_or(&current.rate, |r| &r.0);
                let mut errors = UserErrors::default();
                let (rate, currency) = terms(&mut errors, kind, rate, currency);
                if !errors.is_empty() {
                    return Err(errors.into());
                }
                let terms = RuleTerms {
                    name: name.clone().unwrap_or_else(|| current.name.clone()),
                    beneficiary: new_beneficiary.clone().unwrap_or_else(|| current.beneficiary.clone()),
                    rate_kind: kind,
                    rate,
                    currency,
                    active: input.active.unwrap_or(current.active),
                };
                data::update_rule(conn, id, &terms).await.map_err(refused(CONFLICTS))
            })
            .await;
        RoyaltyRulePayload::from_outcome(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(kind: RoyaltyRateKind, rate: &str, currency: Option<&str>) -> Vec<(String, UserErrorCode)> {
        let mut errors = UserErrors::default();
        terms(&mut errors, kind, &rate.parse().unwrap(), currency);
        errors.0.into_iter().map(|e| (e.field.join("."), e.code)).collect()
    }

    #[test]
    fn rates_are_checked_with_their_kind_and_currency() {
        use RoyaltyRateKind::*;
        use UserErrorCode::*;
        assert!(problems(Percentage, "12.5", None).is_empty());
        assert!(problems(Percentage, "100", None).is_empty());
        assert_eq!(problems(Percentage, "100.01", None), [("input.rate".into(), Invalid)]);
        assert_eq!(problems(Percentage, "0", None), [("input.rate".into(), Invalid)]);
        assert_eq!(problems(Percentage, "1.00001", None), [("input.rate".into(), Invalid)]);
        assert_eq!(problems(Percentage, "5", Some("EUR")), [("input.currency".into(), Invalid)]);
        assert!(problems(FixedPerUnit, "1.50", Some("eur")).is_empty());
        assert_eq!(problems(FixedPerUnit, "1.50", None), [("input.currency".into(), Required)]);
        assert_eq!(problems(FixedPerUnit, "1.5", Some("JPY")), [("input.rate".into(), Invalid)]);
        assert_eq!(problems(FixedPerUnit, "-1", Some("USD")), [("input.rate".into(), Invalid)]);
        assert_eq!(problems(FixedPerUnit, "1", Some("XXQ")), [("input.currency".into(), InvalidCurrency)]);
    }
}
