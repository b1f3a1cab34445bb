/**
 * CSV tables for the classic networks (perceptron, MLP, RBF ...): one row per
 * sample, numeric feature columns and one target column.
 *
 * Samples: `image` is the feature vector as a 1 × 1 × F image (channels 1,
 * height 1, width F = number of features), so tabular and image data share the
 * Sample type. `label` is the class index when the task is classification
 * (the class names are in `classNames`; numClasses = their count), or the
 * numeric target value for regression (numClasses = 0).
 *
 * Parsing: RFC 4180 quoting ("a, b", "say ""hi"""), CRLF or LF, a UTF-8 BOM,
 * blank lines skipped; delimiter ',' ';' or tab detected from the first lines
 * (with ';' a decimal comma "1,5" is read as 1.5); the header row detected
 * when some column is numeric below a non-numeric first row.
 */
import { readFileSync } from 'node:fs';
import { TorchError } from '../torch/errors.js';
import type { Dataset, Sample } from './types.js';
import { registerDatasetKind, type DatasetSpec } from './spec.js';

export interface CsvOptions {
  /** The target column: a header name or a 0-based index (negative counts from the end). Default: the last column. */
  target?: string | number;
  /** Feature columns (names or indices). Default: every column but the target. */
  features?: (string | number)[];
  /** Whether the first row is a header (default 'auto'). */
  header?: boolean | 'auto';
  /** Field delimiter (default 'auto': ',', ';' or tab). */
  delimiter?: 'auto' | ',' | ';' | '\t' | string;
  /**
   * 'auto' (default): classification when the target column has a non-numeric value, regression when all are numbers.
   * 'classification' makes numeric targets classes too (sorted by value, names = the values as written).
   */
  task?: 'auto' | 'classification' | 'regression';
  /** Class names in label order (classification); target values not listed are errors. */
  classNames?: string[];
}

interface Row {
  fields: string[];
  /** 1-based line number where the row starts. */
  line: number;
}

const OP = 'data.CsvDataset';
const NUM = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DECIMAL_COMMA = /^[+-]?\d*,\d+([eE][+-]?\d+)?$/;

function parseNumber(s: string, decimalComma: boolean): number | undefined {
  const t = s.trim();
  if (NUM.test(t)) return Number(t);
  if (decimalComma && DECIMAL_COMMA.test(t)) return Number(t.replace(',', '.'));
  return undefined;
}

/** Splits CSV text into rows of fields (quotes handled); blank lines are skipped. */
export function parseCsv(text: string, delimiter: string, name = 'csv'): Row[] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const rows: Row[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let inQuotes = false;
  let line = 1;
  let rowLine = 1;
  let rowHasContent = false;
  const endField = (): void => {
    fields.push(quoted ? field : field.trim());
    field = '';
    quoted = false;
  };
  const endRow = (): void => {
    endField();
    if (rowHasContent || fields.length > 1 || fields[0] !== '') rows.push({ fields, line: rowLine });
    fields = [];
    rowHasContent = false;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"' && field.trim() === '') {
      inQuotes = true;
      quoted = true;
      rowHasContent = true;
      field = '';
    } else if (ch === delimiter) {
      endField();
      rowHasContent = true;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRow();
      line++;
      rowLine = line;
    } else {
      field += ch;
    }
  }
  if (inQuotes) throw new TorchError(`${name}: unterminated quoted field starting on line ${rowLine}`, OP);
  if (field !== '' || fields.length > 0) endRow();
  return rows;
}

/** Picks ',', ';' or tab from the first lines: the one found the same number of times on each line (most of them). */
export function detectDelimiter(text: string): string {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '').slice(0, 20);
  const count = (l: string, d: string): number => {
    let n = 0;
    let q = false;
    for (const ch of l) {
      if (ch === '"') q = !q;
      else if (ch === d && !q) n++;
    }
    return n;
  };
  let best = ',';
  let bestScore = -1;
  for (const d of [',', ';', '\t']) {
    const counts = lines.map((l) => count(l, d));
    if (counts.length === 0 || counts[0] === 0) continue;
    const consistent = counts.every((c) => c === counts[0]);
    const score = (consistent ? 1000 : 0) + counts[0]!;
    if (score > bestScore) {
      bestScore = score;
      best = d;
    }
  }
  return best;
}

function delimiterName(d: string): string {
  return d === '\t' ? 'tab' : `'${d}'`;
}

/** A table of numeric features and a class or numeric target. See the module comment for the Sample layout. */
export class CsvDataset implements Dataset {
  readonly channels = 1;
  readonly numClasses: number;
  readonly task: 'classification' | 'regression';
  readonly featureNames: readonly string[];
  readonly targetName: string;
  /** Class names by label (classification), else empty. */
  readonly classNames: readonly string[];
  readonly header: boolean;
  readonly delimiter: string;
  /** N × F features, row-major. */
  readonly features: Float32Array;
  /** The label of each row (class index or target value). */
  readonly targets: Float64Array;
  /** Line number of each row in the file. */
  readonly lines: Int32Array;
  private readonly source: string;
  private readonly optionsUsed: CsvOptions;
  private readonly fromText: boolean = false;

  /** Reads a CSV file. Errors name the file, and the line and column of a bad value. */
  constructor(path: string, options: CsvOptions = {}) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new TorchError(`${path}: ${code === 'ENOENT' ? 'file not found' : `unreadable (${(e as Error).message})`}`, OP);
    }
    const parsed = CsvDataset.parse(text, options, path);
    this.source = path;
    this.optionsUsed = options;
    this.numClasses = parsed.numClasses;
    this.task = parsed.task;
    this.featureNames = parsed.featureNames;
    this.targetName = parsed.targetName;
    this.classNames = parsed.classNames;
    this.header = parsed.header;
    this.delimiter = parsed.delimiter;
    this.features = parsed.features;
    this.targets = parsed.targets;
    this.lines = parsed.lines;
  }

  /** A dataset from CSV text (`name` is used in messages). */
  static fromText(text: string, options: CsvOptions = {}, name = 'csv text'): CsvDataset {
    const ds = Object.create(CsvDataset.prototype) as CsvDataset;
    Object.assign(ds, CsvDataset.parse(text, options, name), { source: name, channels: 1, optionsUsed: options, fromText: true });
    return ds;
  }

  private static parse(text: string, options: CsvOptions, name: string) {
    const delimiter = options.delimiter === undefined || options.delimiter === 'auto' ? detectDelimiter(text) : options.delimiter;
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
      throw new TorchError(`${name}: bad delimiter ${JSON.stringify(delimiter)}`, OP);
    }
    const decimalComma = delimiter === ';';
    const rows = parseCsv(text, delimiter, name);
    if (rows.length === 0) throw new TorchError(`${name}: empty file`, OP);
    const isNum = (s: string): boolean => parseNumber(s, decimalComma) !== undefined;

    // Header detection.
    let header: boolean;
    if (options.header === undefined || options.header === 'auto') {
      const first = rows[0]!.fields;
      const rest = rows.slice(1, 201);
      if (rest.length === 0) header = !first.some(isNum);
      else {
        const numericBelow = first.map((_, j) => rest.every((r) => r.fields[j] !== undefined && isNum(r.fields[j]!)));
        if (first.some((f, j) => !isNum(f) && numericBelow[j])) header = true;
        else if (numericBelow.some((b) => b)) header = false;
        else header = first.every((f, j) => !rest.some((r) => r.fields[j] === f));
      }
    } else header = options.header;
    const ncol = rows[0]!.fields.length;
    const names = header ? rows[0]!.fields.map((f, j) => (f === '' ? `column ${j}` : f)) : Array.from({ length: ncol }, (_, j) => `column ${j}`);
    const data = header ? rows.slice(1) : rows;
    if (data.length === 0) throw new TorchError(`${name}: no data rows${header ? ' after the header' : ''}`, OP);

    // Ragged rows.
    const ragged = data.filter((r) => r.fields.length !== ncol);
    if (ragged.length > 0) {
      const list = ragged.slice(0, 5).map((r) => `line ${r.line} has ${r.fields.length}`).join(', ');
      throw new TorchError(
        `${name}: ragged rows: expected ${ncol} fields (delimiter ${delimiterName(delimiter)}), ${list}${ragged.length > 5 ? ` and ${ragged.length - 5} more rows` : ''}`,
        OP,
      );
    }

    const colIndex = (c: string | number, what: string): number => {
      if (typeof c === 'number') {
        if (!Number.isInteger(c) || c >= ncol || c < -ncol) throw new TorchError(`${name}: ${what} column index ${c} out of range for ${ncol} columns`, OP);
        return c < 0 ? ncol + c : c;
      }
      const j = names.indexOf(c);
      if (j < 0) {
        throw new TorchError(
          `${name}: no ${what} column named '${c}'${header ? ` (columns: ${names.join(', ')})` : ' (the file has no header row: give a column index, or header: true)'}`,
          OP,
        );
      }
      return j;
    };
    const t = colIndex(options.target ?? -1, 'target');
    const feats = options.features ? options.features.map((c) => colIndex(c, 'feature')) : names.map((_, j) => j).filter((j) => j !== t);
    if (feats.includes(t)) throw new TorchError(`${name}: the target column '${names[t]}' is also a feature`, OP);
    if (feats.length === 0) throw new TorchError(`${name}: no feature columns`, OP);

    const n = data.length;
    const F = feats.length;
    const features = new Float32Array(n * F);
    for (let i = 0; i < n; i++) {
      const r = data[i]!;
      for (let k = 0; k < F; k++) {
        const j = feats[k]!;
        const v = parseNumber(r.fields[j]!, decimalComma);
        if (v === undefined) {
          const raw = r.fields[j]!;
          throw new TorchError(
            `${name}: line ${r.line}, column '${names[j]}' (${j}): ${raw === '' ? 'missing value' : `non-numeric feature value ${JSON.stringify(raw)}`}`,
            OP,
          );
        }
        features[i * F + k] = v;
      }
    }

    // Target.
    const tv = data.map((r) => r.fields[t]!);
    const task = options.task ?? 'auto';
    const allNumeric = tv.every(isNum);
    const targets = new Float64Array(n);
    let classNames: string[] = [];
    let resolvedTask: 'classification' | 'regression';
    if (task === 'regression' || (task === 'auto' && allNumeric && !options.classNames)) {
      resolvedTask = 'regression';
      for (let i = 0; i < n; i++) {
        const v = parseNumber(tv[i]!, decimalComma);
        if (v === undefined) {
          throw new TorchError(`${name}: line ${data[i]!.line}, column '${names[t]}' (${t}): regression target is not a number: ${JSON.stringify(tv[i])}`, OP);
        }
        targets[i] = v;
      }
    } else {
      resolvedTask = 'classification';
      if (options.classNames) classNames = [...options.classNames];
      else {
        const uniq = [...new Set(tv)];
        if (allNumeric) uniq.sort((a, b) => parseNumber(a, decimalComma)! - parseNumber(b, decimalComma)!);
        else uniq.sort();
        classNames = uniq;
      }
      const index = new Map(classNames.map((c, i) => [c, i]));
      for (let i = 0; i < n; i++) {
        const k = index.get(tv[i]!);
        if (k === undefined) {
          throw new TorchError(`${name}: line ${data[i]!.line}, column '${names[t]}' (${t}): ${tv[i] === '' ? 'missing target' : `class ${JSON.stringify(tv[i])} not in classNames`}`, OP);
        }
        targets[i] = k;
      }
    }
    return {
      numClasses: resolvedTask === 'classification' ? classNames.length : 0,
      task: resolvedTask,
      featureNames: feats.map((j) => names[j]!),
      targetName: names[t]!,
      classNames,
      header,
      delimiter,
      features,
      targets,
      lines: Int32Array.from(data.map((r) => r.line)),
    };
  }

  get length(): number {
    return this.targets.length;
  }

  get(index: number): Sample {
    if (!Number.isInteger(index) || index < 0 || index >= this.targets.length) {
      throw new TorchError(`index ${index} out of range for ${this.targets.length} rows`, 'data.CsvDataset.get');
    }
    const F = this.featureNames.length;
    return {
      id: `line ${this.lines[index]}`,
      image: this.features.slice(index * F, (index + 1) * F),
      channels: 1,
      height: 1,
      width: F,
      label: this.targets[index]!,
    };
  }

  /** Per-feature mean, standard deviation (population), min and max over all rows. */
  featureStats(): { name: string; mean: number; std: number; min: number; max: number }[] {
    const F = this.featureNames.length;
    const n = this.targets.length;
    return this.featureNames.map((name, k) => {
      let s = 0;
      let s2 = 0;
      let min = Infinity;
      let max = -Infinity;
      for (let i = 0; i < n; i++) {
        const v = this.features[i * F + k]!;
        s += v;
        s2 += v * v;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      const mean = s / n;
      return { name, mean, std: Math.sqrt(Math.max(s2 / n - mean * mean, 0)), min, max };
    });
  }

  /** A plain-data spec that re-reads this file (datasetFromSpec), e.g. in a worker thread. */
  toSpec(): DatasetSpec | undefined {
    if (this.fromText) return undefined;
    return { kind: 'csv', path: this.source, options: { ...this.optionsUsed } };
  }

  describe(): string {
    const what = this.task === 'classification' ? `${this.numClasses} classes (${this.classNames.slice(0, 8).join(', ')}${this.numClasses > 8 ? ', …' : ''})` : 'regression';
    return `CSV ${this.source}: ${this.length} rows, ${this.featureNames.length} features, target '${this.targetName}': ${what}`;
  }
}

registerDatasetKind('csv', (spec: { path?: unknown; options?: CsvOptions }) => {
  if (typeof spec.path !== 'string') throw new TorchError('a csv spec needs path: the file path', 'datasetFromSpec');
  return new CsvDataset(spec.path, spec.options ?? {});
}, { module: import.meta.url });
