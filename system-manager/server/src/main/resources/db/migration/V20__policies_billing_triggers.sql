-- Policies, prices, the cost and origin of each migration, triggers (issue 11).

-- A tenant's rules for migrations. ACCESS: which source and target accounts (and regions) a role
-- or user may use; LIMIT: largest image, concurrent migrations, monthly budget; APPROVAL:
-- matching migrations wait for a tenant admin. Empty lists mean "any".
create table policy (
    id                        uuid primary key,
    tenant_id                 uuid          not null references tenant (id),
    name                      varchar(100)  not null,
    kind                      varchar(20)   not null check (kind in ('ACCESS', 'LIMIT', 'APPROVAL')),
    subject_role              varchar(20) check (subject_role in ('ADMIN', 'OPERATOR', 'VIEWER')),
    subject_username          varchar(100),
    source_account_ids        jsonb         not null,
    target_account_ids        jsonb         not null,
    regions                   jsonb         not null,
    max_image_bytes           bigint,
    max_concurrent_migrations integer,
    monthly_budget            numeric(14, 4),
    approval_min_cost         numeric(14, 4),
    created_at                timestamptz   not null,
    updated_at                timestamptz   not null,
    unique (tenant_id, name)
);

-- An admin's prices for one account, replacing the plugin's price sheet (US dollars).
create table price_override (
    cloud_account_id            uuid primary key references cloud_account (id) on delete cascade,
    tenant_id                   uuid           not null references tenant (id),
    egress_per_gb               numeric(14, 6) not null,
    helper_vm_per_hour          numeric(14, 6) not null,
    image_storage_per_gb_month  numeric(14, 6) not null,
    object_storage_per_gb_month numeric(14, 6) not null,
    extra                       jsonb          not null,
    updated_at                  timestamptz    not null
);

create table migration_trigger (
    id                  uuid primary key,
    tenant_id           uuid          not null references tenant (id),
    owner_user_id       uuid          not null references app_user (id) on delete cascade,
    name                varchar(100)  not null,
    kind                varchar(20)   not null check (kind in ('SCHEDULE', 'IMAGE', 'PRICE')),
    cron                varchar(100),
    source_account_id   uuid          not null references cloud_account (id) on delete cascade,
    image_name_pattern  varchar(200)  not null,
    image_tags          jsonb         not null,
    target_account_ids  jsonb         not null,
    options             jsonb         not null,
    price_drop_percent  numeric(6, 2),
    enabled             boolean       not null,
    created_at          timestamptz   not null,
    updated_at          timestamptz   not null,
    last_evaluated_at   timestamptz,
    unique (tenant_id, name)
);

-- What a trigger saw: one row per event and target, inserted if absent, so that an event fires
-- at most once whichever worker sees it first. fired=false rows are the baseline seen at creation.
create table trigger_event (
    trigger_id   uuid         not null references migration_trigger (id) on delete cascade,
    event_key    varchar(800) not null,
    tenant_id    uuid         not null references tenant (id),
    occurred_at  timestamptz  not null,
    fired        boolean      not null,
    migration_id uuid references migration (id) on delete set null,
    outcome      varchar(1000),
    primary key (trigger_id, event_key)
);

-- The cost and origin of each migration: the estimate when it was requested, the actual cost
-- when it ended, the trigger that started it, the approval it waited for.
create table migration_ledger (
    migration_id              uuid primary key references migration (id) on delete cascade,
    tenant_id                 uuid           not null references tenant (id),
    source_plugin_id          varchar(50)    not null,
    target_plugin_id          varchar(50)    not null,
    bytes_to_move             bigint         not null,
    helper_mode               boolean        not null,
    estimated_egress          numeric(14, 4) not null,
    estimated_helper          numeric(14, 4) not null,
    estimated_image_storage   numeric(14, 4) not null,
    estimated_bundle_storage  numeric(14, 4) not null,
    estimated_total           numeric(14, 4) not null,
    bytes_moved               bigint,
    helper_seconds            bigint,
    actual_total              numeric(14, 4),
    actual_recorded_at        timestamptz,
    trigger_id                uuid references migration_trigger (id) on delete set null,
    trigger_owner             varchar(100),
    approval_policy           varchar(100),
    decided_by                varchar(100),
    decided_at                timestamptz
);
create index migration_ledger_tenant_recorded on migration_ledger (tenant_id, actual_recorded_at);
