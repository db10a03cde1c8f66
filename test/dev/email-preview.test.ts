import { describe, expect, it } from 'vitest';
import { darkVariant, sizeReport, WARN_BYTES } from '../../src/dev/email-preview.ts';
import { GMAIL_CLIP_BYTES } from '../../src/render/email.ts';

describe('the size of an email against Gmail’s clipping limit', () => {
  it('is fine well under the limit', () => {
    expect(sizeReport('x'.repeat(28_262))).toEqual({ bytes: 28_262, text: '27.6 KB', limitText: '102 KB', status: 'ok' });
  });

  it('warns from 90 KB and is over past 102 KB, counting bytes, not characters', () => {
    expect(sizeReport('x'.repeat(WARN_BYTES - 1)).status).toBe('ok');
    expect(sizeReport('x'.repeat(WARN_BYTES)).status).toBe('warn');
    expect(sizeReport('x'.repeat(GMAIL_CLIP_BYTES)).status).toBe('warn');
    expect(sizeReport('é'.repeat(GMAIL_CLIP_BYTES / 2 + 1)).status).toBe('over');
  });
});

describe('the dark variant of an email', () => {
  it('switches on the rules for dark mode and leaves the rest', () => {
    const html = '<style>a{color:green}@media (prefers-color-scheme: dark){a{color:lime}}@media(prefers-color-scheme:dark){b{color:red}}</style>';
    expect(darkVariant(html)).toBe('<style>a{color:green}@media all{a{color:lime}}@media all{b{color:red}}</style>');
  });
});
