/** The guided "Create glassbox.json": look at the workspace, ask for the label, write and open the file. */
import type { Host } from '../host';
import { inferConfig, parseHeader } from './inferConfig';

const EXCLUDE = '**/{node_modules,.git,dist,.glassbox}/**';

export async function createConfigFile(host: Host): Promise<string | undefined> {
  const root = host.workspaceRoot();
  if (!root) {
    void host.info('Open a folder first: glassbox.json describes the data and checkpoints of a workspace folder.');
    return undefined;
  }
  const target = `${root}/glassbox.json`;
  if (await host.exists(target)) {
    if ((await host.info('This folder already has a glassbox.json.', 'Open It')) === 'Open It') await host.openFile(target);
    return undefined;
  }
  const rel = (p: string) => p.slice(root.length + 1).replace(/\\/g, '/');
  const [csvFiles, modelFiles] = await Promise.all([host.findFiles('**/*.csv', EXCLUDE, 50), host.findFiles('**/model.json', EXCLUDE, 500)]);
  const csvs = await Promise.all(csvFiles.map(async (f) => ({ path: rel(f), header: parseHeader((await host.readText(f, 64 * 1024)).split(/\r?\n/, 1)[0] ?? '') })));
  const guess = inferConfig(csvs, modelFiles.map(rel));
  if (!guess) {
    void host.info('No CSV file with a header found in this folder: Glassbox needs the training data as CSV.');
    return undefined;
  }
  const label = await host.pick(guess.labelCandidates.map((c, i) => ({ label: c, description: i === 0 ? 'guessed' : undefined })), `Which column of ${guess.config.data.train} does the model predict?`);
  if (!label) return undefined;
  // No `$schema`: the extension contributes the schema for every glassbox.json (jsonValidation).
  const config = { ...guess.config, label: label.label };
  await host.writeText(target, `${JSON.stringify(config, null, 2)}\n`);
  await host.openFile(target);
  return target;
}
