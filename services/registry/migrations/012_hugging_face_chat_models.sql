-- Chat models given as a Hugging Face model id (served by Triton's vLLM backend on GPU Tritons):
-- no file in the artifact store, so no digest and a size of 0; the chat template is part of the
-- version's preprocessing.
ALTER TABLE model_versions DROP CONSTRAINT model_versions_format_check;
ALTER TABLE model_versions ADD CONSTRAINT model_versions_format_check
    CHECK (format IN ('onnx', 'gguf', 'hf_model'));
