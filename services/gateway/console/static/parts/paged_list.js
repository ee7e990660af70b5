// One page of a paged management list ({<items key>: [...], page}), read again when the offset moves.
import { useEffect, useState } from "../ui.js";
import { call, query } from "../api.js";

/** {items, page, error, offset, setOffset} for path's list under itemsKey, limit at a time. */
export function usePagedList(path, itemsKey, limit) {
  const [offset, setOffset] = useState(0);
  const [answer, setAnswer] = useState({ items: null, page: null });
  const [error, setError] = useState(null);
  useEffect(() => {
    call("GET", path + query({ offset, limit })).then((body) => {
      setAnswer({ items: body[itemsKey], page: body.page });
      setError(null);
    }, setError);
  }, [path, offset, limit]);
  return { ...answer, error, offset, setOffset };
}
