#![allow(missing_docs)] // diesel table definitions: the columns are documented by the migrations.
//! diesel table definitions. Control-plane tables are schema-qualified (`control.*`);
//! tenant tables are unqualified and resolve through the connection's `search_path`,
//! which [`super::tenant_connection`] sets to one tenant's schema.

/// Tables of the control plane, schema `control`.
pub mod control {
    diesel::table! {
        control.tenants (id) {
            id -> Uuid,
            slug -> Text,
            name -> Text,
            schema_name -> Text,
            status -> Text,
            shard -> Text,
            created_at -> Timestamptz,
        }
    }

    diesel::table! {
        control.api_keys (id) {
            id -> Uuid,
            tenant_id -> Uuid,
            role -> Text,
            token_hash -> Bytea,
            token_prefix -> Text,
            label -> Text,
            created_at -> Timestamptz,
            revoked_at -> Nullable<Timestamptz>,
        }
    }

    diesel::table! {
        control.store_domains (domain) {
            domain -> Text,
            tenant_id -> Uuid,
            store_code -> Text,
            created_at -> Timestamptz,
        }
    }

    diesel::joinable!(api_keys -> tenants (tenant_id));
    diesel::joinable!(store_domains -> tenants (tenant_id));
    diesel::allow_tables_to_appear_in_same_query!(tenants, api_keys, store_domains);
}

diesel::table! {
    stores (id) {
        id -> Uuid,
        code -> Text,
        name -> Text,
        domain -> Nullable<Text>,
        locale -> Text,
        default_currency -> Text,
        theme -> Nullable<Text>,
        active -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    products (id) {
        id -> Uuid,
        slug -> Text,
        name -> Text,
        description -> Text,
        status -> Text,
        product_type -> Text,
        base_price -> Numeric,
        currency -> Text,
        seo_title -> Nullable<Text>,
        seo_description -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    product_variants (id) {
        id -> Uuid,
        product_id -> Uuid,
        sku -> Text,
        name -> Text,
        price -> Nullable<Numeric>,
        option_values -> Jsonb,
        position -> Int4,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    product_images (id) {
        id -> Uuid,
        product_id -> Uuid,
        url -> Text,
        alt -> Text,
        position -> Int4,
    }
}

diesel::table! {
    inventory (variant_id) {
        variant_id -> Uuid,
        quantity -> Int4,
        reserved -> Int4,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    inventory_movements (id) {
        id -> Uuid,
        variant_id -> Uuid,
        delta -> Int4,
        quantity_after -> Int4,
        reason -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    categories (id) {
        id -> Uuid,
        parent_id -> Nullable<Uuid>,
        slug -> Text,
        name -> Text,
        description -> Text,
        position -> Int4,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    product_categories (product_id, category_id) {
        product_id -> Uuid,
        category_id -> Uuid,
    }
}

diesel::joinable!(product_categories -> products (product_id));
diesel::joinable!(product_categories -> categories (category_id));
diesel::joinable!(inventory -> product_variants (variant_id));
diesel::joinable!(inventory_movements -> product_variants (variant_id));
diesel::joinable!(product_variants -> products (product_id));
diesel::joinable!(product_images -> products (product_id));
diesel::allow_tables_to_appear_in_same_query!(
    stores,
    products,
    product_variants,
    product_images,
    inventory,
    inventory_movements,
    categories,
    product_categories
);
