// One chat key: its fields and dates, a change of its name, APIs, limits or projects, its secret
// replaced (shown once), its deletion, and its usage per day, project and API.
import { html, useEffect, useState } from "../ui.js";
import { call } from "../api.js";
import { formatInstant, t } from "../i18n.js";
import { accountApis, chatApisOf, lastUses } from "../parts/chat_apis.js";
import { ChatKeyForm } from "../parts/chat_key_form.js";
import { ApisOfKey, LimitsOfKey, ProjectsOfKey } from "../parts/chat_key_summary.js";
import { ChatKeyUsage } from "../parts/chat_key_usage.js";
import { ShownOnce } from "../parts/copy_button.js";
import { Refusal, attempt } from "../parts/refusal.js";

function Info({ chatKey, apiNames, lastUsed }) {
  return html`<dl data-testid="chat-key-info">
    <dt>${t("chatKeys.keyId")}</dt><dd data-field="key_id"><code>${chatKey.key_id}</code></dd>
    <dt>${t("chatKeys.apis")}</dt><dd data-field="apis"><${ApisOfKey} chatKey=${chatKey} apiNames=${apiNames} /></dd>
    <dt>${t("chatKeys.limits")}</dt><dd data-field="limits"><${LimitsOfKey} limits=${chatKey.limits} /></dd>
    <dt>${t("chatKeys.projects")}</dt><dd data-field="projects"><${ProjectsOfKey} chatKey=${chatKey} /></dd>
    <dt>${t("common.createdAt")}</dt><dd data-field="created_at">${formatInstant(chatKey.created_at)}</dd>
    <dt>${t("chatKeys.lastUsed")}</dt><dd data-field="last_used">${lastUsed ? formatInstant(lastUsed) : t("chatKeys.notUsed")}</dd>
    <dt>${t("chatKeys.expiresAt")}</dt><dd data-field="expires_at">${chatKey.expires_at ? formatInstant(chatKey.expires_at) : t("chatKeys.never")}</dd>
    <dt>${t("chatKeys.rotatedAt")}</dt><dd data-field="rotated_at">${chatKey.rotated_at ? formatInstant(chatKey.rotated_at) : t("chatKeys.never")}</dd>
  </dl>`;
}

function Actions({ chatKey, onRotated, onDeleted }) {
  const [error, setError] = useState(null);
  const [secret, setSecret] = useState(null);
  const path = "/chat-keys/" + encodeURIComponent(chatKey.key_id);
  const rotate = () =>
    attempt(setError, async () => {
      const answer = await call("POST", path + "/rotate");
      setSecret(answer.api_key);
      onRotated(answer.chat_key);
    });
  const remove = () =>
    attempt(setError, async () => {
      await call("DELETE", path);
      onDeleted();
    });
  return html`<section class="actions" data-testid="chat-key-actions">
    <button type="button" onClick=${rotate}>${t("chatKeys.rotate")}</button>
    <button type="button" class="danger" onClick=${remove}>${t("chatKeys.delete")}</button>
    ${secret && html`<div class="notice"><p>${t("chatKeys.rotated")}</p><${ShownOnce} secret=${secret} testId="rotated-secret" /></div>`}
    <${Refusal} error=${error} />
  </section>`;
}

export function ChatKeyDetailPage({ keyId }) {
  const [chatKey, setChatKey] = useState(null);
  const [apis, setApis] = useState([]);
  const [used, setUsed] = useState(new Map());
  const [error, setError] = useState(null);
  const [saveError, setSaveError] = useState(null);
  const [saves, setSaves] = useState(0);
  const [deleted, setDeleted] = useState(false);

  useEffect(() => {
    call("GET", "/chat-keys/" + encodeURIComponent(keyId)).then((body) => setChatKey(body.chat_key), setError);
    accountApis().then(setApis, setError);
    lastUses().then(setUsed, setError);
  }, [keyId]);

  async function save(body) {
    await attempt(setSaveError, async () => {
      setChatKey((await call("PATCH", "/chat-keys/" + encodeURIComponent(keyId), body)).chat_key);
      // A new form takes the saved values as its defaults.
      setSaves((count) => count + 1);
    });
  }

  if (deleted) {
    return html`<main><p><a href="#/chat-keys">${t("common.back")}</a></p><p data-testid="chat-key-deleted">${t("chatKeys.deleted")}</p></main>`;
  }
  const apiNames = new Map(apis.map((api) => [api.api_id, api.name]));
  return html`<main>
    <p><a href="#/chat-keys">${t("common.back")}</a></p>
    <${Refusal} error=${error} />
    ${chatKey === null && !error && html`<p>${t("common.loading")}</p>`}
    ${chatKey &&
    html`<h1>${chatKey.name}</h1>
      <${Info} chatKey=${chatKey} apiNames=${apiNames} lastUsed=${used.get(chatKey.key_id)} />
      <${Actions} chatKey=${chatKey} onRotated=${setChatKey} onDeleted=${() => setDeleted(true)} />
      <${ChatKeyForm}
        key=${saves}
        chatKey=${chatKey}
        chatApis=${chatApisOf(apis)}
        title=${t("chatKeys.edit")}
        submitLabel=${t("chatKeys.save")}
        testId="edit-chat-key"
        withExpiry=${false}
        error=${saveError}
        notice=${saves > 0 && !saveError ? t("chatKeys.saved") : null}
        onSubmit=${save}
      />
      <${ChatKeyUsage} chatKey=${chatKey} apiNames=${apiNames} />`}
  </main>`;
}
