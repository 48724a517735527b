/** File URIs of the LSP messages to paths and back (file: URIs only: Glassbox reads local files). */
import { fileURLToPath, pathToFileURL } from 'node:url';

export const toUri = (file: string): string => pathToFileURL(file).href;
export const toPath = (uri: string): string => fileURLToPath(uri);
