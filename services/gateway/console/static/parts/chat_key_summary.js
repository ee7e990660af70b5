// A chat key's APIs, limits and projects in a few words, for its row in the list and its screen.
import { html } from "../ui.js";
import { t } from "../i18n.js";
import { LIMIT_FIELDS } from "./chat_key_form.js";

export function ApisOfKey({ chatKey, apiNames }) {
  return html`${chatKey.api_ids.map(
    (apiId, index) => html`${index > 0 ? ", " : ""}<a key=${apiId} href=${"#/apis/" + apiId}>${apiNames.get(apiId) || apiId}</a>`,
  )}`;
}

export function LimitsOfKey({ limits }) {
  const set = LIMIT_FIELDS.filter((field) => limits[field] !== null && limits[field] !== undefined);
  if (set.length === 0) return html`<span class="help">${t("chatKeys.noLimit")}</span>`;
  return html`<ul class="plain">
    ${set.map((field) => html`<li key=${field} data-limit=${field}>${t("limit." + field)}: ${limits[field]}</li>`)}
  </ul>`;
}

export function ProjectsOfKey({ chatKey }) {
  if (chatKey.projects.length === 0) return html`<span class="help">${t("common.none")}</span>`;
  return html`${chatKey.projects.map(
    (project, index) => html`${index > 0 ? ", " : ""}<code key=${project}>${project}</code>${
      project === chatKey.default_project ? html` <span class="help">(${t("chatKeys.default")})</span>` : ""
    }`,
  )}`;
}
