// Progressive enhancement for profile pages: the mentor's next free time, from the booking
// CGI's slots endpoint, in the visitor's own time zone. Without JavaScript, or when booking
// does not answer, the page stays exactly as it is.
(function () {
  var box = document.querySelector("[data-next-available]");
  if (!box || !window.fetch || !window.Intl) return;
  fetch(box.getAttribute("data-slots-url"), { credentials: "omit", headers: { Accept: "application/json" } })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (data) {
      if (!data || !data.slots || !data.slots.length) return;
      var when = new Date(data.slots[0].start);
      var text = when.toLocaleString(document.documentElement.lang || undefined, {
        weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23"
      });
      box.textContent = "Next free time: " + text + " (your time)";
      box.hidden = false;
    })
    .catch(function () {});
})();
