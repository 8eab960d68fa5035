import { UnknownNameError } from '@lab/tensor';
import { expect, it } from 'vitest';
import { Imdn } from '../../src/models/imdn/imdn';
import { ImdnNtire2022 } from '../../src/models/imdn-ntire2022/imdn-ntire2022';
import { Rfdn } from '../../src/models/rfdn/rfdn';
import { Rlfn } from '../../src/models/rlfn/rlfn';
import { createModel, models, type ModelName } from '../../src/registry';
import { describeBackends, expectTensorDelta } from './sr-test-utils';

describeBackends('createModel', () => {
  it('builds every registered model with the entry scale and range [0, 1]', async () => {
    const classes: Record<ModelName, unknown> = { 'imdn-ntire2022': ImdnNtire2022, imdn: Imdn, rfdn: Rfdn, rlfn: Rlfn };
    expect(Object.keys(models).sort()).toEqual(['imdn', 'imdn-ntire2022', 'rfdn', 'rlfn']);
    for (const [name, entry] of Object.entries(models)) {
      expect(entry.name).toBe(name);
      expect(name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      const net = createModel(name as ModelName);
      try {
        expect(net).toBeInstanceOf(classes[name as ModelName]);
        expect(net.scale).toBe(entry.scale);
        expect(net.range).toBe('0-1');
        expect(net.nativeRange).toBe(entry.inputRange);
        expect(entry.scales).toContain(entry.scale);
        for (const s of entry.scales) expect(typeof entry.checkpoint.files[s]).toBe('string');
      } finally {
        net.dispose();
      }
    }
  });

  it('records the reference input ranges: IMDN in [0, 1], RFDN and RLFN in [0, 255] (test_demo.py data_range)', () => {
    expect(models['imdn-ntire2022'].inputRange).toBe('0-1');
    expect(models.imdn.inputRange).toBe('0-1');
    expect(models.rfdn.inputRange).toBe('0-255');
    expect(models.rlfn.inputRange).toBe('0-255');
    expect(models['imdn-ntire2022'].checkpoint.files[4]).toBe('model_zoo/imdn_baseline.pth');
    expect(models.imdn.checkpoint.files[2]).toBe('checkpoints/IMDN_x2.pth');
    expect(models.imdn.checkpoint.keys).toBe('module-prefix');
    expect(models.rlfn.checkpoint.format).toBe('zip');
  });

  it('forwards options to the factory and rejects unknown ones', () => {
    const net = createModel('imdn', { scale: 3, range: '0-255' });
    try {
      expect(net.scale).toBe(3);
      expect(net.range).toBe('0-255');
    } finally {
      net.dispose();
    }
    expect(() => createModel('rfdn', { scale: 2 } as never)).toThrow(/Rfdn: unknown option 'scale'/);
  });

  it('throws UnknownNameError listing the valid keys, allocating nothing', async () => {
    await expect(expectTensorDelta(() => createModel('edsr'))).rejects.toThrow(UnknownNameError);
    expect(() => createModel('edsr')).toThrow("unknown model 'edsr'; valid: imdn, imdn-ntire2022, rfdn, rlfn");
    expect(() => createModel('toString')).toThrow(UnknownNameError);
  });
});
