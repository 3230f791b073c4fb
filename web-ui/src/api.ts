// The system manager's REST API (/api/v1) as the dashboard uses it: session sign-in, the CSRF
// cookie echoed on mutating requests, problem details turned into ApiError.

export type Role = 'VIEWER' | 'OPERATOR' | 'ADMIN';

export interface CurrentUser {
  userId: string;
  username: string;
  tenantId: string;
  role: Role;
  platformAdmin: boolean;
  csrfToken?: string;
}

export interface PluginProperty {
  key: string;
  description?: string;
  required: boolean;
  secret: boolean;
  defaultValue?: string | null;
}

export interface Plugin {
  id: string;
  displayName: string;
  capabilities: string[];
  properties: PluginProperty[];
}

export interface CloudAccount {
  id: string;
  pluginId: string;
  name: string;
  region?: string | null;
  endpoint?: string | null;
  settings?: Record<string, string>;
  secretKeys?: string[];
  imagesRefreshedAt?: string | null;
  createdAt: string;
  updatedAt?: string;
}

export interface CloudAccountRequest {
  pluginId: string;
  name: string;
  region?: string;
  endpoint?: string;
  settings: Record<string, string>;
  secrets: Record<string, string>;
}

export interface CatalogueImage {
  id: string;
  name?: string | null;
  version?: string | null;
  format?: string | null;
  virtualSize: number;
  osName?: string | null;
  architecture?: string | null;
  bootMode?: string | null;
  cloudLayer?: string | null;
  tags?: Record<string, string>;
  createdAt?: string | null;
  refreshedAt?: string | null;
}

export type MigrationState =
  | 'AWAITING_APPROVAL'
  | 'QUEUED'
  | 'RUNNING'
  | 'CANCELLING'
  | 'SUCCEEDED'
  | 'FAILED'
  | 'CANCELLED'
  | 'REJECTED';
export const MIGRATION_STATES: MigrationState[] = [
  'AWAITING_APPROVAL',
  'QUEUED',
  'RUNNING',
  'CANCELLING',
  'SUCCEEDED',
  'FAILED',
  'CANCELLED',
  'REJECTED',
];
export const FINISHED_STATES: ReadonlySet<string> = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED', 'REJECTED']);

export interface MigrationStep {
  name: string;
  state: string;
  startedAt?: string | null;
  finishedAt?: string | null;
  // Present once the API reports them (the orchestrator's step records).
  bytesDone?: number | null;
  bytesTotal?: number | null;
  etaSeconds?: number | null;
  attempts?: number | null;
  errorCode?: string | null;
  errorMessage?: string | null;
  result?: unknown;
}

export interface Migration {
  id: string;
  sourceAccountId: string;
  sourceImageId: string;
  targetAccountId: string;
  options?: Record<string, string>;
  state: MigrationState;
  currentStep?: string | null;
  progressPercent: number;
  errorCode?: string | null;
  errorMessage?: string | null;
  createdBy?: string;
  createdAt: string;
  updatedAt?: string;
  finishedAt?: string | null;
  steps: MigrationStep[];
  [extra: string]: unknown;
}

export interface Page<T> {
  items: T[];
  page: number;
  size: number;
  totalItems: number;
  totalPages: number;
}

export interface MigrationFilter {
  state?: string;
  sourceAccountId?: string;
  targetAccountId?: string;
  createdFrom?: string;
  createdTo?: string;
  page?: number;
  size?: number;
}

export interface AuditEvent {
  id: number;
  occurredAt: string;
  tenantId?: string | null;
  actor?: string | null;
  action: string;
  target?: string | null;
  outcome: string;
  status: number;
}

export interface ApiTokenView {
  id: string;
  userId: string;
  name: string;
  prefix: string;
  createdAt: string;
  expiresAt?: string | null;
  revokedAt?: string | null;
}

export interface CreatedToken {
  id: string;
  name: string;
  token: string;
  createdAt: string;
  expiresAt?: string | null;
}

export interface MigrationEstimate {
  sourceImageId: string;
  bytesToMove: number;
  sourceFormat?: string | null;
  sourceLayer?: string | null;
  targetPluginId: string;
  targetFormat?: string | null;
  targetLayer?: string | null;
  throughputBytesPerSecond?: number | null;
  estimatedSeconds?: number | null;
  basedOnMigrations: number;
}

export interface StepReport {
  name: string;
  state: string;
  attempts: number;
  bytesDone: number;
  bytesTotal: number;
  errorCode?: string | null;
  errorMessage?: string | null;
  startedAt?: string | null;
  finishedAt?: string | null;
  result?: unknown;
}

export interface MigrationReport {
  migrationId: string;
  state: string;
  errorCode?: string | null;
  errorMessage?: string | null;
  errorStep?: string | null;
  bundleId?: string | null;
  diskDigest?: string | null;
  resultImageId?: string | null;
  resultLocation?: string | null;
  steps: StepReport[];
}

export type PolicyKind = 'ACCESS' | 'LIMIT' | 'APPROVAL';

/** A policy as the API shows it (money in US dollars, as numbers). */
export interface Policy {
  id: string;
  name: string;
  kind: PolicyKind;
  subjectRole?: Role | null;
  subjectUsername?: string | null;
  sourceAccountIds: string[];
  targetAccountIds: string[];
  regions: string[];
  maxImageBytes?: number | null;
  maxConcurrentMigrations?: number | null;
  monthlyBudget?: number | null;
  approvalMinCost?: number | null;
  createdAt: string;
  updatedAt: string;
}

/** A policy as an admin writes it; absent values are "not set" / "any". */
export interface PolicyRequest {
  name: string;
  kind: PolicyKind;
  subjectRole?: Role;
  subjectUsername?: string;
  sourceAccountIds?: string[];
  targetAccountIds?: string[];
  regions?: string[];
  maxImageBytes?: number;
  maxConcurrentMigrations?: number;
  monthlyBudget?: number;
  approvalMinCost?: number;
}

export interface Decision {
  id: string;
  state: string;
  decidedBy: string;
  decidedAt: string;
  errorCode?: string | null;
  errorMessage?: string | null;
}

export type TriggerKind = 'SCHEDULE' | 'IMAGE' | 'PRICE';

export interface Trigger {
  id: string;
  name: string;
  kind: TriggerKind;
  cron?: string | null;
  ownerUserId: string;
  sourceAccountId: string;
  imageNamePattern: string;
  imageTags: Record<string, string>;
  targetAccountIds: string[];
  options: Record<string, string>;
  priceDropPercent?: number | null;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
  lastEvaluatedAt?: string | null;
  /** SCHEDULE: the next due time of the cron expression (UTC), when the server tells it. */
  nextFireAt?: string | null;
}

export interface TriggerRequest {
  name: string;
  kind: TriggerKind;
  cron?: string;
  sourceAccountId: string;
  imageNamePattern?: string;
  imageTags?: Record<string, string>;
  targetAccountIds: string[];
  options?: Record<string, string>;
  priceDropPercent?: number;
  enabled?: boolean;
}

export interface TriggerEvent {
  eventKey: string;
  occurredAt: string;
  fired: boolean;
  migrationId?: string | null;
  outcome?: string | null;
}

/** What a migration costs before it starts, US dollars. */
export interface CostEstimate {
  sourcePluginId: string;
  targetPluginId: string;
  bytesToMove: number;
  helperMode: boolean;
  helperHours: number;
  egress: number;
  helper: number;
  imageStoragePerMonth: number;
  bundleStoragePerMonth: number;
  total: number;
}

/** A migration's ledger: estimate, actual cost, origin and approval. */
export interface MigrationCost {
  migrationId: string;
  sourcePluginId: string;
  targetPluginId: string;
  bytesToMove: number;
  helperMode: boolean;
  estimatedTotal: number;
  bytesMoved?: number | null;
  helperSeconds?: number | null;
  actualTotal?: number | null;
  actualRecordedAt?: string | null;
  triggerId?: string | null;
  triggerOwner?: string | null;
  approvalPolicy?: string | null;
  decidedBy?: string | null;
  decidedAt?: string | null;
}

export interface PriceSheet {
  egressPerGb: number;
  helperVmPerHour: number;
  imageStoragePerGbMonth: number;
  objectStoragePerGbMonth: number;
  extra?: Record<string, number>;
  /** "plugin" (the published defaults) or "override". */
  source?: string;
}

export interface BillingJob {
  migrationId: string;
  sourceAccountId: string;
  targetAccountId: string;
  sourcePluginId: string;
  targetPluginId: string;
  state: string;
  createdBy?: string | null;
  triggerId?: string | null;
  createdAt: string;
  finishedAt?: string | null;
  bytesMoved: number;
  helperSeconds: number;
  estimatedTotal: number;
  actualTotal: number;
}

export interface Bill {
  month: string;
  currency: string;
  jobCount: number;
  total: number;
  jobs: BillingJob[];
}

export interface ReportPeriod {
  period: string;
  total: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  rejected: number;
  unfinished: number;
}

export interface ReportSummary {
  from: string;
  to: string;
  total: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  rejected: number;
  successRate?: number | null;
  bytesMoved: number;
  spend: number;
}

export interface ReportStep {
  step: string;
  runs: number;
  averageSeconds: number;
  totalSeconds: number;
}

export interface ReportCloud {
  role: 'source' | 'target';
  pluginId: string;
  migrations: number;
  succeeded: number;
  bytesMoved: number;
  spend: number;
}

export interface BudgetReport {
  month: string;
  budget?: number | null;
  spent: number;
  committed: number;
  remaining?: number | null;
}

export interface ReportRange {
  from?: string;
  to?: string;
}

export interface FieldProblem {
  field: string;
  message: string;
}

/** A failed API call: the problem details the server answered, or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | null,
    message: string,
    readonly fieldErrors: FieldProblem[] = [],
    /** The problem's other properties (a policy refusal's policy, rule, budget, spent, estimate...). */
    readonly properties: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The session ended or the credentials are wrong. */
  get unauthenticated(): boolean {
    return this.status === 401;
  }
}

/** Turns a failed response into an ApiError, reading problem details when the server sent them. */
export async function toApiError(response: Response): Promise<ApiError> {
  let body: unknown = null;
  const text = await response.text().catch(() => '');
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }
  if (body && typeof body === 'object') {
    const problem = body as Record<string, unknown>;
    const code = typeof problem.code === 'string' ? problem.code : null;
    const detail =
      typeof problem.detail === 'string' && problem.detail
        ? problem.detail
        : typeof problem.title === 'string' && problem.title
          ? problem.title
          : defaultMessage(response.status);
    const errors = Array.isArray(problem.errors)
      ? problem.errors
          .filter((entry): entry is FieldProblem => !!entry && typeof entry === 'object' && 'field' in entry)
          .map((entry) => ({ field: String(entry.field), message: String(entry.message ?? '') }))
      : [];
    const properties: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(problem)) {
      if (!['type', 'title', 'status', 'detail', 'instance', 'code', 'errors'].includes(key)) {
        properties[key] = value;
      }
    }
    return new ApiError(response.status, code, detail, errors, properties);
  }
  return new ApiError(response.status, null, defaultMessage(response.status));
}

function defaultMessage(status: number): string {
  switch (status) {
    case 401:
      return 'Your session has ended. Please sign in again.';
    case 403:
      return 'Your role does not allow this.';
    case 404:
      return 'Not found.';
    default:
      return status >= 500 ? `The server failed (${status}).` : `The request failed (${status}).`;
  }
}

/** Reads a cookie's value from a document.cookie string. */
export function readCookie(cookies: string, name: string): string | null {
  for (const part of cookies.split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) {
      return decodeURIComponent(value.join('='));
    }
  }
  return null;
}

/** Builds a query string from the defined, non-empty values. */
export function query(parameters: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(parameters)) {
    if (value !== undefined && value !== null && value !== '') {
      search.set(key, String(value));
    }
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The API client. fetch and the cookie source are injectable for tests. */
export class Api {
  /** Called when any request answers 401 (the session ended). */
  onUnauthenticated: () => void = () => {};

  constructor(
    private readonly fetchFunction: typeof fetch = (input, init) => fetch(input, init),
    private readonly cookies: () => string = () => document.cookie,
    private readonly base = '',
  ) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    if (MUTATING.has(method)) {
      const csrf = readCookie(this.cookies(), 'XSRF-TOKEN');
      if (csrf) {
        headers['X-XSRF-TOKEN'] = csrf;
      }
    }
    let response: Response;
    try {
      response = await this.fetchFunction(this.base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'same-origin',
      });
    } catch (error) {
      throw new ApiError(0, 'NETWORK', `The server cannot be reached (${error instanceof Error ? error.message : error}).`);
    }
    if (!response.ok) {
      const error = await toApiError(response);
      if (error.unauthenticated && path !== '/api/v1/auth/login') {
        this.onUnauthenticated();
      }
      throw error;
    }
    if (response.status === 204) {
      return undefined as T;
    }
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  login(username: string, password: string): Promise<CurrentUser> {
    return this.request('POST', '/api/v1/auth/login', { username, password });
  }
  me(): Promise<CurrentUser> {
    return this.request('GET', '/api/v1/auth/me');
  }
  logout(): Promise<void> {
    return this.request('POST', '/api/v1/auth/logout');
  }
  plugins(): Promise<Plugin[]> {
    return this.request('GET', '/api/v1/plugins');
  }
  accounts(): Promise<CloudAccount[]> {
    return this.request('GET', '/api/v1/cloud-accounts');
  }
  createAccount(request: CloudAccountRequest): Promise<CloudAccount> {
    return this.request('POST', '/api/v1/cloud-accounts', request);
  }
  deleteAccount(id: string): Promise<void> {
    return this.request('DELETE', `/api/v1/cloud-accounts/${encodeURIComponent(id)}`);
  }
  images(accountId: string): Promise<CatalogueImage[]> {
    return this.request('GET', `/api/v1/cloud-accounts/${encodeURIComponent(accountId)}/images`);
  }
  refreshImages(accountId: string): Promise<CatalogueImage[]> {
    return this.request('POST', `/api/v1/cloud-accounts/${encodeURIComponent(accountId)}/images/refresh`);
  }
  migrations(filter: MigrationFilter = {}): Promise<Page<Migration>> {
    return this.request('GET', `/api/v1/migrations${query({ ...filter })}`);
  }
  migration(id: string): Promise<Migration> {
    return this.request('GET', `/api/v1/migrations/${encodeURIComponent(id)}`);
  }
  startMigration(request: {
    sourceAccountId: string;
    sourceImageId: string;
    targetAccountId: string;
    options?: Record<string, string>;
  }): Promise<Migration> {
    return this.request('POST', '/api/v1/migrations', request);
  }
  cancelMigration(id: string): Promise<Migration> {
    return this.request('POST', `/api/v1/migrations/${encodeURIComponent(id)}/cancel`);
  }
  report(id: string): Promise<MigrationReport> {
    return this.request('GET', `/api/v1/migrations/${encodeURIComponent(id)}/report`);
  }
  estimate(sourceAccountId: string, sourceImageId: string, targetAccountId: string): Promise<MigrationEstimate> {
    return this.request('GET', `/api/v1/migration-estimate${query({ sourceAccountId, sourceImageId, targetAccountId })}`);
  }
  audit(page: number, size: number): Promise<Page<AuditEvent>> {
    return this.request('GET', `/api/v1/audit${query({ page, size })}`);
  }
  tokens(): Promise<ApiTokenView[]> {
    return this.request('GET', '/api/v1/tokens');
  }
  createToken(name: string, expiresAt?: string): Promise<CreatedToken> {
    return this.request('POST', '/api/v1/tokens', expiresAt ? { name, expiresAt } : { name });
  }
  revokeToken(id: string): Promise<void> {
    return this.request('DELETE', `/api/v1/tokens/${encodeURIComponent(id)}`);
  }
  costEstimate(request: {
    sourceAccountId: string;
    sourceImageId: string;
    targetAccountId: string;
    options?: Record<string, string>;
  }): Promise<CostEstimate> {
    return this.request('POST', '/api/v1/migrations/estimate', request);
  }
  migrationCost(id: string): Promise<MigrationCost> {
    return this.request('GET', `/api/v1/migrations/${encodeURIComponent(id)}/cost`);
  }
  approve(id: string, reason?: string): Promise<Decision> {
    return this.request('POST', `/api/v1/migrations/${encodeURIComponent(id)}/approve`, reason ? { reason } : {});
  }
  reject(id: string, reason?: string): Promise<Decision> {
    return this.request('POST', `/api/v1/migrations/${encodeURIComponent(id)}/reject`, reason ? { reason } : {});
  }
  policies(): Promise<Policy[]> {
    return this.request('GET', '/api/v1/policies');
  }
  createPolicy(request: PolicyRequest): Promise<Policy> {
    return this.request('POST', '/api/v1/policies', request);
  }
  updatePolicy(id: string, request: PolicyRequest): Promise<Policy> {
    return this.request('PUT', `/api/v1/policies/${encodeURIComponent(id)}`, request);
  }
  deletePolicy(id: string): Promise<void> {
    return this.request('DELETE', `/api/v1/policies/${encodeURIComponent(id)}`);
  }
  triggers(): Promise<Trigger[]> {
    return this.request('GET', '/api/v1/triggers');
  }
  createTrigger(request: TriggerRequest): Promise<Trigger> {
    return this.request('POST', '/api/v1/triggers', request);
  }
  updateTrigger(id: string, request: TriggerRequest): Promise<Trigger> {
    return this.request('PUT', `/api/v1/triggers/${encodeURIComponent(id)}`, request);
  }
  deleteTrigger(id: string): Promise<void> {
    return this.request('DELETE', `/api/v1/triggers/${encodeURIComponent(id)}`);
  }
  triggerEvents(id: string): Promise<TriggerEvent[]> {
    return this.request('GET', `/api/v1/triggers/${encodeURIComponent(id)}/events`);
  }
  prices(accountId: string): Promise<PriceSheet> {
    return this.request('GET', `/api/v1/cloud-accounts/${encodeURIComponent(accountId)}/prices`);
  }
  setPrices(accountId: string, sheet: PriceSheet): Promise<PriceSheet> {
    const body = {
      egressPerGb: sheet.egressPerGb,
      helperVmPerHour: sheet.helperVmPerHour,
      imageStoragePerGbMonth: sheet.imageStoragePerGbMonth,
      objectStoragePerGbMonth: sheet.objectStoragePerGbMonth,
      extra: sheet.extra ?? {},
    };
    return this.request('PUT', `/api/v1/cloud-accounts/${encodeURIComponent(accountId)}/prices`, body);
  }
  resetPrices(accountId: string): Promise<void> {
    return this.request('DELETE', `/api/v1/cloud-accounts/${encodeURIComponent(accountId)}/prices`);
  }
  bill(month: string): Promise<Bill> {
    return this.request('GET', `/api/v1/billing${query({ month })}`);
  }
  reportMigrations(range: ReportRange, bucket: 'hour' | 'day' | 'week' | 'month' = 'day'): Promise<ReportPeriod[]> {
    return this.request('GET', `/api/v1/reports/migrations${query({ ...range, bucket })}`);
  }
  reportSummary(range: ReportRange): Promise<ReportSummary> {
    return this.request('GET', `/api/v1/reports/summary${query({ ...range })}`);
  }
  reportSteps(range: ReportRange): Promise<ReportStep[]> {
    return this.request('GET', `/api/v1/reports/steps${query({ ...range })}`);
  }
  reportClouds(range: ReportRange): Promise<ReportCloud[]> {
    return this.request('GET', `/api/v1/reports/clouds${query({ ...range })}`);
  }
  reportBudget(month?: string): Promise<BudgetReport> {
    return this.request('GET', `/api/v1/reports/budget${query({ month })}`);
  }
}

/** The link of a month's bill as CSV (the API's export; the browser downloads it with the session cookie). */
export function billingExportUrl(month: string): string {
  return `/api/v1/billing/export${query({ month })}`;
}
