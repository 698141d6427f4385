import * as assert from 'node:assert/strict';
import type { StatsResult } from '../src/protocol';
import { statsMarkdown } from '../src/statsReport';

const stats: StatsResult = {
  requests: 12,
  cacheHits: 2,
  typedThrough: 3,
  accepted: 3,
  cancelled: 4,
  abstained: 5,
  derived: 2,
  candidates: 40,
  rejectedBy: { syntax: 6, names: 2, repetition: 1 },
  tiers: {
    local: { calls: 9, answers: 6, p50Ms: 41.24, p95Ms: 88 },
    fallback: { calls: 0, answers: 0 },
  },
  suggestions: {
    local: { 'tiny-v1': { shown: 120, accepted: 31 }, 'small-v1': { shown: 0, accepted: 0 } },
    fallback: { coder: { shown: 4, accepted: 4 } },
  },
  escalations: { invoked: 2, blockStart: 1, unsure: 0, emptyLocal: 0 },
  fallback: { kind: 'openai', used: 2, late: 1, failed: 1, failures: { timeout: 1, 'http-500': 1 }, breaker: 'closed' },
  codeActions: {
    tiers: { local: { calls: 1, answers: 1, p50Ms: 812, p95Ms: 812 }, fallback: { calls: 2, answers: 1, p50Ms: 2100, p95Ms: 2400 } },
    used: 1,
    late: 0,
    failed: 1,
    failures: { 'http-500': 1 },
  },
};

describe('stats report', () => {
  const text = statsMarkdown(stats, new Date(2026, 0, 2, 3, 4, 5));

  it('counts completions, with the acceptance rate', () => {
    assert.match(text, /\| requests \| 12 \|/);
    assert.match(text, /\| accepted \| 3 \(25% of requests\) \|/);
    assert.match(text, /\| cancelled or superseded \| 4 \|/);
  });

  it('counts candidates, the checks that rejected them and the requests left unanswered when unsure', () => {
    assert.match(text, /\| unsure, nothing shown \| 5 \|/);
    assert.match(text, /\| the valid start of a rejected candidate \| 2 \|/);
    assert.match(text, /\| candidates proposed \| 40 \|/);
    assert.match(text, /\| candidates rejected \(syntax\) \| 6 \|/);
    assert.match(text, /\| candidates rejected \(names\) \| 2 \|/);
  });

  it('gives each tier its calls and latency, with a dash before the first call', () => {
    assert.match(text, /\| local \| 9 \| 6 \| 41\.2 ms \| 88\.0 ms \|/);
    assert.match(text, /\| fallback \| 0 \| 0 \| – \| – \|/);
  });

  it('gives each tier and model its suggestions shown and accepted, with the acceptance rate', () => {
    assert.match(text, /## Suggestions by model\n\n- local · tiny-v1: shown 120, accepted 31 \(26%\)\n/);
    assert.match(text, /- local · small-v1: shown 0, accepted 0 \(–\)\n/);
    assert.match(text, /- fallback · coder: shown 4, accepted 4 \(100%\)\n/);
  });

  it('says when no suggestion was shown yet, and leaves the section out for a server without the counts', () => {
    assert.match(statsMarkdown({ ...stats, suggestions: { local: {}, fallback: {} } }), /## Suggestions by model\n\nnone shown yet\n/);
    const { suggestions: _, ...older } = stats;
    assert.doesNotMatch(statsMarkdown(older), /Suggestions by model/);
  });

  it('lists escalations, the fallback outcome and failures by reason', () => {
    assert.match(text, /\| invoked \| 2 \|/);
    assert.match(text, /\| kind \| openai \|/);
    assert.match(text, /\| circuit breaker \| closed \|/);
    assert.match(text, /### Failures by reason[\s\S]*\| http-500 \| 1 \|/);
  });

  it('counts code actions apart, per tier and by fallback outcome', () => {
    assert.match(text, /## Code actions[\s\S]*\| fallback \| 2 \| 1 \| 2100\.0 ms \| 2400\.0 ms \|/);
    assert.match(text, /\| failed \(written locally\) \| 1 \|/);
    assert.match(text, /\| failure: http-500 \| 1 \|/);
  });

  it('leaves the failures table out when nothing failed, and has no rate for no requests', () => {
    const quiet = statsMarkdown({ ...stats, requests: 0, accepted: 0, fallback: { ...stats.fallback, failures: {} } });
    assert.doesNotMatch(quiet, /Failures by reason/);
    assert.match(quiet, /\| accepted \| 0 \(– of requests\) \|/);
  });
});
