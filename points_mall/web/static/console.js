// Shared by the console pages: the staff token in sessionStorage, fetch with it, masked names.
const pm = {
  token: () => sessionStorage.getItem("pm_token"),
  async api(path, options = {}) {
    const headers = Object.assign({"Authorization": "Bearer " + pm.token()}, options.headers || {});
    if (options.json !== undefined) {
      headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(options.json);
    }
    const r = await fetch(path, Object.assign({}, options, {headers}));
    let body = null;
    try { body = await r.json(); } catch (e) { body = null; }
    return {ok: r.ok, status: r.status, body};
  },
  fail(r) {
    if (r.status === 401) { sessionStorage.removeItem("pm_token"); location.reload(); }
  },
  maskName(name) {
    if (!name) return "";
    if (name.length <= 2) return name[0] + "*";
    return name[0] + "*".repeat(name.length - 2) + name[name.length - 1];
  },
  start(run) {
    const show = () => { document.getElementById("login").hidden = true; document.getElementById("page").hidden = false; run(); };
    if (pm.token()) { show(); return; }
    document.getElementById("login").hidden = false;
    document.getElementById("login-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const r = await fetch("/api/v1/auth/staff-login", {method: "POST", headers: {"Content-Type": "application/json"},
        body: JSON.stringify({username: document.getElementById("username").value,
                              password: document.getElementById("password").value})});
      const body = await r.json();
      if (!r.ok) { document.getElementById("login-error").textContent = body.error.message; return; }
      sessionStorage.setItem("pm_token", body.token);
      show();
    });
  },
};
