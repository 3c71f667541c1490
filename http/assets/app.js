// Agendo's one script: everything works without it; it adds dragging a
// booking in the agenda, and copies an account link's secret from the
// address's fragment into its form. It runs under the page's CSP nonce.
(function () {
  "use strict";

  // Account links carry their secret after '#token='; fragments never
  // reach a server, so the page copies it into the form.
  var tokenForm = document.querySelector("form[data-token-from-fragment]");
  if (tokenForm && location.hash.indexOf("#token=") === 0) {
    var field = tokenForm.querySelector("input[name=token]");
    if (field) field.value = decodeURIComponent(location.hash.slice(7));
  }

  // The agenda: drag a booking onto a free time of its professional.
  var moveForm = document.getElementById("move-form");
  if (!moveForm) return;
  var dragged = null;
  document.querySelectorAll(".booking[draggable=true]").forEach(function (booking) {
    booking.addEventListener("dragstart", function (event) {
      dragged = booking;
      booking.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", booking.id);
    });
    booking.addEventListener("dragend", function () {
      booking.classList.remove("dragging");
      dragged = null;
    });
  });
  function target(cell) {
    return dragged && cell.dataset.pro === dragged.dataset.pro;
  }
  document.querySelectorAll(".free").forEach(function (cell) {
    cell.addEventListener("dragover", function (event) {
      if (!target(cell)) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      cell.classList.add("over");
    });
    cell.addEventListener("dragleave", function () {
      cell.classList.remove("over");
    });
    cell.addEventListener("drop", function (event) {
      if (!target(cell)) return;
      event.preventDefault();
      moveForm.action = dragged.dataset.move;
      moveForm.elements.start.value = cell.dataset.start;
      moveForm.submit();
    });
  });
})();
