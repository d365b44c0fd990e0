// The page's tables and overview cards, each drawn from one part of the /api/status document.
import {
  $,
  badge,
  code,
  emptyRow,
  formatAge,
  formatDateTime,
  formatDuration,
  h,
  short,
  timeCell,
} from './status-dom.js';

// ---- table frames ---------------------------------------------------------------------------
// Each table's caption and column heads, by the name of the section it ends (`<name>-section`);
// a column written '#…' holds numbers and is aligned as such.

const TABLES = {
  consumers: {
    caption: 'Render leases held by the consumers sharing the catalog',
    columns: ['Consumer', '#Render', 'Exercise', 'Language', '#Asset version', 'Lease expires'],
  },
  dlq: {
    caption: 'Messages in the dead-letter queue',
    columns: ['Message id', 'Exercise', 'Reason', '#Receives', 'First received', 'Body'],
  },
  deliveries: {
    caption: 'Deliveries reported by the ingest agents',
    columns: ['Received', 'Outcome', 'Exercise', 'Delivery', 'Host', 'Details'],
  },
  renders: {
    caption: 'Renders of the catalog and of prescriptions',
    columns: [
      '#Id',
      'Exercise',
      'Language',
      'Status',
      '#Asset version',
      '#Duration',
      'Recipe hash',
      'Delete after',
      'Error',
      'Preview',
    ],
  },
  exercises: {
    caption: 'Exercises in the catalog',
    columns: [
      'Exercise',
      'Kind',
      'Status',
      '#Asset version',
      'Fingerprint',
      'Fingerprint age',
      '#Catalog render',
    ],
  },
};

function columnHead(column) {
  const numeric = column.startsWith('#');
  return h('th', {
    className: numeric ? 'num' : undefined,
    text: numeric ? column.slice(1) : column,
    attrs: { scope: 'col' },
  });
}

/** Ends each table section with its table: caption, column heads and an empty body to draw into. */
export function drawTableFrames() {
  for (const [name, { caption, columns }] of Object.entries(TABLES)) {
    $(`${name}-section`).append(
      h(
        'div',
        { className: 'table-wrap' },
        h(
          'table',
          { attrs: { id: `${name}-table` } },
          h('caption', { className: 'visually-hidden', text: caption }),
          h('thead', {}, h('tr', {}, ...columns.map(columnHead))),
          h('tbody'),
        ),
      ),
    );
  }
}

// ---- overview cards -------------------------------------------------------------------------

function queueText(queue) {
  if (queue.depth === null) return 'unavailable';
  return String(queue.depth);
}

function queueNote(queue) {
  if (queue.depth === null) return queue.error || 'SQS did not answer';
  return `${queue.visible} waiting · ${queue.inFlight} in flight · ${queue.delayed} delayed`;
}

export function drawOverview(data) {
  $('queue-depth').textContent = queueText(data.queue);
  $('queue-note').textContent = queueNote(data.queue);
  $('queue-card').classList.toggle('card-warn', data.queue.depth === null);
  $('dlq-depth').textContent = queueText(data.dlq);
  $('dlq-note').textContent = queueNote(data.dlq);
  $('dlq-card').classList.toggle('card-alert', data.dlq.depth !== null && data.dlq.depth > 0);
  $('dlq-card').classList.toggle('card-warn', data.dlq.depth === null);
  const refused = data.deliveries.filter((d) => d.outcome === 'refused').length;
  $('refused-count').textContent = String(refused);
  $('refused-card').classList.toggle('card-alert', refused > 0);
  $('exercise-count').textContent = String(data.exercises.length);
  const archived = data.exercises.filter((e) => e.status === 'archived').length;
  $('exercise-note').textContent = `${data.exercises.length - archived} active · ${archived} archived`;
  $('render-count').textContent = String(data.renders.length);
  const count = (status) => data.renders.filter((r) => r.status === status).length;
  $('render-note').textContent =
    `${count('ready')} ready · ${count('encoding')} encoding · ${count('pending')} pending · ${count('failed')} failed`;
}

// ---- dead-letter queue ----------------------------------------------------------------------

function bodyPreview(body) {
  const text = typeof body === 'string' ? body : JSON.stringify(body, null, 2);
  return text.length > 4000 ? `${text.slice(0, 4000)}\n…` : text;
}

export function drawDeadLetters(dlq) {
  const summary = $('dlq-summary');
  const count = dlq.messages.length;
  summary.replaceChildren(
    dlq.depth === null
      ? 'The dead-letter queue could not be read. '
      : `${count} message${count === 1 ? '' : 's'} listed from `,
    code(dlq.url),
    dlq.messagesReadAt ? ` · read at ${formatDateTime(dlq.messagesReadAt)}` : '',
  );
  const error = $('dlq-error');
  const problem = dlq.messagesError || dlq.error;
  error.hidden = !problem;
  error.textContent = problem || '';
  const tbody = $('dlq-table').tBodies[0];
  if (count === 0) {
    emptyRow(
      tbody,
      6,
      dlq.depth === null ? 'Unknown: SQS did not answer.' : 'The dead-letter queue is empty.',
    );
    return;
  }
  tbody.replaceChildren(
    ...dlq.messages.map((message) =>
      h(
        'tr',
        { attrs: { 'data-message-id': message.messageId } },
        h('td', {}, code(message.messageId)),
        h('td', { text: message.exercise || '—' }),
        h('td', { className: 'reason', text: message.reason }),
        h('td', { className: 'num', text: message.receiveCount }),
        timeCell(message.firstReceivedAt),
        h(
          'td',
          {},
          h(
            'details',
            {},
            h('summary', { text: 'Show body' }),
            h('pre', { text: bodyPreview(message.body) }),
          ),
        ),
      ),
    ),
  );
}

// ---- consumers ------------------------------------------------------------------------------

function leaseExpiry(lease) {
  const when = h('time', {
    text: formatDateTime(lease.lease_expires_at),
    attrs: lease.lease_expires_at ? { datetime: lease.lease_expires_at } : {},
  });
  const note = lease.expired
    ? h('span', { className: 'inline-error', text: ' expired: its holder stopped renewing it' })
    : h('span', { className: 'muted', text: ` in ${formatAge(lease.expires_in_seconds)}` });
  return h('td', { className: 'nowrap' }, when, note);
}

export function drawConsumers(consumers) {
  const summary = $('consumers-summary');
  const self = consumers.self;
  const holders = new Set(consumers.leases.filter((lease) => !lease.expired).map((lease) => lease.holder));
  summary.replaceChildren(
    ...(self
      ? [
          'This consumer: ',
          code(self.id),
          ` · ${self.renders_in_flight} render${self.renders_in_flight === 1 ? '' : 's'} in flight`,
          ` · ${self.leases_held} lease${self.leases_held === 1 ? '' : 's'} held · `,
        ]
      : []),
    `${holders.size} consumer${holders.size === 1 ? '' : 's'} holding a lease now`,
  );
  const tbody = $('consumers-table').tBodies[0];
  if (consumers.leases.length === 0) return emptyRow(tbody, 6, 'No consumer holds a render lease now.');
  tbody.replaceChildren(
    ...consumers.leases.map((lease) =>
      h(
        'tr',
        {
          className: [lease.this_consumer ? 'lease-self' : '', lease.expired ? 'lease-expired' : '']
            .join(' ')
            .trim(),
          attrs: { 'data-render-id': lease.render_id, 'data-holder': lease.holder },
        },
        h(
          'td',
          {},
          code(lease.holder),
          lease.this_consumer ? h('span', { className: 'muted', text: ' (this consumer)' }) : null,
        ),
        h('td', { className: 'num', text: lease.render_id }),
        h('td', { text: lease.exercise }),
        h('td', { text: lease.language }),
        h('td', { className: 'num', text: lease.asset_version }),
        leaseExpiry(lease),
      ),
    ),
  );
}

// ---- deliveries -----------------------------------------------------------------------------

function deliveryDetails(delivery) {
  if (delivery.outcome === 'refused') {
    if (delivery.reasons.length === 0) return h('td', { text: 'Refused without a reason.' });
    return h(
      'td',
      {},
      h(
        'ul',
        { className: 'reasons' },
        ...delivery.reasons.map((reason) =>
          h(
            'li',
            {},
            reason.file ? code(reason.file) : h('span', { className: 'muted', text: 'whole delivery' }),
            h('span', { className: 'problem', text: ` ${reason.problem}` }),
            h('span', { className: 'fix' }, h('strong', { text: 'Fix: ' }), reason.fix),
          ),
        ),
      ),
    );
  }
  const keys = delivery.changed_keys;
  // Older rows and older consumers' answers have no findings.
  const findings = delivery.findings ?? [];
  return h(
    'td',
    {},
    findings.length === 0
      ? null
      : h(
          'ul',
          { className: 'findings' },
          ...findings.map((finding) =>
            h(
              'li',
              { attrs: { 'data-finding-kind': finding.kind } },
              badge('finding', finding.action === 'refuse' ? 'refused' : 'warning'),
              h('span', { text: ` ${finding.message}` }),
            ),
          ),
        ),
    delivery.fingerprint ? h('span', {}, 'fingerprint ', code(delivery.fingerprint), ' ') : null,
    keys.length === 0
      ? h('span', { className: 'muted', text: 'no changed files listed' })
      : h(
          'details',
          {},
          h('summary', { text: `${keys.length} changed file${keys.length === 1 ? '' : 's'}` }),
          h('ul', { className: 'keys' }, ...keys.map((key) => h('li', {}, code(key)))),
        ),
  );
}

export function drawDeliveries(deliveries) {
  const tbody = $('deliveries-table').tBodies[0];
  if (deliveries.length === 0) return emptyRow(tbody, 6, 'No deliveries recorded yet.');
  tbody.replaceChildren(
    ...deliveries.map((delivery) =>
      h(
        'tr',
        { className: `delivery-${delivery.outcome}`, attrs: { 'data-delivery-id': delivery.id } },
        timeCell(delivery.received_at),
        h('td', {}, badge('outcome', delivery.outcome)),
        h('td', { text: delivery.exercise || '—' }),
        h('td', { className: 'wrap', text: delivery.delivery || '—' }),
        h('td', { text: delivery.host || '—' }),
        deliveryDetails(delivery),
      ),
    ),
  );
}

// ---- exercises ------------------------------------------------------------------------------

export function drawExercises(exercises) {
  const tbody = $('exercises-table').tBodies[0];
  if (exercises.length === 0) return emptyRow(tbody, 7, 'No exercises in the catalog yet.');
  tbody.replaceChildren(
    ...exercises.map((exercise) =>
      h(
        'tr',
        {},
        h('th', { text: exercise.slug, attrs: { scope: 'row' } }),
        h('td', { text: exercise.kind.replace('_', ' ') }),
        h('td', {}, badge('exercise', exercise.status)),
        h('td', { className: 'num', text: exercise.asset_version }),
        h('td', {}, exercise.fingerprint ? code(exercise.fingerprint) : '—'),
        h('td', {
          text: formatAge(exercise.fingerprint_age_seconds),
          title: exercise.fingerprint_updated_at
            ? `changed ${formatDateTime(exercise.fingerprint_updated_at)}`
            : undefined,
        }),
        h('td', { className: 'num', text: exercise.catalog_render_id ?? '—' }),
      ),
    ),
  );
}

// ---- renders --------------------------------------------------------------------------------

function playButton(render) {
  if (render.status !== 'ready' || !render.playback_url) return h('td', { className: 'muted', text: '—' });
  return h(
    'td',
    {},
    h(
      'button',
      { className: 'play', attrs: { type: 'button', 'data-render-id': render.id } },
      'Play',
      h('span', {
        className: 'visually-hidden',
        text: ` render ${render.id} (${render.exercise}, ${render.language})`,
      }),
    ),
  );
}

/** Bunny's progress of an encoding render: the video is uploaded and not playable yet. */
function encodeProgress(render) {
  if (render.status !== 'encoding' || render.encode_progress === null) return null;
  return h('span', {
    className: 'progress',
    text: ` ${render.encode_progress} %`,
    attrs: { title: 'Bunny Stream transcoding progress' },
  });
}

export function drawRenders(renders, playingId) {
  const tbody = $('renders-table').tBodies[0];
  if (renders.length === 0) return emptyRow(tbody, 10, 'No renders yet.');
  tbody.replaceChildren(
    ...renders.map((render) =>
      h(
        'tr',
        {
          className: playingId === render.id ? 'is-playing' : '',
          attrs: { 'data-render-id': render.id },
        },
        h('td', { className: 'num', text: render.id }),
        h('td', { text: render.exercise }),
        h('td', { text: render.language }),
        h('td', {}, badge('render', render.status), encodeProgress(render)),
        h('td', { className: 'num', text: render.asset_version }),
        h('td', { className: 'num', text: formatDuration(render.duration_seconds) }),
        h('td', {}, code(short(render.recipe_hash), render.recipe_hash)),
        render.delete_after ? timeCell(render.delete_after) : h('td', { className: 'muted', text: '—' }),
        h('td', { className: 'reason', text: render.error || '' }),
        playButton(render),
      ),
    ),
  );
}
