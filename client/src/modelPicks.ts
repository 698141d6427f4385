import type { ModelEntry, Tier } from './protocol';

/** A quick-pick row for one model; structurally a vscode.QuickPickItem carrying its entry. */
export interface ModelPick {
  label: string;
  description: string;
  detail: string;
  entry: ModelEntry;
}

/** Marks the model the tier uses now (a codicon; VS Code renders it in quick-pick labels). */
export const ActiveMarker = '$(check)';

/** Marks a catalog model that picking downloads first. */
export const DownloadMarker = '$(cloud-download)';

/** Bytes in decimal units with three significant digits, as model download pages state sizes: 6.14 MB, 531 MB, 1.65 GB. */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) {
    return 'size unknown';
  }
  if (bytes < 1000) {
    return `${Math.round(bytes)} B`;
  }
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  // toPrecision(3) can round up to 1000 (999.7 kB): move to the next unit then.
  if (Number(value.toPrecision(3)) >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${Number(value.toPrecision(3))} ${units[unit]}`;
}

/** The rows of the model quick pick, in the server's order: label (active marked), size · family · FIM, then where it lives. */
export function modelPicks(entries: readonly ModelEntry[]): ModelPick[] {
  return entries.map((entry) => {
    if (entry.downloadable) {
      // The catalog's size is approximate, as the download page states it.
      const size = entry.sizeBytes !== undefined ? formatSize(entry.sizeBytes) : 'size unknown';
      return {
        label: `${DownloadMarker} ${entry.label}`,
        description: [size, entry.license, 'not downloaded'].filter((part) => part !== undefined && part !== '').join(' · '),
        detail: `${entry.family} · ${entry.fim ? 'FIM' : 'no FIM'} — picking it downloads it, then switches to it`,
        entry,
      };
    }
    const size =
      entry.sizeBytes !== undefined
        ? `${formatSize(entry.sizeBytes)}${entry.endpoint ? ' on the server' : ''}`
        : entry.endpoint
          ? 'remote'
          : 'size unknown';
    const where = entry.path ?? entry.endpoint;
    return {
      label: entry.active ? `${ActiveMarker} ${entry.label}` : entry.label,
      description: [size, entry.family, entry.fim ? 'FIM' : 'no FIM'].join(' · '),
      detail: [entry.active ? 'active' : undefined, where, entry.note].filter((part) => part !== undefined && part !== '').join(' — '),
      entry,
    };
  });
}

/** The quick pick's title for a tier. */
export function pickTitle(tier: Tier): string {
  return tier === 'local' ? 'CodeAssist: Select Model' : 'CodeAssist: Select Fallback Model';
}
