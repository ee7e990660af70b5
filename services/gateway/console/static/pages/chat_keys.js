// The account's chat keys (OpenAI virtual keys): each with its APIs, limits, projects and dates, and
// a new one, whose secret is shown once with its copy button.
import { html, useEffect, useState } from "../ui.js";
import { call } from "../api.js";
import { formatInstant, t } from "../i18n.js";
import { accountApis, chatApisOf, lastUses } from "../parts/chat_apis.js";
import { ChatKeyForm } from "../parts/chat_key_form.js";
import { ApisOfKey, LimitsOfKey, ProjectsOfKey } from "../parts/chat_key_summary.js";
import { ShownOnce } from "../parts/copy_button.js";
import { Refusal, attempt } from "../parts/refusal.js";

function KeyRow({ chatKey, apiNames, lastUsed }) {
  return html`<tr data-key-id=${chatKey.key_id} data-name=${chatKey.name}>
    <td><a href=${"#/chat-keys/" + chatKey.key_id}>${chatKey.name}</a></td>
    <td data-field="apis"><${ApisOfKey} chatKey=${chatKey} apiNames=${apiNames} /></td>
    <td data-field="limits"><${LimitsOfKey} limits=${chatKey.limits} /></td>
    <td data-field="projects"><${ProjectsOfKey} chatKey=${chatKey} /></td>
    <td>${formatInstant(chatKey.created_at)}</td>
    <td data-field="last_used">${lastUsed ? formatInstant(lastUsed) : t("chatKeys.notUsed")}</td>
    <td data-field="expires_at">${chatKey.expires_at ? formatInstant(chatKey.expires_at) : t("chatKeys.never")}</td>
  </tr>`;
}

export function ChatKeysPage() {
  const [keys, setKeys] = useState(null);
  const [apis, setApis] = useState([]);
  const [used, setUsed] = useState(new Map());
  const [error, setError] = useState(null);
  const [createError, setCreateError] = useState(null);
  const [created, setCreated] = useState(null);

  function load() {
    call("GET", "/chat-keys").then((body) => setKeys(body.chat_keys), setError);
    accountApis().then(setApis, setError);
    lastUses().then(setUsed, setError);
  }
  useEffect(load, []);

  async function create(body, formElement) {
    setCreated(null);
    await attempt(setCreateError, async () => {
      setCreated(await call("POST", "/chat-keys", body));
      formElement.reset();
      load();
    });
  }

  const apiNames = new Map(apis.map((api) => [api.api_id, api.name]));
  return html`<main>
    <h1>${t("chatKeys.title")}</h1>
    <p class="help">${t("chatKeys.about")}</p>
    <${Refusal} error=${error} />
    ${keys === null && !error && html`<p>${t("common.loading")}</p>`}
    ${keys !== null && keys.length === 0 && html`<p>${t("chatKeys.empty")}</p>`}
    ${keys !== null &&
    keys.length > 0 &&
    html`<table data-testid="chat-keys">
      <thead><tr>
        <th>${t("common.name")}</th><th>${t("chatKeys.apis")}</th><th>${t("chatKeys.limits")}</th><th>${t("chatKeys.projects")}</th>
        <th>${t("common.createdAt")}</th><th>${t("chatKeys.lastUsed")}</th><th>${t("chatKeys.expiresAt")}</th>
      </tr></thead>
      <tbody>
        ${keys.map((chatKey) => html`<${KeyRow} key=${chatKey.key_id} chatKey=${chatKey} apiNames=${apiNames} lastUsed=${used.get(chatKey.key_id)} />`)}
      </tbody>
    </table>`}
    ${created &&
    html`<div class="notice" data-testid="chat-key-created">
      <p>${t("chatKeys.created", { name: created.chat_key.name })}</p>
      <${ShownOnce} secret=${created.api_key} testId="chat-key-secret" />
    </div>`}
    <${ChatKeyForm}
      chatApis=${chatApisOf(apis)}
      title=${t("chatKeys.create")}
      submitLabel=${t("chatKeys.submit")}
      testId="create-chat-key"
      withExpiry=${true}
      error=${createError}
      onSubmit=${create}
    />
  </main>`;
}
