// A network's logits on the test digits, by digit: the coordinator keeps
// the target's per model (they depend on neither the seed, nor ε, nor n)
// and the unpruned source's per source (they depend on its seed and n
// alone), computed ahead of a run while the page is idle or in a run's
// verify slices, so that later slices ask the solvers for the ticket alone.

export class RowLogits {
  constructor() {
    this.classes = 0;
    this.data = new Float32Array(0);
    this.known = new Uint8Array(0); // 1 for each digit whose logits are in
  }

  // Whether the logits of digits start..end are all known.
  has(start, end) {
    if (!this.classes || end > this.known.length) return false;
    for (let i = start; i < end; i++) if (!this.known[i]) return false;
    return true;
  }

  // Digits of 0..rows whose logits are known.
  count(rows) {
    let k = 0;
    for (let i = 0; i < Math.min(rows, this.known.length); i++) k += this.known[i];
    return k;
  }

  // Digits start..end (at most `most`) of 0..rows, the first run of digits
  // neither known nor in `pending` (a Set of digit indices out for
  // computing), now added to `pending`; null if there is none.
  missingSlice(rows, pending, most) {
    let start = 0;
    const wanted = (i) => !(i < this.known.length && this.known[i]) && !pending.has(i);
    while (start < rows && !wanted(start)) start += 1;
    if (start >= rows) return null;
    let end = start;
    while (end < Math.min(rows, start + most) && wanted(end)) pending.add(end++);
    return { start, end };
  }

  // Logits of digits start..end (row-major [end − start, classes]).
  get(start, end) {
    return this.data.slice(start * this.classes, end * this.classes);
  }

  // Keeps `logits` ([end − start, classes]) of digits start..end.
  put(start, end, logits) {
    const rows = end - start;
    if (rows <= 0 || logits.length % rows) return;
    const classes = logits.length / rows;
    if (this.classes && classes !== this.classes) return; // another model: ignore
    this.classes = classes;
    if (end > this.known.length) {
      const size = Math.max(end, 2 * this.known.length);
      const data = new Float32Array(size * classes);
      data.set(this.data);
      const known = new Uint8Array(size);
      known.set(this.known);
      this.data = data;
      this.known = known;
    }
    this.data.set(logits, start * classes);
    this.known.fill(1, start, end);
  }
}
