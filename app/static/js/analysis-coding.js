// The coding page, enhanced: keyboard shortcuts (listed on the page) and the span filled in
// from a selection in the item's text. Everything here can be done with the forms alone.
(function () {
  "use strict";

  var form = document.getElementById("coding-form");
  var text = document.querySelector("[data-item-text]");

  function isTyping(target) {
    if (!target || !target.closest) { return false; }
    return Boolean(target.closest("textarea, select, [contenteditable], " +
      "input:not([type=checkbox]):not([type=radio]):not([type=hidden])"));
  }

  function follow(id) {
    var link = document.getElementById(id);
    if (link) { window.location.assign(link.href); }
  }

  function toggleTheme(number) {
    if (!form) { return; }
    var box = form.querySelector('input[data-shortcut="' + number + '"]');
    if (box) { box.checked = !box.checked; box.focus(); }
  }

  function nextStance() {
    var select = form && form.querySelector("select[name=stance]");
    if (select) { select.selectedIndex = (select.selectedIndex + 1) % select.options.length; }
  }

  function clearSpan() {
    ["span_quote", "span_start", "span_end"].forEach(function (name) {
      var input = form && form.querySelector("[name=" + name + "]");
      if (input) { input.value = ""; }
    });
  }

  function toggleEvidence() {
    var evidence = document.getElementById("evidence-form");
    var box = evidence && evidence.querySelector("input[name=evidence_rich]");
    if (box) { box.checked = !box.checked; evidence.requestSubmit(); }
  }

  function submitCoding() {
    if (form) { form.requestSubmit(); }
  }

  var keys = {
    s: nextStance, x: clearSpan, e: toggleEvidence, a: submitCoding,
    j: function () { follow("next-item"); }, k: function () { follow("previous-item"); }
  };

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) { return; }
    var target = event.target;
    if (event.key === "Enter") {
      // Enter follows a focused link or presses a focused button as usual.
      if (target.closest && target.closest("a, button, summary")) { return; }
      event.preventDefault();
      submitCoding();
      return;
    }
    if (/^[1-9]$/.test(event.key)) {
      event.preventDefault();
      toggleTheme(event.key);
      return;
    }
    var action = keys[event.key];
    if (action) { event.preventDefault(); action(); }
  });

  // A selection inside the item's text becomes the span: its words and its offsets.
  function offsetIn(container, node, offset) {
    var range = document.createRange();
    range.selectNodeContents(container);
    range.setEnd(node, offset);
    return range.toString().length;
  }

  function takeSelection() {
    var selection = window.getSelection();
    if (!form || !text || !selection || selection.isCollapsed || !selection.rangeCount) {
      return;
    }
    var range = selection.getRangeAt(0);
    if (!text.contains(range.startContainer) || !text.contains(range.endContainer)) { return; }
    var start = offsetIn(text, range.startContainer, range.startOffset);
    var end = offsetIn(text, range.endContainer, range.endOffset);
    if (end <= start) { return; }
    form.querySelector("[name=span_start]").value = String(start);
    form.querySelector("[name=span_end]").value = String(end);
    form.querySelector("[name=span_quote]").value = text.textContent.slice(start, end).trim();
  }

  if (text) {
    text.addEventListener("mouseup", takeSelection);
    text.addEventListener("keyup", takeSelection);
  }
}());
