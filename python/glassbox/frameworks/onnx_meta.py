"""Epoch, step and learning rate in an ONNX file's `metadata_props`, so the model file alone still
says where in training it came from. Needs the `onnx` package; without it the file is left as is
(glassbox-meta.json beside it carries the same values)."""


def add(path, meta):
    try:
        import onnx
    except ImportError:
        return False
    model = onnx.load(path)
    props = {p.key: p for p in model.metadata_props}
    for key, value in meta.items():
        if value is None:
            continue
        entry = props.get(key)
        if entry is None:
            entry = model.metadata_props.add()
            entry.key = key
        entry.value = repr(float(value)) if isinstance(value, float) else str(value)
    onnx.save(model, path)
    return True
