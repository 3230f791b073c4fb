-- Helper mode: the channel between the orchestrator and the guest agent on a job's helper.

-- One row per job that ever had a helper: whether the agent should stop (done) and when it last
-- called the control plane (to tell a dead helper from a slow one).
create table orchestrator_agent_session (
    job_id       varchar(100) primary key,
    tenant_id    varchar(100) not null,
    done         boolean      not null default false,
    last_seen_at timestamptz,
    created_at   timestamptz  not null
);

-- Job-scoped bearer tokens of helper agents. Only the SHA-256 of a token is stored.
create table orchestrator_agent_token (
    token_hash varchar(64)  primary key,
    job_id     varchar(100) not null,
    tenant_id  varchar(100) not null,
    created_at timestamptz  not null,
    expires_at timestamptz  not null,
    revoked_at timestamptz
);
create index orchestrator_agent_token_job on orchestrator_agent_token (job_id);

-- What the orchestrator asked the agent to do, and what the agent answered.
create table orchestrator_agent_instruction (
    job_id           varchar(100)  not null,
    id               varchar(100)  not null,
    position         integer       not null,
    operation        varchar(30)   not null,
    payload          text          not null,
    state            varchar(20)   not null,
    progress_message varchar(2000),
    bytes_done       bigint        not null default 0,
    bytes_total      bigint        not null default -1,
    report           text,
    error_code       varchar(50),
    error_retryable  boolean,
    error_message    varchar(2000),
    created_at       timestamptz   not null,
    updated_at       timestamptz   not null,
    finished_at      timestamptz,
    primary key (job_id, id)
);
