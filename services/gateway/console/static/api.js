// The management API as the console calls it: the session cookie goes with every request, and
// every change carries the CSRF token the sign-in set in the torii_csrf cookie.

export const MANAGE = "/manage/v1";

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function csrfToken() {
  const found = document.cookie.split(";").map((part) => part.trim()).find((part) => part.startsWith("torii_csrf="));
  return found ? decodeURIComponent(found.slice("torii_csrf=".length)) : "";
}

/**
 * Whether a session cookie may be held: the gateway sets and clears torii_csrf (readable here) with the
 * HttpOnly session cookie, and gives both the session's lifetime. Without it, asking GET /session could
 * only be answered 401, which the browser logs as an error.
 */
export function mayBeSignedIn() {
  return csrfToken() !== "";
}

function changeHeaders(method) {
  return method === "GET" || method === "HEAD" ? {} : { "X-CSRF-Token": csrfToken() };
}

let onSessionLost = () => {};

/** Called with the refusal when a request finds no session (401) or a password to change first. */
export function whenSessionLost(callback) {
  onSessionLost = callback;
}

async function errorOf(response) {
  let code = "HTTP_" + response.status;
  let message = response.statusText || code;
  try {
    const body = await response.json();
    if (body && body.error) {
      code = body.error.code || code;
      message = body.error.message || message;
    }
  } catch {
    // Not the management API's JSON error: the status says enough.
  }
  return new ApiError(response.status, code, message);
}

function refused(error) {
  if (error.status === 401 || error.code === "PASSWORD_CHANGE_REQUIRED") onSessionLost(error);
  return error;
}

/** The JSON answer of method path (null for 204); an ApiError carrying the server's message otherwise. */
export async function call(method, path, body, { quietOn401 = false } = {}) {
  const headers = { Accept: "application/json", ...changeHeaders(method) };
  const init = { method, headers, credentials: "same-origin" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(MANAGE + path, init);
  if (!response.ok) {
    const error = await errorOf(response);
    throw quietOn401 && error.status === 401 ? error : refused(error);
  }
  return response.status === 204 ? null : response.json();
}

/** A multipart upload with progress: onProgress(sent, total) as the browser sends the body. */
export function upload(path, form, onProgress) {
  return send("POST", path, form, null, onProgress);
}

/** A file sent as the raw body (a data set's CSV), with progress as upload() reports it. */
export function sendFile(method, path, file, contentType, onProgress) {
  return send(method, path, file, contentType, onProgress);
}

// XMLHttpRequest, not fetch: only it reports how much of a request body has been sent.
function send(method, path, body, contentType, onProgress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open(method, MANAGE + path);
    request.setRequestHeader("X-CSRF-Token", csrfToken());
    request.setRequestHeader("Accept", "application/json");
    if (contentType) request.setRequestHeader("Content-Type", contentType);
    request.upload.onprogress = (event) => onProgress(event.loaded, event.lengthComputable ? event.total : 0);
    request.onerror = () => reject(new ApiError(0, "NETWORK", "the upload did not reach the gateway"));
    request.onload = () => {
      let answer = null;
      try {
        answer = JSON.parse(request.responseText);
      } catch {
        answer = null;
      }
      if (request.status >= 200 && request.status < 300) {
        resolve(answer);
        return;
      }
      const error = answer && answer.error ? answer.error : {};
      reject(refused(new ApiError(request.status, error.code || "HTTP_" + request.status, error.message || request.statusText)));
    };
    request.send(body);
  });
}

/** Query string of the given parameters, leaving out empty ones. */
export function query(parameters) {
  const kept = Object.entries(parameters).filter(([, value]) => value !== undefined && value !== null && value !== "");
  return kept.length ? "?" + new URLSearchParams(kept).toString() : "";
}
