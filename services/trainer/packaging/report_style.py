"""The report's stylesheet, inline so the page needs nothing but itself.

Fonts are whatever the reader's system has: the list names the usual Japanese UI fonts of
Windows, macOS and Linux so labels in Japanese render well without a web font. Laid out for a
1200px window; `@media print` drops the grey canvas and keeps figures and rows from splitting
across pages, and asks browsers to print the shaded cells' colours.
"""

from __future__ import annotations

STYLE = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body {
  margin: 0; background: #f2f3f5; color: #222; font-size: 15px; line-height: 1.55;
  font-family: system-ui, -apple-system, "Segoe UI", "Hiragino Sans", "Hiragino Kaku Gothic ProN",
    "Yu Gothic UI", "Yu Gothic", Meiryo, "Noto Sans CJK JP", "Noto Sans JP", sans-serif;
}
main { max-width: 1120px; margin: 0 auto; padding: 32px 48px 56px; background: #fff; }
h1 { font-size: 28px; margin: 0 0 4px; overflow-wrap: anywhere; }
h2 { font-size: 20px; margin: 0 0 12px; padding-bottom: 6px; border-bottom: 1px solid #ddd; break-after: avoid; }
h3 { font-size: 16px; margin: 0 0 4px; break-after: avoid; }
section { margin-top: 36px; }
.subtitle { margin: 0; color: #555; overflow-wrap: anywhere; }
.summary-section { margin-top: 24px; }
.summary {
  margin: 0; padding: 16px 22px; font-size: 18px; line-height: 1.6;
  background: #eef3f9; border-left: 6px solid #4e79a7; border-radius: 4px;
}
.note, .muted { color: #666; font-size: 13px; }
p { margin: 0 0 10px; }
table { border-collapse: collapse; }
th, td { text-align: left; vertical-align: top; overflow-wrap: anywhere; }
.metrics { width: 100%; }
.metrics th, .metrics td, .facts th, .facts td { padding: 8px 12px; border-bottom: 1px solid #e6e6e6; }
.metrics thead th { border-bottom: 2px solid #bbb; font-size: 13px; color: #555; }
.metrics tbody th, .facts th { font-weight: 600; white-space: nowrap; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; font-weight: 600; }
.facts { width: 100%; }
.facts th { width: 11em; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 40px; align-items: start; }
.columns { display: grid; grid-template-columns: 1fr 1fr; gap: 40px; align-items: start; }
figure { margin: 0; break-inside: avoid; }
figcaption { margin-top: 8px; }
.figure-value { font-size: 16px; margin-bottom: 4px; }
svg.chart { display: block; width: 100%; height: auto; font-family: inherit; }
.legend { list-style: none; margin: 6px 0 0; padding: 0; display: flex; flex-wrap: wrap; gap: 4px 18px;
  font-size: 13px; }
.legend li { overflow-wrap: anywhere; }
.swatch { display: inline-block; width: 18px; height: 4px; margin-right: 6px; vertical-align: middle;
  border-radius: 2px; }
.scroll { overflow-x: auto; }
.confusion { margin-top: 8px; font-variant-numeric: tabular-nums; }
.confusion th, .confusion td { padding: 8px 12px; border: 2px solid #fff; vertical-align: middle; }
.confusion thead th { font-size: 13px; color: #444; text-align: center; vertical-align: bottom; }
.confusion tbody th { background: #f6f6f6; }
.confusion td { text-align: right; min-width: 84px; }
.confusion td.total { background: #f6f6f6; color: #333; }
.confusion .corner { color: #777; font-weight: normal; text-align: left; }
.confusion .share { display: block; font-size: 11px; opacity: 0.85; }
tr { break-inside: avoid; }
@media print {
  body { background: #fff; font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  section { margin-top: 20px; }
  .charts, .columns { gap: 20px; }
  .scroll { overflow: visible; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
@page { margin: 14mm; }
"""
