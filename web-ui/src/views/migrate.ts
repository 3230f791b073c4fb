import type { CatalogueImage, CloudAccount, CostEstimate } from '../api';
import { alertBox, field, h, replace } from '../dom';
import { formatBytes, formatDuration, formatMoney, formatSpeed } from '../format';
import { refusalFacts } from '../policies';
import { type Context, errorBox, errorText, navigate } from '../context';

/** The estimate's parts as a sentence: what is paid once and what every month. */
function costFacts(cost: CostEstimate): HTMLElement[] {
  const once = [`egress ${formatMoney(cost.egress)}`];
  if (cost.helperMode) {
    once.push(`helper VM ${cost.helperHours} h ${formatMoney(cost.helper)}`);
  }
  return [
    h('dt', null, 'Estimated cost'),
    h(
      'dd',
      { 'data-testid': 'estimate-cost' },
      h('strong', null, formatMoney(cost.total)),
      ` (${once.join(', ')}; storage a month: image ${formatMoney(cost.imageStoragePerMonth)}, bundle ${formatMoney(cost.bundleStoragePerMonth)})`,
    ),
  ];
}

/** A policy refusal with the policy, the rule and the numbers; other failures as usual. */
export function refusalBox(error: unknown): HTMLElement {
  const facts = refusalFacts(error);
  if (!facts) {
    return errorBox(error);
  }
  return h(
    'div',
    { class: 'notice error refusal', role: 'alert', 'data-testid': 'refusal' },
    h('p', null, h('strong', null, 'A policy refused this migration. '), errorText(error)),
    h('dl', { class: 'facts' }, facts.map(([label, value]) => [h('dt', null, label), h('dd', null, value)])),
  );
}

/** New migration: source image and target account, a preview of what will happen, start. */
export async function migrateView(context: Context, main: HTMLElement): Promise<void> {
  let accounts: CloudAccount[];
  try {
    accounts = await context.accounts(true);
  } catch (error) {
    replace(main, h('h1', { tabindex: -1 }, 'New migration'), errorBox(error));
    return;
  }
  if (accounts.length === 0) {
    replace(
      main,
      h('h1', { tabindex: -1 }, 'New migration'),
      h('p', { class: 'empty' }, 'Add a cloud account first. ', h('a', { href: '#/accounts' }, 'Cloud accounts')),
    );
    return;
  }
  const accountOptions = (): HTMLOptionElement[] =>
    accounts.map((account) => h('option', { value: account.id }, `${account.name} (${account.pluginId})`));
  const source = h('select', { name: 'sourceAccountId', required: true }, accountOptions());
  const image = h('select', { name: 'sourceImageId', required: true });
  const target = h('select', { name: 'targetAccountId', required: true }, accountOptions());
  const targetName = h('input', { name: 'targetImageName', autocomplete: 'off' });
  const preview = h('section', { class: 'card preview', 'aria-live': 'polite', 'aria-labelledby': 'preview-title' });
  const status = h('div');
  const start = h('button', { type: 'submit' }, 'Start migration');
  let images: CatalogueImage[] = [];

  // Answers can arrive out of order when the user changes a choice quickly: only the latest counts.
  let previewRequest = 0;
  let imagesRequest = 0;
  const updatePreview = async (): Promise<void> => {
    const request = ++previewRequest;
    const chosen = images.find((candidate) => candidate.id === image.value);
    if (!chosen) {
      replace(preview, h('h2', { id: 'preview-title' }, 'What will happen'), h('p', null, 'Pick a source image.'));
      return;
    }
    replace(preview, h('h2', { id: 'preview-title' }, 'What will happen'), h('p', null, 'Estimating…'));
    try {
      const [estimate, cost] = await Promise.all([
        context.api.estimate(source.value, chosen.id, target.value),
        context.can('OPERATOR')
          ? context.api.costEstimate({ sourceAccountId: source.value, sourceImageId: chosen.id, targetAccountId: target.value }).catch(() => null)
          : Promise.resolve(null),
      ]);
      if (request !== previewRequest) {
        return;
      }
      const targetAccount = accounts.find((account) => account.id === target.value);
      replace(
        preview,
        h('h2', { id: 'preview-title' }, 'What will happen'),
        h(
          'dl',
          { class: 'facts' },
          h('dt', null, 'Data to move'),
          h('dd', { 'data-testid': 'estimate-bytes' }, `at most ${formatBytes(estimate.bytesToMove)} (zero blocks are never read or sent)`),
          h('dt', null, 'Source'),
          h('dd', null, `${chosen.osName || 'unknown OS'}, ${estimate.sourceFormat || chosen.format || 'unknown format'}, cloud layer ${estimate.sourceLayer || chosen.cloudLayer || 'none'}`),
          h('dt', null, 'Target'),
          h('dd', { 'data-testid': 'estimate-target' }, `${targetAccount?.name ?? ''}: format ${estimate.targetFormat || 'the cloud’s default'}, cloud layer ${estimate.targetLayer || 'none'}`),
          h('dt', null, 'Estimated duration'),
          h(
            'dd',
            { 'data-testid': 'estimate-duration' },
            estimate.estimatedSeconds !== null && estimate.estimatedSeconds !== undefined
              ? `about ${formatDuration(estimate.estimatedSeconds)} at ${formatSpeed(estimate.throughputBytesPerSecond)} (from ${estimate.basedOnMigrations} past run${estimate.basedOnMigrations === 1 ? '' : 's'})`
              : 'unknown until a first migration has finished',
          ),
          cost ? costFacts(cost) : null,
        ),
      );
    } catch (error) {
      if (request !== previewRequest) {
        return;
      }
      replace(preview, h('h2', { id: 'preview-title' }, 'What will happen'), errorBox(error));
    }
  };

  const loadImages = async (): Promise<void> => {
    const request = ++imagesRequest;
    replace(image, h('option', { value: '' }, 'Loading…'));
    try {
      const loaded = await context.api.images(source.value);
      if (request !== imagesRequest) {
        return;
      }
      images = loaded;
      replace(
        image,
        images.length === 0
          ? h('option', { value: '' }, 'No images (refresh the catalogue)')
          : images.map((candidate) =>
              h('option', { value: candidate.id }, `${candidate.name || candidate.id} — ${candidate.osName || 'unknown OS'}, ${formatBytes(candidate.virtualSize)}`),
            ),
      );
    } catch (error) {
      if (request !== imagesRequest) {
        return;
      }
      images = [];
      replace(image, h('option', { value: '' }, 'Cannot load images'));
      replace(status, errorBox(error));
    }
    await updatePreview();
  };
  source.addEventListener('change', loadImages);
  image.addEventListener('change', updatePreview);
  target.addEventListener('change', updatePreview);
  if (accounts.length > 1) {
    target.selectedIndex = 1;
  }

  const form = h(
    'form',
    {
      class: 'card',
      'aria-labelledby': 'new-migration-title',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        if (!image.value) {
          replace(status, alertBox('Pick a source image.'));
          image.focus();
          return;
        }
        start.disabled = true;
        try {
          const options: Record<string, string> = {};
          if (targetName.value.trim()) {
            options.targetImageName = targetName.value.trim();
          }
          const migration = await context.api.startMigration({
            sourceAccountId: source.value,
            sourceImageId: image.value,
            targetAccountId: target.value,
            options,
          });
          navigate(`#/migrations/${migration.id}`);
        } catch (error) {
          replace(status, refusalBox(error));
          start.disabled = false;
        }
      },
    },
    h('h2', { id: 'new-migration-title', class: 'visually-hidden' }, 'Migration'),
    field('Source account', source),
    field('Source image', image),
    field('Target account', target),
    field('Name of the new image (optional)', targetName),
    status,
    context.can('OPERATOR') ? start : h('p', { class: 'muted' }, 'Your role can look but not start migrations.'),
  );
  replace(main, h('h1', { tabindex: -1 }, 'New migration'), h('div', { class: 'two-columns' }, form, preview));
  await loadImages();
}
