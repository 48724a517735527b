import { describe, expect, it } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { parseConfig } from '../../core/config/config';
import { isGlassboxError } from '../../core/errors';
import { diagnosticAt } from '../../daemon/types';
import { toDiagnostic } from './diagnostics';
import { ACTION_COMMANDS, codeActionsFor } from './code-actions';
import { Commands } from '../../../../client/src/commandIds';

const CONFIG = `{
  "data": { "train": "data/train.csv" },
  "lable": "income",
  "checkpoints": { "path": "checkpoints", "learningrate": 0.1 }
}
`;

/** The diagnostic the daemon publishes for a config error (the real parser's message and place). */
function configDiagnostic(text: string) {
  try {
    parseConfig(text, '/p/glassbox.json');
  } catch (e) {
    if (!isGlassboxError(e)) throw e;
    return toDiagnostic(diagnosticAt(e.location!, 'error', e.message, e.code));
  }
  return undefined;
}

describe('code actions', () => {
  it('fixes mistyped keys of glassbox.json until the file parses', () => {
    let text = CONFIG;
    const fixed: string[] = [];
    for (let i = 0; i < 3; i++) {
      const d = configDiagnostic(text);
      if (!d) break;
      const doc = TextDocument.create('file:///p/glassbox.json', 'json', 1, text);
      const actions = codeActionsFor(doc.uri, [d], (line) => doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }).replace(/\n$/, ''));
      expect(actions).toHaveLength(1);
      fixed.push(actions[0]!.title);
      text = TextDocument.applyEdits(doc, actions[0]!.edit!.changes![doc.uri]!);
    }
    expect(fixed).toEqual(["Change 'lable' to 'label'", "Change 'learningrate' to 'learningRate'"]);
    expect(configDiagnostic(text)).toBeUndefined();
    expect(text).toBe(CONFIG.replace('"lable"', '"label"').replace('"learningrate"', '"learningRate"'));
  });

  it('offers nothing for config errors without a suggestion or for other sources', () => {
    const d = configDiagnostic('{ "data": 3 }')!;
    expect(d.code).toBe('config');
    expect(codeActionsFor('file:///p/glassbox.json', [d], () => '{ "data": 3 }')).toEqual([]);
    expect(codeActionsFor('file:///p/t.csv', [{ ...d, code: 'suspect-row', source: 'other' }], () => '')).toEqual([]);
  });

  it('runs the extension commands of those names', () => {
    expect(ACTION_COMMANDS.explainRow).toBe(Commands.explainRow);
    expect(ACTION_COMMANDS.openDashboard).toBe(Commands.openDashboard);
    const check = { range: { start: { line: 3, character: 2 }, end: { line: 3, character: 9 } }, source: 'glassbox', code: 'check:leakage', message: 'm' };
    expect(codeActionsFor('file:///p/glassbox.json', [check], () => '')[0]!.command).toEqual({ title: 'Open in the Glassbox panel', command: 'glassbox.openDashboard' });
  });
});
