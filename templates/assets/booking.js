// Progressive enhancement for the booking pages; every step works without it.
(function () {
  // Focus the error summary so screen readers and keyboards land on it.
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();

  // Preset the patient's time zone from the browser, once per page.
  var form = document.querySelector("[data-zone-form]");
  if (!form || !window.Intl) return;
  var select = form.querySelector("select[name=tz]");
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  var key = "mentorsite-zone-" + location.search;
  if (!select || !zone || select.value === zone || sessionStorage.getItem(key)) return;
  for (var i = 0; i < select.options.length; i++) {
    if (select.options[i].value === zone) {
      sessionStorage.setItem(key, "1");
      select.value = zone;
      form.submit();
      return;
    }
  }
})();
