/**
 * The one place the project imports TensorFlow.js from. tfjs-core plus layers and the two pure
 * JavaScript/WebAssembly backends; the native backends are loaded on demand by `backend.ts`.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';

export { tf };
export * as tfl from '@tensorflow/tfjs-layers';
