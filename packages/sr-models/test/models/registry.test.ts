import { UnknownNameError } from '@lab/tensor';
import { describe, expect, it } from 'vitest';
import { Imdn } from '../../src/models/imdn/imdn';
import { ImdnNtire2022 } from '../../src/models/imdn-ntire2022/imdn-ntire2022';
import { Rfdn } from '../../src/models/rfdn/rfdn';
import { Rlfn } from '../../src/models/rlfn/rlfn';
import { Grl } from '../../src/models/grl/grl';
import { CiaoSr } from '../../src/models/ciaosr/ciaosr';
import { Datsr } from '../../src/models/datsr/datsr';
import { createModel, createReferenceModel, models, referenceModels, type ModelName } from '../../src/registry';
import { describeBackends, expectTensorDelta } from './sr-test-utils';

const EFFICIENT = ['imdn', 'imdn-ntire2022', 'rfdn', 'rlfn'];

describeBackends('createModel', (backend) => {
  // The costly models (GRL-B alone takes seconds to initialise) are built on one backend only;
  // their constructors do not depend on it.
  it(`builds every registered model with the entry scale and range [0, 1]${backend === 'wasm' ? '' : ' (the efficient ones; the others on wasm)'}`, async () => {
    const classes: Record<ModelName, unknown> = {
      'imdn-ntire2022': ImdnNtire2022,
      imdn: Imdn,
      rfdn: Rfdn,
      rlfn: Rlfn,
      'grl-tiny': Grl,
      'grl-small': Grl,
      'grl-base': Grl,
      ciaosr: CiaoSr,
      'ciaosr-edsr': CiaoSr,
    };
    expect(Object.keys(models).sort()).toEqual(['ciaosr', 'ciaosr-edsr', 'grl-base', 'grl-small', 'grl-tiny', 'imdn', 'imdn-ntire2022', 'rfdn', 'rlfn']);
    for (const [name, entry] of Object.entries(models)) {
      expect(entry.name).toBe(name);
      expect(name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(entry.efficient).toBe(EFFICIENT.includes(name));
      // Released factors name a file; an entry without released weights (ciaosr-edsr) has none.
      if (entry.scales.length > 0) expect(entry.scales).toContain(entry.scale);
      for (const s of entry.scales) expect(typeof entry.checkpoint.files[s]).toBe('string');
      if (!entry.efficient && backend !== 'wasm') continue;
      const net = createModel(name as ModelName);
      try {
        expect(net).toBeInstanceOf(classes[name as ModelName]);
        expect(net.scale).toBe(entry.scale);
        expect(net.range).toBe('0-1');
        expect(net.nativeRange).toBe(entry.inputRange);
      } finally {
        net.dispose();
      }
    }
  });

  it('registers CiaoSR with the RDN and EDSR-baseline encoders, one checkpoint for ×2–×4, non-commercial', () => {
    expect(models.ciaosr.defaults.encoder).toBe('rdn');
    expect(models['ciaosr-edsr'].defaults.encoder).toBe('edsr-baseline');
    expect(models.ciaosr.scales).toEqual([2, 3, 4]);
    expect(new Set(Object.values(models.ciaosr.checkpoint.files))).toEqual(new Set(['rdn-ciaosr.pth']));
    expect(models['ciaosr-edsr'].scales).toEqual([]);
    expect(models.ciaosr.checkpoint.licence).toBe('CC-BY-NC-4.0');
    expect(models['grl-tiny'].checkpoint.licence).toBe('MIT');
  });

  it('builds CiaoSR at any real scale through the registry', () => {
    const net = createModel('ciaosr-edsr', { scale: 3.5 });
    try {
      expect(net.encoderKind).toBe('edsr-baseline');
      expect(net.outputSize(10, 12)).toEqual([35, 42]);
    } finally {
      net.dispose();
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
    expect(() => createModel('edsr')).toThrow(
      "unknown model 'edsr'; valid: ciaosr, ciaosr-edsr, grl-base, grl-small, grl-tiny, imdn, imdn-ntire2022, rfdn, rlfn",
    );
    expect(() => createModel('toString')).toThrow(UnknownNameError);
    // DATSR takes two inputs: it is in referenceModels, not models.
    expect(() => createModel('datsr')).toThrow(UnknownNameError);
  });
});

describe('referenceModels', () => {
  it('holds DATSR (×4, two inputs) with its three release files, VGG19 and the non-commercial licence', () => {
    expect(Object.keys(referenceModels)).toEqual(['datsr']);
    const e = referenceModels.datsr;
    expect(e.name).toBe('datsr');
    expect(e.scale).toBe(4);
    expect(e.efficient).toBe(false);
    expect(e.paper.arxiv).toBe('2207.11938');
    expect(e.checkpoint.files).toEqual({ netG: 'restoration_mse.pth', netGGan: 'restoration_gan.pth', netExtractor: 'feature_extraction.pth' });
    expect(e.checkpoint.external).toMatch(/VGG19/);
    expect(e.checkpoint.licence).toBe('CC-BY-NC-4.0');
  });

  it('builds DATSR by name and rejects unknown names, listing the valid ones, allocating nothing', async () => {
    const net = createReferenceModel('datsr');
    try {
      expect(net).toBeInstanceOf(Datsr);
      expect(net.scale).toBe(referenceModels.datsr.scale);
      // 18,026,971 (restoration) + 1,110,656 (texture encoder) + 555,328 (VGG19 to relu3_1), see datsr.test.ts.
      expect(net.numParameters()).toBe(18026971 + 1110656 + 555328);
    } finally {
      net.dispose();
    }
    await expect(expectTensorDelta(() => createReferenceModel('rlfn'))).rejects.toThrow("unknown reference model 'rlfn'; valid: datsr");
  });
});
