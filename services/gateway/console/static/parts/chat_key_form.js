// A chat key's fields as POST and PATCH /chat-keys take them: its name, the chat APIs it may call,
// its five limits (empty: none), its projects (one per line) and their default. The registry judges
// every value; the form only spells the body.
import { html } from "../ui.js";
import { t } from "../i18n.js";
import { Refusal } from "./refusal.js";

export const LIMIT_FIELDS = ["requests_per_minute", "tokens_per_minute", "max_in_flight", "tokens_per_day", "tokens_per_month"];

function limitOf(text) {
  const trimmed = String(text || "").trim();
  return trimmed === "" ? null : Number(trimmed);
}

function bodyOf(form, withExpiry) {
  const body = {
    name: form.get("name"),
    api_ids: form.getAll("api_id"),
    limits: Object.fromEntries(LIMIT_FIELDS.map((field) => [field, limitOf(form.get(field))])),
    projects: String(form.get("projects") || "").split("\n").map((line) => line.trim()).filter(Boolean),
    default_project: String(form.get("default_project") || "").trim() || null,
  };
  // datetime-local is the viewer's local time; the API takes an instant with its zone.
  if (withExpiry && form.get("expires_at")) body.expires_at = new Date(form.get("expires_at")).toISOString();
  return body;
}

function ApiChoices({ chatApis, chosen }) {
  const listed = new Set(chatApis.map((api) => api.api_id));
  // A key may name an API the list no longer offers: keep it, so that saving does not drop it.
  const unlisted = chosen.filter((apiId) => !listed.has(apiId)).map((apiId) => ({ api_id: apiId, name: apiId }));
  const choices = [...chatApis, ...unlisted];
  if (choices.length === 0) return html`<p class="help" data-testid="no-chat-apis">${t("chatKeys.noChatApis")}</p>`;
  return html`<div class="choice">
    ${choices.map(
      (api) => html`<label key=${api.api_id} class="inline">
        <input type="checkbox" name="api_id" value=${api.api_id} defaultChecked=${chosen.includes(api.api_id)} />
        ${api.name}${api.chat_model_id ? html` <code>${api.chat_model_id}</code>` : ""}
      </label>`,
    )}
  </div>`;
}

/** onSubmit(body, formElement) does the call; error is its refusal, shown under the form. */
export function ChatKeyForm({ chatKey, chatApis, title, submitLabel, testId, withExpiry, error, notice, onSubmit }) {
  const limits = (chatKey && chatKey.limits) || {};
  function submit(event) {
    event.preventDefault();
    onSubmit(bodyOf(new FormData(event.currentTarget), withExpiry), event.currentTarget);
  }
  return html`<form class="card" onSubmit=${submit} data-testid=${testId}>
    <h2>${title}</h2>
    <label>${t("common.name")}<input name="name" required maxlength="200" defaultValue=${chatKey ? chatKey.name : ""} /></label>
    <fieldset><legend>${t("chatKeys.apis")}</legend>
      <${ApiChoices} chatApis=${chatApis} chosen=${chatKey ? chatKey.api_ids : []} />
    </fieldset>
    <fieldset><legend>${t("chatKeys.limits")}</legend>
      <p class="help">${t("chatKeys.limitsHelp")}</p>
      ${LIMIT_FIELDS.map(
        (field) => html`<label key=${field}>${t("limit." + field)}
          <input name=${field} type="number" step="1" defaultValue=${limits[field] ?? ""} placeholder=${t("chatKeys.noLimit")} />
        </label>`,
      )}
    </fieldset>
    <fieldset><legend>${t("chatKeys.projects")}</legend>
      <label>${t("chatKeys.projects")}
        <textarea name="projects" rows="3" defaultValue=${chatKey ? chatKey.projects.join("\n") : ""}></textarea>
      </label>
      <p class="help">${t("chatKeys.projectsHelp")}</p>
      <label>${t("chatKeys.defaultProject")}
        <input name="default_project" maxlength="200" defaultValue=${(chatKey && chatKey.default_project) || ""} />
      </label>
      <p class="help">${t("chatKeys.defaultProjectHelp")}</p>
    </fieldset>
    ${withExpiry && html`<label>${t("chatKeys.expiresAt")}<input name="expires_at" type="datetime-local" /></label>
      <p class="help">${t("chatKeys.expiresHelp")}</p>`}
    <${Refusal} error=${error} />
    ${notice && html`<p class="notice">${notice}</p>`}
    <button type="submit">${submitLabel}</button>
  </form>`;
}
