// Notes page: signs in with Cognito (OAuth 2.0 code + PKCE) and calls the notes API with the ID
// token. Plain DOM code, no libraries. User text only ever goes through textContent (never
// innerHTML), so a note cannot inject markup.
"use strict";

(() => {
  const config = window.NOTES_CONFIG;
  const TOKEN_KEY = "notes.idToken";
  const LOGIN_KEY = "notes.login"; // {state, verifier} of a sign-in in progress

  const $ = (id) => document.getElementById(id);
  const ui = {
    status: $("status"),
    account: $("account"),
    who: $("who"),
    signIn: $("sign-in"),
    signOut: $("sign-out"),
    signedOut: $("signed-out"),
    signedIn: $("signed-in"),
    form: $("new-note"),
    text: $("note-text"),
    incomplete: $("note-incomplete"),
    add: $("add-note"),
    list: $("notes"),
    empty: $("empty"),
    loadMore: $("load-more"),
    player: $("player"),
  };

  let nextToken = null; // where "Load more" continues; null when the last page is shown

  function showStatus(message, isError = false) {
    ui.status.textContent = message;
    ui.status.classList.toggle("error", isError);
  }

  // --- tokens --------------------------------------------------------------------------------

  function base64url(bytes) {
    let binary = "";
    for (const b of bytes) binary += String.fromCharCode(b);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function randomString(byteCount) {
    return base64url(crypto.getRandomValues(new Uint8Array(byteCount)));
  }

  // The ID token's claims, or null if it is not a readable JWT. Only used to show who is signed in
  // and to notice expiry early; the API Gateway authorizer is what actually verifies the token.
  function claims(token) {
    try {
      const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      return JSON.parse(atob(part.padEnd(part.length + ((4 - (part.length % 4)) % 4), "=")));
    } catch {
      return null;
    }
  }

  function currentToken() {
    const token = sessionStorage.getItem(TOKEN_KEY);
    const exp = token && claims(token)?.exp;
    if (typeof exp === "number" && exp * 1000 <= Date.now()) {
      sessionStorage.removeItem(TOKEN_KEY); // expired: the API would only answer 401
      return null;
    }
    return token;
  }

  async function signIn() {
    // PKCE (RFC 7636): the verifier stays in this tab; only its SHA-256 leaves with the redirect.
    const verifier = randomString(32);
    const state = randomString(16);
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
    sessionStorage.setItem(LOGIN_KEY, JSON.stringify({ state, verifier }));
    const params = new URLSearchParams({
      response_type: "code",
      client_id: config.clientId,
      redirect_uri: config.redirectUri,
      scope: "openid email",
      state,
      code_challenge: base64url(new Uint8Array(digest)),
      code_challenge_method: "S256",
    });
    location.assign(`${config.cognitoDomain}/oauth2/authorize?${params}`);
  }

  // Back from the managed login page with ?code=&state= (or ?error=): trade the code for tokens.
  async function finishSignIn(query) {
    const login = JSON.parse(sessionStorage.getItem(LOGIN_KEY) || "null");
    sessionStorage.removeItem(LOGIN_KEY); // single use, whatever happens next
    // Drop code/state from the address bar and history so a reload or a shared URL cannot replay it.
    history.replaceState(null, "", location.pathname);

    if (query.has("error")) {
      throw new Error(`Sign-in failed: ${query.get("error_description") || query.get("error")}`);
    }
    if (!login || query.get("state") !== login.state) {
      throw new Error("Sign-in failed: the response does not match a sign-in started here.");
    }
    // A form-encoded POST without custom headers is a CORS "simple request": no preflight.
    const response = await fetch(`${config.cognitoDomain}/oauth2/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        client_id: config.clientId,
        code: query.get("code"),
        redirect_uri: config.redirectUri,
        code_verifier: login.verifier,
      }),
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok || typeof body.id_token !== "string") {
      throw new Error(`Sign-in failed: ${body.error_description || body.error || response.status}`);
    }
    sessionStorage.setItem(TOKEN_KEY, body.id_token);
  }

  function signOut() {
    sessionStorage.clear();
    const params = new URLSearchParams({ client_id: config.clientId, logout_uri: config.redirectUri });
    // Cognito ends its own session too, then sends the browser back to logout_uri.
    location.assign(`${config.cognitoDomain}/logout?${params}`);
  }

  // --- API -----------------------------------------------------------------------------------

  async function api(method, path, body) {
    const token = currentToken();
    if (!token) {
      showSignedOut();
      throw new Error("Your session has expired; please sign in again.");
    }
    const headers = { Authorization: token }; // the ID token itself: no "Bearer " prefix
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(`${config.apiUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      // fetch only rejects when no response is readable: offline, DNS, or CORS refused.
      throw new Error("Could not reach the notes API.");
    }
    const data = response.status === 204 ? null : await response.json().catch(() => null);
    if (response.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      showSignedOut();
      throw new Error("Your session has expired; please sign in again.");
    }
    if (!response.ok) {
      throw new Error(data?.message || `The notes API answered ${response.status}.`);
    }
    return data;
  }

  // Runs an async action, reporting its failure in the status area; `button` is disabled meanwhile
  // so a double click cannot send the request twice.
  async function run(action, button) {
    if (button) button.disabled = true;
    try {
      await action();
    } catch (error) {
      showStatus(error.message, true);
    } finally {
      if (button) button.disabled = false;
    }
  }

  // --- rendering -----------------------------------------------------------------------------

  function updateEmpty() {
    ui.empty.hidden = ui.list.children.length > 0;
  }

  function noteItem(note) {
    const id = String(note.NoteId);
    const item = document.createElement("li");
    item.dataset.noteId = id;

    const text = document.createElement("span");
    text.className = "note-text";
    text.id = `note-${id}`;
    text.textContent = note.Note;

    const toggleLabel = document.createElement("label");
    const toggle = document.createElement("input");
    toggle.type = "checkbox";
    toggle.className = "toggle";
    toggle.checked = Boolean(note.Is_Incomplete);
    toggle.setAttribute("aria-describedby", text.id);
    toggleLabel.append(toggle, " Incomplete");
    item.classList.toggle("done", !toggle.checked);
    toggle.addEventListener("change", () =>
      run(async () => {
        const wanted = toggle.checked;
        try {
          await api("PUT", `/notes/${encodeURIComponent(id)}`, { Is_Incomplete: wanted });
        } catch (error) {
          toggle.checked = !wanted; // show what is stored, not what was attempted
          throw error;
        }
        item.classList.toggle("done", !wanted);
        showStatus(wanted ? "Marked incomplete." : "Marked complete.");
      }, toggle),
    );

    const speak = button("Speak", "speak", text.id, () =>
      run(async () => {
        const { url } = await api("POST", `/notes/${encodeURIComponent(id)}/speech`);
        ui.player.hidden = false;
        ui.player.src = url; // presigned S3 URL: the CSP's media-src must allow its host
        showStatus("Playing note.");
        try {
          await ui.player.play();
        } catch (error) {
          // NotAllowedError: the browser wants a click on the player itself (autoplay policy).
          if (error.name !== "NotAllowedError") throw new Error("Could not play the audio.");
          showStatus("Press play to hear the note.");
        }
      }, speak),
    );

    const remove = button("Delete", "delete", text.id, () =>
      run(async () => {
        await api("DELETE", `/notes/${encodeURIComponent(id)}`);
        item.remove();
        updateEmpty();
        showStatus("Note deleted.");
      }, remove),
    );

    item.append(toggleLabel, text, speak, remove);
    return item;
  }

  // A button whose accessible description is the note's text, so "Delete" is not ambiguous.
  function button(label, className, describedBy, onClick) {
    const element = document.createElement("button");
    element.type = "button";
    element.className = className;
    element.textContent = label;
    element.setAttribute("aria-describedby", describedBy);
    element.addEventListener("click", onClick);
    return element;
  }

  // Adds notes to the list, replacing any already shown (a note created here may also come back
  // on a later page).
  function render(notes, { prepend = false } = {}) {
    for (const note of notes) {
      const item = noteItem(note);
      const existing = ui.list.querySelector(`li[data-note-id="${CSS.escape(String(note.NoteId))}"]`);
      if (existing) existing.replaceWith(item);
      else if (prepend) ui.list.prepend(item);
      else ui.list.append(item);
    }
    updateEmpty();
  }

  async function loadPage() {
    const query = nextToken ? `?${new URLSearchParams({ nextToken })}` : "";
    const page = await api("GET", `/notes${query}`);
    render(page.notes);
    nextToken = page.nextToken || null;
    ui.loadMore.hidden = !nextToken;
  }

  async function createNote() {
    if (!ui.text.value.trim()) {
      showStatus("Write something before adding a note.", true);
      ui.text.focus();
      return;
    }
    const note = await api("POST", "/notes", {
      Note: ui.text.value,
      Is_Incomplete: ui.incomplete.checked,
    });
    render([note], { prepend: true });
    ui.form.reset();
    ui.text.focus();
    showStatus("Note added.");
  }

  // --- page states ---------------------------------------------------------------------------

  function showSignedOut() {
    ui.signedIn.hidden = true;
    ui.account.hidden = true;
    ui.signedOut.hidden = false;
  }

  function showSignedIn(token) {
    ui.signedOut.hidden = true;
    ui.signedIn.hidden = false;
    ui.account.hidden = false;
    const who = claims(token);
    ui.who.textContent = who?.email ? `Signed in as ${who.email}` : "Signed in";
  }

  async function start() {
    if (!config) {
      showStatus("config.js is missing: the page cannot find the API or the sign-in service.", true);
      return;
    }
    ui.signIn.addEventListener("click", () => run(signIn, ui.signIn));
    ui.signOut.addEventListener("click", signOut);
    ui.form.addEventListener("submit", (event) => {
      event.preventDefault(); // handled here; the form never navigates (the CSP has form-action 'none')
      run(createNote, ui.add);
    });
    ui.loadMore.addEventListener("click", () => run(loadPage, ui.loadMore));

    const query = new URLSearchParams(location.search);
    if (query.has("code") || query.has("error")) {
      await run(() => finishSignIn(query));
    }
    const token = currentToken();
    if (!token) {
      showSignedOut();
      return;
    }
    showSignedIn(token);
    await run(loadPage);
  }

  start();
})();
