// The account pages mailed links open: read the one-time token from the link, take
// it out of the address bar (so it is not bookmarked or shared), and post it to the
// API with what the page asks for. The API's envelope message is shown as is.
"use strict";

(function () {
  const main = document.querySelector("main[data-page]");
  const form = document.getElementById("form");
  const result = document.getElementById("result");
  const token = new URLSearchParams(window.location.search).get("token");
  window.history.replaceState(null, "", window.location.pathname);

  function show(text, ok) {
    result.textContent = text;
    result.className = ok ? "ok" : "error";
  }

  if (!token) {
    form.hidden = true;
    show("This link is incomplete: open the link from the e-mail as it is.", false);
    return;
  }

  async function post(path, body) {
    const response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body),
    });
    let envelope = null;
    try { envelope = await response.json(); } catch (_) { /* not JSON: say so below */ }
    const message = envelope && envelope.message ? envelope.message : "The shop answered " + response.status + ".";
    return { ok: response.ok, message: message };
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    const button = form.querySelector("button");
    let path;
    let body;
    if (main.dataset.page === "reset-password") {
      const password = document.getElementById("password").value;
      if (password !== document.getElementById("again").value) {
        show("The two passwords differ.", false);
        return;
      }
      path = "/api/v1/users/reset-password";
      body = { token: token, new_password: password };
    } else {
      path = "/api/v1/users/verify-email";
      body = { token: token };
    }
    button.disabled = true;
    try {
      const answer = await post(path, body);
      show(answer.message, answer.ok);
      if (answer.ok) { form.hidden = true; }
    } catch (error) {
      show("The shop could not be reached: " + error.message, false);
    } finally {
      button.disabled = false;
    }
  });
})();
