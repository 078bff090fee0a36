/* Complaints: business suggestions, issue list per sector, copy button, single submit.
   Everything degrades to plain forms without JavaScript. */
(function () {
  "use strict";

  // Business suggestions (diacritic-insensitive search is done by the server).
  var search = document.querySelector("[data-business-search]");
  var box = document.getElementById("business-suggestions");
  if (search && box) {
    var timer = null;
    var chosen = document.getElementById("business-chosen");
    var setField = function (name, value) {
      var field = document.querySelector("[name=" + name + "]");
      if (field) { field.value = value; }
    };
    var choose = function (item) {
      setField("business_id", item.id);
      setField("business_name", item.name);
      setField("business_tax_code", item.tax_code);
      setField("business_address", item.address);
      setField("province", item.province_id);
      box.innerHTML = "";
      search.setAttribute("aria-expanded", "false");
      if (chosen) { chosen.textContent = item.name + " (" + item.tax_code + ")"; }
    };
    var render = function (results) {
      box.innerHTML = "";
      results.forEach(function (item) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "list-group-item list-group-item-action";
        button.setAttribute("role", "option");
        var strong = document.createElement("strong");
        strong.textContent = item.name;
        var small = document.createElement("span");
        small.className = "d-block small text-body-secondary";
        small.textContent = item.tax_code + " · " + item.province;
        button.appendChild(strong);
        button.appendChild(small);
        button.addEventListener("click", function () { choose(item); });
        box.appendChild(button);
      });
      search.setAttribute("aria-expanded", results.length ? "true" : "false");
    };
    search.addEventListener("input", function () {
      clearTimeout(timer);
      var query = search.value.trim();
      // Typing again means a different business: forget the previous choice.
      setField("business_id", "");
      if (query.length < 2) { render([]); return; }
      timer = setTimeout(function () {
        fetch(box.dataset.suggestUrl + "?q=" + encodeURIComponent(query), {headers: {"Accept": "application/json"}})
          .then(function (r) { return r.ok ? r.json() : {results: []}; })
          .then(function (data) { render(data.results || []); })
          .catch(function () { render([]); });
      }, 250);
    });
  }

  // Show only the issues of the chosen sector.
  var map = document.getElementById("issue-map");
  var sector = document.querySelector("select[name=sector]");
  var issue = document.querySelector("select[name=issue]");
  if (map && sector && issue) {
    var sectorOf = JSON.parse(map.textContent);
    var filter = function () {
      Array.prototype.forEach.call(issue.options, function (option) {
        if (!option.value) { return; }
        var visible = String(sectorOf[option.value]) === sector.value;
        option.hidden = !visible;
        option.disabled = !visible;
        if (!visible && option.selected) { issue.value = ""; }
      });
    };
    sector.addEventListener("change", filter);
    filter();
  }

  // Copy the tracking link.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var input = document.querySelector(button.dataset.copy);
      if (!input) { return; }
      input.select();
      if (navigator.clipboard) { navigator.clipboard.writeText(input.value); }
    });
  });

  // A second click on "send" while the first is under way sends nothing more.
  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent === "1") { event.preventDefault(); return; }
      var submitter = event.submitter;
      if (submitter && submitter.hasAttribute("data-once")) { form.dataset.sent = "1"; }
    });
  });
})();

/* Show "name of the person represented" only when filing on someone's behalf. */
(function () {
  "use strict";
  var box = document.querySelector("input[name=is_representative]");
  var field = document.getElementById("div_id_represented_name");
  if (!box || !field) { return; }
  var sync = function () { field.hidden = !box.checked; };
  box.addEventListener("change", sync);
  sync();
})();
