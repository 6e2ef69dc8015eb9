//! `promotionCampaignCreate` and `promotionCampaignUpdate` (admin).

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};
use chrono::{DateTime, Utc};

use super::data;
use super::model::{CampaignFields, CampaignStatus, PromotionCampaign};
use crate::graphql::{GqlResultExt, MutationError, UserErrorCode, UserErrors, caller_scope, validate};
use crate::tenancy::Role;

/// A new campaign.
#[derive(InputObject)]
pub struct PromotionCampaignCreateInput {
    /// Display name.
    pub name: String,
    /// What it is about.
    pub description: Option<String>,
    /// Default DRAFT: its coupons work only once it is ACTIVE.
    #[graphql(default)]
    pub status: CampaignStatus,
    /// Its coupons work from then.
    pub starts_at: Option<DateTime<Utc>>,
    /// Its coupons stop working then.
    pub ends_at: Option<DateTime<Utc>>,
}

/// Changes to a campaign; omitted fields stay as they are, null clears.
#[derive(InputObject)]
pub struct PromotionCampaignUpdateInput {
    /// The campaign.
    pub id: ID,
    /// Display name.
    pub name: Option<String>,
    /// What it is about.
    pub description: MaybeUndefined<String>,
    /// New status.
    pub status: Option<CampaignStatus>,
    /// Start.
    pub starts_at: MaybeUndefined<DateTime<Utc>>,
    /// End.
    pub ends_at: MaybeUndefined<DateTime<Utc>>,
}

crate::payload!(
    /// The result of a campaign mutation.
    PromotionCampaignPayload {
        /// The campaign as it is now; null when refused.
        campaign: PromotionCampaign,
    }
);

/// Checks a campaign's fields as they would be written.
fn check(errors: &mut UserErrors, fields: &mut CampaignFields) {
    fields.name = validate::name(errors, &fields.name);
    fields.description = validate::optional_text(errors, &["description"], fields.description.as_deref(), 2000);
    validate::window(errors, fields.starts_at, fields.ends_at);
}

/// Campaign mutations (admin only).
#[derive(Default)]
pub struct CampaignMutation;

#[Object]
impl CampaignMutation {
    /// Creates a campaign (DRAFT unless told otherwise).
    async fn promotion_campaign_create(
        &self,
        ctx: &Context<'_>,
        input: PromotionCampaignCreateInput,
    ) -> async_graphql::Result<PromotionCampaignPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let mut fields = CampaignFields {
            name: input.name,
            description: input.description,
            status: input.status,
            starts_at: input.starts_at,
            ends_at: input.ends_at,
        };
        check(&mut errors, &mut fields);
        if !errors.is_empty() {
            return PromotionCampaignPayload::from_outcome(Err(errors.into()));
        }
        let mut conn = scope.conn().await.gql()?;
        PromotionCampaignPayload::from_outcome(
            data::insert_campaign(&mut conn, &fields).await.map_err(MutationError::from),
        )
    }

    /// Changes a campaign: its name, status or period. Pausing or ending it stops its
    /// coupons at once; orders placed with them stand.
    async fn promotion_campaign_update(
        &self,
        ctx: &Context<'_>,
        input: PromotionCampaignUpdateInput,
    ) -> async_graphql::Result<PromotionCampaignPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let Some(id) = errors.id_at(&["id"], &input.id) else {
            return PromotionCampaignPayload::from_outcome(Err(errors.into()));
        };
        let mut conn = scope.conn().await.gql()?;
        let Some(row) = data::campaigns_by_ids(&mut conn, &[id]).await.gql()?.remove(&id) else {
            return PromotionCampaignPayload::from_outcome(Err(MutationError::user(
                "id",
                UserErrorCode::NotFound,
                "no such campaign",
            )));
        };
        let mut fields = CampaignFields {
            name: input.name.unwrap_or(row.name),
            description: row.description,
            status: input.status.unwrap_or(row.status),
            starts_at: row.starts_at,
            ends_at: row.ends_at,
        };
        input.description.update_to(&mut fields.description);
        input.starts_at.update_to(&mut fields.starts_at);
        input.ends_at.update_to(&mut fields.ends_at);
        check(&mut errors, &mut fields);
        if !errors.is_empty() {
            return PromotionCampaignPayload::from_outcome(Err(errors.into()));
        }
        let result = match data::update_campaign(&mut conn, id, &fields).await {
            Ok(Some(row)) => Ok(row),
            Ok(None) => Err(MutationError::user("id", UserErrorCode::NotFound, "no such campaign")),
            Err(e) => Err(e.into()),
        };
        PromotionCampaignPayload::from_outcome(result)
    }
}
