// "Create API" as the seeds' dialogs ask it: the model version, formal or trial, serverless or a
// dedicated CPU/GPU instance with its count, and a UTC schedule with weekdays. What is allowed is
// the server's to say: its refusal is shown as it words it.
import { html, useEffect, useState } from "../ui.js";
import { call } from "../api.js";
import { t } from "../i18n.js";
import { Refusal, attempt } from "../parts/refusal.js";
import { ShownOnce } from "../parts/copy_button.js";
import { rememberKey } from "../parts/fresh_keys.js";

const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

function Choice({ name, value, options, onChange }) {
  return html`<div class="choice" role="radiogroup">
    ${options.map(
      ([word, label]) => html`<label key=${word} class="inline">
        <input type="radio" name=${name} value=${word} checked=${value === word} onChange=${() => onChange(word)} />${label}
      </label>`,
    )}
  </div>`;
}

// A GGUF or Hugging Face version is a chat model: published as an OpenAI chat API under a model id of its own.
const CHAT_FORMATS = ["gguf", "hf_model"];

function requestBody(fields, chat) {
  const body = {
    name: fields.name,
    model_version_id: fields.versionId,
    api_type: fields.apiType,
    execution_type: fields.execution,
    instance_kind: fields.instanceKind,
  };
  if (chat) body.chat_model_id = fields.chatModelId;
  if (fields.execution === "dedicated") {
    body.instance_count = Number(fields.instanceCount);
    body.schedule = fields.always
      ? { always: true }
      : { start_time: fields.start, end_time: fields.end, weekdays: fields.weekdays };
  }
  return body;
}

export function CreateApiDialog({ onClose }) {
  const [models, setModels] = useState([]);
  const [versions, setVersions] = useState([]);
  const [fields, setFields] = useState({
    name: "",
    modelId: "",
    versionId: "",
    apiType: "trial",
    execution: "serverless",
    instanceKind: "cpu",
    instanceCount: 1,
    always: true,
    start: "09:00",
    end: "17:00",
    weekdays: ["mon", "tue", "wed", "thu", "fri"],
    chatModelId: "",
  });
  const [error, setError] = useState(null);
  const [created, setCreated] = useState(null);
  const chosen = versions.find((version) => version.model_version_id === fields.versionId);
  const chat = Boolean(chosen && CHAT_FORMATS.includes(chosen.format));
  const set = (change) => setFields((previous) => ({ ...previous, ...change }));

  useEffect(() => {
    call("GET", "/models").then((body) => setModels(body.models), setError);
  }, []);
  useEffect(() => {
    if (!fields.modelId) return;
    call("GET", "/models/" + encodeURIComponent(fields.modelId)).then((body) => {
      setVersions(body.versions);
      const newest = body.versions[body.versions.length - 1];
      set({ versionId: newest ? newest.model_version_id : "" });
    }, setError);
  }, [fields.modelId]);

  async function submit(event) {
    event.preventDefault();
    await attempt(setError, async () => {
      const answer = await call("POST", "/apis", requestBody(fields, chat));
      rememberKey(answer.api.api_id, answer.api_key);
      setCreated(answer);
    });
  }

  function toggleDay(day) {
    const chosen = fields.weekdays.includes(day) ? fields.weekdays.filter((d) => d !== day) : [...fields.weekdays, day];
    set({ weekdays: WEEKDAYS.filter((d) => chosen.includes(d)) });
  }

  if (created) {
    return html`<div class="overlay"><div class="dialog" role="dialog" aria-modal="true" data-testid="api-created">
      <h2>${t("create.title")}</h2>
      <p>${t("create.done")}</p>
      <${ShownOnce} secret=${created.api_key} testId="created-key" />
      <p>
        <a class="button" href=${"#/apis/" + created.api.api_id} onClick=${onClose}>${t("create.open")}</a>
        <button type="button" class="secondary" onClick=${onClose}>${t("common.close")}</button>
      </p>
    </div></div>`;
  }

  const dedicated = fields.execution === "dedicated";
  return html`<div class="overlay"><form class="dialog" role="dialog" aria-modal="true" onSubmit=${submit} data-testid="create-api">
    <h2>${t("create.title")}</h2>
    <label>${t("common.name")}<input name="name" required maxlength="200" value=${fields.name} onInput=${(e) => set({ name: e.currentTarget.value })} /></label>
    <label>${t("create.model")}
      <select name="model" required value=${fields.modelId} onChange=${(e) => set({ modelId: e.currentTarget.value })}>
        <option value="">${t("create.chooseModel")}</option>
        ${models.map((model) => html`<option key=${model.model_id} value=${model.model_id}>${model.name}</option>`)}
      </select>
    </label>
    <label>${t("create.version")}
      <select name="version" required value=${fields.versionId} onChange=${(e) => set({ versionId: e.currentTarget.value })}>
        ${versions.map((version) => html`<option key=${version.model_version_id} value=${version.model_version_id}>${version.version}</option>`)}
      </select>
    </label>
    ${chat &&
    html`<label>${t("create.chatModelId")}
        <input name="chat_model_id" required maxlength="128" value=${fields.chatModelId}
          onInput=${(e) => set({ chatModelId: e.currentTarget.value })} />
      </label>
      <p class="help">${t("create.chatModelIdHelp")}</p>`}
    <fieldset><legend>${t("create.apiType")}</legend>
      <${Choice} name="api_type" value=${fields.apiType} onChange=${(apiType) => set({ apiType })}
        options=${[["formal", t("type.formal")], ["trial", t("type.trial")]]} />
      <p class="help">${t(fields.apiType === "trial" ? "create.trialHelp" : "create.formalHelp")}</p>
    </fieldset>
    <fieldset><legend>${t("create.execution")}</legend>
      <${Choice} name="execution_type" value=${fields.execution} onChange=${(execution) => set({ execution })}
        options=${[["serverless", t("execution.serverless")], ["dedicated", t("execution.dedicated")]]} />
    </fieldset>
    <fieldset><legend>${t("create.instanceKind")}</legend>
      <${Choice} name="instance_kind" value=${fields.instanceKind} onChange=${(instanceKind) => set({ instanceKind })}
        options=${[["cpu", t("kind.cpu")], ["gpu", t("kind.gpu")]]} />
    </fieldset>
    ${dedicated &&
    html`<fieldset><legend>${t("create.instanceCount")}</legend>
        <label>${t("create.instanceCount")}<input name="instance_count" type="number" min="1" value=${fields.instanceCount}
          onInput=${(e) => set({ instanceCount: e.currentTarget.value })} /></label>
      </fieldset>
      <fieldset><legend>${t("create.schedule")}</legend>
        <${Choice} name="schedule" value=${fields.always ? "always" : "window"} onChange=${(word) => set({ always: word === "always" })}
          options=${[["always", t("create.always")], ["window", t("create.window")]]} />
        ${!fields.always &&
        html`<label class="inline">${t("create.start")}<input name="start_time" type="time" value=${fields.start} onInput=${(e) => set({ start: e.currentTarget.value })} /></label>
          <label class="inline">${t("create.end")}<input name="end_time" type="time" value=${fields.end} onInput=${(e) => set({ end: e.currentTarget.value })} /></label>
          <div class="choice">${t("create.weekdays")}:
            ${WEEKDAYS.map(
              (day) => html`<label key=${day} class="inline"><input type="checkbox" name=${"weekday-" + day}
                checked=${fields.weekdays.includes(day)} onChange=${() => toggleDay(day)} />${t("weekday." + day)}</label>`,
            )}
          </div>`}
      </fieldset>`}
    <${Refusal} error=${error} />
    <p>
      <button type="submit">${t("create.submit")}</button>
      <button type="button" class="secondary" onClick=${onClose}>${t("common.cancel")}</button>
    </p>
  </form></div>`;
}
