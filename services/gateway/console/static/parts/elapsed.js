// A training job's elapsed time as h:mm:ss. The gateway counts it up to the moment it answered; while
// the job runs the page adds the time since that answer, a second at a time, between two reads.
import { html, useEffect, useState } from "../ui.js";

/** Seconds as h:mm:ss (the hours grow past 24 rather than roll into days). */
export function formatDuration(seconds) {
  const whole = Math.max(0, Math.floor(seconds));
  const two = (number) => String(number).padStart(2, "0");
  return `${Math.floor(whole / 3600)}:${two(Math.floor(whole / 60) % 60)}:${two(whole % 60)}`;
}

/** elapsedSeconds as read at readAt (a Date.now()), ticking every second while running. */
export function Elapsed({ elapsedSeconds, readAt, running }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    setNow(Date.now());
    if (!running) return undefined;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [running, readAt]);
  if (elapsedSeconds === null || elapsedSeconds === undefined) return html`<span class="help">—</span>`;
  const seconds = elapsedSeconds + (running ? Math.max(0, now - readAt) / 1000 : 0);
  return html`<span class="elapsed" data-seconds=${Math.floor(seconds)}>${formatDuration(seconds)}</span>`;
}
