import { describe, expect, it } from 'vitest';
import { isRecognisable, titleSimilarity } from '../../src/check/titles.ts';

describe('isRecognisable', () => {
  it('knows the same text without measuring it, as the measure would', () => {
    for (const title of ['', '!!!', 'Episode 12: the deal', 'ｆｕｌｌｗｉｄｔｈ', 'x'.repeat(1000)]) {
      expect(titleSimilarity(title, title)).toBe(1);
      expect(isRecognisable(title, title)).toBe(true);
    }
  });

  it('still measures texts that differ', () => {
    expect(isRecognisable('Episode 12: the deal', 'episode 12 — The Deal')).toBe(true);
    expect(isRecognisable('Episode 12: the deal', 'A wholly other sentence')).toBe(false);
  });
});
