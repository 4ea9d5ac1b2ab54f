import { decideAppend } from './append';

describe('decideAppend: the append-outcome rule', () => {
  const none = () => {
    throw new Error('earlier versions must not be asked for');
  };

  it('is first when nothing is stored for the box', () => {
    expect(decideAppend(null, 'h1', none)).toEqual({ kind: 'first', seq: 1 });
  });

  it('is unchanged when the content equals the latest, without looking further back', () => {
    expect(decideAppend({ seq: 3, hash: 'h3' }, 'h3', none)).toEqual({ kind: 'unchanged' });
  });

  it('is stale when the content equals an older version, naming its seq', () => {
    const earlier = new Map([
      ['h1', 1],
      ['h2', 2],
    ]);
    expect(decideAppend({ seq: 3, hash: 'h3' }, 'h1', (h) => earlier.get(h))).toEqual({ kind: 'stale', matchesSeq: 1 });
  });

  it('is revised, as the next seq, for content never stored', () => {
    const asked: string[] = [];
    expect(decideAppend({ seq: 2, hash: 'h2' }, 'h9', (h) => (asked.push(h), undefined))).toEqual({ kind: 'revised', seq: 3 });
    expect(asked).toEqual(['h9']);
  });

  it('does not look back when the latest is the only version', () => {
    expect(decideAppend({ seq: 1, hash: 'h1' }, 'h2', none)).toEqual({ kind: 'revised', seq: 2 });
  });
});
