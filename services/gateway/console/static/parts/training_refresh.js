// Training pages read once, and again every TRAINING_REFRESH_MS while a job they show is still under
// way: a trainer reports its progress to the registry every moment, and an ended job never changes.
import { useEffect } from "../ui.js";
import { useRefreshed } from "./refreshed.js";

// A trainer reports a fold or a percent every second or so; two seconds follows it closely enough.
export const TRAINING_REFRESH_MS = 2000;

/** Calls read now and whenever deps change; while underWay, also every TRAINING_REFRESH_MS the tab is shown. */
export function useTrainingRefresh(read, underWay, deps) {
  useEffect(() => {
    read();
  }, deps);
  useRefreshed(underWay ? read : () => {}, TRAINING_REFRESH_MS, [...deps, underWay]);
}
