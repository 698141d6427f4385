import * as assert from 'node:assert/strict';
import { DownloadProgress } from '../src/downloadProgress';

describe('download progress', () => {
  it('turns the percentages done into increments with the message', () => {
    const tracker = new DownloadProgress();
    assert.equal(tracker.step({ kind: 'begin' }), undefined);
    assert.deepEqual(tracker.step({ kind: 'report', message: '12.3 MB of 531 MB, 4.1 MB/s, 2 min left', percentage: 2 }), {
      message: '12.3 MB of 531 MB, 4.1 MB/s, 2 min left',
      increment: 2,
    });
    assert.deepEqual(tracker.step({ kind: 'report', message: '266 MB of 531 MB, 4.1 MB/s, 65 s left', percentage: 50 }), {
      message: '266 MB of 531 MB, 4.1 MB/s, 65 s left',
      increment: 48,
    });
  });

  it('never goes back or past 100 %', () => {
    const tracker = new DownloadProgress();
    tracker.step({ kind: 'report', percentage: 60 });
    assert.deepEqual(tracker.step({ kind: 'report', message: 'again', percentage: 40 }), { message: 'again' });
    assert.deepEqual(tracker.step({ kind: 'report', percentage: 130 }), { increment: 40 });
    assert.equal(tracker.step({ kind: 'report', percentage: 100 }), undefined);
  });

  it('shows a size-less download by its message alone, and nothing for the end', () => {
    const tracker = new DownloadProgress();
    assert.deepEqual(tracker.step({ kind: 'report', message: '3 MB, 1 MB/s' }), { message: '3 MB, 1 MB/s' });
    assert.equal(tracker.step({ kind: 'end', message: 'test-coder is the local model' }), undefined);
  });
});
