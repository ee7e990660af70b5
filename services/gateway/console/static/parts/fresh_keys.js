// Keys the server showed once (at creation), kept in this page's memory only until it is shown:
// the API screen opened right after the dialog shows it again; a reload forgets it.
const keys = new Map();

export function rememberKey(apiId, key) {
  keys.set(apiId, key);
}

export function freshKey(apiId) {
  return keys.get(apiId) || null;
}
