// Small enhancements; every page works without them.
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
