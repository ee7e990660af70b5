// The password change a session must make first when someone else set its password. Changing it
// ends every session of the user; the console signs in again with the new password.
import { html, useState } from "../ui.js";
import { call, ApiError } from "../api.js";
import { t } from "../i18n.js";
import { Refusal, attempt } from "../parts/refusal.js";

export function ChangePasswordPage({ forced, userName, onChanged }) {
  const [error, setError] = useState(null);

  async function submit(event) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    if (form.get("new_password") !== form.get("repeat_password")) {
      setError(new ApiError(0, "MISMATCH", t("password.mismatch")));
      return;
    }
    const password = form.get("new_password");
    const changed = await attempt(setError, () =>
      call("PUT", "/password", { current_password: form.get("current_password"), new_password: password }),
    );
    if (!changed) return;
    try {
      onChanged(await call("POST", "/session", { user_name: userName, password }, { quietOn401: true }));
    } catch {
      onChanged(null); // signed out: the sign-in page asks for the account too
    }
  }

  return html`<main class="narrow">
    <h1>${t("password.title")}</h1>
    ${forced && html`<p>${t("password.why")}</p>`}
    <form onSubmit=${submit}>
      <label>${t("password.current")}<input name="current_password" type="password" autocomplete="current-password" required /></label>
      <label>${t("password.new")}<input name="new_password" type="password" autocomplete="new-password" required /></label>
      <label>${t("password.repeat")}<input name="repeat_password" type="password" autocomplete="new-password" required /></label>
      <${Refusal} error=${error} />
      <button type="submit">${t("password.submit")}</button>
    </form>
  </main>`;
}
