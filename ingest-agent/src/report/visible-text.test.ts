import { describe, expect, it } from 'vitest';
import { visibleText } from './visible-text.js';

describe('visibleText', () => {
  it('shows control characters visibly and keeps everything else', () => {
    expect(visibleText('Intro\nFile: fake.mp4')).toBe('Intro\\nFile: fake.mp4');
    expect(visibleText('a\r\tb')).toBe('a\\r\\tb');
    expect(visibleText('bell\u0007 esc\u001b[31m del\u007f c1\u0085')).toBe(
      'bell\\x07 esc\\x1b[31m del\\x7f c1\\x85',
    );
    expect(visibleText('line\u2028sep rlo\u202Eevil')).toBe('line\\u{2028}sep rlo\\u{202e}evil');
    expect(visibleText('001 Detensionări Lombare - Stânga.mp4')).toBe(
      '001 Detensionări Lombare - Stânga.mp4',
    );
  });
});
