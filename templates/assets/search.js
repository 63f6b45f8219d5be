// Search and filters on the directory: progressive enhancement over the static listing
// (without JavaScript the search box stays hidden and every page still works). Reads the
// index `mentorsite build` writes under /search/: a manifest, then per shard only the files
// a query needs (one inverted-index file per shard for each word's first letters, the facet
// files a filter or sort asks for, and the card text of the results shown).
(function () {
  "use strict";
  var box = document.querySelector("[data-search]");
  if (!box || !window.fetch || !window.Promise || !String.prototype.normalize) return;
  var manifestURL = box.getAttribute("data-search");
  var root = manifestURL.slice(0, manifestURL.lastIndexOf("search/index.json"));
  var form = box.querySelector("form");
  var input = box.querySelector("input[type=search]");
  var status = box.querySelector("[data-search-status]");
  var results = box.querySelector("[data-search-results]");
  var listing = document.querySelector("[data-listing]");
  var selects = {
    language: box.querySelector("#search-language"),
    specialty: box.querySelector("#search-specialty"),
    gender: box.querySelector("#search-gender"),
    sort: box.querySelector("#search-sort")
  };
  var priceMax = box.querySelector("#search-price");
  var shown = 24;
  var stopWords = {};
  ("a an and are as at be but by for from has have i in is it its me my of on or our so that the their them they this to we what when who will with you your")
    .split(" ").forEach(function (word) { stopWords[word] = true; });
  var manifest = null;
  var files = {};
  var generation = 0;
  box.hidden = false;

  function load(name) {
    var path = manifest.files[name];
    if (!path) return Promise.resolve(null);
    if (!files[path]) files[path] = fetch(root + path).then(function (response) { return response.json(); });
    return files[path];
  }

  // The same folding as the index: no diacritics, lower case, letters and digits.
  function words(text) {
    return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(function (word) {
      return word.length >= 2 && !stopWords[word];
    });
  }

  // The file holding a term's postings in a shard: by its first two letters when the
  // index split that letter, else by its first character.
  function termFile(shard, term) {
    var first = term.charAt(0);
    var two = "s" + shard + "-t-" + term.slice(0, 2);
    if (manifest.files[two]) return two;
    if (first >= "a" && first <= "z") return "s" + shard + "-t-" + first;
    return "s" + shard + "-t-" + (/\p{N}/u.test(first) ? "0" : "_");
  }

  // term → [[document, weight], …] from one file's postings (gap × 16 + weight).
  function postingsOf(list) {
    var out = [];
    var doc = -1;
    for (var i = 0; i < list.length; i++) {
      doc += Math.floor(list[i] / 16);
      out.push([doc, list[i] % 16]);
    }
    return out;
  }

  function option(select, value) {
    var element = document.createElement("option");
    element.value = value;
    element.textContent = value;
    select.appendChild(element);
  }

  function start() {
    return fetch(manifestURL).then(function (response) { return response.json(); }).then(function (data) {
      manifest = data;
      data.languages.forEach(function (value) { option(selects.language, value); });
      data.specialties.forEach(function (value) { option(selects.specialty, value); });
      data.genders.forEach(function (value) { option(selects.gender, value); });
      if (!data.genders.length) selects.gender.closest(".field").hidden = true;
    });
  }

  // Days until a weekday with hours (Monday = bit 0), from today; 8 when there is none.
  function daysToNextHours(weekdays) {
    if (!weekdays) return 8;
    var today = (new Date().getDay() + 6) % 7;
    for (var offset = 0; offset < 7; offset++) {
      if (weekdays & (1 << ((today + offset) % 7))) return offset;
    }
    return 8;
  }

  // What the chosen filters and sort need, per shard: facet file names.
  function facetsNeeded() {
    var needs = [];
    if (selects.language.value) needs.push("fl");
    if (selects.specialty.value) needs.push("fs");
    if (selects.gender.value) needs.push("fg");
    if (priceMax.value || selects.sort.value === "price") needs.push("fc");
    if (priceMax.value || selects.sort.value !== "relevance") needs.push("fn");
    return needs;
  }

  function run() {
    var ticket = ++generation;
    var query = words(input.value);
    var prefix = input.value.length && !/\s$/.test(input.value) ? query.pop() : null;
    var terms = prefix ? query.concat([prefix]) : query;
    var facets = facetsNeeded();
    var sort = selects.sort.value;
    if (!terms.length && !facets.length) {
      results.hidden = true;
      results.textContent = "";
      status.textContent = "";
      if (listing) listing.hidden = false;
      box.setAttribute("data-done", String(ticket));
      return;
    }
    var shards = [];
    for (var shard = 0; shard < manifest.shards; shard++) shards.push(shard);
    Promise.all(shards.map(function (shard) {
      return Promise.all([
        Promise.all(terms.map(function (term) { return load(termFile(shard, term)); })),
        Promise.all(facets.map(function (name) { return load("s" + shard + "-" + name); }))
      ]);
    })).then(function (perShard) {
      if (ticket !== generation) return;
      var began = performance.now();
      var hits = [];
      perShard.forEach(function (data, shard) {
        var termFiles = data[0];
        var facet = {};
        facets.forEach(function (name, index) { facet[name] = data[1][index]; });
        var scores = null;
        terms.forEach(function (term, index) {
          var file = termFiles[index] || {};
          var found = {};
          var keys = term === prefix ? Object.keys(file).filter(function (key) { return key.lastIndexOf(term, 0) === 0; }) : (file[term] ? [term] : []);
          keys.forEach(function (key) {
            postingsOf(file[key]).forEach(function (posting) {
              found[posting[0]] = Math.max(found[posting[0]] || 0, posting[1]);
            });
          });
          if (scores === null) {
            scores = found;
          } else {
            var next = {};
            Object.keys(scores).forEach(function (doc) { if (found[doc]) next[doc] = scores[doc] + found[doc]; });
            scores = next;
          }
        });
        var documents = [];
        if (scores) {
          documents = Object.keys(scores).map(Number);
        } else {
          for (var doc = 0; doc < manifest.counts[shard]; doc++) documents.push(doc);
        }
        function has(name, value, doc) {
          var file = facet[name];
          var number = file.v.indexOf(value);
          return number >= 0 && file.d[doc].indexOf(number) >= 0;
        }
        documents.forEach(function (doc) {
          if (selects.language.value && !has("fl", selects.language.value, doc)) return;
          if (selects.specialty.value && !has("fs", selects.specialty.value, doc)) return;
          if (selects.gender.value && !has("fg", selects.gender.value, doc)) return;
          var numbers = facet.fn ? facet.fn.slice(doc * 4, doc * 4 + 4) : null;
          if (priceMax.value) {
            if (numbers[0] < 0 || !has("fc", manifest.currency, doc) || numbers[0] > Number(priceMax.value) * 100) return;
          }
          hits.push({ shard: shard, doc: doc, score: scores ? scores[doc] : 0, numbers: numbers,
                      ownCurrency: facet.fc ? has("fc", manifest.currency, doc) : true });
        });
      });
      hits.sort(function (a, b) {
        if (sort === "price") {
          var aKnown = a.numbers[0] >= 0 && a.ownCurrency, bKnown = b.numbers[0] >= 0 && b.ownCurrency;
          return (bKnown - aKnown) || a.numbers[0] - b.numbers[0];
        }
        if (sort === "rating") return b.numbers[1] - a.numbers[1];
        if (sort === "next") return daysToNextHours(a.numbers[2]) - daysToNextHours(b.numbers[2]) || a.numbers[3] - b.numbers[3];
        return b.score - a.score;
      });
      var top = hits.slice(0, shown);
      status.textContent = hits.length === 1 ? "1 mentor found" : hits.length + " mentors found";
      box.setAttribute("data-matched-ms", (performance.now() - began).toFixed(1));
      return Promise.all(top.map(function (hit) {
        return load("s" + hit.shard + "-d" + Math.floor(hit.doc / manifest.per_page)).then(function (page) {
          return page[hit.doc % manifest.per_page];
        });
      })).then(function (cards) {
        if (ticket !== generation) return;
        var rendering = performance.now();
        results.textContent = "";
        cards.forEach(function (card) { results.appendChild(cardElement(card)); });
        results.hidden = false;
        if (listing) listing.hidden = true;
        box.setAttribute("data-render-ms", (performance.now() - rendering).toFixed(1));
        box.setAttribute("data-results", String(hits.length));
        // Tests and tools wait for this: the results of query number `ticket` are shown.
        box.setAttribute("data-done", String(ticket));
      });
    });
  }

  function text(tag, className, value) {
    var element = document.createElement(tag);
    if (className) element.className = className;
    element.textContent = value;
    return element;
  }

  // [slug, name, title, price, rating × 10, reviews, specialties]
  function cardElement(card) {
    var item = document.createElement("li");
    item.className = "card";
    var body = document.createElement("div");
    body.className = "card-body";
    var heading = document.createElement("h3");
    heading.className = "card-name";
    var link = text("a", "", card[1]);
    link.href = root + "mentors/" + card[0] + "/";
    heading.appendChild(link);
    body.appendChild(heading);
    if (card[2]) body.appendChild(text("p", "role", card[2]));
    if (card[6].length) body.appendChild(text("p", "meta", card[6].join(" · ")));
    var foot = [];
    if (card[3]) foot.push(card[3] + " a session");
    if (card[4] >= 0) foot.push("Rated " + (card[4] / 10).toFixed(1) + " of 5" + (card[5] ? " (" + card[5] + " reviews)" : ""));
    if (foot.length) body.appendChild(text("p", "card-foot", foot.join(" · ")));
    item.appendChild(body);
    return item;
  }

  var timer = null;
  function later() {
    clearTimeout(timer);
    timer = setTimeout(function () { if (manifest) run(); }, 60);
  }
  form.addEventListener("submit", function (event) { event.preventDefault(); if (manifest) run(); });
  input.addEventListener("input", later);
  [selects.language, selects.specialty, selects.gender, selects.sort, priceMax].forEach(function (element) {
    element.addEventListener("change", later);
  });
  start().then(function () { if (input.value) run(); });
})();
