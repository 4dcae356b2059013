/* The website's one script: fit wide formulas to narrow screens.
 *
 * MathJax 3 cannot break a formula across lines, so a derivation line (in a checker's
 * report), a displayed equation or a long formula in a paragraph wider than its column
 * would stick out of the page or need sideways scrolling on a phone.  Once MathJax has typeset the page, and again when the window is resized, each such
 * formula is shrunk just enough to fit (to no less than MIN_SCALE of its size; below that it
 * scrolls in its own box, as without this script).  Nothing else on the page changes.
 */
(function () {
  "use strict";
  const MIN_SCALE = 0.45;
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

  let pending = null;
  function later() {
    if (pending) cancelAnimationFrame(pending);
    pending = requestAnimationFrame(() => {
      pending = null;
      fit();
    });
  }

  function start() {
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

  window.addEventListener("resize", later);
  document.addEventListener("toggle", later, true); // a dropdown opened: its formulas now have a width
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
