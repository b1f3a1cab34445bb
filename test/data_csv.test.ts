// CSV tables: header and delimiter detection, quoting, classification vs regression targets, feature
// selection, and errors naming the line and column.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tn from 'tunet';

const D = tn.data;
const dir = mkdtempSync(join(tmpdir(), 'tunet-csv-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function expectThrow(fn: () => unknown, ...parts: string[]): string {
  let msg = '';
  assert.throws(fn, (e: Error) => {
    assert.ok(e instanceof tn.TorchError, String(e));
    msg = e.message;
    for (const p of parts) assert.ok(e.message.includes(p), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(p)}`);
    return true;
  });
  return msg;
}

const IRIS = `sepal_length,sepal_width,petal_length,petal_width,species
5.1,3.5,1.4,0.2,setosa
7.0,3.2,4.7,1.4,versicolor
6.3,3.3,6.0,2.5,virginica
4.9,3.0,1.4,0.2,setosa
`;

test('header detected, categorical target → class indices with sorted names; features as 1 × 1 × F', () => {
  writeFileSync(join(dir, 'iris.csv'), IRIS);
  const ds = new D.CsvDataset(join(dir, 'iris.csv'), { target: 'species' });
  assert.equal(ds.header, true);
  assert.equal(ds.task, 'classification');
  assert.deepEqual(ds.classNames, ['setosa', 'versicolor', 'virginica']);
  assert.deepEqual([ds.length, ds.numClasses, ds.channels], [4, 3, 1]);
  assert.deepEqual(ds.featureNames, ['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
  const s = ds.get(2);
  assert.deepEqual([s.channels, s.height, s.width, s.label, s.id], [1, 1, 4, 2, 'line 4']);
  assert.deepEqual([...s.image], [6.3, 3.3, 6.0, 2.5].map(Math.fround));
  assert.equal(ds.get(3).label, 0);
  // the same with the target by (negative) index and a feature subset by name and index
  const sub = D.CsvDataset.fromText(IRIS, { target: -1, features: ['petal_length', 3] });
  assert.deepEqual(sub.featureNames, ['petal_length', 'petal_width']);
  assert.deepEqual([...sub.get(0).image], [1.4, 0.2].map(Math.fround));
  const st = ds.featureStats()[0]!;
  assert.ok(Math.abs(st.mean - (5.1 + 7.0 + 6.3 + 4.9) / 4) < 1e-6);
  assert.deepEqual([st.min, st.max].map(Math.fround), [4.9, 7.0].map(Math.fround));
  assert.match(ds.describe(), /4 rows, 4 features, target 'species': 3 classes/);
});

test('no header, numeric target (default: last column) → regression with numClasses 0', () => {
  const ds = D.CsvDataset.fromText('1,2,0.5\n3,4,1.5\n\n5,6,-2.25\n');
  assert.equal(ds.header, false);
  assert.equal(ds.task, 'regression');
  assert.equal(ds.numClasses, 0);
  assert.deepEqual([ds.length, ...ds.featureNames], [3, 'column 0', 'column 1']);
  assert.deepEqual([ds.get(2).label, ...ds.get(2).image], [-2.25, 5, 6]);
  // numeric classes on request
  const cls = D.CsvDataset.fromText('x,y\n0.1,2\n0.2,10\n0.3,2\n', { task: 'classification' });
  assert.deepEqual(cls.classNames, ['2', '10'], 'numeric class names in numeric order');
  assert.deepEqual([cls.get(0).label, cls.get(1).label], [0, 1]);
});

test('delimiters: semicolon with decimal comma, tab; quotes, CRLF, BOM', () => {
  const semi = D.CsvDataset.fromText('a;b;label\n1,5;2;yes\n-0,25;3e2;no\n');
  assert.equal(semi.delimiter, ';');
  assert.deepEqual([...semi.get(0).image, ...semi.get(1).image], [1.5, 2, -0.25, 300]);
  const tab = D.CsvDataset.fromText('a\tb\tc\n1\t2\t3\n4\t5\t6\n');
  assert.equal(tab.delimiter, '\t');
  assert.deepEqual([...tab.get(1).image, tab.get(1).label], [4, 5, 6]);
  const quoted = D.CsvDataset.fromText('\ufeff"f 1","f,2",name\r\n1,2,"Smith, ""J"""\r\n3,"4","multi\nline"\r\n5,6,"Smith, ""J"""\r\n');
  assert.equal(quoted.header, true);
  assert.deepEqual(quoted.featureNames, ['f 1', 'f,2']);
  assert.deepEqual(quoted.classNames, ['Smith, "J"', 'multi\nline']);
  assert.deepEqual([quoted.get(2).label, ...quoted.get(1).image], [0, 3, 4]);
  assert.equal(quoted.get(2).id, 'line 5', 'line numbers count the newline inside quotes');
});

test('errors name the file, line and column', () => {
  expectThrow(() => D.CsvDataset.fromText('a,b,c\n1,2,3\n4,5\n6,7,8,9\n', {}, 'rag.csv'), 'rag.csv', 'ragged rows', 'expected 3 fields', 'line 3 has 2', 'line 4 has 4');
  expectThrow(() => D.CsvDataset.fromText('a,b,c\n1,2,3\n4,x5,6\n', {}, 'nn.csv'), 'nn.csv', "line 3, column 'b' (1)", 'non-numeric feature value "x5"');
  expectThrow(() => D.CsvDataset.fromText('a,b,c\n1,2,3\n4,,6\n'), "line 3, column 'b'", 'missing value');
  expectThrow(() => D.CsvDataset.fromText(IRIS, { target: 'Species' }), "no target column named 'Species'", 'columns: sepal_length');
  expectThrow(() => D.CsvDataset.fromText('1,2\n3,4\n', { target: 'y' }), 'has no header row');
  expectThrow(() => D.CsvDataset.fromText(IRIS, { target: 9 }), 'target column index 9 out of range for 5 columns');
  expectThrow(() => D.CsvDataset.fromText(IRIS, { classNames: ['setosa', 'virginica'] }), "line 3, column 'species'", 'class "versicolor" not in classNames');
  expectThrow(() => D.CsvDataset.fromText(IRIS, { task: 'regression' }), 'regression target is not a number: "setosa"');
  expectThrow(() => D.CsvDataset.fromText('a,b\n1,"oops\n'), 'unterminated quoted field starting on line 2');
  expectThrow(() => D.CsvDataset.fromText('\n\n', {}, 'blank.csv'), 'blank.csv: empty file');
  expectThrow(() => D.CsvDataset.fromText('a,b\n'), 'no data rows after the header');
  expectThrow(() => new D.CsvDataset(join(dir, 'missing.csv')), join(dir, 'missing.csv'), 'file not found');
});

test('toSpec names a csv spec for files (worker threads), none for text', () => {
  const ds = new D.CsvDataset(join(dir, 'iris.csv'), { target: 'species' });
  assert.deepEqual(ds.toSpec(), { kind: 'csv', path: join(dir, 'iris.csv'), options: { target: 'species' } });
  assert.equal(D.CsvDataset.fromText(IRIS).toSpec(), undefined);
});
