// Triggers as people write and read them: the form to the API's request (checked like the
// server checks it), tags typed as "key=value" lines, what a trigger waits for in words, and its
// history (last firing, the migrations it started) from its events.

import type { FieldProblem, Trigger, TriggerEvent, TriggerKind, TriggerRequest } from './api';
import { formatDateTime } from './format';

export interface TriggerFormValues {
  name: string;
  kind: TriggerKind;
  cron: string;
  sourceAccountId: string;
  imageNamePattern: string;
  /** One "key=value" per line or comma. */
  imageTags: string;
  targetAccountIds: string[];
  priceDropPercent: string;
  targetImageName: string;
  enabled: boolean;
}

/**
 * Parses "key=value" pairs separated by commas or line breaks; an entry without "=" or with an
 * empty key is an error naming it.
 */
export function parseTags(text: string): { tags: Record<string, string>; error: string | null } {
  const tags: Record<string, string> = {};
  for (const entry of text.split(/[\n,]/).map((part) => part.trim()).filter(Boolean)) {
    const equals = entry.indexOf('=');
    const key = equals < 0 ? '' : entry.slice(0, equals).trim();
    if (!key) {
      return { tags: {}, error: `"${entry}" is not key=value` };
    }
    tags[key] = entry.slice(equals + 1).trim();
  }
  return { tags, error: null };
}

/** Tags back as the form shows them. */
export function formatTags(tags: Record<string, string> | null | undefined): string {
  return Object.entries(tags ?? {}).map(([key, value]) => `${key}=${value}`).join(', ');
}

/**
 * Spring's six-field cron (second minute hour day-of-month month day-of-week) or one of its
 * macros; the server has the last word, this only catches the usual five-field mistake early.
 */
export function cronProblem(cron: string): string | null {
  const text = cron.trim();
  if (!text) {
    return 'a schedule needs a cron expression, such as 0 0 2 * * * (every night at 02:00 UTC)';
  }
  if (/^@(yearly|annually|monthly|weekly|daily|midnight|hourly)$/.test(text)) {
    return null;
  }
  const fields = text.split(/\s+/);
  if (fields.length === 5) {
    return 'six fields, seconds first: put 0 in front, such as 0 ' + text;
  }
  if (fields.length !== 6) {
    return `six fields (second minute hour day month weekday), not ${fields.length}`;
  }
  if (fields.some((field) => !/^[\d*?/,\-LW#A-Za-z]+$/.test(field))) {
    return 'each field holds numbers, names, * ? / , - L W or #';
  }
  return null;
}

export function triggerRequest(values: TriggerFormValues): { request: TriggerRequest | null; errors: FieldProblem[] } {
  const errors: FieldProblem[] = [];
  const name = values.name.trim();
  if (!name) {
    errors.push({ field: 'name', message: 'give the trigger a name' });
  } else if (name.length > 100) {
    errors.push({ field: 'name', message: 'at most 100 characters' });
  }
  if (!values.sourceAccountId) {
    errors.push({ field: 'sourceAccountId', message: 'pick the account whose images to migrate' });
  }
  if (values.targetAccountIds.length === 0) {
    errors.push({ field: 'targetAccountIds', message: 'pick at least one target account' });
  } else if (values.targetAccountIds.length > 20) {
    errors.push({ field: 'targetAccountIds', message: 'at most 20 targets' });
  }
  const request: TriggerRequest = {
    name,
    kind: values.kind,
    sourceAccountId: values.sourceAccountId,
    targetAccountIds: [...values.targetAccountIds],
    imageNamePattern: values.imageNamePattern.trim() || '*',
    enabled: values.enabled,
  };
  if (request.imageNamePattern!.length > 200) {
    errors.push({ field: 'imageNamePattern', message: 'at most 200 characters' });
  }
  const tags = parseTags(values.imageTags);
  if (tags.error) {
    errors.push({ field: 'imageTags', message: tags.error });
  } else {
    request.imageTags = tags.tags;
  }
  if (values.kind === 'SCHEDULE') {
    const problem = cronProblem(values.cron);
    if (problem) {
      errors.push({ field: 'cron', message: problem });
    } else {
      request.cron = values.cron.trim();
    }
  }
  if (values.kind === 'PRICE') {
    const text = values.priceDropPercent.trim().replace(/\s*%$/, '');
    const percent = Number(text);
    if (text === '' || !Number.isFinite(percent) || percent < 0 || percent > 100) {
      errors.push({ field: 'priceDropPercent', message: 'a percentage from 0 to 100, such as 20' });
    } else {
      request.priceDropPercent = percent;
    }
  }
  const targetImageName = values.targetImageName.trim();
  request.options = targetImageName ? { targetImageName } : {};
  return { request: errors.length === 0 ? request : null, errors };
}

/** A stored trigger as form values. */
export function triggerFormValues(trigger: Trigger): TriggerFormValues {
  return {
    name: trigger.name,
    kind: trigger.kind,
    cron: trigger.cron ?? '',
    sourceAccountId: trigger.sourceAccountId,
    imageNamePattern: trigger.imageNamePattern ?? '*',
    imageTags: formatTags(trigger.imageTags),
    targetAccountIds: [...trigger.targetAccountIds],
    priceDropPercent: trigger.priceDropPercent === null || trigger.priceDropPercent === undefined ? '' : String(trigger.priceDropPercent),
    targetImageName: trigger.options?.targetImageName ?? '',
    enabled: trigger.enabled,
  };
}

/** What the trigger waits for, in words. */
export function triggerCondition(trigger: Pick<Trigger, 'kind' | 'cron' | 'priceDropPercent'>): string {
  switch (trigger.kind) {
    case 'SCHEDULE':
      return `on the schedule ${trigger.cron ?? '?'} (UTC)`;
    case 'IMAGE':
      return 'when a matching image is added or updated';
    case 'PRICE':
      return `when a target is at least ${trigger.priceDropPercent ?? 0} % cheaper to run than the source`;
    default:
      return String(trigger.kind);
  }
}

/** Which images it takes: "images named web-* tagged env=prod". */
export function triggerImages(trigger: Pick<Trigger, 'imageNamePattern' | 'imageTags'>): string {
  const pattern = trigger.imageNamePattern && trigger.imageNamePattern !== '*' ? `images named ${trigger.imageNamePattern}` : 'every image';
  const tags = formatTags(trigger.imageTags);
  return tags ? `${pattern} tagged ${tags}` : pattern;
}

/** The latest firing and the migrations the trigger started, newest first. */
export function triggerHistory(events: TriggerEvent[]): { lastFiredAt: string | null; migrationIds: string[]; refused: TriggerEvent[] } {
  const fired = events.filter((event) => event.fired).sort((a, b) => Date.parse(b.occurredAt) - Date.parse(a.occurredAt));
  const migrationIds: string[] = [];
  for (const event of fired) {
    if (event.migrationId && !migrationIds.includes(event.migrationId)) {
      migrationIds.push(event.migrationId);
    }
  }
  const refused = fired.filter((event) => !event.migrationId && event.outcome && event.outcome !== 'started');
  return { lastFiredAt: fired[0]?.occurredAt ?? null, migrationIds, refused };
}

/** "Next: 3 Dec 2026, 02:00" for schedules the server computed; the others run at every round. */
export function nextFiring(trigger: Pick<Trigger, 'kind' | 'enabled' | 'nextFireAt'>): string {
  if (!trigger.enabled) {
    return 'disabled';
  }
  if (trigger.kind === 'SCHEDULE') {
    return trigger.nextFireAt ? formatDateTime(trigger.nextFireAt) : '—';
  }
  return 'checked every round';
}
