import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FormatError, InvalidValueError } from '@lab/tensor';
import { CHESTXRAY14_CLASSES, parseChestXray14Boxes, parseChestXray14Labels } from '../../src/data/chestxray14';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/chestxray14/${name}`, import.meta.url), 'utf8');

describe('parseChestXray14Labels', () => {
  it('reads the 5-image fixture (CRLF, quoted field) into 15-class multi-hot rows', () => {
    const { imageIds, labels, classes } = parseChestXray14Labels(fixture('Data_Entry_sample.csv'));
    expect(classes).toBe(CHESTXRAY14_CLASSES);
    expect(imageIds).toEqual(['00000001_000.png', '00000001_001.png', '00000002_000.png', '00000003_000.png', '00000004_000.png']);
    const on = labels.map((row) => Array.from(row).flatMap((v, c) => (v ? [CHESTXRAY14_CLASSES[c]] : [])));
    expect(on).toEqual([['Cardiomegaly'], ['Cardiomegaly', 'Emphysema'], ['No Finding'], ['Hernia', 'Infiltration', 'Mass'], ['Effusion', 'Pneumothorax']]);
  });

  it('names the line of an unknown finding, a repeated image and a missing column', () => {
    expect(() => parseChestXray14Labels('Image Index,Finding Labels\na.png,Flu\n')).toThrow(/line 2 has unknown finding 'Flu'/);
    expect(() => parseChestXray14Labels('Image Index,Finding Labels\na.png,Mass\na.png,Mass\n')).toThrow(/line 3 repeats image 'a.png'/);
    expect(() => parseChestXray14Labels('Image,Finding Labels\na.png,Mass\n')).toThrow(FormatError);
    expect(() => parseChestXray14Labels('Image Index,Finding Labels\n"a.png,Mass\n')).toThrow(/unterminated quoted field/);
  });

  it('accepts a custom class list and rejects an empty one', () => {
    const r = parseChestXray14Labels('Image Index,Finding Labels\na.png,B|A\n', { classes: ['A', 'B'] });
    expect(Array.from(r.labels[0])).toEqual([1, 1]);
    expect(() => parseChestXray14Labels('Image Index,Finding Labels\n', { classes: [] })).toThrow(InvalidValueError);
  });
});

describe('parseChestXray14Boxes', () => {
  it('reads the box fixture by image, maps Infiltrate to Infiltration and scales coordinates', () => {
    const boxes = parseChestXray14Boxes(fixture('BBox_List_sample.csv'), { scale: 0.5 });
    expect([...boxes.keys()]).toEqual(['00000001_000.png', '00000003_000.png', '00000004_000.png']);
    expect(boxes.get('00000001_000.png')).toEqual([{ x: 200.25, y: 256, width: 150, height: 100.125, label: 1 }]);
    expect(boxes.get('00000003_000.png')!.map((b) => CHESTXRAY14_CLASSES[b.label])).toEqual(['Infiltration', 'Mass']);
  });

  it('names the line of a non-numeric or empty size', () => {
    const head = 'Image Index,Finding Label,Bbox [x,y,w,h],,,\n';
    expect(() => parseChestXray14Boxes(`${head}a.png,Mass,1,2,x,4,,,\n`)).toThrow(/line 2 must have four numeric box fields/);
    expect(() => parseChestXray14Boxes(`${head}a.png,Mass,1,2,0,4,,,\n`)).toThrow(/line 2 must have a positive width and height/);
    expect(() => parseChestXray14Boxes(`${head}a.png,Mass,1,2\n`)).toThrow(FormatError);
  });
});
