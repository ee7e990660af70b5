// The console's root: the session (from the gateway's cookies), hash routing, the navigation and
// the language switch. Every page is a thin client of /manage/v1; none decides what is allowed.
import { html, render, useEffect, useState } from "./ui.js";
import { call, mayBeSignedIn, whenSessionLost } from "./api.js";
import { LANGUAGES, language, setLanguage, t } from "./i18n.js";
import { ApiDetailPage } from "./pages/api_detail.js";
import { ApisPage } from "./pages/apis.js";
import { ChangePasswordPage } from "./pages/change_password.js";
import { ChatKeyDetailPage } from "./pages/chat_key_detail.js";
import { ChatKeysPage } from "./pages/chat_keys.js";
import { DataSetsPage } from "./pages/data_sets.js";
import { ModelDetailPage } from "./pages/model_detail.js";
import { ModelsPage } from "./pages/models.js";
import { SignInPage } from "./pages/sign_in.js";
import { TrainingJobPage } from "./pages/training_job.js";
import { TrainingPage } from "./pages/training.js";
import { UsersPage } from "./pages/users.js";
import { WorkspaceDetailPage } from "./pages/workspace_detail.js";
import { WorkspacesPage } from "./pages/workspaces.js";

function currentRoute() {
  const parts = window.location.hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  return { page: parts[0] || "apis", id: parts[1] || null };
}

function useRoute() {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const changed = () => setRoute(currentRoute());
    window.addEventListener("hashchange", changed);
    return () => window.removeEventListener("hashchange", changed);
  }, []);
  return route;
}

function Page({ route, session }) {
  if (route.page === "models") return route.id ? html`<${ModelDetailPage} modelId=${route.id} />` : html`<${ModelsPage} />`;
  if (route.page === "users") return html`<${UsersPage} />`;
  if (route.page === "chat-keys") return route.id ? html`<${ChatKeyDetailPage} keyId=${route.id} />` : html`<${ChatKeysPage} />`;
  if (route.page === "workspaces") {
    return route.id ? html`<${WorkspaceDetailPage} workspaceId=${route.id} />` : html`<${WorkspacesPage} />`;
  }
  if (route.page === "training") return route.id ? html`<${TrainingJobPage} jobId=${route.id} />` : html`<${TrainingPage} />`;
  if (route.page === "data-sets") return html`<${DataSetsPage} />`;
  if (route.page === "apis" && route.id) return html`<${ApiDetailPage} apiId=${route.id} />`;
  return html`<${ApisPage} session=${session} />`;
}

function LanguageSwitch({ onChange }) {
  return html`<label class="inline language">${t("nav.language")}
    <select data-testid="language" value=${language()} onChange=${(event) => onChange(event.currentTarget.value)}>
      ${Object.entries(LANGUAGES).map(([code, { name }]) => html`<option key=${code} value=${code}>${name}</option>`)}
    </select>
  </label>`;
}

function Header({ session, route, onSignOut, onLanguage }) {
  const link = (page, label) =>
    html`<a href=${"#/" + page} class=${route.page === page ? "current" : ""} data-nav=${page}>${label}</a>`;
  return html`<header>
    <strong class="brand">${t("app.title")}</strong>
    ${session &&
    !session.must_change_password &&
    html`<nav>
      ${link("models", t("nav.models"))} ${link("apis", t("nav.apis"))} ${link("chat-keys", t("nav.chatKeys"))}
      ${link("training", t("nav.training"))} ${link("workspaces", t("nav.workspaces"))}
      ${session.user.role === "admin" && link("users", t("nav.users"))}
    </nav>`}
    <span class="spacer"></span>
    ${session && html`<a href="#/password" class="who" data-testid="who">${session.user.name}</a>`}
    <${LanguageSwitch} onChange=${onLanguage} />
    ${session && html`<button type="button" class="secondary" onClick=${onSignOut}>${t("nav.signOut")}</button>`}
  </header>`;
}

function App() {
  // undefined: not asked yet; null: signed out; else GET /session's answer. Without the CSRF cookie
  // there is no session to ask about: the sign-in form shows at once.
  const [session, setSession] = useState(() => (mayBeSignedIn() ? undefined : null));
  const [, setLanguageShown] = useState(language());
  const route = useRoute();

  function refreshSession() {
    call("GET", "/session", undefined, { quietOn401: true }).then(setSession, () => setSession(null));
  }
  useEffect(() => {
    whenSessionLost((error) => (error.status === 401 ? setSession(null) : refreshSession()));
    // With the cookie, the session may still have ended on the server (signed out elsewhere, a password
    // changed): the 401 then shows the sign-in form.
    if (mayBeSignedIn()) refreshSession();
  }, []);

  async function signOut() {
    try {
      await call("DELETE", "/session");
    } finally {
      setSession(null);
    }
  }

  function changeLanguage(code) {
    setLanguage(code);
    setLanguageShown(code);
  }

  let body;
  if (session === undefined) body = html`<main><p>${t("common.loading")}</p></main>`;
  else if (session === null) body = html`<${SignInPage} onSignedIn=${setSession} />`;
  else if (session.must_change_password || route.page === "password") {
    body = html`<${ChangePasswordPage}
      forced=${session.must_change_password}
      userName=${session.user.name}
      onChanged=${(signedIn) => {
        setSession(signedIn);
        if (route.page === "password") window.location.hash = "#/apis";
      }}
    />`;
  }
  else body = html`<${Page} route=${route} session=${session} />`;

  return html`<${Header} session=${session} route=${route} onSignOut=${signOut} onLanguage=${changeLanguage} />${body}`;
}

render(html`<${App} />`, document.getElementById("app"));
