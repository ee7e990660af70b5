// The account's Prediction One data sets on a page of their own (the Training page shows them too).
import { html } from "../ui.js";
import { t } from "../i18n.js";
import { DataSets } from "../parts/data_sets.js";

export function DataSetsPage() {
  return html`<main>
    <p><a href="#/training">${t("common.back")}</a></p>
    <h1>${t("dataSets.title")}</h1>
    <p class="help">${t("training.startedElsewhere")}</p>
    <${DataSets} />
  </main>`;
}
