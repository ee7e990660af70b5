// "Publish as classifier": a trained model as a Prediction One API, formal or trial; its key is
// shown once, with a copy button, as the Create API dialog shows it.
import { html, useState } from "../ui.js";
import { call } from "../api.js";
import { t } from "../i18n.js";
import { ShownOnce } from "./copy_button.js";
import { rememberKey } from "./fresh_keys.js";
import { Refusal, attempt } from "./refusal.js";

export function PublishClassifier({ modelNumber }) {
  const [apiType, setApiType] = useState("trial");
  const [created, setCreated] = useState(null);
  const [error, setError] = useState(null);

  async function submit(event) {
    event.preventDefault();
    await attempt(setError, async () => {
      const answer = await call("POST", "/trained-models/" + encodeURIComponent(modelNumber) + "/classifier", {
        api_type: apiType,
      });
      rememberKey(answer.api.api_id, answer.api_key);
      setCreated(answer);
    });
  }

  if (created) {
    return html`<div class="card" data-testid="classifier-published">
      <h3>${t("publish.title")}</h3>
      <p>${t("create.done")}</p>
      <${ShownOnce} secret=${created.api_key} testId="published-key" />
      <p><a class="button" href=${"#/apis/" + encodeURIComponent(created.api.api_id)}>${t("create.open")}</a></p>
    </div>`;
  }
  return html`<form class="card" onSubmit=${submit} data-testid="publish-classifier">
    <h3>${t("publish.title")}</h3>
    <fieldset><legend>${t("create.apiType")}</legend>
      ${["formal", "trial"].map(
        (word) => html`<label key=${word} class="inline">
          <input type="radio" name="api_type" value=${word} checked=${apiType === word} onChange=${() => setApiType(word)} />${t("type." + word)}
        </label>`,
      )}
      <p class="help">${t(apiType === "trial" ? "create.trialHelp" : "create.formalHelp")}</p>
    </fieldset>
    <${Refusal} error=${error} />
    <button type="submit">${t("publish.submit")}</button>
  </form>`;
}
