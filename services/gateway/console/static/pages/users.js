// Users of the admin's account: the list, a new user with a role, and a password set for one.
import { html, useEffect, useState } from "../ui.js";
import { call } from "../api.js";
import { formatInstant, t } from "../i18n.js";
import { ShownOnce } from "../parts/copy_button.js";
import { Refusal, attempt } from "../parts/refusal.js";

function SetPassword({ user }) {
  const [error, setError] = useState(null);
  const [done, setDone] = useState(false);
  async function submit(event) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const password = new FormData(formElement).get("new_password");
    setDone(false);
    const set = await attempt(setError, () =>
      call("PUT", "/users/" + encodeURIComponent(user.user_id) + "/password", { new_password: password }),
    );
    if (set) {
      formElement.reset();
      setDone(true);
    }
  }
  return html`<form class="inline-form" onSubmit=${submit}>
    <input name="new_password" type="password" autocomplete="new-password" required aria-label=${t("users.setPassword")} />
    <button type="submit" class="secondary">${t("users.setPassword")}</button>
    ${done && html`<span class="notice">${t("users.passwordSet", { name: user.name })}</span>`}
    <${Refusal} error=${error} />
  </form>`;
}

export function UsersPage() {
  const [users, setUsers] = useState(null);
  const [error, setError] = useState(null);
  const [created, setCreated] = useState(null);

  function load() {
    call("GET", "/users").then((body) => setUsers(body.users), setError);
  }
  useEffect(load, []);

  async function create(event) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    await attempt(setError, async () => {
      setCreated(await call("POST", "/users", { name: form.get("name"), role: form.get("role") }));
      formElement.reset();
      load();
    });
  }

  return html`<main>
    <h1>${t("users.title")}</h1>
    <${Refusal} error=${error} />
    ${users === null && !error && html`<p>${t("common.loading")}</p>`}
    ${users &&
    html`<table data-testid="users">
      <thead><tr><th>${t("common.name")}</th><th>${t("users.role")}</th><th>${t("common.createdAt")}</th><th></th></tr></thead>
      <tbody>
        ${users.map(
          (user) => html`<tr key=${user.user_id} data-user=${user.name}>
            <td>${user.name}</td><td>${t("role." + user.role)}</td><td>${formatInstant(user.created_at)}</td>
            <td><${SetPassword} user=${user} /></td>
          </tr>`,
        )}
      </tbody>
    </table>`}
    <form class="card" onSubmit=${create} data-testid="create-user">
      <h2>${t("users.create")}</h2>
      <label>${t("common.name")}<input name="name" required maxlength="200" /></label>
      <label>${t("users.role")}
        <select name="role"><option value="member">${t("role.member")}</option><option value="admin">${t("role.admin")}</option></select>
      </label>
      <button type="submit">${t("users.submit")}</button>
    </form>
    ${created &&
    html`<div class="notice"><p>${t("users.created", { name: created.user.name })}</p><${ShownOnce} secret=${created.token} testId="user-token" /></div>`}
  </main>`;
}
