// The server's refusal, shown as it words it (its message and code), or nothing.
import { html } from "../ui.js";

export function Refusal({ error }) {
  if (!error) return null;
  return html`<p class="refusal" role="alert"><span class="refusal-code">${error.code}</span> ${error.message}</p>`;
}

/** A hook-friendly runner: runs work, keeps its refusal for display, and reports whether it went through. */
export async function attempt(setError, work) {
  setError(null);
  try {
    await work();
    return true;
  } catch (error) {
    setError(error);
    return false;
  }
}
