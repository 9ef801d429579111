// The config of the coordinator's 'run' job (WebRun's) from the settings:
// what Run sends, and what the page evaluates the run's source with ahead
// of it (prepare-ahead.js).

import { app } from './app.js';
import { batchProblems } from './backend.js';

// `s`: the settings (app.state); `ticket`: a ticket file being re-run, whose
// headroom and growth apply.
export function runConfig(s, ticket = null) {
  return {
    eps: s.eps,
    n: s.n,
    seed: s.seed,
    headroom: ticket?.headroom ?? 0.5,
    grow: ticket?.grow ?? true,
    testDigits: s.digits,
    batchProblems: batchProblems(),
    verifySlice: 100,
    literalSample: 2,
    backend: app.backend.use,
    memoryBudgetMib: s.memory,
  };
}
