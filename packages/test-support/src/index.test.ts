import { describe, expect, it } from 'vitest';
import { differences } from './index.js';

describe('differences', () => {
  it('is empty when every way observed the same', () => {
    const same = { code: 0, stdout: 'hi\n', stderr: '' };
    expect(differences({ cold: same, monolithic: { ...same }, split: { ...same } })).toEqual([]);
  });

  it('names the field and both ways for each disagreement', () => {
    expect(
      differences({
        cold: { code: 0, stdout: 'a', stderr: '' },
        split: { code: 1, stdout: 'a', stderr: 'boom' },
      }),
    ).toEqual(['code: cold 0 but split 1', 'stderr: cold "" but split "boom"']);
  });
});
