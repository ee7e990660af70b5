// Which model a version belongs to: the API names only its version, and the screen shows both.
import { call, query } from "../api.js";

/** {model, version} for a model version id among the account's models, or null. */
export async function findModelVersion(accountId, modelVersionId) {
  const { models } = await call("GET", "/models" + query({ account_id: accountId }));
  const found = await Promise.all(models.map((model) => call("GET", "/models/" + encodeURIComponent(model.model_id))));
  for (const { model, versions } of found) {
    const version = versions.find((candidate) => candidate.model_version_id === modelVersionId);
    if (version) return { model, version };
  }
  return null;
}
