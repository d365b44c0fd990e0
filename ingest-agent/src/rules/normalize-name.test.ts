import { describe, expect, it } from 'vitest';
import { normalizeName, stripDiacritics } from './normalize-name.js';

const composed = 'St\u00e2nga'; // â as one code point
const decomposed = 'Sta\u0302nga'; // a + combining circumflex, as macOS writes it

describe('stripDiacritics', () => {
  it('removes Romanian diacritics, comma-below and cedilla forms alike', () => {
    expect(stripDiacritics('ăâîșțĂÂÎȘȚşţ')).toBe('aaistAAISTst');
  });

  it('gives the same text for composed and decomposed input', () => {
    expect(stripDiacritics(composed)).toBe('Stanga');
    expect(stripDiacritics(decomposed)).toBe('Stanga');
  });
});

describe('normalizeName', () => {
  it('folds case and diacritics by default', () => {
    for (const name of [composed, decomposed, 'stanga', 'STANGA', 'STÂNGA']) {
      expect(normalizeName(name)).toBe('stanga');
    }
  });

  it('keeps case when case-sensitive', () => {
    expect(normalizeName(decomposed, { caseSensitive: true })).toBe('Stanga');
  });

  it('keeps diacritics when diacritic-sensitive, in composed form whatever the input', () => {
    expect(normalizeName(decomposed, { diacriticSensitive: true })).toBe('st\u00e2nga');
    expect(normalizeName(composed, { diacriticSensitive: true })).toBe('st\u00e2nga');
  });

  it('folds a dotted capital I to a plain i', () => {
    expect(normalizeName('\u0130NTRO')).toBe('intro');
  });
});
