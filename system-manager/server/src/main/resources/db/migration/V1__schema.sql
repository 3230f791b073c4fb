-- The whole schema of the Ferry control plane. Hibernate only validates it (ddl-auto=validate).

create table tenant (
    id          uuid primary key,
    name        varchar(100) not null unique,
    created_at  timestamptz  not null
);

create table app_user (
    id             uuid primary key,
    tenant_id      uuid         not null references tenant (id),
    username       varchar(100) not null unique,
    password_hash  varchar(100) not null,
    role           varchar(20)  not null check (role in ('ADMIN', 'OPERATOR', 'VIEWER')),
    platform_admin boolean      not null default false,
    created_at     timestamptz  not null
);
create index app_user_tenant on app_user (tenant_id);

create table api_token (
    id           uuid primary key,
    tenant_id    uuid         not null references tenant (id),
    user_id      uuid         not null references app_user (id) on delete cascade,
    name         varchar(100) not null,
    -- SHA-256 of the token, hex; the token itself is shown once and never stored.
    token_hash   varchar(64)  not null unique,
    token_prefix varchar(16)  not null,
    created_at   timestamptz  not null,
    expires_at   timestamptz,
    revoked_at   timestamptz
);
create index api_token_tenant on api_token (tenant_id);

create table cloud_account (
    id                  uuid primary key,
    tenant_id           uuid         not null references tenant (id),
    plugin_id           varchar(50)  not null,
    name                varchar(100) not null,
    region              varchar(100),
    endpoint            varchar(500),
    settings            jsonb        not null,
    -- key -> "v1:" + base64(nonce || AES-GCM ciphertext and tag); never plaintext.
    secrets             jsonb        not null,
    images_refreshed_at timestamptz,
    created_at          timestamptz  not null,
    updated_at          timestamptz  not null,
    unique (tenant_id, name)
);

create table catalogue_image (
    id               uuid primary key,
    tenant_id        uuid         not null references tenant (id),
    cloud_account_id uuid         not null references cloud_account (id) on delete cascade,
    image_id         varchar(500) not null,
    name             varchar(500),
    version          varchar(500),
    format           varchar(50),
    virtual_size     bigint       not null,
    os_name          varchar(200),
    architecture     varchar(20)  not null,
    boot_mode        varchar(20)  not null,
    cloud_layer      varchar(100),
    tags             jsonb        not null,
    image_created_at timestamptz,
    refreshed_at     timestamptz  not null,
    unique (cloud_account_id, image_id)
);

create table migration (
    id                uuid primary key,
    tenant_id         uuid         not null references tenant (id),
    source_account_id uuid         not null references cloud_account (id),
    source_image_id   varchar(500) not null,
    target_account_id uuid         not null references cloud_account (id),
    options           jsonb        not null,
    state             varchar(20)  not null,
    current_step      varchar(30),
    progress_percent  integer      not null check (progress_percent between 0 and 100),
    error_code        varchar(50),
    error_message     varchar(2000),
    created_by        varchar(100) not null,
    created_at        timestamptz  not null,
    updated_at        timestamptz  not null,
    finished_at       timestamptz
);
create index migration_tenant_created on migration (tenant_id, created_at desc);

create table migration_step (
    migration_id uuid        not null references migration (id) on delete cascade,
    position     integer     not null,
    name         varchar(30) not null,
    state        varchar(20) not null,
    started_at   timestamptz,
    finished_at  timestamptz,
    primary key (migration_id, position)
);

create table audit_event (
    id          bigserial primary key,
    occurred_at timestamptz  not null,
    tenant_id   uuid,
    actor       varchar(100) not null,
    action      varchar(200) not null,
    target      varchar(500),
    outcome     varchar(20)  not null,
    status      integer      not null
);
create index audit_event_tenant_time on audit_event (tenant_id, occurred_at desc);
