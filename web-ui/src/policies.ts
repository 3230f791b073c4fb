// Policies as people write and read them: the form's values to the API's request (checked the
// way the server checks them, so mistakes show next to the field before a round trip), a policy
// back to form values for editing, a sentence per policy, and a policy refusal's numbers.

import { ApiError, type FieldProblem, type Policy, type PolicyKind, type PolicyRequest, type Role } from './api';
import { formatBytes, formatMoney, humanize } from './format';

const GIB = 1024 ** 3;

/** What the policy form holds: text as typed, lists as chosen. */
export interface PolicyFormValues {
  name: string;
  kind: PolicyKind;
  /** "" (everyone), "role" or "user". */
  subject: '' | 'role' | 'user';
  subjectRole: string;
  subjectUsername: string;
  sourceAccountIds: string[];
  targetAccountIds: string[];
  /** Comma- or space-separated. */
  regions: string;
  /** GiB, decimals allowed. */
  maxImageGib: string;
  maxConcurrentMigrations: string;
  /** US dollars. */
  monthlyBudget: string;
  /** US dollars. */
  approvalMinCost: string;
}

export const EMPTY_POLICY_FORM: PolicyFormValues = {
  name: '',
  kind: 'LIMIT',
  subject: '',
  subjectRole: 'OPERATOR',
  subjectUsername: '',
  sourceAccountIds: [],
  targetAccountIds: [],
  regions: '',
  maxImageGib: '',
  maxConcurrentMigrations: '',
  monthlyBudget: '',
  approvalMinCost: '',
};

const ROLES: ReadonlySet<string> = new Set(['VIEWER', 'OPERATOR', 'ADMIN']);

/**
 * The form field a server's field error belongs to: "regions[0]" -> "regions",
 * "maxImageBytes" -> "maxImageGib"; unknown fields stay as they are.
 */
export function policyFormField(apiField: string): string {
  const base = apiField.split(/[.[]/)[0];
  return base === 'maxImageBytes' ? 'maxImageGib' : base;
}

/** Dollars with at most 10 integer and 4 fraction digits, not negative (the API's limits). */
function money(text: string, field: string, errors: FieldProblem[]): number | undefined {
  const value = text.trim().replace(/^\$/, '');
  if (value === '') {
    return undefined;
  }
  if (!/^\d{1,10}(\.\d{1,4})?$/.test(value)) {
    errors.push({ field, message: 'a dollar amount such as 250 or 0.75 (at most 4 decimals, not negative)' });
    return undefined;
  }
  return Number(value);
}

/** The regions typed in the form: separated by commas, spaces or line breaks, without duplicates. */
export function parseRegions(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).map((region) => region.trim()).filter(Boolean))];
}

/** Checks the form and builds the request; `errors` name the form's fields. */
export function policyRequest(values: PolicyFormValues): { request: PolicyRequest | null; errors: FieldProblem[] } {
  const errors: FieldProblem[] = [];
  const name = values.name.trim();
  if (!name) {
    errors.push({ field: 'name', message: 'give the policy a name' });
  } else if (name.length > 100) {
    errors.push({ field: 'name', message: 'at most 100 characters' });
  }
  const request: PolicyRequest = { name, kind: values.kind };
  if (values.subject === 'role') {
    if (!ROLES.has(values.subjectRole)) {
      errors.push({ field: 'subjectRole', message: 'pick a role' });
    } else {
      request.subjectRole = values.subjectRole as Role;
    }
  } else if (values.subject === 'user') {
    const username = values.subjectUsername.trim();
    if (!username) {
      errors.push({ field: 'subjectUsername', message: 'name the user the policy applies to' });
    } else if (username.length > 100) {
      errors.push({ field: 'subjectUsername', message: 'at most 100 characters' });
    } else {
      request.subjectUsername = username;
    }
  }
  if (values.kind === 'ACCESS' || values.kind === 'APPROVAL') {
    request.sourceAccountIds = [...values.sourceAccountIds];
    request.targetAccountIds = [...values.targetAccountIds];
  }
  if (values.kind === 'ACCESS') {
    const regions = parseRegions(values.regions);
    if (regions.some((region) => region.length > 100)) {
      errors.push({ field: 'regions', message: 'a region has at most 100 characters' });
    }
    request.regions = regions;
  }
  if (values.kind === 'LIMIT') {
    const gib = values.maxImageGib.trim();
    if (gib !== '') {
      const number = Number(gib);
      if (!Number.isFinite(number) || number <= 0) {
        errors.push({ field: 'maxImageGib', message: 'a size in GiB above 0, such as 20 or 0.5' });
      } else {
        request.maxImageBytes = Math.max(1, Math.round(number * GIB));
      }
    }
    const concurrent = values.maxConcurrentMigrations.trim();
    if (concurrent !== '') {
      if (!/^\d+$/.test(concurrent) || Number(concurrent) > 2_147_483_647) {
        errors.push({ field: 'maxConcurrentMigrations', message: 'a whole number, 0 or more' });
      } else {
        request.maxConcurrentMigrations = Number(concurrent);
      }
    }
    const budget = money(values.monthlyBudget, 'monthlyBudget', errors);
    if (budget !== undefined) {
      request.monthlyBudget = budget;
    }
    if (gib === '' && concurrent === '' && values.monthlyBudget.trim() === '') {
      errors.push({ field: 'monthlyBudget', message: 'a limit policy sets the largest image, concurrent migrations or a monthly budget' });
    }
  }
  if (values.kind === 'APPROVAL') {
    const minimum = money(values.approvalMinCost, 'approvalMinCost', errors);
    if (minimum !== undefined) {
      request.approvalMinCost = minimum;
    }
  }
  return { request: errors.length === 0 ? request : null, errors };
}

/** A stored policy as form values, for editing. */
export function policyFormValues(policy: Policy): PolicyFormValues {
  return {
    name: policy.name,
    kind: policy.kind,
    subject: policy.subjectUsername ? 'user' : policy.subjectRole ? 'role' : '',
    subjectRole: policy.subjectRole ?? 'OPERATOR',
    subjectUsername: policy.subjectUsername ?? '',
    sourceAccountIds: [...(policy.sourceAccountIds ?? [])],
    targetAccountIds: [...(policy.targetAccountIds ?? [])],
    regions: (policy.regions ?? []).join(', '),
    maxImageGib: policy.maxImageBytes ? String(Number((policy.maxImageBytes / GIB).toFixed(6))) : '',
    maxConcurrentMigrations: policy.maxConcurrentMigrations === null || policy.maxConcurrentMigrations === undefined ? '' : String(policy.maxConcurrentMigrations),
    monthlyBudget: policy.monthlyBudget === null || policy.monthlyBudget === undefined ? '' : String(policy.monthlyBudget),
    approvalMinCost: policy.approvalMinCost === null || policy.approvalMinCost === undefined ? '' : String(policy.approvalMinCost),
  };
}

/** Whom a policy applies to: "everyone", "operators only", "user dana" (a user and a role: both). */
export function policySubject(policy: Pick<Policy, 'subjectRole' | 'subjectUsername'>): string {
  const role = policy.subjectRole ? `${policy.subjectRole.toLowerCase()}s only` : null;
  if (policy.subjectUsername) {
    return role ? `user ${policy.subjectUsername} (${role})` : `user ${policy.subjectUsername}`;
  }
  return role ?? 'everyone';
}

function accounts(ids: string[] | undefined, names: Map<string, string>): string {
  return !ids || ids.length === 0 ? 'any' : ids.map((id) => names.get(id) ?? id.slice(0, 8)).join(', ');
}

/** What a policy says, one phrase per rule, for the list. */
export function policyRules(policy: Policy, names: Map<string, string>): string[] {
  switch (policy.kind) {
    case 'ACCESS':
      return [
        `source accounts: ${accounts(policy.sourceAccountIds, names)}`,
        `target accounts: ${accounts(policy.targetAccountIds, names)}`,
        `regions: ${policy.regions && policy.regions.length > 0 ? policy.regions.join(', ') : 'any'}`,
      ];
    case 'LIMIT': {
      const rules: string[] = [];
      if (policy.maxImageBytes) {
        rules.push(`largest image ${formatBytes(policy.maxImageBytes)}`);
      }
      if (policy.maxConcurrentMigrations !== null && policy.maxConcurrentMigrations !== undefined) {
        rules.push(`at most ${policy.maxConcurrentMigrations} migrations at a time`);
      }
      if (policy.monthlyBudget !== null && policy.monthlyBudget !== undefined) {
        rules.push(`budget ${formatMoney(policy.monthlyBudget)} a month`);
      }
      return rules;
    }
    case 'APPROVAL':
      return [
        `migrations from ${accounts(policy.sourceAccountIds, names)} to ${accounts(policy.targetAccountIds, names)}`,
        policy.approvalMinCost !== null && policy.approvalMinCost !== undefined
          ? `estimated at ${formatMoney(policy.approvalMinCost)} or more wait for an admin`
          : 'all wait for an admin',
      ];
    default:
      return [humanize(policy.kind)];
  }
}

/** The labelled numbers of a policy refusal (403 POLICY_REFUSED), in the order people read them. */
export function refusalFacts(error: unknown): Array<[string, string]> | null {
  if (!(error instanceof ApiError) || error.code !== 'POLICY_REFUSED') {
    return null;
  }
  const properties = error.properties;
  const facts: Array<[string, string]> = [];
  const text = (key: string): string | null =>
    properties[key] === undefined || properties[key] === null ? null : String(properties[key]);
  if (text('policy')) {
    facts.push(['Policy', text('policy')!]);
  }
  const rule = text('rule');
  if (rule) {
    facts.push(['Rule', RULE_NAMES[rule] ?? humanize(rule)]);
  }
  switch (rule) {
    case 'monthlyBudget':
      if (text('month')) {
        facts.push(['Month', text('month')!]);
      }
      facts.push(['Budget', formatMoney(text('budget'))]);
      facts.push(['Spent or committed', formatMoney(text('spent'))]);
      facts.push(['This migration (estimate)', formatMoney(text('estimate'))]);
      if (text('budget') !== null && text('spent') !== null && text('estimate') !== null) {
        const over = Number(text('spent')) + Number(text('estimate')) - Number(text('budget'));
        facts.push(['Over the budget by', formatMoney(over)]);
      }
      break;
    case 'maxImageBytes':
      facts.push(['Largest image allowed', formatBytes(Number(text('maxImageBytes')))]);
      facts.push(['This image', formatBytes(Number(text('imageBytes')))]);
      break;
    case 'maxConcurrentMigrations':
      facts.push(['Migrations at a time allowed', text('maxConcurrentMigrations') ?? '—']);
      facts.push(['Running or queued now', text('active') ?? '—']);
      break;
    case 'access': {
      const policies = properties.policies;
      if (Array.isArray(policies) && policies.length > 1) {
        facts.push(['Access policies checked', policies.map(String).join(', ')]);
      }
      break;
    }
    default:
      break;
  }
  return facts;
}

const RULE_NAMES: Record<string, string> = {
  monthlyBudget: 'monthly budget',
  maxImageBytes: 'largest image',
  maxConcurrentMigrations: 'concurrent migrations',
  access: 'allowed accounts and regions',
};
