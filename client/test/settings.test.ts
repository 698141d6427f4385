import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import {
  DefaultApiKeyEnv,
  apiKeyVariable,
  expandHome,
  initializationOptions,
  resolveServerPath,
  serverEnvironment,
  serverSettings,
} from '../src/settings';

describe('settings handed to the server', () => {
  const section = { enable: true, maxTokens: 64, server: { path: '/opt/codeassist' }, fallback: { kind: 'openai', apiKeyEnv: null } };

  it('drops the client-only server key and keeps the rest', () => {
    assert.deepEqual(serverSettings(section, false), { enable: true, maxTokens: 64, fallback: { kind: 'openai', apiKeyEnv: null } });
  });

  it('names the default key variable when a key is stored and none is configured', () => {
    assert.deepEqual(serverSettings(section, true).fallback, { kind: 'openai', apiKeyEnv: DefaultApiKeyEnv });
    assert.deepEqual(serverSettings({}, true), { fallback: { apiKeyEnv: DefaultApiKeyEnv } });
  });

  it('keeps a configured key variable', () => {
    const configured = { fallback: { apiKeyEnv: 'OPENAI_API_KEY' } };
    assert.deepEqual(serverSettings(configured, true), configured);
  });

  it('does not change the object VS Code gave', () => {
    const original = JSON.parse(JSON.stringify(section)) as unknown;
    serverSettings(section, true);
    assert.deepEqual(section, original);
  });
});

describe('workspace trust handed to the server', () => {
  it('adds whether the workspace is trusted to the settings, at initialize only', () => {
    assert.deepEqual(initializationOptions({ maxTokens: 8, server: { path: '/x' } }, false, false), { maxTokens: 8, workspaceTrusted: false });
    assert.deepEqual(initializationOptions({}, false, true), { workspaceTrusted: true });
    assert.equal('workspaceTrusted' in serverSettings({ maxTokens: 8 }, false), false);
  });

  it('cannot be forged by a setting of the same name', () => {
    const forged = { model: '/repo/evil.gguf', workspaceTrusted: true };
    assert.equal(initializationOptions(forged, false, false)['workspaceTrusted'], false);
    assert.deepEqual(serverSettings(forged, false), { model: '/repo/evil.gguf' });
  });
});

describe('server environment', () => {
  it('puts the key under the configured variable', () => {
    const env = serverEnvironment({ PATH: '/bin' }, { fallback: { apiKeyEnv: 'OPENAI_API_KEY' } }, 'sk-1');
    assert.deepEqual(env, { PATH: '/bin', OPENAI_API_KEY: 'sk-1' });
  });

  it('puts the key under CODEASSIST_API_KEY when no variable is configured', () => {
    assert.equal(serverEnvironment({}, undefined, 'sk-2')[DefaultApiKeyEnv], 'sk-2');
    assert.equal(apiKeyVariable({ fallback: { apiKeyEnv: '  ' } }), DefaultApiKeyEnv);
  });

  it('adds nothing without a key, and leaves the base environment alone', () => {
    const base = { PATH: '/bin' };
    assert.deepEqual(serverEnvironment(base, {}, undefined), { PATH: '/bin' });
    serverEnvironment(base, {}, 'sk-3');
    assert.deepEqual(base, { PATH: '/bin' });
  });
});

describe('server executable', () => {
  it('prefers the setting, then the environment, then the packaged server', () => {
    assert.deepEqual(resolveServerPath('/opt/ca/codeassist', { CODEASSIST_SERVER_PATH: '/env/ca' }, '/ext', 'linux'), {
      path: '/opt/ca/codeassist',
      source: 'setting',
    });
    assert.deepEqual(resolveServerPath(null, { CODEASSIST_SERVER_PATH: '/env/ca' }, '/ext', 'linux'), {
      path: '/env/ca',
      source: 'environment',
    });
    assert.deepEqual(resolveServerPath('', {}, '/ext', 'linux'), {
      path: path.join('/ext', 'dist', 'server', 'codeassist'),
      source: 'packaged',
    });
  });

  it('uses codeassist.exe on Windows', () => {
    assert.equal(path.basename(resolveServerPath(undefined, {}, '/ext', 'win32').path), 'codeassist.exe');
  });

  it('expands a leading ~/', () => {
    assert.equal(expandHome('~/bin/codeassist', '/home/me'), path.join('/home/me', 'bin/codeassist'));
    assert.equal(expandHome('/abs/~/x', '/home/me'), '/abs/~/x');
  });
});
