// Small enhancements; every page works without them.
// The one-row menu may scroll sideways on a phone: show the current page's item.
document.addEventListener("DOMContentLoaded", function () {
  var current = document.querySelector("nav.menu [aria-current=page]");
  if (current) current.scrollIntoView({ block: "nearest", inline: "center" });
});
// "Use my location": fills the latitude and longitude inputs from the browser's geolocation.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-locate]");
  if (!button) return;
  event.preventDefault();
  var status = document.getElementById(button.getAttribute("data-status"));
  var say = function (text) { if (status) status.textContent = text; };
  if (!navigator.geolocation) { say(button.getAttribute("data-failed")); return; }
  say(button.getAttribute("data-locating"));
  navigator.geolocation.getCurrentPosition(function (position) {
    document.getElementById(button.getAttribute("data-lat")).value = position.coords.latitude.toFixed(5);
    document.getElementById(button.getAttribute("data-lon")).value = position.coords.longitude.toFixed(5);
    say("");
  }, function () { say(button.getAttribute("data-failed")); }, { enableHighAccuracy: false, timeout: 10000, maximumAge: 600000 });
});

// Check in / out on site: a form marked `data-geolocate` first asks the browser where the
// phone is and sends it in the hidden `lat` / `lon` inputs. Without JavaScript (or without a
// location) the form goes without one and the page answers with the code field.
document.addEventListener("submit", function (event) {
  var form = event.target.closest("form[data-geolocate]");
  if (!form || form.elements.lat.value) return;
  event.preventDefault();
  var status = document.getElementById(form.getAttribute("data-status"));
  var say = function (text) { if (status) status.textContent = text; };
  if (!navigator.geolocation) { say(form.getAttribute("data-failed")); return; }
  say(form.getAttribute("data-locating"));
  navigator.geolocation.getCurrentPosition(function (position) {
    form.elements.lat.value = position.coords.latitude.toFixed(6);
    form.elements.lon.value = position.coords.longitude.toFixed(6);
    form.submit();
  }, function () {
    say(form.getAttribute("data-failed"));
    var code = document.getElementById("code");
    if (code) code.focus();
  }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
});

// Organizer pages: "select all" ticks every checkbox of a group (shown only with scripts,
// since without them it could do nothing).
document.addEventListener("change", function (event) {
  var all = event.target.closest("[data-select-all]");
  if (!all) return;
  var name = all.getAttribute("data-select-all");
  document.querySelectorAll("input[type=checkbox][name='" + name + "']").forEach(function (box) { box.checked = all.checked; });
});
function revealSelectAll() {
  document.querySelectorAll("[data-select-all]").forEach(function (box) { box.closest("label").hidden = false; });
}
document.addEventListener("DOMContentLoaded", revealSelectAll);
document.addEventListener("htmx:load", revealSelectAll);
