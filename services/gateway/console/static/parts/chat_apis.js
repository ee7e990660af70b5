// The account's chat APIs, which a chat key may open, and what the credentials list adds to a key:
// when it was last used. Both are read from the management API as it answers them.
import { call } from "../api.js";

/** Every API of the caller's account, chat or not (a key may name one that stopped being listed). */
export async function accountApis() {
  return (await call("GET", "/apis")).apis;
}

export function chatApisOf(apis) {
  return apis.filter((api) => api.contract === "openai_chat");
}

/** Map of credential_id (a chat key's key_id) to its last_used_at, null when not used yet. */
export async function lastUses() {
  const { credentials } = await call("GET", "/credentials");
  return new Map(credentials.map((credential) => [credential.credential_id, credential.last_used_at]));
}
