// What can be done with a trained model from the console: publish it as a classifier, retrain it.
import { html } from "../ui.js";
import { t } from "../i18n.js";
import { PublishClassifier } from "./publish_classifier.js";
import { RetrainForm } from "./retrain_form.js";

export function ModelActions({ modelNumber }) {
  return html`<section data-testid="model-actions" data-model-number=${modelNumber}>
    <h2>${t("modelActions.title", { number: modelNumber })}</h2>
    <${PublishClassifier} modelNumber=${modelNumber} />
    <${RetrainForm} modelNumber=${modelNumber} />
  </section>`;
}

/** The same actions as a dialog, opened from a row of the trained models table. */
export function ModelActionsDialog({ modelNumber, onClose }) {
  return html`<div class="overlay"><div class="dialog" role="dialog" aria-modal="true" data-testid="model-actions-dialog">
    <${ModelActions} modelNumber=${modelNumber} />
    <p><button type="button" class="secondary" onClick=${onClose}>${t("common.close")}</button></p>
  </div></div>`;
}
