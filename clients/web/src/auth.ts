// Signed out: one form for both logging in and registering.
import { byId } from "./dom.js";
import { errorText, onSignOut, rest, signIn } from "./server.js";

byId("auth-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const register = (event as SubmitEvent).submitter?.getAttribute("value") === "register";
  const username = byId<HTMLInputElement>("auth-username").value.trim();
  const password = byId<HTMLInputElement>("auth-password");
  const displayName = byId<HTMLInputElement>("auth-display-name").value.trim();
  byId("auth-error").textContent = "";
  try {
    const token = register
      ? await rest().register({ body: { username, password: password.value, ...(displayName ? { displayName } : {}) } })
      : await rest().logIn({ body: { username, password: password.value } });
    password.value = "";
    signIn(token);
  } catch (error) {
    byId("auth-error").textContent = errorText(error);
  }
});

onSignOut((message) => {
  byId("auth-error").textContent = message ?? "";
});
