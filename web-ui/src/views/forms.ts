// Form fields that show their own error next to the control (aria-invalid, aria-describedby),
// for the API's validation errors as much as for the browser-side checks.

import type { FieldProblem } from '../api';
import { ApiError } from '../api';
import { alertBox, h, replace, uniqueId } from '../dom';
import { errorText } from '../context';

export interface CheckedField {
  element: HTMLElement;
  control: HTMLElement;
  setError(message: string | null): void;
}

function describedBy(control: HTMLElement, ids: Array<string | null>): void {
  const value = ids.filter(Boolean).join(' ');
  if (value) {
    control.setAttribute('aria-describedby', value);
  } else {
    control.removeAttribute('aria-describedby');
  }
}

/** A labelled control with a hint and an error line. */
export function checkedField(label: string, control: HTMLElement, hint?: string): CheckedField {
  const id = control.id || uniqueId('field');
  control.id = id;
  const hintElement = hint ? h('small', { id: `${id}-hint`, class: 'hint' }, hint) : null;
  const error = h('small', { id: `${id}-error`, class: 'field-error', hidden: true });
  describedBy(control, [hintElement?.id ?? null]);
  const element = h('div', { class: 'field' }, h('label', { for: id }, label), control, hintElement, error);
  return {
    element,
    control,
    setError(message) {
      error.textContent = message ?? '';
      error.hidden = !message;
      if (message) {
        control.setAttribute('aria-invalid', 'true');
      } else {
        control.removeAttribute('aria-invalid');
      }
      describedBy(control, [hintElement?.id ?? null, message ? error.id : null]);
    },
  };
}

/** A fieldset of checkboxes (one per option) with a legend, a hint and an error line. */
export function checkboxGroup(
  legend: string,
  name: string,
  options: Array<{ value: string; label: string }>,
  checked: string[],
  hint?: string,
): CheckedField & { values(): string[] } {
  const id = uniqueId(name);
  const error = h('small', { id: `${id}-error`, class: 'field-error', hidden: true });
  const hintElement = hint ? h('small', { id: `${id}-hint`, class: 'hint' }, hint) : null;
  const boxes = options.map((option) => {
    const box = h('input', { type: 'checkbox', name, value: option.value, id: uniqueId(name) });
    box.checked = checked.includes(option.value);
    return { box, option };
  });
  const fieldset = h(
    'fieldset',
    { class: 'checkboxes', id },
    h('legend', null, legend),
    hintElement,
    options.length === 0
      ? h('p', { class: 'empty' }, 'No cloud accounts yet.')
      : h('div', { class: 'checkbox-list' }, boxes.map(({ box, option }) => h('label', { for: box.id, class: 'checkbox' }, box, ` ${option.label}`))),
    error,
  );
  describedBy(fieldset, [hintElement?.id ?? null]);
  return {
    element: fieldset,
    control: fieldset,
    values: () => boxes.filter(({ box }) => box.checked).map(({ option }) => option.value),
    setError(message) {
      error.textContent = message ?? '';
      error.hidden = !message;
      describedBy(fieldset, [hintElement?.id ?? null, message ? error.id : null]);
      fieldset.classList.toggle('invalid', !!message);
    },
  };
}

/**
 * Shows each problem next to its field (`fieldFor` maps the API's field name to the form's);
 * returns the problems no field took, and focuses the first field in error.
 */
export function showFieldErrors(
  fields: Record<string, CheckedField>,
  problems: FieldProblem[],
  fieldFor: (apiField: string) => string = (apiField) => apiField.split(/[.[]/)[0],
): FieldProblem[] {
  for (const checked of Object.values(fields)) {
    checked.setError(null);
  }
  const unplaced: FieldProblem[] = [];
  const messages = new Map<string, string[]>();
  for (const problem of problems) {
    const key = fieldFor(problem.field);
    if (fields[key]) {
      messages.set(key, [...(messages.get(key) ?? []), problem.message]);
    } else {
      unplaced.push(problem);
    }
  }
  let first: HTMLElement | null = null;
  for (const [key, list] of messages) {
    fields[key].setError(list.join('; '));
    first = first ?? fields[key].control;
  }
  if (first) {
    const focusable = first.matches('input, select, textarea') ? first : first.querySelector<HTMLElement>('input, select, textarea');
    focusable?.focus();
  }
  return unplaced;
}

/** The field errors an API failure carries (empty for other failures). */
export function apiFieldErrors(error: unknown): FieldProblem[] {
  return error instanceof ApiError ? error.fieldErrors : [];
}

/** A form's own checks failed: the problems next to their fields, a summary in `status`. */
export function showCheckFailure(fields: Record<string, CheckedField>, status: HTMLElement, problems: FieldProblem[]): void {
  showFieldErrors(fields, problems);
  replace(status, alertBox('Please correct the marked fields.'));
}

/**
 * The server refused a save: its field errors next to their fields (`fieldFor` as in
 * {@link showFieldErrors}), and in `status` the failure itself, or a pointer to the marked fields
 * when every problem found its field.
 */
export function showSaveFailure(
  fields: Record<string, CheckedField>,
  status: HTMLElement,
  error: unknown,
  fieldFor?: (apiField: string) => string,
): void {
  const problems = apiFieldErrors(error);
  const unplaced = showFieldErrors(fields, problems, fieldFor);
  replace(status, alertBox(unplaced.length > 0 || problems.length === 0 ? errorText(error) : 'The server refused the marked fields.'));
}
