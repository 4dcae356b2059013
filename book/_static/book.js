/* The website's one script: fit wide formulas to narrow screens.
 *
 * MathJax 3 cannot break a formula across lines, so a derivation line (in a checker's
 * report), a displayed equation or a long formula in a paragraph wider than its column
 * would stick out of the page or need sideways scrolling on a phone.  Once MathJax has typeset the page, and again when the window is resized, each such
 * formula is shrunk just enough to fit (to no less than MIN_SCALE of its size; below that it
 * scrolls in its own box, as without this script).
 *
 * A cell's printed output wraps (book.css), except a printed table, whose columns must stay
 * aligned: a block where at least two lines have columns (two spaces between values) is
 * marked `ag-table`, and shrunk like a formula to fit its box (to no less than
 * MIN_TABLE_SCALE; below that it scrolls sideways).
 *
 * It also names the cells of the notation tables: on a phone each row is shown as a card
 * (book.css), its cells one under the other, so each cell gets its column's heading as
 * `data-label`, which the stylesheet shows above it.
 */
(function () {
  "use strict";
  const MIN_SCALE = 0.45;
  const MIN_TABLE_SCALE = 0.75;
  const OUTPUT = ".bd-article div.cell_output .output pre";
  // every formula in the text (a table's cells take their width from their content, so
  // a formula there is left alone)
  const SELECTOR = ".bd-article mjx-container";
  const BOX = ".ag-line, .ag-read-as, div.math, p, li, dd, dt, blockquote, div";

  function box(formula) {
    // the block whose width the formula must fit: its report cell, equation or paragraph
    return formula.parentElement.closest(BOX);
  }

  function available(el, formula) {
    const style = getComputedStyle(el);
    let room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    // a "read as" line: its label stays on the formula's line
    const label = el.classList.contains("ag-read-as") ? el.firstElementChild : null;
    if (label && label !== formula) room -= label.getBoundingClientRect().width;
    return room;
  }

  function fit() {
    const formulas = Array.from(document.querySelectorAll(SELECTOR)).filter(
      (f) => !f.closest("table:not(.ag-steps), mjx-container mjx-container")
    );
    formulas.forEach((f) => {
      if (f.dataset.agFontSize !== undefined) {
        f.style.fontSize = f.dataset.agFontSize;
      }
    });
    formulas.forEach((f) => {
      // an inline formula's box is its width; a displayed one's box is the line, its
      // content may be wider
      const width = Math.max(f.getBoundingClientRect().width, f.scrollWidth);
      const room = available(box(f), f);
      if (!(width > room + 0.5) || room <= 0) return;
      const scale = Math.max(MIN_SCALE, (room - 1) / width);
      if (f.dataset.agFontSize === undefined) f.dataset.agFontSize = f.style.fontSize;
      const size = parseFloat(getComputedStyle(f).fontSize);
      f.style.fontSize = size * scale + "px";
      f.classList.add("ag-fitted");
    });
  }

  function tables() {
    document.querySelectorAll(OUTPUT).forEach((pre) => {
      const columns = pre.textContent.split("\n").filter((l) => /\S {2,}\S/.test(l.trim()));
      if (columns.length >= 2) pre.classList.add("ag-table");
    });
  }

  function fitTables() {
    document.querySelectorAll(OUTPUT + ".ag-table").forEach((pre) => {
      if (pre.dataset.agFontSize === undefined) pre.dataset.agFontSize = pre.style.fontSize;
      pre.style.fontSize = pre.dataset.agFontSize;
      if (!pre.clientWidth || pre.scrollWidth <= pre.clientWidth + 0.5) return;
      const style = getComputedStyle(pre);
      const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
      const scale = (pre.clientWidth - padding - 1) / (pre.scrollWidth - padding);
      const size = parseFloat(style.fontSize);
      pre.style.fontSize = size * Math.max(MIN_TABLE_SCALE, scale) + "px";
    });
  }

  let pending = null;
  function later() {
    if (pending) cancelAnimationFrame(pending);
    pending = requestAnimationFrame(() => {
      pending = null;
      fitTables();
      fit();
    });
  }

  function start() {
    tables();
    fitTables();
    if (!document.querySelector("script[src*='mathjax']")) return; // a page without math
    const mj = window.MathJax;
    if (mj && mj.startup && mj.startup.promise) {
      mj.startup.promise.then(() => {
        fit();
        document.documentElement.dataset.agFitted = "1";
      });
    } else {
      setTimeout(start, 50);
    }
  }

  function label() {
    document.querySelectorAll("table.notation").forEach((table) => {
      const headings = Array.from(table.querySelectorAll("thead th")).map((th) =>
        th.textContent.trim()
      );
      table.querySelectorAll("tbody tr").forEach((row) => {
        Array.from(row.children).forEach((cell, i) => {
          if (headings[i]) cell.dataset.label = headings[i];
        });
      });
    });
  }

  window.addEventListener("resize", later);
  document.addEventListener("toggle", later, true); // a dropdown opened: its formulas now have a width
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", label);
    document.addEventListener("DOMContentLoaded", start);
  } else {
    label();
    start();
  }
})();
