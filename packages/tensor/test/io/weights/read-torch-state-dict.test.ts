import { describe, expect, it } from 'vitest';
import { CheckpointError, InvalidValueError } from '../../../src/errors';
import { readTorchStateDict } from '../../../src/io/weights/index';
import { FIXTURE_TENSORS, OP, legacyCheckpoint, orderedDictOfTensors, pickle, str, zipCheckpoint } from './fixtures';

const NAMES = FIXTURE_TENSORS.map((t) => t.name);

describe('readTorchStateDict', () => {
  it("picks the dict of tensors under 'params' of a zip checkpoint", () => {
    const sd = readTorchStateDict(zipCheckpoint());
    expect(Object.keys(sd)).toEqual(NAMES);
    expect(Array.from(sd['proj.weight'].data as Float32Array)).toEqual([0, 2, 4, 1, 3, 5]);
  });

  it("strips 'module.' when every key has it, and keeps keys with an explicit empty prefix", () => {
    expect(Object.keys(readTorchStateDict(legacyCheckpoint()))).toEqual(NAMES);
    expect(Object.keys(readTorchStateDict(legacyCheckpoint(), { stripPrefix: '' }))).toEqual(NAMES.map((n) => `module.${n}`));
    expect(Object.keys(readTorchStateDict(legacyCheckpoint(), { stripPrefix: 'module.conv.' }))[0]).toBe('weight');
  });

  it('uses options.key, and the only dict of tensors when no known key holds one', () => {
    const two = pickle([
      OP.EMPTY_DICT,
      OP.MARK,
      ...str('generator'),
      ...orderedDictOfTensors(FIXTURE_TENSORS.slice(0, 2), false),
      ...str('discriminator'),
      ...orderedDictOfTensors(FIXTURE_TENSORS.slice(1, 2), false),
      OP.SETITEMS,
    ]);
    const file = zipCheckpoint({ pkl: two });
    expect(Object.keys(readTorchStateDict(file, { key: 'discriminator' }))).toEqual(['conv.bias']);
    const err = (() => {
      try {
        readTorchStateDict(file);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(CheckpointError);
    expect(err?.message).toContain('generator, discriminator');
    const one = pickle([OP.EMPTY_DICT, ...str('g'), ...orderedDictOfTensors(FIXTURE_TENSORS.slice(0, 1), false), OP.SETITEM]);
    expect(Object.keys(readTorchStateDict(zipCheckpoint({ pkl: one })))).toEqual(['conv.weight']);
  });

  it('rejects a missing key with CheckpointError naming it, and unknown options with InvalidValueError', () => {
    expect(() => readTorchStateDict(zipCheckpoint(), { key: 'params_ema' })).toThrow(CheckpointError);
    expect(() => readTorchStateDict(zipCheckpoint(), { key: 'params_ema' })).toThrow(/'params_ema'/);
    expect(() => readTorchStateDict(zipCheckpoint(), { key: 'epoch' })).toThrow(/dict of tensors/);
    expect(() => readTorchStateDict(zipCheckpoint(), { prefix: 'x' } as never)).toThrow(InvalidValueError);
    expect(() => readTorchStateDict(zipCheckpoint(), { prefix: 'x' } as never)).toThrow(/unknown option 'prefix'/);
  });
});
