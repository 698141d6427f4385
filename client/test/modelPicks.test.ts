import * as assert from 'node:assert/strict';
import { formatSize, modelPicks, pickTitle } from '../src/modelPicks';
import type { ModelEntry } from '../src/protocol';

const tiny: ModelEntry = {
  id: 'codeassist-py-tiny',
  label: 'codeassist-py-tiny',
  tier: 'local',
  path: '/ext/dist/server/models/codeassist-py-tiny.gguf',
  sizeBytes: 6136480,
  family: 'codeassist',
  fim: true,
  active: true,
};

const qwen: ModelEntry = {
  id: 'qwen2.5-coder-1.5b-q8_0',
  label: 'Qwen2.5-Coder 1.5B Q8_0',
  tier: 'local',
  path: '/home/me/models/qwen2.5-coder-1.5b-q8_0.gguf',
  sizeBytes: 1_650_000_000,
  family: 'qwen',
  fim: true,
  active: false,
};

describe('model quick pick', () => {
  it('marks the active model in its label and leaves the others plain', () => {
    const picks = modelPicks([tiny, qwen]);
    assert.equal(picks[0]?.label, '$(check) codeassist-py-tiny');
    assert.equal(picks[1]?.label, 'Qwen2.5-Coder 1.5B Q8_0');
  });

  it('describes size, family and FIM support', () => {
    const picks = modelPicks([tiny, { ...qwen, fim: false, family: 'llama' }]);
    assert.equal(picks[0]?.description, '6.14 MB · codeassist · FIM');
    assert.equal(picks[1]?.description, '1.65 GB · llama · no FIM');
  });

  it('puts the active marker and the file path in the detail', () => {
    const picks = modelPicks([tiny, qwen]);
    assert.equal(picks[0]?.detail, 'active — /ext/dist/server/models/codeassist-py-tiny.gguf');
    assert.equal(picks[1]?.detail, '/home/me/models/qwen2.5-coder-1.5b-q8_0.gguf');
  });

  it('shows a remote model by its endpoint, without a size', () => {
    const remote: ModelEntry = {
      id: 'qwen2.5-coder:7b',
      label: 'qwen2.5-coder:7b',
      tier: 'fallback',
      endpoint: 'http://127.0.0.1:11434',
      family: 'qwen',
      fim: true,
      active: false,
    };
    const [pick] = modelPicks([remote]);
    assert.equal(pick?.description, 'remote · qwen · FIM');
    assert.equal(pick?.detail, 'http://127.0.0.1:11434');
  });

  it('lists a server model with its size on the server and what its name says', () => {
    const served: ModelEntry = {
      id: 'remote:qwen2.5-coder:1.5b-base',
      label: 'qwen2.5-coder:1.5b-base (ollama)',
      tier: 'fallback',
      endpoint: 'http://127.0.0.1:11434',
      sizeBytes: 986_000_000,
      family: 'qwen',
      fim: true,
      active: false,
      note: 'FIM code model, by its name',
    };
    const [pick] = modelPicks([served]);
    assert.equal(pick?.description, '986 MB on the server · qwen · FIM');
    assert.equal(pick?.detail, 'http://127.0.0.1:11434 — FIM code model, by its name');
  });

  it('says the size is unknown for a local entry without one', () => {
    const { sizeBytes: _omitted, ...unsized } = qwen;
    assert.equal(modelPicks([unsized])[0]?.description, 'size unknown · qwen · FIM');
  });

  it('keeps the server order and carries each entry', () => {
    const picks = modelPicks([qwen, tiny]);
    assert.deepEqual(
      picks.map((pick) => pick.entry.id),
      ['qwen2.5-coder-1.5b-q8_0', 'codeassist-py-tiny'],
    );
  });

  it('offers a catalog model not downloaded yet with its size, licence and a download marker', () => {
    const downloadable: ModelEntry = {
      id: 'qwen2.5-coder-0.5b-q8_0',
      label: 'qwen2.5-coder-0.5b-q8_0',
      tier: 'local',
      sizeBytes: 531_000_000,
      family: 'qwen',
      fim: true,
      active: false,
      downloadable: true,
      license: 'Apache-2.0',
    };
    const [pick] = modelPicks([downloadable]);
    assert.equal(pick?.label, '$(cloud-download) qwen2.5-coder-0.5b-q8_0');
    assert.equal(pick?.description, '531 MB · Apache-2.0 · not downloaded');
    assert.equal(pick?.detail, 'qwen · FIM — picking it downloads it, then switches to it');
    assert.equal(pick?.entry, downloadable);

    const { license: _license, sizeBytes: _size, ...bare } = downloadable;
    assert.equal(modelPicks([bare])[0]?.description, 'size unknown · not downloaded');
  });

  it('titles the pick after the command that opened it', () => {
    assert.equal(pickTitle('local'), 'CodeAssist: Select Model');
    assert.equal(pickTitle('fallback'), 'CodeAssist: Select Fallback Model');
  });
});

describe('formatSize', () => {
  it('uses decimal units with three significant digits', () => {
    assert.equal(formatSize(0), '0 B');
    assert.equal(formatSize(999), '999 B');
    assert.equal(formatSize(1000), '1 kB');
    assert.equal(formatSize(35235), '35.2 kB');
    assert.equal(formatSize(6136480), '6.14 MB');
    assert.equal(formatSize(531_000_000), '531 MB');
    assert.equal(formatSize(4_920_000_000), '4.92 GB');
  });

  it('moves to the next unit when rounding reaches 1000', () => {
    assert.equal(formatSize(999_700), '1 MB');
    assert.equal(formatSize(999_999_999), '1 GB');
  });

  it('does not invent a size for nonsense', () => {
    assert.equal(formatSize(-1), 'size unknown');
    assert.equal(formatSize(Number.NaN), 'size unknown');
  });
});
