// The status page: polls /api/status and redraws only the sections whose data changed, so the
// player keeps playing and keyboard focus stays where it is between refreshes. Every value from
// the API is put into the page as text (textContent / text nodes), never parsed as HTML.
import { $, formatDuration, formatTime, h } from './status-dom.js';
import {
  drawConsumers,
  drawDeadLetters,
  drawDeliveries,
  drawExercises,
  drawOverview,
  drawRenders,
  drawTableFrames,
} from './status-tables.js';

const POLL_MS = 4000;

const state = {
  data: null,
  lastSuccess: null,
  timer: undefined,
  inFlight: false,
  drawn: new Map(),
  hls: null,
  playing: null,
  tokenDeclined: false,
};

// ---- access token -------------------------------------------------------------------------
// With COMPOSER_API_TOKEN set, the data routes answer 401 without it. The page asks once, keeps the
// token for this tab only (sessionStorage, never a cookie or localStorage) and sends it as a bearer
// header with every request it makes, the player's included.

const TOKEN_KEY = 'exercise-consumer.token';

function storedToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) || '';
  } catch {
    return '';
  }
}

function authHeaders() {
  const token = storedToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** Asks for the token after a 401; false when the operator declined (then the page stops asking). */
function askForToken(rejected) {
  if (state.tokenDeclined) return false;
  const token = window.prompt(
    rejected
      ? 'That token was refused. Enter the COMPOSER_API_TOKEN this consumer runs with:'
      : 'This consumer needs its COMPOSER_API_TOKEN to show its status:',
  );
  if (!token) {
    state.tokenDeclined = true;
    return false;
  }
  try {
    sessionStorage.setItem(TOKEN_KEY, token.trim());
  } catch {
    return false;
  }
  return true;
}

/** Redraws a section only when its data changed since the last draw. */
function drawIfChanged(name, value, draw) {
  const key = JSON.stringify(value);
  if (state.drawn.get(name) === key) return;
  state.drawn.set(name, key);
  draw(value);
}

// ---- player ---------------------------------------------------------------------------------

function playerMessage(text, isError) {
  const node = $('player-message');
  node.textContent = text;
  node.classList.toggle('inline-error', Boolean(isError));
}

function stopPlayer() {
  const video = $('player');
  if (state.hls) {
    state.hls.destroy();
    state.hls = null;
  }
  video.pause();
  video.removeAttribute('src');
  video.load();
}

function startPlayback(video) {
  video
    .play()
    .catch((error) => {
      // Autoplay rules may still refuse sound without a fresh gesture; a muted preview is allowed.
      if (error && error.name === 'NotAllowedError' && !video.muted) {
        video.muted = true;
        return video.play();
      }
      throw error;
    })
    .catch((error) => playerMessage(`Playback did not start: ${error.message}`, true));
}

function play(render) {
  const video = $('player');
  stopPlayer();
  state.playing = render.id;
  for (const row of $('renders-table').tBodies[0].rows) {
    row.classList.toggle('is-playing', row.getAttribute('data-render-id') === String(render.id));
  }
  $('player-caption').replaceChildren(
    h('strong', { text: `Render ${render.id}` }),
    ` — ${render.exercise}, ${render.language}, asset version ${render.asset_version}, ${formatDuration(render.duration_seconds)} · `,
    h('a', { text: 'playlist', attrs: { href: render.playback_url } }),
  );
  playerMessage('Loading…', false);
  const Hls = window.Hls;
  if (Hls?.isSupported()) {
    $('player-engine').textContent = `HLS through hls.js ${Hls.version || ''} (Media Source Extensions)`;
    const hls = new Hls({
      xhrSetup: (xhr) => {
        const token = storedToken();
        if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
      },
    });
    state.hls = hls;
    hls.on(Hls.Events.ERROR, (_event, data) => {
      if (data.fatal) playerMessage(`Playback failed: ${data.type} / ${data.details}`, true);
    });
    hls.on(Hls.Events.MANIFEST_PARSED, () => startPlayback(video));
    hls.loadSource(render.playback_url);
    hls.attachMedia(video);
  } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
    $('player-engine').textContent = "HLS through the browser's own player";
    video.src = render.playback_url;
    startPlayback(video);
  } else {
    playerMessage(
      'This browser cannot play HLS: it has neither Media Source Extensions nor native HLS.',
      true,
    );
  }
  $('player-section').scrollIntoView({ block: 'nearest' });
}

function wirePlayer() {
  const video = $('player');
  video.addEventListener('playing', () => playerMessage(`Playing render ${state.playing}.`, false));
  video.addEventListener('waiting', () => playerMessage('Buffering…', false));
  video.addEventListener('ended', () => playerMessage('Finished.', false));
  video.addEventListener('error', () => {
    if (!state.hls && video.error)
      playerMessage(`Playback failed: ${video.error.message || `media error ${video.error.code}`}`, true);
  });
  $('renders-table').tBodies[0].addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest('button[data-render-id]') : null;
    if (!button || !state.data) return;
    const id = Number(button.getAttribute('data-render-id'));
    const render = state.data.renders.find((r) => r.id === id);
    if (render) play(render);
  });
}

// A link of the form `/#render=ID` (the "Preview ready" line of a delivery's report) plays that
// render once the data lists it; a later change of the fragment plays the newly linked one.
let linkedRender = null;

function playLinkedRender(data) {
  const match = /^#render=(\d+)$/.exec(window.location.hash);
  if (!match || match[1] === linkedRender) return;
  const render = data.renders.find((r) => String(r.id) === match[1] && r.playback_url);
  if (!render) return;
  linkedRender = match[1];
  play(render);
}

window.addEventListener('hashchange', () => {
  if (state.data) playLinkedRender(state.data);
});

// ---- refresh loop ---------------------------------------------------------------------------

function drawAll(data) {
  drawOverview(data);
  drawIfChanged('consumers', data.consumers, drawConsumers);
  drawIfChanged('dlq', data.dlq, drawDeadLetters);
  drawIfChanged('deliveries', data.deliveries, drawDeliveries);
  drawIfChanged('renders', data.renders, (renders) => drawRenders(renders, state.playing));
  drawIfChanged('exercises', data.exercises, drawExercises);
}

function showLastRefresh() {
  const node = $('last-refresh');
  if (!state.lastSuccess) return;
  const ago = Math.round((Date.now() - state.lastSuccess.getTime()) / 1000);
  node.textContent = `Last refreshed ${formatTime(state.lastSuccess)} (${ago} s ago)`;
}

function showError(message) {
  const banner = $('error-banner');
  const since = state.lastSuccess
    ? ` The page shows the data of ${formatTime(state.lastSuccess)}.`
    : ' No data could be loaded yet.';
  const retry = $('auto-refresh').checked
    ? ` Retrying every ${POLL_MS / 1000} s.`
    : ' Use "Refresh now" to try again.';
  banner.textContent = `The status could not be refreshed at ${formatTime(new Date())}: ${message}.${since}${retry}`;
  banner.hidden = false;
}

async function readError(response) {
  try {
    const body = await response.json();
    if (body?.error?.message) return `HTTP ${response.status}: ${body.error.message}`;
  } catch {
    // Not JSON (a proxy's error page): the status line is all there is.
  }
  return `HTTP ${response.status} ${response.statusText}`.trim();
}

async function refresh() {
  if (state.inFlight) return;
  state.inFlight = true;
  try {
    const load = () =>
      fetch('/api/status', {
        cache: 'no-store',
        headers: { accept: 'application/json', ...authHeaders() },
      });
    let response = await load();
    if (response.status === 401 && askForToken(storedToken() !== '')) response = await load();
    if (!response.ok) throw new Error(await readError(response));
    const data = await response.json();
    state.data = data;
    state.lastSuccess = new Date();
    drawAll(data);
    playLinkedRender(data);
    $('error-banner').hidden = true;
    showLastRefresh();
  } catch (error) {
    showError(error instanceof Error ? error.message : String(error));
  } finally {
    state.inFlight = false;
    schedule();
  }
}

function schedule() {
  clearTimeout(state.timer);
  if ($('auto-refresh').checked) state.timer = setTimeout(refresh, POLL_MS);
}

function start() {
  drawTableFrames();
  wirePlayer();
  $('refresh-now').addEventListener('click', () => refresh());
  $('auto-refresh').addEventListener('change', () => schedule());
  setInterval(showLastRefresh, 1000);
  refresh();
}

start();
