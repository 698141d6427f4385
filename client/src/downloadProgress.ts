// Turns the server's work-done progress of a model download into VS Code's progress reports. No 'vscode' import: unit-tested.

/** The $/progress values the client hands on (begin, report, end), reduced to what a notification shows. */
export interface ProgressValue {
  kind: 'begin' | 'report' | 'end';
  message?: string;
  percentage?: number;
}

/** What vscode.Progress.report takes: VS Code adds up increments, the server sends a percentage done. */
export interface ProgressStep {
  message?: string;
  increment?: number;
}

/** Tracks the percentage reported so far, so that each step carries only the increment since the last. */
export class DownloadProgress {
  private _done = 0;

  /** The step for one server value; nothing for the end (the notification closes when the request answers). */
  step(value: ProgressValue): ProgressStep | undefined {
    if (value.kind === 'end') {
      return undefined;
    }
    const step: ProgressStep = {};
    if (value.message !== undefined) {
      step.message = value.message;
    }
    if (value.percentage !== undefined && Number.isFinite(value.percentage)) {
      const done = Math.min(100, Math.max(this._done, value.percentage));
      if (done > this._done) {
        step.increment = done - this._done;
        this._done = done;
      }
    }
    return step.message === undefined && step.increment === undefined ? undefined : step;
  }
}
