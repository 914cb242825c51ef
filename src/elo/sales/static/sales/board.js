// Kanban drag and drop with pointer events, so mouse, touch and pen work the same way.
// A mouse drags a card from anywhere but its controls; touch and pen drag it by its handle
// (elsewhere a finger scrolls the page). Dropping posts the move like the card's
// "Move to…" menu does; the answer re-renders the two columns out of band, or puts the
// card back where the server has it when the move is refused.
(() => {
  "use strict";
  const START_DISTANCE = 6;
  const EDGE = 40; // dragging this close to the board's side scrolls it
  const STEP = 20;
  const CONTROLS = "a, button, input, select, textarea, summary, label, details";
  let drag = null;

  function columnAt(x, y) {
    const element = document.elementFromPoint(x, y);
    return element ? element.closest("#board .kanban-column") : null;
  }

  function highlight(column) {
    if (drag.over === column) return;
    if (drag.over) drag.over.classList.remove("is-drop-target");
    drag.over = column;
    if (column && column !== drag.from) column.classList.add("is-drop-target");
  }

  function end() {
    if (drag.over) drag.over.classList.remove("is-drop-target");
    drag.card.classList.remove("is-dragging");
    drag.card.style.transform = "";
    const finished = drag;
    drag = null;
    return finished;
  }

  // Asks why a deal was won or lost; resolves to the reason, or null when cancelled.
  function askReason(kind) {
    const dialog = document.getElementById("board-reason");
    const input = dialog.querySelector("input");
    dialog.dataset.kind = kind;
    input.value = "";
    input.required = kind === "lost";
    dialog.returnValue = "";
    dialog.showModal();
    return new Promise((resolve) => {
      dialog.addEventListener(
        "close",
        () => resolve(dialog.returnValue === "move" ? input.value.trim() : null),
        { once: true },
      );
    });
  }

  function send(card, column, reason) {
    const filters = document.getElementById("board-filters");
    const values = Object.fromEntries(new FormData(filters));
    Object.assign(values, {
      stage: column.dataset.stage,
      reason: reason,
      version: card.dataset.version,
      next: location.pathname + location.search,
    });
    card.classList.add("is-saving");
    htmx.ajax("POST", card.dataset.moveUrl, { source: card, values: values, swap: "none" });
  }

  async function drop(finished) {
    const { card, from, over } = finished;
    if (!over || over === from) return;
    const kind = over.dataset.kind;
    let reason = "";
    if (kind === "won" || kind === "lost") {
      reason = await askReason(kind);
      if (reason === null) return;
    }
    over.querySelector(".kanban-cards").prepend(card);
    card.dataset.from = from.id;
    send(card, over, reason);
  }

  document.addEventListener("pointerdown", (event) => {
    const card = event.target.closest("#board[data-can-move] .kanban-card");
    if (!card || drag || !event.isPrimary || event.button !== 0) return;
    const onHandle = event.target.closest(".kanban-handle");
    if (event.pointerType !== "mouse" && !onHandle) return;
    if (!onHandle && event.target.closest(CONTROLS)) return;
    drag = {
      card: card,
      board: card.closest("#board"),
      from: card.closest(".kanban-column"),
      over: null,
      pointerId: event.pointerId,
      x: event.clientX,
      y: event.clientY,
      scrolled: 0,
      started: false,
    };
  });

  document.addEventListener("pointermove", (event) => {
    if (!drag || event.pointerId !== drag.pointerId) return;
    const dx = event.clientX - drag.x;
    const dy = event.clientY - drag.y;
    if (!drag.started) {
      if (Math.hypot(dx, dy) < START_DISTANCE) return;
      drag.started = true;
      drag.card.setPointerCapture(event.pointerId);
      drag.card.classList.add("is-dragging");
    }
    event.preventDefault();
    const box = drag.board.getBoundingClientRect();
    const before = drag.board.scrollLeft;
    if (event.clientX > box.right - EDGE) drag.board.scrollLeft += STEP;
    if (event.clientX < box.left + EDGE) drag.board.scrollLeft -= STEP;
    drag.scrolled += drag.board.scrollLeft - before;
    drag.card.style.transform = `translate(${dx + drag.scrolled}px, ${dy}px)`;
    highlight(columnAt(event.clientX, event.clientY));
  });

  document.addEventListener("pointerup", (event) => {
    if (!drag || event.pointerId !== drag.pointerId) return;
    const finished = end();
    if (finished.started) drop(finished);
  });

  document.addEventListener("pointercancel", (event) => {
    if (drag && event.pointerId === drag.pointerId) end();
  });

  // The card menu's reason is required when the chosen stage is a lost one.
  document.addEventListener("change", (event) => {
    const select = event.target;
    if (!(select instanceof HTMLSelectElement) || !select.closest(".kanban-menu")) return;
    const kind = select.selectedOptions[0] ? select.selectedOptions[0].dataset.kind : "";
    select.form.elements.reason.required = kind === "lost";
  });

  // A refused move (412 stale version, 422 invalid) still carries the columns as the
  // server has them: swap them in, which puts the card back.
  document.addEventListener("htmx:beforeSwap", (event) => {
    const status = event.detail.xhr.status;
    if ((status === 412 || status === 422) && event.detail.xhr.responseURL.includes("/move/")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Without an answer to swap in (network error, server error), undo the drop here.
  function undo(event) {
    const card = event.detail.requestConfig.elt.closest(".kanban-card");
    const board = document.getElementById("board");
    if (!card || !board) return;
    const from = card.dataset.from && document.getElementById(card.dataset.from);
    if (from) from.querySelector(".kanban-cards").prepend(card);
    card.classList.remove("is-saving");
    document.getElementById("board-status").textContent = board.dataset.errorText;
  }
  document.addEventListener("htmx:sendError", undo);
  document.addEventListener("htmx:responseError", undo);

  // After a move from a card's menu, keep the keyboard on that card. The menu's form has
  // been swapped out by then, so htmx tells the board; the form is the request's element.
  document.addEventListener("htmx:afterRequest", (event) => {
    const form = event.detail.requestConfig.elt;
    if (!(form instanceof HTMLFormElement) || !form.closest(".kanban-menu")) return;
    const id = form.closest(".kanban-card").id;
    setTimeout(() => {
      const summary = document.querySelector(`#${id} summary`);
      if (summary) summary.focus();
    }, 50);
  });
})();
