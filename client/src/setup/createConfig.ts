/**
 * The guided "Create glassbox.json": look at the workspace, ask for the label, write and open the
 * file, and say the next step. The daemon opens the new project by itself (it watches for
 * glassbox.json); while the checkpoint folder holds nothing, a diagnostic on `checkpoints.path`
 * says what to do.
 */
import type { Host } from '../host';
import { inferConfig, parseHeader } from './inferConfig';

const EXCLUDE = '**/{node_modules,.git,dist,.glassbox}/**';
/** Model files of every checkpoint format the daemon reads (TF.js, ONNX, XGBoost, LightGBM). */
const MODEL_GLOBS = ['**/model.json', '**/*.onnx', '**/xgboost.json', '**/*.ubj', '**/lightgbm.txt'];

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
  const [csvFiles, ...modelLists] = await Promise.all([host.findFiles('**/*.csv', EXCLUDE, 50), ...MODEL_GLOBS.map((g) => host.findFiles(g, EXCLUDE, 500))]);
  const modelFiles = [...new Set(modelLists.flat())];
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
  const folder = config.checkpoints.path;
  const found = modelFiles.filter((f) => rel(f).startsWith(`${folder}/`)).length;
  void host.info(
    found > 0
      ? `glassbox.json created: Glassbox is analysing the ${found} checkpoint${found === 1 ? '' : 's'} in ${folder}/, newest first.`
      : `glassbox.json created. Next: train your model and save checkpoints in ${folder}/; Glassbox analyses each one as it lands.`,
  );
  return target;
}
