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
        attribute_set_id -> Nullable<Uuid>,
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
    inventory (variant_id, location_id) {
        variant_id -> Uuid,
        quantity -> Int4,
        reserved -> Int4,
        updated_at -> Timestamptz,
        location_id -> Uuid,
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
        location_id -> Uuid,
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

diesel::table! {
    attribute_definitions (id) {
        id -> Uuid,
        code -> Text,
        name -> Text,
        attribute_type -> Text,
        filterable -> Bool,
        min_number -> Nullable<Numeric>,
        max_number -> Nullable<Numeric>,
        max_length -> Nullable<Int4>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    attribute_options (id) {
        id -> Uuid,
        attribute_id -> Uuid,
        value -> Text,
        label -> Text,
        position -> Int4,
    }
}

diesel::table! {
    attribute_sets (id) {
        id -> Uuid,
        code -> Text,
        name -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    attribute_set_members (set_id, attribute_id) {
        set_id -> Uuid,
        attribute_id -> Uuid,
        position -> Int4,
        required -> Bool,
    }
}

diesel::table! {
    attribute_values (id) {
        id -> Uuid,
        product_id -> Uuid,
        variant_id -> Nullable<Uuid>,
        attribute_id -> Uuid,
        option_id -> Nullable<Uuid>,
        text_value -> Nullable<Text>,
        number_value -> Nullable<Numeric>,
        boolean_value -> Nullable<Bool>,
        date_value -> Nullable<Date>,
        position -> Int4,
    }
}

diesel::table! {
    price_lists (id) {
        id -> Uuid,
        name -> Text,
        currency -> Text,
        store_id -> Nullable<Uuid>,
        channel -> Nullable<Text>,
        starts_at -> Nullable<Timestamptz>,
        ends_at -> Nullable<Timestamptz>,
        priority -> Int4,
        active -> Bool,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    price_list_entries (price_list_id, variant_id) {
        price_list_id -> Uuid,
        variant_id -> Uuid,
        amount -> Numeric,
    }
}

diesel::table! {
    store_products (store_id, product_id) {
        store_id -> Uuid,
        product_id -> Uuid,
        visible -> Bool,
        price_override -> Nullable<Numeric>,
        override_currency -> Nullable<Text>,
        name -> Nullable<Text>,
        description -> Nullable<Text>,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    bundle_components (bundle_id, variant_id) {
        bundle_id -> Uuid,
        variant_id -> Uuid,
        quantity -> Int4,
        position -> Int4,
    }
}

diesel::table! {
    locations (id) {
        id -> Uuid,
        code -> Text,
        name -> Text,
        kind -> Text,
        is_default -> Bool,
        active -> Bool,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(product_categories -> products (product_id));
diesel::joinable!(product_categories -> categories (category_id));
diesel::joinable!(inventory -> product_variants (variant_id));
diesel::joinable!(inventory_movements -> product_variants (variant_id));
diesel::joinable!(product_variants -> products (product_id));
diesel::joinable!(product_images -> products (product_id));
diesel::joinable!(inventory -> locations (location_id));
diesel::joinable!(attribute_options -> attribute_definitions (attribute_id));
diesel::joinable!(attribute_set_members -> attribute_sets (set_id));
diesel::joinable!(attribute_set_members -> attribute_definitions (attribute_id));
diesel::joinable!(attribute_values -> attribute_definitions (attribute_id));
diesel::joinable!(attribute_values -> attribute_options (option_id));
diesel::joinable!(attribute_values -> products (product_id));
diesel::joinable!(attribute_values -> product_variants (variant_id));
diesel::joinable!(products -> attribute_sets (attribute_set_id));
diesel::joinable!(price_list_entries -> price_lists (price_list_id));
diesel::joinable!(price_list_entries -> product_variants (variant_id));
diesel::joinable!(price_lists -> stores (store_id));
diesel::joinable!(store_products -> stores (store_id));
diesel::joinable!(store_products -> products (product_id));
diesel::joinable!(bundle_components -> products (bundle_id));
diesel::joinable!(bundle_components -> product_variants (variant_id));
diesel::allow_tables_to_appear_in_same_query!(
    stores,
    products,
    product_variants,
    product_images,
    inventory,
    inventory_movements,
    categories,
    product_categories,
    attribute_definitions,
    attribute_options,
    attribute_sets,
    attribute_set_members,
    attribute_values,
    price_lists,
    price_list_entries,
    store_products,
    bundle_components,
    locations
);
