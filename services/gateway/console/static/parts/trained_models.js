// The model versions training made, newest first, each linked to its entry on the Models page, with
// its actions (publish as a classifier, retrain) in a dialog.
import { html, useState } from "../ui.js";
import { formatInstant, t } from "../i18n.js";
import { ModelActionsDialog } from "./model_actions.js";
import { Pager } from "./pager.js";
import { usePagedList } from "./paged_list.js";
import { Refusal } from "./refusal.js";

export const TRAINED_MODELS_PAGE_SIZE = 20;

export function TrainedModels() {
  const { items, page, error, setOffset } = usePagedList("/trained-models", "trained_models", TRAINED_MODELS_PAGE_SIZE);
  const [acting, setActing] = useState(null);
  return html`<section data-testid="trained-models-section">
    <${Refusal} error=${error} />
    ${items === null && !error && html`<p>${t("common.loading")}</p>`}
    ${items !== null && items.length === 0 && html`<p>${t("trainedModels.empty")}</p>`}
    ${items !== null &&
    items.length > 0 &&
    html`<table data-testid="trained-models">
      <thead><tr>
        <th>${t("common.name")}</th><th>${t("trainedModels.version")}</th><th>${t("trainedModels.number")}</th>
        <th>${t("trainedModels.problemType")}</th><th>${t("trainedModels.target")}</th>
        <th>${t("trainedModels.inUse")}</th><th>${t("common.createdAt")}</th><th></th>
      </tr></thead>
      <tbody>
        ${items.map(
          (model) => html`<tr key=${model.model_version_id} data-model-number=${model.model_number}>
            <td><a href=${"#/models/" + encodeURIComponent(model.model_id)}>${model.model_name}</a></td>
            <td data-field="version">${model.version}</td>
            <td data-field="model_number">${model.model_number}</td>
            <td data-field="problem_type">${model.problem_type ? t("problemType." + model.problem_type) : ""}</td>
            <td data-field="target_column">${model.target_column}</td>
            <td data-field="in_use">${t(model.in_use ? "common.yes" : "common.no")}</td>
            <td>${formatInstant(model.created_at)}</td>
            <td>
              <button type="button" class="secondary" onClick=${() => setActing(model.model_number)} data-testid="model-actions-open">
                ${t("modelActions.open")}
              </button>
            </td>
          </tr>`,
        )}
      </tbody>
    </table>`}
    <${Pager} page=${page} onOffset=${setOffset} testId="trained-models-pager" />
    ${acting !== null && html`<${ModelActionsDialog} modelNumber=${acting} onClose=${() => setActing(null)} />`}
  </section>`;
}
