// Staff planner: copy the plan as text, print it. No inline script (CSP: script-src 'self').
(function () {
  "use strict";
  var copy = document.getElementById("copy-plan");
  var status = document.getElementById("copy-status");
  if (copy) {
    copy.addEventListener("click", function () {
      var text = document.getElementById(copy.getAttribute("data-target")).value;
      var done = function () { status.textContent = "コピーしました"; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () { status.textContent = "コピーできませんでした"; });
      } else {
        var area = document.getElementById(copy.getAttribute("data-target"));
        area.select();
        document.execCommand("copy");
        done();
      }
    });
  }
  var print = document.getElementById("print-plan");
  if (print) { print.addEventListener("click", function () { window.print(); }); }
})();
