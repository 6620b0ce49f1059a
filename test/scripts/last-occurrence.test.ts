import { describe, expect, it } from 'vitest';
import yargs from 'yargs';
import { lastOccurrenceOnly } from '../../scripts/cli.js';

const parse = (args: string[]) => yargs(args).options({ steps: { type: 'number' }, 'train-seeds': { type: 'number' } }).parseSync();

describe('lastOccurrenceOnly', () => {
  it('keeps the last of repeated numeric options in every spelling, and everything else as it is', () => {
    expect(lastOccurrenceOnly(['--steps', '4', '--suite', 'a', '--steps=1', '--trainSeeds', '2', '--train-seeds', '1', '--', '--steps', '9'], ['steps', 'train-seeds']))
      .toEqual(['--suite', 'a', '--steps=1', '--train-seeds', '1', '--', '--steps', '9']);
    expect(lastOccurrenceOnly(['--steps', '3'], ['steps'])).toEqual(['--steps', '3']);
  });

  it('is what makes a repeated value of 1 the last value: yargs alone adds it to the earlier one', () => {
    // The upstream behaviour this works around; if yargs-parser fixes it, this line says so.
    expect(parse(['--steps', '4', '--steps', '1']).steps).toBe(5);
    expect(parse(lastOccurrenceOnly(['--steps', '4', '--steps', '1'], ['steps'])).steps).toBe(1);
    expect(parse(lastOccurrenceOnly(['--train-seeds', '2', '--train-seeds', '1'], ['train-seeds']))['train-seeds']).toBe(1);
  });
});
