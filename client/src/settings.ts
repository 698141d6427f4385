// What the client hands the server: the settings object, the process environment, the executable's path.
// No 'vscode' import, so the unit tests can run it in plain Node.

import * as os from 'node:os';
import * as path from 'node:path';

/** The environment variable the API key goes into when codeAssist.fallback.apiKeyEnv is not set. */
export const DefaultApiKeyEnv = 'CODEASSIST_API_KEY';

/** The environment variable naming the server executable (after the codeAssist.server.path setting). */
export const ServerPathEnv = 'CODEASSIST_SERVER_PATH';

/**
 * The initializationOptions key that tells the server whether the workspace is trusted (`false`: restricted mode).
 * Only the client sets it, and only at initialize: a setting of that name is dropped, so a workspace cannot forge it.
 */
export const WorkspaceTrustedOption = 'workspaceTrusted';

/** The settings section (`codeAssist`) as VS Code returns it: nested objects, client-only keys included. */
export type SettingsSection = Record<string, unknown>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function apiKeyEnvOf(settings: SettingsSection): string | undefined {
  const fallback = settings['fallback'];
  const name = isObject(fallback) ? fallback['apiKeyEnv'] : undefined;
  return typeof name === 'string' && name.trim() !== '' ? name.trim() : undefined;
}

/**
 * The settings object the server receives (initializationOptions, didChangeConfiguration, workspace/configuration):
 * the section without the client-only `server` key (nor a `workspaceTrusted` someone wrote into settings); when an API
 * key is stored and no `fallback.apiKeyEnv` is set, `fallback.apiKeyEnv` names the variable the key was put in, so
 * the server reads it.
 */
export function serverSettings(section: SettingsSection | undefined, apiKeyStored: boolean): SettingsSection {
  const copy = JSON.parse(JSON.stringify(section ?? {})) as SettingsSection;
  delete copy['server'];
  delete copy[WorkspaceTrustedOption];
  if (apiKeyStored && apiKeyEnvOf(copy) === undefined) {
    const fallback = isObject(copy['fallback']) ? copy['fallback'] : {};
    copy['fallback'] = { ...fallback, apiKeyEnv: DefaultApiKeyEnv };
  }
  return copy;
}

/**
 * initializationOptions: the server's settings and whether the workspace is trusted (`vscode.workspace.isTrusted`).
 * What restricted mode allows is decided by the server; the client only says which mode.
 */
export function initializationOptions(section: SettingsSection | undefined, apiKeyStored: boolean, trusted: boolean): SettingsSection {
  return { ...serverSettings(section, apiKeyStored), [WorkspaceTrustedOption]: trusted };
}

/** The variable name the API key is handed over in. */
export function apiKeyVariable(section: SettingsSection | undefined): string {
  return apiKeyEnvOf(section ?? {}) ?? DefaultApiKeyEnv;
}

/** The server process's environment: the extension host's, plus the API key under its variable when one is stored. */
export function serverEnvironment(
  base: NodeJS.ProcessEnv,
  section: SettingsSection | undefined,
  apiKey: string | undefined,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  if (apiKey !== undefined && apiKey !== '') {
    env[apiKeyVariable(section)] = apiKey;
  }
  return env;
}

/** Expands a leading `~/` (or `~\`) to the home folder, as the server does for model paths. */
export function expandHome(file: string, home: string = os.homedir()): string {
  return /^~[\\/]/.test(file) ? path.join(home, file.slice(2)) : file;
}

/** Where the server executable comes from, in order of precedence. */
export type ServerSource = 'setting' | 'environment' | 'packaged';

/**
 * The server executable: the codeAssist.server.path setting, else $CODEASSIST_SERVER_PATH, else the server
 * published into the extension (`dist/server/codeassist`, `.exe` on Windows).
 */
export function resolveServerPath(
  setting: unknown,
  env: NodeJS.ProcessEnv,
  extensionPath: string,
  platform: NodeJS.Platform = process.platform,
): { path: string; source: ServerSource } {
  if (typeof setting === 'string' && setting.trim() !== '') {
    return { path: expandHome(setting.trim()), source: 'setting' };
  }
  const fromEnv = env[ServerPathEnv];
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    return { path: expandHome(fromEnv.trim()), source: 'environment' };
  }
  const executable = platform === 'win32' ? 'codeassist.exe' : 'codeassist';
  return { path: path.join(extensionPath, 'dist', 'server', executable), source: 'packaged' };
}
