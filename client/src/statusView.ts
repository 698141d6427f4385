import type { StatusParams, TierStatus } from './protocol';

/** Where the client is with its server, before and besides what the server reports. */
export type ClientPhase = 'starting' | 'running' | 'stopped';

/** What the status bar item shows. */
export interface StatusView {
  text: string;
  tooltip: string;
  /** The item's accessible label (screen readers, and the e2e test, read it). */
  ariaLabel: string;
  severity: 'normal' | 'warning' | 'error';
}

/** A model as the status bar names it: the file name without folders or ".gguf". */
export function modelName(model: string | null | undefined): string | undefined {
  if (model === null || model === undefined || model.trim() === '') {
    return undefined;
  }
  const base = model.split(/[\\/]/).filter((part) => part !== '').pop() ?? model;
  return base.replace(/\.gguf$/i, '');
}

function describeTier(status: TierStatus): string {
  const name = status.tier === 'local' ? 'Local' : 'Fallback';
  const model = modelName(status.model) ?? 'no model';
  const parts = [`${name}: ${status.state === 'off' ? 'off' : `${model} — ${status.state}`}`];
  if (status.lastLatencyMs !== undefined && status.state !== 'off') {
    parts.push(`last completion ${Math.round(status.lastLatencyMs)} ms`);
  }
  if (status.message) {
    parts.push(status.message);
  }
  const line = parts.join(', ');
  return status.check && status.state !== 'off' ? `${line}\n  ${status.checkWarning ? '⚠ ' : ''}Model check: ${status.check}` : line;
}

/**
 * The status bar text, tooltip and accessible label from the client's phase, the enable setting and the latest
 * codeAssist/status notification (undefined until the first arrives). The text names the local tier's model, its
 * state and its last latency; the tooltip lists every tier.
 */
export function statusView(phase: ClientPhase, enabled: boolean, status: StatusParams | undefined): StatusView {
  const click = 'Click to select a model.';
  if (phase === 'stopped') {
    return {
      text: '$(error) CodeAssist',
      tooltip: `CodeAssist: the server is not running (see CodeAssist: Show Logs).\n${click}`,
      ariaLabel: 'CodeAssist: server stopped',
      severity: 'error',
    };
  }
  if (phase === 'starting') {
    return {
      text: '$(loading~spin) CodeAssist',
      tooltip: 'CodeAssist: starting the server…',
      ariaLabel: 'CodeAssist: starting',
      severity: 'normal',
    };
  }

  const local = status?.tiers.find((tier) => tier.tier === 'local');
  const lines = status ? status.tiers.map(describeTier) : ['Server running.'];
  if (!enabled) {
    lines.push('Inline completions are off (CodeAssist: Toggle Inline Completions).');
  }
  lines.push(click);
  const tooltip = `CodeAssist\n${lines.join('\n')}`;

  const name = modelName(local?.model);
  const state = local?.state ?? 'ready';
  const label = name ?? 'CodeAssist';
  let icon: string;
  let severity: StatusView['severity'] = 'normal';
  if (!enabled) {
    icon = '$(circle-slash)';
  } else if (state === 'loading') {
    icon = '$(loading~spin)';
  } else if (state === 'error') {
    icon = '$(error)';
    severity = 'error';
  } else if (state === 'off') {
    icon = '$(circle-slash)';
    severity = 'warning';
  } else if (local?.checkWarning) {
    // Ready, but the model check says ghost text from this model will disappoint (no FIM, a chat model): never silently.
    icon = '$(warning)';
    severity = 'warning';
  } else {
    icon = '$(sparkle)';
  }
  const latency = enabled && local?.lastLatencyMs !== undefined && state === 'ready' ? ` ${Math.round(local.lastLatencyMs)} ms` : '';
  const shownState = !enabled ? 'disabled' : state;
  return {
    text: `${icon} ${label}${latency}`,
    tooltip,
    ariaLabel: `CodeAssist: ${shownState}${name ? `, model ${name}` : ''}${latency ? `, last completion${latency}` : ''}${enabled && local?.checkWarning && state === 'ready' ? ', model check warns' : ''}`,
    severity,
  };
}
