/* Complaints: business suggestions, issue list per sector, copy button, single submit.
   Everything degrades to plain forms without JavaScript. */
(function () {
  "use strict";

  // Business suggestions, as a WAI-ARIA combobox (the APG "list autocomplete" pattern):
  // focus stays in the box; ↓/↑ move the active option, Enter chooses it without sending
  // the form, Escape closes the list. The search itself (without diacritics) is the server's.
  var search = document.querySelector("[data-business-search]");
  var box = document.getElementById("business-suggestions");
  if (search && box) {
    var timer = null;
    var items = [];
    var active = -1;
    var chosen = document.getElementById("business-chosen");
    var setField = function (name, value) {
      var field = document.querySelector("[name=" + name + "]");
      if (field) { field.value = value; }
    };
    var close = function () {
      items = [];
      active = -1;
      box.innerHTML = "";
      box.hidden = true;
      search.setAttribute("aria-expanded", "false");
      search.removeAttribute("aria-activedescendant");
    };
    var setActive = function (index) {
      active = index;
      Array.prototype.forEach.call(box.children, function (option, i) {
        var on = i === index;
        option.classList.toggle("active", on);
        option.setAttribute("aria-selected", on ? "true" : "false");
        if (on) {
          search.setAttribute("aria-activedescendant", option.id);
          option.scrollIntoView({block: "nearest"});
        }
      });
      if (index < 0) { search.removeAttribute("aria-activedescendant"); }
    };
    var choose = function (item) {
      setField("business_id", item.id);
      setField("business_name", item.name);
      setField("business_tax_code", item.tax_code);
      setField("business_address", item.address);
      setField("province", item.province_id);
      search.value = item.name;
      close();
      if (chosen) { chosen.textContent = item.name + " (" + item.tax_code + ")"; }
    };
    var render = function (results) {
      close();
      items = results;
      results.forEach(function (item, i) {
        var option = document.createElement("li");
        option.id = "business-option-" + i;
        option.className = "list-group-item list-group-item-action";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        var strong = document.createElement("strong");
        strong.textContent = item.name;
        var small = document.createElement("span");
        small.className = "d-block small";
        small.textContent = item.tax_code + " · " + item.province;
        option.appendChild(strong);
        option.appendChild(small);
        // mousedown, not click: the box keeps the focus.
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();
          choose(item);
        });
        box.appendChild(option);
      });
      if (results.length) {
        box.hidden = false;
        search.setAttribute("aria-expanded", "true");
      }
    };
    search.addEventListener("keydown", function (event) {
      var open = search.getAttribute("aria-expanded") === "true";
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!open) { return; }
        event.preventDefault();
        var step = event.key === "ArrowDown" ? 1 : -1;
        setActive((active + step + items.length) % items.length);
      } else if (event.key === "Enter" && open) {
        // Enter in an open list picks; it never sends the form from here.
        event.preventDefault();
        if (active >= 0) { choose(items[active]); } else { close(); }
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        close();
      }
    });
    search.addEventListener("blur", function () { close(); });
    search.addEventListener("input", function () {
      clearTimeout(timer);
      var query = search.value.trim();
      // Typing again means a different business: forget the previous choice.
      setField("business_id", "");
      if (query.length < 2) { close(); return; }
      timer = setTimeout(function () {
        fetch(box.dataset.suggestUrl + "?q=" + encodeURIComponent(query), {headers: {"Accept": "application/json"}})
          .then(function (r) { return r.ok ? r.json() : {results: []}; })
          .then(function (data) {
            // Only for what is still typed: an older answer arriving late is dropped.
            if (search.value.trim() === query) { render(data.results || []); }
          })
          .catch(function () { close(); });
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
