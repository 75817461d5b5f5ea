"""The style sheets of the pages crossings writes: the dossier (a page to read, print and
cite) and the Datasette reading room, which shows the same dossier as a case's page.

Plain CSS, inline in each page: a dossier fetches nothing. Print: A4, the tables' heads
repeated on each page, no row cut in two, no section heading left alone at a page's foot.
"""

from __future__ import annotations

DOSSIER_CSS = """
:root { --ink: #1f2328; --muted: #5b6470; --rule: #d8dde3; --paper: #fdfcf9;
        --accent: #7a2e1d; --refused: #a4262c; --refused-bg: #fbeaea; --void-bg: #f1f1f1; }
.dossier { font-family: Georgia, "Noto Serif", "Noto Serif CJK KR", "Noto Serif CJK SC", serif;
           color: var(--ink); line-height: 1.5; max-width: 60rem; margin: 0 auto;
           padding: 2rem 1.5rem 3rem; overflow-wrap: anywhere; }
.dossier h1 { font-size: 2rem; margin: 0.2rem 0 0.3rem; line-height: 1.2; }
.dossier h2 { font-size: 1.15rem; margin: 2rem 0 0.6rem; padding-bottom: 0.2rem;
              border-bottom: 2px solid var(--accent); color: var(--accent);
              letter-spacing: 0.02em; }
.dossier .kicker { text-transform: uppercase; letter-spacing: 0.12em; font-size: 0.75rem;
                   color: var(--muted); margin: 0; font-family: system-ui, sans-serif; }
.dossier .native { font-weight: normal; color: var(--muted); margin-left: 0.4rem; }
.dossier .standing { font-size: 1.05rem; margin: 0.2rem 0; }
.dossier .state { display: inline-block; padding: 0 0.5rem; border-radius: 0.25rem;
                  background: #efe6d8; font-family: system-ui, sans-serif; font-size: 0.9rem; }
.dossier .policy, .dossier .small { color: var(--muted); font-size: 0.9rem; }
.dossier table { border-collapse: collapse; width: 100%; table-layout: fixed;
                 font-size: 0.92rem; margin: 0.4rem 0; }
.dossier th, .dossier td { text-align: left; vertical-align: top; padding: 0.35rem 0.5rem;
                           border-bottom: 1px solid var(--rule); overflow-wrap: anywhere; }
.dossier th { font-family: system-ui, sans-serif; font-size: 0.78rem; text-transform: uppercase;
              letter-spacing: 0.05em; color: var(--muted); border-bottom: 1px solid var(--ink); }
.dossier td.date, .dossier td.seq { white-space: nowrap; overflow-wrap: normal;
                                    font-variant-numeric: tabular-nums; }
.dossier col.date { width: 6.6rem; } .dossier col.who { width: 9rem; }
.dossier col.clauses { width: 6rem; } .dossier col.seq { width: 3.2rem; }
.dossier col.fact { width: 15rem; } .dossier col.cid { width: 3rem; }
@media print { .dossier col.who { width: 6.5rem; } .dossier col.date { width: 5.9rem; }
               .dossier col.fact { width: 11rem; } }
.dossier ul.plain { margin: 0; padding-left: 1.1rem; }
.dossier .role, .dossier .move { color: var(--muted); font-size: 0.85rem; }
.dossier .source { font-style: italic; }
.dossier tr.refused td { background: var(--refused-bg); }
.dossier .badge { display: inline-block; font-family: system-ui, sans-serif; font-size: 0.7rem;
                  font-weight: 700; letter-spacing: 0.06em; text-transform: uppercase;
                  padding: 0 0.35rem; border-radius: 0.2rem; margin-right: 0.3rem;
                  color: #fff; background: var(--refused); }
.dossier .badge.void { background: #555; }
.dossier tr.voided td { background: var(--void-bg); }
.dossier tr.voided .what-text { text-decoration: line-through; color: var(--muted); }
.dossier .void-note { color: #333; font-size: 0.85rem; }
.dossier a { color: var(--accent); }
.dossier blockquote { margin: 0; font-style: italic; }
.dossier figure { margin: 0.5rem 0; }
.dossier figure svg { width: 100%; height: auto; max-height: 60rem; }
.dossier pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f6f6f3;
               padding: 0.6rem; font-size: 0.8rem; border: 1px solid var(--rule); }
.dossier .ok { color: #1a6b35; font-weight: bold; } .dossier .bad { color: var(--refused);
                                                                   font-weight: bold; }
.dossier dl.names { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem;
                    margin: 0; }
.dossier dl.names dt { color: var(--muted); } .dossier dl.names dd { margin: 0; }
@page { size: A4; margin: 16mm 14mm 18mm; }
@media print {
  body { background: #fff; }
  .dossier { max-width: none; padding: 0; font-size: 10.5pt; }
  .dossier h2 { break-after: avoid; page-break-after: avoid; }
  .dossier thead { display: table-header-group; }
  .dossier tr, .dossier figure, .dossier blockquote { break-inside: avoid; page-break-inside: avoid; }
  .dossier figure { break-before: auto; }
  .dossier a { color: inherit; text-decoration: none; }
  .dossier tr.refused td, .dossier tr.voided td, .dossier .badge {
    -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""

PAGE_CSS = "body { margin: 0; background: var(--paper, #fdfcf9); }"

# The reading room: Datasette's own pages, lightly, and the dossier as a case's page.
READING_CSS = DOSSIER_CSS + """
td.type-str.col-at, td.col-at, td.col-recorded_at, td.col-opened_on, td.col-first_at,
td.col-last_at, td.col-crossed_on, td.col-investigated_on, td.col-seq,
td.col-case_id, td.col-role, td.col-trigger, td.col-outcome { white-space: nowrap; }
td.col-source, td.col-reason, td.col-note, td.col-summary { min-width: 14rem; }
td.col-words { min-width: 24rem; }
.crossings-index { max-width: 60rem; }
.crossings-index .lead { font-size: 1.1rem; line-height: 1.5; max-width: 46rem; }
.crossings-index ul.rooms { list-style: none; padding: 0; display: grid;
                            grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr));
                            gap: 0.8rem; }
.crossings-index ul.rooms li { border: 1px solid #d8dde3; border-radius: 0.4rem;
                               padding: 0.7rem 0.9rem; background: #fff; }
.crossings-index ul.rooms a { font-weight: bold; font-size: 1.05rem; }
.crossings-index ul.rooms p { margin: 0.3rem 0 0; color: #5b6470; font-size: 0.9rem; }
.crossings-index .counts { color: #5b6470; }
.crossings-index details { margin-top: 1.2rem; }
.crossings-index dl.clause-list dt { font-weight: bold; margin-top: 0.5rem; }
.crossings-index dl.clause-list dd { margin-left: 1.5rem; }
a.clause { text-decoration: none; border-bottom: 1px dotted; }
"""
