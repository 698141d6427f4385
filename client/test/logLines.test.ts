import * as assert from 'node:assert/strict';
import { StderrLevels } from '../src/logLines';

describe('server stderr levels', () => {
  it('reads the Serilog level and drops the time prefix', () => {
    const levels = new StderrLevels();
    assert.deepEqual(levels.read('[12:00:01.123 INF] Model loaded'), { level: 'info', message: 'Model loaded' });
    assert.deepEqual(levels.read('[12:00:01.200 WRN] slow'), { level: 'warn', message: 'slow' });
    assert.deepEqual(levels.read('[12:00:01.300 ERR] broken'), { level: 'error', message: 'broken' });
    assert.deepEqual(levels.read('[12:00:01.400 DBG] detail'), { level: 'debug', message: 'detail' });
  });

  it('gives an unprefixed line (a stack trace) the level of the line before', () => {
    const levels = new StderrLevels();
    levels.read('[12:00:01.300 ERR] broken');
    assert.deepEqual(levels.read('   at CodeAssist.Server.Program.Main()'), {
      level: 'error',
      message: '   at CodeAssist.Server.Program.Main()',
    });
  });
});
