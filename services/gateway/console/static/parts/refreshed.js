// Reads a page's data now and again every few seconds while the tab is shown: what a runner
// reports (a workspace's state, its log) reaches the registry with no event stream to follow.
import { useEffect } from "../ui.js";

/** Calls read at once and every everyMs while the document is visible, until deps change or the page goes. */
export function useRefreshed(read, everyMs, deps) {
  useEffect(() => {
    read();
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") read();
    }, everyMs);
    return () => clearInterval(timer);
  }, deps);
}
