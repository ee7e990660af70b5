// Preact, its hooks and htm from one vendored file: templates are tagged literals, no build step.
export * from "./vendor/htm-preact-standalone.module.js";
