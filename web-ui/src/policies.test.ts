import { describe, expect, it } from 'vitest';
import { ApiError, type Policy } from './api';
import { EMPTY_POLICY_FORM, parseRegions, policyFormField, policyFormValues, policyRequest, policyRules, policySubject, refusalFacts } from './policies';

const GIB = 1024 ** 3;

function policy(overrides: Partial<Policy>): Policy {
  return {
    id: 'p1',
    name: 'monthly',
    kind: 'LIMIT',
    subjectRole: null,
    subjectUsername: null,
    sourceAccountIds: [],
    targetAccountIds: [],
    regions: [],
    createdAt: '2026-11-01T00:00:00Z',
    updatedAt: '2026-11-01T00:00:00Z',
    ...overrides,
  };
}

describe('policyRequest', () => {
  it('builds a limit policy with only the limits that are set', () => {
    const { request, errors } = policyRequest({ ...EMPTY_POLICY_FORM, name: ' monthly ', monthlyBudget: '$250.5', maxImageGib: '0.5' });
    expect(errors).toEqual([]);
    expect(request).toEqual({ name: 'monthly', kind: 'LIMIT', maxImageBytes: GIB / 2, monthlyBudget: 250.5 });
  });

  it('names each wrong field as the server would', () => {
    const { request, errors } = policyRequest({
      ...EMPTY_POLICY_FORM,
      name: '',
      monthlyBudget: '-3',
      maxConcurrentMigrations: '2.5',
      maxImageGib: '0',
      subject: 'user',
      subjectUsername: '  ',
    });
    expect(request).toBeNull();
    expect(errors.map((error) => error.field).sort()).toEqual(['maxConcurrentMigrations', 'maxImageGib', 'monthlyBudget', 'name', 'subjectUsername']);
  });

  it('asks a limit policy for at least one limit, and refuses more than four decimals', () => {
    expect(policyRequest({ ...EMPTY_POLICY_FORM, name: 'x' }).errors).toEqual([
      { field: 'monthlyBudget', message: expect.stringContaining('a limit policy sets') },
    ]);
    expect(policyRequest({ ...EMPTY_POLICY_FORM, name: 'x', monthlyBudget: '1.23456' }).errors[0].field).toBe('monthlyBudget');
    expect(policyRequest({ ...EMPTY_POLICY_FORM, name: 'x', maxConcurrentMigrations: '0' }).request).toEqual({ name: 'x', kind: 'LIMIT', maxConcurrentMigrations: 0 });
  });

  it('keeps accounts and regions for access policies and drops limits of other kinds', () => {
    const { request } = policyRequest({
      ...EMPTY_POLICY_FORM,
      name: 'eu only',
      kind: 'ACCESS',
      subject: 'role',
      subjectRole: 'OPERATOR',
      sourceAccountIds: ['a'],
      regions: 'eu-west-1, eu-central-1 eu-west-1',
      monthlyBudget: '5',
    });
    expect(request).toEqual({
      name: 'eu only',
      kind: 'ACCESS',
      subjectRole: 'OPERATOR',
      sourceAccountIds: ['a'],
      targetAccountIds: [],
      regions: ['eu-west-1', 'eu-central-1'],
    });
  });

  it('builds an approval rule with its minimum estimate', () => {
    expect(policyRequest({ ...EMPTY_POLICY_FORM, name: 'big ones', kind: 'APPROVAL', targetAccountIds: ['t'], approvalMinCost: '10' }).request).toEqual({
      name: 'big ones',
      kind: 'APPROVAL',
      sourceAccountIds: [],
      targetAccountIds: ['t'],
      approvalMinCost: 10,
    });
  });

  it('round-trips a stored policy through the form', () => {
    const stored = policy({ subjectUsername: 'dana', maxImageBytes: 20 * GIB, maxConcurrentMigrations: 3, monthlyBudget: 99.5 });
    const values = policyFormValues(stored);
    expect(values).toMatchObject({ subject: 'user', subjectUsername: 'dana', maxImageGib: '20', maxConcurrentMigrations: '3', monthlyBudget: '99.5' });
    expect(policyRequest(values).request).toEqual({ name: 'monthly', kind: 'LIMIT', subjectUsername: 'dana', maxImageBytes: 20 * GIB, maxConcurrentMigrations: 3, monthlyBudget: 99.5 });
  });
});

describe('reading policies', () => {
  it('maps the API field names onto the form', () => {
    expect(policyFormField('regions[0]')).toBe('regions');
    expect(policyFormField('maxImageBytes')).toBe('maxImageGib');
    expect(policyFormField('monthlyBudget')).toBe('monthlyBudget');
    expect(parseRegions(' a,,b\nc a ')).toEqual(['a', 'b', 'c']);
  });

  it('says whom a policy applies to and what it says', () => {
    expect(policySubject({ subjectRole: 'OPERATOR', subjectUsername: null })).toBe('operators only');
    expect(policySubject({ subjectRole: null, subjectUsername: null })).toBe('everyone');
    expect(policySubject({ subjectRole: null, subjectUsername: 'dana' })).toBe('user dana');
    const names = new Map([['t', 'kvm-lab']]);
    expect(policyRules(policy({ monthlyBudget: 100, maxImageBytes: 2 * GIB }), names)).toEqual(['largest image 2.00 GiB', 'budget $100.00 a month']);
    expect(policyRules(policy({ kind: 'APPROVAL', targetAccountIds: ['t'], approvalMinCost: 0.5 }), names)).toEqual([
      'migrations from any to kvm-lab',
      'estimated at $0.5000 or more wait for an admin',
    ]);
    expect(policyRules(policy({ kind: 'ACCESS', regions: ['eu-west-1'], sourceAccountIds: ['abcdef123456'] }), names)).toEqual([
      'source accounts: abcdef12',
      'target accounts: any',
      'regions: eu-west-1',
    ]);
  });
});

describe('refusalFacts', () => {
  it('lists the budget numbers of a budget refusal and how far over it goes', () => {
    const error = new ApiError(403, 'POLICY_REFUSED', 'refused by policy', [], {
      policy: 'monthly',
      rule: 'monthlyBudget',
      budget: 1,
      spent: 0.6,
      estimate: 0.5453,
      month: '2026-12',
      currency: 'USD',
    });
    expect(refusalFacts(error)).toEqual([
      ['Policy', 'monthly'],
      ['Rule', 'monthly budget'],
      ['Month', '2026-12'],
      ['Budget', '$1.00'],
      ['Spent or committed', '$0.6000'],
      ['This migration (estimate)', '$0.5453'],
      ['Over the budget by', '$0.1453'],
    ]);
  });

  it('lists image size and concurrency numbers, and ignores other failures', () => {
    expect(refusalFacts(new ApiError(403, 'POLICY_REFUSED', 'x', [], { policy: 'small', rule: 'maxImageBytes', maxImageBytes: GIB, imageBytes: 2 * GIB }))).toEqual([
      ['Policy', 'small'],
      ['Rule', 'largest image'],
      ['Largest image allowed', '1.00 GiB'],
      ['This image', '2.00 GiB'],
    ]);
    expect(refusalFacts(new ApiError(403, 'POLICY_REFUSED', 'x', [], { policy: 'c', rule: 'maxConcurrentMigrations', maxConcurrentMigrations: 2, active: 2 }))).toContainEqual(['Running or queued now', '2']);
    expect(refusalFacts(new ApiError(403, 'ACCESS_DENIED', 'x'))).toBeNull();
    expect(refusalFacts(new Error('x'))).toBeNull();
  });
});
