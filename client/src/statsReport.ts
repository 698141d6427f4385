import type { StatsResult, SuggestionStats, TierStats } from './protocol';

function ms(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : `${value.toFixed(1)} ms`;
}

function percent(part: number, whole: number): string {
  return whole > 0 ? `${Math.round((100 * part) / whole)}%` : '–';
}

function table(header: [string, string], rows: Array<[string, string | number]>): string[] {
  return [`| ${header[0]} | ${header[1]} |`, '| --- | ---: |', ...rows.map(([key, value]) => `| ${key} | ${value} |`)];
}

/** Renders the answer of codeAssist/stats as a Markdown page (the Show Stats command opens it read-only). */
export function statsMarkdown(stats: StatsResult, when: Date = new Date()): string {
  const lines: string[] = ['# CodeAssist statistics', '', `Counters since the server started, read ${when.toLocaleString()}.`, ''];

  lines.push('## Completions', '');
  lines.push(
    ...table(
      ['', 'count'],
      [
        ['requests', stats.requests],
        ['answered from the cache', stats.cacheHits],
        ['typed through a shown suggestion', stats.typedThrough],
        ['accepted', `${stats.accepted} (${percent(stats.accepted, stats.requests)} of requests)`],
        ['cancelled or superseded', stats.cancelled],
        ['silent in a comment or string', stats.silenced ?? 0],
        ['rejected by the checks', stats.rejected ?? 0],
        ['unsure, nothing shown', stats.abstained ?? 0],
        ['the valid start of a rejected candidate', stats.derived ?? 0],
        ['candidates proposed', stats.candidates ?? 0],
        ...Object.entries(stats.rejectedBy ?? {}).map(([check, count]): [string, number] => [`candidates rejected (${check})`, count]),
      ],
    ),
    '',
  );

  lines.push('## Tiers', '', '| tier | calls | answers shown | p50 | p95 |', '| --- | ---: | ---: | ---: | ---: |');
  const tiers = Object.entries(stats.tiers) as Array<[string, TierStats]>;
  for (const [tier, figures] of tiers) {
    lines.push(`| ${tier} | ${figures.calls} | ${figures.answers} | ${ms(figures.p50Ms)} | ${ms(figures.p95Ms)} |`);
  }
  lines.push('');

  // Older servers do not count suggestions per model.
  if (stats.suggestions !== undefined) {
    lines.push('## Suggestions by model', '');
    const perModel = Object.entries(stats.suggestions).flatMap(([tier, models]) =>
      (Object.entries(models) as Array<[string, SuggestionStats]>).map(
        ([model, figures]) => `- ${tier} · ${model}: shown ${figures.shown}, accepted ${figures.accepted} (${percent(figures.accepted, figures.shown)})`,
      ),
    );
    lines.push(...(perModel.length > 0 ? perModel : ['none shown yet']), '');
  }

  lines.push('## Escalations to the fallback', '');
  const escalations = Object.entries(stats.escalations);
  lines.push(...(escalations.length > 0 ? table(['reason', 'count'], escalations) : ['none']), '');

  const fallback = stats.fallback;
  lines.push('## Fallback', '');
  lines.push(
    ...table(
      ['', ''],
      [
        ['kind', fallback.kind],
        ['answers used (within the deadline)', fallback.used],
        ['late (local answer shown)', fallback.late],
        ['failed (local answer shown)', fallback.failed],
        ['circuit breaker', fallback.breaker],
      ],
    ),
    '',
  );
  const failures = Object.entries(fallback.failures);
  if (failures.length > 0) {
    lines.push('### Failures by reason', '', ...table(['reason', 'count'], failures), '');
  }

  // Older servers do not send code actions' counters.
  const actions = stats.codeActions as StatsResult['codeActions'] | undefined;
  if (actions !== undefined) {
    lines.push('## Code actions', '', '| tier | calls | written | p50 | p95 |', '| --- | ---: | ---: | ---: | ---: |');
    for (const [tier, figures] of Object.entries(actions.tiers) as Array<[string, TierStats]>) {
      lines.push(`| ${tier} | ${figures.calls} | ${figures.answers} | ${ms(figures.p50Ms)} | ${ms(figures.p95Ms)} |`);
    }
    lines.push(
      '',
      ...table(
        ['fallback', 'count'],
        [
          ['wrote it (within routing.codeActionDeadlineMs)', actions.used],
          ['late (written locally)', actions.late],
          ['failed (written locally)', actions.failed],
          ...(Object.entries(actions.failures).map(([reason, count]) => [`failure: ${reason}`, count]) as Array<[string, number]>),
        ],
      ),
      '',
    );
  }
  return lines.join('\n');
}
