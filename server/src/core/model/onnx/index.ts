/** ONNX models (torch.onnx.export, tf2onnx) rebuilt as TF.js ops, so every gradient method and
 * TracIn differentiate them exactly with `tf.grad`. */
export { loadOnnxGraph, prepareOnnxGraph, MIN_OPSET, MAX_OPSET } from './load';
export { OnnxGraph, type OnnxParameter, type OnnxGraphInfo, type GraphSpec } from './graph';
export { SUPPORTED_OPERATORS } from './ops/registry';
