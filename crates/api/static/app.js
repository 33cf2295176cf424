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
