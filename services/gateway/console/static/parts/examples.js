// Ready-to-paste calls of an API in the contract it speaks, their bodies built from the model's
// signature: NNC takes {"inputs": [...]} with x-api-key, OpenAI chat a bearer key and messages.
import { html } from "../ui.js";
import { t } from "../i18n.js";
import { CopyButton } from "./copy_button.js";

const KEY_PLACEHOLDER = "<your API key>";

function elementCount(shape) {
  return (shape || []).reduce((count, size) => count * (size > 0 ? size : 1), 1);
}

function nncBody(signature, preprocessing) {
  const images = new Set(((preprocessing && preprocessing.images) || []).map((image) => image.input_name));
  const inputs = ((signature && signature.inputs) || []).map((input) =>
    images.has(input.name)
      ? { name: input.name, type: "png", data: "<base64 of a PNG file>" }
      : { name: input.name, type: "vector", data: new Array(elementCount(input.shape)).fill(0) },
  );
  return { inputs };
}

function predictionOneBody() {
  return {
    inputs: [
      { name: "pr", type: "csv", data: "<base64 of a CSV: its header row and one data row>" },
      { name: "ar", type: "boolean", data: false },
      { name: "ad", type: "boolean", data: false },
      { name: "nc", type: "boolean", data: false },
    ],
  };
}

/** {url, headers, body} of one call of the API. */
export function exampleRequest(api, version, key) {
  const secret = key || KEY_PLACEHOLDER;
  if (api.contract === "openai_chat") {
    return {
      url: api.url,
      headers: { Authorization: `Bearer ${secret}` },
      body: { model: api.chat_model_id, messages: [{ role: "user", content: "Hello" }] },
    };
  }
  const body = api.contract === "prediction_one" ? predictionOneBody() : nncBody(version?.signature, version?.preprocessing);
  return { url: api.url, headers: { "x-api-key": secret }, body };
}

function shellQuote(text) {
  return "'" + text.replace(/'/g, "'\\''") + "'";
}

export function curlExample({ url, headers, body }) {
  const lines = [`curl -X POST ${shellQuote(url)}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`  -H ${shellQuote(`${name}: ${value}`)}`);
  lines.push(`  -H 'Content-Type: application/json'`);
  lines.push(`  -d ${shellQuote(JSON.stringify(body))}`);
  return lines.join(" \\\n");
}

function pythonLiteral(value, indent) {
  // JSON of strings, numbers, lists and objects is Python, once true/false/null are spelled its way.
  return JSON.stringify(value, null, 4)
    // A list of numbers or strings on one line: a vector of 784 zeros is one line, not 784.
    .replace(/\[\s*([^\[\]{}]*?)\s*\]/g, (whole, items) => "[" + items.split(/,\s*/).join(", ") + "]")
    .replace(/\btrue\b/g, "True")
    .replace(/\bfalse\b/g, "False")
    .replace(/\bnull\b/g, "None")
    .split("\n")
    .join("\n" + indent);
}

export function pythonExample({ url, headers, body }) {
  return [
    "import requests",
    "",
    "response = requests.post(",
    `    ${JSON.stringify(url)},`,
    `    headers=${pythonLiteral(headers, "    ")},`,
    `    json=${pythonLiteral(body, "    ")},`,
    "    timeout=60,",
    ")",
    "response.raise_for_status()",
    "print(response.json())",
  ].join("\n");
}

export function Examples({ api, version, apiKey }) {
  if (!api.url) return null;
  const request = exampleRequest(api, version, apiKey);
  const curl = curlExample(request);
  const python = pythonExample(request);
  return html`<section>
    <h2>${t("api.examples")}</h2>
    <h3>curl</h3>
    <pre data-testid="curl-example">${curl}</pre>
    <${CopyButton} text=${curl} />
    <h3>Python</h3>
    <pre data-testid="python-example">${python}</pre>
    <${CopyButton} text=${python} />
  </section>`;
}
