-- Chat models: GGUF model versions, published as OpenAI chat APIs under a model id their owner
-- chooses (e.g. "acme/chat-small"), unique in the account: the id is how a client names the API.
ALTER TABLE model_versions DROP CONSTRAINT model_versions_format_check;
ALTER TABLE model_versions ADD CONSTRAINT model_versions_format_check CHECK (format IN ('onnx', 'gguf'));

ALTER TABLE published_apis DROP CONSTRAINT published_apis_contract_check;
ALTER TABLE published_apis ADD CONSTRAINT published_apis_contract_check
    CHECK (contract IN ('nnc', 'prediction_one', 'openai_chat'));

ALTER TABLE published_apis ADD COLUMN chat_model_id text NOT NULL DEFAULT '';
ALTER TABLE published_apis ADD CONSTRAINT published_apis_chat_model_id_check
    CHECK ((contract = 'openai_chat') = (chat_model_id <> ''));
CREATE UNIQUE INDEX published_apis_account_chat_model_id
    ON published_apis (account_id, chat_model_id) WHERE chat_model_id <> '';
