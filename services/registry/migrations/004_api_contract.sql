-- Which client contract an API speaks (its URL's form): NNC or Prediction One. It never changes.
ALTER TABLE published_apis ADD COLUMN contract text NOT NULL DEFAULT 'nnc'
    CHECK (contract IN ('nnc', 'prediction_one'));
