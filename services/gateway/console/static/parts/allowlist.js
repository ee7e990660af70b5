// The API's IP allowlist: its rules, one added by CIDR, one removed; the server judges each CIDR.
import { html, useState } from "../ui.js";
import { call, query } from "../api.js";
import { t } from "../i18n.js";
import { Refusal, attempt } from "./refusal.js";

export function Allowlist({ api, onChanged }) {
  const [error, setError] = useState(null);
  const path = "/apis/" + encodeURIComponent(api.api_id) + "/rules";

  async function add(event) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const cidr = new FormData(formElement).get("cidr").trim();
    const added = await attempt(setError, async () => onChanged((await call("POST", path, { cidr })).api));
    if (added) formElement.reset();
  }

  function remove(cidr) {
    attempt(setError, async () => onChanged((await call("DELETE", path + query({ cidr }))).api));
  }

  return html`<section data-testid="allowlist">
    <h2>${t("api.allowlist")}</h2>
    <p class="help">${t("api.allowlistHelp")}</p>
    ${api.rules.length === 0
      ? html`<p>${t("api.allowlistEmpty")}</p>`
      : html`<table>
          <thead><tr><th>${t("api.cidr")}</th><th>${t("api.action")}</th><th></th></tr></thead>
          <tbody>
            ${api.rules.map(
              (rule) => html`<tr key=${rule.cidr} data-cidr=${rule.cidr}>
                <td><code>${rule.cidr}</code></td><td>${rule.action}</td>
                <td><button type="button" class="secondary" onClick=${() => remove(rule.cidr)}>${t("common.remove")}</button></td>
              </tr>`,
            )}
          </tbody>
        </table>`}
    <form class="inline-form" onSubmit=${add}>
      <label class="inline">${t("api.cidr")}<input name="cidr" required placeholder="203.0.113.0/24" /></label>
      <button type="submit">${t("common.add")}</button>
    </form>
    <${Refusal} error=${error} />
  </section>`;
}
