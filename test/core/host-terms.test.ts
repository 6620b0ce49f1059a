import { describe, expect, it } from 'vitest';
import { checkedHostTerms, type HostTerms } from '../../core/host-terms.js';

describe('checkedHostTerms: the host terms\' length and finiteness check', () => {
  const terms: HostTerms = { elementNames: ['first', 'second'], rowNames: ['perRow'], compute: () => ({ element: {}, row: {} }) };
  const rows = 3;
  const width = 4;
  const values = (second: Float64Array) => ({
    element: { first: Float64Array.from({ length: rows * width }, (_, index) => index - 5), second },
    row: { perRow: new Float64Array(rows).fill(1e308) },
  });
  const finite = () => Float64Array.from({ length: rows * width }, (_, index) => (index % 2 ? -1.5e300 : 2.5e-310));

  it('returns the arrays in declaration order when every number is finite, extremes included', () => {
    const input = values(finite());
    const checked = checkedHostTerms('plug', terms, input, rows, width);
    expect(checked.element).toEqual([input.element.first, input.element.second]);
    expect(checked.row).toEqual([input.row.perRow]);
  });

  it('names the first non-finite number and its index, for NaN and both infinities at any place', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      for (const at of [0, 5, rows * width - 1]) {
        const second = finite();
        second[at] = bad;
        if (at < rows * width - 1) second[rows * width - 1] = Number.NaN;
        expect(() => checkedHostTerms('plug', terms, values(second), rows, width)).toThrow(`plug: host term 'second' is ${bad} at ${at}`);
      }
    }
  });

  it('reads only the numbers of the batch, and refuses an array too short', () => {
    const longer = new Float64Array(rows * width + 2);
    longer[rows * width] = Number.NaN;
    expect(() => checkedHostTerms('plug', terms, values(longer), rows, width)).not.toThrow();
    expect(() => checkedHostTerms('plug', terms, values(new Float64Array(rows * width - 1)), rows, width))
      .toThrow(`plug: host term 'second' must be a Float64Array of at least ${rows * width} numbers, got ${rows * width - 1}`);
  });
});
