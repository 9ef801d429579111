// Reads the page's packed digit file in node, independently of the Rust
// parser: magic "ESLTDIG1", count u32, rows u16, cols u16 (little endian),
// then count labels, then count·rows·cols pixels.

import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export function readDigits(path) {
  const b = gunzipSync(readFileSync(path));
  const magic = b.subarray(0, 8).toString('latin1');
  if (magic !== 'ESLTDIG1') throw new Error(`${path}: bad magic ${JSON.stringify(magic)}`);
  const count = b.readUInt32LE(8);
  const rows = b.readUInt16LE(12);
  const cols = b.readUInt16LE(14);
  const labels = b.subarray(16, 16 + count);
  const pixels = b.subarray(16 + count);
  if (pixels.length !== count * rows * cols) throw new Error(`${path}: ${pixels.length} pixel bytes for ${count} digits`);
  return {
    count,
    rows,
    cols,
    labels: Array.from(labels),
    image: (i) => Array.from(pixels.subarray(i * rows * cols, (i + 1) * rows * cols), (p) => p / 255),
  };
}

// Mass and centre of mass of an image of values in [0, 1]: x to the right,
// y up (as displayed), both from the image centre.
export function moments(values, rows, cols) {
  const cy = (rows - 1) / 2;
  const cx = (cols - 1) / 2;
  let m = 0;
  let mx = 0;
  let my = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = values[r * cols + c];
      m += v;
      mx += v * (c - cx);
      my += v * (cy - r);
    }
  }
  return { mass: m, x: mx / m, y: my / m };
}
