// Sign-in: user name, optional account name and password; the session comes back as cookies.
import { html, useState } from "../ui.js";
import { call } from "../api.js";
import { t } from "../i18n.js";
import { Refusal, attempt } from "../parts/refusal.js";

export function SignInPage({ onSignedIn }) {
  const [error, setError] = useState(null);

  async function submit(event) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body = { user_name: form.get("user_name"), password: form.get("password") };
    if (form.get("account_name")) body.account_name = form.get("account_name");
    await attempt(setError, async () => onSignedIn(await call("POST", "/session", body, { quietOn401: true })));
  }

  return html`<main class="narrow">
    <h1>${t("signIn.title")}</h1>
    <form onSubmit=${submit}>
      <label>${t("signIn.userName")}<input name="user_name" autocomplete="username" required /></label>
      <label>${t("signIn.accountName")}<input name="account_name" /></label>
      <label>${t("signIn.password")}<input name="password" type="password" autocomplete="current-password" required /></label>
      <${Refusal} error=${error} />
      <button type="submit">${t("signIn.submit")}</button>
    </form>
  </main>`;
}
