/* Sortable tables: a button in each header of table.sortable sorts its body by that column (numbers when the
   header says data-kind="num", else text in Chinese collation); a second click reverses. No dependencies. */
(function () {
  "use strict";
  function cellValue(row, index, numeric) {
    var cell = row.cells[index];
    if (!cell) return numeric ? -Infinity : "";
    var raw = cell.getAttribute("data-sort");
    if (raw === null) raw = cell.textContent.trim();
    if (!numeric) return raw;
    var number = parseFloat(raw.replace(/[^0-9.\-]/g, ""));
    return isNaN(number) ? -Infinity : number;
  }
  function sortBy(table, th, index) {
    var numeric = th.getAttribute("data-kind") === "num";
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows).filter(function (r) { return !r.querySelector(".empty"); });
    var collator = new Intl.Collator(document.documentElement.lang || "zh-Hans", { numeric: true });
    rows.sort(function (a, b) {
      var x = cellValue(a, index, numeric), y = cellValue(b, index, numeric);
      var order = numeric ? (x < y ? -1 : x > y ? 1 : 0) : collator.compare(x, y);
      return ascending ? order : -order;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    if (!table.tHead || !table.tBodies.length) return;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () { sortBy(table, th, index); });
    });
  });
})();
