// Numbers explained where they stand: the sentences and chart marks that
// say what a figure means (pure functions of the run's numbers; no DOM).

const int = (v) => Math.round(v).toLocaleString('en');
const sci = (v) => (v === 0 ? '0' : v.toExponential(1).replace('e-', 'e−'));

// Ticket and target accuracies can only differ on rows where their top
// predictions differ: "the same within N of M digits".
export function sameWithin({ agreement, test_digits: n }, unit) {
  const disagree = Math.round((1 - agreement) * n);
  return disagree === 0
    ? `the same prediction on every one of the ${int(n)} ${unit}`
    : `the same within ${int(disagree)} of ${int(n)} ${unit} (the only ones on which the two disagree)`;
}

// The accuracy card's note: what was verified, how close the logits are,
// and the check against the pruned source as it literally stands.
export function accuracyNote(cmp, total, unit, literal) {
  if (!cmp) {
    return `Target and ticket are both run on every one of the ${unit}; agreement is how often their top predictions are the same.`;
  }
  const done = cmp.test_digits;
  const disagree = Math.round((1 - cmp.agreement) * done);
  const parts = [
    `On ${int(done)} of ${int(total)} ${unit}. Their accuracies can differ only where their predictions do: on ${int(disagree)} here.`,
    `Largest logit difference ${cmp.max_logit_error.toPrecision(3)} (largest logit ${cmp.max_abs_logit.toPrecision(3)}).`,
  ];
  if (literal) {
    const rows = unit.includes('digit') ? 'digit' : 'row';
    parts.push(
      `Checked against the pruned source as it stands (both random layers, every kept weight) on ${literal.digits} ${rows}${literal.digits === 1 ? '' : 's'}: relative difference ${sci(literal.max_rel_diff)}.`,
    );
  }
  return parts.join(' ');
}

// Marks on the Error-vs-n chart at the run's n of each layer ("L1, L4
// n = 14"), one per distinct n, labels on alternate rows where close.
export function runMarks(nPerLayer) {
  const byN = new Map();
  nPerLayer.forEach((n, i) => byN.set(n, [...(byN.get(n) ?? []), i + 1]));
  return [...byN.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([n, layers], k) => ({
      axis: 'x',
      value: n,
      label: `L${layers.join(',')} n=${n}`,
      color: 'c4',
      labelRow: k % 2,
    }));
}

// The sweep's largest rise of the max error from one n to the next (at
// least 1.5×): why it happens, said in the chart.
export function riseNote(points) {
  let best = null;
  for (let i = 1; i < points.length; i++) {
    const ratio = points[i].max_coef_error / points[i - 1].max_coef_error;
    if (ratio >= 1.5 && (!best || ratio > best.ratio)) best = { n: points[i].n, ratio };
  }
  if (!best) return '';
  return `max error up ${best.ratio.toFixed(1)}× at n = ${best.n}: a few coefficients lack enough\ncandidates of the right sign — why a run grows such a layer`;
}
