// Previous/next over one of the management API's paged lists ({offset, limit, total}); shown only
// when the list has more than one page.
import { html } from "../ui.js";
import { t } from "../i18n.js";

export function Pager({ page, onOffset, testId }) {
  if (!page || page.total <= page.limit) return null;
  const first = page.total === 0 ? 0 : page.offset + 1;
  const last = Math.min(page.offset + page.limit, page.total);
  return html`<p class="inline-form pager" data-testid=${testId}>
    <button type="button" class="secondary" disabled=${page.offset === 0}
      onClick=${() => onOffset(Math.max(0, page.offset - page.limit))}>${t("paging.previous")}</button>
    <span data-testid="page-range">${t("paging.range", { first, last, total: page.total })}</span>
    <button type="button" class="secondary" disabled=${last >= page.total}
      onClick=${() => onOffset(page.offset + page.limit)}>${t("paging.next")}</button>
  </p>`;
}
