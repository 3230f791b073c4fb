import { describe, expect, it } from 'vitest';
import { Api, ApiError, billingExportUrl, query, readCookie, toApiError } from './api';

interface Call {
  url: string;
  init: RequestInit;
}

function fakeFetch(response: () => Response, calls: Call[]): typeof fetch {
  return (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return response();
  }) as unknown as typeof fetch;
}

function problem(status: number, body: object): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/problem+json' } });
}

describe('toApiError', () => {
  it('reads detail, code and field errors of problem details', async () => {
    const error = await toApiError(
      problem(400, {
        title: 'Bad Request',
        detail: 'the request is invalid',
        code: 'VALIDATION_FAILED',
        errors: [{ field: 'name', message: 'must not be blank' }],
      }),
    );
    expect(error.status).toBe(400);
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toBe('the request is invalid');
    expect(error.fieldErrors).toEqual([{ field: 'name', message: 'must not be blank' }]);
  });

  it('falls back to a readable message when the body is not problem details', async () => {
    const error = await toApiError(new Response('<html>proxy error</html>', { status: 502 }));
    expect(error.code).toBeNull();
    expect(error.message).toBe('The server failed (502).');
    expect((await toApiError(new Response('', { status: 401 }))).message).toBe('Your session has ended. Please sign in again.');
  });
});

describe('Api', () => {
  it('sends the CSRF cookie in the header of mutating requests only', async () => {
    const calls: Call[] = [];
    const api = new Api(fakeFetch(() => new Response('[]', { status: 200 }), calls), () => 'a=b; XSRF-TOKEN=abc%3D123; c=d');
    await api.accounts();
    await api.createToken('ci');
    expect((calls[0].init.headers as Record<string, string>)['X-XSRF-TOKEN']).toBeUndefined();
    expect((calls[1].init.headers as Record<string, string>)['X-XSRF-TOKEN']).toBe('abc=123');
    expect(calls[1].init.method).toBe('POST');
    expect(calls[1].init.body).toBe('{"name":"ci"}');
  });

  it('throws ApiError with the problem and tells the app when the session ended', async () => {
    const calls: Call[] = [];
    const api = new Api(fakeFetch(() => problem(401, { detail: 'authentication required', code: 'UNAUTHENTICATED' }), calls), () => '');
    let signedOut = 0;
    api.onUnauthenticated = () => signedOut++;
    await expect(api.migrations()).rejects.toMatchObject({ status: 401, code: 'UNAUTHENTICATED', message: 'authentication required' });
    expect(signedOut).toBe(1);
  });

  it('does not treat a failed sign-in as an ended session', async () => {
    const api = new Api(fakeFetch(() => problem(401, { detail: 'wrong user name or password', code: 'UNAUTHENTICATED' }), []), () => '');
    let signedOut = 0;
    api.onUnauthenticated = () => signedOut++;
    await expect(api.login('admin', 'wrong')).rejects.toBeInstanceOf(ApiError);
    expect(signedOut).toBe(0);
  });

  it('turns network failures into ApiError with status 0', async () => {
    const api = new Api((async () => {
      throw new TypeError('Failed to fetch');
    }) as typeof fetch, () => '');
    await expect(api.me()).rejects.toMatchObject({ status: 0, code: 'NETWORK' });
  });

  it('answers undefined for 204 and builds filter queries without empty values', async () => {
    const calls: Call[] = [];
    const api = new Api(fakeFetch(() => new Response(null, { status: 204 }), calls), () => '');
    expect(await api.revokeToken('t/1')).toBeUndefined();
    expect(calls[0].url).toBe('/api/v1/tokens/t%2F1');
    await api.migrations({ state: 'FAILED', sourceAccountId: '', page: 2, size: 20 });
    expect(calls[1].url).toBe('/api/v1/migrations?state=FAILED&page=2&size=20');
  });
});

describe('policies, triggers, billing and reports', () => {
  it('keeps a policy refusal’s numbers as properties', async () => {
    const error = await toApiError(
      problem(403, { detail: "refused by policy 'monthly'", code: 'POLICY_REFUSED', status: 403, policy: 'monthly', rule: 'monthlyBudget', budget: 1, spent: 0.5, estimate: 0.7 }),
    );
    expect(error.code).toBe('POLICY_REFUSED');
    expect(error.properties).toEqual({ policy: 'monthly', rule: 'monthlyBudget', budget: 1, spent: 0.5, estimate: 0.7 });
  });

  it('calls the endpoints with the right methods, bodies and queries', async () => {
    const calls: Call[] = [];
    const api = new Api(fakeFetch(() => new Response('{}', { status: 200 }), calls), () => 'XSRF-TOKEN=t');
    await api.approve('m/1', 'fine');
    await api.reject('m2');
    await api.createPolicy({ name: 'p', kind: 'LIMIT', monthlyBudget: 5 });
    await api.updateTrigger('t1', { name: 't', kind: 'IMAGE', sourceAccountId: 's', targetAccountIds: ['x'] });
    await api.bill('2026-12');
    await api.reportMigrations({ from: '2026-12-01T00:00:00.000Z' }, 'day');
    await api.setPrices('a1', { egressPerGb: 1, helperVmPerHour: 2, imageStoragePerGbMonth: 3, objectStoragePerGbMonth: 4, source: 'override' });
    expect(calls.map((call) => `${call.init.method} ${call.url}`)).toEqual([
      'POST /api/v1/migrations/m%2F1/approve',
      'POST /api/v1/migrations/m2/reject',
      'POST /api/v1/policies',
      'PUT /api/v1/triggers/t1',
      'GET /api/v1/billing?month=2026-12',
      'GET /api/v1/reports/migrations?from=2026-12-01T00%3A00%3A00.000Z&bucket=day',
      'PUT /api/v1/cloud-accounts/a1/prices',
    ]);
    expect(calls[0].init.body).toBe('{"reason":"fine"}');
    expect(calls[1].init.body).toBe('{}');
    expect(JSON.parse(String(calls[6].init.body))).toEqual({ egressPerGb: 1, helperVmPerHour: 2, imageStoragePerGbMonth: 3, objectStoragePerGbMonth: 4, extra: {} });
    expect(billingExportUrl('2026-12')).toBe('/api/v1/billing/export?month=2026-12');
  });
});

describe('helpers', () => {
  it('reads cookies and builds query strings', () => {
    expect(readCookie('x=1; XSRF-TOKEN=t', 'XSRF-TOKEN')).toBe('t');
    expect(readCookie('x=1', 'XSRF-TOKEN')).toBeNull();
    expect(query({ a: 1, b: undefined, c: '', d: 'x y' })).toBe('?a=1&d=x+y');
    expect(query({})).toBe('');
  });
});
