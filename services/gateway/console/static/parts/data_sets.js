// The account's uploaded Prediction One data sets, newest first, a page at a time.
import { html } from "../ui.js";
import { formatInstant, t } from "../i18n.js";
import { Pager } from "./pager.js";
import { usePagedList } from "./paged_list.js";
import { Refusal } from "./refusal.js";

export const DATA_SETS_PAGE_SIZE = 20;

export function DataSets() {
  const { items, page, error, setOffset } = usePagedList("/data-sets", "data_sets", DATA_SETS_PAGE_SIZE);
  return html`<section data-testid="data-sets-section">
    <${Refusal} error=${error} />
    ${items === null && !error && html`<p>${t("common.loading")}</p>`}
    ${items !== null && items.length === 0 && html`<p>${t("dataSets.empty")}</p>`}
    ${items !== null &&
    items.length > 0 &&
    html`<table data-testid="data-sets">
      <thead><tr>
        <th>${t("common.name")}</th><th>${t("dataSets.id")}</th><th>${t("dataSets.extension")}</th>
        <th>${t("dataSets.columns")}</th><th>${t("dataSets.rows")}</th><th>${t("dataSets.size")}</th>
        <th>${t("common.createdAt")}</th>
      </tr></thead>
      <tbody>
        ${items.map(
          (dataSet) => html`<tr key=${dataSet.data_set_id} data-data-set-id=${dataSet.data_set_id}>
            <td data-field="name">${dataSet.name}</td>
            <td><code>${dataSet.data_set_id}</code></td>
            <td data-field="extension">${dataSet.extension}</td>
            <td data-field="column_count">${dataSet.column_count}</td>
            <td data-field="data_count">${dataSet.data_count}</td>
            <td data-field="size_bytes">${dataSet.size_bytes}</td>
            <td>${formatInstant(dataSet.created_at)}</td>
          </tr>`,
        )}
      </tbody>
    </table>`}
    <${Pager} page=${page} onOffset=${setOffset} testId="data-sets-pager" />
  </section>`;
}
