// What every view shares: the API client, the signed-in user, and small helpers.

import { Api, ApiError, type CloudAccount, type CurrentUser, type Role } from './api';
import { alertBox } from './dom';

const RANK: Record<Role, number> = { VIEWER: 1, OPERATOR: 2, ADMIN: 3 };

export class Context {
  user: CurrentUser | null = null;
  private accountCache: Promise<CloudAccount[]> | null = null;
  /** Set by the router: views register what to stop when the page changes (streams, timers). */
  cleanups: Array<() => void> = [];

  constructor(readonly api: Api) {}

  /** Whether the signed-in user's role is at least `role`. */
  can(role: Role): boolean {
    return !!this.user && RANK[this.user.role] >= RANK[role];
  }

  accounts(reload = false): Promise<CloudAccount[]> {
    if (reload || !this.accountCache) {
      this.accountCache = this.api.accounts();
      this.accountCache.catch(() => (this.accountCache = null));
    }
    return this.accountCache;
  }

  async accountNames(): Promise<Map<string, string>> {
    const accounts = await this.accounts().catch(() => [] as CloudAccount[]);
    return new Map(accounts.map((account) => [account.id, account.name]));
  }

  private apiPaths: Promise<Set<string>> | null = null;

  /**
   * Whether the server offers an API path (as its OpenAPI document spells it, such as
   * "/api/v1/migrations/{id}/events"), so optional features are used only where they exist.
   */
  async hasApiPath(path: string): Promise<boolean> {
    if (!this.apiPaths) {
      this.apiPaths = fetch('/v3/api-docs', { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
        .then((response) => (response.ok ? response.json() : null))
        .then((document: { paths?: Record<string, unknown> } | null) => new Set(Object.keys(document?.paths ?? {})))
        .catch(() => new Set<string>());
    }
    return (await this.apiPaths).has(path);
  }

  onCleanup(cleanup: () => void): void {
    this.cleanups.push(cleanup);
  }

  runCleanups(): void {
    for (const cleanup of this.cleanups.splice(0)) {
      try {
        cleanup();
      } catch {
        // a view's cleanup must never stop the next page
      }
    }
  }
}

/** The message to show for a failure, with the offending fields when the server named them. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    const fields = error.fieldErrors.map((problem) => `${problem.field}: ${problem.message}`);
    return fields.length > 0 ? `${error.message} (${fields.join('; ')})` : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

export function errorBox(error: unknown): HTMLElement {
  return alertBox(errorText(error), 'error');
}

export function navigate(hash: string): void {
  if (location.hash === hash) {
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    location.hash = hash;
  }
}
