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
            query_budget -> Nullable<BigInt>,
            query_restore_rate -> Nullable<BigInt>,
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
            staff_id -> Nullable<Text>,
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

diesel::table! {
    customers (id) {
        id -> Uuid,
        email -> Nullable<Text>,
        first_name -> Text,
        last_name -> Text,
        phone -> Nullable<Text>,
        auth_subject -> Nullable<Text>,
        locale -> Nullable<Text>,
        marketing_consent -> Bool,
        marketing_consent_at -> Nullable<Timestamptz>,
        preferences -> Jsonb,
        anonymized_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    customer_addresses (id) {
        id -> Uuid,
        customer_id -> Uuid,
        first_name -> Text,
        last_name -> Text,
        company -> Nullable<Text>,
        line1 -> Text,
        line2 -> Nullable<Text>,
        city -> Text,
        postal_code -> Nullable<Text>,
        region -> Nullable<Text>,
        country -> Text,
        phone -> Nullable<Text>,
        is_default_shipping -> Bool,
        is_default_billing -> Bool,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    customer_activities (id) {
        id -> Uuid,
        customer_id -> Uuid,
        kind -> Text,
        order_id -> Nullable<Uuid>,
        detail -> Text,
        actor -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    customer_service_notes (id) {
        id -> Uuid,
        customer_id -> Nullable<Uuid>,
        order_id -> Nullable<Uuid>,
        staff_id -> Text,
        body -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    pos_registers (id) {
        id -> Uuid,
        location_id -> Uuid,
        code -> Text,
        name -> Text,
        active -> Bool,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    orders (id) {
        id -> Uuid,
        number -> Int8,
        token -> Uuid,
        status -> Text,
        payment_status -> Text,
        channel -> Text,
        store_id -> Nullable<Uuid>,
        customer_id -> Nullable<Uuid>,
        email -> Nullable<Text>,
        currency -> Text,
        subtotal -> Numeric,
        discount_total -> Numeric,
        total -> Numeric,
        captured_total -> Numeric,
        refunded_total -> Numeric,
        register_id -> Nullable<Uuid>,
        location_id -> Nullable<Uuid>,
        idempotency_key -> Nullable<Text>,
        idempotency_scope -> Nullable<Text>,
        idempotency_fingerprint -> Nullable<Text>,
        source_reference -> Nullable<Text>,
        customer_note -> Nullable<Text>,
        placed_by -> Text,
        fulfilled_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    order_items (id) {
        id -> Uuid,
        order_id -> Uuid,
        line -> Int4,
        variant_id -> Nullable<Uuid>,
        product_id -> Nullable<Uuid>,
        product_name -> Text,
        product_slug -> Text,
        product_type -> Text,
        variant_sku -> Text,
        variant_name -> Text,
        quantity -> Int4,
        unit_price -> Numeric,
        price_source -> Text,
        line_total -> Numeric,
        discount_total -> Numeric,
    }
}

diesel::table! {
    order_allocations (order_item_id, variant_id, location_id) {
        order_item_id -> Uuid,
        variant_id -> Uuid,
        location_id -> Uuid,
        quantity -> Int4,
    }
}

diesel::table! {
    order_addresses (order_id, kind) {
        order_id -> Uuid,
        kind -> Text,
        first_name -> Text,
        last_name -> Text,
        company -> Nullable<Text>,
        line1 -> Text,
        line2 -> Nullable<Text>,
        city -> Text,
        postal_code -> Nullable<Text>,
        region -> Nullable<Text>,
        country -> Text,
        phone -> Nullable<Text>,
    }
}

diesel::table! {
    order_status_history (id) {
        id -> Uuid,
        order_id -> Uuid,
        from_status -> Nullable<Text>,
        to_status -> Text,
        actor -> Text,
        note -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    payments (id) {
        id -> Uuid,
        order_id -> Uuid,
        provider -> Text,
        provider_transaction_id -> Nullable<Text>,
        amount -> Numeric,
        currency -> Text,
        status -> Text,
        captured_amount -> Numeric,
        refunded_amount -> Numeric,
        failure_reason -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    refunds (id) {
        id -> Uuid,
        order_id -> Uuid,
        payment_id -> Uuid,
        amount -> Numeric,
        currency -> Text,
        reason -> Text,
        actor -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    external_order_mappings (id) {
        id -> Uuid,
        channel_name -> Text,
        external_id -> Text,
        order_id -> Uuid,
        external_status -> Nullable<Text>,
        sync_status -> Text,
        sync_count -> Int4,
        lines_digest -> Text,
        imported_at -> Timestamptz,
        last_synced_at -> Timestamptz,
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
diesel::joinable!(customer_addresses -> customers (customer_id));
diesel::joinable!(customer_activities -> customers (customer_id));
diesel::joinable!(pos_registers -> locations (location_id));
diesel::joinable!(orders -> stores (store_id));
diesel::joinable!(orders -> customers (customer_id));
diesel::joinable!(orders -> pos_registers (register_id));
diesel::joinable!(order_items -> orders (order_id));
diesel::joinable!(order_allocations -> order_items (order_item_id));
diesel::joinable!(order_allocations -> locations (location_id));
diesel::joinable!(order_addresses -> orders (order_id));
diesel::joinable!(order_status_history -> orders (order_id));
diesel::joinable!(payments -> orders (order_id));
diesel::joinable!(refunds -> orders (order_id));
diesel::joinable!(refunds -> payments (payment_id));
diesel::joinable!(external_order_mappings -> orders (order_id));
diesel::table! {
    promotion_campaigns (id) {
        id -> Uuid,
        name -> Text,
        description -> Nullable<Text>,
        status -> Text,
        starts_at -> Nullable<Timestamptz>,
        ends_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    coupons (id) {
        id -> Uuid,
        code -> Text,
        campaign_id -> Nullable<Uuid>,
        kind -> Text,
        value -> Numeric,
        currency -> Nullable<Text>,
        minimum_subtotal -> Nullable<Numeric>,
        usage_limit -> Nullable<Int4>,
        per_customer_limit -> Nullable<Int4>,
        used_count -> Int4,
        starts_at -> Nullable<Timestamptz>,
        ends_at -> Nullable<Timestamptz>,
        store_id -> Nullable<Uuid>,
        active -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    coupon_redemptions (id) {
        id -> Uuid,
        coupon_id -> Uuid,
        code -> Text,
        order_id -> Uuid,
        customer_id -> Nullable<Uuid>,
        email -> Nullable<Text>,
        discount_amount -> Numeric,
        currency -> Text,
        status -> Text,
        created_at -> Timestamptz,
        released_at -> Nullable<Timestamptz>,
    }
}

diesel::joinable!(coupons -> promotion_campaigns (campaign_id));
diesel::joinable!(coupon_redemptions -> coupons (coupon_id));
diesel::joinable!(coupon_redemptions -> orders (order_id));

diesel::table! {
    loyalty_programs (singleton) {
        singleton -> Bool,
        active -> Bool,
        points_per_unit -> Numeric,
        point_value -> Numeric,
        accounts_per_store -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    loyalty_tiers (id) {
        id -> Uuid,
        name -> Text,
        min_lifetime_points -> Int8,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    loyalty_accounts (id) {
        id -> Uuid,
        customer_id -> Uuid,
        store_id -> Nullable<Uuid>,
        balance -> Int8,
        lifetime_points -> Int8,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    loyalty_transactions (id) {
        id -> Uuid,
        account_id -> Uuid,
        kind -> Text,
        points -> Int8,
        order_id -> Nullable<Uuid>,
        reverses_id -> Nullable<Uuid>,
        points_per_unit -> Nullable<Numeric>,
        reason -> Nullable<Text>,
        actor -> Text,
        unrecovered_points -> Int8,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    customer_tokens (id) {
        id -> Uuid,
        token_hash -> Bytea,
        customer_id -> Uuid,
        expires_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(loyalty_accounts -> customers (customer_id));
diesel::joinable!(loyalty_accounts -> stores (store_id));
diesel::joinable!(loyalty_transactions -> loyalty_accounts (account_id));
diesel::joinable!(loyalty_transactions -> orders (order_id));
diesel::joinable!(customer_tokens -> customers (customer_id));

diesel::table! {
    royalty_rules (id) {
        id -> Uuid,
        name -> Text,
        beneficiary -> Text,
        scope -> Text,
        product_id -> Nullable<Uuid>,
        category_id -> Nullable<Uuid>,
        attribute_id -> Nullable<Uuid>,
        attribute_value -> Nullable<Text>,
        rate_kind -> Text,
        rate -> Numeric,
        currency -> Nullable<Text>,
        active -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    royalty_allocations (id) {
        id -> Uuid,
        rule_id -> Uuid,
        order_id -> Uuid,
        order_item_id -> Uuid,
        sale_id -> Nullable<Uuid>,
        beneficiary -> Text,
        kind -> Text,
        base_amount -> Numeric,
        quantity -> Int4,
        rate_kind -> Text,
        rate -> Numeric,
        amount -> Numeric,
        currency -> Text,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(royalty_rules -> attribute_definitions (attribute_id));
diesel::joinable!(royalty_allocations -> royalty_rules (rule_id));
diesel::joinable!(royalty_allocations -> orders (order_id));
diesel::joinable!(royalty_allocations -> order_items (order_item_id));

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
    locations,
    customers,
    customer_addresses,
    customer_activities,
    customer_service_notes,
    pos_registers,
    orders,
    order_items,
    order_allocations,
    order_addresses,
    order_status_history,
    payments,
    refunds,
    external_order_mappings,
    promotion_campaigns,
    coupons,
    coupon_redemptions,
    loyalty_programs,
    loyalty_tiers,
    loyalty_accounts,
    loyalty_transactions,
    customer_tokens,
    royalty_rules,
    royalty_allocations,
);
