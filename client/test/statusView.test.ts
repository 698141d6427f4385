import * as assert from 'node:assert/strict';
import type { StatusParams } from '../src/protocol';
import { modelName, statusView } from '../src/statusView';

const ready: StatusParams = {
  tiers: [
    { tier: 'local', model: 'codeassist-py-tiny', state: 'ready', lastLatencyMs: 41.6 },
    { tier: 'fallback', model: null, state: 'off' },
  ],
};

describe('status bar', () => {
  it('shows the local model and its last latency when ready', () => {
    const view = statusView('running', true, ready);
    assert.equal(view.text, '$(sparkle) codeassist-py-tiny 42 ms');
    assert.equal(view.severity, 'normal');
    assert.equal(view.ariaLabel, 'CodeAssist: ready, model codeassist-py-tiny, last completion 42 ms');
  });

  it('lists every tier in the tooltip and says what a click does', () => {
    const view = statusView('running', true, ready);
    assert.equal(
      view.tooltip,
      ['CodeAssist', 'Local: codeassist-py-tiny — ready, last completion 42 ms', 'Fallback: off', 'Click to select a model.'].join('\n'),
    );
  });

  it('spins while a model loads, without a stale latency', () => {
    const view = statusView('running', true, {
      tiers: [{ tier: 'local', model: '/models/qwen2.5-coder-1.5b-q8_0.gguf', state: 'loading', lastLatencyMs: 41 }],
    });
    assert.equal(view.text, '$(loading~spin) qwen2.5-coder-1.5b-q8_0');
    assert.equal(view.ariaLabel, 'CodeAssist: loading, model qwen2.5-coder-1.5b-q8_0');
  });

  it('shows an error state in red with the server message in the tooltip', () => {
    const view = statusView('running', true, {
      tiers: [{ tier: 'local', model: 'broken', state: 'error', message: 'not a GGUF file' }],
    });
    assert.equal(view.text, '$(error) broken');
    assert.equal(view.severity, 'error');
    assert.match(view.tooltip, /Local: broken — error, not a GGUF file/);
  });

  it('names the fallback tier with its latency in the tooltip', () => {
    const view = statusView('running', true, {
      tiers: [
        { tier: 'local', model: 'codeassist-py-tiny', state: 'ready' },
        { tier: 'fallback', model: 'qwen2.5-coder:7b', state: 'ready', lastLatencyMs: 310 },
      ],
    });
    assert.equal(view.text, '$(sparkle) codeassist-py-tiny');
    assert.match(view.tooltip, /Fallback: qwen2.5-coder:7b — ready, last completion 310 ms/);
  });

  it('shows the model check under its tier and warns when it asks the user to act', () => {
    const fine = statusView('running', true, {
      tiers: [{ tier: 'local', model: 'qwen2.5-coder-1.5b-q8_0', state: 'ready', check: 'fills in the middle (Qwen2.5-Coder format)', checkWarning: false }],
    });
    assert.equal(fine.severity, 'normal');
    assert.equal(fine.text, '$(sparkle) qwen2.5-coder-1.5b-q8_0');
    assert.match(fine.tooltip, /Local: qwen2.5-coder-1.5b-q8_0 — ready\n  Model check: fills in the middle \(Qwen2.5-Coder format\)/);

    const chat = statusView('running', true, {
      tiers: [{ tier: 'local', model: 'qwen2.5-coder-1.5b-instruct-q8_0', state: 'ready', check: 'this is a chat (instruct) model', checkWarning: true }],
    });
    assert.equal(chat.severity, 'warning');
    assert.equal(chat.text, '$(warning) qwen2.5-coder-1.5b-instruct-q8_0');
    assert.match(chat.tooltip, /⚠ Model check: this is a chat \(instruct\) model/);
    assert.match(chat.ariaLabel, /model check warns$/);
  });

  it('says when inline completions are turned off', () => {
    const view = statusView('running', false, ready);
    assert.equal(view.text, '$(circle-slash) codeassist-py-tiny');
    assert.match(view.ariaLabel, /^CodeAssist: disabled/);
    assert.match(view.tooltip, /Inline completions are off/);
  });

  it('reads as ready before the server has sent any status', () => {
    const view = statusView('running', true, undefined);
    assert.equal(view.text, '$(sparkle) CodeAssist');
    assert.equal(view.ariaLabel, 'CodeAssist: ready');
  });

  it('shows starting and stopped phases whatever the last status said', () => {
    assert.equal(statusView('starting', true, ready).ariaLabel, 'CodeAssist: starting');
    const stopped = statusView('stopped', true, ready);
    assert.equal(stopped.text, '$(error) CodeAssist');
    assert.equal(stopped.severity, 'error');
  });
});

describe('modelName', () => {
  it('shortens paths to the file name without .gguf', () => {
    assert.equal(modelName('/home/me/models/qwen.Q8_0.gguf'), 'qwen.Q8_0');
    assert.equal(modelName('C:\\models\\Tiny.GGUF'), 'Tiny');
    assert.equal(modelName('qwen2.5-coder:7b'), 'qwen2.5-coder:7b');
  });

  it('has no name for a missing model', () => {
    assert.equal(modelName(null), undefined);
    assert.equal(modelName(''), undefined);
  });
});
