-- The orchestrator's durable workflow state. A job's id is the system manager's migration id.

create table orchestrator_job (
    id                 varchar(100)  primary key,
    tenant_id          varchar(100)  not null,
    source_account_id  varchar(100)  not null,
    source_image_id    varchar(500)  not null,
    target_account_id  varchar(100)  not null,
    options            text          not null,
    state              varchar(20)   not null,
    current_step       varchar(30),
    cancel_requested   boolean       not null default false,
    cancel_reason      varchar(500),
    error_code         varchar(50),
    error_message      varchar(2000),
    error_step         varchar(30),
    bundle_id          varchar(128),
    disk_digest        varchar(64),
    upload_id          varchar(500),
    result_image_id    varchar(500),
    result_location    varchar(2000),
    created_at         timestamptz   not null,
    updated_at         timestamptz   not null,
    finished_at        timestamptz
);
create index orchestrator_job_state on orchestrator_job (state);

create table orchestrator_step (
    job_id          varchar(100) not null references orchestrator_job (id) on delete cascade,
    position        integer      not null,
    name            varchar(30)  not null,
    state           varchar(20)  not null,
    attempts        integer      not null default 0,
    error_code      varchar(50),
    error_message   varchar(2000),
    checkpoint      text,
    result          text,
    bytes_done      bigint       not null default 0,
    bytes_total     bigint       not null default -1,
    eta_seconds     bigint,
    started_at      timestamptz,
    finished_at     timestamptz,
    next_attempt_at timestamptz,
    primary key (job_id, position),
    unique (job_id, name)
);

-- One row per run of a step, also for runs a crashed worker never finished (outcome RUNNING).
create table orchestrator_step_attempt (
    job_id        varchar(100) not null references orchestrator_job (id) on delete cascade,
    step          varchar(30)  not null,
    attempt       integer      not null,
    worker        varchar(200) not null,
    outcome       varchar(20)  not null,
    error_code    varchar(50),
    error_message varchar(2000),
    started_at    timestamptz  not null,
    finished_at   timestamptz,
    primary key (job_id, step, attempt)
);

-- Bundles by source image version: strip once, deploy to many. A row is BUILDING while its
-- owner job exports, strips and bundles, READY once the bundle's manifest holds the guest facts.
create table orchestrator_bundle (
    source_account_id varchar(100) not null,
    source_image_id   varchar(500) not null,
    source_version    varchar(500) not null,
    bundle_id         varchar(128) not null,
    state             varchar(20)  not null,
    owner_job_id      varchar(100) not null,
    created_at        timestamptz  not null,
    updated_at        timestamptz  not null,
    primary key (source_account_id, source_image_id, source_version)
);
