import type { Locator, Page } from 'playwright-core';

/** Drives the VS Code workbench in the browser page the way a person would: keys, the palette, the status bar. */
export class Workbench {
  constructor(readonly page: Page) {}

  /** Waits for the workbench to finish loading. */
  async ready(timeoutMs = 120_000): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ timeout: timeoutMs });
    await this.page.locator('.part.statusbar').waitFor({ timeout: timeoutMs });
  }

  /** The CodeAssist status bar item (its accessible label starts with "CodeAssist:"). */
  statusItem(): Locator {
    return this.page.locator('.part.statusbar [aria-label^="CodeAssist:"]').first();
  }

  /** Waits until the status item's label matches, and returns it. */
  async waitForStatus(pattern: RegExp, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = '(no CodeAssist status item)';
    while (Date.now() < deadline) {
      const item = this.statusItem();
      if ((await item.count()) > 0) {
        last = (await item.getAttribute('aria-label')) ?? '';
        if (pattern.test(last)) {
          return last;
        }
      }
      await this.page.waitForTimeout(250);
    }
    throw new Error(`status bar never matched ${pattern}; last: ${last}`);
  }

  /** Runs a command from the palette by its exact title, e.g. "CodeAssist: Select Model". */
  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input[type="text"]');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`>${title}`);
    // The palette's first row is its best fuzzy match ("Select Fallback Model" for "Select Model"): click the exact one.
    const labels = this.page.locator('.quick-input-list .monaco-list-row .label-name');
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const texts = (await labels.allInnerTexts()).map((text) => text.replace(/\s+/g, ' ').trim());
      const index = texts.indexOf(title);
      if (index >= 0) {
        await labels.nth(index).click();
        return;
      }
      await this.page.waitForTimeout(200);
    }
    throw new Error(`the command palette has no "${title}"`);
  }

  /** Opens a workspace file from the Explorer. */
  async openFile(name: string): Promise<void> {
    const row = this.page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first();
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    await row.click();
    await this.page.locator(`.tab[aria-label^="${name}"]`).first().waitFor({ timeout: 60_000 });
    const editor = this.page.locator('.editor-instance .monaco-editor .view-lines').first();
    await editor.waitFor({ timeout: 60_000 });
    await editor.click();
  }

  /** Puts the cursor at LINE:COLUMN (1-based) with Go to Line. */
  async goTo(line: number, column: number): Promise<void> {
    await this.page.keyboard.press('Control+G');
    const input = this.page.locator('.quick-input-widget input[type="text"]');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`:${line}:${column}`);
    await this.page.keyboard.press('Enter');
    await input.waitFor({ state: 'hidden', timeout: 10_000 });
  }

  /**
   * The ghost text shown now, with VS Code's non-breaking spaces read as spaces ('' when none). VS Code splits long
   * ghost text into several spans and puts further lines in view zones, so compare it with {@link squash}.
   */
  async ghostText(): Promise<string> {
    const parts = await this.page.locator('.monaco-editor .ghost-text-decoration, .monaco-editor .ghost-text').allTextContents();
    return parts.join('').replace(/\u00a0/g, ' ');
  }

  /** Waits for ghost text; after a while without one, asks for it explicitly (the bound trigger key). */
  async waitForGhostText(timeoutMs: number, triggerKey: string): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let triggered = false;
    const started = Date.now();
    while (Date.now() < deadline) {
      const text = await this.ghostText();
      if (text.trim() !== '') {
        return text;
      }
      if (!triggered && Date.now() - started > timeoutMs / 3) {
        await this.page.keyboard.press(triggerKey);
        triggered = true;
      }
      await this.page.waitForTimeout(200);
    }
    throw new Error('no ghost text appeared');
  }

  /** Rows of the open quick pick. */
  quickPickRows(): Locator {
    return this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
  }

  /** Text of every frame (webviews such as the Markdown preview live in nested frames). */
  async framesText(): Promise<string> {
    const texts: string[] = [];
    for (const frame of this.page.frames()) {
      try {
        texts.push(await frame.locator('body').innerText({ timeout: 1000 }));
      } catch {
        // A frame that is navigating or detached has no text yet.
      }
    }
    return texts.join('\n');
  }
}

/** Text without any whitespace: how ghost text (split across spans and lines) is compared with a file. */
export function squash(text: string): string {
  return text.replace(/\s+/g, '');
}
