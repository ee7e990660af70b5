// APIs kept current from the gateway's event stream: the snapshot it sends first, then each change.
// The list is fetched once too, so the page fills even before the stream's first event arrives.
import { useEffect, useState } from "../ui.js";
import { call, MANAGE, query } from "../api.js";

/** {apis: Map of api_id to API JSON, deleted: Set of api_ids, error} for the APIs the user may see. */
export function useLiveApis(accountId) {
  const [state, setState] = useState({ apis: new Map(), deleted: new Set(), error: null, loaded: false });

  useEffect(() => {
    let closed = false;
    const upsert = (api) =>
      setState((previous) => {
        const apis = new Map(previous.apis);
        apis.set(api.api_id, api);
        return { ...previous, apis, loaded: true };
      });
    call("GET", "/apis" + query({ account_id: accountId }))
      .then((body) => {
        if (closed) return;
        setState((previous) => {
          // Events that arrived before the list are newer than it: keep them.
          const apis = new Map(body.apis.map((api) => [api.api_id, api]));
          for (const [id, api] of previous.apis) apis.set(id, api);
          for (const id of previous.deleted) apis.delete(id);
          return { ...previous, apis, loaded: true };
        });
      })
      .catch((error) => !closed && setState((previous) => ({ ...previous, error, loaded: true })));
    const events = new EventSource(MANAGE + "/apis/events" + query({ account_id: accountId }));
    events.addEventListener("api", (event) => upsert(JSON.parse(event.data)));
    events.addEventListener("api_deleted", (event) => {
      const { api_id: apiId } = JSON.parse(event.data);
      setState((previous) => {
        const apis = new Map(previous.apis);
        apis.delete(apiId);
        return { ...previous, apis, deleted: new Set(previous.deleted).add(apiId) };
      });
    });
    return () => {
      closed = true;
      events.close();
    };
  }, [accountId]);

  return state;
}
