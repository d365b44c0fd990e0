// Small DOM and formatting helpers of the status page. Values only ever become text nodes.

const SHORT = 12;

export const $ = (id) => document.getElementById(id);

export function h(tag, props, ...children) {
  const node = document.createElement(tag);
  const p = props || {};
  if (p.className) node.className = p.className;
  if (p.text !== undefined && p.text !== null) node.textContent = String(p.text);
  if (p.title) node.title = p.title;
  for (const [name, value] of Object.entries(p.attrs || {})) node.setAttribute(name, String(value));
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

const pad = (n) => String(n).padStart(2, '0');

export function formatTime(date) {
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

export function formatDateTime(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${formatTime(date)}`;
}

export function formatAge(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

export function formatDuration(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)}:${pad(whole % 60)}`;
}

export const short = (text) => (text ? String(text).slice(0, SHORT) : '—');
export const timeCell = (iso) =>
  h(
    'td',
    { className: 'nowrap', title: iso || undefined },
    h('time', { text: formatDateTime(iso), attrs: iso ? { datetime: iso } : {} }),
  );
export const badge = (kind, value) => h('span', { className: `badge badge-${kind}-${value}`, text: value });
export const code = (text, full) => h('code', { text: text, title: full || undefined });

export function emptyRow(tbody, columns, message) {
  tbody.replaceChildren(
    h('tr', { className: 'empty' }, h('td', { text: message, attrs: { colspan: columns } })),
  );
}
