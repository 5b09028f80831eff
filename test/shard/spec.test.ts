/** Which rows each shard answers: whole blocks, every row once, shard 1 always holding the first block. */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors';
import { blockRows, parseShard, shardRows } from '../../src/shard/spec';

describe('shardRows', () => {
  it.each([
    {
      rows: 899,
      count: 4,
      block: 1024,
      expected: [
        [0, 899],
        [899, 899],
        [899, 899],
        [899, 899],
      ],
    },
    {
      rows: 3200,
      count: 3,
      block: 1024,
      expected: [
        [0, 2048],
        [2048, 3072],
        [3072, 3200],
      ],
    },
    {
      rows: 16173,
      count: 4,
      block: 1024,
      expected: [
        [0, 4096],
        [4096, 8192],
        [8192, 12288],
        [12288, 16173],
      ],
    },
    {
      rows: 10,
      count: 2,
      block: 3,
      expected: [
        [0, 6],
        [6, 10],
      ],
    },
    {
      rows: 0,
      count: 3,
      block: 1024,
      expected: [
        [0, 0],
        [0, 0],
        [0, 0],
      ],
    },
  ])('$rows rows over $count shards in blocks of $block', ({ rows, count, block, expected }) => {
    const got = Array.from({ length: count }, (_, i) => shardRows(rows, { index: i + 1, count }, block)).map((r) => [r.start, r.end]);
    expect(got).toEqual(expected);
  });

  it('covers every row once, in whole blocks, for any split', () => {
    for (const rows of [1, 1023, 1024, 1025, 5000, 70_001]) {
      for (let count = 1; count <= 9; count++) {
        let next = 0;
        for (let index = 1; index <= count; index++) {
          const { start, end } = shardRows(rows, { index, count }, 1024);
          expect(start).toBe(next);
          expect(start % 1024 === 0 || start === rows).toBe(true);
          next = end;
        }
        expect(next).toBe(rows);
        expect(shardRows(rows, { index: 1, count }, 1024).end).toBeGreaterThan(0);
      }
    }
  });
});

describe('blockRows', () => {
  it.each([
    { shape: ['batch', 64], block: 1024 },
    { shape: [-1, 64], block: 1024 },
    { shape: [1, 64], block: 1024 },
    { shape: [100, 64], block: 1100 },
    { shape: [2048, 64], block: 2048 },
  ])('input shape $shape: $block rows', ({ shape, block }) => {
    expect(blockRows('x', [{ name: 'x', shape, type: 'float32' }])).toBe(block);
  });
});

describe('parseShard', () => {
  const where = { file: 'command line', field: '--shard', name: '--shard' };
  it.each([
    ['1/1', { index: 1, count: 1 }],
    ['3/4', { index: 3, count: 4 }],
    [' 2 / 8 ', { index: 2, count: 8 }],
  ])('%s', (text, spec) => expect(parseShard(text, where)).toEqual(spec));

  it.each(['0/4', '5/4', '1/0', '1/257', '1', 'a/b', '1/2/3', '-1/2', '1.5/2', ''])('%j is refused', (text) => {
    expect(() => parseShard(text, where)).toThrow(InputError);
    expect(() => parseShard(text, where)).toThrow(/expected i\/n with 1 ≤ i ≤ n ≤ 256/);
  });
});
